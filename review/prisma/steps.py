"""The steps of :func:`review.prisma.flow.compute_flow`, one per family of PRISMA 2020 boxes.

Each step reads :class:`~review.prisma.facts.PrismaInputs` (``tally.inp``), checks the facts it
counts (raising :class:`~review.prisma.facts.PrismaInconsistency` naming the records involved),
adds the members behind its counts to ``tally.members`` and returns what later steps need:

1. :func:`identification` — records identified, per source (``identified``, ``identified.<src>``)
2. :func:`removed_before_screening` — duplicates, automation, other removals
3. :func:`title_abstract` — records screened and excluded (per reason)
4. :func:`full_text` — reports sought, not retrieved, assessed, excluded, included (both branches)
5. :func:`studies` — studies (units of the schema's further level) included
6. :func:`open_records` — what is still undecided (the flow is provisional while any is)

:func:`review.prisma.flow.compute_flow` runs them and builds the two JSON count objects.
The order of ``tally.members`` is the order of the explain command's key list: a new step
(or a new count inside one) adds its keys where its boxes sit in the diagram.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from review.nextstep import Action, Text, step, text
from review.prisma.facts import (
    MAIN,
    MAYBE_STOPPED,
    OTHER,
    UNSPECIFIED,
    Final,
    IdentifiedRow,
    Member,
    OpenCounts,
    PrismaInconsistency,
    PrismaInputs,
    ReasonRow,
)

# ---- helpers ------------------------------------------------------------------------------------


def _fmt_ids(ids: Iterable[str], limit: int = 10) -> str:
    ids = sorted(set(ids))
    shown = ", ".join(ids[:limit])
    if len(ids) > limit:
        shown += f" (and {len(ids) - limit} more)"
    return shown


def _fail(problem: str, ids: Iterable[str], hint: str | Text) -> PrismaInconsistency:
    ids = sorted(set(ids))
    noun = "record" if len(ids) == 1 else "records"
    said = f"PRISMA counts do not add up: {problem}: {len(ids)} {noun} ({_fmt_ids(ids)}). "
    return PrismaInconsistency(text(said, hint), ids)


def _check(ok: bool, problem: str, ids: Iterable[str], hint: str | Text) -> None:
    if not ok:
        raise _fail(problem, ids, hint)


_DEDUP = step(Action.DEDUP)
_REDEDUP = ("Re-run ", _DEDUP, " so outputs/dedup/clusters.csv matches the import log.")
_STALE = " (records imported since the last run are not in clusters.csv yet)."
_DEDUP_STALE, _RERUN_DEDUP = ("Run ", _DEDUP, _STALE), ("Re-run ", _DEDUP, ".")


def _reason_rows(
    excluded: Mapping[str, str], labels: Mapping[str, str]
) -> tuple[tuple[ReasonRow, ...], dict[str, list[str]]]:
    """Counts per reason, protocol order first (zeros kept), then unknown ids, then none."""
    by: dict[str, list[str]] = {}
    for cid, reason in excluded.items():
        by.setdefault(reason or UNSPECIFIED, []).append(cid)
    order = list(labels)
    extra = sorted(r for r in by if r not in labels and r not in (UNSPECIFIED, MAYBE_STOPPED))
    order += extra
    order += [r for r in (MAYBE_STOPPED, UNSPECIFIED) if r in by]
    rows = tuple(ReasonRow(rid, reason_label(rid, labels), len(by.get(rid, []))) for rid in order)
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


def _excluded_members(
    tally: Tally,
    excluded: Mapping[str, str],
    finals: Mapping[str, Final],
    labels: Mapping[str, str],
    stage: str,
    prefix: str,
) -> tuple[ReasonRow, ...]:
    """Members of ``<prefix>excluded`` and ``<prefix>excluded_by_reason.<id>``; the rows."""
    rows, by = _reason_rows(excluded, labels)
    excl = [
        Member(
            c,
            f"excluded at {stage}: {reason_label(r or UNSPECIFIED, labels)}"
            f"{_via(_decided(finals.get(c))[2])}",
        )
        for c, r in excluded.items()
    ]
    tally.members[f"{prefix}excluded"] = excl
    for rid, ids in by.items():
        wanted = set(ids)
        tally.members[f"{prefix}excluded_by_reason.{rid}"] = [m for m in excl if m.id in wanted]
    return rows


# ---- the state the steps share ------------------------------------------------------------------


@dataclass
class Tally:
    """The inputs, the members behind every count so far, and each identified record's origin."""

    inp: PrismaInputs
    members: dict[str, list[Member]] = field(default_factory=dict)
    source_of: dict[str, str] = field(default_factory=dict)
    kind_of: dict[str, str] = field(default_factory=dict)
    branch_of: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Identification:
    rows: tuple[IdentifiedRow, ...]  # the flow's "identified" list
    main_ids: list[str]
    other_ids: list[str]


@dataclass(frozen=True)
class TitleAbstract:
    sought: list[str]  # clusters sent on to full text
    sought_members: list[Member]
    open_members: list[Member]  # undecided clusters
    reason_rows: tuple[ReasonRow, ...]


@dataclass(frozen=True)
class FullTextBranch:
    reason_rows: tuple[ReasonRow, ...]
    open_members: list[Member]
    included: list[Member]


@dataclass(frozen=True)
class FullText:
    main: FullTextBranch  # databases and registers
    other: FullTextBranch  # other methods


# ---- 1. identification --------------------------------------------------------------------------


def identification(tally: Tally) -> Identification:
    """Every imported record once, with its source, kind and branch."""
    twice: list[str] = []
    groups: dict[tuple, list[str]] = {}  # (source, kind, branch) -> record ids
    for ident in tally.inp.identified:
        if ident.branch not in (MAIN, OTHER):
            raise PrismaInconsistency(
                f"Source {ident.source!r} has branch {ident.branch!r}; expected main or other."
            )
        for rid in ident.record_ids:
            if rid in tally.source_of:
                twice.append(rid)
            tally.source_of[rid] = ident.source
            tally.kind_of[rid] = ident.kind
            tally.branch_of[rid] = ident.branch
        groups.setdefault((ident.source, ident.kind, ident.branch), []).extend(ident.record_ids)
    _check(not twice, "records identified twice", twice, "Each record belongs to one import.")

    rows = tuple(IdentifiedRow(s, k, b, len(ids)) for (s, k, b), ids in groups.items())
    all_ids = list(tally.source_of)
    src, kind, branch = tally.source_of, tally.kind_of, tally.branch_of
    members = tally.members
    members["identified"] = [
        Member(r, f"imported from {src[r]} ({kind[r]}, {branch[r]} branch)") for r in all_ids
    ]
    by_source: dict[str, list[Member]] = {
        s: [] for s, _, _ in groups
    }  # sources with no records too
    for m in members["identified"]:
        by_source[src[m.id]].append(m)
    for source, listed in by_source.items():
        members[f"identified.{source}"] = listed
    return Identification(
        rows,
        [r for r in all_ids if branch[r] == MAIN],
        [r for r in all_ids if branch[r] == OTHER],
    )


# ---- 2. removed before screening ----------------------------------------------------------------


def removed_before_screening(tally: Tally, ident: Identification) -> list[str]:
    """Duplicates, automation and other removals; returns the clusters screened at
    title/abstract, checked: identified (main branch) − removed = screened."""
    inp = tally.inp
    main_set = set(ident.main_ids)
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
            _REDEDUP,
        )
        dup = [r for r in ids if r in seen_removed]
        _check(not dup, "records removed twice before screening", dup, _RERUN_DEDUP)
        for r in ids:
            seen_removed[r] = key
    screened_ids = list(dict.fromkeys(inp.main_clusters))
    screened_set = set(screened_ids)
    bad = [c for c in screened_ids if c not in main_set]
    _check(
        not bad,
        "clusters screened at title/abstract that are not main-branch imported records",
        bad,
        _REDEDUP,
    )
    both = [c for c in screened_ids if c in seen_removed]
    _check(not both, "records both removed and screened", both, _RERUN_DEDUP)
    lost = [r for r in ident.main_ids if r not in screened_set and r not in seen_removed]
    _check(
        not lost,
        "identified (databases and registers) − removed ≠ screened; records neither removed "
        "nor screened",
        lost,
        _DEDUP_STALE,
    )
    n_removed = sum(len(v) for v in removed.values())
    _check(
        len(ident.main_ids) - n_removed == len(screened_ids),
        "identified − removed ≠ screened",
        [],
        _RERUN_DEDUP,
    )
    _removed_members(tally, removed)
    return screened_ids


def _removed_members(tally: Tally, removed: Mapping[str, list[str]]) -> None:
    def dup_why(rid: str, how: str) -> str:
        kept = tally.inp.cluster_of.get(rid)
        return f"duplicate of {kept}, {how}" if kept else f"duplicate, {how}"

    members = tally.members
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


# ---- 3. title/abstract --------------------------------------------------------------------------


def title_abstract(tally: Tally, screened_ids: list[str]) -> TitleAbstract:
    """Every screened cluster's final title/abstract decision: excluded, sought or undecided."""
    inp = tally.inp
    screened_set = set(screened_ids)
    ta_extra = [c for c in inp.title_abstract if c not in screened_set]
    _check(
        not ta_extra,
        "title/abstract decisions for records that are not screened clusters",
        ta_extra,
        ("Re-run ", _DEDUP, "; decisions on merged duplicates should map to their cluster."),
    )
    excluded: dict[str, str] = {}
    sought: list[str] = []
    open_ids: list[str] = []
    screened_m: list[Member] = []
    sought_m: list[Member] = []
    open_m: list[Member] = []
    for cid in screened_ids:
        decision, reason, via = _decided(inp.title_abstract.get(cid))
        screened_m.append(Member(cid, f"title/abstract: {decision or 'undecided'}{_via(via)}"))
        if decision == "include" or (decision == "maybe" and inp.maybe_to_fulltext):
            sought.append(cid)
            sought_m.append(Member(cid, f"title/abstract {decision}{_via(via)}"))
        elif decision == "exclude":
            excluded[cid] = reason
        elif decision == "maybe":
            excluded[cid] = MAYBE_STOPPED
        elif decision is None:
            open_ids.append(cid)
            open_m.append(Member(cid, f"title/abstract undecided ({via or 'pending'})"))
        else:
            raise _fail(
                f"title/abstract decision {decision!r} is not include, exclude or maybe",
                [cid],
                ("Correct the decision with ", step(Action.RESOLVE, stage="title-abstract"), "."),
            )
    tally.members["records_screened"] = screened_m
    rows = _excluded_members(
        tally, excluded, inp.title_abstract, inp.ta_reasons, "title/abstract", "records_"
    )
    _check(
        len(screened_ids) - len(excluded) - len(open_ids) == len(sought),
        "screened − excluded − undecided ≠ sought",
        open_ids,
        "Report this as a bug.",
    )
    return TitleAbstract(sought, sought_m, open_m, rows)


# ---- 4. full text, both branches ----------------------------------------------------------------


def full_text(tally: Tally, ident: Identification, ta: TitleAbstract) -> FullText:
    """Reports sought (from title/abstract, and every other-methods record) through included."""
    inp = tally.inp
    sought_set = set(ta.sought)
    other_clusters = list(dict.fromkeys(inp.other_clusters))
    other_set = set(other_clusters)
    other_id_set = set(ident.other_ids)
    bad_other = [c for c in other_clusters if c not in other_id_set]
    _check(
        not bad_other,
        "other-methods clusters that are not other-branch imported records",
        bad_other,
        _REDEDUP,
    )
    lost_other = [r for r in ident.other_ids if r not in other_set]
    _check(
        not lost_other, "other-methods records missing from the clusters", lost_other, _DEDUP_STALE
    )
    ft_extra = [c for c in inp.full_text if c not in sought_set and c not in other_set]
    _check(
        not ft_extra,
        "full-text decisions for records that were not sought for retrieval",
        ft_extra,
        "Their title/abstract decision is not include; retract or resolve one of the two.",
    )
    members = tally.members
    members["reports_sought"] = ta.sought_members
    main = _full_text_branch(tally, ta.sought, "reports_")
    members["other_reports_sought"] = [
        Member(
            c, f"{tally.source_of[c]} ({tally.kind_of[c]}): other methods, straight to full text"
        )
        for c in other_clusters
    ]
    other = _full_text_branch(tally, other_clusters, "other_reports_")
    members["reports_included_main"] = main.included
    members["reports_included_other"] = other.included
    members["reports_included"] = main.included + other.included
    included_ids = [m.id for m in members["reports_included"]]
    _check(
        len(main.included) + len(other.included) == len(included_ids) == len(set(included_ids)),
        "databases-and-registers included + other-methods included ≠ reports included",
        included_ids,
        "Report this as a bug.",
    )
    return FullText(main, other)


def _full_text_branch(tally: Tally, ids: list[str], prefix: str) -> FullTextBranch:
    """One branch's reports: not retrieved, assessed (a final include or exclude), excluded (per
    reason), included, and awaiting a final decision (pending, conflict, a final maybe)."""
    inp = tally.inp
    not_retrieved: list[Member] = []
    assessed: list[Member] = []
    excluded: dict[str, str] = {}
    included: list[Member] = []
    open_: list[Member] = []
    for cid in ids:
        decision, reason, via = _decided(inp.full_text.get(cid))
        if decision == "not-retrieved":
            not_retrieved.append(Member(cid, f"full text not retrieved{_via(via)}"))
        elif decision in (None, "maybe"):
            open_.append(Member(cid, f"full text undecided ({via or decision or 'pending'})"))
        elif decision in ("include", "exclude"):
            assessed.append(Member(cid, f"full text: {decision}{_via(via)}"))
            if decision == "include":
                included.append(Member(cid, f"included at full text{_via(via)}"))
            else:
                excluded[cid] = reason
        else:
            raise _fail(
                f"full-text decision {decision!r} is not valid",
                [cid],
                ("Correct it with ", step(Action.RESOLVE, stage="full-text"), "."),
            )
    tally.members[f"{prefix}not_retrieved"] = not_retrieved
    tally.members[f"{prefix}assessed"] = assessed
    rows = _excluded_members(tally, excluded, inp.full_text, inp.ft_reasons, "full text", prefix)
    tally.members[f"{prefix}awaiting"] = open_
    _check(
        len(ids) - len(not_retrieved) - len(open_) == len(assessed),
        "sought − not retrieved − awaiting a decision ≠ assessed",
        [],
        "Report this as a bug.",
    )
    _check(
        len(assessed) - len(excluded) == len(included),
        "assessed − excluded ≠ included",
        [],
        "Report this as a bug.",
    )
    return FullTextBranch(rows, open_, included)


# ---- 5. studies and the schema's further level (its units) -------------------------------------


# ---- 6. open records ----------------------------------------------------------------------------


def open_records(tally: Tally, ta: TitleAbstract, ft: FullText) -> OpenCounts:
    """What a person still has to decide; any of it makes the flow provisional."""
    members = tally.members
    members["open.title_abstract"] = ta.open_members
    members["open.full_text"] = ft.main.open_members + ft.other.open_members
    members["open.dedup_pairs"] = [
        Member(r, "in a possible-duplicate pair waiting for a person (the dedup review queue)")
        for r in tally.inp.dedup_pending
    ]
    return OpenCounts(
        title_abstract=len(ta.open_members),
        full_text=len(members["open.full_text"]),
        dedup_pairs=len(tally.inp.dedup_pending),
    )
