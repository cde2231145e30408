"""Tracebacks that became messages (issue 21): a non-text codec given to ``--encoding``, and a
full disk (ENOSPC) in ``review screen``, ``dedup`` and ``report``: every write that fails names
the file and says "disk full", exit 1, and leaves the file as it was."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from review.cli import app
from review.project import Project
from tests.helpers.screen import make_record_project

runner = CliRunner()
DATA = Path(__file__).parent / "data" / "import"
TA = "title-abstract"


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".review" not in p.parts
    }


@pytest.mark.parametrize("codec", ["zlib_codec", "base64_codec", "rot13", "punycode", "hex"])
def test_non_text_codec_is_a_message(project: Project, codec: str):
    before = _tree(project.root)
    res = runner.invoke(app, ["import", str(DATA / "quirks.ris"), "-s", "DB", "--encoding", codec,
                              "-p", str(project.root)])  # fmt: skip
    assert res.exit_code == 1, res.output
    assert isinstance(res.exception, SystemExit), res.exception
    err = " ".join(res.stderr.split())
    assert "quirks.ris" in err and codec in err
    assert "not a text encoding" in err or f"cannot be read as {codec}" in err
    assert _tree(project.root) == before


@pytest.fixture
def full_disk(monkeypatch):
    """Every fsync of a file fails with ENOSPC from now on (as a full disk reports it)."""

    def turn_on() -> None:
        def fsync(fd: int) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(os, "fsync", fsync)

    return turn_on


def _check_disk_full(res, name: str) -> None:
    assert res.exit_code == 1, res.output
    assert isinstance(res.exception, SystemExit), res.exception
    err = " ".join(res.stderr.split())
    assert f"{name}: cannot write (disk full)" in err, err
    assert "Traceback" not in res.output


def test_disk_full_in_screen(project: Project, full_disk):
    make_record_project(project, 3)
    full_disk()
    log = project.data_dir / "screening" / "ana.jsonl"
    res = runner.invoke(app, ["screen", "--stage", TA, "--reviewer", "Ana", "--line", "-p",
                              str(project.root)], input="i\nq\n")  # fmt: skip
    _check_disk_full(res, "ana.jsonl")
    assert not log.exists() or log.read_text(encoding="utf-8").strip() == ""


def test_disk_full_in_dedup_and_report(project: Project, full_disk):
    make_record_project(project, 3)
    before = _tree(project.root)
    full_disk()
    res = runner.invoke(app, ["dedup", "-p", str(project.root)])
    _check_disk_full(res, "clusters.csv")
    assert _tree(project.root) == before
    assert not [p for p in project.root.rglob("*.tmp")]
    res = runner.invoke(app, ["report", "-p", str(project.root)])
    _check_disk_full(res, ".html")
    assert _tree(project.root) == before
