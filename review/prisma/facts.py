"""The plain facts PRISMA counts are made from, and the counts they make (no logic here).

- :class:`PrismaInputs` — what :func:`review.prisma.inputs.gather` reads from a project (or a
  test builds by hand): the identified records, what dedup removed, the final decisions.
- :class:`Flow` — what :func:`review.prisma.flow.compute_flow` returns: every count and the
  :class:`Member` records behind it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from review.errors import ReviewError

MAIN, OTHER = "main", "other"
UNSPECIFIED = "unspecified"  # reason id used when an exclusion carries no reason
MAYBE_STOPPED = "maybe-not-sent-to-full-text"  # "maybe" at title/abstract when the protocol
# does not send maybes on to full text


class PrismaInconsistency(ReviewError):
    """The counts do not add up; ``records`` are the record ids involved."""

    def __init__(self, message: str, records: Iterable[str] = ()) -> None:
        self.records = sorted(set(records))
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Identified:
    """The records one source contributed (all imports of that source, kind and branch)."""

    source: str
    kind: str  # one of review.model.KINDS
    branch: str  # "main" (dedup -> title/abstract -> full text) | "other" (straight to full text)
    record_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Final:
    """A final screening decision for one cluster at one stage (plain copy of FinalDecision)."""

    decision: str | None  # include | exclude | maybe | not-retrieved | None (undecided)
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
    excluded_automatic: tuple[str, ...] = ()  # marked ineligible by automation (none today)
    excluded_other: tuple[str, ...] = ()  # removed before screening for other reasons
    title_abstract: Mapping[str, Final] = field(default_factory=dict)
    full_text: Mapping[str, Final] = field(default_factory=dict)
    maybe_to_fulltext: bool = True
    ta_reasons: Mapping[str, str] = field(default_factory=dict)  # reason id -> label, in order
    ft_reasons: Mapping[str, str] = field(default_factory=dict)
    report_programmes: Mapping[str, tuple[str, ...]] | None = None  # None: no charting yet
    programme_names: Mapping[str, str] = field(default_factory=dict)
    cluster_of: Mapping[str, str] = field(default_factory=dict)  # duplicate -> kept record
    titles: Mapping[str, str] = field(default_factory=dict)
    dedup_pending: tuple[str, ...] = ()  # records in pairs still waiting for a person


@dataclass(frozen=True, slots=True)
class Member:
    """One row of ``explain``: a record (or programme) behind a count, and why it is there."""

    id: str
    why: str


@dataclass
class Flow:
    """The computed flow: JSON-able count objects plus the members behind every count."""

    flow: dict[str, Any]
    prisma2020: dict[str, int]
    members: dict[str, list[Member]]
    sources: dict[str, str]  # record id -> source name

    @property
    def provisional(self) -> bool:
        return bool(self.flow["provisional"])

    def keys(self) -> list[str]:
        return list(self.members)

    def as_json(self) -> dict[str, Any]:
        return {"prisma2020": dict(self.prisma2020), "flow": dict(self.flow)}


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
