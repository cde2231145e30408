"""Every decision-log line is checked against the vocabulary before it counts (issue 21): a line
with an unknown decision, stage, exclusion reason or time is reported (``file:line: …, ignored``)
and skipped like a torn line, so it can never become a reviewer's current decision."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from review.cli import app
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
    from test_screen_helpers import decide, make_clusters, resolve

    from review.screen import final_decisions

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
