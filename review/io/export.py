"""Writing records back out: RIS, BibTeX, CSV and XLSX.

Every writer round-trips through our own readers: ``read_file(export(x))`` gives back every
normalised field of ``x`` (``tests/test_export_roundtrip.py`` checks this with Hypothesis).
Spreadsheet cells that begin with ``= + - @`` are written as text, never as formulas
(:mod:`review.io.xlsx`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from review.errors import InputError, ReviewError
from review.io.files import atomic_write_bytes, atomic_write_text
from review.io.readers.ris import _split_sn
from review.io.xlsx import csv_text, first_sheet, set_cell
from review.model import (
    CITATION_FIELDS,
    FIELDS,
    STAGES,
    Decision,
    ExportFormat,
    ExportStatus,
    Record,
    Stage,
)

EXPORT_FORMATS: tuple[ExportFormat, ...] = tuple(ExportFormat)

# CSV/XLSX columns: the contract's columns first (CLI.md), then the rest.
CONTRACT_COLUMNS = (
    "record_id",
    "source",
    "source_file",
    "source_position",
    "original_id",
    "type",
    *CITATION_FIELDS,
    "abstract",
    "keywords",
)
COLUMNS = (
    *CONTRACT_COLUMNS,
    "kind",
    "source_line",
    *(f for f in FIELDS if f not in CONTRACT_COLUMNS),
)

RIS_TYPES = {
    "article": "JOUR",
    "book": "BOOK",
    "chapter": "CHAP",
    "conference": "CONF",
    "thesis": "THES",
    "report": "RPRT",
    "webpage": "ELEC",
    "preprint": "UNPB",
    "dataset": "DATA",
    "other": "GEN",
}
BIBTEX_TYPES = {
    "article": "article",
    "book": "book",
    "chapter": "incollection",
    "conference": "inproceedings",
    "thesis": "phdthesis",
    "report": "techreport",
    "webpage": "online",
    "preprint": "unpublished",
    "dataset": "dataset",
    "other": "misc",
}
_BIB_JOURNAL_FIELD = {"book": "series", "chapter": "booktitle", "conference": "booktitle"}
_BIB_SPECIAL = re.compile(r"[\\{}&%$#_~]")
_BIB_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
}


def _list_cell(items: Iterable[str]) -> str:
    """``a; b``; a single item that holds a comma gets a trailing ``;`` so it stays one item."""
    items = list(items)
    text = "; ".join(items)
    if len(items) == 1 and ("," in text or " and " in text):
        text += ";"
    return text


def record_row(rec: Record) -> dict[str, Any]:
    """One export row: every column of :data:`COLUMNS` as plain values."""
    row: dict[str, Any] = {
        "record_id": rec.record_id,
        "source": rec.source,
        "source_file": rec.source_file,
        "source_position": rec.source_position,
        "original_id": rec.original_id,
        "kind": rec.kind,
        "source_line": rec.source_line,
    }
    for name in FIELDS:
        value = getattr(rec, name)
        if name in ("authors", "keywords"):
            value = _list_cell(value)
        elif value is None:
            value = ""
        row[name] = value
    return {c: row[c] for c in COLUMNS}


# ---- RIS -----------------------------------------------------------------------------------


def to_ris(records: Iterable[Record]) -> str:
    out: list[str] = []
    add = out.append
    for rec in records:
        add(f"TY  - {RIS_TYPES.get(rec.type, 'GEN')}")
        if rec.original_id:
            add(f"ID  - {rec.original_id}")
        if rec.title:
            add(f"TI  - {rec.title}")
        for a in rec.authors:
            add(f"AU  - {a}")
        if rec.year is not None:
            add(f"PY  - {rec.year}")
        if rec.journal:
            add(f"T2  - {rec.journal}")
        if rec.volume:
            add(f"VL  - {rec.volume}")
        if rec.issue:
            add(f"IS  - {rec.issue}")
        if rec.pages:
            add(f"SP  - {rec.pages}")
        if rec.abstract:
            add(f"AB  - {rec.abstract}")
        if rec.doi:
            add(f"DO  - {rec.doi}")
        if rec.pmid:
            add(f"AN  - {rec.pmid}")
            add("DB  - PubMed")
        for sn in rec.issn.split("; ") if rec.issn else ():
            add(f"SN  - {sn}")
        for bn in rec.isbn.split("; ") if rec.isbn else ():
            # SN is ISSN or ISBN; our reader tells them apart by their digits, so an ISBN
            # without 10 or 13 digits goes into BN (ours; other programs ignore it).
            add(f"SN  - {bn}" if _looks_isbn(bn) else f"BN  - {bn}")
        for kw in rec.keywords:
            add(f"KW  - {kw}")
        if rec.url:
            add(f"UR  - {rec.url}")
        if rec.language:
            add(f"LA  - {rec.language}")
        add("ER  - ")
        add("")
    return "\n".join(out) + ("\n" if out else "")


def _looks_isbn(value: str) -> bool:
    issn, isbn = _split_sn([value])
    return isbn == [value] and not issn


# ---- BibTeX --------------------------------------------------------------------------------


# Pairs LaTeX turns into other characters ("--" -> en dash, "''" -> closing quote...): an empty
# group between them keeps them as typed.
_LIGATURES = re.compile(r"(?<=[-'`?!,<>])(?=[-'`,<>])")


def _bib_escape(value: str) -> str:
    value = _BIB_SPECIAL.sub(lambda m: _BIB_ESCAPES[m.group(0)], value)
    return _LIGATURES.sub("{}", value)


def _bib_key(rec: Record, used: set[str]) -> str:
    base = re.sub(r"[^\w:.-]", "_", rec.original_id or rec.record_id) or "record"
    key = base
    n = 1
    while key in used:
        n += 1
        key = f"{base}_{n}"
    used.add(key)
    return key


def to_bibtex(records: Iterable[Record]) -> str:
    chunks: list[str] = []
    used: set[str] = set()
    for rec in records:
        fields: list[tuple[str, str]] = []
        if rec.title:
            fields.append(("title", rec.title))
        if rec.authors:
            fields.append(("author", " and ".join(rec.authors)))
        if rec.year is not None:
            fields.append(("year", str(rec.year)))
        if rec.journal:
            fields.append((_BIB_JOURNAL_FIELD.get(rec.type, "journal"), rec.journal))
        for name, value in (
            ("volume", rec.volume),
            ("number", rec.issue),
            ("pages", rec.pages),
            ("doi", rec.doi),
            ("pmid", rec.pmid),
            ("issn", rec.issn),
            ("isbn", rec.isbn),
            ("url", rec.url),
            ("language", rec.language),
            ("abstract", rec.abstract),
        ):
            if value:
                fields.append((name, value))
        if rec.keywords:
            fields.append(("keywords", _list_cell(rec.keywords)))
        body = ",\n".join(f"  {k} = {{{_bib_escape(v)}}}" for k, v in fields)
        entry_type = BIBTEX_TYPES.get(rec.type, "misc")
        chunks.append(f"@{entry_type}{{{_bib_key(rec, used)},\n{body}\n}}\n")
    return "\n".join(chunks)


# ---- CSV / XLSX ----------------------------------------------------------------------------


def to_csv(records: Iterable[Record], extra: dict[str, dict[str, Any]] | None = None) -> str:
    extra_cols = _extra_columns(extra)
    table: list[list[Any]] = [[*COLUMNS, *extra_cols]]
    for rec in records:
        row = record_row(rec)
        more = (extra or {}).get(rec.record_id, {})
        table.append([row[c] for c in COLUMNS] + [more.get(c, "") for c in extra_cols])
    return csv_text(table, lineterminator="\n")


def _extra_columns(extra: dict[str, dict[str, Any]] | None) -> list[str]:
    cols: list[str] = []
    for values in (extra or {}).values():
        for k in values:
            if k not in cols:
                cols.append(k)
    return cols


XLSX_CELL_LIMIT = 32_767  # characters Excel can hold in one cell


def xlsx_overflows(records: Iterable[Record]) -> list[str]:
    """Record ids with a value longer than an Excel cell can hold (it would be cut)."""
    out = []
    for rec in records:
        row = record_row(rec)
        if any(isinstance(v, str) and len(v) > XLSX_CELL_LIMIT for v in row.values()):
            out.append(rec.record_id)
    return out


def write_xlsx(
    records: Iterable[Record], path: Path, extra: dict[str, dict[str, Any]] | None = None
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = first_sheet(wb)
    ws.title = "records"
    extra_cols = _extra_columns(extra)
    header = [*COLUMNS, *extra_cols]
    for col, name in enumerate(header, start=1):
        cell = ws.cell(row=1, column=col)
        set_cell(cell, name)
        cell.font = Font(bold=True)
    for r, rec in enumerate(records, start=2):
        row = record_row(rec)
        more = (extra or {}).get(rec.record_id, {})
        values = [row[c] for c in COLUMNS] + [more.get(c, "") for c in extra_cols]
        for col, value in enumerate(values, start=1):
            if value == "" or value is None:
                continue
            set_cell(ws.cell(row=r, column=col), value)
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write_bytes(Path(path), buf.getvalue())


def export_records(
    records: list[Record],
    fmt: str,
    path: Path,
    extra: dict[str, dict[str, Any]] | None = None,
) -> None:
    """Write ``records`` to ``path`` as ``ris``, ``bibtex``, ``csv`` or ``xlsx`` (atomically).

    ``extra`` adds columns to CSV/XLSX rows: ``{record_id: {column: value}}`` (e.g. the
    screening decision when exporting a stage).
    """
    path = Path(path)
    if fmt == "ris":
        atomic_write_text(path, to_ris(records))
    elif fmt == "bibtex":
        atomic_write_text(path, to_bibtex(records))
    elif fmt == "csv":
        atomic_write_text(path, to_csv(records, extra))
    elif fmt == "xlsx":
        write_xlsx(records, path, extra)
    else:
        raise InputError(f"unknown export format {fmt!r}; use one of: {', '.join(EXPORT_FORMATS)}.")


STATUSES: tuple[ExportStatus, ...] = tuple(ExportStatus)


def stage_records(
    project: Any, stage: Stage, status: ExportStatus = ExportStatus.ALL
) -> tuple[list[Record], dict[str, dict[str, Any]]]:
    """One record per cluster eligible at ``stage`` (its primary record, with the fields its
    duplicates add: ``review.dedup.fusion``), filtered by the final
    decision: ``included`` (include), ``excluded`` (exclude), ``undecided`` (no final decision
    yet, or maybe), ``all``. Also returns ``{record_id: {"decision", "reason", "via"}}``.
    """
    if stage not in STAGES:
        raise InputError(f"--stage {stage!r} is not a stage; use one of: {', '.join(STAGES)}.")
    if status not in STATUSES:
        raise InputError(f"--status {status!r} is not valid; use one of: {', '.join(STATUSES)}.")
    from review.dedup.fusion import fused_record_index
    from review.screen import final_decisions

    decisions = final_decisions(project, stage)
    index = fused_record_index(project)  # a merged cluster: the best of its copies
    records: list[Record] = []
    extra: dict[str, dict[str, Any]] = {}
    for cluster_id, fd in decisions.items():
        decision = fd.decision
        keep = (
            status == ExportStatus.ALL
            or (status == ExportStatus.INCLUDED and decision == Decision.INCLUDE)
            or (status == ExportStatus.EXCLUDED and decision == Decision.EXCLUDE)
            or (status == ExportStatus.UNDECIDED and decision in (None, Decision.MAYBE))
        )
        if not keep:
            continue
        rec = index.get(cluster_id) or index.get(fd.record_id)
        if rec is None:
            continue
        records.append(rec)
        extra[rec.record_id] = {
            "cluster_id": cluster_id,
            "decision": decision or "",
            "reason": fd.reason or "",
            "via": fd.via or "",
        }
    return records, extra


def with_labels(
    project: Any, records: list[Record], extra: dict[str, dict[str, Any]] | None, label: str | None
) -> tuple[list[Record], dict[str, dict[str, Any]] | None]:
    """Keep the records whose cluster carries ``label`` (None: all); with ``extra`` (a stage
    export) add a ``labels`` column when any record carries a label. Labels come from every
    reviewer's log (review.screen.marks); they never change a decision."""
    from review.screen.cache import cluster_index
    from review.screen.marks import read_marks

    try:
        clusters = cluster_index(project)
    except ReviewError:
        if label is not None:
            raise  # --label needs the clusters labels are kept by
        return records, extra
    marks = read_marks(project, clusters)
    cluster_of = clusters.cluster_of
    if label is not None:
        keep = set(marks.with_label(label))
        records = [r for r in records if cluster_of.get(r.record_id, r.record_id) in keep]
    if extra is not None and marks.labels:
        for r in records:
            labs = marks.labels.get(cluster_of.get(r.record_id, r.record_id), {})
            extra.setdefault(r.record_id, {})["labels"] = "; ".join(labs)
    return records, extra
