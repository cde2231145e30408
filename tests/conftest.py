"""Shared fixtures. Helpers live in tests/helpers/ (``from tests.helpers.<module> import …``); real
data lives in ../shared/data (never copied here; ``tests.helpers.paths.shared_path`` skips without
it)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# The test loop caches bytecode even where PYTHONDONTWRITEBYTECODE is set (some shells and CI
# images set it): otherwise every xdist worker and every `python -m review` a test starts
# compiles the whole package and the rewritten test modules again (measured: 84 s -> 71 s for
# the default loop on 2 cores). __pycache__ folders are git-ignored.
sys.dont_write_bytecode = False


@pytest.fixture(autouse=True)
def _review_user(monkeypatch: pytest.MonkeyPatch) -> None:
    # Deterministic "who" for logs; no git lookups in tests.
    monkeypatch.setenv("REVIEW_USER", "tester")


@pytest.fixture
def project(tmp_path: Path):
    """A fresh, empty review project."""
    from review.project import Project

    return Project.init(tmp_path / "proj", title="Test review")


class DemoRun:
    """What ``review demo`` printed and where it wrote (one run shared by the whole test session)."""

    def __init__(self, root: Path, stdout: str, exit_code: int) -> None:
        self.root = root
        self.stdout = stdout
        self.output = stdout
        self.exit_code = exit_code


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """``review demo`` run once per test session, even across pytest-xdist workers.

    The first worker to get here runs the demo under an exclusive file lock in the directory all
    workers share; the others wait for it and reuse the result. Tests must not modify it: copy
    the folder first (``shutil.copytree``) if a test needs to change the project.
    """
    import fcntl

    from typer.testing import CliRunner

    from review.cli import app

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # shared by all workers of this run
    target = base / "shared-demo"
    target.mkdir(exist_ok=True)
    with open(base / "shared-demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = target / "result.txt"
        if not done.exists():
            result = CliRunner().invoke(app, ["demo", str(target / "review-demo"), "--quiet"])
            assert result.exit_code == 0, result.output + str(result.exception)
            (target / "stdout.txt").write_text(result.stdout, encoding="utf-8")
            done.write_text(str(result.exit_code), encoding="utf-8")
    return DemoRun(
        target / "review-demo",
        (target / "stdout.txt").read_text(encoding="utf-8"),
        int(done.read_text(encoding="utf-8")),
    )
