"""The dedup stage on ``review status``: counts of the last run (``DedupCounts``) and what the
terminal shows (``DedupStatus``)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from review.dedup.clusters import clusters_path, load_clusters
from review.dedup.outputs import maybe_path
from review.dedup.overlap import SourceOverlap, overlap_table

if TYPE_CHECKING:
    from review.project import Project


@dataclass(frozen=True, slots=True)
class DedupCounts:
    """What the last ``review dedup`` left: records, clusters, duplicates removed, pairs queued
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
    """The dedup stage on ``review status``: ``counts`` is None until ``review dedup`` has run;
    ``lines`` is what the terminal shows."""

    lines: tuple[str, ...]
    counts: DedupCounts | None = None

    @property
    def done(self) -> bool:
        return self.counts is not None

    def to_json(self) -> dict[str, Any]:
        """The ``dedup`` object of ``review status --json``."""
        counts = self.counts.to_json() if self.counts is not None else {}
        return {"done": self.done, **counts, "lines": list(self.lines)}


def status_summary(project: Project) -> DedupStatus:
    """Dedup progress for ``review status`` (``lines`` for people)."""
    path = clusters_path(project)
    if not path.is_file():
        return DedupStatus(("Not deduplicated yet: run `review dedup`.",))
    clusters = load_clusters(project)
    counts = DedupCounts(
        main_records=sum(1 for r in clusters.rows if r.branch == "main"),
        clusters=len(clusters.main_clusters()),
        removed_automatic=len(clusters.removed_automatic()),
        removed_manual=len(clusters.removed_manual()),
        queued=_queued(project),
        verdict_conflicts=tuple(_conflicts(project)),
        overlap=overlap_table(clusters),
    )
    from review.dedup.verdicts import log_problems

    warnings = tuple(f"warning: {p}" for p in log_problems(project))
    return DedupStatus(_status_lines(counts) + warnings, counts)


def _queued(project: Project) -> int:
    """The pairs waiting for a person in the last run's maybe-pairs.csv."""
    mp = maybe_path(project)
    if not mp.is_file():
        return 0
    from review.io.tables import long_fields

    long_fields()  # titles over 131,072 characters
    with open(mp, encoding="utf-8-sig", newline="") as fh:
        return sum(1 for _ in csv.DictReader(fh))


def _status_lines(c: DedupCounts) -> tuple[str, ...]:
    auto, manual = c.removed_automatic, c.removed_manual
    lines = [
        f"{c.main_records} main-branch records -> {c.clusters} after removing "
        f"{auto + manual} duplicates ({auto} automatically, {manual} confirmed by a person)",
        f"{c.queued} pair(s) waiting for a person: review dedup review --reviewer NAME"
        if c.queued
        else "No pairs waiting for a person.",
    ]
    if c.verdict_conflicts:
        lines.insert(
            1,
            f"{len(c.verdict_conflicts)} pair(s) with conflicting verdicts (same vs different) "
            "from two reviewers, applied neither way: resolve them with review dedup review "
            "--reviewer NAME",
        )
    parts = [
        f"{row.source} {row.unique_clusters}/{row.clusters}"
        for row in c.overlap
        if row.branch == "main"
    ]
    if parts:
        lines.append("Unique contribution per source (unique/total): " + ", ".join(parts))
    return tuple(lines)


def _conflicts(project: Project) -> list[tuple[str, str]]:
    from review.dedup.verdicts import verdict_conflicts

    return list(verdict_conflicts(project))
