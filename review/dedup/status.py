"""The dedup stage on the project status: counts of the last run (``DedupCounts``) and the
verdict logs' damaged lines (``DedupStatus``); the CLI words them."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from review.dedup.clusters import clusters_path
from review.dedup.counts import cluster_counts
from review.dedup.outputs import maybe_path
from review.dedup.overlap import SourceOverlap
from review.io.tables import long_fields

if TYPE_CHECKING:
    from review.project import Project


@dataclass(frozen=True, slots=True)
class DedupCounts:
    """What the last ``dedup`` left: records, clusters, duplicates removed, pairs queued
    for a person, verdict conflicts and the overlap between sources."""

    main_records: int
    clusters: int
    removed_automatic: int
    removed_manual: int
    queued: int
    verdict_conflicts: tuple[tuple[str, str], ...]
    overlap: tuple[SourceOverlap, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "main_records": self.main_records,
            "clusters": self.clusters,
            "removed_automatic": self.removed_automatic,
            "removed_manual": self.removed_manual,
            "queued": self.queued,
            "verdict_conflicts": [list(p) for p in self.verdict_conflicts],
            "overlap": [row.to_json() for row in self.overlap],
        }


@dataclass(frozen=True, slots=True)
class DedupStatus:
    """The dedup stage on the project status: ``counts`` is None until dedup has run;
    ``warnings``: damaged lines of the verdict logs (the CLI words the rest)."""

    counts: DedupCounts | None = None
    warnings: tuple[str, ...] = ()

    @property
    def done(self) -> bool:
        return self.counts is not None

    def to_json(self) -> dict[str, Any]:
        """The ``dedup`` object of ``status --json``."""
        counts = self.counts.to_json() if self.counts is not None else {}
        return {"done": self.done, **counts}


def status_summary(project: Project) -> DedupStatus:
    """Dedup progress for the project status."""
    path = clusters_path(project)
    if not path.is_file():
        return DedupStatus()
    c = cluster_counts(project)  # kept in .review/dedup/cluster-counts.json (counts.py)
    counts = DedupCounts(
        main_records=c.main_records,
        clusters=c.clusters,
        removed_automatic=c.removed_automatic,
        removed_manual=c.removed_manual,
        queued=_queued(project),
        verdict_conflicts=tuple(_conflicts(project)),
        overlap=c.overlap,
    )
    from review.dedup.verdicts import log_problems

    return DedupStatus(counts, tuple(log_problems(project)))


def _queued(project: Project) -> int:
    """The pairs waiting for a person in the last run's maybe-pairs.csv."""
    mp = maybe_path(project)
    if not mp.is_file():
        return 0

    long_fields()  # titles over 131,072 characters
    with open(mp, encoding="utf-8-sig", newline="") as fh:
        return sum(1 for _ in csv.DictReader(fh))


def _conflicts(project: Project) -> list[tuple[str, str]]:
    from review.dedup.verdicts import verdict_conflicts

    return list(verdict_conflicts(project))
