"""`review screen export` / `review screen import`: spreadsheets for reviewers who prefer Excel."""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from review.cli import app
from review.project import Project
from review.screen.session import queue_order
from tests.helpers.screen import decide, log_lines, make_record_project

TA = "title-abstract"
runner = CliRunner()


def _export(project: Project, reviewer: str, out) -> None:
    result = runner.invoke(app, ["screen", "export", "--stage", TA, "--reviewer", reviewer,
                                 "-o", str(out), "-p", str(project.root), "-q"])  # fmt: skip
    assert result.exit_code == 0, result.output


def _import(project: Project, reviewer: str, path):
    return runner.invoke(app, ["screen", "import", str(path), "--stage", TA, "--reviewer",
                               reviewer, "-p", str(project.root)])  # fmt: skip


def test_export_lists_every_record_with_own_decisions_only(project: Project, tmp_path):
    ids = make_record_project(project, 4)
    decide(project, "Ana", ids[0], "exclude", reason="wrong-date", note="=too old")
    decide(project, "Ben", ids[1], "include", note="BEN-ONLY")
    out = tmp_path / "ana.xlsx"
    _export(project, "Ana", out)
    wb = load_workbook(out)
    ws = wb["Screening"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("record_id", "decision", "reason", "note", "title", "authors", "year",
                       "journal", "abstract", "labels")  # fmt: skip
    assert [r[0] for r in rows[1:]] == queue_order(ids, "Ana", TA)
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id[ids[0]][1:4] == ("exclude", "wrong-date", "=too old")  # text, not a formula
    assert by_id[ids[1]][1:4] == (None, None, None)  # Ben's decision is not shown (blind)
    assert "BEN-ONLY" not in str(rows)
    assert by_id[ids[2]][6] == 2003 and by_id[ids[2]][4] == "db study number 3 of peer support"
    validations = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert validations["B2:B5"] == "=Lists!$A$1:$A$3"
    assert validations["C2:C5"] == "=Lists!$B$1:$B$5"
    assert [c.value for c in wb["Lists"]["A"] if c.value] == ["include", "exclude", "maybe"]


def test_export_needs_xlsx_name(project: Project, tmp_path):
    make_record_project(project, 1)
    result = runner.invoke(app, ["screen", "export", "--stage", TA, "--reviewer", "Ana",
                                 "-o", str(tmp_path / "a.csv"), "-p", str(project.root)])  # fmt: skip
    assert result.exit_code == 1
    assert "the export is an Excel workbook: give a name ending in .xlsx." in result.stderr


def test_xlsx_round_trip_import(project: Project, tmp_path):
    ids = make_record_project(project, 4)
    decide(project, "Ana", ids[0], "include")
    out = tmp_path / "ana.xlsx"
    _export(project, "Ana", out)
    wb = load_workbook(out)
    ws = wb["Screening"]
    row_of = {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}
    ws.cell(row=row_of[ids[1]], column=2, value="Exclude")
    ws.cell(row=row_of[ids[1]], column=3, value="Outside the date range")  # a label
    ws.cell(row=row_of[ids[2]], column=2, value="exclude")
    ws.cell(row=row_of[ids[2]], column=3, value=2)  # a number
    ws.cell(row=row_of[ids[3]], column=2, value="maybe")
    ws.cell(row=row_of[ids[3]], column=4, value="check methods")
    wb.save(out)
    result = _import(project, "Ana", out)
    assert result.exit_code == 0, result.output
    assert "Imported 3 decisions for Ana at title-abstract (1 unchanged, 0 blank rows)." in (
        result.stdout
    )
    lines = log_lines(project, "Ana")
    got = {x["record_id"]: (x["decision"], x["reason"], x["note"]) for x in lines[1:]}
    assert got == {
        ids[1]: ("exclude", "wrong-date", ""),
        ids[2]: ("exclude", "wrong-intervention", ""),
        ids[3]: ("maybe", "", "check methods"),
    }
    # importing the same sheet again adds nothing
    again = _import(project, "Ana", out)
    assert "Imported 0 decisions for Ana at title-abstract (4 unchanged, 0 blank rows)." in (
        again.stdout
    )
    assert len(log_lines(project, "Ana")) == 4


def test_csv_import_all_or_nothing_with_every_problem(project: Project, tmp_path):
    ids = make_record_project(project, 4)
    path = tmp_path / "ana.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["record_id", "decision", "reason", "note"])
        w.writerow([ids[0], "include", "", ""])  # fine
        w.writerow(["nope-1", "include", "", ""])  # row 3
        w.writerow([ids[1], "perhaps", "", ""])  # row 4
        w.writerow([ids[2], "exclude", "bad reason", ""])  # row 5
        w.writerow(["", "", "", ""])  # blank row 6
        w.writerow([ids[0], "exclude", "", ""])  # row 7: duplicate
        w.writerow([ids[3], "include", "1", ""])  # row 8: reason with include
    result = _import(project, "Ana", path)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: ana.csv: 5 problem(s); nothing was imported. Fix them and import again:",
        "  ana.csv row 3: unknown record_id 'nope-1'",
        "  ana.csv row 4: decision 'perhaps' is not one of include, exclude, maybe",
        "  ana.csv row 5: unknown reason 'bad reason' (use an id, label or number: "
        "wrong-population, wrong-intervention, not-empirical, wrong-language, wrong-date)",
        f"  ana.csv row 7: record {ids[0]} already given in row 2",
        "  ana.csv row 8: reason '1' given, but only exclude takes one",
    ]
    assert not (project.data_dir / "screening" / "ana.jsonl").exists()


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("id,decision\n", "missing column(s) record_id in the header row (found: id, decision)."),
        ("record_id,verdict\n", "missing column(s) decision in the header row"),
    ],
)
def test_import_header_problems(project: Project, tmp_path, header, message):
    make_record_project(project, 1)
    path = tmp_path / "x.csv"
    path.write_text(header, encoding="utf-8")
    result = _import(project, "Ana", path)
    assert result.exit_code == 1
    assert message in result.stderr


def test_import_rejects_unknown_file_type(project: Project, tmp_path):
    make_record_project(project, 1)
    path = tmp_path / "x.ods"
    path.write_text("x", encoding="utf-8")
    result = _import(project, "Ana", path)
    assert result.exit_code == 1
    assert f"Error: {path}: use a .xlsx or .csv file." in result.stderr
