"""Web of Science / ISI plain text (``FN``, ``VR``, ``PT J`` ... ``ER``, ``EF``).

Also what WoS users save as ``.ris``, ``.ciw``, ``.isi`` or ``.txt``, and Zoological Record or
Inspec exports in the same tagged layout. Tags are two characters followed by one space;
continuation lines start with spaces. For author-like and reference tags every continuation
line is one more item; for other tags it continues the text.
``found`` counts ``PT`` lines and ``ER`` lines, whichever is larger.
"""

from __future__ import annotations

import re
from typing import Any

from review.io.readers.base import ParseResult, Problem, make_entry
from review.io.readers.normalize import group_tags

_PT = re.compile(r"^PT ", re.M)
_ER = re.compile(r"^ER\s*$", re.M)
_EMAIL = re.compile(r"\s*\([^()]*@[^()]*\)")
_LIST_TAGS = frozenset({"AU", "AF", "BA", "BF", "CA", "GP", "BE", "CR", "C1", "RI", "OI"})
_HEADER_TAGS = frozenset({"FN", "VR", "EF"})
_ISSN = re.compile(r"\b\d{4}-\d{3}[\dXx]\b")


def count_markers(text: str) -> int:
    return max(len(_PT.findall(text)), len(_ER.findall(text)))


def map_wos(pairs: list[tuple[str, str]]) -> tuple[dict[str, Any], str]:
    d, first = group_tags(pairs)

    authors = d.get("AF") or d.get("AU") or d.get("BA") or d.get("CA") or []
    authors = [_EMAIL.sub("", a) for a in authors]
    keywords = " ".join(d.get("DE", [])) or " ".join(d.get("ID", []))
    ut = first("UT")
    pmid = first("PM")
    if not pmid and ut.upper().startswith("MEDLINE:"):
        pmid = ut.split(":", 1)[1]
    issn: list[str] = []
    for v in d.get("SN", []) + d.get("EI", []):
        issn.extend(m.upper() for m in _ISSN.findall(v))
    mapped: dict[str, Any] = {
        "type": d.get("DT", []) + d.get("PT", []),
        "title": " ".join(d.get("TI", [])),
        "abstract": d.get("AB", []),
        "authors": authors,
        "year": first("PY", "EA", "PD"),
        "journal": first("SO", "SE", "BS"),
        "volume": first("VL"),
        "issue": first("IS"),
        "start_page": first("BP"),
        "end_page": first("EP"),
        "pages": first("PS") or ("" if first("BP") else first("AR")),
        "doi": d.get("DI", []) + d.get("D2", []),
        "pmid": pmid,
        "issn": issn,
        "isbn": d.get("BN", []),
        "keywords": keywords,
        "url": first("UR"),
        "language": first("LA"),
    }
    return mapped, ut or first("AN")


def parse(text: str, name: str = "<text>") -> ParseResult:
    result = ParseResult(format="wos", encoding="", found=count_markers(text))
    cur: list[tuple[str, str]] | None = None
    start = 0
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        if line[:1].isspace():
            if cur:
                tag, value = cur[-1]
                extra = line.strip()
                if tag in _LIST_TAGS:
                    cur.append((tag, extra))
                else:
                    cur[-1] = (tag, f"{value} {extra}" if value else extra)
            continue
        tag = line[:2]
        if not (tag.isupper() and tag.isalnum() and (len(line) == 2 or line[2] == " ")):
            if cur is not None:
                result.problems.append(
                    Problem(lineno, f"not a Web of Science tag line: {line[:40]!r}; ignored")
                )
            continue
        value = line[3:].strip()
        if tag in _HEADER_TAGS:
            continue
        if tag == "ER":
            if cur:
                _emit(result, cur, start)
            cur = None
            continue
        if tag == "PT" and cur:
            _emit(result, cur, start)  # previous record had no ER
            cur = None
        if cur is None:
            cur = []
            start = lineno
        cur.append((tag, value))
    if cur:
        _emit(result, cur, start)
    return result


def _emit(result: ParseResult, pairs: list[tuple[str, str]], line: int) -> None:
    mapped, original_id = map_wos(pairs)
    result.entries.append(
        make_entry(len(result.entries) + 1, line, original_id, mapped, tuple(pairs))
    )
