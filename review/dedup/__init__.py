"""Deduplication: normalise -> block -> score -> decide -> cluster. See docs/dedup.md.

Light to import: the pipeline (rapidfuzz) loads on first use of ``run_dedup``/``explain_pair``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from review.dedup.clusters import ClusterRow, Clusters, load_clusters
from review.dedup.decide import DedupOptions

if TYPE_CHECKING:
    from review.dedup.explain import explain_pair
    from review.dedup.overlap import overlap_table
    from review.dedup.pipeline import DedupResult, QueuedPair, run_dedup
    from review.dedup.run import dedup_project
    from review.dedup.status import status_summary

__all__ = [
    "ClusterRow",
    "Clusters",
    "DedupOptions",
    "DedupResult",
    "QueuedPair",
    "dedup_project",
    "explain_pair",
    "load_clusters",
    "overlap_table",
    "run_dedup",
    "status_summary",
]

_LAZY = {
    "DedupResult": "review.dedup.pipeline",
    "QueuedPair": "review.dedup.pipeline",
    "explain_pair": "review.dedup.explain",
    "run_dedup": "review.dedup.pipeline",
    "dedup_project": "review.dedup.run",
    "overlap_table": "review.dedup.overlap",
    "status_summary": "review.dedup.status",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'review.dedup' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
