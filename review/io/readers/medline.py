"""PubMed MEDLINE / .nbib (also ERIC .nbib and MEDLINE saved with an .ris name).

Tags are up to four characters, padded: ``PMID- ``, ``TI  - ``, ``FAU - ``; continuation lines
are indented. A record starts at ``PMID-`` or at the first tag line after a blank line.
``found`` counts ``PMID-`` lines and blank-line separated tag blocks, whichever is larger.
"""

from __future__ import annotations

import re
from typing import Any

from review.io.readers.base import ParseResult, make_entry
from review.io.readers.normalize import group_tags

_TAG = re.compile(r"^([A-Z][A-Z0-9]{1,3}) *-(?: ?(.*))?$")
_PMID = re.compile(r"^PMID ?-", re.M)
_BLOCK = re.compile(r"(?:\A|\n[ \t]*\n)\s*(?=[A-Z][A-Z0-9]{1,3} *-)")
_ISSN = re.compile(r"\b\d{4}-\d{3}[\dXx]\b")
_LIST_TAGS = frozenset({"FAU", "AU", "OT", "MH", "PT", "AID", "LID", "IS", "ISBN", "CN"})


def count_markers(text: str) -> int:
    return max(len(_PMID.findall(text)), len(_BLOCK.findall(text)))


def map_medline(pairs: list[tuple[str, str]]) -> tuple[dict[str, Any], str]:
    d, first = group_tags(pairs)

    ids = d.get("AID", []) + d.get("LID", [])
    dois = [v for v in ids if "doi" in v.lower()] + [v for v in ids if v.startswith("10.")]
    urls = [v for v in ids if v.startswith("http") and "doi" not in v.lower()]
    issn: list[str] = []
    for v in d.get("IS", []) + d.get("ISSN", []):
        issn.extend(m.upper() for m in _ISSN.findall(v) if m.upper() not in issn)
    pts = d.get("PT", [])
    mapped: dict[str, Any] = {
        "type": ["book"] if "BTI" in d and "TI" not in d else pts,
        "title": " ".join(d.get("TI", [])) or first("BTI", "TT"),
        "abstract": d.get("AB", []),
        "authors": (d.get("FAU") or d.get("AU") or []) + d.get("CN", []),  # + group authors
        "year": first("DP", "DEP", "DA", "EDAT"),
        "journal": first("JT", "TA", "BTI", "SO"),
        "volume": first("VI"),
        "issue": first("IP"),
        "pages": first("PG"),
        "doi": dois,
        "pmid": first("PMID"),
        "issn": issn,
        "isbn": d.get("ISBN", []),
        "keywords": d.get("OT") or [m.lstrip("*") for m in d.get("MH", [])],
        "url": urls[0] if urls else "",
        "language": first("LA"),
    }
    return mapped, first("PMID", "OID", "PMC", "PMCR")


def parse(text: str, name: str = "<text>") -> ParseResult:
    result = ParseResult(format="medline", encoding="", found=count_markers(text))
    cur: list[tuple[str, str]] | None = None
    start = 0
    blank_before = True
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            blank_before = True
            continue
        m = _TAG.match(line) if not line[0].isspace() else None
        if m:
            tag, value = m.group(1), (m.group(2) or "").strip()
            if cur and (tag == "PMID" or blank_before):
                _emit(result, cur, start)
                cur = None
            if cur is None:
                cur = []
                start = lineno
            cur.append((tag, value))
        elif cur is not None and cur:
            tag, value = cur[-1]
            extra = line.strip()
            cur[-1] = (tag, f"{value} {extra}" if value else extra)
        blank_before = False
    if cur:
        _emit(result, cur, start)
    return result


def _emit(result: ParseResult, pairs: list[tuple[str, str]], line: int) -> None:
    mapped, original_id = map_medline(pairs)
    result.entries.append(
        make_entry(len(result.entries) + 1, line, original_id, mapped, tuple(pairs))
    )
