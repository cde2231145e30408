"""The dedup stage on the project status: counts of the last run (``DedupCounts``) and the
verdict logs' damaged lines (``DedupStatus``); the CLI words them."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from review.dedup.clusters import clusters_path, load_clusters
from review.dedup.outputs import maybe_path
from review.dedup.overlap import SourceOverlap, overlap_table
from review.errors import WriteError
from review.io.files import atomic_write_text
from review.io.tables import long_fields
from review.screen.memo import file_key

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
    main_records, n_clusters, auto, manual, overlap = _cluster_counts(project)
    counts = DedupCounts(
        main_records=main_records,
        clusters=n_clusters,
        removed_automatic=auto,
        removed_manual=manual,
        queued=_queued(project),
        verdict_conflicts=tuple(_conflicts(project)),
        overlap=overlap,
    )
    from review.dedup.verdicts import log_problems

    return DedupStatus(counts, tuple(log_problems(project)))


_COUNTS_FORMAT = 1  # of .review/dedup/cluster-counts.json; a different one is rebuilt


def _cluster_counts(project: Project) -> tuple[int, int, int, int, tuple[SourceOverlap, ...]]:
    """Main-branch records, clusters, duplicates removed automatically and by a person, and the
    overlap between sources of clusters.csv.

    Parsing clusters.csv is most of ``status`` at 100k records, so the counts are kept in
    ``.review/dedup/cluster-counts.json`` (derived, rebuildable) with the key of the
    clusters.csv they came from (review/screen/memo.py's ``file_key``: size, modification time,
    inode); any other clusters.csv is read again and the file rewritten."""
    import json

    path = clusters_path(project)
    cache = project.cache_dir / "dedup" / "cluster-counts.json"
    key = json.loads(json.dumps([_COUNTS_FORMAT, *file_key(path)[1:]]))
    try:
        saved = json.loads(cache.read_text(encoding="utf-8"))
        if saved["key"] == key:
            c = saved["counts"]
            overlap = tuple(SourceOverlap(**row) for row in c["overlap"])
            return c["main_records"], c["clusters"], c["auto"], c["manual"], overlap
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no cache yet, or an older or damaged one: rebuilt below
    clusters = load_clusters(project)
    main_records = sum(1 for r in clusters.rows if r.branch == "main")
    n_clusters = len(clusters.main_clusters())
    auto, manual = len(clusters.removed_automatic()), len(clusters.removed_manual())
    overlap = overlap_table(clusters)
    counts: dict[str, object] = {"main_records": main_records, "clusters": n_clusters}
    counts |= {"auto": auto, "manual": manual, "overlap": [row.to_json() for row in overlap]}
    try:
        atomic_write_text(cache, json.dumps({"key": key, "counts": counts}))
    except (OSError, WriteError):
        pass  # a read-only project: the status is still right, only not kept
    return main_records, n_clusters, auto, manual, overlap


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
