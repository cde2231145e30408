"""Screening by spreadsheet: export a reviewer's records to .xlsx, import decisions back.

The export lists every record the reviewer is to screen at the stage (in their own fixed order)
with their current decision or blank; other reviewers' decisions are never included (blind).
Import accepts .xlsx or .csv with ``record_id, decision, reason, note`` (extra columns are
ignored), validates every row, and imports nothing when any row has a problem.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from review.errors import InputError, ValidationError
from review.io.tables import read_table
from review.screen.cache import no_gc
from review.screen.logs import decide_line, decisions_for, parse_decision, reviewer_log_path

if TYPE_CHECKING:
    from review.project import Project

EXPORT_COLUMNS = (
    "record_id",
    "decision",
    "reason",
    "note",
    "title",
    "authors",
    "year",
    "journal",
    "abstract",
)
ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class SheetImport:
    imported: int  # decisions appended
    unchanged: int  # rows equal to the reviewer's current decision
    blank: int  # rows without a decision, reason or note


def _text_cell(ws: Any, value: str) -> Any:
    from openpyxl.cell import WriteOnlyCell

    from review.io.xlsx import set_cell

    c = WriteOnlyCell(ws)
    set_cell(c, value)
    return c


def _own_current(project: Project, stage: str, reviewer: str, clusters: Any) -> dict:
    from review.screen.logs import read_reviewer_file

    path = reviewer_log_path(project, reviewer)
    return read_reviewer_file(project, path, clusters, (stage,))[stage]


def _prepare_sheets(ws: Any, lists: Any, decisions: tuple[str, ...], reasons: Any, n: int) -> None:
    """The hidden "Lists" sheet (decisions, reason ids and labels), column widths, the frozen
    header and the drop-down validations of the decision and reason columns."""
    from openpyxl.worksheet.datavalidation import DataValidation

    for i in range(max(len(decisions), len(reasons))):
        lists.append(
            [
                _text_cell(lists, decisions[i]) if i < len(decisions) else None,
                _text_cell(lists, reasons[i].id) if i < len(reasons) else None,
                _text_cell(lists, reasons[i].label) if i < len(reasons) else None,
            ]
        )
    lists.sheet_state = "hidden"
    ws.freeze_panes = "B2"
    for col, width in zip("ABCDEFGHI", (14, 14, 22, 30, 60, 30, 6, 25, 80), strict=True):
        ws.column_dimensions[col].width = width
    last = max(n + 1, 2)
    dv = DataValidation(
        type="list",
        formula1=f"=Lists!$A$1:$A${len(decisions)}",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Decision",
        error="Choose " + ", ".join(decisions),
    )
    dv.add(f"B2:B{last}")
    ws.data_validations.append(dv)
    if reasons:
        rv = DataValidation(
            type="list",
            formula1=f"=Lists!$B$1:$B${len(reasons)}",
            allow_blank=True,
            showErrorMessage=False,
        )
        rv.add(f"C2:C{last}")
        ws.data_validations.append(rv)


@no_gc
def export_sheet(
    project: Project,
    stage: str,
    reviewer: str,
    out: Path,
    seed: int = 0,
    progress: ProgressFn | None = None,
) -> int:
    """Write the reviewer's screening sheet; returns the number of records."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from review.io.files import atomic_write_bytes
    from review.io.xlsx import row_values
    from review.people import check_roster, clean_name
    from review.screen.cache import cluster_index
    from review.screen.final import fulltext_eligible
    from review.screen.order import queue_order

    reviewer = clean_name(reviewer, "--reviewer")
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise InputError(
            "the export is an Excel workbook: give a name ending in .xlsx.", file=str(out)
        )
    cfg = project.protocol.stage(stage)
    check_roster(project.protocol, reviewer, "screening", stage)
    clusters = cluster_index(project)
    elig = (
        clusters.main_clusters()
        if stage == "title-abstract"
        else fulltext_eligible(project, clusters)
    )
    queue = queue_order(elig, reviewer, stage, seed)
    current = _own_current(project, stage, reviewer, clusters)
    from review.screen.cache import record_store

    index = record_store(project)

    # write-only mode: rows stream to disk, so 100k records stay quick and small in memory
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Screening")
    lists = wb.create_sheet("Lists")
    decisions = decisions_for(stage)
    n = len(queue)
    _prepare_sheets(ws, lists, decisions, cfg.exclusion_reasons, n)
    header = []
    for name in EXPORT_COLUMNS:
        c = _text_cell(ws, name)
        c.font = Font(bold=True)
        header.append(c)
    ws.append(header)
    for rowno, cid in enumerate(queue, start=2):
        rec = index.get(cid)
        cur = current.get(cid)
        values = [
            cid,
            cur.decision if cur else "",
            cur.reason if cur else "",
            cur.note if cur else "",
            rec.title if rec else "",
            "; ".join(rec.authors) if rec else "",
            rec.year if rec and rec.year is not None else None,
            rec.journal if rec else "",
            rec.abstract if rec else "",
        ]
        ws.append(row_values(ws, values))
        if progress and rowno % 1000 == 0:
            progress(rowno - 1, n)
    index.close()
    from review.io.sheetmeta import add_meta

    add_meta(wb, project, "screening", stage=stage, reviewer=reviewer)
    import io

    buf = io.BytesIO()
    wb.save(buf)
    atomic_write_bytes(out, buf.getvalue())
    if progress:
        progress(n, n)
    return n


@no_gc
def import_sheet(
    project: Project,
    path: Path,
    stage: str,
    reviewer: str,
    from_other_reviewer: bool = False,
    from_other_project: bool = False,
) -> SheetImport:
    """Import a reviewer's decisions from .xlsx/.csv; all-or-nothing (ValidationError).

    A sheet exported for another reviewer, stage or project is refused (its hidden Meta sheet
    says so) unless ``from_other_reviewer`` / ``from_other_project``.
    """
    from review.io.files import append_jsonl
    from review.people import check_roster, clean_name
    from review.screen.cache import cluster_index
    from review.screen.final import fulltext_eligible

    reviewer = clean_name(reviewer, "--reviewer")
    project.protocol.stage(stage)
    check_roster(project.protocol, reviewer, "screening", stage)
    rows = read_table(Path(path), required=("record_id", "decision"))
    from review.io.sheetmeta import check_meta

    check_meta(
        project,
        Path(path),
        "screening",
        stage=stage,
        person=("--reviewer", reviewer),
        from_other_reviewer=from_other_reviewer,
        from_other_project=from_other_project,
    )
    clusters = cluster_index(project)
    elig = set(
        clusters.main_clusters()
        if stage == "title-abstract"
        else fulltext_eligible(project, clusters)
    )
    current = _own_current(project, stage, reviewer, clusters)
    allowed = decisions_for(stage)
    problems: list[str] = []
    lines = []
    seen: dict[str, int] = {}
    blank = unchanged = 0
    name = Path(path).name
    for rowno, row in rows:
        rid = row.get("record_id", "")
        decision = row.get("decision", "").lower()
        reason_text = row.get("reason", "")
        note = row.get("note", "")
        where = f"{name} row {rowno}"
        if not decision and not reason_text and not note:
            blank += 1
            continue
        if not rid:
            problems.append(f"{where}: record_id is blank")
            continue
        cid = clusters.resolve(rid)
        if cid is None:
            problems.append(f"{where}: unknown record_id {rid!r}")
            continue
        if cid not in elig:
            problems.append(f"{where}: record {rid} is not to be screened at {stage}")
            continue
        if cid in seen:
            problems.append(f"{where}: record {rid} already given in row {seen[cid]}")
            continue
        seen[cid] = rowno
        reason, problem = parse_decision(project, stage, decision, reason_text, allowed)
        if problem:
            problems.append(f"{where}: {problem}")
            continue
        cur = current.get(cid)
        if cur is not None and (cur.decision, cur.reason, cur.note) == (decision, reason, note):
            unchanged += 1
            continue
        lines.append(decide_line(reviewer, cid, stage, decision, reason, note))
    if problems:
        raise ValidationError(
            f"{name}: {len(problems)} problem(s); nothing was imported. Fix them and import again:",
            problems,
        )
    if lines:
        append_jsonl(reviewer_log_path(project, reviewer), lines)
    return SheetImport(imported=len(lines), unchanged=unchanged, blank=blank)
