"""Records and results for the dedup tests (one builder, shared by every dedup test module)."""

from __future__ import annotations

from review.model import Record


def make(rid: str, source: str = "A", **fields) -> Record:
    """A record with id ``rid`` (its position is the number after the last ``-``)."""
    if "authors" in fields:
        fields["authors"] = tuple(fields["authors"])
    return Record(
        record_id=rid, source=source, kind="database", source_file=f"{source}.csv",
        source_position=int(rid.rsplit("-", 1)[-1]), **fields,
    )  # fmt: skip


def clusters_of(result) -> dict[str, str]:
    """record id -> cluster id of a dedup result."""
    return {r.record_id: r.cluster_id for r in result.rows}
