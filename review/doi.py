"""The DOI: one pattern for every place that looks for one (readers, dedup, full-text matching).

A DOI is ``10.`` + a registrant code of 4 to 9 digits + ``/`` + a suffix without white space or
a double quote (old Wiley "SICI" DOIs hold ``<>()[];:``, so those stay). What surrounds a DOI in
running text comes off its end: ``.,;:'`` and a closing bracket the DOI does not open itself
(``(doi:10.1000/abc).`` -> ``10.1000/abc``, but ``10.1016/0022-1694(75)90034-2`` stays whole).
DOIs are compared in lower case (they are case-insensitive).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

DOI_PATTERN = r"10\.\d{4,9}/[^\s\"]+"
DOI = re.compile(DOI_PATTERN, re.IGNORECASE)
DOI_BYTES = re.compile(DOI_PATTERN.encode("ascii"), re.IGNORECASE)
_VALID = re.compile(r"10\.\d{4,9}/[^\s\"]{2,}")
_TRAILING = ".,;:'"
_OPENING = {")": "(", "]": "[", "}": "{", ">": "<"}


def tidy(found: str) -> str:
    """A matched DOI in lower case, without the punctuation of the text around it (the first
    character of the suffix always stays, so tidying a tidied DOI changes nothing)."""
    doi = found.lower()
    keep = doi.find("/") + 2
    while len(doi) > keep:
        last = doi[-1]
        if last in _TRAILING:
            doi = doi[:-1]
        elif last in _OPENING and doi.count(last) > doi.count(_OPENING[last]):
            doi = doi[:-1]
        else:
            break
    return doi


def find_doi(text: str) -> str:
    """The first DOI in ``text`` (``https://doi.org/10.1000/ABC.`` -> ``10.1000/abc``); '' if none."""
    m = DOI.search(text)
    return tidy(m.group(0)) if m else ""


def find_dois(data: bytes) -> Iterator[str]:
    """Every DOI in raw bytes (the head of a PDF or text file), tidied."""
    for m in DOI_BYTES.finditer(data):
        yield tidy(m.group(0).decode("ascii", "ignore"))


def is_valid_doi(doi: str) -> bool:
    """``doi`` (already tidied) is a whole DOI with a suffix of at least two characters."""
    return bool(_VALID.fullmatch(doi))
