"""Issue 21, "Log values are not validated", for every op of every log: screening and resolution
logs (reopen, label, stop-sample and unknown ops), the team's stopping logs in data/stopping/,
dedup verdict and full-text attachment logs. A bad line is reported (``file:line: …, ignored``,
shown by `review status`) and skipped like a torn line: it never changes derived state."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from review.cli import app
from review.cli.status_view import section_lines
from review.io.files import append_jsonl
from review.project import Project
from review.screen import agreement
from tests.helpers.screen import decide, make_clusters, make_record_project

runner = CliRunner()
TA = "title-abstract"
AT = "2026-02-01T10:00:00.000000Z"


def _problems(project: Project) -> list[str]:
    return list(agreement(project, TA).log_problems)


def test_unknown_op_in_a_screening_log_is_reported(project):
    make_clusters(project, 2)
    decide(project, "Ana", "r1", "include")
    path = project.data_dir / "screening" / "ana.jsonl"
    append_jsonl(path, [{"op": "obliterate", "record_id": "r1", "stage": TA, "at": AT}])
    assert f"{path}:2: unknown op 'obliterate', ignored" in _problems(project)


MARKS = {
    "reopen-stage": {"op": "reopen", "stage": "obliterate", "reason": "typo"},
    "reopen-no-reason": {"op": "reopen", "stage": TA, "reason": "  "},
    "reopen-unlock-text": {"op": "reopen", "stage": TA, "reason": "typo", "unlock": "no"},
    "reopen-time": {"op": "reopen", "stage": TA, "reason": "typo", "at": "yesterday"},
    "label-stage": {"op": "label", "stage": "obliterate", "label": "ask author"},
    "label-empty": {"op": "label", "stage": TA, "label": 7},
    "label-time": {"op": "label", "stage": TA, "label": "ask author", "at": "yesterday"},
}


@pytest.mark.parametrize("kind", sorted(MARKS))
def test_bad_reopen_and_label_lines_are_reported_and_ignored(project, kind):
    from review.screen.cache import cluster_index
    from review.screen.marks import read_marks

    make_clusters(project, 2)
    decide(project, "Ana", "r1", "include")
    path = project.data_dir / "screening" / "ana.jsonl"
    line = {"record_id": "r1", "reviewer": "Ana", "at": AT, "tool_version": "test"}
    append_jsonl(path, [{**line, **MARKS[kind]}])
    marks = read_marks(project, cluster_index(project))
    assert marks.reopens == () and marks.labels == {} and marks.unlocked(TA) == frozenset()
    assert any(p.startswith(f"{path}:2: ") and p.endswith(", ignored") for p in _problems(project))


def test_reopen_of_a_record_not_in_the_clusters_is_reported(project):
    from review.screen.cache import cluster_index
    from review.screen.marks import read_marks
    from review.screen.summary import status_summary

    make_clusters(project, 2)
    path = project.data_dir / "screening" / "ana.jsonl"
    line = {"op": "reopen", "record_id": "r99", "stage": TA, "reason": "typo", "unlock": True}
    append_jsonl(path, [{**line, "reviewer": "Ana", "at": AT, "tool_version": "test"}])
    marks = read_marks(project, cluster_index(project))
    assert marks.reopens == ()
    problem = f"{path}:1: record r99 is not in the dedup clusters, ignored"
    assert marks.unknown == (problem,)
    assert f"warning: {problem}" in section_lines(status_summary(project))


def test_stop_sample_line_with_bad_numbers_is_ignored(project):
    from review.rank.phase import read_phase

    ids = make_record_project(project, 4)
    decide(project, "Ana", ids[0], "include")
    path = project.data_dir / "screening" / "ana.jsonl"
    sample = {"op": "stop-sample", "stage": TA, "seed": "abc", "urn": 3, "reviewer": "Ana"}
    append_jsonl(path, [{**sample, "at": AT, "tool_version": "test"}])
    assert read_phase(project, TA, "Ana").started is None
    assert f"{path}:2: seed 'abc' is not a whole number, ignored" in _problems(project)


GOOD_STOP = {
    "op": "stop", "stage": TA, "rule": "hypergeometric", "test_reviewer": "Ana",
    "recall_target": 0.95, "confidence": 0.95, "p_value": 0.031, "urn": 5, "sampled": 4,
    "sample_relevant": 0, "ranked_relevant": 1, "by": "Cleo", "at": AT, "tool_version": "test",
}  # fmt: skip
BAD_STOPS = {
    "p-value-text": {"p_value": "abc"},
    "p-value-range": {"p_value": 1.5},
    "no-p-value": {"p_value": None},
    "stage": {"stage": "obliterate"},
    "time": {"at": "yesterday"},
    "no-time": {"at": None},
    "count": {"sampled": -4},
    "count-text": {"urn": "five"},
    "recall": {"recall_target": 95},
    "by-empty": {"by": ""},
    "by-control": {"by": "Cleo\x1b[2J"},
    "op": {"op": "obliterate"},
    "scope": {"scope": "everyone"},
    "team-sample": {"op": "team-sample", "seed": 1, "required": "two"},
}


def _bad_stop(kind: str) -> dict:
    return {k: v for k, v in {**GOOD_STOP, **BAD_STOPS[kind]}.items() if v is not None}


@pytest.mark.parametrize("kind", sorted(BAD_STOPS))
def test_each_bad_stop_line_is_out_of_the_vocabulary(kind):
    from review.rank.stopline import stop_line_problem

    assert stop_line_problem(GOOD_STOP) is None
    assert stop_line_problem(_bad_stop(kind))


def test_bad_stop_lines_never_end_the_stage(project):
    """Every bad line of BAD_STOPS at once (one accepted line would end the stage)."""
    from review.prisma import build_prisma
    from review.rank.stopline import stop_decision, team_sample_line
    from review.screen.final import stage_stopped
    from review.screen.session import ScreeningSession

    ids = make_record_project(project, 10)
    for who in ("Ana", "Ben"):
        decide(project, who, ids[0], "include")
        for cid in ids[1:5]:
            decide(project, who, cid, "exclude")
    path = project.data_dir / "stopping" / "cleo.jsonl"
    append_jsonl(path, [_bad_stop(kind) for kind in sorted(BAD_STOPS)])
    assert stop_decision(project, TA) is None and not stage_stopped(project, TA)
    assert team_sample_line(project, TA) is None
    assert build_prisma(project).flow.prisma2020["excluded_automatic"] == 0
    with ScreeningSession(project, TA, "Ana") as s:
        assert s.item() is not None  # the screener still offers the records nobody screened
    from review.rank.stopline import log_problems

    problems = log_problems(project)
    assert [p.split(": ")[0] for p in problems] == [
        f"{path}:{n}" for n in range(1, len(BAD_STOPS) + 1)
    ]
    assert all(p.endswith(", ignored") for p in problems)
    assert f"{path}:{sorted(BAD_STOPS).index('p-value-text') + 1}: p_value 'abc' is not a " in (
        "".join(problems)
    )
    res = runner.invoke(app, ["status", "-p", str(project.root)])
    assert res.exit_code == 0, res.output
    out = "".join(res.stdout.split())
    assert all(f"cleo.jsonl:{n}:" in out for n in range(1, len(BAD_STOPS) + 1))


def test_a_good_stop_line_still_ends_the_stage(project):
    from review.prisma import build_prisma

    ids = make_record_project(project, 10)
    for who in ("Ana", "Ben"):
        for cid in ids[:5]:
            decide(project, who, cid, "exclude")
    append_jsonl(project.data_dir / "stopping" / "cleo.jsonl", [GOOD_STOP])
    assert build_prisma(project).flow.prisma2020["excluded_automatic"] == 5
    from review.rank.stopline import log_problems

    assert log_problems(project) == []


def test_unknown_ops_in_verdict_and_attachment_logs_are_reported(project):
    from review.dedup.verdicts import log_problems, verdict_line
    from review.screen.cache import cluster_index
    from review.screen.fulltext import attachments

    make_clusters(project, 2)
    verdicts = project.data_dir / "dedup" / "ana.jsonl"
    append_jsonl(verdicts, [verdict_line("r1", "r2", "same", "Ana"), {"op": "merge-all", "at": AT}])
    assert log_problems(project) == [f"{verdicts}:2: unknown op 'merge-all', ignored"]
    attach = project.data_dir / "fulltext" / "ana.jsonl"
    append_jsonl(attach, [{"op": "detach", "record_id": "r1", "path": "x.pdf", "at": AT}])
    problems: list = []
    assert attachments(project, cluster_index(project), problems) == {}
    assert [str(p) for p in problems] == [f"{attach}:1: unknown op 'detach', ignored"]


def test_report_provenance_time_ignores_a_time_that_is_not_a_time(project):
    from review.report.data import _latest

    make_clusters(project, 1)
    decide(project, "Ana", "r1", "include", at=AT)
    path = project.data_dir / "screening" / "ana.jsonl"
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"op": "decide", "record_id": "r1", "at": "yesterday"}) + "\n")
    assert _latest(project.root) == AT
