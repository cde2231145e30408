"""The charting workbook: Reports, the further level's sheet, Codebook, hidden Lists/Meta.

Layout (one column per field; a multiple-choice field becomes one Yes/No column per option with
the header ``Field: Option``; a link field becomes ``max_links`` columns)::

    Reports     Record ID | Citation | <report fields…>      one row per included report;
                [| Study]                                   Record ID, Citation and the header
                                                            row locked (sheet protection, no
                                                            password); Study (locked, last):
                                                            only when dedup linked included
                                                            reports as reports of one study
    <Plural>    <Singular> ID | <fields of that level…>     only when the schema declares a
                                                            further level (``levels:``): one
                                                            row per unit (reviewer adds); the
                                                            sheet is named by the level's words
    Codebook    every field: definition, type, required, allowed values with definitions
    Lists       (hidden) drop-down lists
    Meta        (hidden) the template's record ids and citations, to detect edits on import

:func:`columns` is shared with the importer, so the two always agree on the layout.

Long module: the layout, the drop-downs, the codebook and :func:`fill_template` (which writes a
filled form through the same layout) must agree cell for cell, so they stay together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from review import __version__
from review.chart.schema import YES_NO, Field, Schema
from review.errors import InputError
from review.io.files import atomic_write_bytes
from review.io.xlsx import first_sheet, set_cell

TEMPLATE_FORMAT = "review-chart-template/1"
REPORTS = "Reports"
CODEBOOK = "Codebook"
LISTS = "Lists"
META = "Meta"
RECORD_ID = "Record ID"
CITATION = "Citation"
STUDY = "Study"  # the last Reports column when dedup links reports of one study (related.csv)
UNIT_ROWS = 300  # rows with drop-downs prepared on the further level's sheet

ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Column:
    """One workbook column: a whole field, one option of a multiple-choice field, or one link."""

    header: str
    field: Field | None  # None for Record ID / Citation / the unit ID
    option: str = ""  # multiple choice: the option this Yes/No column stands for
    link: int = 0  # link field: 1-based link number


def unit_sheet(schema: Schema) -> str:
    """The further level's sheet name ("Sites", "Studies"); "" when reports only."""
    return schema.unit.titles if schema.unit else ""


def columns(schema: Schema, level: str) -> list[Column]:
    """The columns of the Reports (``report``) or the further level's sheet, in order."""
    if level == "report":
        cols = [Column(RECORD_ID, None), Column(CITATION, None)]
    else:
        cols = [Column(schema.level(level).id_header, None)]
    for f in schema.at(level):
        if f.multi:
            cols += [Column(f"{f.label}: {c.value}", f, option=c.value) for c in f.values]
        elif f.type == "link":
            if f.max_links == 1:
                cols.append(Column(f.label, f, link=1))
            else:
                cols += [Column(f"{f.label} {i}", f, link=i) for i in range(1, f.max_links + 1)]
        else:
            cols.append(Column(f.label, f))
    return cols


def _width(col: Column) -> float:
    if col.field is None:
        return {RECORD_ID: 14, CITATION: 48}.get(col.header, 22)
    t = col.field.type
    if col.option:
        return 16
    if t == "long_text":
        return 45
    if t == "text":
        return 30
    if t in ("integer", "number", "date", "yes_no"):
        return 13
    if t == "link":
        return 22
    longest = max((len(v) for v in col.field.choices[:50]), default=12)
    return float(min(max(16, longest + 2), 40))


def _col_letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i)


def _list_ranges(schema: Schema, ws: Any) -> dict[str, str]:
    """Write the drop-down lists into the hidden Lists sheet; return list name -> range."""
    lists: dict[str, tuple[str, ...]] = {"yes_no": YES_NO}
    for f in schema.fields:
        if f.type in ("single_choice", "country"):
            lists[f.id] = f.choices
    ranges: dict[str, str] = {}
    for i, (name, values) in enumerate(lists.items(), start=1):
        letter = _col_letter(i)
        set_cell(ws.cell(row=1, column=i), name)
        for j, v in enumerate(values, start=2):
            set_cell(ws.cell(row=j, column=i), v)
        ranges[name] = f"{LISTS}!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def _validation_for(
    col: Column, ranges: dict[str, str], schema: Schema
) -> tuple[str, dict[str, Any]] | None:
    """(key, DataValidation kwargs) for a column, or None. Same key = one shared validation."""
    f = col.field
    if f is None:
        return None
    if col.option or f.type == "yes_no":
        return "yes_no", {
            "type": "list",
            "formula1": ranges["yes_no"],
            "error": "Choose Yes or No (or leave blank).",
        }
    if f.type in ("single_choice", "country"):
        return f.id, {
            "type": "list",
            "formula1": ranges[f.id],
            "error": f"Choose a value from the list (see the Codebook for {f.label}).",
        }
    if f.type == "link" and schema.unit is not None:
        unit = schema.unit
        return "link", {
            "type": "list",
            "formula1": f"{_quote_sheet(unit.titles)}!$A$2:$A${UNIT_ROWS + 1}",
            "error": f"Choose a {unit.id_header} from the {unit.titles} sheet (add the "
            f"{unit.singular} there first).",
        }
    if f.type == "integer":
        return "integer", {
            "type": "whole",
            "operator": "greaterThanOrEqual",
            "formula1": "0",
            "error": "Type a whole number (0 or more).",
        }
    if f.type == "number":
        return "number", {"type": "decimal", "error": "Type a number."}
    if f.type == "date":
        return "date", {
            "type": "date",
            "operator": "greaterThan",
            "formula1": "1",
            "error": "Type a date (YYYY-MM-DD).",
        }
    return None


def _quote_sheet(name: str) -> str:
    """A sheet name as a formula reference ('Study sites'!A1 when it has spaces)."""
    if name.replace("_", "").isalnum():
        return name
    return "'" + name.replace("'", "''") + "'"


def _sheet(
    wb: Any,
    schema: Schema,
    title: str,
    cols: list[Column],
    n_rows: int,
    ranges: dict[str, str],
    freeze: str,
) -> Any:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = wb.create_sheet(title)
    head_font = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    locked_fill = PatternFill("solid", fgColor="F2F2F2")
    wrap = Alignment(wrap_text=True, vertical="top")
    validations: dict[str, Any] = {}
    last = n_rows + 1
    for i, col in enumerate(cols, start=1):
        cell = ws.cell(row=1, column=i)
        set_cell(cell, col.header)
        cell.font = head_font
        cell.fill = locked_fill if col.field is None else head_fill
        cell.alignment = wrap
        if col.field is not None and col.field.help:
            req = " Required." if col.field.required else ""
            cell.comment = Comment(f"{col.field.help}{req} ({col.field.id})", "review")
        letter = _col_letter(i)
        ws.column_dimensions[letter].width = _width(col)
        spec = _validation_for(col, ranges, schema)
        if spec is not None and n_rows > 0:
            key, kwargs = spec
            dv = validations.get(key)
            if dv is None:
                dv = DataValidation(
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle="Not allowed",
                    **kwargs,
                )
                validations[key] = dv
                ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{last}")
    ws.row_dimensions[1].height = 60
    ws.freeze_panes = freeze
    return ws


def build_template(
    schema: Schema,
    reports: Iterable[tuple[str, str]],
    reviewer: str = "",
    progress: ProgressFn | None = None,
    project_id: str = "",
    studies: Mapping[str, str] | None = None,
) -> Any:
    """The charting workbook (an openpyxl Workbook) for ``reports`` = (record_id, citation);
    ``studies`` (record id -> study id, from dedup's related reports) adds a locked Study column
    after the fields, so the reports of one study can be charted together."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, PatternFill, Protection

    reports = list(reports)
    wb = Workbook()
    wb.remove(first_sheet(wb))
    lists_ws = wb.create_sheet(LISTS)  # created first so ranges exist; moved to the end below
    ranges = _list_ranges(schema, lists_ws)

    rcols = columns(schema, "report")
    ws = _sheet(wb, schema, REPORTS, rcols, len(reports), ranges, freeze="C2")
    locked_fill = PatternFill("solid", fgColor="F2F2F2")
    unlocked = Protection(locked=False)
    wrap = Alignment(wrap_text=True, vertical="top")
    long_cols = {
        i
        for i, c in enumerate(rcols, start=1)
        if c.field is not None and c.field.type == "long_text"
    }
    for r, (rid, citation) in enumerate(reports, start=2):
        set_cell(ws.cell(row=r, column=1), rid)
        cite = ws.cell(row=r, column=2)
        set_cell(cite, citation)
        ws.cell(row=r, column=1).fill = locked_fill
        cite.fill = locked_fill
        cite.alignment = wrap
        for c in range(3, len(rcols) + 1):
            cell = ws.cell(row=r, column=c)
            cell.protection = unlocked
            if c in long_cols:
                cell.alignment = wrap
        if progress:
            progress(r - 1, len(reports))
    if studies:
        _study_column(ws, len(rcols) + 1, [studies.get(rid, rid) for rid, _ in reports])
    _protect(ws)

    if schema.unit is not None:
        pcols = columns(schema, schema.unit.name)
        pws = _sheet(wb, schema, unit_sheet(schema), pcols, UNIT_ROWS, ranges, freeze="B2")
        for i, col in enumerate(pcols, start=1):
            if col.field is not None and col.field.type == "long_text":
                for r in range(2, UNIT_ROWS + 2):
                    pws.cell(row=r, column=i).alignment = wrap

    _codebook(wb, schema)

    meta = _meta_sheet(wb, schema, reviewer, reports, project_id)
    lists_ws.sheet_state = "hidden"
    meta.sheet_state = "hidden"
    wb.move_sheet(LISTS, offset=len(wb.sheetnames))
    wb.move_sheet(META, offset=len(wb.sheetnames))
    wb.active = 0
    return wb


def _study_column(ws: Any, column: int, values: list[str]) -> None:
    """The locked Study column: the study each report belongs to (its first report's id)."""
    from openpyxl.styles import Font, PatternFill

    head = ws.cell(row=1, column=column)
    set_cell(head, STUDY)
    head.font = Font(bold=True)
    fill = PatternFill("solid", fgColor="F2F2F2")
    for r, value in enumerate(values, start=2):
        set_cell(ws.cell(row=r, column=column), value)
        ws.cell(row=r, column=column).fill = fill
    ws.column_dimensions[_col_letter(column)].width = 14


def _protect(ws: Any) -> None:
    """Lock the sheet (no password: Review > Unprotect sheet works) but leave every format,
    sort and filter free; the unlocked cells are the ones to fill in."""
    prot = ws.protection
    prot.sheet = True
    prot.formatColumns = False
    prot.formatRows = False
    prot.formatCells = False
    prot.autoFilter = False
    prot.sort = False
    prot.selectLockedCells = False
    prot.selectUnlockedCells = False


def _meta_sheet(
    wb: Any, schema: Schema, reviewer: str, reports: list[tuple[str, str]], project_id: str = ""
) -> Any:
    """The hidden sheet that identifies the workbook: format, reviewer, schema hash, reports
    (and the project id, when known)."""
    from openpyxl.styles import Font

    meta = wb.create_sheet(META)
    for r, (k, v) in enumerate(
        (
            ("format", TEMPLATE_FORMAT),
            ("reviewer", reviewer),
            ("schema_sha256", schema.sha256),
            ("tool_version", __version__),
            ("reports", str(len(reports))),
            *((("project_id", project_id),) if project_id else ()),
        ),
        start=1,
    ):
        set_cell(meta.cell(row=r, column=1), k)
        set_cell(meta.cell(row=r, column=2), v)
    set_cell(meta.cell(row=7, column=1), RECORD_ID)
    set_cell(meta.cell(row=7, column=2), CITATION)
    meta.cell(row=7, column=1).font = Font(bold=True)
    for r, (rid, citation) in enumerate(reports, start=8):
        set_cell(meta.cell(row=r, column=1), rid)
        set_cell(meta.cell(row=r, column=2), citation)
    return meta


def _codebook(wb: Any, schema: Schema) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    ws = wb.create_sheet(CODEBOOK)
    headers = [
        "Field ID",
        "Label",
        "Sheet",
        "Type",
        "Required",
        "Group",
        "Definition / what to record",
        "Allowed value",
        "Value definition",
    ]
    widths = [24, 30, 12, 16, 22, 24, 60, 40, 60]
    for i, (h, w) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = ws.cell(row=1, column=i)
        set_cell(cell, h)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        ws.column_dimensions[_col_letter(i)].width = w
    wrap = Alignment(wrap_text=True, vertical="top")
    r = 2
    for f in schema.fields:
        required = "yes" if f.required else ""
        if f.required_when is not None:
            required = f"when {f.required_when.field} is {' or '.join(f.required_when.values)}"
        sheet = REPORTS if f.level == "report" else unit_sheet(schema)
        ftype = f.type.replace("_", " ")
        if f.multi:
            ftype += " (one Yes/No column per value)"
        if f.type == "link" and schema.unit is not None:
            ftype = f"{schema.unit.singular} link (up to {f.max_links}; a {schema.unit.id_header})"
        if f.type == "country":
            ftype += " (drop-down list)"
        row = [f.id, f.label, sheet, ftype, required, f.group, f.help, "", ""]
        for i, v in enumerate(row, start=1):
            cell = ws.cell(row=r, column=i)
            set_cell(cell, v)
            cell.alignment = wrap
        ws.cell(row=r, column=2).font = Font(bold=True)
        r += 1
        options = [(c.value, c.definition) for c in f.values]
        if f.type == "yes_no":
            options = [(v, "") for v in YES_NO]
        for value, definition in options:
            set_cell(ws.cell(row=r, column=1), f.id)
            set_cell(ws.cell(row=r, column=8), value)
            set_cell(ws.cell(row=r, column=9), definition)
            ws.cell(row=r, column=9).alignment = wrap
            r += 1
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:I{r - 1}"


def save_workbook(wb: Any, path: Path) -> None:
    """Save atomically (a failed save never leaves half a file)."""
    from io import BytesIO

    buf = BytesIO()
    wb.save(buf)
    atomic_write_bytes(Path(path), buf.getvalue())


def _cell_value(f: Field, value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return value


def fill_template(
    template_path: Path,
    values_by_record_id: Mapping[str, Mapping[str, Any]],
    units: Mapping[str, Mapping[str, Any]],
    out_path: Path,
    schema: Schema | None = None,
) -> Path:
    """Write a filled charting workbook from plain data (used by the example generator).

    ``values_by_record_id[record_id][field_id]`` and ``units[unit_id][field_id]`` (the further
    level's rows) hold values in the schema's vocabulary (lists for multiple choice and links).
    Record ids must be rows of the template; unknown field ids raise KeyError. ``schema`` defaults to the
    fields described on the template's Codebook sheet. Returns ``out_path``.
    """
    from openpyxl import load_workbook

    wb = load_workbook(template_path)
    if REPORTS not in wb.sheetnames:
        raise InputError(f"not a charting template (no {REPORTS} sheet).", file=str(template_path))
    ws = wb[REPORTS]
    unit_ws = _unit_sheet_of(wb)
    if units and unit_ws is None:
        raise InputError("the template has no sheet for units.", file=str(template_path))

    def header_map(sheet: Any) -> dict[str, int]:
        return {
            str(c.value): c.column for c in sheet[1] if c.value is not None and str(c.value).strip()
        }

    def write_row(sheet: Any, heads: dict[str, int], r: int, f: Field, value: Any) -> None:
        if value is None or value == "" or value == []:
            return
        if f.multi:
            chosen = value if isinstance(value, list) else [value]
            for opt in chosen:
                col = heads.get(f"{f.label}: {opt}")
                if col is None:
                    raise KeyError(f"{f.id}: {opt!r} is not an option")
                set_cell(sheet.cell(row=r, column=col), "Yes")
        elif f.type == "link":
            links = value if isinstance(value, list) else [value]
            if len(links) > f.max_links:
                raise KeyError(f"{f.id}: more than {f.max_links} links")
            for i, pid in enumerate(links, start=1):
                header = f.label if f.max_links == 1 else f"{f.label} {i}"
                set_cell(sheet.cell(row=r, column=heads[header]), str(pid))
        else:
            set_cell(sheet.cell(row=r, column=heads[f.label]), _cell_value(f, value))

    schema_fields = {f.id: f for f in schema.fields} if schema else _fields_from_headers(wb)
    heads = header_map(ws)
    rows = {
        str(ws.cell(row=r, column=1).value): r
        for r in range(2, ws.max_row + 1)
        if ws.cell(row=r, column=1).value
    }
    for rid, values in values_by_record_id.items():
        if rid not in rows:
            raise KeyError(f"record {rid} is not a row of the template")
        for fid, value in values.items():
            write_row(ws, heads, rows[rid], schema_fields[fid], value)
    if unit_ws is not None:
        pheads = header_map(unit_ws)
        for r, (pid, values) in enumerate(units.items(), start=2):
            set_cell(unit_ws.cell(row=r, column=1), str(pid))
            for fid, value in values.items():
                write_row(unit_ws, pheads, r, schema_fields[fid], value)
    save_workbook(wb, out_path)
    return Path(out_path)


def _unit_sheet_of(wb: Any) -> Any:
    """The further level's sheet of a form: the one whose first column is "<Singular> ID"."""
    for name in wb.sheetnames:
        if name in (REPORTS, CODEBOOK, LISTS, META):
            continue
        if str(wb[name].cell(row=1, column=1).value or "").endswith(" ID"):
            return wb[name]
    return None


def _fields_from_headers(wb: Any) -> dict[str, Field]:
    """The schema fields, read back from the workbook's Codebook (no project needed)."""
    from review.chart.schema import Choice

    ws = wb[CODEBOOK]
    out: dict[str, Field] = {}
    values: dict[str, list[Choice]] = {}
    for row in ws.iter_rows(min_row=2, values_only=True):
        fid, label, sheet, ftype = (str(v) if v is not None else "" for v in row[:4])
        if label:
            level = "report" if sheet == REPORTS else "unit"  # the level's name is not needed
            base = ftype.split(" (")[0].replace(" ", "_")
            max_links = 1
            if "up to " in ftype:
                base = "link"
                max_links = int(ftype.split("up to ")[1].split(";")[0])
            out[fid] = Field(id=fid, label=label, level=level, type=base, max_links=max_links)
        elif fid and row[7] is not None:
            values.setdefault(fid, []).append(Choice(str(row[7])))
    for fid, vals in values.items():
        f = out[fid]
        out[fid] = Field(
            id=f.id,
            label=f.label,
            level=f.level,
            type=f.type,
            values=tuple(vals),
            max_links=f.max_links,
        )
    return out
