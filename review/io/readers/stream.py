"""Reading a large RIS export a piece at a time, so memory stays bounded by the piece size.

A million-record RIS file is about 2 GB: decoded whole and parsed whole it would be held as bytes,
text and millions of parsed records at once. Here the bytes are cut into pieces of about
:data:`PIECE` bytes, each ending right after an ``ER`` line (no record spans two pieces), and
each piece is decoded and parsed on its own; its records go to the caller's sink as they are
read. When every cut is clean (:data:`_CLEAN`: the next record starts with a ``TY`` line, so no
tags after an ``ER`` belong to the record before) each piece is read by a reader of its own,
in worker processes when there are several pieces and cores (:func:`_read_cut`,
:mod:`review.io.readers.workers`); otherwise one reader reads them in turn
(:func:`review.io.readers.ris.parse_pieces`). Both give what one reading of the whole text gives.

Only the files whose reading does not depend on the whole text are read this way: RIS (given, or
detected from the first piece exactly as :func:`~review.io.readers.detect.detect` would from the
whole text), UTF-8 (with or without BOM), or Latin-1/cp1252 when ``--encoding`` says so, line
endings ``\\n`` or ``\\r\\n`` only, no NUL byte. Anything else (another format, UTF-16, a file
that is not valid UTF-8 and needs the cp1252 fallback and its warning, stray ``\\r``) returns
None and is read whole, as before; so are all other formats. The result is the same either way
(tests/test_import_stream.py compares them).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Generator
from dataclasses import dataclass, replace
from typing import Any

from review.errors import InputError
from review.gcpause import gc_paused
from review.io.readers.base import Entry, EntrySink, ParseResult, Problem
from review.io.readers.detect import detect, tabular_alternative
from review.io.readers.encoding import _looks_utf16 as looks

PIECE = 1 << 22  # bytes per piece (4 MB: far more than the 200,000 characters detection reads)
_DETECT_CHARS = 200_000  # what detect() and tabular_alternative() look at
# Python's names for the codecs whose bytes map b"\n" to "\n" one to one.
_CODECS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "cp1252": "cp1252", "iso8859-1": "latin-1"}
_OTHER_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # UTF-32 BOMs start with these too
_ER_STRICT = re.compile(rb"\nER  -(?: |\r?\n)")
_ER_LOOSE = re.compile(rb"\nER {1,2}-(?: |\r?\n)")
_ONE_SPACE = re.compile(rb"\n(?:TY|ER) -")  # one pass, not a bytes.find per tag
# A clean cut: right after an ER line whose next tag-like line is TY (lines between that look
# like no tag, as "Record #2 of 9" or blank ones, are ignored by the reader).
_CLEAN = re.compile(
    rb"\nER  -(?: [^\n]*|\r)?\n(?=(?:(?![A-Z][A-Z0-9]  -)[^\n]*\n)*?TY  -(?: |\r?\n))"
)
_CLEAN_LOOSE = re.compile(
    rb"\nER {1,2}-(?: [^\n]*|\r)?\n"
    rb"(?=(?:(?![A-Z][A-Z0-9] {1,2}-)[^\n]*\n)*?TY {1,2}-(?: |\r?\n))"
)
_WINDOW = 1 << 20  # how far past PIECE bytes a clean cut is looked for


def stream_ris(
    holder: list[bytes],
    name: str,
    fmt: str,
    encoding: str | None,
    column_map: dict[str, str] | None,
    sink: EntrySink,
) -> ParseResult | None:
    """Parse the bytes in ``holder`` into ``sink`` a piece at a time; None (nothing given to the
    sink, or all of it taken back with ``sink.reset()``) when the file is not one that can be
    read so (see the module docstring). Lets the bytes go when done."""
    data = holder[0]
    if fmt not in ("auto", "ris") or column_map:
        return None
    codec, start, used = _codec(data, encoding)
    if codec is None:
        return None
    try:
        result = _read_checked(data, start, codec, name, fmt, sink)
        if result is _UNSURE:
            result = _read(data, start, codec, name, fmt, sink)
    except UnicodeDecodeError:
        sink.reset()
        return None
    if not isinstance(result, ParseResult):
        return None
    holder.clear()
    result.encoding = used
    return result


class _Unsure(Exception):
    """A piece shows what only the whole text can decide (a NUL byte, a stray CR, a one-space
    tag line): read the file again, checked whole."""


_UNSURE = object()


def _read(
    data: bytes, start: int, codec: str, name: str, fmt: str, sink: EntrySink
) -> ParseResult | None:
    """The checks on the whole text, then the reading in pieces (None: not to be streamed)."""
    if b"\x00" in data:
        return None
    crlf = b"\r" in data
    if crlf and data.count(b"\r") != data.count(b"\r\n"):
        return None  # CR-only or stray CRs: the whole text decides how to read them
    loose = data.startswith((b"TY -", b"ER -"), start) or _ONE_SPACE.search(data, start) is not None
    pieces = _pieces(data, start, codec, crlf, loose)
    try:
        first, whole = next(pieces)
    except StopIteration:
        return None
    if not _reads_as_ris(first, fmt, name, whole):
        return None
    cuts = _clean_cuts(data, start, loose)
    if cuts is not None:
        pieces.close()
        return _read_cut(data, cuts, name, (codec, loose, False), sink)
    from itertools import chain

    from review.io.readers.ris import parse_pieces

    texts = chain((first,), (text for text, _ in pieces))
    return parse_pieces(texts, name, loose, sink.add)


def _read_checked(
    data: bytes, start: int, codec: str, name: str, fmt: str, sink: EntrySink
) -> ParseResult | object:
    """:func:`_read` for a file of several pieces without its passes over the whole text (2 GB
    at a million records: seconds before any worker starts): the first piece is checked here,
    every piece by its own reader (in the workers), and :data:`_UNSURE` returned (nothing
    left in the sink) whenever a check fails, for :func:`_read` to decide."""
    head = data[start : start + PIECE + _WINDOW]
    if len(data) - start <= 2 * PIECE or b"\x00" in head:
        return _UNSURE
    crlf = b"\r" in head
    if crlf and head.count(b"\r") != head.count(b"\r\n"):
        return _UNSURE
    # one-space tag lines anywhere make the whole file loose; seen here, that is certain
    loose = data.startswith((b"TY -", b"ER -"), start) or _ONE_SPACE.search(head) is not None
    pieces = _pieces(data, start, codec, crlf, loose)
    first, whole = next(pieces)
    pieces.close()
    cuts = _clean_cuts(data, start, loose)
    if cuts is None or not _reads_as_ris(first, fmt, name, whole):
        return _UNSURE
    try:
        return _read_cut(data, cuts, name, (codec, loose, True), sink)
    except _Unsure:
        sink.reset()
        return _UNSURE


def _codec(data: bytes, encoding: str | None) -> tuple[str | None, int, str]:
    """(codec to decode pieces with, bytes to skip, the encoding to report) or (None, 0, "")."""
    if encoding:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            return None, 0, ""
        codec = _CODECS.get(name)
        if codec is None:
            return None, 0, ""
        skip = 3 if name == "utf-8-sig" and data.startswith(codecs.BOM_UTF8) else 0
        return codec, skip, encoding
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8", 3, "utf-8-sig"
    if data.startswith(_OTHER_BOMS) or _looks_utf16(data):
        return None, 0, ""
    return "utf-8", 0, "utf-8"


def _looks_utf16(data: bytes) -> bool:
    return looks(data)


def _pieces(
    data: bytes, start: int, codec: str, crlf: bool, loose: bool
) -> Generator[tuple[str, bool], None, None]:
    """The text in pieces of about :data:`PIECE` bytes, each cut right after an ``ER`` line, and
    whether it is the last; a leading BOM character dropped, ``\\r\\n`` turned into ``\\n``
    (as ``decode_bytes`` does)."""
    er = _ER_LOOSE if loose else _ER_STRICT
    size = len(data)
    pos = start
    first = True
    while pos < size:
        end = size
        if pos + PIECE < size:
            m = er.search(data, pos + PIECE)
            if m is not None:
                nl = data.find(b"\n", m.start() + 1)
                end = size if nl < 0 else nl + 1
        text = data[pos:end].decode(codec)
        if crlf:
            text = text.replace("\r\n", "\n")
        if first and text.startswith("\ufeff"):
            text = text[1:]
        first = False
        pos = end
        yield text, end == size


def _reads_as_ris(first: str, fmt: str, name: str, whole: bool) -> bool:
    """Whether the whole text reads as RIS, decided on its first piece (``whole``: the only one)
    as on the whole text: detection and the table cross-check look at the first 200,000
    characters only."""
    head = first.lstrip("\ufeff \t\n")
    if not head or (len(head) < _DETECT_CHARS and not whole):
        return False  # empty, or mostly blank at the start: the whole-text reader decides
    if fmt == "ris":
        return True

    try:
        return detect(first, name) == "ris" and tabular_alternative(first, "ris") is None
    except InputError:
        return False


def _clean_cuts(data: bytes, start: int, loose: bool) -> list[tuple[int, int]] | None:
    """``(start, end)`` of pieces of about :data:`PIECE` bytes each ending at a clean cut (see
    :data:`_CLEAN`), so each can be read on its own (:func:`_read_cut`); None when a piece finds
    no clean cut near its end but more ``ER`` lines (tags after ``ER`` everywhere, as some Ovid
    exports write: the pieces are then read in turn by one reader, :func:`parse_pieces`)."""
    clean = _CLEAN_LOOSE if loose else _CLEAN
    er = _ER_LOOSE if loose else _ER_STRICT
    size = len(data)
    cuts: list[tuple[int, int]] = []
    pos = start
    while pos < size:
        end = size
        if pos + PIECE < size:
            m = clean.search(data, pos + PIECE, pos + PIECE + _WINDOW)
            if m is not None:
                end = m.end()
            elif pos + PIECE + _WINDOW < size and er.search(data, pos + PIECE) is not None:
                return None  # (near the end of the file the rest is one piece)
        cuts.append((pos, end))
        pos = end
    return cuts


@dataclass
class _Piece:
    """What a worker read in one piece (:func:`_read_piece`)."""

    found: int
    lines: int
    problems: list[Problem]
    no_er: int
    orphans: int
    # per stored row the records' lines (the row's columns are the blobs that come with the
    # piece, in order), or the entries themselves for a sink without ``encode``
    rows: list[Any]


def _read_piece(
    data: bytes,
    how: tuple[str, bool, bool],  # codec, one-space tags, check each piece (_read_checked)
    encode: Callable[[list[Entry]], list[tuple[list[int], list[bytes]]]] | None,
    task: tuple[int, int, int],
) -> tuple[_Piece, list[bytes]]:
    """Decode and read one piece (in a worker process, or here): what it holds, and the
    encoded columns of its stored rows, one row after another."""
    from review.io.readers.ris import parse_piece

    codec, loose, check = how
    i, start, end = task
    raw = data[start:end]
    if check and (
        b"\x00" in raw
        or (not loose and (raw.startswith((b"TY -", b"ER -")) or _ONE_SPACE.search(raw)))
    ):
        raise _Unsure
    if b"\r" in raw:
        if check and raw.count(b"\r") != raw.count(b"\r\n"):
            raise _Unsure
        text = raw.decode(codec).replace("\r\n", "\n")
    else:
        text = raw.decode(codec)
    del raw
    if i == 0 and text.startswith("\ufeff"):
        text = text[1:]
    with gc_paused():
        result, lines, no_er, orphans = parse_piece(text, loose)
        del text
        rows: list[Any]
        blobs: list[bytes]
        if encode is None:
            rows, blobs = result.entries, []
        else:
            encoded = encode(result.entries)
            rows = [row_lines for row_lines, _ in encoded]
            blobs = [blob for _, row_blobs in encoded for blob in row_blobs]
    return _Piece(result.found, lines, result.problems, no_er, orphans, rows), blobs


def _read_cut(
    data: bytes,
    cuts: list[tuple[int, int]],
    name: str,
    how: tuple[str, bool, bool],
    sink: EntrySink,
) -> ParseResult:
    """Read the pieces ``cuts`` of ``data`` each on its own, in worker processes when there are
    several pieces and cores (:mod:`review.io.readers.workers`), and hand their records to
    ``sink`` in file order: the same records, problems and warnings as one reader would give
    (the positions and lines made the file's here, in order), whether or not workers ran."""
    from contextlib import closing
    from functools import partial

    from review.io.readers.ris import reader_warnings
    from review.io.readers.workers import ordered_map, worker_count

    encode = getattr(sink, "encode", None)
    add_encoded = getattr(sink, "add_encoded", None)
    if add_encoded is None:
        encode = None
    job = partial(_read_piece, data, how, encode)
    tasks = [(i, start, end) for i, (start, end) in enumerate(cuts)]
    result = ParseResult(format="ris", encoding="", found=0)
    lines = no_er = orphans = 0
    # closed at once on an error here too: the workers stop before the error is reported
    with closing(ordered_map(job, tasks, worker_count(len(tasks)))) as pieces:
        for piece, blobs in pieces:
            before = result.streamed
            result.found += piece.found
            result.problems += [
                Problem(
                    p.line + lines, p.message, None if p.position is None else p.position + before
                )
                for p in piece.problems
            ]
            if encode is not None and add_encoded is not None:
                per_row = len(blobs) // max(1, len(piece.rows))
                for at, row_lines in enumerate(piece.rows):
                    columns = blobs[at * per_row : (at + 1) * per_row]
                    add_encoded([n + lines for n in row_lines], columns)
                    result.streamed += len(row_lines)
            elif piece.rows:
                sink.add(
                    [
                        replace(e, position=e.position + before, line=e.line + lines)
                        for e in piece.rows
                    ]
                )
                result.streamed += len(piece.rows)
            lines += piece.lines
            no_er += piece.no_er
            orphans += piece.orphans
    result.warnings += reader_warnings(name, no_er, orphans)
    return result
