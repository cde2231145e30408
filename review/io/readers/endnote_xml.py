"""EndNote XML (``<xml><records><record>…``), parsed with defusedxml: no entity expansion,
no external entities, no DTD tricks. ``found`` counts ``<record>`` start tags in the text.
"""

from __future__ import annotations

import re
from typing import Any

from review.errors import InputError
from review.io.readers.base import ParseResult, make_entry

_RECORD = re.compile(r"<record[\s>]")
_ISSN = re.compile(r"^\d{4}-?\d{3}[\dXx]$")


def _text(el: Any) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def _all(rec: Any, path: str) -> list[str]:
    return [t for t in (_text(e) for e in rec.findall(path)) if t]


def _one(rec: Any, *paths: str) -> str:
    for p in paths:
        for e in rec.findall(p):
            t = _text(e)
            if t:
                return t
    return ""


def map_record(rec: Any) -> tuple[dict[str, Any], str, tuple[tuple[str, str], ...]]:
    ref_type = rec.find("ref-type")
    type_name = ref_type.get("name", "") if ref_type is not None else ""
    isbn_field = _all(rec, "isbn")
    issn = [v for v in isbn_field if _ISSN.match(v.split()[0] if v.split() else "")]
    isbn = [v for v in isbn_field if v not in issn]
    mapped: dict[str, Any] = {
        "type": type_name,
        "title": _one(rec, "titles/title", "title"),
        "abstract": _one(rec, "abstract"),
        "authors": _all(rec, "contributors/authors/author"),
        "year": _one(rec, "dates/year", "dates/pub-dates/date"),
        "journal": _one(
            rec,
            "titles/secondary-title",
            "periodical/full-title",
            "titles/full-title",
            "periodical/abbr-1",
            "titles/alt-title",
        ),
        "volume": _one(rec, "volume"),
        "issue": _one(rec, "number", "issue"),
        "pages": _one(rec, "pages"),
        "doi": _all(rec, "electronic-resource-num") + _all(rec, "urls/related-urls/url"),
        "issn": issn,
        "isbn": isbn,
        "keywords": _all(rec, "keywords/keyword"),
        "url": _one(rec, "urls/related-urls/url", "urls/web-urls/url", "urls/pdf-urls/url"),
        "language": _one(rec, "language"),
    }
    acc = _one(rec, "accession-num")
    if acc.isdigit() and len(acc) <= 9 and "pubmed" in _one(rec, "remote-database-name").lower():
        mapped["pmid"] = acc
    raw: list[tuple[str, str]] = []
    for child in rec:
        value = _text(child)
        if value:
            raw.append((child.tag, value))
    original_id = _one(rec, "rec-number") or acc
    return mapped, original_id, tuple(raw)


def parse(text: str, name: str = "<text>") -> ParseResult:
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    starts = [m.start() for m in _RECORD.finditer(text)]
    result = ParseResult(format="endnote-xml", encoding="", found=len(starts))
    body = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # the text is already decoded
    try:
        root = fromstring(body)
    except DefusedXmlException as exc:
        raise InputError(
            f"contains XML entity or DTD declarations ({exc.__class__.__name__}); refused for "
            "safety. Export the library from EndNote again as XML.",
            file=name,
        ) from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise InputError(
            f"is not well-formed XML ({exc}). Export the library from EndNote again.",
            file=name,
            line=line,
        ) from None
    records = root.findall(".//record")
    for pos, rec in enumerate(records, start=1):
        mapped, original_id, raw = map_record(rec)
        line = text.count("\n", 0, starts[pos - 1]) + 1 if pos <= len(starts) else 0
        result.entries.append(make_entry(pos, line, original_id, mapped, raw))
    return result
