"""Write ``outputs/dedup/`` from a dedup result (all derived, rebuilt by every run):

- ``clusters.csv``: one row per imported record (see clusters.py), plus
  ``linked_to, rule, year, first_author, doi``.
- ``fused.csv``: per merged cluster, each field its fused record takes from another copy.
- ``maybe-pairs.csv``: the pairs waiting for a person, side by side.
- ``related.csv``: related reports of one study (see related.py).
- ``overlap.csv``: per source: records, duplicates within the source, overlap with every other
  source, unique contributions.
- ``summary.json``: options and counts of the last run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING

from review import __version__
from review.dedup.clusters import Clusters, clusters_path, keep_clusters, write_clusters
from review.dedup.counts import keep_counts
from review.dedup.overlap import overlap_table
from review.io.files import atomic_write_json, atomic_write_text, now_iso
from review.io.xlsx import csv_text
from review.screen.cache import keep_cluster_index

if TYPE_CHECKING:
    from review.dedup.decide import DedupOptions
    from review.dedup.pipeline import DedupResult
    from review.model import Record
    from review.project import Project

# maybe-pairs.csv: the pair, then each field of the two records side by side (a file format)
MAYBE_SIDES = ("source", "title", "authors", "year", "journal", "volume", "pages", "doi")
MAYBE_COLUMNS = (
    *("record_id_a", "record_id_b", "title_similarity", "authors_similarity", "rule", "reasons"),
    *(f"{f}_{side}" for f in MAYBE_SIDES for side in "ab"),
)


def summary_path(project: Project) -> Path:
    return project.outputs_dir / "dedup" / "summary.json"


def maybe_path(project: Project) -> Path:
    return project.outputs_dir / "dedup" / "maybe-pairs.csv"


def overlap_path(project: Project) -> Path:
    return project.outputs_dir / "dedup" / "overlap.csv"


def write_outputs(
    project: Project,
    records: list[Record],
    result: DedupResult,
    options: DedupOptions,
    abstracts: Callable[[], Iterable[tuple[str, str]]] | None = None,
) -> None:
    """Write ``outputs/dedup/``: clusters.csv, fused.csv, maybe-pairs.csv, related.csv,
    overlap.csv and summary.json. ``abstracts``: the records were loaded without their
    abstracts; it reads ``(record_id, abstract)`` of every record, a row at a time."""
    from review.dedup.pipeline import EXTRA_COLUMNS
    from review.dedup.related import write_related

    write_clusters(clusters_path(project), result.rows, result.extra, EXTRA_COLUMNS)
    # the derived copies the next command reads instead of parsing clusters.csv again (its
    # rows for prisma/report, its counts for status, the screening's cluster index), under the
    # key of the file just written
    clusters = keep_clusters(project)
    keep_counts(project, clusters)
    keep_cluster_index(project, clusters)
    _write_fused(project, records, result, abstracts)
    _write_maybe_pairs(project, records, result)
    write_related(project, result.related)
    _write_overlap(project, result)
    _write_summary(project, result, options)


FUSED_COLUMNS = ("cluster_id", "field", "rule", "from_records", "value")


def _write_fused(
    project: Project,
    records: list[Record],
    result: DedupResult,
    abstracts: Callable[[], Iterable[tuple[str, str]]] | None,
) -> None:
    """``fused.csv``: for every merged cluster, each field its fused record takes from a copy
    other than the primary (the rest is the primary's), with the rule and the copies."""
    from review.dedup.fusion import fuse_record, merged_groups

    by_id = {r.record_id: r for r in records}
    cluster_of = {r.record_id: r.cluster_id for r in result.rows}
    table: list[list[object]] = [list(FUSED_COLUMNS)]
    groups = merged_groups(cluster_of)
    if abstracts is not None:
        for rid, text in _taken_abstracts(groups, abstracts).items():
            by_id[rid] = replace(by_id[rid], abstract=text)
    for cid in sorted(groups):
        fused, fusion = fuse_record(by_id[cid], [by_id[r] for r in groups[cid]])
        for src in fusion.filled():
            value = getattr(fused, src.field)
            if isinstance(value, tuple):
                value = "; ".join(value)
            table.append([cid, src.field, src.rule, "; ".join(src.records), value])
    atomic_write_text(project.outputs_dir / "dedup" / "fused.csv", csv_text(table))


def _taken_abstracts(
    groups: Mapping[str, list[str]], abstracts: Callable[[], Iterable[tuple[str, str]]]
) -> dict[str, str]:
    """The abstract fusion takes in each merged cluster whose primary's own is not it, by
    record id, reading the abstracts twice a row at a time instead of holding the copies'.

    Fusion's ``longest`` rule (fusion.py) takes the first longest abstract that is not empty,
    the primary first and the others in record-id order; it depends on the lengths alone, so
    the copies it does not take may be left empty: the fused record is the same."""
    from review.dedup.fusion import is_empty

    order: dict[str, tuple[str, int]] = {}  # record id -> (cluster, place in fusion's order)
    for cid, others in groups.items():
        order[cid] = (cid, 0)
        for k, rid in enumerate(sorted(others), start=1):
            order[rid] = (cid, k)
    best: dict[str, tuple[int, int, str]] = {}  # cluster -> (length, -place, record id)
    for rid, text in abstracts():
        at = order.get(rid)
        if at is None or is_empty("abstract", text):
            continue
        cid, place = at
        mine = (len(text), -place, rid)
        if cid not in best or mine > best[cid]:
            best[cid] = mine
    wanted = {rid for cid, (_, _, rid) in best.items() if rid != cid}
    return {rid: text for rid, text in abstracts() if rid in wanted}


def _write_maybe_pairs(project: Project, records: list[Record], result: DedupResult) -> None:
    """The queued pairs side by side (MAYBE_COLUMNS)."""
    by_id = {r.record_id: r for r in records}
    maybe: list[list[object]] = [list(MAYBE_COLUMNS)]
    for q in result.queued:
        a, b = by_id[q.a], by_id[q.b]
        authors = "" if q.authors is None else round(q.authors, 3)
        row: list[object] = [q.a, q.b, q.title, authors, q.rule, q.reasons]
        for f in MAYBE_SIDES:
            row += [_side_value(a, f), _side_value(b, f)]
        maybe.append(row)
    atomic_write_text(maybe_path(project), csv_text(maybe))


def _side_value(rec: Record, name: str) -> object:
    v = getattr(rec, name)
    if name == "authors":
        return "; ".join(v)
    return (v or "") if name == "year" else v  # no year: an empty cell


def _write_overlap(project: Project, result: DedupResult) -> None:
    """Per source: records, duplicates within it, clusters, unique ones, overlap with each other."""
    table = overlap_table(Clusters(result.rows))
    sources = [row.source for row in table]
    overlap: list[list[object]] = [
        [
            "source",
            "branch",
            "records",
            "duplicates_within_source",
            "clusters",
            "unique_clusters",
            *[f"overlap_with:{s}" for s in sources],
        ]
    ]
    for row in table:
        overlap.append(
            [
                row.source,
                row.branch,
                row.records,
                row.duplicates_within_source,
                row.clusters,
                row.unique_clusters,
                *[row.overlap.get(s, "") for s in sources],
            ]
        )
    atomic_write_text(overlap_path(project), csv_text(overlap))


def _write_summary(project: Project, result: DedupResult, options: DedupOptions) -> None:
    atomic_write_json(
        summary_path(project),
        {
            "at": now_iso(),
            "tool_version": __version__,
            "options": asdict(options),
            "counts": result.counts,
            "refused_same": [list(p) for p in result.refused_same],
            "verdict_conflicts": [list(p) for p in _conflicts(project)],
            "seconds": {k: round(v, 3) for k, v in result.seconds.items()},
            "field_reliability": result.reliability.to_json(),
        },
    )


def _conflicts(project: Project) -> list[tuple[str, str]]:
    from review.dedup.verdicts import verdict_conflicts

    return list(verdict_conflicts(project))
