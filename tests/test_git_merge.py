"""Two reviewers keep one review in git: their work merges without conflicts.

Every human decision lives in a file with one writer (data/screening/<reviewer>.jsonl, a new
data/imports/<source>-<sha8>/ folder per import), and derived files (outputs/, .review/) are
ignored by the project's .gitignore and rebuilt in each clone.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from review.cli import app
from review.project import Project

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

runner = CliRunner()

RIS = """TY  - JOUR
AU  - Smith, Jane
TI  - Parent partners in child welfare: a qualitative study
PY  - 2015
JO  - Child Welfare
ER  -

TY  - JOUR
AU  - Doe, Ann
TI  - Peer mentoring for mothers involved with child protective services
PY  - 2018
JO  - Children and Youth Services Review
ER  -

TY  - JOUR
AU  - Brown, Kim
TI  - Foster carers' experiences of respite care
PY  - 2012
JO  - Adoption and Fostering
ER  -
"""

MORE = """TY  - JOUR
AU  - Lee, Sam
TI  - Family court parent advocates and reunification timelines
PY  - 2020
JO  - Family Court Review
ER  -
"""


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "HOME": str(cwd),
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def ok(result) -> None:
    assert result.exit_code == 0, result.output


def test_two_reviewers_merge_without_conflicts(tmp_path: Path) -> None:
    base = tmp_path / "base"
    Project.init(base, title="Merge test")
    (tmp_path / "search.ris").write_text(RIS, encoding="utf-8")
    ok(
        runner.invoke(
            app, ["import", str(tmp_path / "search.ris"), "--source", "DB", "--project", str(base)]
        )
    )
    assert git(base, "init", "-q", "-b", "main").returncode == 0
    git(base, "add", "-A")
    assert git(base, "commit", "-qm", "start").returncode == 0
    assert "outputs/" in (base / ".gitignore").read_text()  # derived files are never committed

    clones = {}
    for who in ("anat", "marina"):
        clone = tmp_path / who
        assert git(tmp_path, "clone", "-q", str(base), str(clone)).returncode == 0
        ok(runner.invoke(app, ["dedup", "--quiet", "--project", str(clone)]))  # rebuild derived
        clones[who] = clone

    from review.screen import eligible

    ids = sorted(eligible(Project.open(clones["anat"]), "title-abstract"))
    assert len(ids) == 3
    for who, decisions in (
        ("anat", ["include", "include", "exclude"]),
        ("marina", ["include", "exclude", "exclude"]),
    ):
        sheet = tmp_path / f"{who}.csv"
        sheet.write_text(
            "record_id,decision,reason,note\n"
            + "".join(f"{i},{d},,\n" for i, d in zip(ids, decisions, strict=True))
        )
        ok(
            runner.invoke(
                app,
                [
                    "screen",
                    "import",
                    str(sheet),
                    "--stage",
                    "title-abstract",
                    "--reviewer",
                    who,
                    "--project",
                    str(clones[who]),
                ],
            )
        )
    # marina also imports a new search while anat screens
    (tmp_path / "more.ris").write_text(MORE, encoding="utf-8")
    ok(
        runner.invoke(
            app,
            [
                "import",
                str(tmp_path / "more.ris"),
                "--source",
                "DB2",
                "--project",
                str(clones["marina"]),
            ],
        )
    )
    for who, clone in clones.items():
        git(clone, "add", "-A")
        assert git(clone, "commit", "-qm", f"{who}'s work").returncode == 0
        assert git(clone, "status", "--porcelain").stdout == ""  # derived files are ignored

    anat = clones["anat"]
    merged = git(anat, "pull", "-q", "--no-rebase", "--no-edit", str(clones["marina"]), "main")
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert git(anat, "diff", "--name-only", "--diff-filter=U").stdout == ""

    ok(runner.invoke(app, ["dedup", "--quiet", "--project", str(anat)]))
    result = runner.invoke(
        app, ["disagreements", "--stage", "title-abstract", "--json", "--project", str(anat)]
    )
    ok(result)
    data = json.loads(result.stdout)
    assert data["reviewers"] == ["anat", "marina"]
    assert data["records_screened_by_all"] == 3
    assert data["disagreements"] == 1
    assert len(Project.open(anat).imports()) == 2
