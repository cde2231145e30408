"""``review dedup explain RECORD_ID``: why a record is (or is not) a duplicate of what."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from review.errors import ReviewError

if TYPE_CHECKING:
    from review.project import Project


def explain_record(project: Project, record_id: str, nearest: int = 3) -> dict[str, Any]:
    """The record's cluster and status; a field-by-field comparison with every other member,
    every queued partner and the ``nearest`` most similar candidates that were not merged."""
    from review.dedup.block import record_keys
    from review.dedup.clusters import load_clusters
    from review.dedup.normalize import normalize_record
    from review.dedup.pipeline import explain_pair
    from review.dedup.run import last_options, read_queue
    from review.dedup.score import title_similarity
    from review.dedup.verdicts import load_verdicts, pair_key

    clusters = load_clusters(project)
    index = project.record_index()
    rec = index.get(record_id)
    if rec is None:
        raise ReviewError(
            f"{record_id}: no such record. Record ids are in outputs/dedup/clusters.csv "
            "(column record_id)."
        )
    options = last_options(project)
    verdicts = load_verdicts(project)
    cid = clusters.cluster_of.get(record_id, record_id)
    members = [m for m in clusters.members(cid) if m != record_id]
    out: dict[str, Any] = {
        "record_id": record_id,
        "citation": rec.citation(),
        "source": rec.source,
        "branch": clusters.branch.get(record_id, "main"),
        "cluster_id": cid,
        "status": clusters.status.get(record_id, "unique"),
        "primary": cid == record_id,
        "members": [],
        "queued": [],
        "nearest": [],
    }
    if out["branch"] != "main":
        out["note"] = "Other-methods records are not deduplicated (they go straight to full text)."
        return out

    def compare(other_id: str) -> dict[str, Any]:
        d = explain_pair(rec, index[other_id], options)
        v = verdicts.get(pair_key(record_id, other_id))
        d["verdict"] = (
            None if v is None else {"verdict": v.verdict, "reviewer": v.reviewer, "at": v.at}
        )
        d["citation"] = index[other_id].citation()
        d["source"] = index[other_id].source
        return d

    out["members"] = [compare(m) for m in members if m in index]
    for q in read_queue(project):
        if record_id in (q["record_id_a"], q["record_id_b"]):
            other = q["record_id_b"] if q["record_id_a"] == record_id else q["record_id_a"]
            if other in index:
                out["queued"].append(compare(other))
    seen = {record_id, *members, *(d["b"] for d in out["queued"])}
    me = normalize_record(rec)
    keys = set(record_keys(me))
    scored = []
    for other in index.values():
        if other.record_id in seen or clusters.branch.get(other.record_id) != "main":
            continue
        n = normalize_record(other)
        if keys & set(record_keys(n)):
            scored.append((-title_similarity(me, n)[0], other.record_id))
    for _, oid in sorted(scored)[:nearest]:
        out["nearest"].append(compare(oid))
    return out
