"""Charting: schema validation, the Excel template, validated import, compare, summary outputs."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from review.chart import (
    final_charting,
    load_schema,
    parse_schema,
    status_summary,
)
from review.chart.template import fill_template
from review.cli import app
from review.cli.status_view import section_lines
from review.errors import ValidationError
from review.project import Project
from tests.helpers.paths import REPO_ROOT
from tests.test_chart_example import load_example

SCHEMA = REPO_ROOT / "extraction_schema.yaml"
EXAMPLE = REPO_ROOT / "scripts" / "example_charting.yaml"
runner = CliRunner()


@pytest.fixture(scope="module")
def example():
    return load_example(EXAMPLE)


@pytest.fixture
def chart_project(project, monkeypatch, example):
    """A project whose included reports are the example's 45 keys (screening monkeypatched)."""
    import review.screen

    shutil.copy(SCHEMA, project.schema_path)
    # one project id for every test: the template is made once and reused (see `filled`)
    text = project.protocol_path.read_text(encoding="utf-8")
    text = re.sub(r'project_id: "\w+"', 'project_id: "chart-tests"', text)
    project.protocol_path.write_text(text, encoding="utf-8")
    project = Project.open(project.root)
    keys = [r.key for r in example.reports]
    monkeypatch.setattr(review.screen, "included_reports", lambda p: list(keys))
    return project


def make_template(proj, tmp_path: Path, name: str = "form.xlsx", reviewer: str = "anat") -> Path:
    out = tmp_path / name
    res = run("template", "-o", str(out), "--reviewer", reviewer, "-p", str(proj.root), "-q")
    assert res.exit_code == 0, res.output
    return out


_TEMPLATE_CACHE: dict[str, bytes] = {}


def filled(
    proj, tmp_path: Path, example, name: str = "filled.xlsx", edit=None, reviewer: str = "anat"
) -> Path:
    """A template made by `review chart template` (made once, then copied), filled from the example."""
    tpl = tmp_path / ("tpl-" + name)
    if reviewer not in _TEMPLATE_CACHE:
        made = make_template(proj, tmp_path, "first-" + name, reviewer=reviewer)
        _TEMPLATE_CACHE[reviewer] = made.read_bytes()
    tpl.write_bytes(_TEMPLATE_CACHE[reviewer])
    values = {r.key: dict(r.values) for r in example.reports}
    programmes = {k: dict(v) for k, v in example.programmes.items()}
    if edit:
        edit(values, programmes)
    return fill_template(tpl, values, programmes, tmp_path / name)


def run(*args: str):
    """``review chart ARGS…``."""
    return runner.invoke(app, ["chart", *args])


# ---- schema ---------------------------------------------------------------------------------
def test_default_schema_is_valid_and_has_the_framework():
    schema = load_schema(SCHEMA)
    assert len(schema.field("setting").values) == 7
    assert len(schema.field("expected_outcomes").values) == 6
    assert len(schema.field("forms").values) == 4
    assert len(schema.field("one_on_one_functions").values) == 8
    assert len(schema.field("theoretical_framework").values) == 3
    assert schema.field("country").type == "country"
    assert schema.link_field is not None and schema.link_field.max_links == 2
    assert {f.level for f in schema.fields} == {"report", "programme"}


def test_schema_errors_name_the_field():
    bad = {
        "levels": [{"name": "site"}],
        "fields": [
            {"id": "a", "label": "A", "level": "report", "type": "singel_choice"},
            {"id": "a", "label": "B", "level": "report", "type": "text"},
            {"id": "c", "label": "C", "level": "study", "type": "multiple_choice"},
            {
                "id": "d",
                "label": "D",
                "level": "report",
                "type": "text",
                "required_when": {"field": "zz", "values": ["x"]},
            },
        ],
    }
    with pytest.raises(ValidationError) as err:
        parse_schema(bad, "schema.yaml")
    problems = err.value.problems
    assert (
        "field 'a': type 'singel_choice' is not one of: text, long_text, integer, number, date, "
        "single_choice, multiple_choice, yes_no, country, link (did you mean "
        "'single_choice'?)." in problems
    )
    assert "field 'a': duplicate id." in problems
    assert (
        "field 'c': level 'study' is not one of: report, site (declare a further level under "
        "`levels:`)." in problems
    )
    assert "field 'c': a multiple_choice field needs a non-empty `values` list." in problems
    assert "field 'd': required_when refers to unknown field 'zz'." in problems
    assert str(err.value).startswith("schema.yaml: the extraction schema has 5 problem(s)")


# ---- template -------------------------------------------------------------------------------
def test_template_structure(chart_project, tmp_path, example):
    from openpyxl import load_workbook

    out = make_template(chart_project, tmp_path)
    wb = load_workbook(out)
    assert wb.sheetnames == ["Reports", "Programmes", "Codebook", "Lists", "Meta"]
    assert wb["Lists"].sheet_state == "hidden" and wb["Meta"].sheet_state == "hidden"
    ws = wb["Reports"]
    heads = {c.value: c.column_letter for c in ws[1]}
    assert ws["A1"].value == "Record ID" and ws["B1"].value == "Citation"
    assert ws.max_row == 46  # header + 45 included reports
    assert ws.freeze_panes == "C2"
    assert wb["Programmes"].freeze_panes == "B2"
    # sheet protection without a password; only Record ID / Citation (and headers) locked
    assert ws.protection.sheet is True and not ws.protection.password
    assert ws["A2"].protection.locked and ws["B2"].protection.locked
    assert ws[f"{heads['Country']}2"].protection.locked is False
    assert ws[f"{heads['Research method']}46"].protection.locked is False
    # drop-downs on the right ranges
    dvs = {str(r): dv for dv in ws.data_validations.dataValidation for r in dv.sqref.ranges}
    col = heads["Research method"]
    dv = dvs[f"{col}2:{col}46"]
    assert dv.type == "list" and dv.formula1.startswith("Lists!$")
    lists = wb["Lists"]
    letter = dv.formula1.split("$")[1]
    assert [lists[f"{letter}{i}"].value for i in (2, 3, 4)] == [
        "Qualitative",
        "Quantitative",
        "Mixed methods",
    ]
    yes_no = heads["Perspective of participants: Parents receiving services"]
    assert dvs[f"{yes_no}2:{yes_no}46"].type == "list"
    link = heads["Programme 1"]
    assert dvs[f"{link}2:{link}46"].formula1 == "Programmes!$A$2:$A$301"
    size = heads["Sample size"]
    assert dvs[f"{size}2:{size}46"].type == "whole"
    # record ids prefilled, in citation order
    assert sorted(ws.cell(row=r, column=1).value for r in range(2, 47)) == sorted(
        r.key for r in example.reports
    )
    # codebook: one row per field + one per allowed value
    cb = wb["Codebook"]
    labels = [row[1] for row in cb.iter_rows(min_row=2, values_only=True) if row[1]]
    schema = load_schema(SCHEMA)
    assert labels == [f.label for f in schema.fields]
    setting_values = [
        row[7]
        for row in cb.iter_rows(min_row=2, values_only=True)
        if row[0] == "setting" and row[7]
    ]
    assert setting_values == list(schema.field("setting").choices)


def test_template_without_included_reports_fails(project, monkeypatch, tmp_path):
    import review.screen

    shutil.copy(SCHEMA, project.schema_path)
    monkeypatch.setattr(review.screen, "included_reports", lambda p: [])
    res = run("template", "-o", str(tmp_path / "x.xlsx"), "-p", str(project.root))
    assert res.exit_code == 1
    assert "no included reports yet" in res.stderr
    assert not (tmp_path / "x.xlsx").exists()


# ---- import ---------------------------------------------------------------------------------
def test_round_trip_template_fill_import_final(chart_project, tmp_path, example):
    wb = filled(chart_project, tmp_path, example)
    res = run("import", str(wb), "--reviewer", "anat", "-p", str(chart_project.root))
    assert res.exit_code == 0, res.output
    assert (
        "Imported anat's charting: 45 of 45 included reports charted, 24 programmes" in res.stdout
    )
    final = final_charting(chart_project)
    assert final is not None and final.reviewer == "anat"
    want = example.charting()
    assert final.reports == want.reports
    assert final.units == want.units
    assert final.report_units == want.report_units
    files = list((chart_project.data_dir / "charting" / "anat").glob("*.json"))
    assert len(files) == 1
    # importing the same workbook again changes nothing
    res = run("import", str(wb), "--reviewer", "anat", "-p", str(chart_project.root))
    assert res.exit_code == 0 and "nothing changed" in res.stdout
    assert len(list((chart_project.data_dir / "charting" / "anat").glob("*.json"))) == 1
    status = status_summary(chart_project)
    assert section_lines(status)[0] == "anat: 45 / 45 reports charted, 24 programmes"
    assert status.final == "anat"


def _cell_of(path: Path, sheet: str, header: str, key: str) -> str:
    from openpyxl import load_workbook

    ws = load_workbook(path)[sheet]
    col = next(c.column_letter for c in ws[1] if c.value == header)
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value == key)
    return f"{col}{row}"


def _set(path: Path, sheet: str, ref: str, value, formula: bool = False) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb[sheet][ref] = value  # openpyxl turns "=…" into a formula, as Excel does
    if not formula:
        wb[sheet][ref].data_type = "s"
    wb.save(path)


def test_import_rejects_bad_workbook_and_changes_nothing(chart_project, tmp_path, example):
    path = filled(chart_project, tmp_path, example)
    country = _cell_of(path, "Reports", "Country", "frame-2006")
    method = _cell_of(path, "Reports", "Research method", "haight-2015")
    size = _cell_of(path, "Reports", "Sample size", "lalayants-baier-2015")
    _set(path, "Reports", country, "Unted States")
    _set(path, "Reports", method, None)
    _set(path, "Reports", size, "=SUM(1,2)", formula=True)
    res = run("import", str(path), "--reviewer", "anat", "-p", str(chart_project.root))
    assert res.exit_code == 1
    lines = [ln.strip() for ln in res.stderr.splitlines()]
    assert (
        lines[0]
        == "Error: filled.xlsx: 3 problem(s); nothing was imported. Fix them and import again:"
    )
    assert (
        f"Reports!{country}: unknown country 'Unted States' for Country (did you mean 'United States'?)"
        in lines
    )
    assert f"Reports!{method}: a value is required for Research method" in lines
    assert f"Reports!{size}: formula '=SUM(1,2)' not allowed; type the value itself" in lines
    assert len(lines) == 4
    assert not (chart_project.data_dir / "charting").exists()
    assert final_charting(chart_project) is None


def test_import_wrong_category_suggests_and_unknown_programme(chart_project, tmp_path, example):
    def edit(values, programmes):
        values["frame-2006"]["research_method"] = "Qualitativ"
        values["haight-2015"]["programme"] = ["washington-parent-represent"]

    path = filled(chart_project, tmp_path, example, edit=edit)
    res = run("import", str(path), "--reviewer", "anat", "-p", str(chart_project.root))
    assert res.exit_code == 1
    method = _cell_of(path, "Reports", "Research method", "frame-2006")
    link = _cell_of(path, "Reports", "Programme 1", "haight-2015")
    assert (
        f"Reports!{method}: unknown value 'Qualitativ' for Research method (did you mean "
        "'Qualitative'?)" in res.stderr
    )
    assert (
        f"Reports!{link}: unknown programme 'washington-parent-represent' (did you mean "
        "'washington-parent-representation'?); add it to the Programmes sheet first" in res.stderr
    )


def test_import_rejects_edited_locked_columns_and_not_included(
    chart_project, tmp_path, example, monkeypatch
):
    import review.screen

    path = filled(chart_project, tmp_path, example)
    rid = _cell_of(path, "Reports", "Record ID", "frame-2006")
    _set(path, "Reports", rid, "frame-2007")
    cite = _cell_of(path, "Reports", "Citation", "castellano-2020")
    _set(path, "Reports", cite, "Castellano (2020) edited")
    # one report is no longer included (e.g. a screening decision was changed)
    keys = [r.key for r in example.reports if r.key != "haight-2015"]
    monkeypatch.setattr(review.screen, "included_reports", lambda p: list(keys))
    res = run("import", str(path), "--reviewer", "anat", "-p", str(chart_project.root))
    assert res.exit_code == 1
    assert (
        f"Reports!{rid}: Record ID 'frame-2007' is not one of this form's reports; the Record "
        "ID and Citation columns are locked: undo the edit" in res.stderr
    )
    hid = _cell_of(path, "Reports", "Record ID", "haight-2015")
    assert f"Reports!{hid}: record haight-2015 is not an included report" in res.stderr
    assert (
        f"Reports!{cite}: Citation of castellano-2020 was edited; the Record ID and Citation "
        "columns are locked: undo the edit" in res.stderr
    )


def test_sorted_rows_are_fine(chart_project, tmp_path, example):
    """Rows are matched by Record ID: sorting the sheet (after unprotecting it) is harmless."""
    from openpyxl import load_workbook

    path = filled(chart_project, tmp_path, example)
    wb = load_workbook(path)
    ws = wb["Reports"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    rows.reverse()
    for r, values in enumerate(rows, start=2):
        for c, v in enumerate(values, start=1):
            ws.cell(row=r, column=c).value = v
    wb.save(path)
    res = run("import", str(path), "--reviewer", "anat", "-p", str(chart_project.root))
    assert res.exit_code == 0, res.output
    assert final_charting(chart_project).reports == example.charting().reports


def test_blank_rows_are_not_charted_and_required_when(chart_project, tmp_path, example):
    def edit(values, programmes):
        del values["frame-2006"]  # not charted yet
        values["haight-2015"].pop("qualitative_data_collection")  # qualitative: required

    path = filled(chart_project, tmp_path, example, edit=edit)
    res = run("import", str(path), "--reviewer", "anat", "-p", str(chart_project.root))
    assert res.exit_code == 1
    ref = _cell_of(
        path, "Reports", "Qualitative data collection: Semi-structured interviews", "haight-2015"
    )
    assert (
        f"Reports!{ref}: tick at least one option of Qualitative data collection (because "
        "research_method is 'Qualitative')" in res.stderr
    )
    assert "frame-2006" not in res.stderr


def test_formula_looking_text_is_kept_as_text(chart_project, tmp_path, example):
    """Text typed as text (not a formula) that starts with = is data, and stays text in outputs."""
    from openpyxl import load_workbook

    def edit(values, programmes):
        programmes["kentucky-start"]["name"] = "=START (Kentucky)"

    path = filled(chart_project, tmp_path, example, edit=edit)
    assert (
        run("import", str(path), "--reviewer", "anat", "-p", str(chart_project.root)).exit_code == 0
    )
    assert final_charting(chart_project).units["kentucky-start"]["name"] == "=START (Kentucky)"
    res = run("summary", "-p", str(chart_project.root))
    assert res.exit_code == 0, res.output
    wb = load_workbook(chart_project.outputs_dir / "charting" / "summary.xlsx")
    ws = wb["Programme overview"]
    cells = [c for row in ws.iter_rows() for c in row if c.value == "=START (Kentucky)"]
    assert cells and all(c.data_type == "s" for c in cells)


# ---- compare, consensus, summary --------------------------------------------------------------
def test_compare_two_reviewers_then_consensus(chart_project, tmp_path, example):
    a = filled(chart_project, tmp_path, example, "a.xlsx")

    def edit(values, programmes):
        values["frame-2006"]["country"] = "Canada"
        programmes["ontario-pmao"]["theoretical_framework"] = ["Critical theories"]

    b = filled(chart_project, tmp_path, example, "b.xlsx", edit=edit, reviewer="marina")
    root = str(chart_project.root)
    assert run("import", str(a), "--reviewer", "anat", "-p", root).exit_code == 0
    assert run("import", str(b), "--reviewer", "marina", "-p", root).exit_code == 0
    assert final_charting(chart_project) is None  # two reviewers, no consensus yet
    res = run("summary", "-p", root)
    assert res.exit_code == 1 and "no consensus yet" in res.stderr
    res = run("compare", "-p", root)
    assert res.exit_code == 0, res.output
    assert "2 disagreement(s)" in res.stdout
    assert "Country: 44/45 agree (97.8%)" in res.stdout
    raw = (chart_project.outputs_dir / "charting" / "disagreements.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, like every CSV we write
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "level,id,citation_or_name,field,field_label,anat,marina"
    assert any(
        ln.startswith("report,frame-2006,") and ln.endswith(",country,Country,United States,Canada")
        for ln in lines
    )
    assert any("ontario-pmao" in ln and "theoretical_framework" in ln for ln in lines)
    assert (chart_project.outputs_dir / "charting" / "disagreements.xlsx").is_file()
    agreement = (chart_project.outputs_dir / "charting" / "agreement.csv").read_bytes()
    assert agreement.startswith(b"\xef\xbb\xbf")
    assert "\ncountry,Country,country,,2,45,44,97.8," in agreement.decode("utf-8-sig").replace(
        "\nreport,", "\n"
    )
    res = run("import", str(a), "--consensus", "-p", root)
    assert res.exit_code == 0
    final = final_charting(chart_project)
    assert final is not None and final.reviewer == "consensus"
    assert final.reports["frame-2006"]["country"] == "United States"


@pytest.mark.slow  # two summaries with figures (~3 s); tests/test_reproducible.py checks every output
def test_summary_outputs_are_deterministic(chart_project, tmp_path, example):
    from defusedxml import ElementTree

    path = filled(chart_project, tmp_path, example)
    root = str(chart_project.root)
    assert run("import", str(path), "--reviewer", "anat", "-p", root).exit_code == 0
    res = run("summary", "-p", root, "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["reports"] == 45 and data["programmes"] == 24
    assert data["frequencies"]["programme:forms"]["counts"] == {
        "One-on-one peer advocacy": 19,
        "Parent support groups": 7,
        "Activism and system-level advocacy": 5,
        "Brief educational group sessions": 2,
    }
    out = chart_project.outputs_dir / "charting"
    names = ["summary.xlsx", "summary.md", "gap-map.svg", "gap-map.png", "gap-map.csv"]
    first = {n: hashlib.sha256((out / n).read_bytes()).hexdigest() for n in names}
    # editable figures: labels are <text> (not outlines), PNG at 300 dpi, numbers in a CSV
    svg = ElementTree.parse(out / "gap-map.svg").getroot()
    texts = [t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert any(t.startswith("Child welfare and protection") for t in texts), texts[:5]
    assert "font-family: 'DejaVu Sans', 'Arial'" in (out / "gap-map.svg").read_text()
    from PIL import Image

    with Image.open(out / "gap-map.png") as img:
        assert [round(v) for v in img.info["dpi"]] == [300, 300]
    with open(out / "gap-map.csv", encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0][0] == "Setting \\ Outcomes found" and table[-1][0] == "Programmes (n)"
    assert table[1][0] == "Child welfare and protection programme" and table[-1][-1] == "24"
    md = (out / "summary.md").read_text()
    assert "Denominator: n = 24 programmes." in md
    assert "*Multi-valued: percentages sum to more than 100%.*" in md
    assert "| Child welfare and protection programme | 13 | 54.2 |" in md
    shutil.rmtree(out)
    assert run("summary", "-p", root).exit_code == 0
    again = {n: hashlib.sha256((out / n).read_bytes()).hexdigest() for n in names}
    assert again == first


def test_chart_help_is_fast_to_import():
    import subprocess
    import sys

    code = (
        "import sys, review.cli; "
        "print(sorted(m for m in ('openpyxl','pandas','matplotlib','rapidfuzz') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_disagreements_csv_is_excel_safe(chart_project, tmp_path, example):
    def edit_a(values, programmes):
        programmes["kentucky-start"]["paid_or_volunteer"] = '=HYPERLINK("http://x")'

    def edit_b(values, programmes):
        programmes["kentucky-start"]["paid_or_volunteer"] = "+paid staff"

    a = filled(chart_project, tmp_path, example, "a.xlsx", edit=edit_a)
    b = filled(chart_project, tmp_path, example, "b.xlsx", edit=edit_b, reviewer="marina")
    root = str(chart_project.root)
    assert run("import", str(a), "--reviewer", "anat", "-p", root).exit_code == 0
    assert run("import", str(b), "--reviewer", "marina", "-p", root).exit_code == 0
    assert run("compare", "-p", root).exit_code == 0
    text = (chart_project.outputs_dir / "charting" / "disagreements.csv").read_text("utf-8-sig")
    assert "'=HYPERLINK" in text and ",'+paid staff" in text
    from openpyxl import load_workbook

    ws = load_workbook(chart_project.outputs_dir / "charting" / "disagreements.xlsx").active
    cells = [c for row in ws.iter_rows() for c in row if str(c.value).startswith(("=", "+"))]
    assert len(cells) == 2 and all(c.data_type == "s" for c in cells)


def test_fill_template_with_explicit_schema(chart_project, tmp_path, example):
    from review.chart.importer import read_charting

    tpl = make_template(chart_project, tmp_path)
    schema = load_schema(SCHEMA)
    values = {r.key: r.values for r in example.reports}
    out = fill_template(tpl, values, example.programmes, tmp_path / "x.xlsx", schema=schema)
    got = read_charting(out, schema, {r.key for r in example.reports})
    assert got.report_units == example.charting().report_units
    with pytest.raises(KeyError):
        fill_template(tpl, {"no-such-record": {}}, {}, tmp_path / "y.xlsx", schema=schema)


def test_form_made_for_another_reviewer_is_refused(chart_project, tmp_path, example):
    path = filled(chart_project, tmp_path, example)  # the template was made --reviewer anat
    root = str(chart_project.root)
    res = run("import", str(path), "--reviewer", "marina", "-p", root)
    assert res.exit_code == 1
    assert "this form was made for 'anat'" in res.stderr
    assert "or pass --from-other-reviewer if 'marina' really filled it" in res.stderr
    assert not (chart_project.data_dir / "charting").exists()
    # a form from another project is refused too (its hidden Meta sheet has the project id)
    other = chart_project.protocol_path.read_text(encoding="utf-8")
    chart_project.protocol_path.write_text(
        other.replace('project_id: "chart-tests"', "project_id: other"), encoding="utf-8"
    )
    res = run("import", str(path), "--reviewer", "anat", "-p", root)
    assert res.exit_code == 1 and "this form was made in another project" in res.stderr
    chart_project.protocol_path.write_text(other, encoding="utf-8")
    res = run("import", str(path), "--reviewer", "marina", "--from-other-reviewer", "-p", root)
    assert res.exit_code == 0, res.output
    res = run("import", str(path), "--consensus", "-p", root)
    assert res.exit_code == 0
    assert res.stdout.startswith("Imported the consensus charting: 45 of 45")


# ---- failure matrix: one bad cell, one message --------------------------------------------------
BAD_CELLS = [
    pytest.param(
        "Reports", "Sample size", "frame-2006", "about 30",
        "'about 30' is not a whole number for Sample size", id="not-integer",
    ),
    pytest.param(
        "Reports", "Publication type", "frame-2006", "Journal article",
        "unknown value 'Journal article' for Publication type", id="unknown-choice",
    ),
    pytest.param(
        "Reports", "Perspective of participants: Community stakeholders", "frame-2006", "maybe",
        "'maybe' is not Yes or No for Perspective of participants: Community stakeholders",
        id="not-yes-no",
    ),
    pytest.param(
        "Programmes", "Setting: CP and mental health programme", "iowa-pp", "=1+1",
        "formula '=1+1' not allowed; type the value itself", id="formula-programmes",
    ),
    pytest.param(
        "Programmes", "Advocates co-facilitate support groups", "cwop-support-groups", None,
        "a value is required for Advocates co-facilitate support groups (because forms is",
        id="required-when-yes-no",
    ),
    pytest.param(
        "Programmes", "Programme ID", "kentucky-start", "iowa-pp",
        "Programme ID 'iowa-pp' also used in", id="duplicate-programme-id",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("sheet", "header", "key", "value", "message"), BAD_CELLS)
def test_one_bad_cell_one_message(
    chart_project, tmp_path, example, sheet, header, key, value, message
):
    path = filled(chart_project, tmp_path, example)
    ref = _cell_of(path, sheet, header, key)
    _set(path, sheet, ref, value, formula=isinstance(value, str) and value.startswith("="))
    res = run("import", str(path), "--reviewer", "anat", "-p", str(chart_project.root))
    assert res.exit_code == 1
    problems = [ln.strip() for ln in res.stderr.splitlines()[1:] if ln.strip()]
    assert problems[0].startswith(f"{sheet}!{ref}: {message}")
    if header == "Programme ID":
        # the reports of the renamed programme now link to an ID that no longer exists
        assert problems[1:] == [
            f"Reports!{_cell_of(path, 'Reports', 'Programme 1', 'huebner-2018')}: unknown "
            "programme 'kentucky-start'; add it to the Programmes sheet first"
        ]
    else:
        assert len(problems) == 1
    assert not (chart_project.data_dir / "charting").exists()


# ---- property: any charting summarises consistently --------------------------------------------
@st.composite
def random_charting(draw):
    from review.chart.model import Charting

    schema = load_schema(SCHEMA)
    n_prog = draw(st.integers(min_value=1, max_value=6))
    pids = [f"p{i}" for i in range(n_prog)]
    programmes = {}
    for pid in pids:
        row = {}
        for f in schema.unit_fields:
            if f.multi:
                row[f.id] = draw(st.lists(st.sampled_from(f.choices), unique=True, max_size=3))
            elif f.type == "yes_no":
                row[f.id] = draw(st.sampled_from(["Yes", "No", None]))
        programmes[pid] = {k: v for k, v in row.items() if v not in (None, [])}
    reports, links = {}, {}
    for i in range(draw(st.integers(min_value=0, max_value=12))):
        rid = f"r{i}"
        row = {}
        for f in schema.report_fields:
            if f.type == "single_choice":
                row[f.id] = draw(st.sampled_from([*f.choices, None]))
            elif f.multi:
                row[f.id] = draw(st.lists(st.sampled_from(f.choices), unique=True, max_size=3))
        links[rid] = draw(st.lists(st.sampled_from(pids), unique=True, min_size=1, max_size=2))
        reports[rid] = {k: v for k, v in row.items() if v not in (None, [])}
    return schema, Charting(reports=reports, units=programmes, report_units=links)


@pytest.mark.slow  # CI runs it (pytest -m slow); the default loop stays fast
@settings(max_examples=60, deadline=None)
@given(random_charting())
def test_summaries_add_up(case):
    from review.chart import summarise
    from review.percent import percent

    schema, charting = case
    summary = summarise(schema, charting)
    assert summary.n_units == len(charting.units)
    for t in summary.frequencies:
        unit_rows = charting.reports if t.level == "report" else charting.units
        assert t.denominator <= len(unit_rows)
        if t.multi:
            assert all(r.n <= t.denominator for r in t.rows)
        else:
            assert sum(r.n for r in t.rows) == t.denominator
            if t.denominator:  # each cell rounded on its own (review.percent)
                assert abs(sum(r.pct for r in t.rows) - 100) <= 0.05 * len(t.rows) + 1e-9
        assert all(r.pct == percent(r.n, t.denominator) for r in t.rows if t.denominator)
        if t.level != "report":
            assert all(r.reports is None or r.reports <= len(charting.reports) for r in t.rows)
    for ct in summary.crosstabs:
        freq = {r.value: r.n for r in summary.table(ct.row_field).rows}
        valued = len(ct.rows) - ct.blank_rows
        assert ct.row_totals[:valued] == tuple(freq.get(v, 0) for v in ct.rows[:valued])
        # every unit is in a row and a column ("Not reported" when blank): nothing dropped
        units = charting.reports if ct.level.name == "report" else charting.units
        assert ct.n == len(units)
        row_multi = schema.field(ct.row_field).multi
        col_multi = schema.field(ct.col_field).multi
        assert row_multi or sum(ct.row_totals) == ct.n
        assert col_multi or sum(ct.col_totals) == ct.n
        for i, row in enumerate(ct.counts):
            assert all(c <= ct.row_totals[i] for c in row)
            assert col_multi or sum(row) == ct.row_totals[i]
    assert sum(len(p) for p in summary.overview) > 0


def test_review_init_gives_a_generic_scoping_schema(project, monkeypatch, tmp_path):
    """A new project charts the JBI scoping-review items, not the worked example's framework;
    the whole template -> fill -> import -> summary path works with it."""
    import review.screen

    schema = load_schema(project.schema_path)
    assert schema.sha256 != load_schema(SCHEMA).sha256
    ids = {f.id for f in schema.fields}
    assert {"country", "aims", "population", "concept", "context", "methods", "key_findings"} <= ids
    assert not ids & {"forms", "theoretical_framework", "expected_outcomes", "programme"}
    assert {f.type for f in schema.fields} >= {"single_choice", "multiple_choice", "country"}
    assert section_lines(status_summary(project)) == [
        "No charting imported yet (charting starts after full-text screening).",
    ]
    monkeypatch.setattr(review.screen, "included_reports", lambda p: ["r1", "r2", "r3"])
    tpl = make_template(project, tmp_path, reviewer="")
    base = {"source_type": "Primary research", "country": "Canada", "aims": "To learn."}
    values = {
        "r1": {**base, "research_method": "Qualitative", "key_findings": "Found =1."},
        "r2": {**base, "research_method": "Mixed methods", "setting": ["Community", "Online"]},
        "r3": {"source_type": "Text and opinion", "country": "Kenya", "aims": "To argue."},
    }
    values["r2"]["key_findings"] = values["r3"]["key_findings"] = "Something."
    out = fill_template(tpl, values, {}, tmp_path / "filled.xlsx", schema=schema)
    root = str(project.root)
    assert run("import", str(out), "--reviewer", "anat", "-p", root).exit_code == 0
    res = run("summary", "-p", root, "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["reports"] == 3
    assert data["frequencies"]["report:country"]["counts"] == {"Canada": 2, "Kenya": 1}
    assert data["frequencies"]["report:research_method"]["denominator"] == 2  # primary only
    md = (project.outputs_dir / "charting" / "summary.md").read_text(encoding="utf-8")
    assert "linked to no programme" not in md
