"""RIS, written as a fast line-based state machine (no rispy: it silently drops records).

Handles the dialects of PubMed, Scopus, Web of Science, EBSCO, Ovid, ProQuest, Embase, Zotero,
EndNote, Mendeley, Covidence and Rayyan: ``TY  - `` / ``TY - `` tag lines, ``ER`` with or
without trailing text, repeated tags, continuation lines (a continuation of ``KW`` is another
keyword, as Rayyan writes them; otherwise the text joins the previous value), records without
``TY`` (they start at the first tag after ``ER``), a last record without ``ER``, and
extraneous text between records (``Record #1 of 2``, ``1.``), which is ignored.

``found`` counts ``TY``/``ER`` markers with a separate regular-expression scan: every ``TY`` opens
a record, and an ``ER`` that closes no opened record counts as one more (a record without ``TY``).
"""

from __future__ import annotations

import re
from typing import Any

from review.io.readers import ParseResult, Problem, make_entry

_MARKER = re.compile(r"^(TY|ER) {1,2}-", re.M)
_TY_TY = re.compile(r"^TY {1,2}-[^\n]*\n(?:[ \t]*\n)*(?=TY {1,2}-)", re.M)
_PMID_LINE = re.compile(r"^PMID\s*-\s*(\d+)\s*$")
_LOOSE_TAG = re.compile(r"^([A-Z][A-Z0-9]) {1,3}-(?: (.*)|\s*)$")
_MULTI_LINE_LIST_TAGS = frozenset({"KW", "DE"})
_ISSN = re.compile(r"^\d{4}-?\d{3}[\dXx]$")

# RIS tag -> field, in order of preference (first non-empty wins for single-valued fields).
TITLE_TAGS = ("TI", "T1", "CT")
ABSTRACT_TAGS = ("AB", "N2")
AUTHOR_TAGS = frozenset({"AU", "A1"})
YEAR_TAGS = ("PY", "Y1", "DA")
JOURNAL_TAGS = ("T2", "JF", "JO", "BT", "JA", "J2", "J1", "T3")
ISSUE_TAGS = ("IS", "CP")
URL_TAGS = ("UR", "L2", "L1", "LK")
ID_TAGS = ("ID", "AN")


def count_markers(text: str) -> int:
    """Records in an RIS text by counting ``TY``/``ER`` marker lines only."""
    count = 0
    open_ = False
    repeated = {m.end() for m in _TY_TY.finditer(text)}
    for m in _MARKER.finditer(text):
        if m.start() in repeated:
            continue  # a TY right after a TY line: one record with two type lines
        if m.group(1) == "TY":
            count += 1
            open_ = True
        else:
            if not open_:
                count += 1
            open_ = False
    return count


def _first(d: dict[str, list[str]], tags: tuple[str, ...]) -> str:
    for t in tags:
        vals = d.get(t)
        if vals:
            return vals[0]
    return ""


def map_ris(pairs: list[tuple[str, str]]) -> tuple[dict[str, Any], str]:
    """RIS (tag, value) pairs -> (fields for normalisation, original id)."""
    d: dict[str, list[str]] = {}
    authors: list[str] = []
    for tag, value in pairs:
        if not value:
            continue
        d.setdefault(tag, []).append(value)
        if tag in AUTHOR_TAGS:
            authors.append(value)
    ty = _first(d, ("TY",))
    title = _first(d, TITLE_TAGS)
    if not title and ty.upper() in ("BOOK", "EBOOK", "EDBOOK"):
        title = _first(d, ("BT",))
    if not title:
        title = _first(d, ("ST",))
    journal_tags = JOURNAL_TAGS
    if "BT" in d and d["BT"][0] == title:
        journal_tags = tuple(t for t in JOURNAL_TAGS if t != "BT")
    abstract_tag = next((t for t in ABSTRACT_TAGS if t in d), None)
    mapped: dict[str, Any] = {
        "type": ty,
        "title": title,
        "abstract": d[abstract_tag] if abstract_tag else "",
        "authors": authors,
        "year": _first(d, YEAR_TAGS),
        "journal": _first(d, journal_tags),
        "volume": _first(d, ("VL",)),
        "issue": _first(d, ISSUE_TAGS),
        "start_page": _first(d, ("SP",)),
        "end_page": _first(d, ("EP",)),
        "doi": d.get("DO", []),
        "keywords": d.get("KW", []),
        "url": _first(d, URL_TAGS),
        "language": _first(d, ("LA",)),
    }
    alt = list(d.get("M3", [])) + list(d.get("N1", []))
    alt += [u for t in ("UR", "L3", "L2") for u in d.get(t, []) if "doi" in u.lower()]
    mapped["doi_alt"] = alt
    issn: list[str] = []
    isbn: list[str] = []
    for sn in d.get("SN", []):
        for part in re.split(r"[;\s]+(?:\(.*?\)\s*)?", sn):
            part = part.strip(" ,;()")
            if not part or part.lower() in ("print", "electronic", "linking"):
                continue
            if _ISSN.match(part):
                issn.append(part.upper())
            elif len(re.sub(r"[^0-9Xx]", "", part)) in (10, 13):
                isbn.append(part)
    mapped["issn"] = issn
    mapped["isbn"] = isbn
    if d.get("PMID"):
        mapped["pmid"] = d["PMID"][0]
    an = _first(d, ("AN",))
    db = " ".join(d.get("DB", []) + d.get("DP", [])).lower()
    if not d.get("PMID") and an.isdigit() and len(an) <= 9 and ("medline" in db or "pubmed" in db):
        mapped["pmid"] = an
    return mapped, _first(d, ID_TAGS)


def parse(text: str, name: str = "<text>") -> ParseResult:
    result = ParseResult(format="ris", encoding="", found=count_markers(text))
    entries = result.entries
    tag_cache: dict[str, str] = {}
    cur: list[tuple[str, str]] | None = None
    cur_has_ty = False
    start = 0
    no_er = 0
    orphans = 0
    last_pairs: list[tuple[str, str]] = []

    def close(ended_by_er: bool) -> None:
        nonlocal last_pairs, no_er, orphans
        assert cur is not None
        if not ended_by_er and not cur_has_ty and entries:
            # Tags after an ER and before the next TY (Ovid writes ``NL`` there): they belong
            # to the record before, not to a record of their own.
            orphans += 1
            last_pairs = last_pairs + cur
            last = entries[-1]
            mapped, original_id = map_ris(last_pairs)
            entries[-1] = make_entry(
                last.position, last.line, original_id, mapped, tuple(last_pairs)
            )
            return
        if not ended_by_er:
            no_er += 1
        _emit(entries, cur, start)
        last_pairs = cur

    for lineno, line in enumerate(text.split("\n"), start=1):
        tag = None
        c0 = line[:2]
        if line[2:5] == "  -" and c0.isupper() and c0.isalnum() and c0.isascii():
            tag = tag_cache.get(c0) or tag_cache.setdefault(c0, c0)
            value = line[5:].strip()
        elif line[2:4] == " -" and c0.isupper() and c0.isascii():
            m = _LOOSE_TAG.match(line)
            if m:
                tag = tag_cache.get(c0) or tag_cache.setdefault(c0, c0)
                value = (m.group(2) or "").strip()
        if tag is not None:
            if tag == "ER":
                if cur is None:
                    result.problems.append(
                        Problem(lineno, "an ER line closes no record (empty record); ignored")
                    )
                else:
                    close(True)
                    cur = None
                continue
            if tag == "TY" and cur is not None:
                if cur and all(t == "TY" for t, _ in cur):
                    cur.append((tag, value))  # repeated TY lines: one record
                    continue
                close(False)
                cur = None
            if cur is None:
                cur = []
                cur_has_ty = tag == "TY"
                start = lineno
            cur.append((tag, value))
        elif cur is not None:
            extra = line.strip()
            if extra.startswith("PMID") and (pm := _PMID_LINE.match(extra)):
                cur.append(("PMID", pm.group(1)))  # "PMID - 123" written by some tools
            elif extra and cur:
                last_tag, last_value = cur[-1]
                if last_tag in _MULTI_LINE_LIST_TAGS:
                    cur.append((last_tag, extra))
                else:
                    cur[-1] = (last_tag, f"{last_value} {extra}" if last_value else extra)
    if cur is not None:
        close(False)
    if no_er:
        result.warnings.append(
            f"{name}: {no_er} record(s) without a closing ER line; read up to the next record."
        )
    if orphans:
        result.warnings.append(
            f"{name}: {orphans} group(s) of tags between ER and the next TY were added to the "
            "record before them."
        )
    return result


def _emit(entries: list, pairs: list[tuple[str, str]], line: int) -> None:
    mapped, original_id = map_ris(pairs)
    entries.append(make_entry(len(entries) + 1, line, original_id, mapped, tuple(pairs)))
