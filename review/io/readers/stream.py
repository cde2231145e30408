"""Reading a large RIS export a piece at a time, so memory stays bounded by the piece size.

A million-record RIS file is about 2 GB: decoded whole and parsed whole it would be held as bytes,
text and millions of parsed records at once. Here the bytes are cut into pieces of about
:data:`PIECE` bytes, each ending right after an ``ER`` line (no record spans two pieces), and
each piece is decoded and parsed on its own (:func:`review.io.readers.ris.parse_pieces`); its
records go to the caller's sink as they are read.

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
from collections.abc import Iterator

from review.errors import InputError
from review.io.readers.base import EntrySink, ParseResult
from review.io.readers.detect import detect, tabular_alternative
from review.io.readers.encoding import _looks_utf16 as looks

PIECE = 1 << 24  # bytes per piece (16 MB: far more than the 200,000 characters detection reads)
_DETECT_CHARS = 200_000  # what detect() and tabular_alternative() look at
# Python's names for the codecs whose bytes map b"\n" to "\n" one to one.
_CODECS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "cp1252": "cp1252", "iso8859-1": "latin-1"}
_OTHER_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # UTF-32 BOMs start with these too
_ER_STRICT = re.compile(rb"\nER  -(?: |\r?\n)")
_ER_LOOSE = re.compile(rb"\nER {1,2}-(?: |\r?\n)")
_ONE_SPACE = re.compile(rb"\n(?:TY|ER) -")  # one pass, not a bytes.find per tag


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
    if fmt not in ("auto", "ris") or column_map or b"\x00" in data:
        return None
    codec, start, used = _codec(data, encoding)
    if codec is None:
        return None
    crlf = b"\r" in data
    if crlf and data.count(b"\r") != data.count(b"\r\n"):
        return None  # CR-only or stray CRs: the whole text decides how to read them
    loose = data.startswith((b"TY -", b"ER -"), start) or _ONE_SPACE.search(data, start) is not None
    pieces = _pieces(data, start, codec, crlf, loose)
    try:
        first, whole = next(pieces)
    except (StopIteration, UnicodeDecodeError):
        return None
    if not _reads_as_ris(first, fmt, name, whole):
        return None
    from itertools import chain

    from review.io.readers.ris import parse_pieces

    texts = chain((first,), (text for text, _ in pieces))
    try:
        result = parse_pieces(texts, name, loose, sink.add)
    except UnicodeDecodeError:
        sink.reset()
        return None
    holder.clear()
    result.encoding = used
    return result


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
) -> Iterator[tuple[str, bool]]:
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
