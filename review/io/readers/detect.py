"""Format detection from content, never from the file name.

The first non-blank lines decide: XML root elements, ``@type{`` BibTeX entries, MEDLINE
``PMID-`` lines, RIS ``TY  -`` tag lines, Web of Science ``FN``/``PT``/``ER`` two-letter tags,
tagged EndNote ``%A`` lines, and finally a delimited header row with known column names.
"""

from __future__ import annotations

import re

from review.errors import InputError
from review.io.readers.tabular import _sniff

_RIS_TAG = re.compile(r"^[A-Z][A-Z0-9] {1,2}-(?: |$)", re.M)
_RIS_TY = re.compile(r"^TY {1,2}-", re.M)
_MEDLINE_PMID = re.compile(r"^PMID ?-", re.M)
_MEDLINE_TAG = re.compile(r"^[A-Z][A-Z0-9]{1,3} {0,3}- ", re.M)
_MEDLINE_LONG_TAG = re.compile(
    r"^(?:PMID|OWN|STAT|FAU|JT|AID|LID|OID|DCOM|PST|EDAT|MHDA|PMC|PMCR) ?-", re.M
)
_WOS_TAG = re.compile(r"^(?:FN|VR|PT|AU|AF|TI|SO|UT|ER|EF|PY|DI|AB) (?!-)", re.M)
_WOS_START = re.compile(r"^(?:FN |VR |PT [A-Z]\b)", re.M)
_BIB_ENTRY = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.M)
_OVID_MARKER = re.compile(r"<\d+>[ \t]*\n")
_OVID_FIELD = re.compile(r"^[A-Z][A-Za-z -]+\n {2}\S", re.M)
_ENW_TAG = re.compile(r"^%[A-Z0-9@!#$&()*+^~?\]|] ", re.M)


def detect(text: str, name: str = "") -> str:
    head = text.lstrip("\ufeff \t\n")[:200_000]
    if not head:
        raise InputError("is empty: it holds no records.", file=name or None)
    sample = head[:20_000]
    if _OVID_MARKER.match(head) and _OVID_FIELD.search(sample):
        return "ovid"
    if head.startswith("<"):
        low = sample.lower()
        if "<pubmedarticle" in low or "<pubmedbookarticle" in low:
            return "pubmed-xml"
        if "<records>" in low or "<record>" in low:
            return "endnote-xml"
        raise InputError(
            "is XML but neither an EndNote XML export (<records>) nor PubMed XML "
            "(<PubmedArticleSet>). Export the references as RIS, or as EndNote XML, and import "
            "that.",
            file=name or None,
        )
    if head[0] in "[{":
        return "json"
    n_ris_ty = len(_RIS_TY.findall(sample))
    n_pmid = len(_MEDLINE_PMID.findall(sample))
    n_er = len(re.findall(r"^ER {1,2}-", sample, re.M))
    if (n_pmid or len(_MEDLINE_LONG_TAG.findall(sample)) >= 1) and not n_ris_ty and not n_er:
        return "medline"
    n_tags = len(_RIS_TAG.findall(sample))
    if n_ris_ty or n_tags >= 3 or (n_er and n_tags >= 2):
        return "ris"
    if _WOS_START.search(sample[:2000]) and len(_WOS_TAG.findall(sample)) >= 3:
        return "wos"
    first = next((ln for ln in head.split("\n", 50) if ln.strip()), "")
    if first.startswith("PT\t") or (first.startswith("FN\t")):
        return "wos-tab"
    if _BIB_ENTRY.search(sample):
        return "bibtex"
    if len(_ENW_TAG.findall(sample)) >= 2 and first.startswith("%"):
        return "endnote"
    if len(_MEDLINE_TAG.findall(sample)) >= 3 and n_pmid:
        return "medline"
    if _looks_tabular(head):
        first_line_tabs = first.count("\t")
        return "tsv" if first_line_tabs and first_line_tabs >= first.count(",") else "csv"
    lines = [ln for ln in head.split("\n", 5)[:5] if ln.strip()]
    if len(lines) >= 2 and any(
        lines[0].count(d) >= 1 and lines[0].count(d) == lines[1].count(d) for d in ",;\t|"
    ):
        raise InputError(
            f"looks like a table, but none of its columns is one review knows (first line: "
            f"{first[:80]!r}). Name the columns with --map, e.g. --map 'Article Name=title' "
            "--map 'Published=year'.",
            file=name or None,
            line=1,
        )
    raise InputError(
        "is not in a format review can read (RIS, BibTeX, PubMed/MEDLINE, Web of Science, "
        "EndNote XML, CSV/TSV with a header row, XLSX). Re-export it as RIS, or pass --format "
        "if you know the format.",
        file=name or None,
        line=1,
    )


def _looks_tabular(head: str) -> bool:
    lines = head.split("\n", 60)
    return _sniff(lines, ",;\t|", None, False) is not None


_TEXT_FORMATS = frozenset({"bibtex", "ris", "medline", "wos", "endnote", "ovid"})


def tabular_alternative(text: str, fmt: str) -> str | None:
    """``csv``/``tsv`` when a file detected as a tagged format also starts with a table header
    naming known columns (the caller parses both and keeps the reading with more records)."""
    if fmt not in _TEXT_FORMATS:
        return None
    head = text.lstrip("\ufeff \t\n")[:200_000]
    first = next((ln for ln in head.split("\n", 5) if ln.strip()), "")
    if fmt == "bibtex" and first.lstrip().startswith("@"):
        return None
    if (fmt != "bibtex" and _RIS_TAG.match(first)) or _WOS_START.match(first):
        return None

    best = _sniff(head.split("\n", 60), ",;\t|", None, False)
    if best is None or best[1] != 0 or best[0] < 3:
        return None
    delim = best[2]
    return "tsv" if delim == "\t" else "csv"
