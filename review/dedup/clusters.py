"""Dedup clusters as the rest of the pipeline sees them: ``outputs/dedup/clusters.csv``.

The file has one row per imported record. Records sharing a ``cluster_id`` are one record from
then on; the ``cluster_id`` is the ``record_id`` of the cluster's primary (kept) record. Status:
``unique`` (alone), ``auto`` (merged automatically), ``confirmed`` (merged by a person's verdict),
``maybe`` (in a pair waiting for a person; kept separate until then). The primary of a merged
cluster carries the status of the merge that formed the cluster; only non-primary members count
as duplicates removed.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from review.errors import ProjectError, WriteError
from review.io.files import atomic_write_bytes, atomic_write_text
from review.io.tables import long_fields
from review.io.xlsx import csv_text, csv_unsafe
from review.nextstep import Action, step
from review.screen.memo import file_key, remembered

if TYPE_CHECKING:
    from review.project import Project

CLUSTER_COLUMNS = (
    "record_id",
    "cluster_id",
    "source",
    "source_position",
    "original_id",
    "status",
    "branch",
    "title",
)
STATUSES = ("unique", "auto", "confirmed", "maybe")


class ClusterRow(NamedTuple):
    """One row of clusters.csv. A named tuple: 100k rows are made from the kept copy in C
    (``tuple.__new__``), where a frozen dataclass's ``__init__`` cost 0.1 s in every command
    that reads the clusters."""

    record_id: str
    cluster_id: str
    source: str
    source_position: int
    original_id: str
    status: str
    branch: str  # "main" | "other"
    title: str = ""


@dataclass
class Clusters:
    rows: list[ClusterRow]
    cluster_of: dict[str, str] = field(init=False)
    status: dict[str, str] = field(init=False)
    branch: dict[str, str] = field(init=False)
    _members: dict[str, list[str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.cluster_of = {r.record_id: r.cluster_id for r in self.rows}
        self.status = {r.record_id: r.status for r in self.rows}
        self.branch = {r.record_id: r.branch for r in self.rows}
        members: dict[str, list[str]] = defaultdict(list)
        for r in self.rows:
            members[r.cluster_id].append(r.record_id)
        self._members = dict(members)

    def members(self, cluster_id: str) -> list[str]:
        return list(self._members.get(cluster_id, ()))

    def cluster_ids(self) -> list[str]:
        return list(self._members)

    def main_clusters(self) -> list[str]:
        """Clusters of main-branch records: what title/abstract screening sees."""
        return [cid for cid in self._members if self.branch.get(cid) == "main"]

    def other_clusters(self) -> list[str]:
        return [cid for cid in self._members if self.branch.get(cid) == "other"]

    def resolve(self, record_id: str) -> str | None:
        """The cluster a record belongs to now (None for an unknown id)."""
        return self.cluster_of.get(record_id)

    def removed_automatic(self) -> list[str]:
        return [
            r.record_id for r in self.rows if r.record_id != r.cluster_id and r.status == "auto"
        ]

    def removed_manual(self) -> list[str]:
        return [
            r.record_id
            for r in self.rows
            if r.record_id != r.cluster_id and r.status == "confirmed"
        ]


def clusters_path(project: Project) -> Path:
    return project.outputs_dir / "dedup" / "clusters.csv"


def write_clusters(
    path: Path,
    rows: Iterable[ClusterRow],
    extra: dict[str, dict[str, str]] | None = None,
    extra_columns: tuple[str, ...] = (),
) -> None:
    """Write clusters.csv atomically (UTF-8 with BOM so Excel shows accents correctly)."""
    table: list[list[object]] = [[*CLUSTER_COLUMNS, *extra_columns]]
    for r in rows:
        more = extra.get(r.record_id, {}) if extra else {}
        table.append(
            [
                r.record_id,
                r.cluster_id,
                r.source,
                r.source_position,
                r.original_id,
                r.status,
                r.branch,
                r.title,
                *[more.get(c, "") for c in extra_columns],
            ]
        )
    atomic_write_text(path, csv_text(table))


def read_clusters(path: Path) -> Clusters:
    rows: list[ClusterRow] = []

    long_fields()  # titles over 131,072 characters
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in CLUSTER_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ProjectError(
                (f"{path}: missing columns {', '.join(missing)}. Re-run ", step(Action.DEDUP), ".")
            )
        for line, row in enumerate(reader, start=2):
            status = row["status"]
            if status not in STATUSES:
                raise ProjectError(
                    (f"{path}:{line}: unknown status {status!r}. Re-run ", step(Action.DEDUP), ".")
                )
            rows.append(
                ClusterRow(
                    record_id=row["record_id"],
                    cluster_id=row["cluster_id"],
                    source=csv_unsafe(row["source"]),
                    source_position=int(row["source_position"] or 0),
                    original_id=csv_unsafe(row["original_id"]),
                    status=status,
                    branch=row["branch"] or "main",
                    title=csv_unsafe(row.get("title") or ""),
                )
            )
    return Clusters(rows)


def load_clusters(project: Project) -> Clusters:
    """The current clusters; a clear error when dedup has not been run yet.

    Read once per ``Project`` while clusters.csv is unchanged (review/screen/memo.py): one
    command (status, prisma, report) asks several times. Callers do not modify it."""
    path = clusters_path(project)
    if not path.is_file():
        raise ProjectError(
            (
                f"{project.rel(path)} not found: run ",
                step(Action.DEDUP),
                " first (it groups duplicate records).",
            )
        )

    key = file_key(path)
    return remembered(project, ("clusters",), key, lambda: _read_kept(project, path, key))


_KEPT_FORMAT = 1  # of .review/dedup/clusters.pickle; a different one is rebuilt
_row = partial(tuple.__new__, ClusterRow)  # a ClusterRow from a tuple of its fields, in C


def _read_kept(project: Project, path: Path, key: tuple) -> Clusters:
    """:func:`read_clusters`, through a derived copy of its rows in ``.review/dedup/
    clusters.pickle`` (columns of plain strings and ints) kept with the key of the clusters.csv
    it came from (size, modification time, inode: review/screen/memo.py); any other
    clusters.csv is read again and the copy rewritten. Parsing the CSV is most of the time
    ``prisma`` and ``report`` spend on clusters at 100k records."""
    import pickle

    kept = project.cache_dir / "dedup" / "clusters.pickle"
    want = (_KEPT_FORMAT, *key[1:])
    try:
        with open(kept, "rb") as fh:
            saved_key, columns = pickle.load(fh)  # noqa: S301 - our own derived file
        if saved_key == want:
            return Clusters(list(map(_row, zip(*columns, strict=True))))
    except Exception:  # noqa: S110 - no copy yet, or an older or damaged one: read the CSV
        pass
    return _keep(kept, want, read_clusters(path))


def keep_clusters(project: Project) -> Clusters:
    """Read the clusters.csv just written and keep its derived copy (the dedup run calls
    this, so that the next command finds the copy valid instead of parsing the CSV again).
    The copy holds what a later reading of the file gives, not the writer's rows."""
    path = clusters_path(project)
    key = file_key(path)
    kept = project.cache_dir / "dedup" / "clusters.pickle"
    clusters = _keep(kept, (_KEPT_FORMAT, *key[1:]), read_clusters(path))
    return remembered(project, ("clusters",), key, lambda: clusters)


def _keep(kept: Path, want: tuple, clusters: Clusters) -> Clusters:
    """Write ``clusters``' rows as columns with their key to ``kept``; return ``clusters``."""
    import pickle

    columns = tuple([getattr(r, name) for r in clusters.rows] for name in ClusterRow._fields)
    try:
        atomic_write_bytes(kept, pickle.dumps((want, columns), protocol=pickle.HIGHEST_PROTOCOL))
    except (OSError, WriteError):
        pass  # a read-only project: the clusters are right, only not kept
    return clusters
