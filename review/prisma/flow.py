"""The PRISMA 2020 counts: a pure function of plain facts, with every invariant checked.

:func:`compute_flow` takes a :class:`PrismaInputs` (what was imported, what dedup removed, the
final screening decisions, the report -> programme links) and returns a :class:`Flow`: every
count of the PRISMA 2020 flow diagram *and* the records behind each count, so that
``review prisma explain KEY`` lists exactly as many records as the number it explains.

Nothing here reads files: :func:`review.prisma.inputs.gather` builds the inputs from a project,
tests build them directly.
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
    excluded_automatic: tuple[str, ...] = ()  # not screened by a person: stopped by the rule
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


# ---- helpers ------------------------------------------------------------------------------------


def _fmt_ids(ids: Iterable[str], limit: int = 10) -> str:
    ids = sorted(set(ids))
    shown = ", ".join(ids[:limit])
    if len(ids) > limit:
        shown += f" (and {len(ids) - limit} more)"
    return shown


def _fail(problem: str, ids: Iterable[str], hint: str) -> PrismaInconsistency:
    ids = sorted(set(ids))
    noun = "record" if len(ids) == 1 else "records"
    return PrismaInconsistency(
        f"PRISMA counts do not add up: {problem}: {len(ids)} {noun} ({_fmt_ids(ids)}). {hint}", ids
    )


def _check(ok: bool, problem: str, ids: Iterable[str], hint: str) -> None:
    if not ok:
        raise _fail(problem, ids, hint)


def _reason_rows(
    excluded: Mapping[str, str], labels: Mapping[str, str]
) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """Counts per reason, protocol order first (zeros kept), then unknown ids, then none."""
    by: dict[str, list[str]] = {}
    for cid, reason in excluded.items():
        by.setdefault(reason or UNSPECIFIED, []).append(cid)
    order = list(labels)
    extra = sorted(r for r in by if r not in labels and r not in (UNSPECIFIED, MAYBE_STOPPED))
    order += extra
    order += [r for r in (MAYBE_STOPPED, UNSPECIFIED) if r in by]
    rows = []
    for rid in order:
        rows.append({"reason": rid, "label": reason_label(rid, labels), "n": len(by.get(rid, []))})
    return rows, {rid: sorted(by.get(rid, [])) for rid in order}


def reason_label(reason_id: str, labels: Mapping[str, str]) -> str:
    if reason_id in labels:
        return labels[reason_id]
    if reason_id == UNSPECIFIED:
        return "No reason recorded"
    if reason_id == MAYBE_STOPPED:
        return "Uncertain (maybe), not sent to full text"
    return f"{reason_id} (not in the protocol)"


def _decided(final: Final | None) -> tuple[str | None, str, str]:
    if final is None:
        return None, "", "pending"
    return (
        final.decision,
        final.reason or "",
        final.via or ("pending" if not final.decision else ""),
    )


def _via(via: str) -> str:
    return f" ({via})" if via else ""


# ---- the core -----------------------------------------------------------------------------------


def compute_flow(inp: PrismaInputs) -> Flow:
    """Count every PRISMA 2020 box from ``inp``; raise :class:`PrismaInconsistency` when the
    facts contradict each other (the message names the records involved)."""
    members: dict[str, list[Member]] = {}
    source_of: dict[str, str] = {}
    kind_of: dict[str, str] = {}
    branch_of: dict[str, str] = {}

    # -- identification ---------------------------------------------------------------------
    twice: list[str] = []
    groups: dict[tuple[str, str, str], list[str]] = {}
    for ident in inp.identified:
        if ident.branch not in (MAIN, OTHER):
            raise PrismaInconsistency(
                f"Source {ident.source!r} has branch {ident.branch!r}; expected main or other."
            )
        for rid in ident.record_ids:
            if rid in source_of:
                twice.append(rid)
            source_of[rid] = ident.source
            kind_of[rid] = ident.kind
            branch_of[rid] = ident.branch
        groups.setdefault((ident.source, ident.kind, ident.branch), []).extend(ident.record_ids)
    _check(not twice, "records identified twice", twice, "Each record belongs to one import.")

    identified_list = [
        {"source": s, "kind": k, "branch": b, "n": len(ids)} for (s, k, b), ids in groups.items()
    ]
    all_ids = list(source_of)
    main_ids = [r for r in all_ids if branch_of[r] == MAIN]
    other_ids = [r for r in all_ids if branch_of[r] == OTHER]
    members["identified"] = [
        Member(r, f"imported from {source_of[r]} ({kind_of[r]}, {branch_of[r]} branch)")
        for r in all_ids
    ]
    for source in dict.fromkeys(s for s, _, _ in groups):  # sources with no records too
        members[f"identified.{source}"] = [
            m for m in members["identified"] if source_of[m.id] == source
        ]

    # -- removed before screening -----------------------------------------------------------
    main_set = set(main_ids)
    removed: dict[str, list[str]] = {
        "duplicates_automatic": list(inp.duplicates_automatic),
        "duplicates_manual": list(inp.duplicates_manual),
        "excluded_automatic": list(inp.excluded_automatic),
        "excluded_other": list(inp.excluded_other),
    }
    seen_removed: dict[str, str] = {}
    for key, ids in removed.items():
        unknown = [r for r in ids if r not in main_set]
        _check(
            not unknown,
            f"{key.replace('_', ' ')} that are not main-branch imported records",
            unknown,
            "Re-run `review dedup` so outputs/dedup/clusters.csv matches the import log.",
        )
        dup = [r for r in ids if r in seen_removed]
        _check(not dup, "records removed twice before screening", dup, "Re-run `review dedup`.")
        for r in ids:
            seen_removed[r] = key
    screened_ids = list(dict.fromkeys(inp.main_clusters))
    screened_set = set(screened_ids)
    bad = [c for c in screened_ids if c not in main_set]
    _check(
        not bad,
        "clusters screened at title/abstract that are not main-branch imported records",
        bad,
        "Re-run `review dedup` so outputs/dedup/clusters.csv matches the import log.",
    )
    both = [c for c in screened_ids if c in seen_removed]
    _check(not both, "records both removed and screened", both, "Re-run `review dedup`.")
    lost = [r for r in main_ids if r not in screened_set and r not in seen_removed]
    _check(
        not lost,
        "identified (databases and registers) − removed ≠ screened; records neither removed "
        "nor screened",
        lost,
        "Run `review dedup` (records imported since the last run are not in clusters.csv yet).",
    )
    n_removed = sum(len(v) for v in removed.values())
    _check(
        len(main_ids) - n_removed == len(screened_ids),
        "identified − removed ≠ screened",
        [],
        "Re-run `review dedup`.",
    )

    def dup_why(rid: str, how: str) -> str:
        kept = inp.cluster_of.get(rid)
        return f"duplicate of {kept}, {how}" if kept else f"duplicate, {how}"

    members["duplicates_automatic"] = [
        Member(r, dup_why(r, "merged automatically")) for r in removed["duplicates_automatic"]
    ]
    members["duplicates_manual"] = [
        Member(r, dup_why(r, "merged by a person")) for r in removed["duplicates_manual"]
    ]
    members["duplicates"] = members["duplicates_automatic"] + members["duplicates_manual"]
    members["excluded_automatic"] = [
        Member(r, "not screened by a person: title/abstract screening stopped by the stopping rule")
        for r in removed["excluded_automatic"]
    ]
    members["excluded_other"] = [
        Member(r, "removed before screening for another reason") for r in removed["excluded_other"]
    ]

    # -- title/abstract ---------------------------------------------------------------------
    ta_extra = [c for c in inp.title_abstract if c not in screened_set]
    _check(
        not ta_extra,
        "title/abstract decisions for records that are not screened clusters",
        ta_extra,
        "Re-run `review dedup`; decisions on merged duplicates should map to their cluster.",
    )
    ta_excluded: dict[str, str] = {}
    sought: list[str] = []
    ta_open: list[str] = []
    screened_m: list[Member] = []
    sought_m: list[Member] = []
    ta_open_m: list[Member] = []
    for cid in screened_ids:
        decision, reason, via = _decided(inp.title_abstract.get(cid))
        screened_m.append(Member(cid, f"title/abstract: {decision or 'undecided'}{_via(via)}"))
        if decision == "include" or (decision == "maybe" and inp.maybe_to_fulltext):
            sought.append(cid)
            sought_m.append(Member(cid, f"title/abstract {decision}{_via(via)}"))
        elif decision == "exclude":
            ta_excluded[cid] = reason
        elif decision == "maybe":
            ta_excluded[cid] = MAYBE_STOPPED
        elif decision is None:
            ta_open.append(cid)
            ta_open_m.append(Member(cid, f"title/abstract undecided ({via or 'pending'})"))
        else:
            raise _fail(
                f"title/abstract decision {decision!r} is not include, exclude or maybe",
                [cid],
                "Correct the decision with `review resolve --stage title-abstract`.",
            )
    members["records_screened"] = screened_m
    ta_rows, ta_by = _reason_rows(ta_excluded, inp.ta_reasons)
    members["records_excluded"] = [
        Member(
            c,
            f"excluded at title/abstract: {reason_label(r or UNSPECIFIED, inp.ta_reasons)}"
            f"{_via(_decided(inp.title_abstract.get(c))[2])}",
        )
        for c, r in ta_excluded.items()
    ]
    for rid, ids in ta_by.items():
        wanted = set(ids)
        members[f"records_excluded_by_reason.{rid}"] = [
            m for m in members["records_excluded"] if m.id in wanted
        ]
    _check(
        len(screened_ids) - len(ta_excluded) - len(ta_open) == len(sought),
        "screened − excluded − undecided ≠ sought",
        ta_open,
        "Report this as a bug.",
    )

    # -- full text, both branches -----------------------------------------------------------
    sought_set = set(sought)
    other_clusters = list(dict.fromkeys(inp.other_clusters))
    other_set = set(other_clusters)
    other_id_set = set(other_ids)
    bad_other = [c for c in other_clusters if c not in other_id_set]
    _check(
        not bad_other,
        "other-methods clusters that are not other-branch imported records",
        bad_other,
        "Re-run `review dedup` so outputs/dedup/clusters.csv matches the import log.",
    )
    lost_other = [r for r in other_ids if r not in other_set]
    _check(
        not lost_other,
        "other-methods records missing from the clusters",
        lost_other,
        "Run `review dedup` (records imported since the last run are not in clusters.csv yet).",
    )
    ft_extra = [c for c in inp.full_text if c not in sought_set and c not in other_set]
    _check(
        not ft_extra,
        "full-text decisions for records that were not sought for retrieval",
        ft_extra,
        "Their title/abstract decision is not include; retract or resolve one of the two.",
    )

    def branch_ft(ids: list[str], prefix: str) -> dict[str, Any]:
        not_retrieved: list[Member] = []
        assessed: list[Member] = []
        excluded: dict[str, str] = {}
        included: list[Member] = []
        open_: list[Member] = []
        for cid in ids:
            decision, reason, via = _decided(inp.full_text.get(cid))
            if decision == "not-retrieved":
                not_retrieved.append(Member(cid, f"full text not retrieved{_via(via)}"))
                continue
            assessed.append(Member(cid, f"full text: {decision or 'undecided'}{_via(via)}"))
            if decision == "include":
                included.append(Member(cid, f"included at full text{_via(via)}"))
            elif decision == "exclude":
                excluded[cid] = reason
            elif decision in (None, "maybe"):
                open_.append(Member(cid, f"full text undecided ({via or decision or 'pending'})"))
            else:
                raise _fail(
                    f"full-text decision {decision!r} is not valid",
                    [cid],
                    "Correct it with `review resolve --stage full-text`.",
                )
        rows, by = _reason_rows(excluded, inp.ft_reasons)
        excl_m = [
            Member(
                c,
                f"excluded at full text: {reason_label(r or UNSPECIFIED, inp.ft_reasons)}"
                f"{_via(_decided(inp.full_text.get(c))[2])}",
            )
            for c, r in excluded.items()
        ]
        members[f"{prefix}not_retrieved"] = not_retrieved
        members[f"{prefix}assessed"] = assessed
        members[f"{prefix}excluded"] = excl_m
        for rid, rids in by.items():
            wanted = set(rids)
            members[f"{prefix}excluded_by_reason.{rid}"] = [m for m in excl_m if m.id in wanted]
        members[f"{prefix}included"] = included
        _check(
            len(ids) - len(not_retrieved) == len(assessed),
            "sought − not retrieved ≠ assessed",
            [],
            "Report this as a bug.",
        )
        _check(
            len(assessed) - len(excluded) - len(open_) == len(included),
            "assessed − excluded − undecided ≠ included",
            [m.id for m in open_],
            "Report this as a bug.",
        )
        return {"rows": rows, "open": open_, "n_excluded": len(excluded)}

    members["reports_sought"] = sought_m
    dbr = branch_ft(sought, "reports_")
    members["other_reports_sought"] = [
        Member(c, f"{source_of[c]} ({kind_of[c]}): other methods, straight to full text")
        for c in other_clusters
    ]
    oth = branch_ft(other_clusters, "other_reports_")
    members["reports_included_main"] = members.pop("reports_included")
    members["reports_included_other"] = members.pop("other_reports_included")
    members["reports_included"] = (
        members["reports_included_main"] + members["reports_included_other"]
    )
    included_ids = [m.id for m in members["reports_included"]]
    _check(
        len(members["reports_included_main"]) + len(members["reports_included_other"])
        == len(included_ids)
        == len(set(included_ids)),
        "databases-and-registers included + other-methods included ≠ reports included",
        included_ids,
        "Report this as a bug.",
    )

    # -- studies and programmes -------------------------------------------------------------
    programmes: dict[str, list[str]] = {}
    unlinked: list[str] = []
    if inp.report_programmes is not None:
        for rid in included_ids:
            links = tuple(dict.fromkeys(inp.report_programmes.get(rid, ())))
            if not links:
                unlinked.append(rid)
            for pid in links:
                programmes.setdefault(pid, []).append(rid)
    if programmes:
        members["programmes_included"] = [
            Member(pid, _programme_why(pid, rids, inp.programme_names))
            for pid, rids in sorted(programmes.items())
        ]
        members["studies_included"] = members["programmes_included"] + [
            Member(r, "included report linked to no programme: counted as its own study")
            for r in unlinked
        ]
        programmes_included: int | None = len(programmes)
    else:
        members["studies_included"] = [
            Member(m.id, "included report (no programme links: one report, one study)")
            for m in members["reports_included"]
        ]
        programmes_included = None

    # -- open records -----------------------------------------------------------------------
    members["open.title_abstract"] = ta_open_m
    members["open.full_text"] = dbr["open"] + oth["open"]
    members["open.dedup_pairs"] = [
        Member(r, "in a possible-duplicate pair waiting for a person (`review dedup review`)")
        for r in inp.dedup_pending
    ]
    open_counts = {
        "title_abstract": len(ta_open_m),
        "full_text": len(members["open.full_text"]),
        "dedup_pairs": len(inp.dedup_pending),
    }

    n = {k: len(v) for k, v in members.items()}
    flow: dict[str, Any] = {
        "identified": identified_list,
        "identified_total": n["identified"],
        "duplicates_automatic": n["duplicates_automatic"],
        "duplicates_manual": n["duplicates_manual"],
        "excluded_automatic": n["excluded_automatic"],
        "excluded_other": n["excluded_other"],
        "records_screened": n["records_screened"],
        "records_excluded": n["records_excluded"],
        "records_excluded_by_reason": ta_rows,
        "reports_sought": n["reports_sought"],
        "reports_not_retrieved": n["reports_not_retrieved"],
        "reports_assessed": n["reports_assessed"],
        "reports_excluded": n["reports_excluded"],
        "reports_excluded_by_reason": dbr["rows"],
        "other_reports_sought": n["other_reports_sought"],
        "other_reports_not_retrieved": n["other_reports_not_retrieved"],
        "other_reports_assessed": n["other_reports_assessed"],
        "other_reports_excluded": n["other_reports_excluded"],
        "other_reports_excluded_by_reason": oth["rows"],
        "reports_included_main": n["reports_included_main"],
        "reports_included_other": n["reports_included_other"],
        "reports_included": n["reports_included"],
        "studies_included": n["studies_included"],
        "programmes_included": programmes_included,
        "provisional": any(open_counts.values()),
        "open": open_counts,
    }

    # -- the PRISMA2020 R package's data names ------------------------------------------------
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
    prisma2020: dict[str, int] = {}
    for key in PRISMA2020_KEYS:
        if key in aliases:
            prisma2020[key] = len(aliases[key])
        else:
            prisma2020[key] = n[key]
    for key, ms in aliases.items():
        members.setdefault(key, ms)
    return Flow(flow=flow, prisma2020=prisma2020, members=members, sources=source_of)


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


def _programme_why(pid: str, rids: list[str], names: Mapping[str, str]) -> str:
    name = names.get(pid, "")
    label = f"programme {name!r}" if name else "programme"
    return f"{label} described by {len(rids)} included report(s): {', '.join(rids)}"


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
    if found is None and key == "programmes_included":
        raise ReviewError(
            "programmes_included is null: no included report is linked to a programme in the "
            "charting yet (see `review chart import`)."
        )
    if found is None:
        raise ReviewError(f"Unknown count {key!r}. Use one of: {', '.join(explain_keys(flow))}.")
    return [
        ExplainRow(
            m.id,
            flow.sources.get(m.id, ""),
            inp.titles.get(m.id, "") or inp.programme_names.get(m.id, ""),
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
    if key == "identified":
        return int(flow.flow["identified_total"])
    value = flow.flow.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    head, _, tail = key.partition(".")
    if head == "open":
        return flow.flow["open"].get(tail)
    if head in (
        "records_excluded_by_reason",
        "reports_excluded_by_reason",
        "other_reports_excluded_by_reason",
    ):
        for row in flow.flow[head]:
            if row["reason"] == tail:
                return int(row["n"])
    if head == "identified":
        return sum(r["n"] for r in flow.flow["identified"] if r["source"].lower() == tail.lower())
    return None
