"""Tagged EndNote / Refer (``.enw``, ``.enl`` text, AIS eLibrary): ``%0 Journal Article``,
``%A Surname, Given``, ``%T Title`` ... Records are separated by blank lines; a second ``%0``
(record type) line in a block also starts a new record. ``found`` counts, per blank-line
separated block, its ``%0`` lines (at least one).
"""

from __future__ import annotations

import re
from typing import Any

from review.io.readers.base import ParseResult, make_entry
from review.io.readers.normalize import group_tags

_TAG = re.compile(r"^%([A-Z0-9@!#$&()*+^~?\]|])(?: (.*))?$")


def count_markers(text: str) -> int:
    count = 0
    for block in re.split(r"\n[ \t]*\n", text):
        tags = [ln[:2] for ln in block.split("\n") if ln.startswith("%")]
        if not tags:
            continue
        count += max(1, sum(1 for t in tags if t == "%0"))
    return count


def map_enw(pairs: list[tuple[str, str]]) -> tuple[dict[str, Any], str]:
    d, first = group_tags(pairs)

    mapped: dict[str, Any] = {
        "type": first("0"),
        "title": first("T"),
        "abstract": d.get("X", []),
        "authors": d.get("A", []),
        "year": first("D", "8"),
        "journal": first("J", "B"),
        "volume": first("V"),
        "issue": first("N"),
        "pages": first("P"),
        "doi": d.get("R", []) + d.get("U", []),
        "isbn": d.get("@", []),
        "keywords": [k for v in d.get("K", []) for k in re.split(r"[;\n]", v)],
        "url": first("U"),
        "language": first("G"),
    }
    return mapped, first("M", "F")


def parse(text: str, name: str = "<text>") -> ParseResult:
    result = ParseResult(format="endnote", encoding="", found=count_markers(text))
    cur: list[tuple[str, str]] = []
    start = 0
    has_type = False  # the open record has a %0 line (a flag, not a scan per line)
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            if cur:
                _emit(result, cur, start)
                cur = []
            continue
        m = _TAG.match(line)
        if m:
            tag, value = m.group(1), (m.group(2) or "").strip()
            if tag == "0" and has_type and cur:
                _emit(result, cur, start)
                cur = []
            if not cur:
                start = lineno
                has_type = False
            has_type = has_type or tag == "0"
            cur.append((tag, value))
        elif cur:
            tag, value = cur[-1]
            cur[-1] = (tag, f"{value} {line.strip()}".strip())
    if cur:
        _emit(result, cur, start)
    return result


def _emit(result: ParseResult, pairs: list[tuple[str, str]], line: int) -> None:
    mapped, original_id = map_enw(pairs)
    result.entries.append(
        make_entry(len(result.entries) + 1, line, original_id, mapped, tuple(pairs))
    )
