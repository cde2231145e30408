"""Issue 20 §6: the lead reviewer's view (`review team`) and assignment of k of n reviewers."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from review.cli import app
from review.errors import ProjectError
from review.project import Project
from review.screen import final_decisions, included_reports
from review.screen.assign import Assignment, stage_assignment
from review.screen.team import Pace, team_view
from tests.helpers.screen import decide, make_record_project, resolve, set_protocol

TA, FT = "title-abstract", "full-text"
TEAM = ["ana", "ben", "cleo"]
runner = CliRunner()
T0 = datetime(2026, 3, 2, 9, 0, 0)


def _at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def _cli(project: Project, *args: str) -> str:
    result = runner.invoke(app, [*args, "-p", str(project.root)])
    assert result.exit_code == 0, result.output
    return result.stdout


# ---- assignment -------------------------------------------------------------------------------
def test_assignment_is_k_of_n_reproducible_balanced_and_stable():
    a = Assignment(TA, ("ana", "ben", "cleo"), 2, seed=0)
    ids = [f"abcd1234-{i}" for i in range(1, 3001)]
    assert all(len(a.reviewers_of(c)) == 2 for c in ids)
    assert [a.reviewers_of(c) for c in ids] == [
        Assignment(TA, ("cleo", "ana", "ben"), 2).reviewers_of(c) for c in ids
    ]  # reproducible, whatever the roster order
    counts = a.counts(ids)
    assert sum(counts.values()) == 2 * 3000
    assert all(abs(n - 2000) < 100 for n in counts.values()), counts  # 2/3 each (±2.2 sd)
    pairs = {}
    for c in ids:
        pairs[a.reviewers_of(c)] = pairs.get(a.reviewers_of(c), 0) + 1
    assert len(pairs) == 3 and all(abs(n - 1000) < 100 for n in pairs.values()), pairs
    # adding records never moves an existing one; another seed gives another split
    more = Assignment(TA, ("ana", "ben", "cleo"), 2)
    assert [more.reviewers_of(c) for c in ids[:50]] == [a.reviewers_of(c) for c in ids[:50]]
    other = Assignment(TA, ("ana", "ben", "cleo"), 2, seed=7)
    assert any(other.reviewers_of(c) != a.reviewers_of(c) for c in ids[:50])
    # a fourth reviewer only takes records: nobody else gains any
    four = Assignment(TA, ("ana", "ben", "cleo", "dan"), 2)
    for c in ids[:300]:
        assert set(four.reviewers_of(c)) - {"dan"} <= set(a.reviewers_of(c))


def test_split_needs_more_reviewers_than_per_record(project: Project):
    project = set_protocol(project, reviewers=["ana", "ben"], title_abstract__assignment="split")
    with pytest.raises(ProjectError, match="list more than 2 names"):
        stage_assignment(project.protocol, TA)
    bad = set_protocol(project, title_abstract__assignment="half")
    with pytest.raises(ProjectError, match="assignment must be one of all, split"):
        bad.protocol.stage(TA)


def test_pace_splits_sessions_at_30_minute_gaps():
    times = [T0 + timedelta(minutes=m) for m in (0, 2, 4, 6, 100, 101, 102)]
    p = Pace.of(times)
    assert p.sessions == 2 and p.active_hours == pytest.approx(8 / 60)
    assert p.per_hour == pytest.approx(5 / (8 / 60))  # 5 decisions after a session's first
    assert Pace.of(times[:1]).per_hour is None
    # a sheet import writes every row within a second: decided, but no pace
    burst = [T0 + timedelta(microseconds=40 * i) for i in range(500)]
    assert Pace.of(burst) == Pace(1, 0.0, None, 499)
    mixed = Pace.of(burst + [T0 + timedelta(minutes=m) for m in (5, 7)])
    assert (mixed.per_hour, mixed.batched) == (pytest.approx(2 / (7 / 60), rel=1e-3), 499)


# ---- a scripted team of three, k = 2 ---------------------------------------------------------
SCHEMA = """version: 1
title: One field
fields:
  - id: design
    label: Design
    level: report
    type: single_choice
    required: true
    values:
      - {value: Trial, definition: A randomised or controlled trial.}
      - {value: Other, definition: Any other design.}
"""
N = 12
INCLUDE = {1, 4, 7, 10}  # the fixture's labels: positions of the relevant records


def _team_project(project: Project) -> tuple[Project, list[str], dict[str, str]]:
    ids = make_record_project(project, N)
    project = set_protocol(
        project,
        reviewers=TEAM,
        resolvers=["dana"],
        title_abstract__reviewers_per_record=2,
        title_abstract__assignment="split",
        full_text__reviewers_per_record=2,
        full_text__assignment="split",
    )
    labels = {rid: "include" if i in INCLUDE else "exclude" for i, rid in enumerate(ids, 1)}
    return project, ids, labels


def test_three_reviewers_two_per_record_screen_resolve_and_chart(project: Project, tmp_path):
    project, ids, labels = _team_project(project)
    split = stage_assignment(project.protocol, TA)
    assert split is not None
    mine = {r: split.records_for(r, ids) for r in TEAM}
    assert sorted(c for r in TEAM for c in mine[r]) == sorted(ids * 2)  # each record twice
    # each screener shows only that reviewer's assignment (the sheet, like `review screen`)
    out = tmp_path / "ana.xlsx"
    _cli(project, "screen", "export", "--stage", TA, "--reviewer", "ana", "-o", str(out), "-q")
    rows = list(load_workbook(out)["Screening"].iter_rows(values_only=True))[1:]
    assert sorted(r[0] for r in rows) == sorted(mine["ana"])
    from review.screen.session import ScreeningSession

    with ScreeningSession(project, TA, "ben", background=False) as s:
        assert sorted(s.queue) == sorted(mine["ben"]) and s.total == len(mine["ben"])

    # cleo includes one record the labels exclude: the one conflict
    flipped = next(c for c in mine["cleo"] if labels[c] == "exclude" and c != mine["ben"][-1])
    start = {"ana": 0, "ben": 0, "cleo": 0}
    for r in TEAM:
        todo = mine[r] if r != "ben" else mine[r][:-1]  # ben leaves his last record
        for j, cid in enumerate(todo):
            gap = 120 if (r == "ana" and j >= len(todo) // 2) else 0  # ana: two sessions
            d = "include" if (r == "cleo" and cid == flipped) else labels[cid]
            decide(project, r, cid, d, at=_at(start[r] + gap + j))  # one a minute

    view = {r.reviewer: r for r in team_view(project).stages[0].reviewers}
    assert [*view] == TEAM
    for r in TEAM:
        done = len(mine[r]) - (r == "ben")
        assert (view[r].to_screen, view[r].decided) == (len(mine[r]), done)
        assert view[r].remaining == (r == "ben")
        assert view[r].pace.per_hour == pytest.approx(60.0)  # one a minute, sessions apart
    assert view["ana"].pace.sessions == 2 and view["ben"].pace.sessions == 1
    assert view["ben"].hours_left == pytest.approx(1 / 60)
    assert view["cleo"].hours_left == 0.0
    other = next(r for r in split.reviewers_of(flipped) if r != "cleo")
    assert view["cleo"].conflicts_waiting == 1 and view[other].conflicts_waiting == 1
    done_by = {r: set(mine[r]) - ({mine["ben"][-1]} if r == "ben" else set()) for r in TEAM}
    both = len(done_by["cleo"] & done_by[other])
    pair = {p.other: p for p in view["cleo"].agreement}[other]
    assert (pair.records, pair.agreements) == (both, both - 1)
    assert pair.percent_agreement == pytest.approx((both - 1) / both)
    assert view["cleo"].last_activity == _at(len(mine["cleo"]) - 1)

    # a record decided by its two assigned reviewers is complete; ben's open one is pending
    final = final_decisions(project, TA)
    assert final[mine["ben"][-1]].via == "pending"
    decide(project, "ben", mine["ben"][-1], labels[mine["ben"][-1]], at=_at(len(mine["ben"])))
    resolve(project, "dana", flipped, "exclude")
    final = final_decisions(project, TA)
    assert {c: fd.decision for c, fd in final.items()} == labels
    assert sum(fd.via == "agreement" for fd in final.values()) == N - 1
    # κ panel: every reviewer finished their own assignment ("complete assignment")
    agr = json.loads(_cli(project, "disagreements", "--stage", TA, "--json"))
    assert agr["reviewers"] == TEAM and agr["reviewers_left_out"] == []
    assert agr["unresolved"] == 0 and agr["resolved"] == 1
    assert (agr["records_screened_by_all"], agr["records_screened_by_required"]) == (0, N)
    counts = json.loads(_cli(project, "status", "--json"))["screening"]["stages"][TA]
    assert counts["assigned_by_reviewer"] == {r: len(mine[r]) for r in TEAM}
    status = _cli(project, "status")
    assert f"ana: {len(mine['ana'])}/{len(mine['ana'])} assigned screened (100.0%)" in status

    # full text: split again, by sheet export and import (a fresh assignment of the includes)
    ft_split = stage_assignment(project.protocol, FT)
    included = [c for c in ids if labels[c] == "include"]
    for r in TEAM:
        sheet = tmp_path / f"ft-{r}.xlsx"
        _cli(project, "screen", "export", "--stage", FT, "--reviewer", r, "-o", str(sheet), "-q")
        wb = load_workbook(sheet)
        ws = wb["Screening"]
        got = [ws.cell(row=i, column=1).value for i in range(2, ws.max_row + 1)]
        assert sorted(got) == sorted(ft_split.records_for(r, included))
        for i in range(2, ws.max_row + 1):
            ws.cell(row=i, column=2, value="include")
        wb.save(sheet)
        _cli(project, "screen", "import", str(sheet), "--stage", FT, "--reviewer", r)
    assert sorted(included_reports(project)) == sorted(included)
    ft = {r.reviewer: r for r in team_view(project).stages[1].reviewers}
    assert {r: (v.decided, v.remaining) for r, v in ft.items()} == {
        r: (len(ft_split.records_for(r, included)), 0) for r in TEAM
    }
    # PRISMA counts a record once its k = 2 assigned reviewers decided it
    flow = json.loads(_cli(project, "prisma", "--json"))["flow"]
    assert (flow["records_screened"], flow["records_excluded"]) == (N, N - len(INCLUDE))
    assert (flow["reports_assessed"], flow["reports_included"]) == (len(INCLUDE), len(INCLUDE))
    # charting: the form lists exactly the included reports; ana and ben chart them all
    project.schema_path.write_text(SCHEMA, encoding="utf-8")
    from review.chart.store import template_reports
    from review.chart.template import fill_template

    assert sorted(rid for rid, _ in template_reports(project)) == sorted(included)
    for r in ("ana", "ben"):
        form = tmp_path / f"form-{r}.xlsx"
        _cli(project, "chart", "template", "-o", str(form), "--reviewer", r, "-q")
        values = {rid: {"design": "Trial"} for rid in included}
        done = fill_template(form, values, {}, tmp_path / f"filled-{r}.xlsx")
        _cli(project, "chart", "import", str(done), "--reviewer", r)

    # `review team --json` and the terminal table carry the same figures
    data = json.loads(_cli(project, "team", "--json"))
    ta = data["stages"][0]
    assert (ta["assignment"], ta["reviewers_per_record"], ta["eligible"]) == ("split", 2, N)
    assert ta["final_decided"] == N and ta["conflicts"] == 0
    assert [r["decided"] for r in ta["reviewers"]] == [len(mine[r]) for r in TEAM]
    assert ta["reviewers"][0]["decisions_per_hour"] == pytest.approx(60.0)
    assert data["charting"]["charted"] == {"ana": len(INCLUDE), "ben": len(INCLUDE)}
    assert data["charting"]["included_reports"] == len(INCLUDE)
    text = _cli(project, "team")
    assert "each record to 2 of 3 reviewers" in text
    assert f"charting (reports charted): ana {len(INCLUDE)}/{len(INCLUDE)}, ben 4/4" in text


def test_report_has_the_team_section_with_the_same_figures(project: Project):
    project, ids, labels = _team_project(project)
    split = stage_assignment(project.protocol, TA)
    mine = {r: split.records_for(r, ids) for r in TEAM}
    for r in TEAM:
        for j, cid in enumerate(mine[r][:3]):
            decide(project, r, cid, labels[cid], at=_at(2 * j))  # three, two minutes apart
    from review.report.data import collect

    data = collect(project)
    assert data.team.data is not None
    rows = {r.reviewer: r for r in data.team.data.stages[0].reviewers}
    assert {r: (v.decided, v.remaining) for r, v in rows.items()} == {
        r: (3, len(mine[r]) - 3) for r in TEAM
    }
    assert rows["ana"].pace.per_hour == pytest.approx(30.0)
    _cli(project, "report", "-o", str(project.root / "r.html"))
    html = (project.root / "r.html").read_text(encoding="utf-8")
    team = html[html.index('<section id="team">') : html.index('<section id="charting">')]
    assert "each assigned to 2 of 3 reviewers" in team
    assert "Records screened by the required 2 reviewers" in html
    for r in TEAM:
        expected = f"<tr><td>{r}</td><td>3</td><td>{len(mine[r])}</td><td>{len(mine[r]) - 3}</td><td>30</td>"
        assert expected in team, team


def test_a_finished_record_leaves_nothing_for_another_reviewer(project: Project):
    """QA (a new team's own review): with every record screened by two reviewers (not split), a
    third roster member who only resolved conflicts showed "490 left" on a finished stage. A
    record needs a screener only while fewer than reviewers_per_record decided it."""
    ids = make_record_project(project, N)
    project = set_protocol(project, reviewers=TEAM, title_abstract__reviewers_per_record=2)
    for j, cid in enumerate(ids):
        decide(project, "ana", cid, "exclude", at=_at(j))
        if cid != ids[-1]:  # ben leaves the last record: it still needs a second screener
            decide(project, "ben", cid, "include" if cid == ids[0] else "exclude", at=_at(j))
    resolve(project, "cleo", ids[0], "exclude")  # the one conflict, resolved by cleo
    view = {r.reviewer: r for r in team_view(project).stages[0].reviewers}
    assert {r: (v.decided, v.to_screen, v.remaining) for r, v in view.items()} == {
        "ana": (N, N, 0),
        "ben": (N - 1, N, 1),
        "cleo": (0, N, 1),  # only the record ben left open, not the 11 finished ones
    }
