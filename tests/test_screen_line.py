"""Plain line mode, crash safety (kill -9) and two reviewers screening at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from review.cli import app
from review.project import Project
from review.screen import agreement, final_decisions
from review.screen.session import ScreeningSession
from tests.helpers.screen import log_lines, make_record_project

TA = "title-abstract"
runner = CliRunner()


def _screen(project: Project, reviewer: str, keys: str, *extra: str):
    return runner.invoke(
        app,
        [
            "screen",
            "--stage",
            TA,
            "--reviewer",
            reviewer,
            "--line",
            "-p",
            str(project.root),
            *extra,
        ],
        input=keys,
    )


def test_line_mode_session_and_resume(project: Project):
    make_record_project(project, 5)
    with ScreeningSession(project, TA, "Ana") as s:  # closed: it holds Ana's session lock
        queue = s.queue
    reasons = project.protocol.stage(TA).exclusion_reasons
    result = _screen(project, "Ana", "i\ne\n2\nu\nq\n")
    assert result.exit_code == 0, result.output
    assert f"Undone: {queue[2]}" in result.stdout
    assert "Saved. Bye." in result.stdout
    lines = log_lines(project, "Ana")
    assert [(x["op"], x["record_id"], x.get("reason")) for x in lines] == [
        ("decide", queue[0], ""),
        ("decide", queue[1], ""),
        ("decide", queue[2], reasons[1].id),
        ("retract", queue[2], None),
    ]
    again = _screen(project, "Ana", "q\n")
    assert f"Record 3 of 5 ({queue[2]})" in again.stdout


def test_line_mode_note_search_errors_and_end_of_input(project: Project):
    ids = make_record_project(project, 4)
    result = _screen(project, "Ben", "n check the design\nm\n9\nx\n/ number 4 \ni\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Note kept for this record: check the design" in out
    assert "Error: No exclusion reason 9: the title-abstract reasons are 1-5." in out
    assert "Unknown command 'x'." in out
    assert "End of input: everything decided so far is saved." in out
    lines = log_lines(project, "Ben")
    assert [(x["decision"], x["note"]) for x in lines] == [
        ("maybe", "check the design"),
        ("include", ""),
    ]
    assert lines[1]["record_id"] == ids[3]


def test_screen_requires_stage_and_reviewer(project: Project):
    make_record_project(project, 1)
    result = runner.invoke(app, ["screen", "--stage", TA, "-p", str(project.root)])
    assert result.exit_code == 2
    result = runner.invoke(
        app, ["screen", "--stage", "abstracts", "--reviewer", "A", "-p", str(project.root)]
    )
    assert result.exit_code == 2
    # Typer's own message for a value outside the Stage enum (the --stage parameter type)
    assert "'abstracts' is not one of" in result.stderr and "'full-text'" in result.stderr


def test_screen_without_dedup_is_a_clear_error(project: Project):
    result = _screen(project, "Ana", "q\n")
    assert result.exit_code == 1
    assert "outputs/dedup/clusters.csv not found: run `review dedup` first" in result.stderr


def _spawn(project: Project, reviewer: str) -> subprocess.Popen:
    env = {**os.environ, "TERM": "dumb", "REVIEW_USER": reviewer}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "review",
            "screen",
            "--stage",
            TA,
            "--reviewer",
            reviewer,
            "--line",
            "-p",
            str(project.root),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
        bufsize=1,
    )


def _cleanup(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=10)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream and not stream.closed:
            try:
                stream.close()
            except BrokenPipeError:
                pass


def _read_until(proc: subprocess.Popen, marker: str, timeout: float = 30.0) -> str:
    seen = ""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {marker!r}; got {seen!r}")
        ch = proc.stdout.read(1)
        if not ch:
            raise AssertionError(f"process ended before {marker!r}: {seen!r} {proc.stderr.read()}")
        seen += ch
    return seen


@pytest.mark.slow  # CI runs it (pytest -m slow); the default loop stays fast
def test_kill_9_right_after_a_keystroke_keeps_the_decision(project: Project):
    make_record_project(project, 4)
    with ScreeningSession(project, TA, "Ana") as s:  # closed: it holds Ana's session lock
        queue = s.queue
    proc = _spawn(project, "Ana")
    try:
        _read_until(proc, "Record 1 of 4")
        _read_until(proc, "> ")
        proc.stdin.write("e\n")
        proc.stdin.flush()
        # the next record appears only after the decision is fsync'd: kill at once
        _read_until(proc, "Record 2 of 4")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        _cleanup(proc)
    assert proc.returncode == -signal.SIGKILL
    lines = log_lines(project, "Ana")
    assert [(x["record_id"], x["decision"]) for x in lines] == [(queue[0], "exclude")]
    # simulate the worst case too: a torn line after the kill; the project still opens
    path = project.data_dir / "screening" / "ana.jsonl"
    with open(path, "a", encoding="utf-8") as fh:
        fh.write('{"op":"decide","record_id":"')
    reopened = Project.open(project.root)
    assert final_decisions(reopened, TA)[queue[0]].decisions == (("Ana", "exclude", "", ""),)
    status = runner.invoke(app, ["status", "-p", str(project.root)])
    assert status.exit_code == 0, status.output
    assert "torn last line" in status.stdout
    # screening again appends after the torn line without corrupting the next decision
    result = _screen(reopened, "Ana", "i\nq\n")
    assert "Warning:" in result.stdout and "torn last line" in result.stdout
    assert [x["decision"] for x in log_lines_tolerant(path)] == ["exclude", "include"]


def log_lines_tolerant(path: Path) -> list[dict]:
    from review.io.files import read_jsonl

    return read_jsonl(path)


@pytest.mark.slow  # CI runs it (pytest -m slow); the default loop stays fast
def test_two_reviewers_at_the_same_time_lose_nothing(project: Project):
    n = 12
    make_record_project(project, n)
    a, b = _spawn(project, "Ana"), _spawn(project, "Ben")
    try:
        for i in range(n):
            for proc, key in ((a, "i"), (b, "e" if i % 3 == 0 else "i")):
                _read_until(proc, "> ")
                proc.stdin.write(key + "\n")
                proc.stdin.flush()
        for proc in (a, b):
            _read_until(proc, "All 12 records are screened.")
            proc.stdin.close()
            proc.wait(timeout=20)
            assert proc.returncode == 0
    finally:
        _cleanup(a)
        _cleanup(b)
    assert len(log_lines(project, "Ana")) == n
    assert len(log_lines(project, "Ben")) == n
    agr = agreement(project, TA)
    assert agr.records_screened_by_all == n
    assert (agr.stats.agreements, agr.stats.disagreements) == (n - 4, 4)


def test_nothing_to_screen_at_full_text_yet(project: Project):
    make_record_project(project, 2)
    result = runner.invoke(
        app,
        ["screen", "--stage", "full-text", "--reviewer", "Ana", "-p", str(project.root)],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "Nothing to screen at full-text: no record has a final title/abstract decision of "
        "include yet"
    )


def test_unknown_reviewer_name_is_refused(project: Project):
    from tests.helpers.screen import set_protocol

    make_record_project(project, 1)
    project = set_protocol(project, reviewers=["Ana Silva", "Ben Okoro"])
    result = _screen(project, "Ana", "i\nq\n")
    assert result.exit_code == 1
    assert (
        "'Ana' is not on the team in protocols/protocol.yaml (reviewers: Ana Silva, Ben Okoro), "
        "so cannot screen title-abstract. Did you mean 'Ana Silva'?" in result.stderr
    )
    assert not (project.data_dir / "screening").exists()
    assert _screen(project, "Ana Silva", "q\n").exit_code == 0
