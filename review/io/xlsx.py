"""Spreadsheet safety: text that looks like a formula is written as text, never run.

Excel, LibreOffice and Google Sheets execute a cell that begins with ``= + - @`` (and, in CSV, a
leading tab or CR) — the "CSV injection" problem. In XLSX we store such values as typed strings;
in CSV we prefix a single quote, which spreadsheet programs show as text, and our own CSV reader
strips it again so exports round-trip.
"""

from __future__ import annotations

import re
from typing import Any

# Control characters that the XLSX format cannot hold (openpyxl raises on them).
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_safe(value: object) -> object:
    """Value for a CSV cell: a leading ``'`` before text that a spreadsheet would evaluate."""
    if looks_like_formula(value):
        return "'" + str(value)
    return value


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
