"""Typed, frozen records and the small vocabulary every stage shares.

A :class:`Record` is one bibliographic record as it was imported: provenance (which import, which
file, where in it, its own id, the raw tag/value pairs) plus normalised fields. Records never
change; dedup, screening and charting refer to them by ``record_id``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any, TypeVar

from review.errors import InputError

# The closed vocabularies of the tool (CLI contract), one enum each. They are ``StrEnum``s: a
# member *is* its value as a string (``Stage.FULL_TEXT == "full-text"``, same hash, written as
# ``full-text`` by json, csv and f-strings), so every file stays byte-identical; the CLI uses them
# as Typer parameter types. Parse a value read from a file with :func:`vocab`/:func:`parse_vocab`.


class Vocab(StrEnum):
    """A closed vocabulary. ``repr`` is the value's (``'full-text'``), as it was when these were
    plain strings: messages that quote a value with ``!r`` read the same."""

    def __repr__(self) -> str:
        return repr(self._value_)


class Kind(Vocab):
    """Kind of source given at import (``--kind``). Database and register records enter the main
    PRISMA branch (dedup, then title/abstract screening); the others go straight to full text."""

    DATABASE = "database"
    REGISTER = "register"
    WEBSITE = "website"
    ORGANISATION = "organisation"
    CITATION = "citation"
    EXPERT = "expert"
    OTHER = "other"

    @property
    def main(self) -> bool:
        """Does a record of this kind enter the main branch (without ``--screen``)?"""
        return self in MAIN_KINDS


class Branch(Vocab):
    """The PRISMA branch a record follows (``ImportEntry.branch``; clusters.csv's ``branch``)."""

    MAIN = "main"  # databases and registers (and --screen): dedup -> title/abstract -> full text
    OTHER = "other"  # other methods: straight to full text


class Stage(Vocab):
    """A screening stage."""

    TITLE_ABSTRACT = "title-abstract"
    FULL_TEXT = "full-text"

    @property
    def decisions(self) -> tuple[Decision, ...]:
        """The decisions allowed at this stage: full text adds ``not-retrieved``."""
        return FULLTEXT_DECISIONS if self is Stage.FULL_TEXT else DECISIONS


class Decision(Vocab):
    """A screening or resolution decision (``not-retrieved`` only at full text)."""

    INCLUDE = "include"
    EXCLUDE = "exclude"
    MAYBE = "maybe"
    NOT_RETRIEVED = "not-retrieved"


class RecordType(Vocab):
    """A normalised record type (``Record.type``)."""

    ARTICLE = "article"
    BOOK = "book"
    CHAPTER = "chapter"
    CONFERENCE = "conference"
    THESIS = "thesis"
    REPORT = "report"
    WEBPAGE = "webpage"
    PREPRINT = "preprint"
    DATASET = "dataset"
    OTHER = "other"


class ReviewType(Vocab):
    """``review_type`` of protocol.yaml (the ``--type`` of ``init``): which PRISMA checklist and
    methods heading the outputs use."""

    SCOPING = "scoping"  # PRISMA-ScR
    SYSTEMATIC = "systematic"  # PRISMA 2020


class ImportFormat(Vocab):
    """The ``--format`` of an import: ``auto`` detects the format by content. Beyond the CLI
    contract's: tagged EndNote/Refer, PubMed XML, Ovid's citation text and JSON record lists
    (CSL-JSON, Publish or Perish)."""

    AUTO = "auto"
    RIS = "ris"
    BIBTEX = "bibtex"
    MEDLINE = "medline"
    WOS = "wos"
    WOS_TAB = "wos-tab"
    ENDNOTE_XML = "endnote-xml"
    ENDNOTE = "endnote"
    PUBMED_XML = "pubmed-xml"
    OVID = "ovid"
    JSON = "json"
    CSV = "csv"
    TSV = "tsv"
    XLSX = "xlsx"


class ExportFormat(Vocab):
    """The ``--format`` of an export."""

    RIS = "ris"
    BIBTEX = "bibtex"
    CSV = "csv"
    XLSX = "xlsx"


class ExportStatus(Vocab):
    """An export's ``--status`` (with ``--stage S``): which final decisions at S to export."""

    INCLUDED = "included"
    EXCLUDED = "excluded"
    UNDECIDED = "undecided"
    ALL = "all"


class Order(Vocab):
    """The order the screener offers records in (the screener's ``--order``); a started stopping
    sample comes first whatever the order."""

    RELEVANCE = "relevance"  # ranked by the reviewer's decisions so far (title/abstract only)
    RANDOM = "random"  # fixed per reviewer, stage and seed


class Branches(Vocab):
    """The ``--branches`` of the PRISMA diagram: which branches the flow diagram draws."""

    AUTO = "auto"  # the other-methods branch when there are other-methods records
    DATABASES = "databases"
    BOTH = "both"


class Via(Vocab):
    """How a record's final screening decision at a stage came about (review.screen.final)."""

    AGREEMENT = "agreement"  # every reviewer who decided agrees, at least the required number
    RESOLUTION = "resolution"  # a resolver settled it
    SINGLE = "single"  # one reviewer was asked for (or decided an exclude before a team stop)
    PENDING = "pending"  # fewer than the required reviewers decided: no final decision yet
    CONFLICT = "conflict"  # they disagree and nobody resolved it yet
    FORWARDED = "forwarded"  # include vs maybe where both go on (no conflict by protocol)


class PairVerdict(Vocab):
    """A reviewer's verdict on a queued dedup pair (data/dedup/<reviewer>.jsonl)."""

    SAME = "same"  # the same record: merge
    RELATED = "related"  # two reports of one study: kept apart, linked (outputs/dedup/related.csv)
    DIFFERENT = "different"  # two records: keep apart


class ResolutionMethod(Vocab):
    """``resolution`` of protocol.yaml: who settles a disagreement."""

    CONSENSUS = "consensus"  # the reviewers together
    THIRD_REVIEWER = "third-reviewer"  # someone who did not screen the record


# Derived tuples, in declaration order (messages list the values in this order).
KINDS: tuple[Kind, ...] = tuple(Kind)
MAIN_KINDS = frozenset({Kind.DATABASE, Kind.REGISTER})
STAGES: tuple[Stage, ...] = tuple(Stage)
DECISIONS = (Decision.INCLUDE, Decision.EXCLUDE, Decision.MAYBE)  # title/abstract
FULLTEXT_DECISIONS: tuple[Decision, ...] = tuple(Decision)  # full text: + not-retrieved
# Decisions that count a record as relevant (it may go on): the stopping rules and progress.
RELEVANT = (Decision.INCLUDE, Decision.MAYBE)
RECORD_TYPES: tuple[RecordType, ...] = tuple(RecordType)
REVIEW_TYPES: tuple[ReviewType, ...] = tuple(ReviewType)

V = TypeVar("V", bound=Vocab)


def vocab(enum: type[V], value: object) -> V | None:
    """The member of ``enum`` whose value is ``value`` (a plain string read from a file or a
    sheet), or None when it is not one: a dict lookup, cheap enough for every line of a log."""
    return enum._value2member_map_.get(value) if isinstance(value, str) else None  # type: ignore[return-value]


def parse_vocab(enum: type[V], value: object, what: str, where: str = "") -> V:
    """``vocab(enum, value)`` or a :class:`~review.errors.ReviewError` naming ``where`` (a
    file:line, a sheet row, an option) and the allowed values: the one message of an unknown
    stage, decision, kind… ``what`` names the vocabulary (``stage``)."""
    found = vocab(enum, value)
    if found is None:
        allowed = ", ".join(enum)
        prefix = f"{where}: " if where else ""
        raise InputError(f"{prefix}{str(value)[:40]!r} is not a {what}; use one of: {allowed}.")
    return found


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
    kind: Kind
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
    kind: Kind
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

    def __post_init__(self) -> None:
        # read from an import log entry: an unknown kind makes the entry unreadable (TypeError,
        # reported with the file by Project)
        kind = vocab(Kind, self.kind)
        if kind is None:
            raise TypeError(f"kind {str(self.kind)[:40]!r} is not one of {', '.join(Kind)}")
        object.__setattr__(self, "kind", kind)

    @property
    def branch(self) -> Branch:
        """``main`` (dedup -> title/abstract -> full text) or ``other`` (straight to full text)."""
        return Branch.MAIN if (self.kind in MAIN_KINDS or self.screen) else Branch.OTHER
