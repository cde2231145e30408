"""The review.screen library API other stages call: eligible, final_decisions, included_reports,
agreement, status_summary."""

from __future__ import annotations

import pytest

from review.cli.status_view import section_lines
from review.errors import ProjectError
from review.io.files import append_jsonl
from review.screen import (
    FinalDecision,
    agreement,
    eligible,
    final_decisions,
    included_reports,
    status_summary,
)
from tests.helpers.screen import decide, make_clusters, resolve, retract, set_protocol

TA, FT = "title-abstract", "full-text"


def test_missing_clusters_is_a_clear_error(project):
    from review.cli.commands import error_text
    from review.nextstep import Action, step

    with pytest.raises(ProjectError, match=r"run `dedup` first") as caught:
        final_decisions(project, TA)
    # the library names the next step as data; the CLI spells it from its command table
    assert caught.value.next_steps == (step(Action.DEDUP),)
    assert "run `review dedup` first (it groups" in error_text(caught.value)


def test_unknown_stage(project):
    make_clusters(project, 2)
    with pytest.raises(ProjectError, match="Unknown stage 'abstract'"):
        final_decisions(project, "abstract")


def test_final_status_rules(project):
    make_clusters(project, 6)
    # include vs maybe is a conflict only when the protocol says so (test_include_vs_maybe.py)
    project = set_protocol(project, title_abstract__maybe_conflicts=True)
    decide(project, "Ana", "r1", "include")
    decide(project, "Ben", "r1", "include")
    decide(project, "Ana", "r2", "exclude", reason="wrong-population")
    decide(project, "Ben", "r2", "exclude", reason="wrong-population")
    decide(project, "Ana", "r3", "include")
    decide(project, "Ben", "r3", "maybe")  # maybe is its own decision: a conflict
    decide(project, "Ana", "r4", "include")  # only one of two reviewers: pending
    decide(project, "Ana", "r5", "exclude", reason="wrong-date")
    decide(project, "Ben", "r5", "include")
    resolve(project, "Cleo", "r5", "exclude", reason="wrong-date")
    final = final_decisions(project, TA)
    assert list(final) == ["r1", "r2", "r3", "r4", "r5", "r6"]
    assert final["r1"] == FinalDecision(
        "r1",
        TA,
        "include",
        "",
        "agreement",
        (("Ana", "include", "", ""), ("Ben", "include", "", "")),
    )
    assert (final["r2"].decision, final["r2"].reason, final["r2"].via) == (
        "exclude",
        "wrong-population",
        "agreement",
    )
    assert (final["r3"].decision, final["r3"].via) == (None, "conflict")
    assert (final["r4"].decision, final["r4"].via) == (None, "pending")
    assert (final["r5"].decision, final["r5"].reason, final["r5"].via) == (
        "exclude",
        "wrong-date",
        "resolution",
    )
    assert (final["r6"].decision, final["r6"].via, final["r6"].decisions) == (None, "pending", ())


def test_retract_cancels_latest_standing_decision(project):
    make_clusters(project, 2)
    decide(project, "Ana", "r1", "include")
    decide(project, "Ana", "r1", "exclude", reason="wrong-date")
    retract(project, "Ana", "r1")  # back to include
    decide(project, "Ana", "r2", "include")
    retract(project, "Ana", "r2")  # nothing left
    decide(project, "Ben", "r1", "include")
    final = final_decisions(project, TA)
    assert (final["r1"].decision, final["r1"].via) == ("include", "agreement")
    assert final["r2"].decisions == ()
    decide(project, "Ben", "r2", "exclude")
    decide(project, "Ana", "r2", "include")
    assert final_decisions(project, TA)["r2"].via == "conflict"
    # a resolver's retraction cancels their resolution too
    resolve(project, "Cleo", "r2", "include")
    assert final_decisions(project, TA)["r2"].via == "resolution"
    append_jsonl(
        project.data_dir / "resolutions" / "cleo.jsonl",
        [{"op": "retract", "record_id": "r2", "stage": TA, "resolver": "Cleo"}],
    )
    assert final_decisions(project, TA)["r2"].via == "conflict"


def test_decisions_follow_dedup_clusters(project):
    # r1 absorbed d1 and d2 after a re-run of dedup; Ana had screened d1 then d2: latest wins.
    make_clusters(project, 2, merged={"r1": ["d1", "d2"]})
    decide(project, "Ana", "d1", "exclude", reason="wrong-date")
    decide(project, "Ana", "d2", "include")
    decide(project, "Ben", "r1", "include")
    final = final_decisions(project, TA)
    assert set(final) == {"r1", "r2"}
    assert (final["r1"].decision, final["r1"].via) == ("include", "agreement")
    assert eligible(project, TA) == ["r1", "r2"]


def test_single_reviewer_protocol(project):
    project = set_protocol(project, title_abstract__reviewers_per_record=1)
    make_clusters(project, 2)
    decide(project, "Ana", "r1", "maybe")
    final = final_decisions(project, TA)
    assert (final["r1"].decision, final["r1"].via) == ("maybe", "single")
    assert final["r2"].via == "pending"


@pytest.mark.parametrize(
    ("maybe_to_fulltext", "expected"), [(True, ["r1", "r3", "r4"]), (False, ["r1", "r4"])]
)
def test_fulltext_eligibility(project, maybe_to_fulltext, expected):
    project = set_protocol(project, title_abstract__maybe_to_fulltext=maybe_to_fulltext)
    make_clusters(project, 3, other=1)  # r4 is other-methods: straight to full text
    for who in ("Ana", "Ben"):
        decide(project, who, "r1", "include")
        decide(project, who, "r2", "exclude")
        decide(project, who, "r3", "maybe")
    assert eligible(project, FT) == expected
    assert list(final_decisions(project, FT)) == expected


def test_included_reports_both_branches(project):
    make_clusters(project, 2, other=2)
    for who in ("Ana", "Ben"):
        decide(project, who, "r1", "include")
        decide(project, who, "r2", "include")
        decide(project, who, "r1", "include", stage=FT)
        decide(project, who, "r2", "not-retrieved", stage=FT)
        decide(project, who, "r3", "include", stage=FT)
    decide(project, "Ana", "r4", "include", stage=FT)
    decide(project, "Ben", "r4", "exclude", stage=FT, reason="not-empirical")
    assert included_reports(project) == ["r1", "r3"]
    resolve(project, "Cleo", "r4", "include", stage=FT)
    assert included_reports(project) == ["r1", "r3", "r4"]
    ft = final_decisions(project, FT)
    assert (ft["r2"].decision, ft["r2"].via) == ("not-retrieved", "agreement")


def test_fulltext_decision_on_ineligible_record_is_not_final(project):
    make_clusters(project, 2)
    decide(project, "Ana", "r2", "include", stage=FT)  # r2 never passed title/abstract
    assert final_decisions(project, FT) == {}
    assert included_reports(project) == []


def test_torn_last_line_is_reported_not_fatal(project):
    make_clusters(project, 2)
    decide(project, "Ana", "r1", "include")
    decide(project, "Ben", "r1", "include")
    path = project.data_dir / "screening" / "ben.jsonl"
    with open(path, "a", encoding="utf-8") as fh:
        fh.write('{"op":"decide","record_id":"r2","sta')
    assert final_decisions(project, TA)["r1"].via == "agreement"
    agr = agreement(project, TA)
    assert agr.log_problems == (f"{path}:2: torn last line (interrupted write), ignored",)
    summary = status_summary(project)
    assert f"  warning: {path}:2: torn last line (interrupted write), ignored" in section_lines(
        summary
    )


def test_agreement_keys_and_counts(project):
    make_clusters(project, 5)
    pairs = [
        ("include", "include"),
        ("exclude", "exclude"),
        ("include", "exclude"),
        ("maybe", "include"),
        ("exclude", "exclude"),
    ]
    for i, (a, b) in enumerate(pairs, start=1):
        decide(project, "Ana", f"r{i}", a)
        decide(project, "Ben", f"r{i}", b)
    agr = agreement(project, TA)
    data = agr.to_json()  # the `review disagreements --json` object
    for key in (
        "stage",
        "reviewers",
        "records_screened_by_all",
        "agreements",
        "disagreements",
        "percent_agreement",
        "cohen_kappa",
        "kappa_ci95",
        "pabak",
        "gwet_ac1",
        "krippendorff_alpha",
        "unresolved",
    ):
        assert key in data
    assert agr.reviewers == ("Ana", "Ben")
    assert agr.records_screened_by_all == 5
    # maybe vs include goes on to full text (maybe_conflicts defaults to false): not unresolved,
    # yet still a disagreement in the statistics (κ both ways as before)
    assert (agr.stats.agreements, agr.stats.disagreements, agr.unresolved) == (3, 2, 1)
    assert agr.final_status["forwarded"] == 1
    assert agr.stats.percent_agreement == pytest.approx(0.6)
    assert data["maybe_treatment"] == "maybe_own_category"
    alt = agr.maybe_collapsed_to_include
    assert (alt.agreements, alt.disagreements) == (4, 1)
    assert alt.categories == ("include", "exclude")
    # PABAK with two categories is 2*po - 1 (Byrt, Bishop & Carlin 1993)
    assert alt.pabak == pytest.approx(2 * 0.8 - 1)
    assert agr.stats.pairs[0].reviewers == ("Ana", "Ben")


def test_status_summary_lines(project):
    make_clusters(project, 4)
    decide(project, "Ana", "r1", "include")
    decide(project, "Ana", "r2", "exclude")
    decide(project, "Ben", "r1", "exclude")
    s = status_summary(project)
    assert (
        section_lines(s)[0]
        == "title-abstract: 4 records, 0 with a final decision, 1 open disagreements"
    )
    assert "  Ana: 2/4 screened (50.0%)" in section_lines(s)
    assert "  Ben: 1/4 screened (25.0%)" in section_lines(s)
    assert s.stages["title-abstract"].open_disagreements == 1
    assert s.stages["full-text"].eligible == 0


def test_status_summary_without_dedup(project):
    s = status_summary(project)
    assert s.stages == {}
    assert section_lines(s)[0].startswith("Not started: outputs/dedup/clusters.csv not found")
