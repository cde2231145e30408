"""Typed, frozen records and the small vocabulary every stage shares.

A :class:`Record` is one bibliographic record as it was imported: provenance (which import, which
file, where in it, its own id, the raw tag/value pairs) plus normalised fields. Records never
change; dedup, screening and charting refer to them by ``record_id``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from typing import Any

# Kinds of source (CLI contract). Database and register records enter the main PRISMA branch.
KINDS = ("database", "register", "website", "organisation", "citation", "expert", "other")
MAIN_KINDS = frozenset({"database", "register"})

STAGES = ("title-abstract", "full-text")
DECISIONS = ("include", "exclude", "maybe")
FULLTEXT_DECISIONS = (*DECISIONS, "not-retrieved")

# Normalised record types.
RECORD_TYPES = (
    "article",
    "book",
    "chapter",
    "conference",
    "thesis",
    "report",
    "webpage",
    "preprint",
    "dataset",
    "other",
)

# Normalised fields, in export order. Every one is a str except ``authors``/``keywords`` (tuple of
# str) and ``year`` (int or None).
FIELDS = (
    "type",
    "title",
    "abstract",
    "authors",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "issn",
    "isbn",
    "keywords",
    "url",
    "language",
)
# What identifies a work, in the order a citation reads: FIELDS up to the PubMed id, without the
# type and the abstract. Screens and files that show records side by side use it.
CITATION_FIELDS = tuple(
    f for f in FIELDS[: FIELDS.index("pmid") + 1] if f not in ("type", "abstract")
)


@dataclass(frozen=True, slots=True)
class Record:
    """One imported record. ``record_id`` is stable: it derives from the file hash and position."""

    record_id: str
    source: str  # the --source name given at import, e.g. "Web of Science"
    kind: str  # one of KINDS
    source_file: str  # path of the raw copy, relative to the project root (POSIX separators)
    source_position: int  # 1-based position of the record in its file
    source_line: int = 0  # 1-based line where the record starts (0 when not line-based, e.g. xlsx)
    original_id: str = ""  # the record's own id in the export (RIS ID/AN, BibTeX key, PMID, UT…)
    type: str = "other"
    title: str = ""
    abstract: str = ""
    authors: tuple[str, ...] = ()  # "Surname, Given" as exported, one per author
    year: int | None = None
    journal: str = ""  # journal / book / proceedings / container title
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""  # lower-case, no https://doi.org/ prefix
    pmid: str = ""
    issn: str = ""
    isbn: str = ""
    keywords: tuple[str, ...] = ()
    url: str = ""
    language: str = ""
    # Raw (tag, value) pairs as read, in file order; repeated tags repeat. Kept for audit and export.
    raw: tuple[tuple[str, str], ...] = field(default=(), compare=False, repr=False)

    def fields_dict(self) -> dict[str, Any]:
        """The normalised fields only (no provenance), for comparison and export."""
        return {name: getattr(self, name) for name in FIELDS}

    def with_fields(self, **changes: Any) -> Record:
        return replace(self, **changes)

    @property
    def first_author(self) -> str:
        return self.authors[0] if self.authors else ""

    def citation(self) -> str:
        """A short human citation: ``Surname et al. (2011) Title``."""
        if self.authors:
            surname = self.authors[0].split(",")[0].strip()
            who = surname + (" et al." if len(self.authors) > 2 else "")
            if len(self.authors) == 2:
                who = f"{surname} & {self.authors[1].split(',')[0].strip()}"
        else:
            who = "Anon."
        year = self.year if self.year is not None else "n.d."
        return f"{who} ({year}) {self.title}".strip()


RECORD_FIELD_NAMES = tuple(f.name for f in fields(Record))
# Provenance, then the normalised FIELDS in their order, then raw (what record_from_values takes).
assert RECORD_FIELD_NAMES[7:-1] == FIELDS and RECORD_FIELD_NAMES[-1] == "raw"
_SLOT_SETTERS = tuple(getattr(Record, name).__set__ for name in RECORD_FIELD_NAMES)


def record_from_values(values: Iterable[Any]) -> Record:
    """A :class:`Record` from all its values in :data:`RECORD_FIELD_NAMES` order.

    The same object as ``Record(*values)``, built in about two thirds of the time (the frozen
    dataclass ``__init__`` goes through ``object.__setattr__`` per field); an import builds
    hundreds of thousands of them.
    """
    record = object.__new__(Record)
    for set_value, value in zip(_SLOT_SETTERS, values, strict=True):
        set_value(record, value)
    return record


def make_record_id(file_sha256: str, position: int) -> str:
    """Stable id from the raw file's SHA-256 and the 1-based position: ``3f9c1a2b-17``."""
    return f"{file_sha256[:8]}-{position}"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ImportEntry fields that describe the search (left out of the log entry when empty).
SEARCH_FIELDS = ("platform", "searched", "query", "query_file", "limits", "results")


@dataclass(frozen=True, slots=True)
class ImportEntry:
    """One line of the import log: a raw export copied into ``data/imports/<import_id>/``."""

    import_id: str
    source: str
    kind: str
    format: str
    encoding: str
    file: str  # path of the raw copy relative to the project root
    original_name: str
    sha256: str
    records: int  # records imported
    found: int  # record markers found in the file
    problems: int
    screen: bool  # non-database records routed through title/abstract screening (--screen)
    imported_by: str
    imported_at: str  # ISO 8601 UTC
    tool_version: str
    column_map: dict[str, str] = field(default_factory=dict)  # --map for tabular files
    # The search strategy given at import (PRISMA-S; `import --platform --searched
    # --query/--query-file --limits --results`). Written only when given; older entries lack them.
    platform: str = ""
    searched: str = ""
    query: str = ""
    query_file: str = ""  # the file the query was read from, as given (its text is in ``query``)
    limits: list[str] = field(default_factory=list)
    results: int | None = None  # the number of results the database reported

    @property
    def branch(self) -> str:
        """``main`` (dedup -> title/abstract -> full text) or ``other`` (straight to full text)."""
        return "main" if (self.kind in MAIN_KINDS or self.screen) else "other"
