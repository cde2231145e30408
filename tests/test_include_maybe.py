"""Issue 20 §4: include vs maybe is no conflict when both go on to full text (maybe_conflicts)."""

from __future__ import annotations

import pytest

from review.errors import ProjectError
from review.screen import agreement, eligible, final_decisions
from review.screen.resolve import disagreements_to_resolve
from tests.helpers.screen import decide, make_clusters, set_protocol

TA = "title-abstract"


def _review(project) -> list[str]:
    """The issue's numbers: 120 records, 30 conflicts of which 6 are include vs maybe."""
    ids = make_clusters(project, 120)
    plan = (
        [("include", "maybe")] * 3
        + [("maybe", "include")] * 3
        + [("include", "exclude")] * 12
        + [("exclude", "maybe")] * 12
        + [("include", "include")] * 20
        + [("exclude", "exclude")] * 70
    )
    for rid, (a, b) in zip(ids, plan, strict=True):
        decide(project, "Ana", rid, a)
        decide(project, "Ben", rid, b)
    return ids


def test_include_vs_maybe_goes_on_without_an_arbiter_and_kappa_is_reported_both_ways(project):
    ids = _review(project)
    agr = agreement(project, TA)
    assert agr.stats.disagreements == 30  # still disagreements in the statistics
    assert agr.maybe_collapsed_to_include.disagreements == 24
    assert agr.unresolved == 24 and agr.final_status["forwarded"] == 6
    final = final_decisions(project, TA)
    assert {final[r].via for r in ids[:6]} == {"forwarded"}
    assert {final[r].decision for r in ids[:6]} == {"include"}
    assert set(ids[:6]) <= set(eligible(project, "full-text"))
    assert len(disagreements_to_resolve(project, TA, "Cleo")) == 24
    kappa = agr.stats.cohen_kappa
    # the same logs under maybe_conflicts: true: 30 conflicts, the same κ
    strict = set_protocol(project, title_abstract__maybe_conflicts=True)
    agr2 = agreement(strict, TA)
    assert agr2.unresolved == 30 and agr2.final_status["forwarded"] == 0
    assert agr2.stats.cohen_kappa == kappa
    assert not set(ids[:6]) & set(eligible(strict, "full-text"))


def test_a_resolution_still_wins_over_forwarding(project):
    from tests.helpers.screen import resolve

    ids = _review(project)
    resolve(project, "Cleo", ids[0], "exclude", reason="wrong-date")
    fd = final_decisions(project, TA)[ids[0]]
    assert (fd.decision, fd.via) == ("exclude", "resolution")


def test_maybe_conflicts_false_where_maybe_does_not_go_on_is_refused(project):
    p = set_protocol(project, title_abstract__maybe_to_fulltext=False)
    assert p.protocol.stage(TA).maybe_conflicts is True
    assert p.protocol.stage("full-text").maybe_conflicts is True
    with pytest.raises(ProjectError, match="maybe_conflicts: false needs a stage"):
        set_protocol(project, title_abstract__maybe_conflicts=False).protocol  # noqa: B018


def test_methods_text_says_include_vs_maybe_went_on_and_none_await_resolution(project):
    from typer.testing import CliRunner

    from review.cli import app
    from tests.helpers.screen import make_record_project

    ids = make_record_project(project, 4)
    for rid, (a, b) in zip(ids, [("include", "maybe"), ("exclude", "exclude"),
                                 ("exclude", "exclude"), ("maybe", "include")], strict=True):  # fmt: skip
        decide(project, "Ana", rid, a)
        decide(project, "Ben", rid, b)
    r = CliRunner().invoke(app, ["prisma", "-p", str(project.root), "-q"])
    assert r.exit_code == 0, r.output
    methods = (project.outputs_dir / "prisma" / "methods.md").read_text(encoding="utf-8")
    assert "2 records on which one reviewer chose include and another maybe went on" in methods
    assert "await resolution" not in methods
