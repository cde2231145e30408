"""Readers for bibliographic exports: detect the format from content, parse, normalise.

``read_file(path)`` returns a :class:`ParseResult`: the entries it could parse (fields already
normalised to :data:`review.model.FIELDS`), the problems it met (file line and what is wrong)
and ``found``, the number of record markers counted in the file independently of the parser
(``TY`` / ``ER`` lines, ``@entry`` markers, ``PMID-`` lines, data rows...). A reader never
returns fewer entries than ``found`` without saying why in ``problems``.

Each format has its own module (``ris``, ``bibtex``, ``medline``, ``wos``, ``endnote_xml``,
``endnote_tagged``, ``pubmed_xml``, ``ovid``, ``json_records``, ``tabular``) with one
``parse(text, name) -> ParseResult`` function (``tabular`` has ``parse_delimited`` and
``parse_xlsx``); ``detect`` picks the format, ``encoding`` turns bytes into text and
``normalize`` cleans the mapped fields.

The shared types (:class:`Entry`, :class:`Problem`, :class:`ParseResult`, :func:`make_entry`)
live in ``base``, which every format module imports (and this package re-exports), so no
format module imports the package that imports it.
"""

from __future__ import annotations

import re
from pathlib import Path

from review.errors import InputError
from review.gcpause import gc_paused
from review.io.readers.base import Entry, EntrySink, ParseResult, Problem, make_entry
from review.model import ImportFormat

# Formats accepted by --format: the CLI contract's, plus tagged EndNote/Refer, PubMed XML and
# Ovid's own citation text format and JSON record lists (CSL-JSON, Publish or Perish).
FORMATS = tuple(f for f in ImportFormat if f is not ImportFormat.AUTO)


def detect_format(text: str, name: str = "") -> str:
    """The format of an export from its content (not its extension).

    Raises :class:`InputError` when no known format matches.
    """
    from review.io.readers.detect import detect

    return detect(text, name)


def read_file(
    path: Path,
    fmt: str = "auto",
    encoding: str | None = None,
    column_map: dict[str, str] | None = None,
) -> ParseResult:
    """Read one export file.

    ``fmt`` is ``auto`` (detect from content) or one of :data:`FORMATS`. ``encoding`` overrides
    the detected text encoding. ``column_map`` maps a tabular file's column names to field names
    (``{"Their Column": "title"}``). Raises :class:`InputError` (naming the file and, where it
    helps, the line) when the file cannot be read at all, is empty or is in no known format.
    """
    path = Path(path)
    return parse_bytes(read_bytes(path), str(path), fmt, encoding, column_map)


# The largest export read (bytes). The biggest real database exports are a few hundred MB;
# REVIEW_MAX_IMPORT_MB raises the limit for an exceptional file.
MAX_IMPORT_BYTES = 1 << 30


def max_import_bytes() -> int:
    import os

    try:
        return int(float(os.environ["REVIEW_MAX_IMPORT_MB"]) * (1 << 20))
    except (KeyError, ValueError):
        return MAX_IMPORT_BYTES


def read_bytes(path: Path) -> bytes:
    """The bytes of an export file; :class:`InputError` when it cannot be read.

    Only regular files are read: a folder, a FIFO, a device (``/dev/zero``, ``/dev/urandom``)
    or a socket is refused before a byte is read (a symlink to one too), so nothing can be read
    forever. A file larger than :func:`max_import_bytes` is refused.
    """
    import os
    import stat

    name = str(path)
    limit = max_import_bytes()
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise InputError("is a folder, not an export file.", file=name)
        if not stat.S_ISREG(st.st_mode):
            kind = (
                "a named pipe (FIFO)"
                if stat.S_ISFIFO(st.st_mode)
                else "a device"
                if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
                else "a socket"
                if stat.S_ISSOCK(st.st_mode)
                else "not a regular file"
            )
            raise InputError(
                f"is {kind}, not an export file; refused (it could be read forever). Save the "
                "export as a file and import that.",
                file=name,
            )
        _refuse_size(st.st_size, limit, name)
        # O_NONBLOCK: if the path was swapped for a FIFO since the check, open() does not hang.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise InputError("is not a regular file; refused.", file=name)
            data = fh.read(limit + 1)
        _refuse_size(len(data), limit, name)
        return data
    except IsADirectoryError:
        raise InputError("is a folder, not an export file.", file=name) from None
    except FileNotFoundError:
        raise InputError("no such file. Check the path.", file=name) from None
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror}).", file=name) from None


def _refuse_size(size: int, limit: int, name: str) -> None:
    if size > limit:
        raise InputError(
            f"is larger than {limit >> 20} MB, the most review reads from one export. Split "
            "the export into smaller files (most databases export in batches), or set "
            "REVIEW_MAX_IMPORT_MB to raise the limit.",
            file=name,
        )


def parse_bytes(
    data: bytes,
    name: str,
    fmt: str = "auto",
    encoding: str | None = None,
    column_map: dict[str, str] | None = None,
) -> ParseResult:
    """:func:`read_file` on bytes already read (``name`` is used in messages)."""
    holder = [data]
    del data
    return parse_owned(holder, name, fmt, encoding, column_map)


def parse_owned(
    holder: list[bytes],
    name: str,
    fmt: str = "auto",
    encoding: str | None = None,
    column_map: dict[str, str] | None = None,
    sink: EntrySink | None = None,
) -> ParseResult:
    """Like :func:`parse_bytes`, but takes the bytes out of ``holder`` (a one-item list) and lets
    them go once decoded, so a 200 MB export is not held twice (bytes and text) while parsing.

    With a ``sink`` (:func:`parse_into`) the records may be handed to it as they are read
    instead of being returned in ``entries`` (``streamed`` counts them).
    """
    data = holder[0]
    if fmt != "auto" and fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of: auto, {', '.join(FORMATS)}.")
    blank = b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"
    if not data[:65536].strip(blank) and not data.strip(blank):
        raise InputError(
            "is empty: it holds no records. Re-export the search results and try again.",
            file=name,
        )
    del data
    with gc_paused():
        result = None
        if sink is not None:
            from review.io.readers.stream import stream_ris

            result = stream_ris(holder, name, fmt, encoding, column_map, sink)
        if result is None:
            result = _parse_bytes(holder, name, fmt, encoding, column_map)
        else:
            result = _check(result, name)
    # The marker count is a check on the parser, not a ceiling: a damaged file (a span cut out
    # of a BibTeX entry, a WoS export with its lines shuffled) can hide markers the parser still
    # reads records from. Every record read or reported was found, so found = imported +
    # problems holds whenever the markers undercount.
    result.found = max(result.found, result.records + len(result.problems))
    return result


def parse_into(
    holder: list[bytes],
    name: str,
    fmt: str,
    encoding: str | None,
    column_map: dict[str, str] | None,
    sink: EntrySink,
) -> ParseResult:
    """Read an export into ``sink`` in bounded memory: every record goes to ``sink.add`` in
    file order and none is kept (the result's ``entries`` is empty, ``streamed`` counts them).

    A UTF-8 (or Latin-1 / cp1252, when given) RIS file is read a piece at a time
    (:mod:`review.io.readers.stream`); any other file is read whole, as :func:`parse_bytes`
    reads it, and its records handed on afterwards. Problems and warnings as
    :func:`parse_bytes` gives them.
    """
    result = parse_owned(holder, name, fmt, encoding, column_map, sink)
    entries = result.entries
    step = 4096
    for i in range(0, len(entries), step):
        sink.add(entries[i : i + step])
    result.streamed += len(entries)
    entries.clear()
    return result


def _parse_bytes(
    holder: list[bytes],
    name: str,
    fmt: str,
    encoding: str | None,
    column_map: dict[str, str] | None,
) -> ParseResult:
    data = holder[0]
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise InputError(
            "is an old-style Excel .xls (or another OLE) file, which review cannot read. Open it "
            "in a spreadsheet program and save it as .xlsx or CSV UTF-8, then import that.",
            file=name,
        )
    if data[:4] == b"PK\x03\x04" and fmt in ("auto", "xlsx"):
        from review.io.readers import tabular

        result = tabular.parse_xlsx(data, name, column_map=column_map)
        return _check(result, name)
    if fmt == "xlsx":
        raise InputError(
            "is not an Excel .xlsx workbook. Pass the right --format, or leave it as auto.",
            file=name,
        )
    from review.io.readers.encoding import decode_bytes

    text, used, warnings = decode_bytes(data, name, encoding)
    holder.clear()
    del data  # the caller's copy went with the holder: only the text is kept from here on
    if not text or text.isspace():
        raise InputError(
            "is empty: it holds no records. Re-export the search results and try again.",
            file=name,
        )
    if fmt == "auto":
        try:
            fmt = detect_format(text, name)
        except InputError:
            if not column_map:
                raise
            fmt = "tsv" if text.split("\n", 1)[0].count("\t") else "csv"
        result = _cross_checked(text, fmt, name, column_map)
    else:
        result = parse_text(text, fmt, name, column_map=column_map)
    _truncation_warnings(result, text, name)
    result.encoding = used
    result.warnings[:0] = warnings
    return _check(result, name)


def parse_text(
    text: str, fmt: str, name: str = "<text>", column_map: dict[str, str] | None = None
) -> ParseResult:
    """Parse already-decoded text (``\\n`` line endings) in a known format."""
    if fmt == "ris":
        from review.io.readers.ris import parse
    elif fmt == "bibtex":
        from review.io.readers.bibtex import parse
    elif fmt == "medline":
        from review.io.readers.medline import parse
    elif fmt == "wos":
        from review.io.readers.wos import parse
    elif fmt == "endnote-xml":
        from review.io.readers.endnote_xml import parse
    elif fmt == "endnote":
        from review.io.readers.endnote_tagged import parse
    elif fmt == "pubmed-xml":
        from review.io.readers.pubmed_xml import parse
    elif fmt == "ovid":
        from review.io.readers.ovid import parse
    elif fmt == "json":
        from review.io.readers.json_records import parse
    elif fmt in ("csv", "tsv", "wos-tab"):
        from review.io.readers import tabular

        return tabular.parse_delimited(text, name, fmt=fmt, column_map=column_map)
    else:
        raise InputError(f"unknown format {fmt!r}; use one of: auto, {', '.join(FORMATS)}.")
    result: ParseResult = parse(text, name)
    return result


def _cross_checked(
    text: str, fmt: str, name: str, column_map: dict[str, str] | None
) -> ParseResult:
    """Parse as the detected format; if the file also reads as a table, keep the reading with
    more records (a CSV whose abstract has a line ``@WHO (2020) ...`` looks like BibTeX at
    first sight, and read as BibTeX it would give 1 record instead of 50).
    """
    from review.io.readers.detect import tabular_alternative

    alt = tabular_alternative(text, fmt)
    if alt is None:
        return parse_text(text, fmt, name, column_map=column_map)
    first: ParseResult | None = None
    error: InputError | None = None
    try:
        first = parse_text(text, fmt, name, column_map=column_map)
    except InputError as exc:
        error = exc
    try:
        other = parse_text(text, alt, name, column_map=column_map)
    except InputError:
        if first is None and error is not None:
            raise error from None
        return first  # type: ignore[return-value]
    n_first = len(first.entries) if first is not None else -1
    if len(other.entries) >= n_first:  # a tie: the header row on line 1 decides
        if first is not None:
            other.warnings.append(
                f"{name}: reads as {alt.upper()} ({len(other.entries)} records) and as {fmt} "
                f"({n_first}); read as {alt.upper()}: its header row is line 1 and it finds at least as many records. Pass "
                f"--format {fmt} if that is wrong."
            )
        return other
    assert first is not None
    return first


def _truncation_warnings(result: ParseResult, text: str, name: str) -> None:
    """Warn when the end of a tagged export looks cut off (a download or copy interrupted).

    RIS and BibTeX readers warn themselves (a last record without ``ER`` / closing brace).
    Here: a Web of Science file with its ``FN`` header but no closing ``EF``; a last record
    without the closing tag every other record has (MEDLINE's ``SO``, Ovid, EndNote, WoS
    ``ER``); a tagged file whose last line has no line break.
    """
    fmt = result.format
    entries = result.entries
    if fmt not in ("wos", "medline", "endnote", "ovid") or not entries:
        return
    cut = ""
    tail = text.rstrip(" \t")
    if fmt == "wos":
        stripped = text.strip()
        if stripped.startswith(("FN ", "VR ")) and not stripped.endswith("\nEF"):
            cut = "it has the FN header of a Web of Science export but no closing EF line"
        elif not re.search(r"\nER\s*(?:\nEF\s*)?$", "\n" + stripped):
            cut = "its last record has no closing ER line"
    ends_like_others = False
    if fmt in ("medline", "ovid") and len(entries) >= 3:
        # PubMed ends every record with SO, Ovid with its last field; EndNote and WoS records
        # end with whichever optional tag they have, so they are not compared.
        ends = {e.raw[-1][0] for e in entries[:-1] if e.raw}
        last = entries[-1].raw[-1][0] if entries[-1].raw else ""
        ends_like_others = len(ends) == 1 and last in ends
        if len(ends) == 1 and last not in ends:
            (usual,) = ends
            cut = (
                f"its last record (line {entries[-1].line}) ends with {last or 'nothing'} where "
                f"every other record ends with {usual}"
            )
    if not cut and fmt != "wos" and not ends_like_others and not tail.endswith("\n"):
        cut = "its last line has no line break"
    if cut:
        result.warnings.append(
            f"{name}: may have been cut off: {cut}. Compare the number of records with the "
            "database's count and export again if some are missing."
        )


def _check(result: ParseResult, name: str) -> ParseResult:
    """Never fewer entries than markers without a reason; no records at all is an error."""
    if not result.records and not result.problems:
        raise InputError(
            f"no records found in this {result.format} file. Check that it is a search export "
            "(not an empty result set) and, if the format was guessed wrong, pass --format.",
            file=name,
        )
    missing = result.found - result.records
    if missing > 0 and len(result.problems) < missing:
        result.problems.append(
            Problem(
                0,
                f"{result.found} record markers counted but only {result.records} records "
                "parsed; please report this file so the reader can be fixed.",
            )
        )
    return result


__all__ = [
    "FORMATS",
    "Entry",
    "EntrySink",
    "ParseResult",
    "Problem",
    "detect_format",
    "gc_paused",
    "make_entry",
    "parse_bytes",
    "parse_into",
    "parse_owned",
    "parse_text",
    "read_bytes",
    "read_file",
]
