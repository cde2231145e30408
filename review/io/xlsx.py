"""Spreadsheet safety: text that looks like a formula is written as text, never run.

Excel, LibreOffice and Google Sheets execute a cell that begins with ``= + - @`` (and, in CSV, a
leading tab or CR) — the "CSV injection" problem. In XLSX we store such values as typed strings;
in CSV we prefix a single quote, which spreadsheet programs show as text, and our own CSV reader
strips it again so exports round-trip.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from review.io.printable import cell_text

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

# Control characters that the XLSX format cannot hold (openpyxl raises on them).
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_safe(value: object) -> object:
    """Value for a CSV cell: a leading ``'`` before text that a spreadsheet would evaluate;
    control, C1 and bidi-override characters shown as escapes (review/io/printable.py)."""
    if isinstance(value, str):
        value = cell_text(value)
        if looks_like_formula(value):
            return "'" + value
    return value


def csv_text(rows: Iterable[Iterable[object]], lineterminator: str = "\r\n") -> str:
    """The text of a CSV file the tool writes — every CSV goes through here.

    UTF-8 with a BOM first (Excel then reads accents right; Python's ``utf-8-sig``, pandas and
    R in a UTF-8 locale drop it), and every cell, header included, through :func:`csv_safe`.
    """
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=lineterminator)
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    return "\ufeff" + buf.getvalue()


def csv_unsafe(value: str) -> str:
    """Undo :func:`csv_safe` when reading our own CSV back."""
    if len(value) >= 2 and value[0] == "'" and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def set_cell(cell: Any, value: object) -> None:
    """Assign ``value`` to an openpyxl cell; strings are always stored as text, never formulas."""
    if isinstance(value, str):
        cell.value = _ILLEGAL.sub("", value)
        cell.data_type = "s"  # openpyxl would otherwise mark "=…" as a formula
    else:
        cell.value = value


def row_values(ws: Any, values: Iterable[object]) -> list[Any]:
    """A row for ``ws.append`` (write-only sheets too) with the same escaping as
    :func:`set_cell`: None for blanks, a typed text cell where a plain string would become a
    formula or holds characters XLSX cannot store, other values as they are."""
    out: list[Any] = []
    for v in values:
        if v is None or v == "":
            out.append(None)
        elif isinstance(v, str) and (v.startswith(FORMULA_START) or _ILLEGAL.search(v)):
            from openpyxl.cell import WriteOnlyCell

            c = WriteOnlyCell(ws)
            set_cell(c, v)
            out.append(c)
        else:
            out.append(v)
    return out


def first_sheet(wb: Workbook) -> Worksheet:
    """The sheet a new ``Workbook()`` comes with (openpyxl types ``active`` as optional)."""
    from openpyxl.worksheet.worksheet import Worksheet

    ws = wb.active
    if not isinstance(ws, Worksheet):  # pragma: no cover - a new Workbook always has one
        raise TypeError(f"expected a worksheet, got {ws!r}")
    return ws
