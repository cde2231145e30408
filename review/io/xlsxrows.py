"""Fast data rows for a write-only openpyxl sheet: the same XML, written as text.

openpyxl builds an element tree for every cell, which is about 85 % of writing a 100k-record
screening sheet. Here openpyxl still writes the workbook (styles, the header row, frozen panes,
drop-down validations, the hidden sheets); :func:`write_with_rows` then streams the data rows of
one sheet into its ``<sheetData>`` as text, byte for byte what openpyxl's write-only mode writes
for the same values (inline strings, ``t="n"`` numbers, blanks left out, ``xml:space`` on text
with surrounding white space), and re-zips the other parts unchanged. The rows go into the file
as they are made, compressed (at :data:`LEVEL`) in a second thread.

Values follow :func:`review.io.xlsx.set_cell`: every string is text (never a formula or an
error code), with the characters XLSX cannot store removed and cut at Excel's 32,767 characters
as openpyxl does.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, BinaryIO

from review.io.xlsx import _ILLEGAL

MAX_CELL = 32767  # Excel's limit on the characters of one cell (openpyxl truncates to it)
_COLUMNS = [chr(ord("A") + i) for i in range(26)]
_CHUNK = 2000  # rows per write into the zip member
# zlib level of the data rows' sheet (the other parts keep zipfile's default, 6). Measured on
# a million-record screening sheet (docs/screening.md): 6 -> 5 compresses in about half the
# time for a file 9 % larger; lower levels gain little time for much more size.
LEVEL = 5
_AHEAD = 2  # chunks made but not yet compressed, at most (each a few MB)
# the characters _ILLEGAL matches, as UTF-8 bytes (each is one byte, which no other character's
# encoding contains)
_CONTROL = bytes(c for c in range(32) if _ILLEGAL.match(chr(c)))


def _text(value: str, clean: bool = True) -> str:
    if clean and _ILLEGAL.search(value):
        value = _ILLEGAL.sub("", value)
    value = value[:MAX_CELL]
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    return value


def row_xml(rowno: int, values: Sequence[object], clean: bool = True) -> str:
    """The ``<row>`` element of sheet row ``rowno`` (1-based) holding ``values`` from column A
    (at most 26 columns; None and "" are blank cells, bools are not expected). ``clean=False``:
    the caller knows that no string holds a character XLSX cannot store."""
    cells = []
    for col, v in zip(_COLUMNS, values, strict=False):
        if v is None or v == "":
            continue
        if isinstance(v, str):
            text = _text(v, clean)
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
    out = io.BytesIO()
    write_with_rows(wb, ws, rows, first_row, out)
    return out.getvalue()


def write_with_rows(
    wb: Any, ws: Any, rows: Iterable[Sequence[object]], first_row: int, fh: BinaryIO
) -> None:
    """:func:`save_with_rows` written to ``fh`` (a seekable binary file) as the rows come: the
    sheet is never held whole, as text or compressed. The rows' XML is compressed in a second
    thread (zlib and crc32 release the GIL), so compressing one chunk of rows overlaps making
    the next; the bytes are the same as compressing them in turn."""
    plain = io.BytesIO()
    wb.save(plain)
    member = sheet_member(wb, ws)
    with (
        zipfile.ZipFile(plain) as src,
        zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as dst,
    ):
        for info in src.infolist():
            data = src.read(info)
            if info.filename != member:
                dst.writestr(info, data)
                continue
            head, sep, tail = data.partition(b"</sheetData>")
            if not sep:  # pragma: no cover - openpyxl always writes the element
                raise ValueError(f"{member} has no sheetData")
            # the attribute ZipFile itself sets from its compresslevel (3.11 on; not typed)
            info._compresslevel = LEVEL  # type: ignore[attr-defined]
            with dst.open(info, "w", force_zip64=True) as zfh:
                zfh.write(head)
                _write_in_thread(zfh, _chunks(rows, first_row))
                zfh.write(sep + tail)


def _chunks(rows: Iterable[Sequence[object]], first_row: int) -> Iterator[bytes]:
    """The rows' XML as UTF-8, :data:`_CHUNK` rows at a time."""
    chunk: list[tuple[int, Sequence[object]]] = []
    for rowno, values in enumerate(rows, start=first_row):
        chunk.append((rowno, values))
        if len(chunk) >= _CHUNK:
            yield _chunk_xml(chunk)
            chunk = []
    if chunk:
        yield _chunk_xml(chunk)


def _chunk_xml(chunk: list[tuple[int, Sequence[object]]]) -> bytes:
    """The ``<row>`` elements of ``chunk``. Written first without looking for the characters
    XLSX cannot hold (a regular-expression search of every value was about a tenth of the
    time); one pass over the bytes finds whether any value had one (they are control
    characters, single bytes in UTF-8 and never in the markup), and only then is the chunk
    written again with every value cleaned."""
    data = "".join([row_xml(rowno, values, False) for rowno, values in chunk]).encode("utf-8")
    if len(data.translate(None, _CONTROL)) != len(data):
        data = "".join([row_xml(rowno, values) for rowno, values in chunk]).encode("utf-8")
    return data


def _write_in_thread(fh: Any, chunks: Iterator[bytes]) -> None:
    """``fh.write`` every chunk, in order, in one worker thread, at most :data:`_AHEAD` chunks
    behind the caller; the first failed write is raised here."""
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    pending: deque[Any] = deque()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="xlsx-deflate") as pool:
        try:
            for data in chunks:
                pending.append(pool.submit(fh.write, data))
                if len(pending) > _AHEAD:
                    pending.popleft().result()
            while pending:
                pending.popleft().result()
        finally:
            for f in pending:
                f.cancel()
