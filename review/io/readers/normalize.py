"""Normalisation of parsed field values into the shape of :class:`review.model.Record`.

Every reader maps its own tags/columns onto the names in :data:`review.model.FIELDS` (plus a few
helper names such as ``start_page``/``end_page``/``date``) with plain strings or lists of
strings as values; :func:`normalize_fields` turns that into clean values. Every normaliser is
idempotent (normalising twice gives the same result as once), which the export round-trip
relies on.

Long module: one small normaliser per field, shared by every reader; together they define what a
clean :class:`review.model.Record` holds.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Any

from review.doi import find_doi
from review.model import RECORD_TYPES

# Helper keys a reader may fill besides FIELDS; they are folded into FIELDS here.
EXTRA_KEYS = ("start_page", "end_page", "date", "journal_alt", "doi_alt", "author_list")

_WS = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ASCII_CONTROL = bytes(range(32)) + b"\x7f"
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>")
_INLINE_TAG = re.compile(
    r"(?i)</?(?:inf|sub|sup|i|b|em|strong|u|sc|scp|italic|bold|small|tt)(?:\s[^<>]*)?>"
)
_DOI_PREFIX = re.compile(
    r"^(?:https?://(?:dx\.)?doi\.org/|https?://doi\.org/|doi\.org/|doi:\s*|doi\s+)", re.I
)
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d|2100)(?!\d)")
_DASHES = re.compile(r"\s*(?:--|[-‐‑‒–—−])+\s*")
_DIGITS = re.compile(r"\d+")
_AND = re.compile(r"\s+and\s+")
_SPLIT_KW = re.compile(r"\s*;\s*")
_GIVEN_INITIALS = re.compile(r"^(?:[A-Z]\.?\s?)+$")
_INITIALS = re.compile(r"^[A-Z]{1,3}$")
_INITIAL_JOIN = re.compile(r"(?<=\b[A-Z]\.)(?=[A-Z][a-z'])")
_CAMEL_JOIN = re.compile(r"(?<=[a-z.])(?=[A-Z][a-z])")
_CORPORATE = re.compile(
    r"\b(?:organi[sz]ation|group|committee|institute|association|society|council|"
    r"collaboration|collaborative|consortium|agency|department|university|network|team|trust|"
    r"foundation|ministry|centre|center|investigators|office|board|commission|services?|"
    r"federation|alliance|panel|union|league|program(?:me)?|project|initiative|"
    r"authority|study|working|unit|college|academy|inc|ltd|gateway|coalition|bureau|"
    r"administration|clinic|hospital|institution|partnership|library)s?\b",
    re.I,
)
_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "du", "la", "le", "ter"}
)


def group_tags(pairs: list[tuple[str, str]]) -> tuple[dict[str, list[str]], Any]:
    """Group tagged-format (tag, value) pairs by tag, dropping empty values.

    Returns the mapping and ``first(*tags)``: the first value of the first tag present, or "".
    Shared by the MEDLINE, Web of Science and EndNote tagged readers.
    """
    d: dict[str, list[str]] = {}
    for tag, value in pairs:
        if value:
            d.setdefault(tag, []).append(value)

    def first(*tags: str) -> str:
        for t in tags:
            if d.get(t):
                return d[t][0]
        return ""

    return d, first


def clean_text(value: Any) -> str:
    """Whitespace collapsed and trimmed; lists are joined with a space."""
    if type(value) is not str:
        if value is None:
            return ""
        if isinstance(value, list | tuple):
            value = " ".join(str(v) for v in value if v is not None)
        else:
            value = str(value)
    if not value:
        return value
    if len(value) > 200 and value.isascii():
        # Long ASCII text (abstracts): dropping control bytes is faster than isprintable().
        clean = len(value.encode().translate(None, _ASCII_CONTROL)) == len(value)
    else:
        # Printable means no whitespace but " " and no control characters.
        clean = value.isprintable()
    if clean and "  " not in value:
        return value.strip(" ") if value[0] == " " or value[-1] == " " else value
    text = " ".join(value.split())  # str.split() and re's \s agree on what is whitespace
    if not text.isprintable():
        text = " ".join(_CONTROL.sub("", text).split())
    return text


def _until_fixed(fn: Any, text: str) -> str:
    while True:
        new = fn(text)
        if new == text:
            return text
        text = new


def strip_html(text: str) -> str:
    """Remove markup tags and decode entities, until nothing changes (idempotent)."""

    def once(t: str) -> str:
        if (
            "<" in t
        ):  # inline markup inside a word ("H<sub>2</sub>O", "Na<sup>+</sup>") leaves no gap
            t = _TAG.sub(" ", _INLINE_TAG.sub("", t))
        return html.unescape(t) if "&" in t else t

    return _until_fixed(once, text)


def norm_title(value: Any) -> str:
    """Whitespace collapsed, markup removed; the first of several values."""
    if type(value) is list:
        value = first_text(value)
    return _no_markup(clean_text(value))


def norm_abstract(value: Any) -> str:
    """Like a title, but repeated values (several AB lines) are joined, not dropped."""
    if type(value) is list and len(value) == 1:
        value = value[0]
    return _no_markup(clean_text(value))


def _no_markup(text: str) -> str:
    if "<" in text or "&" in text:
        return clean_text(strip_html(text))
    return text


def norm_doi(value: Any) -> str:
    """``https://doi.org/10.1/ABC`` -> ``10.1/abc``; the first DOI when several are given."""
    items = value if isinstance(value, list | tuple) else [value]
    for item in items:
        text = clean_text(item)
        if not text:
            continue
        if not text.startswith("10."):
            text = _DOI_PREFIX.sub("", text)
        doi = find_doi(text)
        if doi:
            return doi
    return ""


def norm_year(value: Any) -> int | None:
    """The first plausible year (1500-2100) in any date form; None when there is none."""
    if type(value) is str and len(value) == 4 and value.isdigit():
        year = int(value)
        return year if 1500 <= year <= 2100 else None
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1500 <= value <= 2100 else None
    if isinstance(value, float) and value.is_integer():
        return norm_year(int(value))
    items = value if isinstance(value, list | tuple) else [value]
    for item in items:
        text = clean_text(item)
        m = _YEAR.search(text)
        if m:
            return int(m.group(1))
    return None


def norm_pages(value: Any, start: Any = "", end: Any = "") -> str:
    """``376 -- 383`` / ``376–383`` / start+end -> ``376-383``."""
    text = clean_text(value)
    if not text:
        s, e = clean_text(start), clean_text(end)
        if s.isdigit() and e.isdigit():
            return f"{s}-{e}" if s != e else s  # fast path: numeric start and end
        text = f"{s}-{e}" if s and e and s != e else (s or e)
    text = _DASHES.sub("-", text).strip("-")
    return text


def norm_pmid(value: Any) -> str:
    if type(value) is str and (not value or value.isdigit()):
        return value
    text = clean_text(value)
    m = _DIGITS.search(text)
    return m.group(0) if m else ""


def _as_items(value: Any, sep: re.Pattern[str]) -> list[str]:
    if value is None:
        return []
    items = list(value) if isinstance(value, list | tuple) else [value]
    out: list[str] = []
    for item in items:
        if item is None:
            continue
        text = str(item).strip()
        if len(text) > 1 and text[0] == "[" and text[-1] == "]" and ("'" in text or '"' in text):
            out.extend(_python_list(text))
            continue
        if ";" in text or sep is not _SPLIT_KW:
            out.extend(p for p in sep.split(text) if p.strip())
        elif text:
            out.append(text)
    return out


def _python_list(text: str) -> list[str]:
    """``['a', 'b']`` as some CSV exports (asreview) write lists."""
    import ast

    try:
        parsed = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return [text]
    if isinstance(parsed, list | tuple):
        return [str(x) for x in parsed if str(x).strip()]
    return [text]


def _joined(items: list[Any]) -> str:
    """All items in one string (to test for separators at C speed); ";" when not all text."""
    try:
        return "\x1f".join(items)
    except TypeError:
        return ";"  # forces the general path


def norm_keywords(value: Any) -> tuple[str, ...]:
    if type(value) is list:
        joined = _joined(value)  # fast path: RIS KW lines with nothing to split
        if ";" not in joined and "[" not in joined:
            return tuple(filter(None, map(clean_text, value)))
    return tuple(k for k in (clean_text(x) for x in _as_items(value, _SPLIT_KW)) if k)


# "et al." / "et al" / "et alii" / "and others" closing a list, or standing for a name; also as
# an importer may have turned it round ("al., et").
_ET_AL = re.compile(r"(?:^|[\s,;]+)(?:et\.?\s*al(?:ii|ia)?\.?|and others)$|^al\.?,\s*et$", re.I)


@lru_cache(maxsize=1 << 16)
def norm_author(name: str) -> str:
    """One author as ``Surname, Given``.

    ``Smith, John`` stays; ``Smith JA`` (MEDLINE/WoS) -> ``Smith, J. A.``; ``John Smith`` ->
    ``Smith, John``; ``Ludwig van Beethoven`` -> ``van Beethoven, Ludwig``; organisations and
    single words stay as they are; ``et al.`` is no name (``""``, dropped by the callers) and
    is cut from the end of one (``Jones K et al.`` -> ``Jones, K.``).
    """
    text = clean_text(name).strip(" ,;")
    if "al" in text.lower() and _ET_AL.search(text):
        text = _ET_AL.sub("", text).strip(" ,;")  # "et al." is not a person: dropped
    if not text:
        return ""
    if "," in text:
        surname, _, given = text.partition(",")
        return _pair(surname, given)
    parts = text.split(" ")
    if len(parts) == 1 or len(parts) > 4 or _CORPORATE.search(text):
        return text  # one word, or an organisation ("World Health Organization")
    k = len(parts)
    while k > 1 and _INITIALS.match(parts[k - 1].replace(".", "")):
        k -= 1
    if k < len(parts):
        # "Smith JA" / "Smith J.A." / "O'Donnell C. P." / "van der Berg AB": surname first.
        return _pair(" ".join(parts[:k]), " ".join(parts[k:]))
    # "John Smith", "P. Kogge", "Ludwig van Beethoven": the surname starts at the first
    # particle, else it is the last word.
    start = len(parts) - 1
    for i in range(1, len(parts) - 1):
        if parts[i].lower() in _PARTICLES:
            start = i
            break
    return _pair(" ".join(parts[start:]), " ".join(parts[:start]))


def _pair(surname: str, given: str) -> str:
    """``Surname, Given`` with initials written ``J. A.`` (idempotent)."""
    surname, given = surname.strip(" ,"), given.strip(" ,")
    if not surname or not given:
        return surname or given
    if _GIVEN_INITIALS.match(given):
        letters = "".join(c for c in given if c.isupper())
        if len(letters) <= 4:
            given = _initials(letters)  # "JA", "J.A.", "J A" -> "J. A."
    return f"{surname}, {given}"


def _initials(letters: str) -> str:
    return " ".join(f"{c}." for c in letters)


def split_authors(value: Any) -> list[str]:
    """Split an author field into names.

    Lists (repeated RIS ``AU`` tags) are kept as given; a single string is split on `` and ``
    (BibTeX), ``;`` (CSV), or, for Scopus/Embase ``Smith J., Doe A.`` style, on ``., ``; a
    Springer-style ``Andy SmithTom Weber`` without separators is split at the case change.
    """
    if value is None:
        return []
    if isinstance(value, list | tuple):
        out: list[str] = []
        for item in value:
            item = item if type(item) is str else str(item)
            if _needs_split(item):
                out.extend(split_authors(item))
            elif item:
                out.append(item)
        return out
    text = clean_text(value)
    if not text:
        return []
    if text[0] == "[" and text[-1] == "]":
        return _python_list(text)
    if ";" not in text and _AND.search(text):
        return [p for p in _AND.split(text) if p.strip()]
    if ";" in text:
        return [p for p in text.split(";") if p.strip()]
    if "|" in text:
        return [p for p in text.split("|") if p.strip()]
    if "," in text:
        pieces = [p.strip() for p in text.split(",")]
        # "Liu R., Adler D.G." / "Smith A, Walter B" / "Joseph Rottman, Erran Carmel": each piece
        # is a whole name when most pieces have a space in them.
        with_space = sum(1 for p in pieces if " " in p)
        if len(pieces) > 2 and with_space >= len(pieces) - 1:
            return pieces
        if len(pieces) == 2 and all(" " in p for p in pieces):
            return pieces
        return [text]
    dotted = _INITIAL_JOIN.split(text)
    if len(dotted) > 1:
        return dotted  # "Tan A.Schulze A.O'Donnell C. P." (bib-dedupe tables)
    camel = _CAMEL_JOIN.split(text)
    if len(camel) > 1 and all(len(p.split()) >= 2 for p in camel):
        return camel
    return [text]


def _needs_split(text: str) -> bool:
    return ";" in text or ("and" in text and _AND.search(text) is not None)


def norm_authors(value: Any) -> tuple[str, ...]:
    if type(value) is list:
        joined = _joined(value)  # fast path: one name per item (RIS AU lines)
        if ";" not in joined and "and" not in joined and "[" not in joined:
            return tuple(filter(None, map(norm_author, value)))
    return tuple(filter(None, map(norm_author, split_authors(value))))


# ---- record types --------------------------------------------------------------------------

TYPE_MAP = {
    # RIS
    "jour": "article",
    "jfull": "article",
    "mgzn": "article",
    "news": "article",
    "abst": "article",
    "ejour": "article",
    "inpr": "article",
    "serial": "article",
    "ser": "article",
    "book": "book",
    "ebook": "book",
    "edbook": "book",
    "whole": "book",
    "chap": "chapter",
    "echap": "chapter",
    "conf": "conference",
    "cpaper": "conference",
    "cp": "conference",
    "thes": "thesis",
    "rprt": "report",
    "gov": "report",
    "govdoc": "report",
    "stand": "report",
    "elec": "webpage",
    "web": "webpage",
    "blog": "webpage",
    "icomm": "webpage",
    "data": "dataset",
    "dbase": "dataset",
    "aggr": "dataset",
    "unpb": "preprint",
    "manscpt": "preprint",
    # BibTeX
    "article": "article",
    "inbook": "chapter",
    "incollection": "chapter",
    "booklet": "book",
    "inproceedings": "conference",
    "proceedings": "conference",
    "conference": "conference",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "techreport": "report",
    "report": "report",
    "manual": "report",
    "online": "webpage",
    "www": "webpage",
    "webpage": "webpage",
    "misc": "other",
    "unpublished": "preprint",
    "preprint": "preprint",
    "dataset": "dataset",
    # WoS PT / DT, MEDLINE PT, CSV "Document Type"
    "j": "article",
    "b": "book",
    "s": "article",
    "p": "other",
    "c": "conference",
    "journal article": "article",
    "review": "article",
    "letter": "article",
    "editorial": "article",
    "editorial material": "article",
    "note": "article",
    "erratum": "article",
    "short survey": "article",
    "comment": "article",
    "meeting abstract": "conference",
    "proceedings paper": "conference",
    "conference paper": "conference",
    "conference review": "conference",
    "conference proceeding": "conference",
    "conference proceedings": "conference",
    "book chapter": "chapter",
    "chapter": "chapter",
    "book review": "article",
    "data paper": "dataset",
    "dissertation": "thesis",
    "journal": "article",
    "journals": "article",
    "magazine": "article",
    "magazines": "article",
    "early access": "article",
    "randomized controlled trial": "article",
    "clinical trial": "article",
    "systematic review": "article",
    "meta-analysis": "article",
    "case reports": "article",
    "comparative study": "article",
    "multicenter study": "article",
    "observational study": "article",
    "journal-article": "article",
    "book-chapter": "chapter",
    "proceedings-article": "conference",
    "posted-content": "preprint",
    "dissertation/thesis": "thesis",
    "book section": "chapter",
    "journal article (jour)": "article",
    "generic": "other",
    "computer program": "other",
    "web page": "webpage",
    "electronic article": "article",
    "electronic book": "book",
    "conference papers": "conference",
    "conference paper (cpaper)": "conference",
    # CSL-JSON
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "paper-conference": "conference",
    "post-weblog": "webpage",
    "post": "webpage",
    "manuscript": "preprint",
}

_ALLOWED_TYPES = frozenset(RECORD_TYPES)


def norm_type(value: Any) -> str:
    """Map a source's record type (RIS TY, BibTeX entry type, WoS PT, ...) to RECORD_TYPES."""
    if type(value) is str:
        return _norm_type_str(value)
    items = value if isinstance(value, list | tuple) else [value]
    return _norm_type_items(items)


@lru_cache(maxsize=4096)
def _norm_type_str(value: str) -> str:
    return _norm_type_items([value])


def _norm_type_items(items: Any) -> str:
    for item in items:
        text = clean_text(item).lower()
        if not text:
            continue
        if text in _ALLOWED_TYPES:
            return text
        if text in TYPE_MAP:
            return TYPE_MAP[text]
        for part in re.split(r"[;,]", text):
            part = part.strip()
            if part in TYPE_MAP:
                return TYPE_MAP[part]
        if "thesis" in text or "dissertation" in text:
            return "thesis"
        if "conference" in text or "proceeding" in text or "congress" in text:
            return "conference"
        if "chapter" in text:
            return "chapter"
        if "book" in text:
            return "book"
        if "article" in text or "journal" in text or "review" in text or "magazine" in text:
            return "article"
        if "report" in text:
            return "report"
    return "other"


def first_text(value: Any) -> str:
    """The first non-empty value of a list, whitespace collapsed."""
    if type(value) is str:
        return clean_text(value) if value else ""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        for item in value:
            text = clean_text(item)
            if text:
                return text
        return ""
    return clean_text(value)


_ISSN_ANY = re.compile(r"\b(\d{4})-?(\d{3}[\dXx])\b")
_ISSN_AS_IS = re.compile(r"\d{4}-\d{3}[\dX]\Z", re.ASCII)


def norm_issn(value: Any) -> str:
    """ISSNs as ``1234-567X`` joined by ``; `` (other text kept as given)."""
    if value is None or (type(value) is list and not value):
        return ""
    if type(value) is list and len(value) == 1 and type(value[0]) is str:
        if _ISSN_AS_IS.match(value[0]):
            return value[0]  # fast path: one ISSN written as it should be
    out: list[str] = []
    for item in _as_items(value, _SPLIT_KW):
        found = [f"{a}-{b.upper()}" for a, b in _ISSN_ANY.findall(item)]
        for v in found or [clean_text(item)]:
            if v and v not in out:
                out.append(v)
    return "; ".join(out)


def norm_isbn(value: Any) -> str:
    if value is None or (type(value) is list and not value):
        return ""
    out: list[str] = []
    for item in _as_items(value, _SPLIT_KW):
        v = clean_text(item)
        if v and v not in out:
            out.append(v)
    return "; ".join(out)


def normalize_fields(mapped: dict[str, Any], *, clean: bool = False) -> dict[str, Any]:
    """Clean values for every name in :data:`review.model.FIELDS` (missing ones get defaults).

    ``clean=True`` is the reader's promise that every string in ``mapped`` is clean text already
    (``clean_text(s) == s``, no markup ``<`` or ``&``): the plain text fields are then taken as
    they are instead of cleaned again (the result is the same; it is only faster).
    """
    get = mapped.get
    if clean:
        title, abstract, keywords = _clean_texts(get("title"), get("abstract"), get("keywords"))
        text = _text_as_is
    else:
        title = norm_title(get("title") or "")
        abstract = norm_abstract(get("abstract"))
        keywords = norm_keywords(get("keywords"))
        text = first_text
    year = get("year")
    out: dict[str, Any] = {
        "type": norm_type(get("type")),
        "title": title,
        "abstract": abstract,
        "authors": norm_authors(get("authors")),
        "year": norm_year(year) if year else None,
        "journal": text(get("journal")) or first_text(get("journal_alt")),
        "volume": text(get("volume")),
        "issue": text(get("issue")),
        "pages": _pages(get("pages"), get("start_page"), get("end_page")),
        "doi": norm_doi(get("doi")) or norm_doi(get("doi_alt")),
        "pmid": norm_pmid(first_text(get("pmid"))),
        "issn": norm_issn(get("issn")),
        "isbn": norm_isbn(get("isbn")),
        "keywords": keywords,
        "url": text(get("url")),
        "language": text(get("language")),
    }
    if out["year"] is None and get("date"):
        out["year"] = norm_year(get("date"))
    journal = out["journal"]
    if "<" in journal or "&" in journal:
        out["journal"] = norm_title(journal)
    return out


def _pages(pages: Any, start: Any, end: Any) -> str:
    if pages is None:
        if start is None and end is None:
            return ""
        if type(start) is str and type(end) is str and start.isdigit() and end.isdigit():
            return f"{start}-{end}" if start != end else start  # what norm_pages gives
    return norm_pages(first_text(pages), first_text(start), first_text(end))


def _text_as_is(value: Any) -> str:
    """:func:`first_text` of a value known to be clean text."""
    return value if type(value) is str else first_text(value)


def _clean_texts(title: Any, abstract: Any, keywords: Any) -> tuple[str, str, tuple[str, ...]]:
    """Title, abstract and keywords of values known to be clean text (see normalize_fields)."""
    if type(title) is not str:
        title = norm_title(title or "")
    if type(abstract) is list and len(abstract) == 1:
        abstract = abstract[0]
    if type(abstract) is not str:
        abstract = norm_abstract(abstract)
    if type(keywords) is list and all(keywords):
        joined = _joined(keywords)
        if ";" not in joined and "[" not in joined:
            return title, abstract, tuple(keywords)
    return title, abstract, norm_keywords(keywords)
