"""Reading a table a person filled in: the first sheet of a .xlsx, or a .csv/.tsv.

Used by the spreadsheet round trips of screening (``review screen import``) and resolution
(``review resolve --import``): both read rows of ``record_id, decision, reason, …``.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from review.errors import InputError


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(
    path: Path, required: tuple[str, ...], aliases: dict[str, str] | None = None
) -> list[tuple[int, dict[str, str]]]:
    """Rows of a .csv or .xlsx (first sheet) as ``(row number, {lower-case column: text})``.

    ``aliases`` maps another header to a wanted column (``{"resolution": "decision"}``), used
    when the wanted column itself is absent: the tool's own sheets come back as they are.
    """
    from review.io.xlsx import csv_unsafe

    path = Path(path)
    if not path.is_file():
        raise InputError("not found.", file=str(path))
    suffix = path.suffix.lower()
    rows: list[tuple[int, dict[str, str]]] = []
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            raise InputError(f"not a readable .xlsx file ({exc}).", file=str(path)) from None
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        header = [_cell_text(v).lower() for v in next(it, ())]
        for rowno, values in enumerate(it, start=2):
            rows.append(
                (rowno, {h: _cell_text(v) for h, v in zip(header, values, strict=False) if h})
            )
        wb.close()
    elif suffix in (".csv", ".tsv", ".txt"):
        text = path.read_text(encoding="utf-8-sig")
        first = text.split("\n", 1)[0]
        delim = "\t" if suffix == ".tsv" or first.count("\t") > first.count(",") else ","
        if delim == "," and first.count(";") > first.count(","):
            delim = ";"
        reader = csv.reader(text.splitlines(), delimiter=delim)
        header = [h.strip().lower() for h in next(reader, [])]
        for rowno, values in enumerate(reader, start=2):
            cells = {h: csv_unsafe(v.strip()) for h, v in zip(header, values, strict=False) if h}
            rows.append((rowno, cells))
    else:
        raise InputError("use a .xlsx or .csv file.", file=str(path))
    renames = {a: w for a, w in (aliases or {}).items() if a in header and w not in header}
    if renames:
        header = [renames.get(h, h) for h in header]
        rows = [(n, {renames.get(k, k): v for k, v in row.items()}) for n, row in rows]
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)} in the header row (found: "
            f"{', '.join(h for h in header if h) or 'nothing'}).",
            file=str(path),
        )
    return rows
