"""One implementation per job (issue 24): the project-root rule, the GC pause and the single
key press are each written once and shared."""

from __future__ import annotations

import gc
import io

import pytest

from review.gcpause import gc_paused
from review.io import lock
from review.io.root import find_root
from review.project import Project


def test_one_root_rule_for_the_project_and_its_locks(project: Project, monkeypatch):
    deep = project.root / "data" / "screening" / "sub"
    deep.mkdir(parents=True)
    assert find_root(deep) == project.root
    assert find_root(project.root) == project.root  # the folder itself counts
    assert find_root(project.root.parent) is None
    monkeypatch.chdir(deep)
    assert Project.open().root == project.root
    # a log's lock lives in the project the log is in, found by the same rule
    assert lock.find_root(deep / "ana.jsonl") == project.root
    assert lock.find_root(project.root / "x.jsonl") == project.root
    assert lock.find_root(project.root.parent / "x.jsonl") is None


def test_gc_pause_nests_and_decorates():
    assert gc.isenabled()

    @gc_paused()
    def inner() -> bool:
        return gc.isenabled()

    with gc_paused():
        assert not gc.isenabled()
        assert inner() is False
        assert not gc.isenabled()  # the inner pause did not resume it
    assert gc.isenabled()
    assert inner() is False and gc.isenabled()


def test_gc_pause_resumes_after_an_error():
    with pytest.raises(ValueError), gc_paused():
        raise ValueError
    assert gc.isenabled()


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("pressed", "read"),
    [("Y", "y"), (KeyboardInterrupt, "q"), (EOFError, "q")],
    ids=["key", "ctrl-c", "ctrl-d"],
)
def test_dedup_review_reads_a_key_with_typer_getchar(monkeypatch, pressed, read):
    import typer

    from review.cli import dedup_cmds

    def getchar(echo: bool = False) -> str:
        if isinstance(pressed, str):
            return pressed
        raise pressed

    monkeypatch.setattr("sys.stdin", _Tty(""))
    monkeypatch.setattr(typer, "getchar", getchar)
    assert dedup_cmds._read_key() == read
