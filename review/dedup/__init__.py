"""Deduplication: normalise -> block -> score -> decide -> cluster. See docs/dedup.md."""

from review.dedup.clusters import ClusterRow, Clusters, load_clusters

__all__ = ["ClusterRow", "Clusters", "load_clusters"]
