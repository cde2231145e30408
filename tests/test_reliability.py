"""Fuzzed imports, kill -9 crash trials and concurrent sessions (see tests/helpers/reliability.py).

The default run is small; ``REVIEW_RELIABILITY_SCALE=full`` runs the large version whose counts
are recorded in docs/reliability.md.
"""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import time
from pathlib import Path

import pytest

from review.project import Project
from tests.helpers.paths import shared_path
from tests.helpers.reliability import HANG, crash_trials, fuzz, review_cmd, run_cli, scale


def _real_files(limit: int | None) -> list[Path]:
    root = shared_path("exports")
    files = sorted(p for p in root.rglob("*") if p.is_file())
    if limit is not None:
        rng = random.Random(3)
        files = rng.sample(files, min(limit, len(files)))
    return files


@pytest.mark.slow  # CI runs it (pytest -m slow); the default loop stays fast
def test_fuzz_small(tmp_path: Path):
    files = _real_files(2)
    counts = fuzz(tmp_path, files, per_file=2, big=False)
    bad = {k: v for k, v in counts.items() if k.startswith("BAD")}
    assert not bad, bad
    assert counts["imported"] + counts["refused"] == counts["inputs"] >= 4 + 12
    assert counts["max_seconds_x10"] < HANG * 10


@pytest.mark.slow
def test_fuzz_large(tmp_path: Path):
    full = scale() == "full"
    files = _real_files(None if full else 20)
    counts = fuzz(tmp_path, files, per_file=5 if full else 2, big=full)
    print(f"\nfuzz ({scale()}): {dict(counts)}")
    bad = {k: v for k, v in counts.items() if k.startswith("BAD")}
    assert not bad, bad


# ---- kill -9 -----------------------------------------------------------------------------------

STEPS = {
    "import": "Import PsycINFO",
    "dedup": "Find duplicates",
    "screen import": "Import anat's title-abstract",
    "resolve": "Resolve title-abstract",
    "chart import": "Import anat's charting",
}


@pytest.mark.slow
@pytest.mark.parametrize("step", sorted(STEPS))
def test_crash_trials(tmp_path: Path, step: str):
    from review.example import example_root

    if example_root() is None:
        pytest.skip("worked example not available")
    trials = int(os.environ.get("REVIEW_CRASH_TRIALS", 30 if scale() == "full" else 2))
    counts = crash_trials(tmp_path, STEPS[step], trials)
    print(f"\ncrash {step} ({trials} trials): {dict(counts)}")
    bad = {k: v for k, v in counts.items() if k.startswith("BAD")}
    assert not bad, bad
    assert counts["ok"] == trials


def _project_for_screening(tmp_path: Path, n: int = 40) -> Path:
    from typer.testing import CliRunner

    from review.cli import app
    from review.importer import import_files

    root = tmp_path / "proj"
    project = Project.init(root)
    export = tmp_path / "s.ris"
    export.write_text(
        "".join(f"TY  - JOUR\nTI  - Screening study {i}\nPY  - 2020\nER  - \n\n" for i in range(n))
    )
    import_files(project, [export], source="DB")
    res = CliRunner().invoke(app, ["dedup", "--quiet", "--project", str(root)])
    assert res.exit_code == 0, res.output
    return root


def _screener(root: Path, reviewer: str, wait: bool = True) -> subprocess.Popen:
    """A line-mode screening session; with ``wait``, returns once it shows its first record."""
    proc = subprocess.Popen(
        review_cmd(
            "screen",
            "--stage",
            "title-abstract",
            "--reviewer",
            reviewer,
            "--line",
            "--order",
            "random",
            "--project",
            str(root),
        ),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    if wait:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        assert ready, "the screener did not start"
        first = proc.stdout.readline()
        assert first.startswith("Screening"), first + (proc.stderr.read() if proc.stderr else "")
    return proc


def _decisions(root: Path, reviewer: str) -> list[str]:
    from review.io.files import read_jsonl
    from review.screen.logs import reviewer_log_path

    lines = read_jsonl(reviewer_log_path(Project.open(root), reviewer))
    return [ln["record_id"] for ln in lines if ln.get("op") == "decide"]


def _until_prompt(proc: subprocess.Popen, timeout: float = 60.0) -> None:
    """Read the screener's output up to its next ``> `` prompt."""
    assert proc.stdout is not None
    seen, deadline = "", time.monotonic() + timeout
    while not seen.endswith("> "):
        assert time.monotonic() < deadline, f"no prompt within {timeout} s: {seen[-200:]!r}"
        ch = proc.stdout.read(1)
        assert ch, f"the screener ended: {seen[-200:]!r}"
        seen += ch


def _answer(proc: subprocess.Popen, n: int, pause: float = 0.0) -> None:
    assert proc.stdin is not None
    for _ in range(n):
        proc.stdin.write("i\n")
        proc.stdin.flush()
        if pause:
            time.sleep(pause)


@pytest.mark.slow  # CI runs it (pytest -m slow); the default loop stays fast
def test_kill_during_line_screening_loses_at_most_the_typed_decision(tmp_path: Path):
    root = _project_for_screening(tmp_path, 200)  # 30 trials of up to 6 decisions each
    rng = random.Random(1)
    trials = 30 if scale() == "full" else 1
    for _ in range(trials):
        before = len(_decisions(root, "ann")) if (root / "data" / "screening").exists() else 0
        proc = _screener(root, "ann")
        sent = rng.randint(1, 6)
        # Type like a person: each key after the screener shows its prompt (which it does only
        # once the decision before is saved); kill while the last key is being handled.
        _until_prompt(proc)
        for k in range(sent):
            _answer(proc, 1)
            if k < sent - 1:
                _until_prompt(proc)
        time.sleep(rng.uniform(0.0, 0.05))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        ids = _decisions(root, "ann")
        assert sent - 1 <= len(ids) - before <= sent, (sent, len(ids) - before)
        assert len(ids) == len(set(ids))  # no record decided twice
    # The project loads and a new session resumes where the log stops.
    proc = _screener(root, "ann")
    _, err = proc.communicate("q\n", timeout=60)
    assert proc.returncode == 0 and "Traceback" not in err, err
    print(f"\nkill during line screening: {trials} trials, at most one typed decision lost")


# ---- concurrency --------------------------------------------------------------------------------


@pytest.mark.slow  # CI runs it (pytest -m slow); the default loop stays fast
def test_same_reviewer_in_two_terminals(tmp_path: Path):
    root = _project_for_screening(tmp_path, 10)
    first = _screener(root, "ann")
    _answer(first, 1, pause=0.2)
    time.sleep(1.0)
    second = _screener(root, "ann", wait=False)
    out, err = second.communicate("i\ni\nq\n", timeout=60)
    assert second.returncode == 1 and "already open for writing by ann" in out + err, out + err
    other = _screener(root, "ben")  # another reviewer works at the same time
    _, err2 = other.communicate("i\ni\nq\n", timeout=60)
    assert other.returncode == 0, err2
    first.communicate("q\n", timeout=60)
    assert len(_decisions(root, "ann")) == 1 and len(_decisions(root, "ben")) == 2


@pytest.mark.slow
@pytest.mark.parametrize("other", ["import", "dedup"])
def test_import_or_dedup_during_screening(tmp_path: Path, other: str):
    root = _project_for_screening(tmp_path, 20)
    proc = _screener(root, "ann")
    _answer(proc, 2, pause=0.1)
    if other == "import":
        more = tmp_path / "more.ris"
        more.write_text("TY  - JOUR\nTI  - A later study\nPY  - 2021\nER  - \n")
        res = run_cli(["import", str(more), "-s", "DB2", "--quiet"], root)
    else:
        res = run_cli(["dedup", "--quiet"], root)
    assert res.returncode == 0, res.stdout + res.stderr
    _answer(proc, 2, pause=0.1)
    _, err = proc.communicate("q\n", timeout=60)
    assert proc.returncode == 0, err
    ids = _decisions(root, "ann")
    assert len(ids) == 4 and len(set(ids)) == 4


# ---- injection through record content into every output (issue 21) ------------------------------


@pytest.mark.slow  # ~5 s a payload; REVIEW_RELIABILITY_SCALE=full for the figures in the docs
def test_injection_into_every_output(tmp_path: Path):
    """Hostile text (script breakers, formulas, terminal escapes, bidi overrides, Rich markup,
    Markdown/HTML) in a title, the source name, a reason label, a note, charted text and the
    project title: every output is checked (report JSON/CSP, terminals, CSVs, Markdown, SVG)."""
    from tests.helpers.reliability import INJECTION_PIECES, injection_trials

    n = 120 if scale() == "full" else 2 * len(INJECTION_PIECES)
    by_class = injection_trials(tmp_path, n)
    print()
    for cls, counts in sorted(by_class.items()):
        print(f"{cls}: {dict(counts)}")
    bad = {cls: [k for k in c if k.startswith("BAD") or k in ("crash", "violation")]
           for cls, c in by_class.items()}  # fmt: skip
    assert not any(bad.values()), bad
    assert sum(sum(c.values()) for c in by_class.values()) == n


# ---- hostile inputs of issue 21: resources and integrity (tests/helpers/reliability_hostile.py)


@pytest.mark.slow
def test_hostile_inputs(tmp_path: Path):
    """Every class of issue 21's "Resources" and "Integrity" attacks: each input is handled as
    promised or refused with a message; never a traceback, a signal, a hang or a lost decision."""
    from tests.helpers.reliability_hostile import hostile_trials

    results = hostile_trials(tmp_path, big=scale() == "full")
    for klass, counts in sorted(results.items()):
        print(f"\nhostile {klass} ({scale()}): {dict(counts)}")
    bad = {k: v for c in results.values() for k, v in c.items() if k.startswith("BAD")}
    assert not bad, bad
    assert {"yaml", "pdf", "sheet", "log", "found", "codec", "symlink", "long-title"} <= set(
        results
    )
