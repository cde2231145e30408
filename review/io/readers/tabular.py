"""CSV / TSV / XLSX exports with column auto-mapping.

Column names are matched case-insensitively (whitespace collapsed) against
:data:`COLUMN_ALTERNATIVES`, which lists, for each field, the names used by Scopus, Lens,
Zotero, Covidence, Rayyan, PubMed, EPPI-Reviewer, Google Scholar / Publish or Perish, OpenAlex,
Embase, IEEE Xplore, Springer Link, Web of Science (tab-delimited), bib-dedupe /
BibTeX-style tables and RIS-tag tables, in order of preference. ``--map "Their Column=title"``
adds or overrides a mapping. A search-query preamble above the header is skipped: the header is
the first of the first 50 lines with the most recognised column names.

Long module: :data:`COLUMN_ALTERNATIVES` (every exporter's column names, about 200 lines) is
data that belongs next to the code that matches it.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from review.errors import InputError
from review.io.readers.base import Entry, ParseResult, make_entry
from review.io.xlsx import csv_unsafe
from review.model import FIELDS

csv.field_size_limit(1 << 30)

# Field -> column names in order of preference (normalised: lower case, single spaces).
COLUMN_ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "original_id": (
        "original_id",
        "id",
        "record_id",
        "record id",
        "key",
        "covidence #",
        "itemid",
        "item id",
        "eid",
        "lens id",
        "ut",
        "unique-id",
        "accession number",
        "an",
        "refid",
        "ref id",
        "pmid",
        "pubmed id",
        "pubmed_id",
        "ids.pmid",
    ),
    "title": (
        "title",
        "article title",
        "document title",
        "item title",
        "primary title",
        "ti",
        "t1",
        "display_name",
        "paper title",
        "titles",
        "publication_title_of_record",
    ),
    "abstract": (
        "abstract",
        "abstract note",
        "abstracts",
        "ab",
        "n2",
        "summary",
        "abstract_text",
    ),
    "authors": (
        "authors",
        "author",
        "author names",
        "author/s",
        "author(s)",
        "first_authors",
        "au",
        "a1",
        "authorships.author.display_name",
        "author full names",
        "af",
        "creators",
        "first author",
        "author_names",
    ),
    "year": (
        "year",
        "publication year",
        "publication_year",
        "published year",
        "py",
        "pubyear",
        "year published",
        "date",
        "date published",
        "publication date",
        "da",
        "y1",
        "issue date",
        "pubdate",
        "create date",
    ),
    "journal": (
        "journal",
        "source title",
        "publication title",
        "journal/book",
        "journal title",
        "publication",
        "parenttitle",
        "parent title",
        "jo",
        "jf",
        "t2",
        "so",
        "secondary title",
        "primary_location.source.display_name",
        "host_venue.display_name",
        "journal name",
        "journal_title",
        "source",
        "publication name",
        "booktitle",
    ),
    "volume": ("volume", "journal volume", "vl", "vol", "biblio.volume"),
    "issue": ("issue", "issue number", "journal issue", "number", "is", "biblio.issue", "no"),
    "pages": ("pages", "page", "page range", "pg_range"),
    "start_page": (
        "start page",
        "page start",
        "startpage",
        "start_page",
        "sp",
        "bp",
        "biblio.first_page",
        "first page",
    ),
    "end_page": ("end page", "page end", "endpage", "end_page", "ep", "biblio.last_page"),
    "doi": ("doi", "item doi", "do", "di", "doi link", "doi url"),
    "pmid": ("pmid", "pubmed id", "pubmed_id", "ids.pmid", "pm", "pubmed"),
    "issn": ("issn", "issns", "sn", "eissn", "e-issn", "ei", "primary_location.source.issn_l"),
    "isbn": ("isbn", "isbns", "bn"),
    "keywords": (
        "keywords",
        "author keywords",
        "manual tags",
        "kw",
        "de",
        "keywords.display_name",
        "tags",
        "mesh terms",
        "index keywords",
        "subject",
        "subjects",
    ),
    "url": (
        "url",
        "link",
        "ur",
        "articleurl",
        "article url",
        "external url",
        "pdf link",
        "source urls",
        "fulltexturl",
    ),
    "language": (
        "language",
        "language of original document",
        "la",
        "lang",
    ),
    "type": (
        "type",
        "document type",
        "item type",
        "publication type",
        "content type",
        "entrytype",
        "ty",
        "pt",
        "dt",
        "type_of_reference",
        "typename",
        "type name",
        "reference type",
        "document identifier",
    ),
}

# Columns used, row by row, when the preferred column of the same field is empty. Only pairs
# that mean the same thing: never "source" (our own exports have a source column).
ROW_FALLBACKS: dict[str, tuple[str, ...]] = {
    "journal": ("booktitle", "secondary title", "journal title", "journal_title"),
    "keywords": ("index keywords", "keywords plus"),
    "authors": ("author full names",),
    "abstract": ("abstract note",),
}

# Web of Science tab-delimited files use WoS field tags; "ID" there is Keywords Plus.
WOS_TAB_COLUMNS: dict[str, tuple[str, ...]] = {
    "original_id": ("ut",),
    "title": ("ti",),
    "abstract": ("ab",),
    "authors": ("af", "au"),
    "year": ("py", "pd", "ea"),
    "journal": ("so", "se", "bs"),
    "volume": ("vl",),
    "issue": ("is",),
    "start_page": ("bp",),
    "end_page": ("ep",),
    "pages": ("ar",),
    "doi": ("di", "d2"),
    "pmid": ("pm",),
    "issn": ("sn", "ei"),
    "isbn": ("bn",),
    "keywords": ("de", "id"),
    "url": (),
    "language": ("la",),
    "type": ("dt", "pt"),
}

_WOS_COMBINE = frozenset({"issn"})  # SN and EI: print and electronic ISSN
_FIELD_NAMES = frozenset((*FIELDS, "start_page", "end_page", "original_id", "journal_alt", "date"))
_FUNDING = re.compile(r"^funding texts?(?: \d+)?$")
_EMBASE_SOURCE = re.compile(
    r"^(?P<journal>.+?) \((?P<year>\d{4})\) (?P<volume>[^:\s()]+)(?::(?P<issue>[^\s()]+))?"
    r"(?: \((?P<pages>[^)]*)\))?"
)
_COMMA_OUTSIDE_PARENS = re.compile(r",\s*(?![^()]*\))")
_PAREN_ID = re.compile(r"\s*\(\d{5,}\)")


def norm_header(name: str) -> str:
    return " ".join(str(name).replace("\ufeff", "").strip().strip('"').split()).lower()


def _user_map(column_map: dict[str, str] | None) -> dict[str, str]:
    """``{"Their Column": "title"}`` -> ``{"their column": "title"}``, validated."""
    out: dict[str, str] = {}
    for col, fld in (column_map or {}).items():
        f = fld.strip().lower()
        if f == "id":
            f = "original_id"
        if f not in _FIELD_NAMES:
            raise InputError(
                f"--map {col}={fld}: {fld!r} is not a field; use one of: "
                f"original_id, {', '.join(FIELDS)}, start_page, end_page."
            )
        out[norm_header(col)] = f
    return out


def map_columns(
    header: list[str], column_map: dict[str, str] | None = None, wos: bool = False
) -> dict[str, list[int]]:
    """Field -> column indexes in order of preference."""
    table = WOS_TAB_COLUMNS if wos else COLUMN_ALTERNATIVES
    names = [norm_header(h) for h in header]
    user = _user_map(column_map)
    out: dict[str, list[int]] = {}
    used: set[int] = set()
    at: dict[str, list[int]] = {}  # name -> its columns: linear in the width (10,000 columns)
    for i, n in enumerate(names):
        at.setdefault(n, []).append(i)
        if n in user:
            out.setdefault(user[n], []).append(i)
            used.add(i)
    for fld, alternatives in table.items():
        if fld in out:
            continue
        # The most specific column wins (e.g. "journal" over "source"); no per-row fallback,
        # so our own exports (which carry a "source" column) read back exactly.
        found = next(
            (i for alt in alternatives for i in at.get(alt, ()) if i not in used),
            None,
        )
        if found is not None:
            out[fld] = [found]
            if fld != "original_id":  # an id column (PMID, UT) may also be a field
                used.add(found)
        if not wos and fld in ROW_FALLBACKS and fld in out:
            # A few safe per-row fallbacks (bib-dedupe tables: booktitle when journal is empty).
            more = [i for alt in ROW_FALLBACKS[fld] for i in at.get(alt, ())]
            out[fld] = list(dict.fromkeys(out[fld] + [i for i in more if i not in used]))
            used.update(out[fld])
        if wos:
            # WoS columns are fixed tags: fall back per row (no DE -> ID keywords).
            more = [i for alt in alternatives for i in at.get(alt, ())]
            out[fld] = list(dict.fromkeys(out.get(fld, []) + more))
    return {f: idxs for f, idxs in out.items() if idxs}


def _score(mapping: dict[str, list[int]]) -> int:
    return sum(1 for f in mapping if f != "original_id") + (2 if "title" in mapping else 0)


def _rows_to_entries(
    header: list[str],
    rows: list[tuple[int, list[str]]],
    mapping: dict[str, list[int]],
    result: ParseResult,
    combine: frozenset[str] = frozenset(),
) -> None:
    width = len(header)
    position = 0
    # Scopus writes "Funding Text 2, 3..." cells that its header does not name: fold them back.
    funding = [i for i, h in enumerate(header) if _FUNDING.match(norm_header(h))]
    too_long: list[int] = []
    no_volume_column = "volume" not in mapping
    no_year_column = "year" not in mapping
    for line, row in rows:
        if not any(c.strip() for c in row):
            continue
        position += 1
        cells = [csv_unsafe(c) for c in row]
        if len(cells) > width:
            extra = len(cells) - width
            if funding:
                at = funding[-1]
                cells[at : at + extra + 1] = ["; ".join(c for c in cells[at : at + extra + 1] if c)]
            elif any(c.strip() for c in cells[width:]):
                too_long.append(line or position)
        mapped: dict[str, Any] = {}
        for fld, idxs in mapping.items():
            if fld in combine:
                values = [cells[i] for i in idxs if i < len(cells) and cells[i].strip()]
                if values:
                    mapped[fld] = "; ".join(values)
                continue
            for i in idxs:
                if i < len(cells) and cells[i].strip():
                    value = cells[i]
                    if fld == "authors" and _PAREN_ID.search(value):
                        value = _PAREN_ID.sub("", value)  # Scopus "Author full names" ids
                    mapped[fld] = value
                    break
        journal = mapped.get("journal", "")
        if journal and no_volume_column and (cite := _EMBASE_SOURCE.match(journal)):
            # Embase's "Source": "Endoscopic Ultrasound (2014) 3:3 (152-160). Date of ..."
            mapped["journal"] = cite["journal"]
            mapped.setdefault("year", cite["year"])
            mapped["volume"] = cite["volume"]
            if cite["issue"]:
                mapped.setdefault("issue", cite["issue"])
            if cite["pages"]:
                mapped.setdefault("pages", cite["pages"])
        if "year" not in mapped and journal and no_year_column:
            mapped["date"] = journal  # e.g. a citation string in a "Source" column
        kw = mapped.get("keywords")
        if kw and ";" not in kw and "," in kw and not kw.startswith("["):
            # Comma-separated keywords (Embase); commas inside brackets stay.
            mapped["keywords"] = _COMMA_OUTSIDE_PARENS.split(kw)
        raw = tuple((header[i], c) for i, c in enumerate(cells[:width]) if c != "")
        original_id = str(mapped.pop("original_id", ""))
        result.entries.append(make_entry(position, line, original_id, mapped, raw))
    result.found = position
    if len(rows) >= 3 and width > 1:
        short = [n for n, (_, r) in enumerate(rows) if any(c.strip() for c in r) and len(r) < width]
        if short and short[-1] == len(rows) - 1 and len(short) == 1:
            line = rows[-1][0] or position
            result.warnings.append(
                f"the last row (line {line}) has {len(rows[-1][1])} of the header's {width} "
                "cells where every other row is complete: the file may have been cut off. "
                "Compare the number of records with the database's count."
            )
    if too_long:
        where = "line" if rows and rows[0][0] else "record"
        result.warnings.append(
            f"{len(too_long)} row(s) have more cells than the header (first at {where} "
            f"{too_long[0]}); the extra cells were ignored. Check the delimiter or quoting."
        )


def _sniff(lines: list[str], delimiters: str, column_map: dict[str, str] | None, wos: bool):
    """Best (score, line index, delimiter, header) over the first 50 lines."""
    best: tuple[int, int, str, list[str]] | None = None
    for idx, line in enumerate(lines[:50]):
        if not line.strip():
            continue
        for d in delimiters:
            if d not in line and len(delimiters) > 1:
                continue
            try:
                header = next(csv.reader([line], delimiter=d))
            except (csv.Error, StopIteration):
                continue
            if len(header) < 2 and not column_map:
                continue
            score = _score(map_columns(header, column_map, wos))
            if score and (best is None or score > best[0]):
                best = (score, idx, d, header)
    return best


def parse_delimited(
    text: str, name: str, fmt: str = "csv", column_map: dict[str, str] | None = None
) -> ParseResult:
    """CSV (any of ``, ; | tab``), TSV or WoS tab-delimited text."""
    wos = fmt == "wos-tab"
    delimiters = "\t" if fmt in ("tsv", "wos-tab") else ",;\t|"
    lines = text.split("\n", 60)
    best = _sniff(lines, delimiters, column_map, wos)
    if best is None:
        raise InputError(
            "no header row with known column names (such as Title, Authors, Year, DOI) in the "
            "first 50 lines. Name the columns with --map, e.g. --map 'Article Name=title'.",
            file=name,
            line=1,
        )
    _, header_idx, delim, header = best
    result = ParseResult(format=fmt, encoding="", found=0)
    if header_idx:
        result.warnings.append(
            f"{name}: skipped {header_idx} line(s) above the header row (search query preamble)."
        )
    mapping = map_columns(header, column_map, wos)
    if "title" not in mapping:
        result.warnings.append(
            f"{name}: no title column recognised in {header!r}; use --map 'Column=title'."
        )
    body = text.split("\n", header_idx + 1)[-1] if header_idx + 1 <= text.count("\n") else ""
    reader = csv.reader(io.StringIO(body), delimiter=delim, strict=True)
    rows: list[tuple[int, list[str]]] = []
    start = header_idx + 2  # 1-based line of the first data row
    prev = 0
    try:
        for row in reader:
            rows.append((start + prev, row))
            prev = reader.line_num
    except csv.Error as exc:
        line = start + prev
        raise InputError(
            f"cannot be read as {fmt.upper()}: {exc} in the row starting here (a quote that is "
            "never closed?). Fix the quoting, or save it again from a spreadsheet program as "
            "CSV UTF-8.",
            file=name,
            line=line,
        ) from None
    _rows_to_entries(header, rows, mapping, result, _WOS_COMBINE if wos else frozenset())
    return result


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# An .xlsx is a zip: its parts may inflate to at most this much in total, and a part larger than
# _BOMB_PART may be at most _BOMB_RATIO times its compressed size (real sheets: 5-30x).
MAX_XLSX_INFLATED = 1 << 30
_BOMB_PART = 50 << 20
_BOMB_RATIO = 200


def _refuse_zip_bomb(data: bytes, name: str) -> None:
    """Refuse a workbook whose parts would inflate to gigabytes, before any is inflated.

    The sizes in the zip directory bound what can be inflated (Python's zipfile never returns
    more than a part's declared size), so checking them is enough.
    """
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(
            f"cannot be opened as an Excel workbook ({exc}). Save it again from a spreadsheet "
            "program as .xlsx.",
            file=name,
        ) from None
    total = sum(i.file_size for i in infos)
    worst = max(
        (i for i in infos if i.file_size > _BOMB_PART),
        key=lambda i: i.file_size / max(i.compress_size, 1),
        default=None,
    )
    if total > MAX_XLSX_INFLATED or (
        worst is not None and worst.file_size > _BOMB_RATIO * max(worst.compress_size, 1)
    ):
        raise InputError(
            f"is a workbook that would inflate to {total >> 20} MB (a 'zip bomb', or a sheet far "
            "larger than any export); refused without reading it. Export the references as CSV "
            "or RIS instead.",
            file=name,
        )


def parse_xlsx(data: bytes, name: str, column_map: dict[str, str] | None = None) -> ParseResult:
    """The first worksheet with a recognisable header row."""
    from openpyxl import load_workbook

    _refuse_zip_bomb(data, name)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise InputError(
            f"cannot be opened as an Excel workbook ({exc.__class__.__name__}: {exc}). "
            "Save it again from a spreadsheet program as .xlsx.",
            file=name,
        ) from None
    try:
        for ws in wb.worksheets:
            if hasattr(ws, "reset_dimensions"):
                # Read-only mode trusts the sheet's <dimension ref="A1:C3"> tag, which some tools
                # write wrong (rows and columns past it were silently dropped): read every row.
                ws.reset_dimensions()
            all_rows = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
            best: tuple[int, int] | None = None
            for idx, row in enumerate(all_rows[:50]):
                score = _score(map_columns(row, column_map))
                if score and (best is None or score > best[0]):
                    best = (score, idx)
            if best is None:
                continue
            header = all_rows[best[1]]
            while header and not header[-1]:
                header.pop()
            result = ParseResult(format="xlsx", encoding="", found=0)
            if best[1]:
                result.warnings.append(
                    f"{name}: sheet {ws.title!r}: skipped {best[1]} row(s) above the header."
                )
            rows = [(0, r) for r in all_rows[best[1] + 1 :]]
            _rows_to_entries(header, rows, map_columns(header, column_map), result)
            return result
    finally:
        wb.close()
    raise InputError(
        "no worksheet has a header row with known column names (such as Title, Authors, Year). "
        "Name the columns with --map, e.g. --map 'Article Name=title'.",
        file=name,
    )


__all__ = ["COLUMN_ALTERNATIVES", "Entry", "map_columns", "parse_delimited", "parse_xlsx"]
