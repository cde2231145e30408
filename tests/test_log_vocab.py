"""Every decision-log line is checked against the vocabulary before it counts (issue 21): a line
with an unknown decision, stage, exclusion reason or time is reported (``file:line: …, ignored``)
and skipped like a torn line, so it can never become a reviewer's current decision."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from review.cli import app
from review.cli.status_view import section_lines
from review.project import Project
from review.screen import agreement, included_reports

runner = CliRunner()
FT = "full-text"


def _last_ft_include(root):
    for path in sorted((root / "data" / "screening").glob("*.jsonl")):
        lines = [json.loads(t) for t in path.read_text(encoding="utf-8").splitlines() if t]
        for obj in reversed(lines):
            if (
                obj.get("op") == "decide"
                and obj.get("stage") == FT
                and obj["decision"] == "include"
            ):
                return path, obj
    raise AssertionError("no full-text include in the demo")


BAD = {
    "decision": {"decision": "obliterate"},
    "stage": {"stage": "final-text"},
    "reason": {"decision": "exclude", "reason": "because-i-said-so"},
    "reason-with-include": {"reason": "because-i-said-so"},
    "time": {"at": "yesterday"},
    "no-time": {"at": None},
}


@pytest.mark.slow  # the demo (about 30 s of setup); the same classes run fast below
@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_line_is_reported_and_skipped(demo_run, tmp_path, kind):
    root = tmp_path / "demo"
    shutil.copytree(demo_run.root, root)
    before = included_reports(Project.open(root))
    path, obj = _last_ft_include(root)
    bad = {**obj, **BAD[kind], "at": "2030-01-01T00:00:00.000000Z"}
    bad.update({k: v for k, v in BAD[kind].items() if k == "at"})
    if bad["at"] is None:
        del bad["at"]
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(bad) + "\n")
    line = len(path.read_text(encoding="utf-8").splitlines())
    project = Project.open(root)
    assert included_reports(project) == before  # 45 stays 45 in the demo
    problems = (
        agreement(project, FT).log_problems + agreement(project, "title-abstract").log_problems
    )
    assert any(p.startswith(f"{path}:{line}: ") and p.endswith(", ignored") for p in problems), (
        problems
    )
    res = runner.invoke(app, ["status", "-p", str(root)])
    assert res.exit_code == 0, res.output
    assert f"{path.name}:{line}:" in " ".join(res.stdout.split()).replace(
        str(path.parent) + "/", ""
    )


def test_resolution_with_unknown_decision_is_skipped(project):
    from review.screen import final_decisions
    from tests.helpers.screen import decide, make_clusters, resolve

    make_clusters(project, 1)
    decide(project, "Ana", "r1", "include")
    decide(project, "Ben", "r1", "exclude", reason="wrong-date")
    resolve(project, "Cleo", "r1", "include")
    path = project.data_dir / "resolutions" / "cleo.jsonl"
    obj = json.loads(path.read_text(encoding="utf-8").splitlines()[-1])
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({**obj, "decision": "obliterate"}) + "\n")
    fd = final_decisions(project, "title-abstract")["r1"]
    assert (fd.decision, fd.via) == ("include", "resolution")
    problems = agreement(project, "title-abstract").log_problems
    assert (
        f"{path}:2: unknown decision 'obliterate' (allowed: include, exclude, maybe), ignored"
        in problems
    )


def test_dedup_verdict_lines_are_checked(project):
    from review.dedup.run import status_summary
    from review.dedup.verdicts import load_verdicts, verdict_line
    from review.io.files import append_jsonl

    good = verdict_line("r1", "r2", "same", "Ana")
    path = project.data_dir / "dedup" / "ana.jsonl"
    append_jsonl(
        path,
        [good, {**good, "verdict": "obliterate"}, {**good, "verdict": "different", "at": "soon"}],
    )
    (project.root / "outputs" / "dedup").mkdir(parents=True, exist_ok=True)
    assert {k: v.verdict for k, v in load_verdicts(project).items()} == {("r1", "r2"): "same"}
    from review.dedup.verdicts import log_problems

    assert log_problems(project) == [
        f"{path}:2: unknown verdict 'obliterate' (allowed: same, related, different), ignored",
        f"{path}:3: time 'soon' is not an ISO 8601 time, ignored",
    ]
    from tests.helpers.screen import make_clusters

    make_clusters(project, 2)
    lines = section_lines(status_summary(project))
    assert (
        f"warning: {path}:2: unknown verdict 'obliterate' (allowed: same, related, different), ignored"
        in lines
    )


def test_fulltext_attach_lines_are_checked(project):
    from review.io.files import JsonlProblem, append_jsonl
    from review.io.logline import log_line
    from review.screen.cache import cluster_index
    from review.screen.fulltext import attachments, fulltext_dir
    from tests.helpers.screen import make_clusters

    make_clusters(project, 2)
    path = fulltext_dir(project) / "ana.jsonl"
    ok = log_line("attach", record_id="r1", path="a.pdf", matched_by="doi", by="Ana")
    append_jsonl(path, [ok, {**ok, "path": "b.pdf", "at": "zzzz"}, {**ok, "record_id": 7}])
    problems: list[JsonlProblem] = []
    assert attachments(project, cluster_index(project), problems) == {"r1": "a.pdf"}
    assert [str(p) for p in problems] == [
        f"{path}:2: time 'zzzz' is not an ISO 8601 time, ignored",
        f"{path}:3: no record_id, ignored",
    ]
    res = runner.invoke(app, ["status", "-p", str(project.root)])
    assert "ana.jsonl:2: time 'zzzz' is not an ISO 8601 time, ignored" in " ".join(
        res.stdout.split()
    )


@pytest.mark.slow  # needs the demo's charting
def test_damaged_charting_version_is_a_message(demo_run, tmp_path):
    root = tmp_path / "demo"
    shutil.copytree(demo_run.root, root)
    version = sorted((root / "data" / "charting" / "anat").glob("*.json"))[-1]
    data = json.loads(version.read_text(encoding="utf-8"))
    version.write_text(json.dumps({**data, "reports": [1, 2]}), encoding="utf-8")
    res = runner.invoke(app, ["status", "-p", str(root)])
    assert res.exit_code == 1, res.output
    assert isinstance(res.exception, SystemExit), res.exception
    assert "damaged charting file (reports is not an object)" in " ".join(res.stderr.split())


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_line_on_a_small_project_is_reported_and_skipped(project, kind):
    """The demo test above on two records: the bad line is later than the good one, so it would
    become Ana's current decision if it were read."""
    from review.screen import final_decisions
    from tests.helpers.screen import decide, make_clusters, set_protocol

    project = set_protocol(
        project, title_abstract__exclusion_reasons=[{"id": "wrong-date", "label": "Wrong date"}]
    )
    make_clusters(project, 2)
    for who in ("Ana", "Ben"):
        decide(project, who, "r1", "include")
    path = project.data_dir / "screening" / "ana.jsonl"
    obj = json.loads(path.read_text(encoding="utf-8").splitlines()[-1])
    bad = {**obj, **BAD[kind], "at": "2030-01-01T00:00:00.000000Z"}
    bad.update({k: v for k, v in BAD[kind].items() if k == "at"})
    if bad["at"] is None:
        del bad["at"]
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(bad) + "\n")
    line = len(path.read_text(encoding="utf-8").splitlines())
    project = Project.open(project.root)
    fd = final_decisions(project, "title-abstract")["r1"]
    assert (fd.decision, fd.via) == ("include", "agreement")
    problems = (
        agreement(project, "title-abstract").log_problems + agreement(project, FT).log_problems
    )
    assert any(p.startswith(f"{path}:{line}: ") and p.endswith(", ignored") for p in problems), (
        problems
    )
