"""Property tests: for random consistent review histories every PRISMA invariant holds, each
count equals the truth the history was built from, and `explain` lists exactly as many records
as each count. Inconsistent histories raise an error that names the records involved."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from review.chart.schema import Level
from review.errors import ReviewError
from review.prisma.flow import (
    Final,
    Identified,
    PrismaInconsistency,
    PrismaInputs,
    compute_flow,
    explain,
    explain_count,
)

PROGRAMME = Level("programme", "programme", "programmes")

KINDS = ("database", "register", "website", "organisation", "citation", "expert", "other")
REASONS = {"r1": "Reason one", "r2": "Reason two"}  # "r9" is used but not in the protocol


@dataclass
class History:
    inputs: PrismaInputs
    truth: dict[str, Any]


@st.composite
def histories(draw: st.DrawFn) -> History:
    identified = []
    main_ids: list[str] = []
    other_ids: list[str] = []
    for i in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(KINDS))
        screened_with_db = draw(st.booleans())
        branch = "main" if kind in ("database", "register") or screened_with_db else "other"
        ids = tuple(f"s{i}-{k}" for k in range(draw(st.integers(0, 10))))
        identified.append(Identified(f"Source {i}", kind, branch, ids))
        (main_ids if branch == "main" else other_ids).extend(ids)

    kept: list[str] = []
    dup_auto: list[str] = []
    dup_manual: list[str] = []
    excl_other: list[str] = []
    cluster_of: dict[str, str] = {}
    for rid in main_ids:
        fate = draw(st.sampled_from(("keep", "keep", "keep", "auto", "manual", "other")))
        if fate in ("auto", "manual") and kept:
            cluster_of[rid] = draw(st.sampled_from(kept))
            (dup_auto if fate == "auto" else dup_manual).append(rid)
        elif fate == "other":
            excl_other.append(rid)
        else:
            kept.append(rid)

    maybe_to_fulltext = draw(st.booleans())
    reason = st.sampled_from(("r1", "r2", "r9", ""))
    ta: dict[str, Final] = {}
    sought: list[str] = []
    ta_excluded: dict[str, str] = {}
    ta_open = 0
    for cid in kept:
        d = draw(st.sampled_from(("include", "exclude", "maybe", "pending", "conflict", "absent")))
        if d == "absent":
            ta_open += 1
            continue
        if d in ("pending", "conflict"):
            ta[cid] = Final(None, "", d)
            ta_open += 1
        elif d == "exclude":
            r = draw(reason)
            ta[cid] = Final("exclude", r, "agreement")
            ta_excluded[cid] = r or "unspecified"
        else:
            ta[cid] = Final(d, "", draw(st.sampled_from(("agreement", "resolution"))))
            if d == "include" or maybe_to_fulltext:
                sought.append(cid)
            else:
                ta_excluded[cid] = "maybe-not-sent-to-full-text"

    ft: dict[str, Final] = {}
    truth_ft = {}
    for branch, ids in (("main", sought), ("other", other_ids)):
        nr = ex = inc = op = 0
        reasons: dict[str, int] = {}
        included: list[str] = []
        for cid in ids:
            d = draw(
                st.sampled_from(("include", "exclude", "not-retrieved", "maybe", "none", "absent"))
            )
            if d == "absent":
                op += 1
                continue
            if d == "none":
                ft[cid] = Final(None, "", "conflict")
                op += 1
            elif d == "maybe":
                ft[cid] = Final("maybe", "", "agreement")
                op += 1
            elif d == "exclude":
                r = draw(reason)
                ft[cid] = Final("exclude", r, "agreement")
                ex += 1
                reasons[r or "unspecified"] = reasons.get(r or "unspecified", 0) + 1
            else:
                ft[cid] = Final(d, "", "agreement")
                if d == "include":
                    inc += 1
                    included.append(cid)
                else:
                    nr += 1
        truth_ft[branch] = {
            "sought": len(ids),
            "not_retrieved": nr,
            "excluded": ex,
            "included": inc,
            "open": op,
            "reasons": reasons,
            "included_ids": included,
        }

    all_included = truth_ft["main"]["included_ids"] + truth_ft["other"]["included_ids"]
    report_programmes = None
    programmes_truth = None
    if draw(st.booleans()):
        report_programmes = {}
        for rid in [*all_included, *kept[:2]]:  # links on non-included records are ignored
            report_programmes[rid] = tuple(
                draw(st.lists(st.sampled_from(("P1", "P2", "P3", "P4")), max_size=2))
            )
        linked = {p for rid in all_included for p in report_programmes.get(rid, ())}
        unlinked = [rid for rid in all_included if not report_programmes.get(rid)]
        if linked:
            programmes_truth = len(linked)
            studies = len(linked) + len(unlinked)
        else:
            studies = len(all_included)
    else:
        studies = len(all_included)

    ta_reason_counts: dict[str, int] = {}
    for r in ta_excluded.values():
        ta_reason_counts[r] = ta_reason_counts.get(r, 0) + 1
    inputs = PrismaInputs(
        identified=tuple(identified),
        main_clusters=tuple(kept),
        other_clusters=tuple(other_ids),
        duplicates_automatic=tuple(dup_auto),
        duplicates_manual=tuple(dup_manual),
        excluded_other=tuple(excl_other),
        title_abstract=ta,
        full_text=ft,
        maybe_to_fulltext=maybe_to_fulltext,
        ta_reasons=REASONS,
        ft_reasons=REASONS,
        report_units=report_programmes,
        unit=PROGRAMME,
        cluster_of=cluster_of,
        titles={r: f"Title {r}" for r in [*main_ids, *other_ids]},
    )
    truth = {
        "identified_main": len(main_ids),
        "identified_other": len(other_ids),
        "duplicates_automatic": len(dup_auto),
        "duplicates_manual": len(dup_manual),
        "excluded_other": len(excl_other),
        "records_screened": len(kept),
        "records_excluded": len(ta_excluded),
        "ta_reasons": ta_reason_counts,
        "ta_open": ta_open,
        "reports_sought": len(sought),
        "ft": truth_ft,
        "reports_included": len(all_included),
        "studies_included": studies,
        "programmes_included": programmes_truth,
        "ta_excluded_ids": sorted(ta_excluded),
        "dups": [*dup_auto, *dup_manual],
    }
    return History(inputs, truth)


FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(histories())
def test_counts_equal_the_history_and_invariants_hold(h: History) -> None:
    flow = compute_flow(h.inputs)
    f, p, t = flow.counts, flow.prisma2020, h.truth
    # the counts are the truth the history was built from
    assert f.duplicates_automatic == t["duplicates_automatic"]
    assert f.duplicates_manual == t["duplicates_manual"]
    assert p["duplicates"] == t["duplicates_automatic"] + t["duplicates_manual"]
    assert p["excluded_other"] == t["excluded_other"]
    assert p["records_screened"] == t["records_screened"]
    assert p["records_excluded"] == t["records_excluded"]
    assert p["dbr_sought_reports"] == t["reports_sought"]
    for prefix, branch in (("dbr", "main"), ("other", "other")):
        b = t["ft"][branch]
        sought = "dbr_sought_reports" if prefix == "dbr" else "other_sought_reports"
        assert p[sought] == b["sought"]
        assert p[f"{prefix}_notretrieved_reports"] == b["not_retrieved"]
        assert p[f"{prefix}_excluded"] == b["excluded"]
    assert f.reports_included_main == t["ft"]["main"]["included"]
    assert f.reports_included_other == t["ft"]["other"]["included"]
    assert p["total_reports"] == t["reports_included"]
    assert p["total_studies"] == t["studies_included"]
    assert f.units_included == t["programmes_included"]
    assert flow.counts.to_json()["programmes_included"] == t["programmes_included"]
    assert {r.reason: r.n for r in f.records_excluded_by_reason if r.n} == t["ta_reasons"]
    assert {r.reason: r.n for r in f.reports.excluded_by_reason if r.n} == t["ft"]["main"][
        "reasons"
    ]
    # the invariants
    identified_main = sum(r.n for r in f.identified if r.branch == "main")
    assert identified_main == t["identified_main"]
    assert (
        identified_main - p["duplicates"] - p["excluded_automatic"] - p["excluded_other"]
        == p["records_screened"]
    )
    assert (
        p["records_screened"] - p["records_excluded"] - f.open.title_abstract
        == p["dbr_sought_reports"]
    )
    if f.open.title_abstract == 0:
        assert p["records_screened"] - p["records_excluded"] == p["dbr_sought_reports"]
    # assessed = a final include or exclude; the rest of what was sought awaits a decision
    assert f.reports.awaiting == t["ft"]["main"]["open"]
    assert f.other_reports.awaiting == t["ft"]["other"]["open"]
    assert (
        p["dbr_sought_reports"] - p["dbr_notretrieved_reports"] - f.reports.awaiting
        == p["dbr_assessed"]
    )
    assert (
        p["other_sought_reports"] - p["other_notretrieved_reports"] - f.other_reports.awaiting
        == p["other_assessed"]
    )
    open_ft = t["ft"]["main"]["open"] + t["ft"]["other"]["open"]
    assert f.open.full_text == open_ft
    assert p["dbr_assessed"] - p["dbr_excluded"] == f.reports_included_main
    assert p["other_assessed"] - p["other_excluded"] == f.reports_included_other
    # a count is final exactly when no stage before it is open
    assert f.is_final("total_reports") == (not f.provisional)
    assert f.is_final("dbr_sought_reports") == (
        not f.open.title_abstract and not f.open.dedup_pairs
    )
    assert f.reports_included_main + f.reports_included_other == p["total_reports"]
    assert sum(r.n for r in f.records_excluded_by_reason) == p["records_excluded"]
    assert sum(r.n for r in f.reports.excluded_by_reason) == p["dbr_excluded"]
    assert f.provisional == bool(t["ta_open"] or open_ft)
    assert p["total_studies"] <= max(p["total_reports"], p["total_studies"])


@FAST
@given(histories())
def test_explain_returns_exactly_as_many_records_as_each_count(h: History) -> None:
    flow = compute_flow(h.inputs)
    checked = 0
    for key in flow.keys():
        rows = explain(flow, h.inputs, key)
        count = explain_count(flow, key)
        assert count is not None, key
        assert len(rows) == count, key
        checked += 1
    for key in flow.prisma2020:
        assert len(explain(flow, h.inputs, key)) == flow.prisma2020[key], key
    for row in flow.counts.identified:
        got = explain(flow, h.inputs, f"identified.{row.source}")
        assert len(got) == sum(r.n for r in flow.counts.identified if r.source == row.source)
    assert checked > 20
    # explain names the right records, not just the right number
    assert (
        sorted(r.record_id for r in explain(flow, h.inputs, "records_excluded"))
        == (h.truth["ta_excluded_ids"])
    )
    assert sorted(r.record_id for r in explain(flow, h.inputs, "duplicates")) == sorted(
        h.truth["dups"]
    )


def _mutations(h: History) -> list[tuple[str, PrismaInputs, str]]:
    """(name, broken inputs, a record id the error must name)."""
    inp = h.inputs
    out = []
    if inp.main_clusters:
        lost = inp.main_clusters[-1]
        out.append(("cluster lost", replace(inp, main_clusters=inp.main_clusters[:-1]), lost))
    dups = [*inp.duplicates_automatic, *inp.duplicates_manual]
    if dups:
        ta = dict(inp.title_abstract)
        ta[dups[0]] = Final("include", "", "agreement")
        out.append(("decision on a removed duplicate", replace(inp, title_abstract=ta), dups[0]))
        out.append(
            (
                "duplicate also screened",
                replace(inp, main_clusters=(*inp.main_clusters, dups[0])),
                dups[0],
            )
        )
    excluded = [c for c, f in inp.title_abstract.items() if f.decision == "exclude"]
    if excluded:
        ft = dict(inp.full_text)
        ft[excluded[0]] = Final("include", "", "agreement")
        out.append(("full text of an excluded record", replace(inp, full_text=ft), excluded[0]))
    out.append(
        (
            "removed record never imported",
            replace(inp, duplicates_automatic=(*inp.duplicates_automatic, "ghost-1")),
            "ghost-1",
        )
    )
    some = [r for i in inp.identified for r in i.record_ids]
    if some:
        twice = Identified("Again", "database", "main", (some[0],))
        out.append(
            ("record identified twice", replace(inp, identified=(*inp.identified, twice)), some[0])
        )
    if inp.other_clusters:
        out.append(
            (
                "other-methods record not clustered",
                replace(inp, other_clusters=inp.other_clusters[1:]),
                inp.other_clusters[0],
            )
        )
    return out


@FAST
@given(histories(), st.data())
def test_inconsistent_histories_raise_naming_the_records(h: History, data: st.DataObject) -> None:
    name, broken, culprit = data.draw(st.sampled_from(_mutations(h)), label="mutation")
    with pytest.raises(PrismaInconsistency) as err:
        compute_flow(broken)
    assert isinstance(err.value, ReviewError)
    assert culprit in str(err.value), name
    assert culprit in err.value.records, name
    assert str(err.value).startswith("PRISMA counts do not add up"), name


def test_unknown_explain_key_lists_the_keys() -> None:
    inp = PrismaInputs(
        identified=(Identified("DB", "database", "main", ("a", "b")),),
        main_clusters=("a", "b"),
        unit=PROGRAMME,
    )
    flow = compute_flow(inp)
    with pytest.raises(ReviewError, match=r"Unknown count 'nope'\. Use one of: identified, "):
        explain(flow, inp, "nope")
    assert len(explain(flow, inp, "identified.db")) == 2  # source names match case-insensitively
    with pytest.raises(ReviewError, match="programmes_included is null: no included report"):
        explain(flow, inp, "programmes_included")
    assert flow.counts.provisional is True and flow.counts.open.title_abstract == 2


@pytest.mark.slow  # CI runs it (pytest -m slow); the default loop stays fast
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(), st.sampled_from(("auto", "databases", "both")), st.sampled_from((7.0, 9.0)))
def test_any_history_lays_out_cleanly(h: History, branches: str, fontsize: float) -> None:
    from review.prisma.diagram import DiagramOptions, compute_layout
    from tests.helpers.prisma import assert_clean_layout

    flow = compute_flow(h.inputs)
    layout = compute_layout(flow, DiagramOptions(branches=branches, fontsize=fontsize))
    assert_clean_layout(layout)
    ids = {b.id for b in layout.boxes}
    has_other = any(i.branch == "other" for i in h.inputs.identified)
    assert ("identified_other" in ids) == (branches == "both" or (branches == "auto" and has_other))
