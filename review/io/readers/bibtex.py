"""BibTeX / BibLaTeX through bibtexparser v2, with LaTeX decoded to Unicode.

``found`` counts ``@type{`` / ``@type(`` markers at line starts (not ``@comment``, ``@string``,
``@preamble``) with a regular expression. Blocks bibtexparser cannot parse become problems with
their line; entries it parses but that duplicate an earlier key are kept (bibtexparser reports
them as failed blocks: we take their entry back).
"""

from __future__ import annotations

import re
from typing import Any

from review.errors import InputError
from review.io.readers.base import ParseResult, Problem, make_entry

_MARKER = re.compile(r"^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*[{(]", re.M)
_NOT_ENTRIES = frozenset({"comment", "string", "preamble"})
_BRACES = re.compile(r"[{}]")


_SCAN = re.compile(r"[{}]|@[ \t]*([A-Za-z]+)[ \t]*[{(]")
# Deeper brace nesting than any real entry has (a few levels); deeper input is refused before
# the parser sees it (10 MB of nested braces made it use gigabytes).
MAX_BRACE_DEPTH = 100


def scan(text: str) -> tuple[int, int, int]:
    """``(entries, deepest brace nesting, offset where it was reached)`` in one linear pass.

    An entry is an ``@type{`` / ``@type(`` outside braces (not ``@comment``, ``@string``,
    ``@preamble``), wherever it is on its line: a file with every entry on one line counts
    right.
    """
    count = depth = deepest = at = 0
    for m in _SCAN.finditer(text):
        word = m.group(1)
        if word is not None:
            if depth == 0 and word.lower() not in _NOT_ENTRIES:
                count += 1
            if not m.group(0).endswith("{"):
                continue
        elif m.group(0) == "}":
            depth = depth - 1 if depth > 0 else 0
            continue
        depth += 1
        if depth > deepest:
            deepest, at = depth, m.start()
            if deepest > MAX_BRACE_DEPTH:
                break
    return count, deepest, at


def count_markers(text: str) -> int:
    return scan(text)[0]


def _plain(value: Any) -> str:
    return _BRACES.sub("", str(value)) if value is not None else ""


def _split_keywords(value: str) -> list[str]:
    sep = ";" if ";" in value else ","
    return [k for k in value.split(sep) if k.strip()]


def map_bibtex(entry_type: str, fields: dict[str, str]) -> dict[str, Any]:
    f = {k.lower(): str(v) if v is not None else "" for k, v in fields.items()}

    def first(*keys: str) -> str:
        for k in keys:
            if f.get(k, "").strip():
                return f[k]
        return ""

    et = entry_type.lower()
    journal_keys: tuple[str, ...] = (
        "journal", "journaltitle", "booktitle", "series", "howpublished"
    )  # fmt: skip
    if et in ("book", "booklet"):
        journal_keys = ("series",)
    return {
        "type": first("type") if et == "misc" and first("type") else et,
        "title": first("title"),
        "abstract": first("abstract"),
        "authors": [a for a in re.split(r"\s+and\s+", first("author")) if a.strip()],
        "year": first("year", "date"),
        "journal": first(*journal_keys),
        "volume": first("volume"),
        "issue": first("number", "issue"),
        "pages": first("pages"),
        "doi": [first("doi"), first("url")],
        "pmid": first("pmid", "pubmed"),
        "issn": first("issn"),
        "isbn": first("isbn"),
        "keywords": _split_keywords(first("keywords", "keyword", "author_keywords")),
        "url": first("url"),
        "language": first("language", "langid"),
    }


_FIELD_START = re.compile(r"^\s*,?\s*([A-Za-z][\w:.+-]*)\s*=\s*", re.M)
_HEAD = re.compile(r"@\s*([A-Za-z]+)\s*[{(]\s*([^,\s]*)\s*,")


def _one_line(err: object) -> str:
    return " ".join(str(err or "syntax error").split())[:120] or "syntax error"


def _lenient_entry(lines: list[str], start_line: int, raw: str) -> Any:
    """Fields of a broken entry, read line by line up to the next ``@entry`` (or None).

    Several entries on one line: only the block's own text (``raw``) is read, so a long line of
    broken entries costs linear, not quadratic, time.
    """
    from bibtexparser.model import Entry as BibEntry
    from bibtexparser.model import Field

    chunk_lines: list[str] = []
    for i in range(start_line, len(lines)):
        if i > start_line and _MARKER.match(lines[i]):
            break
        chunk_lines.append(lines[i])
        if len(chunk_lines) > 1000:
            break
    chunk = "\n".join(chunk_lines)
    if len(_MARKER.findall(chunk[:200_000])) > 1 or len(chunk) > 4 * len(raw) + 10_000:
        chunk = raw
    head = _HEAD.search(chunk)
    if head is None:
        return None
    body = chunk[head.end() :]
    starts = list(_FIELD_START.finditer(body))
    fields = []
    for k, m in enumerate(starts):
        end = starts[k + 1].start() if k + 1 < len(starts) else len(body)
        value = body[m.end() : end].strip()
        if k + 1 == len(starts) and value[-1:] in ("}", ")"):
            value = value[:-1].rstrip()  # the entry's closing brace
        value = value.rstrip(",").strip()
        if len(value) >= 2 and value[0] == "{" and value[-1] == "}":
            value = value[1:-1]
        elif len(value) >= 2 and value[0] == '"' and value[-1] == '"':
            value = value[1:-1]
        fields.append(Field(m.group(1).lower(), _plain(value).strip()))
    if not fields:
        return None
    return BibEntry(head.group(1).lower(), head.group(2), fields, start_line=start_line)


_LATEX_SIGNIFICANT = re.compile(r"[\\{}$~%]|--|''|``|[?!]`|,,|<<|>>")
_BARE_SPECIAL = re.compile(r"(?<!\\)[%&]")


def _latex_decoder() -> Any:
    """bibtexparser's LaTeX-to-Unicode middleware, made fast and safe for plain values.

    pylatexenc costs milliseconds per value, so values with nothing LaTeX would change are
    passed through untouched (identical result, ~4x faster on typical exports). A bare ``%``
    (``50% of``, URLs) would start a LaTeX comment and silently drop the rest of the line, and
    a bare ``&`` (``Wiley & Sons``) would become spaces: both are read as the literal
    characters instead.
    """
    from bibtexparser import middlewares as mw

    class _Decoder(mw.LatexDecodingMiddleware):
        def _transform_python_value_string(self, python_string: str) -> tuple[str, str]:
            if not _LATEX_SIGNIFICANT.search(python_string):
                return python_string, ""
            if "%" in python_string or "&" in python_string:
                python_string = _BARE_SPECIAL.sub(r"\\\g<0>", python_string)
            return super()._transform_python_value_string(python_string)

    return _Decoder()


def parse(text: str, name: str = "<text>") -> ParseResult:
    import logging

    import bibtexparser
    from bibtexparser.model import DuplicateBlockKeyBlock
    from bibtexparser.model import Entry as BibEntry

    found, deepest, at = scan(text)
    if deepest > MAX_BRACE_DEPTH:
        raise InputError(
            f"has braces nested more than {MAX_BRACE_DEPTH} levels deep (an unclosed {{ ?); "
            "no real BibTeX entry does. Refused; check the file (or re-export it).",
            file=name,
            line=text.count("\n", 0, at) + 1,
        )
    result = ParseResult(format="bibtex", encoding="", found=found)
    lines: list[str] = []  # split once, on the first broken entry
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # its messages become our problems/warnings instead
    try:
        lib = bibtexparser.parse_string(text, append_middleware=[_latex_decoder()])
    finally:
        logger.setLevel(level)
    items: list[tuple[int, Any]] = [(e.start_line or 0, e) for e in lib.entries]
    for block in lib.failed_blocks:
        kept = getattr(block, "ignore_error_block", None)
        if isinstance(kept, BibEntry):
            items.append((block.start_line or kept.start_line or 0, kept))
            why = "key used twice" if isinstance(block, DuplicateBlockKeyBlock) else "a field twice"
            result.warnings.append(
                f"{name}: line {(block.start_line or 0) + 1}: entry {kept.key!r} has {why}; kept."
            )
            continue
        raw = (block.raw or "").strip()
        if not _MARKER.search(raw) or (
            (m := _MARKER.search(raw)) is not None and m.group(1).lower() in _NOT_ENTRIES
        ):
            continue
        err = getattr(block, "error", None)
        start = block.start_line or 0
        if not lines:
            lines = text.split("\n")
        lenient = _lenient_entry(lines, start, raw)
        if lenient is not None:
            items.append((start, lenient))
            result.warnings.append(
                f"{name}: line {start + 1}: entry {lenient.key!r} is not valid BibTeX "
                f"({_one_line(err)}); its fields were read leniently. Check them."
            )
            continue
        result.problems.append(
            Problem(
                start + 1,
                f"BibTeX entry cannot be parsed ({_one_line(err)}): {raw[:60]!r}",
                position=len(items) + len(result.problems) + 1,
            )
        )
    items.sort(key=lambda t: t[0])
    for pos, (start, e) in enumerate(items, start=1):
        fields = {fld.key: fld.value for fld in e.fields}
        raw_pairs = (
            ("ENTRYTYPE", e.entry_type),
            ("ID", e.key),
            *((k, str(v)) for k, v in fields.items()),
        )
        mapped = map_bibtex(e.entry_type, fields)
        result.entries.append(make_entry(pos, start + 1, e.key, mapped, raw_pairs))
    return result
