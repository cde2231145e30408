from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from review.cli import app
from review.errors import ProjectError
from review.io.files import JsonlAppender, read_jsonl
from review.project import Project

runner = CliRunner()


def test_init_creates_layout(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "r"), "--title", "My review"])
    assert result.exit_code == 0, result.output
    root = tmp_path / "r"
    assert (root / "protocols" / "protocol.yaml").is_file()
    assert (root / "extraction_schema.yaml").is_file()
    assert (root / "data").is_dir() and (root / "outputs").is_dir()
    assert Project.open(root).protocol.title == "My review"


def test_init_refuses_non_empty(tmp_path: Path) -> None:
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "notes.txt").write_text("x")
    result = runner.invoke(app, ["init", str(tmp_path / "r")])
    assert result.exit_code == 1
    assert "not empty" in result.stderr
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == ["notes.txt"]


def test_open_non_project_is_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="not a review project"):
        Project.open(tmp_path)
    result = runner.invoke(app, ["status", "--project", str(tmp_path)])
    assert result.exit_code == 1
    assert "not a review project" in result.stderr
    assert "Traceback" not in result.output


def test_protocol_stages_and_reasons(project: Project) -> None:
    ta = project.protocol.stage("title-abstract")
    assert ta.reviewers_per_record == 2
    assert ta.reason("1") is not None and ta.reason("1").id == "wrong-population"
    assert ta.reason("wrong-date") is not None


def test_bad_protocol_yaml_names_line(project: Project) -> None:
    project.protocol_path.write_text("title: x\nstages: [unclosed\n")
    fresh = Project.open(project.root)
    with pytest.raises(ProjectError, match=r"protocol.yaml:\d+: not valid YAML"):
        _ = fresh.protocol


def test_jsonl_torn_last_line_is_reported_not_fatal(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    with JsonlAppender(log) as app_:
        app_.append({"a": 1})
        app_.append({"a": 2})
    with open(log, "ab") as fh:  # simulate a power cut in the middle of a write
        fh.write(b'{"a": 3, "b"')
    problems: list = []
    assert read_jsonl(log, problems) == [{"a": 1}, {"a": 2}]
    assert len(problems) == 1 and problems[0].line == 3 and "torn" in problems[0].message
    # the next append starts on a fresh line, so the torn line never swallows a new decision
    with JsonlAppender(log) as app_:
        app_.append({"a": 4})
    assert read_jsonl(log) == [{"a": 1}, {"a": 2}, {"a": 4}]
    assert os.path.getsize(log) > 0
    assert json.loads(log.read_text().splitlines()[-1]) == {"a": 4}


def test_atomic_write_uses_normal_file_mode(tmp_path: Path) -> None:
    from review.io.files import atomic_write_text

    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "out.txt", "hello")
    finally:
        os.umask(old)
    assert (tmp_path / "out.txt").read_text() == "hello"
    assert (tmp_path / "out.txt").stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]  # no temp file left behind


def test_atomic_write_with_a_writer_keeps_the_old_file_when_the_writer_fails(
    tmp_path: Path,
) -> None:
    """A large file written as it is made (the dedup pair cache) is still all or nothing."""
    from review.io.files import atomic_write_with

    path = tmp_path / "pairs.pickle"
    atomic_write_with(path, lambda fh: fh.write(b"first"))
    assert path.read_bytes() == b"first"

    def half(fh) -> None:
        fh.write(b"second, half written")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        atomic_write_with(path, half)
    assert path.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["pairs.pickle"]  # no temp file left


def test_version_is_read_lazily_from_metadata() -> None:
    import review

    assert review.__version__ and review.__version__[0].isdigit()


def test_record_cache_follows_reader_code(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    import review.recordcache as store_module
    from review.importer import import_files

    ris = project.root.parent / "one.ris"
    ris.write_text("TY  - JOUR\nTI  - A title\nER  - \n", encoding="utf-8")
    import_files(project, [ris], source="Test")
    first = Project.open(project.root).records()
    caches = list((project.cache_dir / "records").glob("*.sqlite"))
    assert len(first) == 1 and len(caches) == 1
    # a different reader (new code, same version) must not reuse the old cache
    monkeypatch.setattr(store_module, "_READER_KEY", "0.1.0-otherreader")
    again = Project.open(project.root).records()
    assert again == first
    names = [p.name for p in (project.cache_dir / "records").glob("*.sqlite")]
    assert names == [f"{project.imports()[0].import_id}-0.1.0-otherreader.sqlite"]


def test_project_is_found_from_a_subfolder(project, tmp_path: Path, monkeypatch) -> None:
    sub = project.data_dir / "screening" / "deeper"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    assert Project.open().root == project.root
    result = runner.invoke(app, ["status", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["project"] == str(project.root)
    # an explicit --project is taken as given, never searched upwards
    with pytest.raises(ProjectError, match="not a review project"):
        Project.open(project.data_dir)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    monkeypatch.chdir(outside)
    with pytest.raises(ProjectError, match="here or in a folder above"):
        Project.open()
