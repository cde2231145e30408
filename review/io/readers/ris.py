"""RIS, written as a fast line-based state machine (no rispy: it silently drops records).

Handles the dialects of PubMed, Scopus, Web of Science, EBSCO, Ovid, ProQuest, Embase, Zotero,
EndNote, Mendeley, Covidence and Rayyan: ``TY  - `` / ``TY - `` tag lines, ``ER`` with or
without trailing text, repeated tags, continuation lines (a continuation of ``KW`` is another
keyword, as Rayyan writes them; otherwise the text joins the previous value), records without
``TY`` (they start at the first tag after ``ER``), a last record without ``ER``, and
extraneous text between records (``Record #1 of 2``, ``1.``), which is ignored.

``found`` counts ``TY``/``ER`` marker lines apart from the parser (:func:`count_markers`): every
``TY`` opens a record, and an ``ER`` that closes no opened record counts as one more (a record
without ``TY``).

Speed: the text is cut at its ``ER`` lines; a stretch that is one plain record (``TY``, then tag
lines only) is read in one regular-expression call, anything else line by line (both give the
same result; see :func:`parse`). benchmarks/import_speed.py measures it against rispy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain
from typing import Any

from review.io.readers.base import Entry, ParseResult, Problem, make_entry

_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_FIRST_MARKER = re.compile(r"(TY|ER) {1,2}-")
_MARKER = re.compile(r"\n(TY|ER) {1,2}-")  # a marker line after the first line
_PMID_LINE = re.compile(r"^PMID\s*-\s*(\d+)\s*$")
_LINE = re.compile(r"^(?:([A-Z][A-Z0-9])  -(?: +|$)(.*)|(.*))$", re.M)
_LINE_LOOSE = re.compile(r"^(?:([A-Z][A-Z0-9]) {1,2}-(?: +|$)(.*)|(.*))$", re.M)
# A tag line whose value needs no trimming (a plain record's lines, read in one call).
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: +|$)(.*)(?<![ \t\v\f])$", re.M)
_TAG_LINE_LOOSE = re.compile(r"^([A-Z][A-Z0-9]) {1,2}-(?: +|$)(.*)(?<![ \t\v\f])$", re.M)
_ER = re.compile(r"ER  -(?: |$)", re.M)
_ER_LOOSE = re.compile(r"ER {1,2}-(?: |$)", re.M)
_CHUNK = 1 << 22
# Latin-1 characters str.isprintable() refuses (control characters, NBSP, soft hyphen), and the
# markup characters normalize_fields looks at.
_NOT_CLEAN = bytes(i for i in range(256) if not chr(i).isprintable() or chr(i) in "<&")
_NONE = ("",)
_TRAILING = (" ", "\t", "\v", "\f")
_SN_SPLIT = re.compile(r"[;\s]+(?:\(.*?\)\s*)?")
_NOT_ISBN_CHAR = re.compile(r"[^0-9Xx]")
_ISSN_ANYWHERE = re.compile(r"\b\d{4}-?\d{3}[\dXx]\b")
_ISBN_ANYWHERE = re.compile(r"\b(?:\d[- ]?){9,12}[\dXx]\b")
# Every valid tag (a capital letter, then a capital or a digit), mapped to one shared string.
_TAGS = {a + b: a + b for a in _UPPER for b in _UPPER + "0123456789"}
_MULTI_LINE_LIST_TAGS = frozenset({"KW", "DE"})
_ISSN = re.compile(r"^\d{4}-?\d{3}[\dXx]$")

# RIS tag -> field, in order of preference (first non-empty wins for single-valued fields).
TITLE_TAGS = ("TI", "T1", "CT")
AUTHOR_TAGS = frozenset({"AU", "A1"})
YEAR_TAGS = ("PY", "Y1", "DA")
JOURNAL_TAGS = ("T2", "JF", "JO", "BT", "JA", "J2", "J1", "T3")
ISSUE_TAGS = ("IS", "CP")
URL_TAGS = ("UR", "L2", "L1", "LK")
ID_TAGS = ("ID", "AN")


def count_markers(text: str, marks: list[tuple[int, str]] | None = None) -> int:
    """Records in an RIS text by counting ``TY``/``ER`` marker lines only.

    Every ``TY`` opens a record (a ``TY`` line right after another ``TY`` line is the same
    record); an ``ER`` that closes no open record counts as a record without ``TY``. ``marks``
    are the marker lines after the first, in text order (:func:`_marker_lines`), when the caller
    has them.
    """
    if marks is None:
        marks = _marker_lines(text)[0]
    if _FIRST_MARKER.match(text):
        marks = [(0, text[:2]), *marks]
    count = 0
    open_ = False
    last_ty = -1
    for pos, kind in marks:
        if kind == "TY":
            if open_ and last_ty >= 0:
                eol = text.find("\n", last_ty)
                if 0 <= eol < pos and not text[eol:pos].strip():
                    last_ty = pos
                    continue  # repeated TY line: same record
            count += 1
            open_ = True
            last_ty = pos
        else:
            if not open_:
                count += 1
            open_ = False
            last_ty = -1
    return count


def _marker_lines(text: str) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """``(offset, tag)`` of every ``TY`` and ``ER`` marker line but the first (a line that
    starts with the tag then `` -`` or ``  -``), in text order, and of the ``ER`` ones alone.
    One regular-expression pass finds both (two str.find loops took three times as long: a
    needle ending in a space lets find skip little)."""
    marks = [(m.start() + 1, _TAGS[m.group(1)]) for m in _MARKER.finditer(text)]
    return marks, [mark for mark in marks if mark[1] == "ER"]


def _first(d: dict[str, list[str]], tags: tuple[str, ...]) -> str:
    for t in tags:
        vals = d.get(t)
        if vals:
            return vals[0]
    return ""


def map_ris(pairs: Sequence[tuple[str, str]]) -> tuple[dict[str, Any], str]:
    """RIS (tag, value) pairs -> (fields for normalisation, original id)."""
    d: dict[str, list[str]] = {}
    for tag, value in pairs:
        if value:
            if tag in d:
                d[tag].append(value)
            else:
                d[tag] = [value]
    if "AU" in d and "A1" in d:
        authors = [v for t, v in pairs if v and t in AUTHOR_TAGS]  # keep file order
    else:
        authors = d.get("AU") or d.get("A1") or []
    ty = (d.get("TY") or _NONE)[0]
    title = _first(d, TITLE_TAGS)
    if not title and ty.upper() in ("BOOK", "EBOOK", "EDBOOK"):
        title = _first(d, ("BT",))
    if not title:
        title = _first(d, ("ST",))
    journal_tags: tuple[str, ...] = JOURNAL_TAGS
    if "BT" in d and d["BT"][0] == title:
        journal_tags = tuple(t for t in JOURNAL_TAGS if t != "BT")
    mapped: dict[str, Any] = {
        "type": ty,
        "title": title,
        "abstract": d.get("AB") or d.get("N2") or "",
        "authors": authors,
        "year": _first(d, YEAR_TAGS),
        "journal": _first(d, journal_tags),
        "volume": (d.get("VL") or _NONE)[0],
        "issue": _first(d, ISSUE_TAGS),
        "start_page": (d.get("SP") or _NONE)[0],
        "end_page": (d.get("EP") or _NONE)[0],
        "doi": d.get("DO", []),
        "keywords": d.get("KW", []),
        "url": _first(d, URL_TAGS),
        "language": (d.get("LA") or _NONE)[0],
    }
    if "DO" not in d:
        alt = d.get("M3", []) + d.get("N1", [])
        alt += [u for t in ("UR", "L3", "L2") for u in d.get(t, ()) if "doi" in u.lower()]
        mapped["doi_alt"] = alt
    if "BN" in d:
        # Not standard RIS: our own export writes an ISBN that SN would misread as BN.
        issn: list[str] = []
        isbn: list[str] = []
        for tag, value in pairs:
            if tag == "BN" and value:
                isbn.append(value)
            elif tag == "SN" and value:
                i, b = _split_sn([value])
                issn += i
                isbn += b
        mapped["issn"], mapped["isbn"] = issn, isbn
    elif "SN" in d:
        mapped["issn"], mapped["isbn"] = _split_sn(d["SN"])
    if "PMID" in d:
        mapped["pmid"] = d["PMID"][0]
    elif "AN" in d:
        an = d["AN"][0]
        db = " ".join(d.get("DB", []) + d.get("DP", [])).lower()
        if an.isdigit() and len(an) <= 9 and ("medline" in db or "pubmed" in db or db == "nlm"):
            mapped["pmid"] = an
    return mapped, _first(d, ID_TAGS)


def _split_sn(values: list[str]) -> tuple[list[str], list[str]]:
    """RIS ``SN`` holds ISSNs or ISBNs, sometimes several, with ``(Print)`` qualifiers."""
    issn: list[str] = []
    isbn: list[str] = []
    for sn in values:
        if _ISSN.match(sn):
            issn.append(sn.upper())
            continue
        if not _ISSN_ANYWHERE.search(sn) and not _ISBN_ANYWHERE.search(sn):
            issn.append(sn)  # neither: keep it whole, as the ISSN field it usually is
            continue
        for part in _SN_SPLIT.split(sn):
            part = part.strip(" ,;()")
            if not part or part.lower() in ("print", "electronic", "linking"):
                continue
            if _ISSN.match(part):
                issn.append(part.upper())
            elif len(_NOT_ISBN_CHAR.sub("", part)) in (10, 13):
                isbn.append(part)
    return issn, isbn


def _line_chunks(
    text: str, pattern: re.Pattern[str], pos: int = 0, size: int = -1
) -> Iterator[list[tuple[str, str, str]]]:
    """Per line of ``text[pos:size]`` ``(tag, value, "")`` for a tag line, ``("", "", text)``
    for any other line, in lists of a few megabytes of text each (chain them for one item per
    line). The regular expression does the per-line work in C.
    """
    size = len(text) if size < 0 else size
    while pos <= size:
        end = text.find("\n", min(pos + _CHUNK, size), size)
        if end < 0:
            end = size
        yield pattern.findall(text, pos, end)
        pos = end + 1


def _clean_values(lines: str, n_lines: int) -> bool:
    """The values of ``n_lines`` plain tag lines (``XX  - value``) are clean text already:
    printable, no double space, no markup (see :func:`normalize_fields`). Checked on the bytes
    of the whole record at once, for Latin-1 text; False for anything else."""
    try:
        data = lines.encode("latin-1")
    except UnicodeEncodeError:
        return False
    # Nothing deleted but the n - 1 line breaks; "  " only in each line's separator.
    return (
        len(data.translate(None, _NOT_CLEAN)) == len(data) - n_lines + 1
        and data.count(b"  ") == n_lines
    )


def _er_lines(text: str, loose: bool, er_marks: list[tuple[int, str]]) -> list[int]:
    """Where each ``ER`` tag line starts (``ER  -`` then a space or the end of the line), from
    the ``ER`` marker lines after the first."""
    er = _ER_LOOSE if loose else _ER
    return ([0] if er.match(text) else []) + [pos for pos, _ in er_marks if er.match(text, pos)]


def parse(text: str, name: str = "<text>") -> ParseResult:
    """Read an RIS text: one record per ``TY`` ... ``ER`` (see the module docstring).

    The text is cut at its ``ER`` lines. A stretch that is one plain record (a ``TY`` line, then
    tag lines only) is read in one regular-expression call; any other stretch goes through the
    line-by-line state machine (:meth:`_Reader.lines`), which gives the same result for a
    plain record, so the fast path changes speed only.
    """
    # The one-space form ``TY - JOUR`` is accepted only when the file's TY/ER lines use it, so
    # that a continuation line such as ``UK - based ...`` is not taken for a tag.
    marks, er_marks = _marker_lines(text)
    loose = text.startswith(("TY -", "ER -")) or any(text[pos + 3] == "-" for pos, _ in marks)
    reader = _Reader(ParseResult(format="ris", encoding="", found=0), loose)
    reader.result.found = count_markers(text, marks)
    reader.piece(text, er_marks, 1)
    return reader.finish(name)


def parse_pieces(
    pieces: Iterable[str], name: str, loose: bool, sink: Callable[[list[Entry]], None]
) -> ParseResult:
    """:func:`parse` on a text given as consecutive pieces, each ending right after an ``ER``
    line (the last one anywhere), in bounded memory: the records go to ``sink`` in batches, in
    file order, and are not kept (``result.streamed`` counts them). ``loose``: whether any
    ``TY``/``ER`` line of the whole text has the one-space form (:func:`parse` decides it from
    the text). The same records, problems and ``found`` as :func:`parse` on the joined text:
    no record spans two pieces, and the marker count starts afresh after an ``ER`` line.
    """
    reader = _Reader(ParseResult(format="ris", encoding="", found=0), loose)
    lineno = 1
    for text in pieces:
        marks, er_marks = _marker_lines(text)
        reader.result.found += count_markers(text, marks)
        lineno = reader.piece(text, er_marks, lineno)
        reader.flush(sink, keep=1)  # tags after the last ER may still join the last record
    result = reader.finish(name)
    reader.flush(sink, keep=0)
    return result


def parse_piece(text: str, loose: bool) -> tuple[ParseResult, int, int, int]:
    """One piece of a text read on its own (:func:`review.io.readers.stream` gives each piece to
    a worker): ``(result, lines, no_er, orphans)``, the piece's records (positions and lines
    counted from 1 in the piece), problems and marker count, its number of lines, and the
    counts behind :func:`reader_warnings`. The same as :func:`parse_pieces` reads the piece
    when the piece starts at a clean cut: after an ``ER`` line, with ``TY`` the first tag line
    (so no tags after the ``ER`` join the record before, in another piece).
    """
    reader = _Reader(ParseResult(format="ris", encoding="", found=0), loose)
    marks, er_marks = _marker_lines(text)
    reader.result.found = count_markers(text, marks)
    lineno = reader.piece(text, er_marks, 1)
    if reader.cur is not None:  # the last piece may end inside a record
        reader.close(reader.cur, False)
        reader.cur = None
    return reader.result, lineno - 1, reader.no_er, reader.orphans


class _Reader:
    """The state of one parse: the open record, the records and problems so far."""

    __slots__ = (
        "cur",
        "cur_clean",
        "cur_has_ty",
        "entries",
        "flushed",
        "last_pairs",
        "line_pattern",
        "loose",
        "no_er",
        "orphans",
        "result",
        "start",
        "strict",
        "tag_pattern",
    )

    def __init__(self, result: ParseResult, loose: bool) -> None:
        self.result = result
        self.entries = result.entries
        self.flushed = 0  # entries handed to a sink (parse_pieces)
        self.loose = loose
        self.line_pattern = _LINE_LOOSE if loose else _LINE
        self.tag_pattern = _TAG_LINE_LOOSE if loose else _TAG_LINE
        self.cur: Sequence[tuple[str, str]] | None = None
        self.cur_has_ty = False
        self.cur_clean = False  # every value of the open record is clean text already
        self.strict = not loose
        self.start = 0
        self.no_er = 0
        self.orphans = 0
        self.last_pairs: tuple[tuple[str, str], ...] = ()

    def piece(self, text: str, er_marks: list[tuple[int, str]], lineno: int) -> int:
        """Read ``text`` (a whole RIS text, or a piece of one that starts at a line) whose first
        line is line ``lineno``; returns the number of the line after it."""
        pos = 0
        size = len(text)
        for er in _er_lines(text, self.loose, er_marks):
            n_lines = text.count("\n", pos, er)
            if er > pos and not self.record(text, pos, er - 1, lineno, n_lines):
                self.lines(text, pos, er - 1, lineno)
            lineno += n_lines
            self.er_line(lineno)
            pos = text.find("\n", er) + 1 or size + 1
            lineno += 1
        if pos <= size:
            self.lines(text, pos, size, lineno)
            lineno += text.count("\n", pos, size)
        return lineno

    def flush(self, sink: Callable[[list[Entry]], None], keep: int) -> None:
        """Hand all but the last ``keep`` records to ``sink`` and let them go."""
        entries = self.entries
        n = len(entries) - keep
        if n > 0:
            sink(entries[:n])
            del entries[:n]
            self.flushed += n
            self.result.streamed += n

    def record(self, text: str, pos: int, end: int, lineno: int, n_lines: int) -> bool:
        """Read the ``n_lines`` lines of ``text[pos:end]`` (the lines before an ``ER`` line) if
        they are one plain record: blank lines, then a ``TY`` line and tag lines only, no other
        ``TY``, no value ending in white space. False otherwise (nothing read: the caller reads
        it line by line)."""
        while pos < end and text[pos] == "\n":
            pos += 1
            lineno += 1
            n_lines -= 1
        pairs = self.tag_pattern.findall(text, pos, end)
        if not pairs or len(pairs) != n_lines:
            return False
        tags, values = zip(*pairs, strict=True)
        if tags[0] != "TY" or tags.count("TY") != 1:
            return False
        self.cur = tuple(zip(map(_TAGS.__getitem__, tags), values, strict=True))
        self.cur_has_ty = True
        self.cur_clean = self.strict and _clean_values(text[pos:end], len(pairs))
        self.start = lineno
        return True

    def lines(self, text: str, pos: int, end: int, first_line: int) -> None:
        """Read ``text[pos:end]`` line by line, from the start of the file or an ``ER`` line (no
        record is open) to the next ``ER`` line (read by :meth:`er_line`) or the end."""
        cur: list[tuple[str, str]] | None = None
        only_ty = False  # the open record has only TY lines so far (O(1), not a scan per line)
        chunks = _line_chunks(text, self.line_pattern, pos, end)
        for lineno, (tag, value, other) in enumerate(chain.from_iterable(chunks), first_line):
            if tag:
                tag = _TAGS[tag]  # one shared string per tag
                if value.endswith(_TRAILING):
                    value = value.rstrip()
                if tag == "TY" and cur is not None:
                    if only_ty:
                        cur.append((tag, value))  # repeated TY lines: one record
                        continue
                    self.close(cur, False)
                    cur = None
                if cur is None:
                    cur = []
                    self.cur_has_ty = tag == "TY"
                    self.cur_clean = False
                    only_ty = True
                    self.start = lineno
                if tag != "TY":
                    only_ty = False
                cur.append((tag, value))
            elif cur is not None:
                extra = other.strip()
                if extra.startswith("PMID") and (pm := _PMID_LINE.match(extra)):
                    cur.append(("PMID", pm.group(1)))  # "PMID - 123" written by some tools
                elif extra and cur:
                    last_tag, last_value = cur[-1]
                    if last_tag in _MULTI_LINE_LIST_TAGS:
                        cur.append((last_tag, extra))
                    else:
                        cur[-1] = (last_tag, f"{last_value} {extra}" if last_value else extra)
        self.cur = cur

    def er_line(self, lineno: int) -> None:
        if self.cur is None:
            self.result.problems.append(
                Problem(lineno, "an ER line closes no record (empty record); ignored")
            )
        else:
            self.close(self.cur, True)
            self.cur = None

    def close(self, cur: Sequence[tuple[str, str]], ended_by_er: bool) -> None:
        entries = self.entries
        if not ended_by_er and not self.cur_has_ty and entries:
            # Tags after an ER and before the next TY (Ovid writes ``NL`` there): they belong
            # to the record before, not to a record of their own.
            self.orphans += 1
            self.last_pairs = raw = (*self.last_pairs, *cur)
            last = entries[-1]
            mapped, original_id = map_ris(raw)
            entries[-1] = make_entry(last.position, last.line, original_id, mapped, raw)
            return
        if not ended_by_er:
            self.no_er += 1
        self.last_pairs = raw = tuple(cur)
        mapped, original_id = map_ris(raw)
        entry = make_entry(
            self.flushed + len(entries) + 1,
            self.start,
            original_id,
            mapped,
            raw,
            clean=self.cur_clean,
        )
        entries.append(entry)

    def finish(self, name: str) -> ParseResult:
        if self.cur is not None:
            self.close(self.cur, False)
            self.cur = None
        result = self.result
        result.warnings += reader_warnings(name, self.no_er, self.orphans)
        return result


def reader_warnings(name: str, no_er: int, orphans: int) -> list[str]:
    """The warnings of a reading with ``no_er`` records without ``ER`` and ``orphans`` groups of
    tags between ``ER`` and the next ``TY``."""
    out = []
    if no_er:
        out.append(
            f"{name}: {no_er} record(s) without a closing ER line; read up to the next record."
        )
    if orphans:
        out.append(
            f"{name}: {orphans} group(s) of tags between ER and the next TY were added to the "
            "record before them."
        )
    return out
