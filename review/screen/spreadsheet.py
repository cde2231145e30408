"""Screening by spreadsheet: export a reviewer's records to .xlsx, import decisions back.

The export lists every record the reviewer is to screen at the stage (in their own fixed order)
with their current decision or blank; other reviewers' decisions are never included (blind).
Import accepts .xlsx or .csv with ``record_id, decision, reason, note`` (extra columns are
ignored), validates every row, and imports nothing when any row has a problem.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from review.errors import InputError, ReviewError
from review.io.files import atomic_write_with
from review.io.sheetmeta import add_meta, check_meta
from review.io.tables import read_table
from review.io.xlsx import set_cell
from review.io.xlsxrows import write_with_rows
from review.model import Stage
from review.people import check_roster, clean_name
from review.screen.assign import assigned_to
from review.screen.cache import cluster_index, display_rows, no_gc
from review.screen.final import eligible_clusters
from review.screen.finished import Guard
from review.screen.logs import (
    decide_line,
    decisions_for,
    label_line,
    read_reviewer_file,
    reviewer_log_path,
)
from review.screen.marks import own_labels, parse_labels
from review.screen.order import queue_order
from review.screen.sheetcheck import SheetCheck

if TYPE_CHECKING:
    from review.project import Project
    from review.screen.logs import ReviewerDecision

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
    "labels",  # the reviewer's own labels, comma-separated (not a decision; editable)
)
# the record fields the sheet shows, in its column order (title to abstract)
_SHOWN = ("title", "authors", "year", "journal", "abstract")
ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class SheetImport:
    imported: int  # decisions appended
    unchanged: int  # rows equal to the reviewer's current decision
    blank: int  # rows without a decision, reason or note
    labelled: int = 0  # records whose labels the sheet changed
    note: str = ""  # how the file's encoding was inferred, when not certain (tables.Table.note)


def _text_cell(ws: Any, value: str) -> Any:
    from openpyxl.cell import WriteOnlyCell

    c = WriteOnlyCell(ws)
    set_cell(c, value)
    return c


def _own_current(
    project: Project, stage: Stage, reviewer: str, clusters: Any
) -> dict[str, ReviewerDecision]:
    """The reviewer's own standing decisions at ``stage``, by cluster id."""
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
    for col, width in zip("ABCDEFGHIJ", (14, 14, 22, 30, 60, 30, 6, 25, 80, 30), strict=True):
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
    stage: Stage,
    reviewer: str,
    out: Path,
    seed: int = 0,
    progress: ProgressFn | None = None,
) -> int:
    """Write the reviewer's screening sheet; returns the number of records."""
    reviewer = clean_name(reviewer, "--reviewer")
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise InputError(
            "the export is an Excel workbook: give a name ending in .xlsx.", file=str(out)
        )
    project.protocol.stage(stage)
    check_roster(project.protocol, reviewer, "screening", stage)
    clusters = cluster_index(project)

    mine = assigned_to(
        project.protocol, stage, reviewer, eligible_clusters(project, stage, clusters)
    )
    queue = queue_order(mine, reviewer, stage, seed)
    current = _own_current(project, stage, reviewer, clusters)

    labels = own_labels(project, reviewer_log_path(project, reviewer), clusters)

    shown = display_rows(project, _SHOWN)  # only the columns the sheet shows
    wb, ws = _workbook(project, stage, len(queue))
    add_meta(wb, project, "screening", stage=stage, reviewer=reviewer)
    rows = _rows(queue, shown, current, labels, progress)
    # written as it is made: a million records' sheet is never held (200 MB compressed)
    atomic_write_with(out, lambda fh: write_with_rows(wb, ws, rows, 2, fh))
    if progress:
        progress(len(queue), len(queue))
    return len(queue)


def _workbook(project: Project, stage: Stage, n: int) -> tuple[Any, Any]:
    """A write-only workbook with the "Screening" sheet (its header; the ``n`` record rows are
    streamed in by :func:`review.io.xlsxrows.write_with_rows`) and its "Lists" sheet."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Screening")
    lists = wb.create_sheet("Lists")
    _prepare_sheets(
        ws, lists, decisions_for(stage), project.protocol.stage(stage).exclusion_reasons, n
    )
    ws.append(_header(ws))
    return wb, ws


def _rows(
    queue: list[str],
    shown: dict[str, tuple],
    current: dict,
    labels: dict[str, list[str]] | None,
    progress: ProgressFn | None,
) -> Iterator[list[Any]]:
    """One row per record of ``queue`` with the reviewer's ``current`` decision and labels."""
    n = len(queue)
    for rowno, cid in enumerate(queue, start=2):
        row = _row(cid, shown.get(cid), current.get(cid))
        row.append(", ".join((labels or {}).get(cid, ())))
        yield row
        if progress and rowno % 1000 == 0:
            progress(rowno - 1, n)


def _header(ws: Any) -> list[Any]:
    from openpyxl.styles import Font

    header = []
    for name in EXPORT_COLUMNS:
        c = _text_cell(ws, name)
        c.font = Font(bold=True)
        header.append(c)
    return header


def _row(cid: str, rec: tuple | None, cur: Any) -> list[Any]:
    """One record's row, in EXPORT_COLUMNS order but the labels, from its :data:`_SHOWN`
    values (blank where the record or decision is missing)."""
    title, authors, year, journal, abstract = rec or ("", (), None, "", "")
    if cur is None:
        return [cid, "", "", "", title, "; ".join(authors), year, journal, abstract]
    return [
        cid,
        cur.decision,
        cur.reason,
        cur.note,
        title,
        "; ".join(authors),
        year,
        journal,
        abstract,
    ]


@no_gc
def import_sheet(
    project: Project,
    path: Path,
    stage: Stage,
    reviewer: str,
    from_other_reviewer: bool = False,
    from_other_project: bool = False,
    reopen: str | None = None,
) -> SheetImport:
    """Import a reviewer's decisions from .xlsx/.csv; all-or-nothing (ValidationError).

    A sheet exported for another reviewer, stage or project is refused (its hidden Meta sheet
    says so) unless ``from_other_reviewer`` / ``from_other_project``. A row that changes a
    finished record's final status is refused unless ``reopen`` gives the reason (each is then
    logged as a reopen); in a locked stage only records `reopen` reopened may change.
    """
    reviewer = clean_name(reviewer, "--reviewer")
    project.protocol.stage(stage)
    check_roster(project.protocol, reviewer, "screening", stage)
    rows = read_table(Path(path), required=("record_id", "decision"))

    check_meta(
        project,
        Path(path),
        "screening",
        stage=stage,
        person=("--reviewer", reviewer),
        from_other_reviewer=from_other_reviewer,
        from_other_project=from_other_project,
    )
    check = _ScreeningRows(project, path, stage, reviewer, reviewer_log_path)
    check.reopen = (reopen or "").strip()
    return SheetImport(*check.run(rows), labelled=check.labelled, note=rows.note)


class _ScreeningRows(SheetCheck):
    """The rows of a screening sheet: records eligible at the stage, the reviewer's decisions."""

    def prepare(self) -> None:
        self.elig = set(eligible_clusters(self.project, self.stage, self.clusters))
        self.current = _own_current(self.project, self.stage, self.person, self.clusters)
        self.guard = Guard(self.project, self.stage, self.person, self.clusters)

        self.labels_now = own_labels(
            self.project, reviewer_log_path(self.project, self.person), self.clusters
        )
        self.labelled = 0

    def _labels(self, rowno: int, rid: str, text: str) -> None:
        """A labels cell: the reviewer's labels on the record become exactly these."""
        cid = self.clusters.resolve(rid)
        if cid is None or cid not in self.elig:
            return  # the decision columns' check names the problem
        try:
            want = parse_labels(text)
        except ReviewError as exc:
            self.problem(rowno, f"labels: {exc}")
            return
        have = self.labels_now.get(cid, [])
        keys, old = {w.casefold() for w in want}, {h.casefold() for h in have}
        lines = [
            label_line(self.person, cid, self.stage, h, True)
            for h in have
            if h.casefold() not in keys
        ]
        lines += [
            label_line(self.person, cid, self.stage, w, False)
            for w in want
            if w.casefold() not in old
        ]
        if lines:
            self.lines.extend(lines)
            self.labelled += 1
            self.labels_now[cid] = want

    def check_row(self, rowno: int, row: dict[str, str]) -> None:
        rid = row.get("record_id", "")
        text = row.get("decision", "").lower()
        reason_text = row.get("reason", "")
        note = row.get("note", "")
        if "labels" in row:
            self._labels(rowno, rid, row["labels"])
        if not text and not reason_text and not note:
            self.blank += 1
            return
        cid = self.cluster(rowno, rid)
        if cid is None:
            return
        if cid not in self.elig:
            self.problem(rowno, f"record {rid} is not to be screened at {self.stage}")
            return
        if not self.first_time(rowno, rid, cid):
            return
        checked = self.decided(rowno, text, reason_text)
        if checked is None:
            return
        decision, reason = checked
        cur = self.current.get(cid)
        if cur is not None and (cur.decision, cur.reason, cur.note) == (decision, reason, note):
            self.unchanged += 1
            return
        if not self.reopened(rowno, self.guard.decision_undo(cid, cur and cur.decision, decision)):
            return
        self.lines.append(decide_line(self.person, cid, self.stage, decision, reason, note))
