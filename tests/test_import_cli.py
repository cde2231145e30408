"""`review import` and `review export` through the CLI, checked against the saved state."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from review.cli.status_view import section_lines
from review.importer import import_files, status_summary
from review.project import Project
from tests.helpers.cli import run_in as run

DATA = Path(__file__).parent / "data" / "import"
runner = CliRunner()


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_import_copies_raw_file_logs_it_and_derives_records(project: Project):
    result = run(project, "import", str(DATA / "quirks.ris"), str(DATA / "wos.txt"), "-s", "Mixed")
    assert result.exit_code == 0, result.output
    assert "quirks.ris" in result.stdout and "Imported 5 records from 2 file(s)" in result.stdout
    assert "without a closing ER line" in result.stderr  # warnings go to stderr

    entries = project.imports()
    assert [e.original_name for e in entries] == ["quirks.ris", "wos.txt"] or [
        e.original_name for e in entries
    ] == ["wos.txt", "quirks.ris"]
    by_name = {e.original_name: e for e in entries}
    ris = by_name["quirks.ris"]
    sha = hashlib.sha256((DATA / "quirks.ris").read_bytes()).hexdigest()
    assert ris.sha256 == sha
    assert ris.import_id == f"mixed-{sha[:8]}"
    assert ris.file == f"data/imports/mixed-{sha[:8]}/quirks.ris"
    assert (project.root / ris.file).read_bytes() == (DATA / "quirks.ris").read_bytes()
    assert (ris.format, ris.encoding, ris.records, ris.found, ris.problems) == (
        "ris",
        "utf-8-sig",
        3,
        3,
        0,
    )
    assert (ris.source, ris.kind, ris.imported_by, ris.screen) == (
        "Mixed",
        "database",
        "tester",
        False,
    )
    (log,) = (project.root / f"data/imports/mixed-{sha[:8]}").glob("import-*.json")
    manifest = json.loads(log.read_text())
    assert manifest["sha256"] == sha and manifest["records"] == 3

    records = Project.open(project.root).records()
    assert len(records) == 5
    first = next(r for r in records if r.record_id == f"{sha[:8]}-1")
    assert first.source_file == ris.file
    assert first.source_position == 1 and first.source_line == 5 and first.original_id == "rec-1"
    assert first.title == "Peer support for parents in child protection"
    summary = status_summary(project)
    assert summary.records == 5 and summary.by_branch == {"main": 5, "other": 0}
    assert section_lines(summary)[0] == "Mixed (database): 5 records from 2 file(s)"


def test_import_json_summary(project: Project):
    result = run(project, "import", str(DATA / "pubmed.nbib"), "--source", "PubMed", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["found"], data["imported"], data["problems"]) == (2, 2, 0)
    (only,) = data["files"]
    assert only["format"] == "medline" and only["source"] == "PubMed"
    assert only["stored_as"].startswith("data/imports/pubmed-")


def test_reimport_of_identical_file_is_refused_and_changes_nothing(project: Project):
    assert run(project, "import", str(DATA / "wos.txt"), "-s", "WoS").exit_code == 0
    before = snapshot(project.root)
    result = run(project, "import", str(DATA / "wos.txt"), "-s", "Web of Science")
    assert result.exit_code == 1
    sha = hashlib.sha256((DATA / "wos.txt").read_bytes()).hexdigest()
    assert result.stderr == (
        f"Error: {DATA / 'wos.txt'}: already imported (byte-identical to "
        f"data/imports/wos-{sha[:8]}/wos.txt, imported as source 'WoS' on "
        f"{project.imports()[0].imported_at[:10]}). Nothing was imported; a re-run of the same "
        "search should be exported again as a new file.\n"
    )
    assert snapshot(project.root) == before


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("broken_unknown.txt", "broken_unknown.txt:1: is not in a format review can read"),
        ("broken_entry.bib", "broken_entry.bib:3: record 2 cannot be parsed: BibTeX entry"),
        ("broken_empty.ris", "broken_empty.ris: is empty: it holds no records."),
    ],
    ids=["unknown", "bad-record", "empty"],
)
def test_error_in_any_file_leaves_project_exactly_as_it_was(project: Project, bad, message):
    before = snapshot(project.root)
    result = run(project, "import", str(DATA / "wos.txt"), str(DATA / bad), "-s", "X")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(project.root) == before
    assert project.imports() == []


def test_same_file_twice_in_one_call_is_refused(project: Project):
    result = run(project, "import", str(DATA / "wos.txt"), str(DATA / "wos.txt"), "-s", "X")
    assert result.exit_code == 1
    assert "is the same file as" in result.stderr
    assert project.imports() == []


def test_map_kind_format_and_encoding_options(project: Project, tmp_path: Path):
    result = run(
        project,
        "import",
        str(DATA / "unknown_columns.csv"),
        "-s",
        "Hand search",
        "--kind",
        "other",
        "--map",
        "Article Name=title",
        "--map",
        "Published=year",
    )
    assert result.exit_code == 0, result.output
    (entry,) = project.imports()
    assert entry.kind == "other" and entry.branch == "other"
    assert entry.column_map == {"Article Name": "title", "Published": "year"}
    recs = Project.open(project.root).records()
    assert [(r.title, r.year) for r in recs] == [("A mapped title", 2011), ("Another", 2012)]

    bad = run(project, "import", str(DATA / "latin1.ris"), "-s", "L", "--encoding", "utf-8")
    assert bad.exit_code == 1
    assert "cannot be read as utf-8: byte 0xe9 at line 2" in bad.stderr
    ok = run(project, "import", str(DATA / "latin1.ris"), "-s", "L", "--encoding", "cp1252")
    assert ok.exit_code == 0, ok.output
    latin = next(e for e in project.imports() if e.source == "L")
    assert latin.encoding == "cp1252"
    recs = Project.open(project.root).records()
    assert any(r.title == "Café au lait – a study" for r in recs)

    usage = run(project, "import", str(DATA / "wos.txt"), "-s", "X", "--format", "nope")
    assert usage.exit_code == 2
    wrong = run(project, "import", str(DATA / "wos.txt"), "-s", "X", "--format", "bibtex")
    assert wrong.exit_code == 1 and "no records found in this bibtex file" in wrong.stderr


def test_bad_map_option_is_a_usage_error(project: Project):
    result = run(project, "import", str(DATA / "unknown_columns.csv"), "-s", "X", "--map", "oops")
    assert result.exit_code == 2
    assert "COLUMN=FIELD" in result.output


def test_export_csv_has_contract_columns_and_guards_formulas(project: Project, tmp_path: Path):
    assert run(project, "import", str(DATA / "scopus_preamble.csv"), "-s", "Scopus").exit_code == 0
    out = tmp_path / "all.csv"
    result = run(project, "export", "--format", "csv", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert f"Wrote 2 records to {out}" in result.stdout.replace("\n", "")
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert list(rows[0])[:17] == [
        "record_id", "source", "source_file", "source_position", "original_id", "type", "title",
        "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid", "abstract",
        "keywords",
    ]  # fmt: skip
    assert rows[0]["authors"] == "Aria, M.; Cuccurullo, C."
    assert rows[0]["source_position"] == "1" and rows[0]["original_id"] == "2-s2.0-1"
    assert rows[1]["title"] == "'-starts with a dash"  # shown as text by spreadsheets
    assert rows[1]["authors"] == '\'=HYPERLINK("x")'

    # Our own export reads back with the same fields.
    from review.io.readers import read_file

    again = read_file(out).entries
    originals = Project.open(project.root).records()
    assert [e.fields for e in again] == [r.fields_dict() for r in originals]


def test_export_xlsx_writes_formula_text_as_text(project: Project, tmp_path: Path):
    from openpyxl import load_workbook

    assert run(project, "import", str(DATA / "scopus_preamble.csv"), "-s", "Scopus").exit_code == 0
    out = tmp_path / "all.xlsx"
    assert run(project, "export", "--format", "xlsx", "-o", str(out)).exit_code == 0
    ws = load_workbook(out).active
    header = [c.value for c in ws[1]]
    title = ws.cell(row=3, column=header.index("title") + 1)
    assert title.value == "-starts with a dash" and title.data_type == "s"
    authors = ws.cell(row=3, column=header.index("authors") + 1)
    assert authors.value == '=HYPERLINK("x")' and authors.data_type == "s"


@pytest.mark.parametrize("fmt", ["ris", "bibtex"])
def test_export_tagged_formats_round_trip(project: Project, tmp_path: Path, fmt: str):
    for name in ("quirks.ris", "library.bib", "pubmed.nbib", "endnote.xml", "wos.txt"):
        import_files(project, [DATA / name], source=name)
    out = tmp_path / f"all.{fmt}"
    assert run(project, "export", "--format", fmt, "-o", str(out)).exit_code == 0
    from review.io.readers import read_file

    result = read_file(out)
    assert result.format == fmt
    originals = Project.open(project.root).records()
    assert [e.fields for e in result.entries] == [r.fields_dict() for r in originals]


def test_export_by_stage_filters_on_final_decisions(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import review.screen as screen
    from review.screen import FinalDecision

    import_files(project, [DATA / "quirks.ris"], source="S")
    ids = [r.record_id for r in Project.open(project.root).records()]
    decisions = {
        ids[0]: FinalDecision(ids[0], "title-abstract", "include", "", "agreement"),
        ids[1]: FinalDecision(
            ids[1], "title-abstract", "exclude", "wrong-population", "resolution"
        ),
        ids[2]: FinalDecision(ids[2], "title-abstract", None, "", "conflict"),
    }
    monkeypatch.setattr(screen, "final_decisions", lambda project, stage: decisions)
    out = tmp_path / "inc.csv"
    result = run(
        project, "export", "-f", "csv", "-o", str(out), "--stage", "title-abstract",
        "--status", "included",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert [r["record_id"] for r in rows] == [ids[0]]
    assert rows[0]["decision"] == "include" and rows[0]["via"] == "agreement"
    run(
        project,
        "export",
        "-f",
        "csv",
        "-o",
        str(out),
        "--stage",
        "title-abstract",
        "--status",
        "excluded",
    )
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert [(r["record_id"], r["reason"]) for r in rows] == [(ids[1], "wrong-population")]
    run(
        project,
        "export",
        "-f",
        "csv",
        "-o",
        str(out),
        "--stage",
        "title-abstract",
        "--status",
        "undecided",
    )
    assert [r["record_id"] for r in csv.DictReader(out.open(encoding="utf-8-sig"))] == [ids[2]]


def test_export_status_without_stage_is_an_error(project: Project, tmp_path: Path):
    result = run(
        project, "export", "-f", "csv", "-o", str(tmp_path / "x.csv"), "--status", "included"
    )
    assert result.exit_code == 1
    assert (
        result.stderr == "Error: --status needs --stage (which stage's decisions to filter by).\n"
    )
    assert not (tmp_path / "x.csv").exists()


def test_guessed_legacy_encoding_says_how_to_redo(project: Project):
    result = run(project, "import", str(DATA / "latin1.ris"), "-s", "Old", "--json")
    assert result.exit_code == 0, result.output
    (report,) = json.loads(result.stdout)["files"]
    assert report["encoding"] == "cp1252"
    folder = report["stored_as"].rsplit("/", 1)[0]
    assert any(f"delete {folder}/ first" in w for w in report["warnings"])


def test_load_file_records_refuses_a_file_with_an_unparsable_record():
    from review.errors import InputError
    from review.importer import load_file_records

    with pytest.raises(InputError, match=r"broken_entry\.bib:3: record 2 cannot be parsed"):
        load_file_records(DATA / "broken_entry.bib")


def test_records_are_rebuilt_from_the_raw_copies_alone(project: Project):
    import shutil

    import_files(project, [DATA / "quirks.ris", DATA / "library.bib"], source="S")
    first = [(r.record_id, r.fields_dict()) for r in Project.open(project.root).records()]
    shutil.rmtree(project.cache_dir, ignore_errors=True)
    again = [(r.record_id, r.fields_dict()) for r in Project.open(project.root).records()]
    assert again == first and len(first) == 5
    # A raw copy edited by hand is detected, not silently re-read.
    entry = next(e for e in project.imports() if e.original_name == "quirks.ris")
    (project.root / entry.file).write_bytes(b"TY  - JOUR\nTI  - changed\nER  - \n")
    shutil.rmtree(project.cache_dir, ignore_errors=True)
    from review.errors import ProjectError

    with pytest.raises(ProjectError, match="the raw copy has changed since it was imported"):
        Project.open(project.root).records()


def test_xlsx_export_warns_about_cells_excel_cannot_hold(project: Project, tmp_path: Path):
    many = "".join(f"AU  - Surname{i:05d}, Given\n" for i in range(3000))
    src = tmp_path / "many.ris"
    src.write_text(f"TY  - JOUR\nTI  - Many authors\n{many}ER  - \n")
    import_files(project, [src], source="S")
    result = run(project, "export", "-f", "xlsx", "-o", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 0, result.output
    assert "have a field longer than Excel's 32,767-character cell limit" in result.stderr
    csv_out = tmp_path / "x.csv"
    assert run(project, "export", "-f", "csv", "-o", str(csv_out)).exit_code == 0
    from review.io.readers import read_file

    assert len(read_file(csv_out).entries[0].fields["authors"]) == 3000
