"""`review fulltext attach DIR`: link full-text files to records by DOI, file name or title."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from review.cli import app
from review.dedup.clusters import load_clusters
from review.screen.fulltext import attachments
from tests.helpers.screen import project_at_fulltext

runner = CliRunner()
TA, FT = "title-abstract", "full-text"


def test_attach_by_doi_filename_title_and_report(project, tmp_path):
    ids = project_at_fulltext(project)
    pdfs = tmp_path / "pdfs"
    pdfs.mkdir()
    (pdfs / "10.1234_db.1.pdf").write_bytes(b"%PDF-1.4 binary")  # DOI in the name
    (pdfs / "paper.txt").write_text("Some text\ndoi: 10.1234/db.2.\n", encoding="utf-8")
    (pdfs / f"{ids[2]}.pdf").write_bytes(b"%PDF")  # record id as the name
    (pdfs / "Db Study Number 4 of Peer-Support.pdf").write_bytes(b"%PDF")  # title
    (pdfs / "web study number 1 of peer support.pdf").write_bytes(b"%PDF")  # other branch
    (pdfs / "db study number 6 of peer support.pdf").write_bytes(b"%PDF")  # not eligible
    (pdfs / "unrelated.pdf").write_bytes(b"%PDF")
    (pdfs / "notes.jpg").write_bytes(b"x")  # not a full-text type: ignored
    result = runner.invoke(app, ["fulltext", "attach", str(pdfs), "--by", "Ana", "--json",
                                 "-q", "-p", str(project.root)])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    got = {m["record_id"]: (m["file"].rsplit("/", 1)[-1], m["matched_by"]) for m in data["matched"]}
    assert got == {
        ids[0]: ("10.1234_db.1.pdf", "doi"),
        ids[1]: ("paper.txt", "doi"),
        ids[2]: (f"{ids[2]}.pdf", "filename"),
        ids[3]: ("Db Study Number 4 of Peer-Support.pdf", "title"),
        ids[6]: ("web study number 1 of peer support.pdf", "title"),
    }
    assert [u.rsplit("/", 1)[-1] for u in data["unmatched"]] == ["unrelated.pdf"]
    # record 6 was excluded: its file is close to several eligible titles, so not attached
    assert [a["file"].rsplit("/", 1)[-1] for a in data["ambiguous"]] == [
        "db study number 6 of peer support.pdf"
    ]
    assert data["records_without_file"] == [ids[4]]
    linked = attachments(project, load_clusters(project))
    # outside the project: relative to the project root, whatever the current folder
    assert linked[ids[0]] == "../pdfs/10.1234_db.1.pdf"
    # running again attaches nothing new
    again = runner.invoke(app, ["fulltext", "attach", str(pdfs), "--by", "Ana", "-q", "-p",
                                str(project.root)])  # fmt: skip
    assert "Attached 0 files (none new); 5 already attached." in again.stdout
    assert "1 files match more than one record (not attached):" in again.stdout
    assert "1 files matched no record:" in again.stdout


def test_fulltext_screen_shows_path_and_offers_not_retrieved(project, tmp_path):
    ids = project_at_fulltext(project)
    folder = project.root / "fulltext"
    folder.mkdir()
    (folder / "10.1234_db.1.pdf").write_bytes(b"%PDF")
    runner.invoke(app, ["fulltext", "attach", str(folder), "-q", "-p", str(project.root)])
    from review.screen.session import ScreeningSession

    s = ScreeningSession(project, FT, "Ana")
    assert set(s.queue) == {*ids[:5], ids[6]}
    s.close()
    keys = "".join("r\n" for _ in s.queue)
    result = runner.invoke(app, ["screen", "--stage", FT, "--reviewer", "Ana", "--line",
                                 "-p", str(project.root)], input=keys)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Full text: fulltext/10.1234_db.1.pdf" in result.stdout
    assert "Full text: (no file attached)" in result.stdout
    assert "All 6 records are screened." in result.stdout


def test_attach_missing_folder(project, tmp_path):
    project_at_fulltext(project)
    result = runner.invoke(app, ["fulltext", "attach", str(tmp_path / "nope"), "-p",
                                 str(project.root)])  # fmt: skip
    assert result.exit_code == 1
    assert "nope: not a folder. Give the folder that holds the full-text files." in result.stderr


def test_attach_from_another_folder_stores_paths_relative_to_the_project(
    project, tmp_path, monkeypatch
):
    ids = project_at_fulltext(project)
    pdfs = tmp_path / "shared" / "pdfs"
    pdfs.mkdir(parents=True)
    (pdfs / "10.1234_db.1.pdf").write_bytes(b"%PDF-1.4")
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    result = runner.invoke(app, ["fulltext", "attach", "../../shared/pdfs", "--by", "Ana",
                                 "-q", "-p", str(project.root)])  # fmt: skip
    assert result.exit_code == 0, result.output
    stored = attachments(project, load_clusters(project))[ids[0]]
    assert stored == "../shared/pdfs/10.1234_db.1.pdf"  # not ../../shared/… (the cwd's view)
    assert (project.root / stored).resolve() == (pdfs / "10.1234_db.1.pdf").resolve()
