"""Full texts from hostile folders (issue 21): a PDF content bomb is read in a child process with
memory and time limits and becomes an ``error`` line in the report (never a SIGABRT of the
command), and ``review fulltext attach`` refuses symlinks that lead out of the folder."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from review.cli import app
from review.project import Project
from tests.helpers.reliability_hostile import pdf_bomb
from tests.helpers.screen import project_at_fulltext

runner = CliRunner()
REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "data" / "fulltext"


def _review(root: Path, *args: str, memory_mb: int, **env: str) -> subprocess.CompletedProcess:
    """``review ARGS`` in a process whose address space is capped at ``memory_mb`` (as a shared
    machine or a container caps it)."""

    def cap() -> None:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return subprocess.run(
        [sys.executable, "-m", "review", *args, "-p", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=cap,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
    )


def _attach(project: Project, tmp_path: Path) -> Path:
    project_at_fulltext(project)
    folder = project.root / "fulltexts"
    folder.mkdir()
    (folder / "10.1234_db.1.pdf").write_bytes(pdf_bomb(2_000_000))
    shutil.copyfile(FIXTURES / "article.pdf", folder / "10.1234_db.2.pdf")
    res = runner.invoke(
        app,
        [
            "fulltext",
            "attach",
            str(folder),
            "--by",
            "Ana",
            "--no-extract",
            "-q",
            "-p",
            str(project.root),
        ],
    )
    assert res.exit_code == 0, res.output
    return folder


def test_pdf_bomb_is_an_error_line_not_a_crash(project: Project, tmp_path: Path):
    _attach(project, tmp_path)
    res = _review(
        project.root,
        "fulltext",
        "extract",
        "--json",
        "-q",
        memory_mb=900,
        REVIEW_PDF_MEMORY_MB="450",
    )
    assert res.returncode == 0, (res.returncode, res.stderr[-2000:])
    assert "Traceback" not in res.stderr
    files = {Path(f["path"]).name: f for f in json.loads(res.stdout)["files"]}
    bomb = files["10.1234_db.1.pdf"]
    assert bomb["status"] == "error"
    assert "ran out of memory (limit 450 MB" in bomb["message"]
    # the worker was replaced: the next file of the same run is read as usual
    assert files["10.1234_db.2.pdf"]["status"] == "text"
    # the screener reads the cached failure, never the bomb itself
    from review.screen.fulltext_text import load_text

    ft = load_text(Project.open(project.root), "fulltexts/10.1234_db.1.pdf", extract=False)
    assert ft.status == "error"


def test_pdf_time_limit(project: Project, tmp_path: Path, monkeypatch):
    from review.screen import pdfworker
    from review.screen.fulltext_text import extract_file

    bomb = tmp_path / "slow.pdf"
    bomb.write_bytes(pdf_bomb(2_000_000))  # about 4 s of PDFium on an idle machine
    monkeypatch.setenv("REVIEW_PDF_SECONDS", "0.3")
    ft = extract_file(bomb)
    assert (ft.status, ft.message) == (
        "error",
        "cannot read: reading the PDF took longer than 0.3 s (a content bomb?); "
        "REVIEW_PDF_SECONDS raises the limit",
    )
    monkeypatch.delenv("REVIEW_PDF_SECONDS")
    assert extract_file(FIXTURES / "article.pdf").status == "text"
    pdfworker.shutdown()


def test_attach_refuses_symlinks_out_of_the_folder(project: Project, tmp_path: Path):
    project_at_fulltext(project)
    folder = tmp_path / "pdfs"
    folder.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("doi: 10.1234/db.1\nthe user's private notes\n", encoding="utf-8")
    (folder / "10.1234_db.1.txt").symlink_to(secret)
    shutil.copyfile(FIXTURES / "article.pdf", folder / "10.1234_db.2.pdf")
    (folder / "inside.pdf").symlink_to(folder / "10.1234_db.2.pdf")  # stays inside: fine
    res = runner.invoke(
        app, ["fulltext", "attach", str(folder), "--by", "Ana", "-q", "-p", str(project.root)]
    )
    assert res.exit_code == 1, res.output
    assert isinstance(res.exception, SystemExit), res.exception
    err = " ".join(res.stderr.split())
    assert "1 file(s) are links that lead out of the folder; nothing was attached." in err
    assert f"{folder / '10.1234_db.1.txt'} -> {secret}" in err
    assert not (project.data_dir / "fulltext").exists() or not any(
        (project.data_dir / "fulltext").iterdir()
    )
    cache = project.root / ".review" / "fulltext"
    assert not cache.exists() or "private notes" not in "".join(
        p.read_text(errors="replace") for p in cache.rglob("*") if p.is_file()
    )
