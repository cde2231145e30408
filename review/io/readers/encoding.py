"""Turning the bytes of an export into text: BOMs, UTF-16, legacy 8-bit, line endings.

We never guess silently. UTF-8 (with or without BOM) and UTF-16 with a BOM are read as such; a
file that is not valid UTF-8 is read as Windows-1252 (or Latin-1) *with a warning* naming the
first bad byte, and ``--encoding`` lets the user say what it really is.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from review.errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _decode_as(body: bytes, name: str, encoding: str) -> str:
    """``body`` decoded with the encoding the user gave; InputError naming the file if it cannot."""
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        info = None
    # zlib_codec, base64_codec, rot13 …: codecs, but not between bytes and text
    if info is None or not getattr(info, "_is_text_encoding", True):
        what = "unknown encoding" if info is None else "not a text encoding:"
        raise InputError(
            f"{what} {encoding!r}; use a Python codec name such as utf-8, "
            "utf-16, cp1252 or latin-1.",
            file=name,
        )
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"cannot be read as {encoding}: byte 0x{body[exc.start]:02x} at line "
            f"{_line_of(body, exc.start)} is not valid in that encoding. Check the encoding "
            "the database exported with and pass it with --encoding.",
            file=name,
        ) from None
    except (UnicodeError, ValueError, TypeError, LookupError) as exc:  # punycode & co.
        raise InputError(
            f"cannot be read as {encoding} ({exc}). Check the encoding the database "
            "exported with and pass it with --encoding.",
            file=name,
        ) from None


def decode_bytes(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str, list[str]]:
    """Return ``(text, encoding_used, warnings)``; line endings normalised to ``\\n``.

    Raises :class:`InputError` when an explicitly given encoding cannot decode the file.
    """
    warnings: list[str] = []
    if encoding:
        text = _decode_as(data, name, encoding)
        used = encoding
    else:
        used = ""
        text = ""
        found = bom_of(data)
        if found is not None:
            bom, bom_enc = found
            try:
                text = data[len(bom) :].decode(bom_enc.replace("-sig", ""))
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"starts with a {bom_enc} byte-order mark but byte {exc.start} is not "
                    f"valid {bom_enc}. Re-export the file, or pass --encoding.",
                    file=name,
                ) from None
            used = bom_enc
        else:
            enc = utf16_without_bom(data)
            if enc:
                try:
                    text = data.decode(enc)
                    used = enc
                    warnings.append(_utf16_warning(name, enc))
                except UnicodeDecodeError:
                    used = ""
            if not used:
                try:
                    text = data.decode("utf-8")
                    used = "utf-8"
                except UnicodeDecodeError as exc:
                    line = _line_of(data, exc.start)
                    try:
                        text = data.decode("cp1252")
                        used = "cp1252"
                    except UnicodeDecodeError:
                        text = data.decode("latin-1")
                        used = "latin-1"
                    warnings.append(
                        f"{name}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at line {line}); "
                        f"read as {used}. Check accented letters; if they look wrong, import it "
                        "with --encoding (e.g. --encoding latin-1 or --encoding mac-roman)."
                    )
    if text.startswith("\ufeff"):
        text = text[1:]
    return normalize_newlines(text), used, warnings


def bom_of(data: bytes) -> tuple[bytes, str] | None:
    """The byte-order mark ``data`` starts with and its encoding (``utf-8-sig``, ``utf-16-le``
    …), or None."""
    for bom, bom_enc in _BOMS:
        if data.startswith(bom):
            return bom, bom_enc
    return None


def utf16_without_bom(data: bytes) -> str:
    """``utf-16-le``/``utf-16-be`` when every other byte of the start is zero (UTF-16 text
    without a byte-order mark), else ``""``."""
    if not _looks_utf16(data):
        return ""
    return "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"


def _utf16_warning(name: str, enc: str) -> str:
    return (
        f"{name}: no byte-order mark; read as {enc} because every other byte is "
        "zero. Pass --encoding if that is wrong."
    )


def _looks_utf16(data: bytes) -> bool:
    sample = data[:2000]
    if len(sample) < 4:
        return False
    even_zero = sample[0::2].count(0)
    odd_zero = sample[1::2].count(0)
    half = len(sample) // 2
    return max(even_zero, odd_zero) > 0.4 * half and min(even_zero, odd_zero) < 0.05 * half


def normalize_newlines(text: str) -> str:
    """CRLF and old-Mac CR line endings -> LF; a stray CR inside a line becomes a space."""
    if "\r" not in text:
        return text.replace("\x00", "") if "\x00" in text else text
    if "\n" not in text:
        text = text.replace("\r", "\n")
    else:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            # A CR-only file with a few LFs, or stray CRs inside fields.
            if text.count("\r") > text.count("\n"):
                text = text.replace("\r", "\n")
            else:
                text = text.replace("\r", " ")
    return text.replace("\x00", "") if "\x00" in text else text


# ---- a sheet read as a stream (review/io/tables.py) ------------------------------------------

_CHUNK = 1 << 20
_SAVE_AS_UTF8 = 'In Excel: File > Save As > "CSV UTF-8 (Comma delimited)", then import that file.'


@dataclass(frozen=True)
class FileEncoding:
    """How to open a text file: ``codec`` for :func:`open` (a BOM is consumed by it) and
    ``note``, a warning naming the file when the encoding was inferred (``""`` when certain)."""

    codec: str
    note: str = ""


def sniff_file(path: Path) -> FileEncoding:
    """The encoding of a CSV/TSV a person saved, by the rules of :func:`decode_bytes`, read in
    chunks (the file is never held in memory).

    UTF-8 with or without BOM and UTF-16/32 with a BOM (Excel's "Unicode text") are certain.
    UTF-16 without a BOM, and Windows-1252 (Excel's "CSV" on Windows) for a file that is not
    valid UTF-8, come with a note. A file that is neither UTF-8 nor Windows-1252 is refused
    (InputError naming the file, line and byte): Latin-1 would accept any bytes as mojibake.
    """
    name = str(path)
    with open(path, "rb") as fh:
        head = fh.read(2000)
    found = bom_of(head)
    if found is not None:
        return FileEncoding(found[1].replace("-le", "").replace("-be", ""))
    enc = utf16_without_bom(head)
    if enc:
        return FileEncoding(
            enc,
            f"{name}: no byte-order mark; read as {enc} because every other byte is zero. If "
            "the imported text looks wrong: " + _SAVE_AS_UTF8,
        )
    bad = _first_bad_byte(path, "utf-8")
    if bad is None:
        return FileEncoding("utf-8")
    byte, line = bad
    bad = _first_bad_byte(path, "cp1252")
    if bad is None:
        return FileEncoding(
            "cp1252",
            f"{name}: not UTF-8 (byte 0x{byte:02x} at line {line}); read as Windows-1252 "
            "(cp1252), the encoding of Excel's CSV on Windows. Check accented letters in the "
            "imported text; if they look wrong: " + _SAVE_AS_UTF8,
        )
    byte, line = bad  # not UTF-8 either: the first byte neither encoding has
    raise InputError(
        f"neither UTF-8 nor Windows-1252 text (byte 0x{byte:02x} at line {line}). " + _SAVE_AS_UTF8,
        file=name,
        line=line,
    )


def _first_bad_byte(path: Path, encoding: str) -> tuple[int, int] | None:
    """``(byte, line)`` of the first byte of ``path`` not valid in ``encoding``, or
    None when the whole file decodes."""
    decoder = codecs.getincrementaldecoder(encoding)()
    lines = 0
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(_CHUNK)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                # the decoder may hold up to 3 bytes of an unfinished sequence from before
                pos = max(exc.start - (len(exc.object) - len(chunk)), 0)
                return exc.object[exc.start], lines + _line_of(chunk, pos)
            if not chunk:
                return None
            lines += chunk.count(b"\n")
