"""review/io/xlsxrows.py: data rows written as text are the XML openpyxl writes for them."""

from __future__ import annotations

import io
import os
import zipfile
import zlib

import pytest
from openpyxl import Workbook, load_workbook

from review.io import xlsxrows
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


def _raw_members(data: bytes) -> dict[str, bytes]:
    """Each member's stored (compressed) bytes."""
    out = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for i in z.infolist():
            h = data[i.header_offset : i.header_offset + 30]
            start = i.header_offset + 30 + int.from_bytes(h[26:28], "little")
            start += int.from_bytes(h[28:30], "little")
            out[i.filename] = data[start : start + i.compress_size]
    return out


def _deflate(data: bytes, level: int) -> bytes:
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def test_data_rows_compressed_at_their_level_the_rest_as_before(monkeypatch):
    """The sheet of data rows is deflated at LEVEL, in chunks made while the previous one is
    compressed in a thread: the same stream as deflating the whole sheet at once. The other
    parts keep zipfile's default level (their bytes are openpyxl's)."""
    monkeypatch.setattr(xlsxrows, "_CHUNK", 3)  # several chunks in flight
    rows = [
        [f"c{i}", "include", "", "", f"title {i}", "a; b", 2000 + i, "", "x" * i] for i in range(50)
    ]
    data = _new(rows)
    plain, raw = _members(data), _raw_members(data)
    for name in plain:
        level = xlsxrows.LEVEL if name == "xl/worksheets/sheet1.xml" else 6
        assert raw[name] == _deflate(plain[name], level), name
    assert xlsxrows.LEVEL != 6  # the level chosen by measurement (docs/screening.md)


def test_a_control_character_in_one_row_of_a_chunk_is_removed_before_the_cut(monkeypatch):
    monkeypatch.setattr(xlsxrows, "_CHUNK", 4)
    rows = [[f"c{i}", f"plain {i}"] for i in range(10)]
    rows[5] = ["c5", "\x01\x02" + "y" * 40_000 + "\x1f"]
    wb = load_workbook(io.BytesIO(_new(rows)), read_only=True)
    got = list(wb["Screening"].iter_rows(values_only=True))
    assert got[6][1] == "y" * 32767  # removed first, then cut: as openpyxl does
    assert [r[1] for r in got[1:]] == [f"plain {i}" if i != 5 else "y" * 32767 for i in range(10)]


class _FullDisk(io.BytesIO):
    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, data) -> int:
        if self.tell() + len(data) > self.limit:
            raise OSError(28, "No space left on device")
        return super().write(data)


def test_a_failed_write_in_the_compressing_thread_is_raised(monkeypatch):
    monkeypatch.setattr(xlsxrows, "_CHUNK", 5)
    rows = ([f"c{i}", os.urandom(400).hex()] for i in range(2000))  # does not compress away
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Screening")
    with pytest.raises(OSError, match="No space left"):
        xlsxrows.write_with_rows(wb, ws, rows, 2, _FullDisk(100_000))
