"""The team stopping rule under dual screening (issue 20 §2): the test on the records screened
by the required number of reviewers, and a recorded team stop that ends the stage for everyone
(screener, status, PRISMA, resolution), plus the team simulation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from review.cli import app
from review.cli.status_view import section_lines
from review.rank.stopping import p_value
from tests.helpers.screen import decide, make_record_project

TA = "title-abstract"
BEFORE = "2026-01-01T00:00:00.000000Z"  # decisions before the team's sample started
AFTER = "2099-01-01T00:00:00.000000Z"  # decisions after it (the sample line is written now)


def _team_project(project):
    """120 records; Ana and Ben both screened the first 60 (40 includes); Ben alone screened
    ids[60:66] (an include on ids[60], excludes on the rest) before the team's sample began."""
    ids = make_record_project(project, 120)
    for who in ("Ana", "Ben"):
        for k, cid in enumerate(ids[:60]):
            decide(project, who, cid, "include" if k < 40 else "exclude", at=BEFORE)
    decide(project, "Ben", ids[60], "include", at=BEFORE)
    for cid in ids[61:66]:
        decide(project, "Ben", cid, "exclude", at=BEFORE)
    return ids


def _screen_sample_until_safe(project, ids):
    """Both reviewers screen the team's urn in its order (an exclude on all but ids[60], which
    Ana includes too) until the team's test allows stopping; returns the records sampled."""
    from review.rank import team

    ph = team.read_team_phase(project, TA)
    sampled: list[str] = []
    for cid in ph.urn:
        for who in ("Ana", "Ben"):
            if who == "Ben" and cid in ids[60:66]:
                continue  # Ben decided it before the sample
            decide(project, who, cid, "include" if cid == ids[60] else "exclude", at=AFTER)
        sampled.append(cid)
        if p_value(60, len(sampled), int(ids[60] in sampled), 40, 0.95) < 0.05:
            break  # the report is read from the logs once, below
    rep = team.team_report(project, TA)
    assert rep.safe_to_stop and rep.sample.test.sampled == len(sampled)
    partial = team.read_team_phase(project, TA)
    assert len(partial.sample) == len(sampled)
    return sampled


def test_team_stop_ends_the_stage_for_everyone(project):
    from review.errors import ReviewError
    from review.prisma import build_prisma, explain_project
    from review.rank import phase, team
    from review.screen import final_decisions
    from review.screen.session import ScreeningSession
    from review.status import collect_status

    ids = _team_project(project)
    with pytest.raises(ReviewError, match="asks for 2 reviewers per record"):
        phase.record_stop(project, TA, "Ana", "Cleo")  # one reviewer's test cannot stop it
    rep = team.team_report(project, TA)
    assert (rep.screened_by_team, rep.relevant_found, rep.sample) == (60, 40, None)
    with pytest.raises(ReviewError, match="no team sample yet"):
        team.record_team_stop(project, TA, "Cleo")
    line = team.start_team_sample(project, TA, "Cleo", seed=3)
    assert (line.urn, line.ranked_by_all, line.ranked_relevant, line.required) == (60, 60, 40, 2)
    ph = team.read_team_phase(project, TA)
    assert sorted(ph.urn) == sorted(ids[60:])
    assert ph.urn == tuple(team.sample_order(list(ids[60:]), TA, 3))

    # every screener shows the team's urn first, in the same order
    with ScreeningSession(project, TA, "Ana") as s:
        assert s.order == "team-sample" and s.item().cluster_id == ph.urn[0]
        assert "team's random sample 0/60" in s.ranking_status()

    sampled = _screen_sample_until_safe(project, ids)
    rep = team.team_report(project, TA)
    t = rep.sample.test
    k = 1 if ids[60] in sampled else 0
    assert (t.urn, t.sampled, t.sample_includes, t.ranked_includes) == (60, len(sampled), k, 40)
    assert t.p_value == pytest.approx(p_value(60, len(sampled), k, 40, 0.95))
    assert rep.sample.sample_agreement == 1.0  # both answered alike on every sampled record
    stop = team.record_team_stop(project, TA, "Cleo")
    assert stop.is_team and stop.sampled == len(sampled) and stop.by == "Cleo"
    with pytest.raises(ReviewError, match="already stopped"):
        team.record_team_stop(project, TA, "Cleo")

    # what the stop does to the records not screened by both
    singles = [c for c in ids[60:66] if c not in sampled]
    nobody = [c for c in ids[66:] if c not in sampled]
    fin = final_decisions(project, TA)
    for cid in singles:
        want = ("conflict", None) if cid == ids[60] else ("single", "exclude")
        assert (fin[cid].via, fin[cid].decision) == want
    assert all(fin[c].via == "pending" and not fin[c].decisions for c in nobody)

    # the screener offers nothing more, and says why
    for who in ("Ana", "Ben"):
        with ScreeningSession(project, TA, who) as s:
            assert s.item() is None and s.finished
            assert "stopped for the whole team" in s.stop_note()
            assert "no longer offered" in s.ranking_status()

    # PRISMA: exactly the records nobody screened are excluded by automation tools
    build = build_prisma(project)
    p = build.flow.prisma2020
    assert p["excluded_automatic"] == len(nobody)
    assert p["records_screened"] == 120 - len(nobody)
    _flow, rows = explain_project(project, "excluded_automatic")
    assert sorted(r.record_id for r in rows) == sorted(nobody)
    assert build.facts.stopping is not None and build.facts.stopping.is_team
    assert build.facts.stop_fewer_reviewers_excluded == len([c for c in singles if c != ids[60]])
    opened = build.flow.counts.open
    assert opened.title_abstract == (1 if ids[60] in singles else 0)  # only the single include

    # status says so
    lines = section_lines(collect_status(project).screening)
    assert any(
        "stopped for the whole team" in x and f"the {len(nobody)} records" in x for x in lines
    )


def test_team_stop_cli(project):
    _team_project(project)
    root = str(project.root)
    run = CliRunner().invoke
    res = run(app, ["stopping", "--stage", TA, "--team", "--json", "-p", root])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["scope"] == "team" and out["screened_by_team"] == 60 and out["test"] is None
    res = run(
        app, ["stopping", "--stage", TA, "--team", "--start-sample", "--by", "Cleo", "-p", root]
    )
    assert res.exit_code == 0, res.output
    assert "60 records not yet screened by 2 reviewers" in res.stdout
    res = run(
        app, ["stopping", "--stage", TA, "--team", "--record-stop", "--by", "Cleo", "-p", root]
    )
    assert res.exit_code == 1 and "does not allow stopping" in res.stderr
    res = run(app, ["stopping", "--stage", TA, "--reviewer", "Ana", "-p", root])
    assert res.exit_code == 0 and "only the team's test (--team)" in res.stdout
    res = run(app, ["stopping", "--stage", TA, "-p", root])
    assert res.exit_code == 1 and "--reviewer NAME" in res.stderr
    res = run(
        app,
        ["stopping", "--stage", TA, "--reviewer", "Ana", "--record-stop", "--by", "C", "-p", root],
    )
    assert res.exit_code == 1 and "asks for 2 reviewers per record" in res.stderr


# ---- the team simulation ---------------------------------------------------------------------
def _labelled(tmp_path: Path, n: int = 120, inc: int = 12) -> Path:
    src = tmp_path / "lab.csv"
    rows = ["title,abstract,label_included"]
    for i in range(n):
        if i < inc:
            rows.append(f"Mindfulness trial {i},randomised trial of mindfulness for anxiety {i},1")
        else:
            rows.append(f"Soil survey {i},nitrogen in wheat fields of region {i},0")
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return src


def test_team_run_is_reproducible_and_counts_what_was_read(tmp_path):
    from review.rank.simulate import read_labelled
    from review.rank.teamsim import team_run

    data = read_labelled(_labelled(tmp_path, n=40, inc=5))
    one = team_run(data.texts, data.labels, [0.1, 0.0], 7)
    assert one == team_run(data.texts, data.labels, [0.1, 0.0], 7)
    assert one.ranked_by_all + one.urn == 40 and one.sampled <= one.urn
    assert one.ranked_by_all + one.sampled <= one.screened <= 40
    assert one.screened * 1 <= one.decisions <= one.screened * 2


def test_team_simulation_answers_and_switch():
    import random

    from review.rank.teamsim import answers_of, sample_until_stop, switch_tick

    labels = [1] * 50 + [0] * 950
    ans = answers_of(labels, 0.1, random.Random(1))
    flips = sum(a != b for a, b in zip(ans, labels, strict=True))
    assert 60 < flips < 140  # about 10 % of 1000
    assert answers_of(labels, 0.0, random.Random(1)) == labels
    # two reviewers, same order: a record is done at its own tick; 3 team excludes in a row
    orders = [[0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5]]
    team = [1, 0, 0, 0, 1, 0]
    assert switch_tick(orders, lambda i: team[i], 3) == 3
    # different orders: record 3 is done only at tick 5 (the second reviewer's last)
    assert switch_tick([[0, 1, 2, 3, 4, 5], [0, 1, 2, 4, 5, 3]], lambda i: team[i], 3) == 5
    m, p = sample_until_stop([0] * 60, 40, 0.95, 0.95)
    assert p is not None and p < 0.05 and p_value(60, m - 1, 0, 40, 0.95) >= 0.05


def test_simulate_team_cli(tmp_path):
    src = _labelled(tmp_path, n=80, inc=8)
    out = tmp_path / "team"
    args = ["simulate", str(src), "--reviewers", "2", "--error-rate", "0.05", "--runs", "2"]
    res = CliRunner().invoke(app, [*args, "--seed", "1", "-o", str(out), "--json"])
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)["team"]
    assert got["reviewers"] == 2 and got["error_rates"] == [0.05, 0.05] and got["n_runs"] == 2
    assert [r["seed"] for r in got["runs"]] == [1, 2]
    for r in got["runs"]:
        assert 0 <= r["recall"] <= r["recall_screened"] <= 1
        assert r["screened"] <= 80 and r["saved"] == round(1 - r["screened"] / 80, 4)
    assert (out / "team-runs.csv").read_text(encoding="utf-8").startswith("\ufeffseed,")
    assert json.loads((out / "metrics.json").read_text(encoding="utf-8"))["team"] == got
    bad = CliRunner().invoke(
        app,
        ["simulate", str(src), "--reviewers", "3", "--error-rate", "0.1", "--error-rate", "0.2"],
    )
    assert bad.exit_code == 1 and "once per reviewer" in bad.stderr


def test_a_stop_recorded_while_screening_takes_effect_at_the_next_decision(project):
    from review.io.files import append_jsonl
    from review.screen.session import ScreeningSession
    from tests.helpers.screen import make_clusters
    from tests.test_rank import _NoRecords

    make_clusters(project, 6)
    stop = {
        "op": "stop", "stage": TA, "rule": "hypergeometric", "scope": "team", "p_value": 0.03,
        "by": "Cleo", "at": "2026-02-01T10:00:00.000000Z", "tool_version": "test",
    }  # fmt: skip
    with ScreeningSession(project, TA, "Ana", records=_NoRecords()) as s:
        s.decide("exclude")
        assert s.item() is not None and s.stop_note() == ""
        append_jsonl(project.data_dir / "stopping" / "cleo.jsonl", [stop])
        s.decide("exclude")
        assert s.item() is None
        assert s.stop_note().startswith(f"{TA} was stopped for the whole team")
        assert "the 4 records you have not screened are no longer offered" in s.stop_note()


def test_team_stop_on_a_split_stage_three_reviewers_two_per_record(project):
    """Assignment k = 2 of 3: the team's sample is screened by each record's two reviewers;
    every screener shows only its own part of the urn, and the stop ends the stage."""
    from review.prisma import build_prisma
    from review.rank import team
    from review.screen.assign import stage_assignment
    from review.screen.session import ScreeningSession
    from tests.helpers.screen import set_protocol

    ids = make_record_project(project, 90)
    team_names = ["ana", "ben", "cleo"]
    project = set_protocol(
        project, reviewers=team_names, title_abstract__reviewers_per_record=2,
        title_abstract__assignment="split",
    )  # fmt: skip
    split = stage_assignment(project.protocol, TA)
    mine = {r: split.records_for(r, ids) for r in team_names}
    first = set(ids[:45])
    for who in team_names:
        for cid in mine[who]:
            if cid in first:
                decide(
                    project, who, cid, "include" if ids.index(cid) < 30 else "exclude", at=BEFORE
                )
    line = team.start_team_sample(project, TA, "dana", seed=1)
    assert (line.urn, line.ranked_by_all, line.ranked_relevant) == (45, 45, 30)
    urn = team.read_team_phase(project, TA).urn
    for who in team_names:
        with ScreeningSession(project, TA, who) as s:
            assert s.queue[: s.sample_size] == [c for c in urn if c in set(mine[who])]
    for m, cid in enumerate(urn, start=1):
        for who in team_names:
            if cid in mine[who]:
                decide(project, who, cid, "exclude", at=AFTER)
        if p_value(45, m, 0, 30, 0.95) < 0.05:
            break
    stop = team.record_team_stop(project, TA, "dana")
    assert stop.sampled == m
    nobody = len(urn) - stop.sampled
    assert nobody > 0
    assert build_prisma(project).flow.prisma2020["excluded_automatic"] == nobody
    for who in team_names:
        with ScreeningSession(project, TA, who) as s:
            assert s.item() is None
    # the lead reviewer's view agrees: nothing left for anyone once the team stopped
    from review.screen.team import team_view

    st = next(st for st in team_view(project).stages if st.stage == TA)
    assert st.stopped and {r.reviewer: r.remaining for r in st.reviewers} == dict.fromkeys(
        team_names, 0
    )


def test_the_full_screen_app_says_the_stage_was_stopped(project):
    from review.io.files import append_jsonl
    from review.screen.session import ScreeningSession
    from tests.test_screen_tui import _run

    make_record_project(project, 4)
    stop = {
        "op": "stop", "stage": TA, "rule": "hypergeometric", "scope": "team", "p_value": 0.03,
        "by": "Cleo", "at": "2026-02-01T10:00:00.000000Z", "tool_version": "test",
    }  # fmt: skip
    append_jsonl(project.data_dir / "stopping" / "cleo.jsonl", [stop])
    with ScreeningSession(project, TA, "Ana") as s:
        header = _run(s)
    assert "stopped for the whole team" in header and "4 records you have not screened" in header
