"""Fast data rows for a write-only openpyxl sheet: the same XML, written as text.

openpyxl builds an element tree for every cell, which is about 85 % of writing a 100k-record
screening sheet. Here openpyxl still writes the workbook (styles, the header row, frozen panes,
drop-down validations, the hidden sheets); :func:`save_with_rows` then streams the data rows of
one sheet into its ``<sheetData>`` as text, byte for byte what openpyxl's write-only mode writes
for the same values (inline strings, ``t="n"`` numbers, blanks left out, ``xml:space`` on text
with surrounding white space), and re-zips the other parts unchanged.

Values follow :func:`review.io.xlsx.set_cell`: every string is text (never a formula or an
error code), with the characters XLSX cannot store removed and cut at Excel's 32,767 characters
as openpyxl does.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

from review.io.xlsx import _ILLEGAL

MAX_CELL = 32767  # Excel's limit on the characters of one cell (openpyxl truncates to it)
_COLUMNS = [chr(ord("A") + i) for i in range(26)]
_CHUNK = 2000  # rows per write into the zip member


def _text(value: str) -> str:
    if _ILLEGAL.search(value):
        value = _ILLEGAL.sub("", value)
    value = value[:MAX_CELL]
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    return value


def row_xml(rowno: int, values: Sequence[object]) -> str:
    """The ``<row>`` element of sheet row ``rowno`` (1-based) holding ``values`` from column A
    (at most 26 columns; None and "" are blank cells, bools are not expected)."""
    cells = []
    for col, v in zip(_COLUMNS, values, strict=False):
        if v is None or v == "":
            continue
        if isinstance(v, str):
            text = _text(v)
            stripped = text.strip()
            space = ' xml:space="preserve"' if stripped and stripped != text else ""
            cells.append(f'<c r="{col}{rowno}" t="inlineStr"><is><t{space}>{text}</t></is></c>')
        elif isinstance(v, int | float) and not isinstance(v, bool):
            num = "" if v != v or v in (float("inf"), float("-inf")) else f"{v:.16g}"
            cells.append(f'<c r="{col}{rowno}" t="n"><v>{num}</v></c>')
        else:
            raise TypeError(f"unexpected cell value {v!r}")
    return f'<row r="{rowno}">{"".join(cells)}</row>'


def sheet_member(wb: Any, ws: Any) -> str:
    """The zip member openpyxl writes ``ws`` to (sheets are numbered in workbook order)."""
    return f"xl/worksheets/sheet{wb.worksheets.index(ws) + 1}.xml"


def save_with_rows(wb: Any, ws: Any, rows: Iterable[Sequence[object]], first_row: int) -> bytes:
    """The bytes of ``wb`` saved by openpyxl with ``rows`` appended to sheet ``ws`` from sheet
    row ``first_row`` on (``ws`` must hold only the rows before it)."""
    plain = io.BytesIO()
    wb.save(plain)
    member = sheet_member(wb, ws)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(plain) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as dst,
    ):
        for info in src.infolist():
            data = src.read(info)
            if info.filename != member:
                dst.writestr(info, data)
                continue
            head, sep, tail = data.partition(b"</sheetData>")
            if not sep:  # pragma: no cover - openpyxl always writes the element
                raise ValueError(f"{member} has no sheetData")
            with dst.open(info, "w", force_zip64=True) as fh:
                fh.write(head)
                chunk: list[str] = []
                for rowno, values in enumerate(rows, start=first_row):
                    chunk.append(row_xml(rowno, values))
                    if len(chunk) >= _CHUNK:
                        fh.write("".join(chunk).encode("utf-8"))
                        chunk = []
                fh.write("".join(chunk).encode("utf-8"))
                fh.write(sep + tail)
    return out.getvalue()
