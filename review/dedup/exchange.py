"""Queued pairs by spreadsheet: export them side by side, import the verdicts back.

Import reads the sheet with :func:`review.io.tables.read_table` (``.xlsx``, or ``.csv``/``.tsv``/
``.txt`` in UTF-8, UTF-16 or Windows-1252) with columns ``record_id_a, record_id_b, verdict`` and an
optional ``note``. Verdicts are ``same``, ``related`` or ``different`` (case and spaces
ignored); a blank verdict changes nothing. Every row is checked first; on any problem nothing is imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from review.dedup.verdicts import VERDICTS
from review.errors import InputError, ValidationError
from review.io.files import read_jsonl
from review.io.sheetmeta import add_meta, check_meta
from review.io.tables import read_table
from review.io.xlsx import first_sheet, set_cell
from review.model import CITATION_FIELDS
from review.people import check_roster

if TYPE_CHECKING:
    from review.project import Project

REQUIRED = ("record_id_a", "record_id_b", "verdict")
# the columns per record of the exchange sheet (a file format: keep the order)
SIDE_FIELDS = ("source", *(f for f in CITATION_FIELDS if f != "pmid"))


@dataclass(frozen=True, slots=True)
class ImportSummary:
    rows: int  # data rows read
    recorded: int  # verdict lines appended
    unchanged: int  # same as the reviewer's standing verdict already
    blank: int  # rows without a verdict
    file: str  # the reviewer's log
    note: str = ""  # how the file's encoding was inferred, when not certain (tables.Table.note)


def _value(rec: Any, name: str) -> Any:
    v = getattr(rec, name)
    if name == "authors":
        return "; ".join(v)
    return "" if v is None else v


def export_queue_xlsx(project: Project, path: Path, reviewer: str = "") -> int:
    """Write the queued pairs to ``path`` (.xlsx) with a verdict drop-down. Returns the count."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    from review.dedup.queue import read_queue

    if path.suffix.lower() != ".xlsx":
        raise InputError(
            "the export must be an .xlsx file (e.g. -o dedup-pairs.xlsx).", file=str(path)
        )
    queue = read_queue(project)
    index = project.record_index()
    wb = Workbook()
    ws = first_sheet(wb)
    ws.title = "Pairs"
    header = [
        "record_id_a",
        "record_id_b",
        "verdict",
        "note",
        "title_similarity",
        "rule",
        "reasons",
    ]
    for f in SIDE_FIELDS:
        header += [f"{f}_a", f"{f}_b"]
    for c, name in enumerate(header, start=1):
        cell = ws.cell(row=1, column=c)
        set_cell(cell, name)
        cell.font = Font(bold=True)
    differ = PatternFill("solid", fgColor="FFF2CC")
    for r, q in enumerate(queue, start=2):
        a, b = index.get(q.record_id_a), index.get(q.record_id_b)
        values: list[Any] = [
            q.record_id_a,
            q.record_id_b,
            "",
            "",
            float(q.title_similarity or 0),
            q.rule,
            q.reasons,
        ]
        for f in SIDE_FIELDS:
            values += [_value(a, f) if a else "", _value(b, f) if b else ""]
        for c, v in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c)
            set_cell(cell, v)
            cell.alignment = Alignment(wrap_text=c > 7, vertical="top")
        for k in range(len(SIDE_FIELDS)):
            ca, cb = ws.cell(row=r, column=8 + 2 * k), ws.cell(row=r, column=9 + 2 * k)
            if str(ca.value or "").strip().lower() != str(cb.value or "").strip().lower():
                ca.fill = differ
                cb.fill = differ
    dv = DataValidation(type="list", formula1='"same,related,different"', allow_blank=True)
    dv.error = "Choose same, related or different (or leave blank)."
    dv.prompt = "same = one report twice; related = another report of one study; different"
    ws.add_data_validation(dv)
    if queue:
        dv.add(f"C2:C{len(queue) + 1}")
    ws.freeze_panes = "E2"
    widths = {"A": 13, "B": 13, "C": 11, "D": 20, "E": 8, "F": 24, "G": 30}
    for col, wdt in widths.items():
        ws.column_dimensions[col].width = wdt
    for k in range(len(SIDE_FIELDS)):
        from openpyxl.utils import get_column_letter

        wide = 50 if SIDE_FIELDS[k] in ("title", "authors", "journal") else 14
        ws.column_dimensions[get_column_letter(8 + 2 * k)].width = wide
        ws.column_dimensions[get_column_letter(9 + 2 * k)].width = wide

    add_meta(wb, project, "dedup", reviewer=reviewer)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    wb.save(tmp)
    tmp.replace(path)
    return len(queue)


def import_verdicts(
    project: Project,
    path: Path,
    reviewer: str,
    from_other_reviewer: bool = False,
    from_other_project: bool = False,
) -> ImportSummary:
    """Validate every row, then append the verdicts to the reviewer's log (all or nothing)."""
    from review.dedup.clusters import load_clusters
    from review.dedup.verdicts import append_lines

    check_roster(project.protocol, reviewer, "dedup")
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file.", file=str(path))
    table = read_table(path, required=REQUIRED)
    # a row with no value at all (Excel's trailing rows) is not a row of the sheet
    rows = [(line, row) for line, row in table if any(row.values())]

    check_meta(
        project,
        path,
        "dedup",
        person=("--reviewer", reviewer),
        from_other_reviewer=from_other_reviewer,
        from_other_project=from_other_project,
    )
    name = path.name
    wanted, blank = _checked_verdicts(rows, load_clusters(project).branch, name)
    lines, unchanged = _new_lines(project, reviewer, wanted)
    log = append_lines(project, reviewer, lines)
    return ImportSummary(len(rows), len(lines), unchanged, blank, project.rel(log), table.note)


def _checked_verdicts(
    rows: list[tuple[int, dict[str, str]]], known: dict[str, str], name: str
) -> tuple[list[tuple[str, str, str, str]], int]:
    """``(a, b, verdict, note)`` of every row with a verdict, and the number of blank rows;
    ValidationError naming every bad row (``known``: record_id -> branch)."""
    problems: list[str] = []
    wanted: list[tuple[str, str, str, str]] = []
    blank = 0
    for line, row in rows:
        a, b = row.get("record_id_a", ""), row.get("record_id_b", "")
        verdict = row.get("verdict", "").strip().lower()
        note = row.get("note", "")
        if not verdict:
            blank += 1
            continue
        bad = False
        for col, rid in (("record_id_a", a), ("record_id_b", b)):
            if not rid:
                problems.append(f"{name}:{line}: {col} is empty")
                bad = True
            elif rid not in known:
                problems.append(f"{name}:{line}: unknown {col} {rid!r} (not an imported record)")
                bad = True
            elif known[rid] != "main":
                problems.append(
                    f"{name}:{line}: {col} {rid!r} is not in the main branch (not deduplicated)"
                )
                bad = True
        if verdict not in VERDICTS:
            problems.append(f"{name}:{line}: verdict {verdict!r} is not same, related or different")
            bad = True
        if not bad and a == b:
            problems.append(f"{name}:{line}: record_id_a and record_id_b are the same record")
            bad = True
        if not bad:
            wanted.append((a, b, verdict, note))
    if problems:
        raise ValidationError(
            f"{name}: {len(problems)} problem(s); nothing was imported.", problems
        )
    return wanted, blank


def _new_lines(
    project: Project, reviewer: str, wanted: list[tuple[str, str, str, str]]
) -> tuple[list[dict[str, Any]], int]:
    """The log lines for the verdicts that change the reviewer's standing verdict, and the
    number that would not."""
    from review.dedup.verdicts import check_line, reviewer_stacks, verdict_file, verdict_line

    stacks = reviewer_stacks(read_jsonl(verdict_file(project, reviewer), check=check_line))
    lines = []
    unchanged = 0
    for a, b, verdict, note in wanted:
        key = (a, b) if a < b else (b, a)
        stack = stacks.get(key)
        if stack and stack[-1].verdict == verdict:
            unchanged += 1
            continue
        lines.append(verdict_line(a, b, verdict, reviewer, note))
    return lines, unchanged
