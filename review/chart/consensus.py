"""The consensus workbook: the charting reviewers' latest chartings merged into one form.

``chart consensus -o FILE.xlsx`` writes the normal charting form (same sheets, drop-downs,
protection and hidden Meta as ``chart template``, made for ``consensus``) with:

- every cell on which all charters agree pre-filled;
- every cell on which they differ left blank, highlighted, with each charter's value in the
  cell's comment — the consensus meeting types the agreed value there;
- a *Differences* sheet listing every difference (sheet, cells, row, field, each charter's value)
  and an *Agreement* sheet counting agreements per field (with κ, see
  :mod:`review.chart.agreement`).

Values are compared per field as ``chart compare`` does (case and spaces ignored; sets for
multiple choice and links). A multiple-choice field is pre-filled option by option: an option
every charter ticked is ticked, one ticked by some only is highlighted. A report charted by some
charters only (the others left its row blank), or a unit of the schema's further level listed by
some only, is one difference on its ID cell; its cells are pre-filled where those who
charted it agree. Filled in, the workbook imports with ``chart import FILE --reviewer
consensus`` under the same validation as any charting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from review.chart.agreement import FieldStats, agreement_stats
from review.chart.compare import _same, _text, unit_present
from review.chart.model import Charting
from review.chart.schema import Field, Level, Schema
from review.chart.template import CODEBOOK, LISTS, META, REPORTS, Column, columns, unit_sheet
from review.io.files import atomic_write_bytes
from review.io.xlsx import set_cell

DIFFERENCES = "Differences"
AGREEMENT = "Agreement"
REPORT_PRESENT = "(report charted)"
NOT_CHARTED = "(not charted)"
NOT_LISTED = "(not listed)"
HIGHLIGHT = "FFD966"  # amber: a cell left for the consensus to decide
AUTHOR = "review chart consensus"  # the author of the comments on highlighted cells


@dataclass(frozen=True, slots=True)
class Difference:
    """One field (or a whole row) on which the charters differ."""

    sheet: str
    cells: tuple[str, ...]  # the highlighted cells, e.g. ("F7",) or ("Y7", "AA7")
    level: str
    key: str  # record id or unit id
    label: str  # citation or the unit's name
    field_id: str
    field_label: str
    values: tuple[str, ...]  # one per charter, display text


@dataclass(slots=True)
class ConsensusPlan:
    """What goes into the consensus workbook (pure data; :func:`consensus_workbook` writes it)."""

    reviewers: list[str]
    reports: list[tuple[str, str]]  # (record id, citation), the form's rows in order
    units: list[str]  # unit ids, the further level's sheet rows in order
    unit: Level | None = None  # the schema's further level (None when reports only)
    values: dict[tuple[str, int, int], Any] = field(default_factory=dict)  # pre-filled cells
    notes: dict[tuple[str, int, int], str] = field(default_factory=dict)  # highlighted cells
    differences: list[Difference] = field(default_factory=list)
    agreement: list[FieldStats] = field(default_factory=list)
    not_included: list[str] = field(default_factory=list)  # charted, no longer included

    @property
    def prefilled(self) -> int:
        return len(self.values)

    def to_json(self) -> dict[str, Any]:
        return {
            "reviewers": self.reviewers,
            "reports": len(self.reports),
            **({f"{self.unit.name}s": len(self.units)} if self.unit else {}),
            "cells_prefilled": self.prefilled,
            "cells_to_decide": len(self.notes),
            "differences": len(self.differences),
            "charted_but_not_included": self.not_included,
        }


def _letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)


def _cell_text(value: Any) -> str:
    return _text(value) if value not in (None, "", []) else ""


class _Planner:
    def __init__(self, schema: Schema, names: list[str], charts: list[Charting]) -> None:
        self.schema = schema
        self.names = names
        self.charts = charts
        self.cols = {lv.name: columns(schema, lv.name) for lv in schema.levels}

    def field_cols(self, level: str, f: Field) -> list[tuple[int, Column]]:
        return [(i, c) for i, c in enumerate(self.cols[level], start=1) if c.field is f]

    def row(
        self,
        plan: ConsensusPlan,
        sheet: str,
        level: str,
        r: int,
        key: str,
        label: str,
        rows: list[dict[str, Any] | None],  # one per charter; None = not charted / not listed
    ) -> None:
        fields = self.schema.at(level)
        for f in fields:
            vals = [None if row is None else row.get(f.id) for row in rows]
            charted = [v for v, row in zip(vals, rows, strict=True) if row is not None]
            if all(v in (None, "", []) for v in charted):
                continue
            cols = self.field_cols(level, f)
            if all(_same(charted[0], v) for v in charted[1:]):
                self._fill(plan, sheet, r, f, cols, charted[0])
                continue
            missing = NOT_CHARTED if level == "report" else NOT_LISTED
            shown = tuple(
                missing if row is None else _cell_text(v) for v, row in zip(vals, rows, strict=True)
            )
            cells = self._highlight(plan, sheet, r, f, cols, vals, rows, missing)
            plan.differences.append(
                Difference(sheet, cells, level, key, label, f.id, f.label, shown)
            )

    def _fill(
        self,
        plan: ConsensusPlan,
        sheet: str,
        r: int,
        f: Field,
        cols: list[tuple[int, Column]],
        value: Any,
    ) -> None:
        if f.multi:
            chosen = set(value)
            for c, col in cols:
                if col.option in chosen:
                    plan.values[(sheet, r, c)] = "Yes"
        elif f.type == "link":
            for (c, _), pid in zip(cols, value, strict=False):
                plan.values[(sheet, r, c)] = str(pid)
        else:
            plan.values[(sheet, r, cols[0][0])] = value

    def _highlight(
        self,
        plan: ConsensusPlan,
        sheet: str,
        r: int,
        f: Field,
        cols: list[tuple[int, Column]],
        vals: list[Any],
        rows: list[dict[str, Any] | None],
        missing: str,
    ) -> tuple[str, ...]:
        cells: list[str] = []
        if f.multi:
            for c, col in cols:
                ticked = [
                    None if row is None else col.option in (v or [])
                    for v, row in zip(vals, rows, strict=True)
                ]
                known = [t for t in ticked if t is not None]
                if all(known):
                    plan.values[(sheet, r, c)] = "Yes"
                elif any(known):
                    lines = [
                        f"{n}: {missing if t is None else ('Yes' if t else '(blank)')}"
                        for n, t in zip(self.names, ticked, strict=True)
                    ]
                    plan.notes[(sheet, r, c)] = "\n".join(lines)
                    cells.append(f"{_letter(c)}{r}")
            return tuple(cells)
        lines = [
            f"{n}: {missing if row is None else (_cell_text(v) or '(blank)')}"
            for n, v, row in zip(self.names, vals, rows, strict=True)
        ]
        for c, _ in cols:
            plan.notes[(sheet, r, c)] = "\n".join(lines)
            cells.append(f"{_letter(c)}{r}")
        return tuple(cells)


def plan_consensus(
    schema: Schema, reports: list[tuple[str, str]], chartings: dict[str, Charting]
) -> ConsensusPlan:
    """Merge the charters' chartings cell by cell (pure). ``reports``: the form's rows."""
    names = sorted(chartings)
    charts = [chartings[n] for n in names]
    shown_names = [c.reviewer or n for n, c in zip(names, charts, strict=True)]
    planner = _Planner(schema, shown_names, charts)
    unit = schema.unit
    pids = sorted(set().union(*(c.units for c in charts))) if charts and unit else []
    plan = ConsensusPlan(reviewers=shown_names, reports=list(reports), units=pids, unit=unit)
    rows_of = {rid: r for r, (rid, _) in enumerate(reports, start=2)}
    charted = set().union(*(c.reports for c in charts)) if charts else set()
    plan.not_included = sorted(charted - set(rows_of))
    for rid, cite in reports:
        r = rows_of[rid]
        rows = [c.reports.get(rid) for c in charts]
        if all(row is None for row in rows):
            continue  # nobody charted it: left blank, nothing to decide
        if any(row is None for row in rows):
            plan.notes[(REPORTS, r, 1)] = _presence_note(shown_names, rows, "report")
            plan.differences.append(_presence(REPORTS, r, "report", rid, cite, rows))
        planner.row(plan, REPORTS, "report", r, rid, cite, rows)
    sheet = unit_sheet(schema)
    for r, pid in enumerate(pids, start=2):
        assert unit is not None
        rows = [c.units.get(pid) for c in charts]
        plan.values[(sheet, r, 1)] = pid
        name = next((_text(row.get("name")) for row in rows if row and row.get("name")), "")
        if any(row is None for row in rows):
            plan.notes[(sheet, r, 1)] = _unit_note(shown_names, rows, unit.singular)
            plan.differences.append(
                Difference(sheet, (f"A{r}",), unit.name, pid, name, "", unit_present(unit),
                           tuple("yes" if row is not None else "no" for row in rows))
            )  # fmt: skip
        planner.row(plan, sheet, unit.name, r, pid, name, rows)
    plan.agreement = agreement_stats(schema, dict(zip(names, charts, strict=True)))
    return plan


def _presence(sheet: str, r: int, level: str, key: str, label: str, rows: list[Any]) -> Difference:
    """A report charted by some charters only."""
    shown = tuple("yes" if row is not None else "no" for row in rows)
    return Difference(sheet, (f"A{r}",), level, key, label, "", REPORT_PRESENT, shown)


def _presence_note(names: list[str], rows: list[Any], level: str) -> str:
    who = [n for n, row in zip(names, rows, strict=True) if row is not None]
    return (
        f"Charted by {', '.join(who)} only; the others left this row blank. Check the "
        "pre-filled cells and fill the rest (or clear the row to leave it uncharted)."
    )


def _unit_note(names: list[str], rows: list[Any], singular: str) -> str:
    who = [n for n, row in zip(names, rows, strict=True) if row is not None]
    return (
        f"Listed by {', '.join(who)} only. Keep the {singular} (check its cells) or clear the "
        "whole row and its links on the Reports sheet."
    )


def consensus_workbook(schema: Schema, plan: ConsensusPlan) -> Any:
    """The consensus form (an openpyxl Workbook) for ``plan``."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    from review.chart.template import build_template

    wb = build_template(schema, plan.reports, reviewer="consensus")
    for (sheet, r, c), value in sorted(plan.values.items()):
        set_cell(wb[sheet].cell(row=r, column=c), value)
    fill = PatternFill("solid", fgColor=HIGHLIGHT)
    for (sheet, r, c), note in sorted(plan.notes.items()):
        cell = wb[sheet].cell(row=r, column=c)
        cell.fill = fill
        comment = Comment(note, AUTHOR)
        comment.width, comment.height = 260, 40 + 18 * note.count("\n")
        cell.comment = comment
    _differences_sheet(wb, plan)
    _agreement_sheet(wb, plan)
    # Keep the template's order (Reports, the further level's sheet, Codebook, …); ours after
    # the Codebook.
    after = wb.sheetnames.index(CODEBOOK) + 1
    for i, name in enumerate((DIFFERENCES, AGREEMENT)):
        wb.move_sheet(name, offset=after + i - wb.sheetnames.index(name))
    wb.active = 0
    return wb


def _header(ws: Any, heads: list[str], widths: list[float]) -> None:
    from openpyxl.styles import Font, PatternFill

    for i, (h, w) in enumerate(zip(heads, widths, strict=True), start=1):
        cell = ws.cell(row=1, column=i)
        set_cell(cell, h)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        ws.column_dimensions[_letter(i)].width = w
    ws.freeze_panes = "A2"


def _differences_sheet(wb: Any, plan: ConsensusPlan) -> None:
    ws = wb.create_sheet(DIFFERENCES)
    heads = ["Sheet", "Cells", "Level", "ID", "Citation or name", "Field", *plan.reviewers]
    _header(ws, heads, [12, 14, 10, 22, 48, 30, *([30] * len(plan.reviewers))])
    for r, d in enumerate(plan.differences, start=2):
        row = [d.sheet, ", ".join(d.cells), d.level, d.key, d.label, d.field_label, *d.values]
        for c, v in enumerate(row, start=1):
            set_cell(ws.cell(row=r, column=c), v)
    if plan.differences:
        ws.auto_filter.ref = f"A1:{_letter(len(heads))}{len(plan.differences) + 1}"


def _agreement_sheet(wb: Any, plan: ConsensusPlan) -> None:
    ws = wb.create_sheet(AGREEMENT)
    heads = ["Level", "Field", "Option", "Compared", "Agreed", "Agreement %", "Cohen's κ"]
    _header(ws, heads, [10, 34, 34, 10, 10, 12, 10])
    for r, s in enumerate(plan.agreement, start=2):
        row = [
            s.level,
            s.field_label,
            s.option,
            s.compared,
            s.agreed,
            "" if s.percent is None else s.percent,
            "" if s.kappa is None else round(s.kappa, 3),
        ]
        for c, v in enumerate(row, start=1):
            set_cell(ws.cell(row=r, column=c), v)
    note_row = len(plan.agreement) + 3
    set_cell(
        ws.cell(row=note_row, column=1),
        f"Charters: {', '.join(plan.reviewers)}. Compared: rows every charter charted with a "
        "value from at least one. Pre-filled cells: "
        f"{plan.prefilled}; highlighted cells to decide: {len(plan.notes)} "
        f"({len(plan.differences)} differences, listed on the {DIFFERENCES} sheet).",
    )


def write_consensus(schema: Schema, plan: ConsensusPlan, out: Path) -> None:
    """Write the consensus workbook reproducibly (same chartings → same bytes)."""
    from review.chart.outputs import stable_xlsx_bytes

    atomic_write_bytes(Path(out), stable_xlsx_bytes(consensus_workbook(schema, plan)))


_NOT_DATA = frozenset({REPORTS, CODEBOOK, DIFFERENCES, AGREEMENT, LISTS, META})


def undecided_cells(path: Path) -> list[str]:
    """``Sheet!Cell`` of every highlighted cell of a consensus form still left blank (an empty
    list for any other charting workbook); option columns of multiple-choice fields excepted.
    Such a cell imports as blank: a reminder, not an error."""
    from openpyxl import load_workbook

    wb = load_workbook(Path(path))
    if DIFFERENCES not in wb.sheetnames:
        return []
    out = []
    for sheet in [REPORTS] + [n for n in wb.sheetnames if n not in _NOT_DATA]:
        ws = wb[sheet]
        # an option column of a multiple-choice field ("Field: Option"): blank means "not
        # ticked", a decision in itself
        options = {c.column for c in ws[1] if ": " in str(c.value or "")}
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if cell.column == 1 or cell.column in options or cell.value not in (None, ""):
                    continue
                if cell.comment is not None and cell.comment.author == AUTHOR:
                    out.append(f"{sheet}!{cell.coordinate}")
    return out
