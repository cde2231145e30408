"""Ovid's own citation export (``<1>`` record markers, then ``Field name`` lines with indented
values), as saved from Ovid MEDLINE/Embase/PsycINFO in "Ovid" or "Citation" text format.
``found`` counts the ``<N>`` marker lines.
"""

from __future__ import annotations

import re
from typing import Any

from review.io.readers.base import ParseResult, make_entry

_MARKER = re.compile(r"^<\d+>\s*$", re.M)
_TITLE_SUFFIX = re.compile(r"\s*\[[A-Za-z ]+\]\s*$")
_AUTHOR_NOISE = re.compile(
    r",?\s+(?:\d+|[*+]|MD|PhD|RN|FAAN|MSc|MPH|BSc|MA|MS|DrPH|Dr|Prof|\[Ed\])(?=[\s,]|$)"
)
_SOURCE_JOURNAL = re.compile(r"^(.*?)\.(?:\s|$)")
_SOURCE_VIP = re.compile(r"\b(\d+)(?:\(([^)]*)\))?:\s*([\w]+(?:-[\w]+)?)")
_ISSN = re.compile(r"\b\d{4}-\d{3}[\dXx]\b")

FIELD_MAP = {
    "title": ("title", "chapter title", "book title"),
    "abstract": ("abstract",),
    "authors": ("authors", "author"),
    "year": ("year of publication", "publication year", "date of publication", "source"),
    "journal": ("journal name", "journal title", "source"),
    "doi": ("digital object identifier", "doi", "digital object identifier (doi)"),
    "keywords": ("author keywords", "keyword heading", "keywords", "mesh subject headings"),
    "language": ("language",),
    "type": ("publication type", "document type"),
    "issn": ("issn", "issn print", "issn electronic"),
    "isbn": ("isbn",),
    "url": ("url", "link to the ovid full text or citation"),
    "pmid": ("pubmed id", "pmid"),
}


def count_markers(text: str) -> int:
    return len(_MARKER.findall(text))


def _split_people(value: str) -> list[str]:
    people = []
    for part in re.split(r";\s*|\s{2,}", value):
        part = _AUTHOR_NOISE.sub("", " " + part).strip(" ,")
        if part and part != "-":
            people.append(part)
    return people


def map_ovid(fields: dict[str, list[str]]) -> tuple[dict[str, Any], str]:
    def get(key: str) -> str:
        for name in FIELD_MAP[key]:
            if fields.get(name):
                return " ".join(fields[name])
        return ""

    source = " ".join(fields.get("source", []))
    journal = get("journal")
    if journal == source and source:
        m = _SOURCE_JOURNAL.match(source)
        journal = m.group(1) if m else source
    title = _TITLE_SUFFIX.sub("", get("title"))
    keywords = [k for k in re.split(r";\s*", get("keywords").rstrip(".")) if k.strip()]
    vip = _SOURCE_VIP.search(source)
    mapped: dict[str, Any] = {
        "volume": vip.group(1) if vip else "",
        "issue": (vip.group(2) or "") if vip else "",
        "pages": vip.group(3) if vip else "",
        "type": get("type"),
        "title": title,
        "abstract": get("abstract"),
        "authors": _split_people(get("authors")),
        "year": get("year"),
        "journal": journal,
        "doi": get("doi"),
        "pmid": get("pmid") if get("pmid").isdigit() else "",
        "issn": _ISSN.findall(get("issn")),
        "isbn": get("isbn"),
        "keywords": keywords,
        "url": get("url"),
        "language": get("language").rstrip("."),
    }
    original_id = (
        " ".join(fields.get("unique identifier", []))
        or " ".join(fields.get("accession number", []))
    ).rstrip(".")
    return mapped, original_id


def parse(text: str, name: str = "<text>") -> ParseResult:
    result = ParseResult(format="ovid", encoding="", found=count_markers(text))
    lines = text.split("\n")
    record: dict[str, list[str]] | None = None
    raw: list[tuple[str, str]] = []
    start = 0
    field: str | None = None

    def emit() -> None:
        if record is None:
            return
        mapped, original_id = map_ovid(record)
        result.entries.append(
            make_entry(len(result.entries) + 1, start, original_id, mapped, tuple(raw))
        )

    for lineno, line in enumerate(lines, start=1):
        if _MARKER.match(line):
            emit()
            record, raw, start, field = {}, [], lineno, None
            continue
        if record is None or not line.strip():
            continue
        if line[:1].isspace():
            if field is not None:
                value = line.strip()
                record.setdefault(field, []).append(value)
                raw.append((field, value))
        else:
            field = line.strip().rstrip(":").lower()
    emit()
    return result
