"""Reading a table a person filled in: the first sheet of a .xlsx, or a .csv/.tsv/.txt.

The one reader of every sheet a person brings back: screening decisions, resolutions and dedup
verdicts. A text file's encoding is found by :func:`review.io.readers.encoding.sniff_file`
(the rules the record importer uses): UTF-8 with or without BOM, UTF-16 with BOM (Excel's
"Unicode text", tab-separated) and Windows-1252 (Excel's "CSV" on Windows, with a note) are
read; anything else is refused with a message naming the file.
"""

from __future__ import annotations

import csv
from collections.abc import Generator, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from review.errors import InputError
from review.io.readers.encoding import sniff_file
from review.io.xlsx import csv_unsafe


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


@dataclass(frozen=True)
class Table:
    """A sheet's checked header and its rows, read lazily (iterate once): ``(row number,
    {lower-case column: text})``, numbered as a spreadsheet numbers them (the header is row 1).
    ``note`` says how a text file's encoding was inferred when it was not certain (else "")."""

    header: tuple[str, ...]
    rows: Iterator[tuple[int, dict[str, str]]]
    note: str = ""

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        return self.rows


def read_table(
    path: Path, required: tuple[str, ...], aliases: dict[str, str] | None = None
) -> Table:
    """A .csv/.tsv/.txt or .xlsx (first sheet) as a :class:`Table`.

    The header is read and checked at once (InputError); the rows are read lazily, so a sheet
    of millions of rows is never held in memory. ``aliases`` maps another header to a wanted
    column (``{"resolution": "decision"}``), used when the wanted column itself is absent: the
    tool's own sheets come back as they are.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("not found.", file=str(path))
    suffix = path.suffix.lower()
    note = ""
    if suffix in (".xlsx", ".xlsm"):
        header, body = _xlsx_rows(path)
    elif suffix in (".csv", ".tsv", ".txt"):
        encoding = sniff_file(path)
        note = encoding.note
        header, body = _csv_rows(path, suffix, encoding.codec)
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
    rows = _cells(header, body, unescape=suffix not in (".xlsx", ".xlsm"))
    return Table(tuple(header), rows, note)


def _cells(
    header: list[str], body: Generator[tuple[int, tuple[Any, ...]]], unescape: bool
) -> Iterator[tuple[int, dict[str, str]]]:
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


def _csv_rows(
    path: Path, suffix: str, codec: str
) -> tuple[list[str], Generator[tuple[int, tuple[Any, ...]]]]:
    long_fields()
    broken = f"not valid {codec} text; save the sheet as CSV UTF-8."
    fh = open(path, encoding=codec, newline="")  # closed by rows()
    try:
        first = fh.readline()
        fh.seek(0)
    except UnicodeDecodeError:
        fh.close()
        raise InputError(broken, file=str(path), line=1) from None
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
            raise InputError(broken, file=str(path), line=reader.line_num + 1) from None
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
