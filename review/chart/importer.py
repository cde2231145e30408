"""Read a filled charting workbook, validating every cell; nothing is returned on any error.

Every problem becomes one line ``Sheet!Cell: problem (did you mean …?)`` in a
:class:`~review.errors.ValidationError`. A report row whose charting cells are all blank is
"not charted yet" and skipped; a row with any value must have every required value.

Long module: one cell reader per field type plus the sheet checks; every message a person sees
about a filled-in form is written here, so they stay consistent.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from review.chart.countries import COUNTRIES, canonical_country
from review.chart.model import Charting
from review.chart.schema import YES_NO, Field, Schema
from review.chart.template import (
    CITATION,
    META,
    RECORD_ID,
    REPORTS,
    STUDY,
    TEMPLATE_FORMAT,
    Column,
    columns,
    unit_sheet,
)
from review.errors import InputError, ValidationError
from review.nextstep import Action, Text, step
from review.people import clean_name

MAX_PROBLEMS = 200
_TRUE = {"yes", "y", "x", "1", "true", "ja", "oui", "si", "sí"}
_FALSE = {"no", "n", "0", "false", "nein", "non"}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def suggest(value: str, choices: tuple[str, ...] | list[str]) -> str | None:
    """The closest allowed value (rapidfuzz), or None when nothing is close."""
    from rapidfuzz import fuzz, process, utils

    if not choices or not value:
        return None
    hit = process.extractOne(
        value, list(choices), scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=75
    )
    return hit[0] if hit else None


def _did_you_mean(value: str, choices: tuple[str, ...] | list[str]) -> str:
    hint = suggest(value, choices)
    return f" (did you mean {hint!r}?)" if hint else ""


class _Reader:
    """Collects problems while converting cells."""

    def __init__(self) -> None:
        self.problems: list[Text] = []

    def problem(self, sheet: str, ref: str, message: str | Text) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            said = (message,) if isinstance(message, str) else message
            self.problems.append((f"{sheet}!{ref}: ", *said))

    # ---- one cell -------------------------------------------------------------------------
    def raw(self, sheet: str, cell: Any) -> Any:
        """The cell's value, or None (after reporting) when it holds a formula."""
        from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

        value = cell.value
        if cell.data_type == "f" or isinstance(value, ArrayFormula | DataTableFormula):
            text = (value.text or "") if isinstance(value, ArrayFormula) else str(value)
            self.problem(
                sheet,
                cell.coordinate,
                f"formula {text[:40]!r} not allowed; type the value itself",
            )
            return None
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def convert(self, sheet: str, ref: str, f: Field, value: Any, col: Column) -> Any:
        """Convert a non-empty cell for ``f``; None (after reporting) when invalid."""
        if col.option or f.type == "yes_no":
            text = _norm(str(value))
            if text in _TRUE:
                return "Yes"
            if text in _FALSE:
                return "No"
            what = f"{f.label}: {col.option}" if col.option else f.label
            self.problem(sheet, ref, f"{value!r} is not Yes or No for {what}")
            return None
        if f.type in ("text", "long_text"):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if isinstance(value, dt.datetime | dt.date):
                value = value.isoformat()[:10]
            return str(value)
        if f.type == "integer":
            if isinstance(value, bool):
                value = None
            elif isinstance(value, int):
                return value
            elif isinstance(value, float) and value.is_integer():
                return int(value)
            elif isinstance(value, str) and re.fullmatch(r"[+-]?\d[\d,]*", value):
                return int(value.replace(",", ""))
            self.problem(sheet, ref, f"{value!r} is not a whole number for {f.label}")
            return None
        if f.type == "number":
            if isinstance(value, int | float) and not isinstance(value, bool):
                return int(value) if float(value).is_integer() else float(value)
            try:
                num = float(str(value).replace(",", ""))
            except ValueError:
                self.problem(sheet, ref, f"{value!r} is not a number for {f.label}")
                return None
            return int(num) if num.is_integer() else num
        if f.type == "date":
            if isinstance(value, dt.datetime | dt.date):
                return value.isoformat()[:10]
            try:
                return dt.date.fromisoformat(str(value)).isoformat()
            except ValueError:
                self.problem(sheet, ref, f"{value!r} is not a date (YYYY-MM-DD) for {f.label}")
                return None
        if f.type == "country":
            got = canonical_country(str(value))
            if got is None:
                self.problem(
                    sheet,
                    ref,
                    f"unknown country {value!r} for {f.label}{_did_you_mean(str(value), COUNTRIES)}",
                )
            return got
        if f.type == "single_choice":
            text = _norm(str(value))
            for choice in f.choices:
                if _norm(choice) == text:
                    return choice
            self.problem(
                sheet,
                ref,
                f"unknown value {value!r} for {f.label}{_did_you_mean(str(value), f.choices)}",
            )
            return None
        raise AssertionError(f.type)  # pragma: no cover - all types handled above


def _header(
    reader: _Reader, ws: Any, sheet: str, expected: list[Column], optional: tuple[str, ...] = ()
) -> dict[int, Column] | None:
    """Map column numbers to Columns by header text; None when the layout is unusable.
    ``optional``: headers the template may add that carry no field (read as nothing)."""
    from openpyxl.utils import get_column_letter

    by_text = {_norm(c.header): c for c in expected}
    by_text.update({_norm(h): Column(h, None) for h in optional})
    found: dict[int, Column] = {}
    seen: set[str] = set()
    for cell in ws[1]:
        if cell.value is None or not str(cell.value).strip():
            continue
        text = _norm(str(cell.value))
        col = by_text.get(text)
        if col is None:
            reader.problem(
                sheet,
                cell.coordinate,
                f"unknown column {str(cell.value)!r}"
                f"{_did_you_mean(str(cell.value), [c.header for c in expected])}; "
                "column headers must not be edited",
            )
            continue
        if col.header in seen:
            reader.problem(sheet, cell.coordinate, f"column {col.header!r} appears twice")
            continue
        seen.add(col.header)
        found[cell.column] = col
    missing = [c.header for c in expected if c.header not in seen]
    if missing:
        shown = ", ".join(repr(m) for m in missing[:5]) + (" …" if len(missing) > 5 else "")
        reader.problem(
            sheet,
            f"{get_column_letter(ws.max_column + 1)}1",
            (
                f"missing column(s) {shown}; the workbook does not match extraction_schema.yaml "
                "(make a new template with ",
                step(Action.CHART_TEMPLATE),
                ")",
            ),
        )
    if expected[0].header not in seen:
        return None
    return found


def _row_values(
    reader: _Reader, ws: Any, sheet: str, r: int, heads: dict[int, Column]
) -> tuple[dict[str, Any], dict[str, str], bool]:
    """(values by field id, first cell ref by field id, any charting cell non-blank)."""
    values: dict[str, Any] = {}
    refs: dict[str, str] = {}
    links: dict[str, dict[int, str]] = {}
    anything = False
    for c, col in sorted(heads.items()):
        f = col.field
        if f is None:
            continue
        cell = ws.cell(row=r, column=c)
        refs.setdefault(f.id, cell.coordinate)
        raw = reader.raw(sheet, cell)
        if raw is None:
            if cell.data_type == "f":
                anything = True
            continue
        anything = True
        if f.type == "link":
            links.setdefault(f.id, {})[col.link] = str(raw).strip()
            continue
        got = reader.convert(sheet, cell.coordinate, f, raw, col)
        if got is None:
            values.setdefault(f.id, _INVALID)
            continue
        if col.option:
            chosen = values.get(f.id)
            if not isinstance(chosen, list):
                chosen = []
            if got == "Yes":
                chosen.append(col.option)
            values[f.id] = chosen
        else:
            values[f.id] = got
    for fid, by_num in links.items():
        values[fid] = [by_num[k] for k in sorted(by_num)]
    return values, refs, anything


_INVALID = object()  # a value that was reported as invalid (not "missing" too)


def _check_required(
    reader: _Reader,
    sheet: str,
    fields: tuple[Field, ...],
    values: dict[str, Any],
    refs: dict[str, str],
) -> None:
    clean = {k: v for k, v in values.items() if v is not _INVALID}
    for f in fields:
        got = values.get(f.id)
        if got is _INVALID:
            continue
        if (got is None or got == []) and f.is_required(clean):
            why = ""
            if not f.required and f.required_when is not None:
                why = f" (because {f.required_when.field} is {clean.get(f.required_when.field)!r})"
            what = "tick at least one option of" if f.multi else "a value is required for"
            reader.problem(sheet, refs.get(f.id, "?"), f"{what} {f.label}{why}")


def _meta(wb: Any) -> tuple[dict[str, str], list[tuple[str, str]]] | None:
    if META not in wb.sheetnames:
        return None
    ws = wb[META]
    info: dict[str, str] = {}
    rows: list[tuple[str, str]] = []
    table = False
    for row in ws.iter_rows(values_only=True):
        a = "" if not row or row[0] is None else str(row[0])
        b = "" if len(row) < 2 or row[1] is None else str(row[1])
        if table:
            if a:
                rows.append((a, b))
        elif a == RECORD_ID:
            table = True
        elif a:
            info[a] = b
    return info, rows


def read_charting(
    path: Path,
    schema: Schema,
    included: set[str] | None = None,
    resolve_id: Callable[[str], str] | None = None,
    reviewer: str | None = None,
    project_id: str | None = None,
    from_other_reviewer: bool = False,
    from_other_project: bool = False,
) -> Charting:
    """Validate and read a charting workbook; raise ValidationError listing every problem.

    ``included``: the record ids that may be charted (None: no check). ``resolve_id`` maps a
    record id to its current cluster id (so a re-run of dedup does not orphan charting).
    ``reviewer``: who is importing; a form made for someone else (``--reviewer`` of
    ``chart template``) is refused, except for the consensus, and so is a form made in
    another project (``project_id``).
    """
    path = Path(path)
    wb, template_rows = _open_form(
        path, schema, reviewer, project_id, from_other_reviewer, from_other_project
    )
    reader = _Reader()
    out = Charting()
    unit_rows = _read_units(reader, wb, schema, out)
    ws = wb[REPORTS]
    heads = _header(reader, ws, REPORTS, columns(schema, "report"), optional=(STUDY,))
    if heads is not None:
        rows = _ReportRows(reader, ws, heads, schema, dict(template_rows), unit_rows)
        for r in range(2, ws.max_row + 1):
            rows.read(r, out, included, resolve_id)
    if reader.problems:
        more = " (showing the first 200)" if len(reader.problems) >= MAX_PROBLEMS else ""
        raise ValidationError(
            f"{path.name}: {len(reader.problems)} problem(s){more}; nothing was imported. "
            "Fix them and import again:",
            reader.problems,
        )
    # multiple choice in schema order
    for rows_of, fields in (
        (out.reports, schema.report_fields),
        (out.units, schema.unit_fields),
    ):
        for row in rows_of.values():
            for f in fields:
                if f.multi and isinstance(row.get(f.id), list):
                    order = f.choices
                    row[f.id] = sorted(row[f.id], key=order.index)
    return out


def _open_form(
    path: Path,
    schema: Schema,
    reviewer: str | None,
    project_id: str | None = None,
    from_other_reviewer: bool = False,
    from_other_project: bool = False,
) -> tuple[Any, list[tuple[str, str]]]:
    """The workbook and its template's (record id, citation) rows; InputError when it is not a
    charting form made by `chart template` (for this reviewer, in this project, unless
    ``from_other_reviewer`` / ``from_other_project``)."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        # a CSV (any encoding) keeps no Meta sheet, no second sheet and no cell references
        raise InputError(
            (
                "a charting form is the Excel workbook (.xlsx) ",
                step(Action.CHART_TEMPLATE),
                " wrote; a CSV or text export of it cannot be checked. Import the .xlsx itself.",
            ),
            file=str(path),
        )
    try:
        wb = load_workbook(path, data_only=False)
    except (OSError, BadZipFile, KeyError, ValueError, InvalidFileException) as exc:
        raise InputError(f"cannot open as an Excel workbook ({exc}).", file=str(path)) from None
    for name in (REPORTS, unit_sheet(schema)):
        if name and name not in wb.sheetnames:
            raise InputError(
                (
                    f"no {name!r} sheet: not a charting workbook. Make one with ",
                    step(Action.CHART_TEMPLATE),
                    ".",
                ),
                file=str(path),
            )
    meta = _meta(wb)
    if meta is None or meta[0].get("format") != TEMPLATE_FORMAT:
        raise InputError(
            (
                "the hidden Meta sheet is missing or changed: not a workbook made by ",
                step(Action.CHART_TEMPLATE),
                ". Copy your charting into a new template.",
            ),
            file=str(path),
        )
    info, template_rows = meta
    made_in = info.get("project_id", "").strip()
    if project_id and made_in and made_in != project_id and not from_other_project:
        raise InputError(
            f"this form was made in another project (project id {made_in}; this project is "
            f"{project_id}). Import it into the project it came from, or pass "
            "--from-other-project if you really mean to bring it here.",
            file=str(path),
        )
    made_for = info.get("reviewer", "").strip()
    if reviewer and made_for and reviewer != "consensus" and not from_other_reviewer:
        if clean_name(made_for) != clean_name(reviewer):
            raise InputError(
                (
                    f"this form was made for {made_for!r} (",
                    step(Action.CHART_TEMPLATE, quoted=False, reviewer=made_for),
                    f"); import it with --reviewer {made_for}, as the agreed charting "
                    f"with --consensus, or pass --from-other-reviewer if {reviewer!r} really "
                    "filled it.",
                ),
                file=str(path),
            )
    return wb, template_rows


def _read_units(reader: _Reader, wb: Any, schema: Schema, out: Charting) -> dict[str, str]:
    """The further level's sheet into ``out.units``; returns unit id -> its first cell (empty
    when the schema charts reports only)."""
    unit = schema.unit
    unit_rows: dict[str, str] = {}  # unit id -> first cell
    if unit is None:
        return unit_rows
    sheet = unit_sheet(schema)
    pws = wb[sheet]
    pheads = _header(reader, pws, sheet, columns(schema, unit.name))
    if pheads is None:
        return unit_rows
    id_col = next(c for c, col in pheads.items() if col.header == unit.id_header)
    for r in range(2, pws.max_row + 1):
        values, refs, anything = _row_values(reader, pws, sheet, r, pheads)
        id_cell = pws.cell(row=r, column=id_col)
        pid = reader.raw(sheet, id_cell)
        if pid is None:
            if anything:
                reader.problem(
                    sheet,
                    id_cell.coordinate,
                    f"{unit.id_header} missing; give every {unit.singular} a short unique ID",
                )
            continue
        pid = str(pid).strip()
        if pid in unit_rows:
            reader.problem(
                sheet,
                id_cell.coordinate,
                f"{unit.id_header} {pid!r} also used in {unit_rows[pid]}; IDs must be unique",
            )
            continue
        unit_rows[pid] = id_cell.coordinate
        _check_required(reader, sheet, schema.unit_fields, values, refs)
        out.units[pid] = {k: v for k, v in values.items() if v is not _INVALID and v != []}
    return unit_rows


class _ReportRows:
    """Reads the Reports sheet row by row, checking each row against the template it came from."""

    def __init__(
        self,
        reader: _Reader,
        ws: Any,
        heads: Any,
        schema: Schema,
        meta_cite: dict[str, str],
        unit_rows: dict[str, str],
    ) -> None:
        self.reader, self.ws, self.heads, self.schema = reader, ws, heads, schema
        col_of = {col.header: c for c, col in heads.items()}
        self.rid_col, self.cite_col = col_of.get(RECORD_ID), col_of.get(CITATION)
        self.meta_cite = meta_cite
        self.unit_rows = unit_rows
        self.seen_at: dict[str, str] = {}

    def read(
        self,
        r: int,
        out: Charting,
        included: set[str] | None,
        resolve_id: Callable[[str], str] | None,
    ) -> None:
        reader, ws, cite_col = self.reader, self.ws, self.cite_col
        rid_cell = ws.cell(row=r, column=self.rid_col or 1)
        rid = reader.raw(REPORTS, rid_cell)
        cite = reader.raw(REPORTS, ws.cell(row=r, column=cite_col)) if cite_col else None
        values, refs, anything = _row_values(reader, ws, REPORTS, r, self.heads)
        want_id = self._template_id(rid, cite, anything, rid_cell)
        if want_id is None:
            return
        want_cite = self.meta_cite[want_id]
        if cite_col and str(cite or "") != want_cite:
            reader.problem(
                REPORTS,
                ws.cell(row=r, column=cite_col).coordinate,
                f"Citation of {want_id} was edited; the Record ID and Citation columns are "
                "locked: undo the edit",
            )
        record_id = resolve_id(want_id) if resolve_id else want_id
        if included is not None and record_id not in included:
            if anything:
                reader.problem(
                    REPORTS,
                    rid_cell.coordinate,
                    f"record {want_id} is not an included report (its final full-text "
                    "decision is not include); clear the row or make a new template",
                )
            return
        if not anything:
            return  # not charted yet
        self._store(out, record_id, want_cite, values, refs)

    def _template_id(self, rid: Any, cite: Any, anything: bool, rid_cell: Any) -> str | None:
        """The row's record id when it is one of the form's reports, seen once; else None."""
        if rid is None:
            if anything or cite is not None:
                self.reader.problem(
                    REPORTS,
                    rid_cell.coordinate,
                    (
                        "Record ID missing; charting rows come from ",
                        step(Action.CHART_TEMPLATE),
                        " (one per included report): do not add or clear rows",
                    ),
                )
            return None
        want_id = str(rid)
        if want_id not in self.meta_cite:
            self.reader.problem(
                REPORTS,
                rid_cell.coordinate,
                f"Record ID {want_id!r} is not one of this form's reports; the Record ID "
                "and Citation columns are locked: undo the edit",
            )
            return None
        if want_id in self.seen_at:
            self.reader.problem(
                REPORTS,
                rid_cell.coordinate,
                f"Record ID {want_id!r} appears twice (also {self.seen_at[want_id]}); "
                "chart each report in one row",
            )
            return None
        self.seen_at[want_id] = rid_cell.coordinate
        return want_id

    def _store(
        self, out: Charting, record_id: str, cite: str, values: dict[str, Any], refs: Any
    ) -> None:
        reader, link, unit = self.reader, self.schema.link_field, self.schema.unit
        _check_required(reader, REPORTS, self.schema.report_fields, values, refs)
        if link is not None and unit is not None:
            for pid in values.get(link.id) or []:
                if pid not in self.unit_rows:
                    reader.problem(
                        REPORTS,
                        refs.get(link.id, "?"),
                        f"unknown {unit.singular} {pid!r}"
                        f"{_did_you_mean(pid, list(self.unit_rows))}; add it to the "
                        f"{unit.titles} sheet first",
                    )
        clean = {k: v for k, v in values.items() if v is not _INVALID and v != []}
        out.reports[record_id] = clean
        out.citations[record_id] = cite
        if link is not None:
            out.report_units[record_id] = list(clean.get(link.id, []))


__all__ = ["YES_NO", "read_charting", "suggest"]
