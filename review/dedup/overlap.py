"""Overlap between sources: per source its records, duplicates inside it, clusters shared with
each other source and clusters found only there (``overlap.csv``, the project status, report)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from review.dedup.clusters import Clusters


@dataclass(frozen=True, slots=True)
class SourceOverlap:
    """One row of :func:`overlap_table`: a source's records, duplicates inside it, clusters it
    shares with each other source and clusters found only there (its unique contribution)."""

    source: str
    branch: str
    records: int
    duplicates_within_source: int
    clusters: int
    unique_clusters: int
    overlap: Mapping[str, int]  # other source -> clusters shared with it

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def overlap_table(clusters: Clusters) -> tuple[SourceOverlap, ...]:
    """Per source, in name order: records, duplicates inside the source, clusters shared with
    each other source and clusters found only in this source (its unique contribution)."""
    sources_of: dict[str, Counter[str]] = defaultdict(Counter)
    branch_of_source: dict[str, str] = {}
    records: Counter[str] = Counter()
    for r in clusters.rows:
        sources_of[r.cluster_id][r.source] += 1
        records[r.source] += 1
        branch_of_source.setdefault(r.source, r.branch)
    within: Counter[str] = Counter()
    n_clusters: Counter[str] = Counter()
    unique: Counter[str] = Counter()
    shared: dict[str, dict[str, int]] = {s: {} for s in records}
    for counter in sources_of.values():
        for s, n in counter.items():
            n_clusters[s] += 1
            within[s] += n - 1
            if len(counter) == 1:
                unique[s] += 1
            for other in counter:
                if other != s:
                    shared[s][other] = shared[s].get(other, 0) + 1
    return tuple(
        SourceOverlap(
            source=s,
            branch=branch_of_source[s],
            records=records[s],
            duplicates_within_source=within[s],
            clusters=n_clusters[s],
            unique_clusters=unique[s],
            overlap=shared[s],
        )
        for s in sorted(records)
    )
