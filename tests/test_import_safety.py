"""All-or-nothing imports, locks between processes, and an import log that merges in git."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from review.cli.status_view import section_lines
from review.errors import ProjectError
from review.importer import import_files, leftovers, recover_imports, status_summary
from review.io.lock import LockedError, project_lock
from review.project import Project

runner = CliRunner()
REPO = Path(__file__).parent.parent


def ris(n: int, tag: str) -> str:
    return "".join(
        f"TY  - JOUR\nTI  - {tag} study number {i}\nAU  - Author, A{i}\nPY  - 2020\nER  - \n\n"
        for i in range(n)
    )


def tree(root: Path) -> dict[str, bytes]:
    """Every file under data/ (the project's truth), by relative path."""
    data = root / "data"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in data.rglob("*") if p.is_file()}


def files(tmp_path: Path, n: int = 3) -> list[Path]:
    out = []
    for i in range(n):
        p = tmp_path / f"search{i}.ris"
        p.write_text(ris(5, f"file{i}"), encoding="utf-8")
        out.append(p)
    return out


def test_long_legal_file_name_imports(project: Project, tmp_path: Path):
    path = tmp_path / ("x" * 240 + ".ris")  # 244 characters: legal, but name+".tmp" suffix is not
    path.write_text(ris(2, "long"), encoding="utf-8")
    (report,) = import_files(project, [path], source="DB")
    assert report.imported == 2
    assert Path(project.root / report.stored_as).read_bytes() == path.read_bytes()


def test_oserror_in_write_phase_leaves_nothing_and_rerun_works(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    paths = files(tmp_path)
    before = tree(project.root)
    import review.importer as imp

    real = imp._write_new
    calls = {"n": 0}

    def failing(path: Path, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] == 4:  # the second file's raw copy
            raise OSError(36, "File name too long", str(path))
        real(path, data)

    monkeypatch.setattr(imp, "_write_new", failing)
    with pytest.raises(ProjectError, match=r"File name too long.*Nothing was imported"):
        import_files(project, paths, source="DB")
    assert tree(project.root) == before
    assert not any((project.root / ".review" / "staging").glob("*"))
    assert not list(project.imports_dir.glob("*")) if project.imports_dir.exists() else True
    monkeypatch.setattr(imp, "_write_new", real)
    reports = import_files(project, paths, source="DB")
    assert [r.imported for r in reports] == [5, 5, 5]
    assert len(Project.open(project.root).records()) == 15


def test_crash_after_commit_is_rolled_forward(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import review.importer as imp

    paths = files(tmp_path)

    def crash(*a, **k):
        raise KeyboardInterrupt  # the process dies right after the commit step

    monkeypatch.setattr(imp, "_roll_forward", crash)
    with pytest.raises(KeyboardInterrupt):
        import_files(project, paths, source="DB")
    assert not project.imports_dir.exists() or not any(project.imports_dir.iterdir())
    monkeypatch.undo()
    reopened = Project.open(project.root)
    staging = project.root / ".review" / "staging"
    # Reading the import log has no side effects: the committed transaction waits ...
    assert reopened.imports() == [] and any(staging.iterdir())
    assert any("interrupted after it was committed" in w for w in leftovers(reopened))
    # ... for the explicit recovery step that writing commands run
    assert recover_imports(reopened) and len(reopened.imports()) == 3
    assert len(reopened.records()) == 15
    assert not any(staging.iterdir())
    assert leftovers(reopened) == []


def test_the_command_line_recovers_when_it_opens_the_project(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import review.importer as imp
    from review.cli import app

    monkeypatch.setattr(imp, "_roll_forward", lambda *a, **k: (_ for _ in ()).throw(SystemExit))
    with pytest.raises(SystemExit):
        import_files(project, files(tmp_path), source="DB")
    monkeypatch.undo()
    result = runner.invoke(app, ["status", "--project", str(project.root)])
    assert result.exit_code == 0, result.output
    assert len(Project.open(project.root).imports()) == 3


def test_crash_before_commit_is_undone_and_leftovers_reported(project: Project, tmp_path: Path):
    paths = files(tmp_path, 1)
    # What a kill during staging leaves: a transaction without COMMIT, plus (older versions) a
    # raw copy without a log entry inside data/imports and a temp file.
    txn = project.root / ".review" / "staging" / "20260101T000000-dead"
    (txn / "db-12345678").mkdir(parents=True)
    (txn / "db-12345678" / "big.ris").write_bytes(b"x" * 1000)
    orphan = project.imports_dir / "db-deadbeef"
    orphan.mkdir(parents=True)
    (orphan / ".search0.ris.abc.tmp").write_bytes(b"partial")
    assert txn.exists() and status_summary(project)  # reading touches nothing
    assert recover_imports(project) == [
        "removed an interrupted, uncommitted import (20260101T000000-dead)"
    ]
    lines = section_lines(status_summary(project))
    assert not txn.exists()  # the uncommitted transaction was cleared
    assert any("db-deadbeef/: no import log entry" in line for line in lines)
    (report,) = import_files(project, paths, source="DB")  # a rerun works
    assert report.imported == 5


def test_orphan_folder_of_the_same_file_does_not_block_a_rerun(project: Project, tmp_path: Path):
    import hashlib

    (path,) = files(tmp_path, 1)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    orphan = project.imports_dir / f"db-{sha[:8]}"
    orphan.mkdir(parents=True)
    (orphan / path.name).write_bytes(path.read_bytes()[:10])  # a torn copy, no log
    (report,) = import_files(project, [path], source="DB")
    assert report.import_id == f"db-{sha[:8]}"
    assert (orphan / path.name).read_bytes() == path.read_bytes()
    assert leftovers(Project.open(project.root)) == []


# ---- the import log in git ---------------------------------------------------------------------


def test_same_export_imported_in_two_clones_counts_once(tmp_path: Path):
    (path,) = files(tmp_path, 1)
    a = Project.init(tmp_path / "a")
    b = Project.init(tmp_path / "b")
    import_files(a, [path], source="DB", who="ann")
    time.sleep(0.01)
    import_files(b, [path], source="DB", who="bob")
    # Merge b's data/ into a's (what git does): every file is new or byte-identical.
    for f in (b.root / "data").rglob("*"):
        if f.is_file():
            dst = a.root / f.relative_to(b.root)
            if dst.exists():
                assert dst.read_bytes() == f.read_bytes(), f"{dst} would conflict"
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, dst)
    merged = Project.open(a.root)
    assert len(merged.imports()) == 1 and merged.imports()[0].imported_by == "ann"
    assert len(merged.records()) == 5
    assert any("imported again by bob" in w for w in leftovers(merged))


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_two_clones_importing_the_same_export_merge_in_git(tmp_path: Path):
    from tests.test_git_merge import git

    base = tmp_path / "base"
    Project.init(base)
    assert git(base, "init", "-q", "-b", "main").returncode == 0
    git(base, "add", "-A")
    assert git(base, "commit", "-qm", "start").returncode == 0
    (path,) = files(tmp_path, 1)
    clones = []
    for who in ("ann", "bob"):
        clone = tmp_path / who
        assert git(tmp_path, "clone", "-q", str(base), str(clone)).returncode == 0
        import_files(Project.open(clone), [path], source="DB", who=who)
        git(clone, "add", "-A")
        assert git(clone, "commit", "-qm", who).returncode == 0
        clones.append(clone)
    pulled = git(clones[0], "pull", "-q", "--no-rebase", "--no-edit", str(clones[1]), "main")
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    assert len(Project.open(clones[0]).imports()) == 1


def test_conflict_markers_in_an_old_import_json_say_how_to_repair(project: Project, tmp_path):
    folder = project.imports_dir / "db-12345678"
    folder.mkdir(parents=True)
    (folder / "import.json").write_text(
        '<<<<<<< HEAD\n{"import_id": "a"}\n=======\n{"import_id": "b"}\n>>>>>>> theirs\n'
    )
    with pytest.raises(ProjectError, match=r"conflict markers.*git checkout --ours"):
        Project.open(project.root).imports()
    (folder / "import.json").write_text('{"import_id": ')
    with pytest.raises(ProjectError, match=r"git checkout -- data/imports/db-12345678/import.json"):
        Project.open(project.root).imports()


def test_old_projects_import_json_is_still_read(project: Project, tmp_path: Path):
    (path,) = files(tmp_path, 1)
    (report,) = import_files(project, [path], source="DB")
    folder = project.root / Path(report.stored_as).parent
    (log,) = folder.glob("import-*.json")
    log.rename(folder / "import.json")
    assert [e.sha256 for e in Project.open(project.root).imports()] == [report.sha256]


# ---- locks between processes -------------------------------------------------------------------

_HOLD = """
import sys, time
sys.path.insert(0, {repo!r})
from review.io.lock import {fn}
with {fn}({arg!r}, {extra}):
    print("locked", flush=True)
    time.sleep(60)
"""


def _holder(fn: str, arg: str, extra: str) -> subprocess.Popen:
    code = _HOLD.format(repo=str(REPO), fn=fn, arg=arg, extra=extra)
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=os.environ.copy()
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_project_lock_names_the_holder_and_is_freed_when_it_dies(project: Project):
    proc = _holder("project_lock", str(project.root), "'review import', 'ann'")
    try:
        with pytest.raises(LockedError, match=r"busy: ann \(review import, process \d+"):
            with project_lock(project.root, "review import", "bob", wait=0.2):
                pass
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    with project_lock(project.root, "review import", "bob", wait=0.0):  # stale lock cleared
        pass


def test_same_reviewer_in_two_terminals_is_refused(project: Project):
    from review.screen.logs import ScreeningLog, reviewer_log_path

    log = reviewer_log_path(project, "Ana")
    proc = _holder("log_lock", str(log), "'Ana', 'review screen'")
    try:
        with pytest.raises(LockedError, match=r"already open for writing by Ana \(review screen"):
            ScreeningLog(project, "Ana")
        with ScreeningLog(project, "Ben") as other:  # another reviewer is not blocked
            other.decide("r1", "title-abstract", "include")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    with ScreeningLog(project, "Ana") as mine:  # the dead session's lock is gone
        mine.decide("r1", "title-abstract", "include")


def test_same_file_imported_by_two_processes_goes_in_once(project: Project, tmp_path: Path):
    (path,) = files(tmp_path, 1)
    path.write_text(ris(500, "big"), encoding="utf-8")  # slow enough to overlap
    cmd = [sys.executable, "-m", "review", "import", str(path), "-s", "DB", "-p", str(project.root)]
    procs = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes == [0, 1], outs
    assert any("already imported" in err for _, err in outs), outs
    reopened = Project.open(project.root)
    assert len(reopened.imports()) == 1 and len(reopened.records()) == 500
