"""The plain facts PRISMA counts are made from, and the counts they make (no logic here).

- :class:`PrismaInputs` — what :func:`review.prisma.inputs.gather` reads from a project (or a
  test builds by hand): the identified records, what dedup removed, the final decisions.
- :class:`Flow` — what :func:`review.prisma.flow.compute_flow` returns: every count and the
  :class:`Member` records behind it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from review.chart.schema import Level
from review.errors import ReviewError
from review.model import Branch, Decision, Kind
from review.nextstep import Part

MAIN, OTHER = Branch.MAIN, Branch.OTHER
UNSPECIFIED = "unspecified"  # reason id used when an exclusion carries no reason
MAYBE_STOPPED = "maybe-not-sent-to-full-text"  # "maybe" at title/abstract when the protocol
# does not send maybes on to full text


class PrismaInconsistency(ReviewError):
    """The counts do not add up; ``records`` are the record ids involved."""

    def __init__(self, message: str | Sequence[Part], records: Iterable[str] = ()) -> None:
        self.records = sorted(set(records))
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Identified:
    """The records one source contributed (all imports of that source, kind and branch)."""

    source: str
    kind: Kind
    branch: str  # a Branch value: main | other (from the import log, else clusters.csv)
    record_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Final:
    """A final screening decision for one cluster at one stage (plain copy of FinalDecision)."""

    decision: Decision | None  # include | exclude | maybe | not-retrieved | None (undecided)
    reason: str = ""
    via: str = ""  # agreement | resolution | single | pending | conflict


@dataclass(frozen=True)
class PrismaInputs:
    """Everything the PRISMA counts depend on, as plain data (no project, no files)."""

    identified: tuple[Identified, ...]
    main_clusters: tuple[str, ...]  # cluster ids screened at title/abstract
    other_clusters: tuple[str, ...] = ()  # other-branch records: straight to full text
    duplicates_automatic: tuple[str, ...] = ()  # non-primary members merged automatically
    duplicates_manual: tuple[str, ...] = ()  # non-primary members merged by a person
    excluded_automatic: tuple[str, ...] = ()  # not screened by a person: stopped by the rule
    excluded_other: tuple[str, ...] = ()  # removed before screening for other reasons
    title_abstract: Mapping[str, Final] = field(default_factory=dict)
    full_text: Mapping[str, Final] = field(default_factory=dict)
    maybe_to_fulltext: bool = True
    ta_reasons: Mapping[str, str] = field(default_factory=dict)  # reason id -> label, in order
    ft_reasons: Mapping[str, str] = field(default_factory=dict)
    report_units: Mapping[str, tuple[str, ...]] | None = None  # None: no charting yet
    unit_names: Mapping[str, str] = field(default_factory=dict)
    unit: Level | None = None  # the charting schema's further level (its words, its key)
    cluster_of: Mapping[str, str] = field(default_factory=dict)  # duplicate -> kept record
    titles: Mapping[str, str] = field(default_factory=dict)
    dedup_pending: tuple[str, ...] = ()  # records in pairs still waiting for a person
    # report (cluster id) -> study id from dedup's related reports (related.csv: an erratum, a
    # conference abstract … linked to its article); empty: each report is its own study
    study_of: Mapping[str, str] = field(default_factory=dict)


def units_key(unit: Level) -> str:
    """The flow key of the units included: ``<level>s_included`` (``sites_included``)."""
    return f"{unit.name}s_included"


@dataclass(frozen=True, slots=True)
class Member:
    """One row of ``explain``: a record (or unit) behind a count, and why it is there."""

    id: str
    why: str


@dataclass(frozen=True, slots=True)
class IdentifiedRow:
    """Records identified from one source (of one kind, on one branch): a row of ``identified``."""

    source: str
    kind: Kind
    branch: str  # a Branch value
    n: int

    def to_json(self) -> dict[str, str | int]:
        return {"source": self.source, "kind": self.kind, "branch": self.branch, "n": self.n}


@dataclass(frozen=True, slots=True)
class ReasonRow:
    """Records (or reports) excluded for one reason: a row of ``*_excluded_by_reason``."""

    reason: str  # the reason id (protocol order, then unknown ids, then none recorded)
    label: str
    n: int

    def to_json(self) -> dict[str, str | int]:
        return {"reason": self.reason, "label": self.label, "n": self.n}


@dataclass(frozen=True, slots=True)
class OpenCounts:
    """What a person still has to decide; any of it makes the flow provisional."""

    title_abstract: int
    full_text: int
    dedup_pairs: int

    def any(self) -> bool:
        return bool(self.title_abstract or self.full_text or self.dedup_pairs)

    def get(self, key: str) -> int | None:
        """The count named ``key`` (``open.<key>`` in ``explain``), None for an unknown name."""
        return self.to_json().get(key)

    def to_json(self) -> dict[str, int]:
        return {
            "title_abstract": self.title_abstract,
            "full_text": self.full_text,
            "dedup_pairs": self.dedup_pairs,
        }


@dataclass(frozen=True, slots=True)
class ReportCounts:
    """One branch's full-text boxes (databases and registers, or other methods)."""

    sought: int
    not_retrieved: int
    assessed: int  # reports with a final include or exclude decision
    excluded: int
    excluded_by_reason: tuple[ReasonRow, ...]
    awaiting: int = 0  # sought, retrieved or not yet, without a final decision (open)

    def to_json(self, prefix: str) -> dict[str, Any]:
        """The branch's keys in ``prisma.json``: ``reports_…`` or ``other_reports_…``."""
        return {
            f"{prefix}sought": self.sought,
            f"{prefix}not_retrieved": self.not_retrieved,
            f"{prefix}assessed": self.assessed,
            f"{prefix}excluded": self.excluded,
            f"{prefix}excluded_by_reason": [r.to_json() for r in self.excluded_by_reason],
            f"{prefix}awaiting": self.awaiting,
        }


@dataclass(frozen=True, slots=True)
class FlowCounts:
    """Every count of the flow diagram: ``prisma.json``'s ``flow`` object, typed."""

    identified: tuple[IdentifiedRow, ...]
    identified_total: int
    duplicates_automatic: int
    duplicates_manual: int
    excluded_automatic: int
    excluded_other: int
    records_screened: int
    records_excluded: int
    records_excluded_by_reason: tuple[ReasonRow, ...]
    reports: ReportCounts  # databases and registers
    other_reports: ReportCounts  # other methods
    reports_included_main: int
    reports_included_other: int
    reports_included: int
    studies_included: int
    units_included: int | None  # None: no included report is linked to a unit
    open: OpenCounts
    unit: Level | None = None  # the schema's further level: ``<name>s_included``
    # flow and prisma2020 keys whose count is not final yet (a stage before them is open): the
    # number is what is known so far
    pending: frozenset[str] = frozenset()

    @property
    def provisional(self) -> bool:
        return self.open.any()

    def is_final(self, key: str) -> bool:
        """Whether the count ``key`` (a flow or prisma2020 key) can no longer change."""
        return key.partition(".")[0] not in self.pending

    @property
    def duplicates(self) -> int:
        return self.duplicates_automatic + self.duplicates_manual

    def reasons(self, key: str) -> tuple[ReasonRow, ...] | None:
        """The rows of one ``*_excluded_by_reason`` key (None for another name)."""
        return {
            "records_excluded_by_reason": self.records_excluded_by_reason,
            "reports_excluded_by_reason": self.reports.excluded_by_reason,
            "other_reports_excluded_by_reason": self.other_reports.excluded_by_reason,
        }.get(key)

    def count(self, key: str) -> int | None:
        """The number a ``flow`` key stands for: a count (``records_screened``), a row of a list
        (``records_excluded_by_reason.<id>``, ``identified.<source>``, ``open.<what>``) or
        ``identified`` (the total); None for anything else (a list or flag, an unknown key)."""
        if key == "identified":
            return self.identified_total
        head, dot, tail = key.partition(".")
        if not dot:
            value = self.to_json().get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) else None
        if head == "open":
            return self.open.get(tail)
        if head == "identified":
            return sum(r.n for r in self.identified if r.source.lower() == tail.lower())
        rows = self.reasons(head) or ()
        return next((r.n for r in rows if r.reason == tail), None)

    def to_json(self) -> dict[str, Any]:
        """``prisma.json``'s ``flow`` object (key order is the file's order)."""
        return {
            "identified": [r.to_json() for r in self.identified],
            "identified_total": self.identified_total,
            "duplicates_automatic": self.duplicates_automatic,
            "duplicates_manual": self.duplicates_manual,
            "excluded_automatic": self.excluded_automatic,
            "excluded_other": self.excluded_other,
            "records_screened": self.records_screened,
            "records_excluded": self.records_excluded,
            "records_excluded_by_reason": [r.to_json() for r in self.records_excluded_by_reason],
            **self.reports.to_json("reports_"),
            **self.other_reports.to_json("other_reports_"),
            "reports_included_main": self.reports_included_main,
            "reports_included_other": self.reports_included_other,
            "reports_included": self.reports_included,
            "studies_included": self.studies_included,
            **({units_key(self.unit): self.units_included} if self.unit else {}),
            "provisional": self.provisional,
            "open": self.open.to_json(),
        }

    def final_map(self, keys: Iterable[str]) -> dict[str, bool]:
        """``prisma.json``'s ``final`` object: each count key -> whether it is final."""
        return {k: self.is_final(k) for k in keys}


@dataclass(frozen=True, slots=True)
class Flow:
    """The computed flow: the typed counts plus the members behind every count."""

    counts: FlowCounts
    prisma2020: Mapping[str, int]
    members: Mapping[str, list[Member]]
    sources: Mapping[str, str]  # record id -> source name

    @property
    def provisional(self) -> bool:
        return self.counts.provisional

    def keys(self) -> list[str]:
        return list(self.members)

    def as_json(self) -> dict[str, Any]:
        """``prisma.json``: the R package's counts, ours, and which of them are final."""
        flow = self.counts.to_json()
        keys = [*self.prisma2020, *(k for k, v in flow.items() if _is_count(v))]
        return {
            "prisma2020": dict(self.prisma2020),
            "flow": flow,
            "final": self.counts.final_map(dict.fromkeys(keys)),
        }


def _is_count(value: object) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


# The PRISMA2020 R package's data names, in its template's order (prisma.csv).
PRISMA2020_KEYS = (
    "database_results",
    "register_results",
    "website_results",
    "organisation_results",
    "citations_results",
    "duplicates",
    "excluded_automatic",
    "excluded_other",
    "records_screened",
    "records_excluded",
    "dbr_sought_reports",
    "dbr_notretrieved_reports",
    "dbr_assessed",
    "dbr_excluded",
    "other_sought_reports",
    "other_notretrieved_reports",
    "other_assessed",
    "other_excluded",
    "new_studies",
    "new_reports",
    "total_studies",
    "total_reports",
)
