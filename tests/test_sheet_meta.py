"""Wrong-file imports and round trips (issue 11): exported sheets carry a hidden Meta sheet
(kind, project id, stage, reviewer); import refuses a mismatch unless told otherwise, and the
tool's own sheets import back as they are."""

from __future__ import annotations

from openpyxl import load_workbook
from typer.testing import CliRunner

from review.project import Project
from review.screen.logs import read_decisions
from tests.helpers.cli import run_in as _run
from tests.helpers.paths import DEDUP_FIXTURES as FIXTURES
from tests.helpers.screen import decide, make_record_project

TA = "title-abstract"
runner = CliRunner()


def _fill(path, decision: str = "include") -> None:
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    for row in ws.iter_rows(min_row=2):
        row[1].value = decision
    wb.save(path)


def test_screen_sheet_of_another_reviewer_is_refused(project: Project, tmp_path):
    make_record_project(project, 3)
    sheet = tmp_path / "ann.xlsx"
    assert _run(project, "screen", "export", "--stage", TA, "--reviewer", "ann", "-o",
                str(sheet), "-q").exit_code == 0  # fmt: skip
    _fill(sheet)
    res = _run(project, "screen", "import", str(sheet), "--stage", TA, "--reviewer", "bob")
    assert res.exit_code == 1
    assert "this sheet was exported for 'ann' (review screen export --reviewer ann), not 'bob'" in (
        res.stderr
    )
    assert "pass --from-other-reviewer" in res.stderr
    assert not (project.data_dir / "screening").exists()
    res = _run(project, "screen", "import", str(sheet), "--stage", TA, "--reviewer", "bob",
               "--from-other-reviewer")  # fmt: skip
    assert res.exit_code == 0, res.output
    from review.screen.cache import cluster_index

    assert list(read_decisions(project, TA, cluster_index(project))) == ["bob"]
    # the right name imports without any flag
    res = _run(project, "screen", "import", str(sheet), "--stage", TA, "--reviewer", "ann")
    assert res.exit_code == 0 and "Imported 3 decisions for ann" in res.stdout


def test_screen_sheet_of_another_stage_or_project_is_refused(project: Project, tmp_path):
    make_record_project(project, 2)
    sheet = tmp_path / "ann.xlsx"
    _run(project, "screen", "export", "--stage", TA, "--reviewer", "ann", "-o", str(sheet), "-q")
    _fill(sheet)
    res = _run(project, "screen", "import", str(sheet), "--stage", "full-text", "--reviewer", "ann")
    assert res.exit_code == 1
    assert "this sheet is for the title-abstract stage; import it with --stage title-abstract" in (
        res.stderr
    )
    other = Project.init(tmp_path / "other", title="Another review")
    make_record_project(other, 2)
    res = _run(other, "screen", "import", str(sheet), "--stage", TA, "--reviewer", "ann")
    assert res.exit_code == 1
    assert "this sheet was exported from another project (project id " in res.stderr
    assert project.project_id != other.project_id
    assert "project_id:" in project.protocol_path.read_text(encoding="utf-8")
    res = _run(project, "resolve", "import", str(sheet), "--stage", TA, "--resolver", "cleo")
    assert res.exit_code == 1
    assert "this is a screening sheet (made by `review screen export`), not a resolution" in (
        res.stderr
    )


def test_dedup_sheet_of_another_reviewer_is_refused(project: Project, tmp_path):
    from review.importer import import_files

    import_files(project, [FIXTURES / "pubmed.csv"], source="PubMed")
    import_files(project, [FIXTURES / "embase.csv"], source="Embase")
    project.invalidate()
    assert _run(project, "dedup", "--quiet").exit_code == 0
    sheet = tmp_path / "pairs.xlsx"
    res = _run(project, "dedup", "export", "-o", str(sheet), "--reviewer", "ann")
    assert res.exit_code == 0, res.output
    wb = load_workbook(sheet)
    assert wb["Meta"].sheet_state == "hidden" and wb.sheetnames[0] == "Pairs"
    for row in wb["Pairs"].iter_rows(min_row=2):
        row[2].value = "different"
    wb.save(sheet)
    res = _run(project, "dedup", "import", str(sheet), "--reviewer", "bob", "--quiet")
    assert res.exit_code == 1 and "exported for 'ann' (review dedup export" in res.stderr
    assert not (project.data_dir / "dedup").exists()
    res = _run(project, "dedup", "import", str(sheet), "--reviewer", "bob", "--quiet",
               "--from-other-reviewer")  # fmt: skip
    assert res.exit_code == 0, res.output


def test_resolve_import_takes_the_disagreements_sheet_as_written(project: Project):
    ids = make_record_project(project, 3)
    decide(project, "Ana", ids[0], "include")
    decide(project, "Ben", ids[0], "exclude", reason="wrong-date")
    decide(project, "Ana", ids[1], "include")
    decide(project, "Ben", ids[1], "maybe")
    assert _run(project, "disagreements", "--stage", TA, "-q").exit_code == 0
    xlsx = project.outputs_dir / "screening" / f"{TA}-disagreements.xlsx"
    wb = load_workbook(xlsx)
    ws = wb["Disagreements"]
    header = [c.value for c in ws[1]]
    col = {h: i for i, h in enumerate(header)}
    for row in ws.iter_rows(min_row=2):
        if row[0].value == ids[0]:
            row[col["resolution"]].value = "exclude"
            row[col["resolution reason"]].value = "wrong-date"
            row[col["rationale"]].value = "published 1990"
    wb.save(xlsx)
    res = _run(project, "resolve", "import", str(xlsx), "--stage", TA, "--resolver", "Cleo")
    assert res.exit_code == 0, res.output
    assert "Imported 1 resolutions at title-abstract (0 unchanged, 1 blank rows)." in res.stdout
    from review.screen import final_decisions

    fd = final_decisions(project, TA)[ids[0]]
    assert (fd.decision, fd.reason, fd.via) == ("exclude", "wrong-date", "resolution")
    # the CSV twin comes back too
    assert _run(project, "disagreements", "--stage", TA, "-q").exit_code == 0
    csv_path = project.outputs_dir / "screening" / f"{TA}-disagreements.csv"
    import csv

    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    for line in table[1:]:
        if line[0] == ids[1]:
            line[table[0].index("resolution")] = "include"
            line[table[0].index("rationale")] = "agreed"
    with open(csv_path, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(table)
    res = _run(project, "resolve", "import", str(csv_path), "--stage", TA, "--resolver", "Cleo")
    assert res.exit_code == 0, res.output
    assert final_decisions(project, TA)[ids[1]].decision == "include"
