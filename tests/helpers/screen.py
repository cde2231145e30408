"""Helpers shared by the screening tests (``from tests.helpers.screen import ...``).

They build a project with a hand-written ``outputs/dedup/clusters.csv`` (the dedup stage's
contract) and write screening / resolution log lines exactly as the screener does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from review.dedup.clusters import ClusterRow, clusters_path, write_clusters
from review.io.files import append_jsonl
from review.people import file_id
from review.project import Project


def make_clusters(
    project: Project,
    main: int = 10,
    other: int = 0,
    merged: dict[str, list[str]] | None = None,
) -> list[str]:
    """Write clusters.csv with ``main`` + ``other`` single-record clusters ``r1``… plus merges.

    ``merged`` maps a primary id to extra member ids (status ``auto``). Returns the cluster ids.
    """
    rows: list[ClusterRow] = []
    ids = []
    for i in range(1, main + other + 1):
        rid = f"r{i}"
        branch = "main" if i <= main else "other"
        extra = (merged or {}).get(rid, [])
        status = "auto" if extra else "unique"
        rows.append(ClusterRow(rid, rid, "DB", i, "", status, branch, f"Title {i}"))
        for j, m in enumerate(extra, start=1):
            rows.append(ClusterRow(m, rid, "DB2", 1000 + j, "", "auto", branch, f"Title {i}"))
        ids.append(rid)
    write_clusters(clusters_path(project), rows)
    return ids


def set_protocol(project: Project, **changes: Any) -> Project:
    """Edit protocols/protocol.yaml: top-level keys, or ``stage__key`` for stage settings."""
    data = yaml.safe_load(project.protocol_path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if "__" in key:
            stage, sub = key.split("__", 1)
            data["stages"][stage.replace("_", "-")][sub] = value
        else:
            data[key] = value
    project.protocol_path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return Project.open(project.root)


def decide(
    project: Project,
    reviewer: str,
    record_id: str,
    decision: str,
    stage: str = "title-abstract",
    reason: str = "",
    note: str = "",
    at: str = "2026-01-01T00:00:00.000000Z",
) -> None:
    append_jsonl(
        project.data_dir / "screening" / f"{file_id(reviewer)}.jsonl",
        [
            {
                "op": "decide",
                "record_id": record_id,
                "stage": stage,
                "decision": decision,
                "reason": reason,
                "note": note,
                "reviewer": reviewer,
                "at": at,
                "tool_version": "test",
            }
        ],
    )


def retract(project: Project, reviewer: str, record_id: str, stage: str = "title-abstract"):
    append_jsonl(
        project.data_dir / "screening" / f"{file_id(reviewer)}.jsonl",
        [
            {
                "op": "retract",
                "record_id": record_id,
                "stage": stage,
                "reviewer": reviewer,
                "at": "2026-01-01T00:00:01.000000Z",
                "tool_version": "test",
            }
        ],
    )


def resolve(
    project: Project,
    resolver: str,
    record_id: str,
    decision: str,
    stage: str = "title-abstract",
    reason: str = "",
    rationale: str = "discussed",
    at: str = "2026-01-02T00:00:00.000000Z",
) -> None:
    append_jsonl(
        project.data_dir / "resolutions" / f"{file_id(resolver)}.jsonl",
        [
            {
                "op": "resolve",
                "record_id": record_id,
                "stage": stage,
                "decision": decision,
                "reason": reason,
                "rationale": rationale,
                "resolver": resolver,
                "at": at,
                "tool_version": "test",
            }
        ],
    )


def log_lines(project: Project, reviewer: str) -> list[dict[str, Any]]:
    path = project.data_dir / "screening" / f"{file_id(reviewer)}.jsonl"
    return [json.loads(x) for x in Path(path).read_text(encoding="utf-8").splitlines() if x]


KEYWORD_ABSTRACT = "Parents with lived experience of child protection supported peers."


def make_record_project(project: Project, n: int = 8, other: int = 0) -> list[str]:
    """Import ``n`` (+ ``other`` other-methods) CSV records for real, one cluster each.

    Returns the record ids in import order (main branch first).
    """
    import csv

    from review.importer import import_files

    ids: list[str] = []
    for kind, count, tag in (("database", n, "db"), ("website", other, "web")):
        if not count:
            continue
        src = project.root.parent / f"{tag}-export.csv"
        with open(src, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["title", "abstract", "authors", "year", "journal", "doi"])
            for i in range(1, count + 1):
                w.writerow(
                    [
                        f"{tag} study number {i} of peer support",
                        KEYWORD_ABSTRACT,
                        f"Author{i}, A; Other, B",
                        2000 + i,
                        "Child Welfare",
                        f"10.1234/{tag}.{i}",
                    ]
                )
        import_files(project, [src], source=tag.upper(), kind=kind)
    project.invalidate()
    rows = []
    for r in project.records():
        branch = "main" if r.kind == "database" else "other"
        rows.append(
            ClusterRow(
                r.record_id, r.record_id, r.source, r.source_position, "", "unique", branch, r.title
            )
        )
        ids.append(r.record_id)
    write_clusters(clusters_path(project), rows)
    return ids


def project_at_fulltext(project: Project) -> list[str]:
    """Seven records: five included at title/abstract by Ana and Ben, one excluded, one from
    other methods (ids[6])."""
    ids = make_record_project(project, 6, other=1)
    for rid in ids[:5]:  # ids[5] excluded at title/abstract; ids[6] is other-methods
        for who in ("Ana", "Ben"):
            decide(project, who, rid, "include")
    for who in ("Ana", "Ben"):
        decide(project, who, ids[5], "exclude")
    return ids
