"""review/io/xlsxrows.py: data rows written as text are the XML openpyxl writes for them."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook, load_workbook

from review.io.xlsx import row_values
from review.io.xlsxrows import save_with_rows

ROWS = [
    ["c1", "include", "", None, "Plain title", "Smith J; Doe A", 2020, "J", "x" * 40_000, ""],
    ["c2", "=1+1", "+x", "-y", "@z", "a & b < c > d", None, "\tTab", " lead", "trail "],
    ["c3", "ctrl\x01char\x1f", "é ü 漢字 \U0001f600", "\"quoted\" 'single'", "  ", "x\ny\r\nz"],
    ["c4", 1.5, 0, -3, "1e5", "TRUE", "#REF? no", "", "", "last"],
]


def _old(rows):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Screening")
    ws.append(row_values(ws, ["record_id", "decision"]))
    for row in rows:
        ws.append(row_values(ws, row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _new(rows):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Screening")
    ws.append(row_values(ws, ["record_id", "decision"]))
    return save_with_rows(wb, ws, iter(rows), first_row=2)


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def test_rows_are_the_xml_openpyxl_writes():
    old, new = _members(_old(ROWS)), _members(_new(ROWS))
    assert list(old) == list(new)
    for name in old:
        if name != "docProps/core.xml":  # holds the time of saving
            assert old[name] == new[name], name


def test_rows_read_back_as_text_never_formulas():
    wb = load_workbook(io.BytesIO(_new(ROWS)), read_only=True)
    got = list(wb["Screening"].iter_rows(values_only=True))
    assert got[2][1] == "=1+1" and got[2][5] == "a & b < c > d"
    assert got[1][8] == "x" * 32767  # cut at Excel's limit, as openpyxl does
    assert got[3][1] == "ctrlchar"  # characters XLSX cannot hold are dropped
    assert got[1][6] == 2020 and got[4][1] == 1.5


def test_error_code_text_stays_text():
    """A title that reads like an Excel error code ("#N/A") is text, not an error cell (openpyxl
    would type a plain "#N/A" as an error)."""
    sheet = _members(_new([["c1", "#N/A", "#DIV/0!"]]))["xl/worksheets/sheet1.xml"]
    assert b'<c r="B2" t="inlineStr"><is><t>#N/A</t></is></c>' in sheet
    assert b't="e"' not in sheet
