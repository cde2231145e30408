"""The diagram drawn on the second core (review/prisma/renderworker.py): the same bytes as drawn
in the command's own process, and whatever goes wrong in the worker, the same result or the
same error as without it."""

from __future__ import annotations

import os
import sys

import pytest
from typer.testing import CliRunner

from review.cli import app
from tests.helpers.workers import started_workers
from tests.test_prisma_project import tiny  # noqa: F401 - the fixture

runner = CliRunner()
FILES = ("prisma.svg", "prisma.png", "prisma.pdf", "prisma.mmd", "prisma.csv", "methods.md")

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the worker is forked only on Linux"
)


def _prisma(project, *args: str) -> dict[str, bytes]:
    result = runner.invoke(app, ["prisma", "--project", str(project.root), "-q", *args])
    assert result.exit_code == 0, result.output
    out = project.outputs_dir / "prisma"
    return {name: (out / name).read_bytes() for name in FILES}


def _fresh(project) -> None:
    """Forget the kept drawing, so that the next run draws."""
    (project.cache_dir / "prisma" / "drawing.json").unlink(missing_ok=True)


def _workers(monkeypatch: pytest.MonkeyPatch, on: bool) -> list[int]:
    """Force the worker on (any project size) or off; the pids of the workers started."""
    monkeypatch.setattr("review.prisma.renderworker.MIN_CLUSTERS_BYTES", 0)
    monkeypatch.setenv("REVIEW_WORKERS", "1" if on else "0")
    return started_workers(monkeypatch)


def test_the_worker_draws_the_same_bytes(tiny, monkeypatch) -> None:  # noqa: F811
    project, _ = tiny
    started = _workers(monkeypatch, on=False)
    here = _prisma(project, "--title", "A title")
    assert started == []
    _fresh(project)
    started = _workers(monkeypatch, on=True)
    there = _prisma(project, "--title", "A title")
    assert len(started) == 1
    assert there == here
    for pid in started:  # stopped and reaped
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_a_small_project_or_no_fork_draws_here(tiny, monkeypatch) -> None:  # noqa: F811
    project, _ = tiny
    started = _workers(monkeypatch, on=True)
    monkeypatch.setattr("review.prisma.renderworker.MIN_CLUSTERS_BYTES", 1 << 40)
    _prisma(project)
    assert started == []


def test_an_unchanged_drawing_stops_the_worker_unused(tiny, monkeypatch) -> None:  # noqa: F811
    project, _ = tiny
    first = _prisma(project)
    started = _workers(monkeypatch, on=True)
    assert _prisma(project) == first
    assert len(started) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(started[0], os.WNOHANG)


def test_an_error_reads_as_without_the_worker(tiny, monkeypatch) -> None:  # noqa: F811
    project, _ = tiny
    _workers(monkeypatch, on=False)
    without = runner.invoke(app, ["prisma", "--project", str(project.root), "--font", "No Such"])
    _workers(monkeypatch, on=True)
    within = runner.invoke(app, ["prisma", "--project", str(project.root), "--font", "No Such"])
    assert without.exit_code == within.exit_code == 1
    assert "no such font installed" in within.output
    assert within.output == without.output


def test_a_worker_that_dies_is_drawn_here(tiny, monkeypatch) -> None:  # noqa: F811
    project, _ = tiny
    _workers(monkeypatch, on=False)
    here = _prisma(project)
    _fresh(project)
    _workers(monkeypatch, on=True)

    def die(_task):
        os._exit(9)  # as the out-of-memory killer would

    monkeypatch.setattr("review.prisma.renderworker._job", die)
    assert _prisma(project) == here
