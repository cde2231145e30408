"""Reading a table a person filled in: the first sheet of a .xlsx, or a .csv/.tsv.

Used by the spreadsheet round trips of screening (``screen import``) and resolution
(``resolve --import``): both read rows of ``record_id, decision, reason, …``.
"""

from __future__ import annotations

import csv
from collections.abc import Generator, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

from review.errors import InputError


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# Our own CSVs (clusters.csv, queues) and sheets hold fields as long as a record's title or
# note: Python's csv module refuses fields over 131,072 characters unless told otherwise.
MAX_FIELD = 1 << 30


def long_fields() -> None:
    """Allow CSV fields up to :data:`MAX_FIELD` characters: call before any ``csv`` reader."""
    csv.field_size_limit(MAX_FIELD)


def read_table(
    path: Path, required: tuple[str, ...], aliases: dict[str, str] | None = None
) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a .csv or .xlsx (first sheet) as ``(row number, {lower-case column: text})``.

    The header is read and checked at once (InputError); the rows are read lazily, so a sheet
    of millions of rows is never held in memory. ``aliases`` maps another header to a wanted
    column (``{"resolution": "decision"}``), used when the wanted column itself is absent: the
    tool's own sheets come back as they are.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("not found.", file=str(path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        header, body = _xlsx_rows(path)
    elif suffix in (".csv", ".tsv", ".txt"):
        header, body = _csv_rows(path, suffix)
    else:
        raise InputError("use a .xlsx or .csv file.", file=str(path))
    renames = {a: w for a, w in (aliases or {}).items() if a in header and w not in header}
    if renames:
        header = [renames.get(h, h) for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        body.close()
        raise InputError(
            f"missing column(s) {', '.join(missing)} in the header row (found: "
            f"{', '.join(h for h in header if h) or 'nothing'}).",
            file=str(path),
        )
    return _cells(header, body, unescape=suffix not in (".xlsx", ".xlsm"))


def _cells(
    header: list[str], body: Generator[tuple[int, tuple[Any, ...]]], unescape: bool
) -> Iterator[tuple[int, dict[str, str]]]:
    from review.io.xlsx import csv_unsafe

    undo = csv_unsafe if unescape else str  # a CSV cell's formula guard ('=…) is ours to undo
    with closing(body):
        for rowno, values in body:
            yield rowno, {h: undo(_cell_text(v)) for h, v in zip(header, values, strict=False) if h}


def _xlsx_rows(path: Path) -> tuple[list[str], Generator[tuple[int, tuple[Any, ...]]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise InputError(f"not a readable .xlsx file ({exc}).", file=str(path)) from None

    def body() -> Generator[tuple[int, tuple[Any, ...]]]:
        try:
            yield from enumerate(it, start=2)
        finally:
            wb.close()

    it = wb.worksheets[0].iter_rows(values_only=True)
    header = [_cell_text(v).lower() for v in next(it, ())]
    return header, body()


def _csv_rows(path: Path, suffix: str) -> tuple[list[str], Generator[tuple[int, tuple[Any, ...]]]]:
    long_fields()
    fh = open(path, encoding="utf-8-sig", newline="")  # closed by rows()
    try:
        first = fh.readline()
        fh.seek(0)
    except UnicodeDecodeError:
        fh.close()
        raise InputError(
            "not UTF-8 text; save the sheet as CSV UTF-8.", file=str(path), line=1
        ) from None
    delim = "\t" if suffix == ".tsv" or first.count("\t") > first.count(",") else ","
    if delim == "," and first.count(";") > first.count(","):
        delim = ";"
    # strict: an unclosed quote is an error, not a field that swallows every row after it
    reader = csv.reader(fh, delimiter=delim, strict=True)

    def rows() -> Generator[tuple[int, tuple[Any, ...]]]:
        try:
            for values in reader:
                yield reader.line_num, tuple(values)
        except csv.Error as exc:
            raise InputError(
                f"not a readable CSV ({exc}).", file=str(path), line=reader.line_num
            ) from None
        except UnicodeDecodeError:
            raise InputError(
                "not UTF-8 text; save the sheet as CSV UTF-8.",
                file=str(path),
                line=reader.line_num + 1,
            ) from None
        finally:
            fh.close()

    body = rows()
    header = [str(h).strip().lower() for h in next(body, (0, ()))[1]]
    return header, _renumber(body)


def _renumber(
    body: Generator[tuple[int, tuple[Any, ...]]],
) -> Generator[tuple[int, tuple[Any, ...]]]:
    """Rows numbered as a spreadsheet numbers them (the header is row 1)."""
    with closing(body):
        for rowno, (_line, values) in enumerate(body, start=2):
            yield rowno, values
