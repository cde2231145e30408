"""The counts the project status shows for dedup, kept in ``.review/dedup/cluster-counts.json``.

Main-branch records, clusters, duplicates removed automatically and by a person, and the overlap
between sources, all from ``outputs/dedup/clusters.csv``. Parsing clusters.csv is most of
``status`` at 100k records, so the counts are kept (derived, rebuildable) with the key of the
clusters.csv they came from (review/screen/memo.py's ``file_key``: size, modification time,
inode, and a content hash below 1 MB); any other clusters.csv is read again and the file
rewritten. The dedup run writes them itself right after clusters.csv (:func:`keep_counts`),
so the first ``status`` after a dedup finds them valid.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from review.dedup.clusters import Clusters, clusters_path, load_clusters
from review.dedup.overlap import SourceOverlap, overlap_table
from review.errors import WriteError
from review.io.files import atomic_write_text
from review.screen.memo import file_key

if TYPE_CHECKING:
    from pathlib import Path

    from review.project import Project

_COUNTS_FORMAT = 1  # of .review/dedup/cluster-counts.json; a different one is rebuilt


@dataclass(frozen=True, slots=True)
class ClusterCounts:
    """What clusters.csv says, counted."""

    main_records: int
    clusters: int
    removed_automatic: int
    removed_manual: int
    overlap: tuple[SourceOverlap, ...]


def cluster_counts(project: Project) -> ClusterCounts:
    """The counts of the current clusters.csv: the kept ones when their key is this file's,
    else counted from the clusters (and kept)."""
    cache, key = _cache_path(project), _key(project)
    try:
        saved = json.loads(cache.read_text(encoding="utf-8"))
        if saved["key"] == key:
            c = saved["counts"]
            overlap = tuple(SourceOverlap(**row) for row in c["overlap"])
            return ClusterCounts(c["main_records"], c["clusters"], c["auto"], c["manual"], overlap)
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no cache yet, or an older or damaged one: rebuilt below
    return keep_counts(project, load_clusters(project))


def keep_counts(project: Project, clusters: Clusters) -> ClusterCounts:
    """Count ``clusters`` (those of the current clusters.csv) and keep the counts under that
    file's key; a read-only project still gets the counts, only not kept."""
    counts = ClusterCounts(
        main_records=sum(1 for r in clusters.rows if r.branch == "main"),
        clusters=len(clusters.main_clusters()),
        removed_automatic=len(clusters.removed_automatic()),
        removed_manual=len(clusters.removed_manual()),
        overlap=overlap_table(clusters),
    )
    saved: dict[str, Any] = {"main_records": counts.main_records, "clusters": counts.clusters}
    saved |= {"auto": counts.removed_automatic, "manual": counts.removed_manual}
    saved["overlap"] = [row.to_json() for row in counts.overlap]
    try:
        atomic_write_text(_cache_path(project), json.dumps({"key": _key(project), "counts": saved}))
    except (OSError, WriteError):
        pass  # a read-only project: the status is still right, only not kept
    return counts


def _cache_path(project: Project) -> Path:
    return project.cache_dir / "dedup" / "cluster-counts.json"


def _key(project: Project) -> Any:
    """clusters.csv's key as JSON gives it back (lists, not tuples)."""
    return json.loads(json.dumps([_COUNTS_FORMAT, *file_key(clusters_path(project))[1:]]))
