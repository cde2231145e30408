"""The PRISMA 2020 counts: a pure function of plain facts, with every invariant checked.

:func:`compute_flow` takes a :class:`PrismaInputs` (what was imported, what dedup removed, the
final screening decisions, the report -> unit links) and returns a :class:`Flow`: every
count of the PRISMA 2020 flow diagram *and* the records behind each count, so that
the explain command (``prisma explain KEY``) lists exactly as many records as the number it explains.

The types live in :mod:`review.prisma.facts`, the counting steps (one per family of boxes) in
:mod:`review.prisma.steps`. Nothing here reads files: :func:`review.prisma.inputs.gather` builds
the inputs from a project, tests build them directly.
"""

from __future__ import annotations

from dataclasses import dataclass

from review.errors import ReviewError
from review.nextstep import Action, step
from review.prisma import steps
from review.prisma.facts import (
    MAIN,
    MAYBE_STOPPED,
    OTHER,
    PRISMA2020_KEYS,
    UNSPECIFIED,
    Final,
    Flow,
    FlowCounts,
    Identified,
    IdentifiedRow,
    Member,
    OpenCounts,
    PrismaInconsistency,
    PrismaInputs,
    ReasonRow,
    ReportCounts,
    units_key,
)
from review.prisma.steps import reason_label
from review.prisma.studies import studies

__all__ = [
    "MAIN",
    "MAYBE_STOPPED",
    "OTHER",
    "PRISMA2020_KEYS",
    "UNSPECIFIED",
    "ExplainRow",
    "Final",
    "Flow",
    "FlowCounts",
    "Identified",
    "IdentifiedRow",
    "Member",
    "OpenCounts",
    "PrismaInconsistency",
    "PrismaInputs",
    "ReasonRow",
    "ReportCounts",
    "compute_flow",
    "explain",
    "explain_count",
    "explain_keys",
    "reason_label",
]


def compute_flow(inp: PrismaInputs) -> Flow:
    """Count every PRISMA 2020 box from ``inp``; raise :class:`PrismaInconsistency` when the
    facts contradict each other (the message names the records involved).

    The steps run in the diagram's order; each checks and counts one family of boxes."""
    tally = steps.Tally(inp)
    ident = steps.identification(tally)
    screened = steps.removed_before_screening(tally, ident)
    ta = steps.title_abstract(tally, screened)
    ft = steps.full_text(tally, ident, ta)
    units_included = studies(tally)
    open_counts = steps.open_records(tally, ta, ft)
    counts = _flow_counts(tally, ident, ta, ft, units_included, open_counts)
    prisma2020 = _prisma2020(tally)
    return Flow(counts, prisma2020, members=tally.members, sources=tally.source_of)


# ---- the count objects -----------------------------------------------------------------------


def _flow_counts(
    tally: steps.Tally,
    ident: steps.Identification,
    ta: steps.TitleAbstract,
    ft: steps.FullText,
    units_included: int | None,
    open_counts: OpenCounts,
) -> FlowCounts:
    """``prisma.json``'s ``flow`` object, typed."""
    n = {k: len(v) for k, v in tally.members.items()}

    def branch(prefix: str, rows: tuple[ReasonRow, ...]) -> ReportCounts:
        return ReportCounts(
            sought=n[f"{prefix}sought"],
            not_retrieved=n[f"{prefix}not_retrieved"],
            assessed=n[f"{prefix}assessed"],
            excluded=n[f"{prefix}excluded"],
            excluded_by_reason=rows,
            awaiting=n[f"{prefix}awaiting"],
        )

    return FlowCounts(
        identified=ident.rows,
        identified_total=n["identified"],
        duplicates_automatic=n["duplicates_automatic"],
        duplicates_manual=n["duplicates_manual"],
        excluded_automatic=n["excluded_automatic"],
        excluded_other=n["excluded_other"],
        records_screened=n["records_screened"],
        records_excluded=n["records_excluded"],
        records_excluded_by_reason=ta.reason_rows,
        reports=branch("reports_", ft.main.reason_rows),
        other_reports=branch("other_reports_", ft.other.reason_rows),
        reports_included_main=n["reports_included_main"],
        reports_included_other=n["reports_included_other"],
        reports_included=n["reports_included"],
        studies_included=n["studies_included"],
        units_included=units_included,
        open=open_counts,
        unit=tally.inp.unit,
        pending=_pending(
            open_counts,
            n["reports_awaiting"],
            n["other_reports_awaiting"],
            units_key(tally.inp.unit) if tally.inp.unit else "",
        ),
    )


# which counts can still change while a stage before them is open (flow and prisma2020 names)
_AFTER_DEDUP = ("duplicates", "duplicates_automatic", "duplicates_manual", "records_screened")
_AFTER_TA = (
    "excluded_automatic",
    "records_excluded",
    "records_excluded_by_reason",
    "reports_sought",
    "dbr_sought_reports",
)
_AFTER_FT_MAIN = (
    "reports_not_retrieved",
    "reports_assessed",
    "reports_excluded",
    "reports_excluded_by_reason",
    "reports_included_main",
    "dbr_notretrieved_reports",
    "dbr_assessed",
    "dbr_excluded",
)
_AFTER_FT_OTHER = (
    "other_reports_not_retrieved",
    "other_reports_assessed",
    "other_reports_excluded",
    "other_reports_excluded_by_reason",
    "reports_included_other",
    "other_notretrieved_reports",
    "other_assessed",
    "other_excluded",
)
_AFTER_ALL = (
    "reports_included",
    "studies_included",
    "new_studies",
    "new_reports",
    "total_studies",
    "total_reports",
)


def _pending(
    o: OpenCounts, awaiting_main: int, awaiting_other: int, units: str = ""
) -> frozenset[str]:
    """The counts that are not final: everything downstream of an open stage. Open dedup pairs
    can still change the duplicates and so every count after them. ``units``: the flow key of
    the schema's further level (``<level>s_included``), when it declares one."""
    dedup = o.dedup_pairs > 0
    ta = dedup or o.title_abstract > 0
    ft_main = ta or awaiting_main > 0
    ft_other = awaiting_other > 0
    keys: list[str] = []
    for is_open, group in (
        (dedup, _AFTER_DEDUP),
        (ta, _AFTER_TA),
        (ft_main, _AFTER_FT_MAIN),
        (ft_other, _AFTER_FT_OTHER),
        (ft_main or ft_other, (*_AFTER_ALL, *((units,) if units else ()))),
    ):
        if is_open:
            keys += group
    return frozenset(keys)


def _prisma2020(tally: steps.Tally) -> dict[str, int]:
    """``prisma.json``'s ``prisma2020`` object: the PRISMA2020 R package's data names. Their
    members are added to ``tally.members`` (after every other key) so ``explain`` knows them."""
    members, kind_of = tally.members, tally.kind_of

    def by_kind(*kinds: str) -> list[Member]:
        return [m for m in members["identified"] if kind_of[m.id] in kinds]

    aliases: dict[str, list[Member]] = {
        "database_results": by_kind("database"),
        "register_results": by_kind("register"),
        "website_results": by_kind("website"),
        "organisation_results": by_kind("organisation", "expert", "other"),
        "citations_results": by_kind("citation"),
        "duplicates": members["duplicates"],
        "dbr_sought_reports": members["reports_sought"],
        "dbr_notretrieved_reports": members["reports_not_retrieved"],
        "dbr_assessed": members["reports_assessed"],
        "dbr_excluded": members["reports_excluded"],
        "other_sought_reports": members["other_reports_sought"],
        "other_notretrieved_reports": members["other_reports_not_retrieved"],
        "other_assessed": members["other_reports_assessed"],
        "other_excluded": members["other_reports_excluded"],
        "new_studies": members["studies_included"],
        "new_reports": members["reports_included"],
        "total_studies": members["studies_included"],
        "total_reports": members["reports_included"],
    }
    counts = {key: len(aliases[key] if key in aliases else members[key]) for key in PRISMA2020_KEYS}
    for key, ms in aliases.items():
        members.setdefault(key, ms)
    return counts


# ---- explain ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExplainRow:
    record_id: str
    source: str
    title: str
    why: str


def explain(flow: Flow, inp: PrismaInputs, key: str) -> list[ExplainRow]:
    """The records behind one count. ``key`` is a ``flow``/``prisma2020`` key,
    ``records_excluded_by_reason.<id>`` (and the full-text equivalents), ``identified.<source>``
    or ``open.<title_abstract|full_text|dedup_pairs>``."""
    found = _lookup(flow, key)
    unit = inp.unit
    if found is None and unit is not None and key == units_key(unit):
        raise ReviewError(
            (
                f"{key} is null: no included report is linked to a {unit.singular} in the "
                "charting yet (see ",
                step(Action.CHART_IMPORT),
                ").",
            )
        )
    if found is None:
        raise ReviewError(f"Unknown count {key!r}. Use one of: {', '.join(explain_keys(flow))}.")
    return [
        ExplainRow(
            m.id,
            flow.sources.get(m.id, ""),
            inp.titles.get(m.id, "") or inp.unit_names.get(m.id, ""),
            m.why,
        )
        for m in found
    ]


def _lookup(flow: Flow, key: str) -> list[Member] | None:
    if key in flow.members:
        return flow.members[key]
    low = key.lower()
    for k, v in flow.members.items():  # identified.<source> is matched case-insensitively
        if k.lower() == low:
            return v
    return None


def explain_keys(flow: Flow) -> list[str]:
    return list(flow.members)


def explain_count(flow: Flow, key: str) -> int | None:
    """The number ``key`` stands for in the flow/prisma2020 objects (None for list keys)."""
    if key in flow.prisma2020:
        return flow.prisma2020[key]
    return flow.counts.count(key)
