"""A blank value (not reported) is not dropped from crosstabs or the gap map: every row's cells
add up to the row total, the column totals to n (QA: a Study design × Continent crosstab with an
Experiment row of cells summing to 10 beside a total of 12, a gap map titled "n = 36" with 30
in its bubbles).

Crosstabs gain a "Not reported" row/column (or "Not applicable" where a field's required_when
does not hold); the gap map draws the values reported and says what it leaves out.
"""

from __future__ import annotations

import csv
from pathlib import Path
from xml.etree import ElementTree

from openpyxl import load_workbook

from review.chart.schema import parse_schema
from review.chart.summary import NOT_APPLICABLE, NOT_REPORTED, CrossTab, summarise
from tests.test_levels import _run, _screened_project

DESIGNS = ["Experiment", "Survey", "Case study"]
CONTINENTS = ["Europe", "Asia", "Africa"]
SCHEMA = {
    "version": 1,
    "title": "Report-level charting",
    "fields": [
        {"id": "design", "label": "Study design", "type": "single_choice", "values": DESIGNS},
        {"id": "continent", "label": "Continent", "type": "single_choice", "values": CONTINENTS},
        {
            "id": "population",
            "label": "Population",
            "type": "multiple_choice",
            "values": ["Children", "Parents"],
        },
    ],
    "summary": {
        "crosstabs": [["design", "continent"], ["design", "population"]],
        "gap_map": {"rows": "design", "columns": "continent"},
    },
}
# Study 1..4 (the included ones of tests/test_levels.py): one report without a design, two
# without a continent, one without a population
VALUES = [
    {"design": "Experiment", "continent": "Europe", "population": ["Children", "Parents"]},
    {"design": "Experiment", "population": ["Parents"]},
    {"continent": "Asia", "population": ["Children"]},
    {"design": "Survey"},
]


def _adds_up(ct: CrossTab, row_multi: bool = False, col_multi: bool = False) -> None:
    if not col_multi:
        for i, r in enumerate(ct.rows):
            assert sum(ct.counts[i]) == ct.row_totals[i], (r, ct.counts[i], ct.row_totals[i])
        assert sum(ct.row_totals) == ct.n or row_multi
    if not row_multi:
        for j, c in enumerate(ct.cols):
            assert sum(row[j] for row in ct.counts) == ct.col_totals[j], c
        assert sum(ct.col_totals) == ct.n or col_multi


def test_blank_values_are_a_not_reported_row_and_column():
    from review.chart.model import Charting

    schema = parse_schema(SCHEMA)
    charting = Charting(reports={f"r{k}": dict(v) for k, v in enumerate(VALUES)})
    summary = summarise(schema, charting)
    ct = summary.crosstabs[0]
    assert ct.rows == (*DESIGNS, NOT_REPORTED) and ct.cols == (*CONTINENTS, NOT_REPORTED)
    assert ct.counts == ((1, 0, 0, 1), (0, 0, 0, 1), (0, 0, 0, 0), (0, 1, 0, 0))
    assert ct.row_totals == (2, 1, 0, 1) and ct.col_totals == (1, 1, 0, 2) and ct.n == 4
    _adds_up(ct)
    # multi-valued columns: a report counts in each of its cells; blank is its own column
    pop = summary.crosstabs[1]
    assert pop.cols == ("Children", "Parents", NOT_REPORTED)
    assert pop.counts[-1] == (1, 0, 0) and pop.counts[1] == (0, 0, 1)
    _adds_up(pop, col_multi=True)
    # the gap map draws what is reported and says what it leaves out
    shown = summary.gap_map.shown()
    assert shown.rows == tuple(DESIGNS) and shown.cols == tuple(CONTINENTS)
    assert shown.counts == ((1, 0, 0), (0, 0, 0), (0, 0, 0)) and shown.n == 4
    assert shown.left_out == "3 reports with no Study design or no Continent"
    assert shown.n_left_out == 3
    # nothing blank: no empty "Not reported" row or column, nothing left out of the map
    full = summarise(schema, Charting(reports={"r0": dict(VALUES[0])}))
    assert NOT_REPORTED not in full.crosstabs[0].rows + full.crosstabs[0].cols
    assert full.gap_map.shown().left_out == "" and full.gap_map.shown().n_left_out == 0


def test_not_applicable_is_not_not_reported():
    """A field whose required_when does not hold is blank for a reason: "Not applicable"."""
    from review.chart.model import Charting

    schema = parse_schema(
        {
            **SCHEMA,
            "fields": [
                *SCHEMA["fields"][:1],
                {**SCHEMA["fields"][1], "required_when": {"field": "design", "values": ["Survey"]}},
            ],
            "summary": {"crosstabs": [["design", "continent"]]},
        }
    )
    reports = {"a": {"design": "Survey"}, "b": {"design": "Experiment"}, "c": {}}
    ct = summarise(schema, Charting(reports=reports)).crosstabs[0]
    assert ct.cols == (*CONTINENTS, NOT_REPORTED, NOT_APPLICABLE)
    assert ct.counts[0][-2:] == (0, 1) and ct.counts[1][-2:] == (1, 0)
    _adds_up(ct)


def _chart(project, tmp_path: Path, ids: dict[str, str]) -> None:
    from review.chart import fill_template
    from review.chart.store import project_schema

    form = tmp_path / "form.xlsx"
    _run(project, "chart", "template", "-o", str(form), "--reviewer", "anat")
    titles = [f"Study {k}" for k in range(1, 5)]
    values = {ids[t]: dict(VALUES[k]) for k, t in enumerate(titles)}
    filled = fill_template(form, values, {}, tmp_path / "filled.xlsx", project_schema(project))
    _run(project, "chart", "import", str(filled), "--reviewer", "anat")
    _run(project, "chart", "summary")
    _run(project, "report")


def test_every_output_adds_up(project, tmp_path):
    ids = _screened_project(project, tmp_path, SCHEMA)
    _chart(project, tmp_path, ids)
    out = project.outputs_dir / "charting"
    md = (out / "summary.md").read_text(encoding="utf-8")
    assert (
        "| Study design \\\\ Continent | Europe | Asia | Africa | Not reported | Reports (n) |"
        in md
    )
    assert "| Experiment | 1 | 0 | 0 | 1 | 2 |" in md
    assert "| Not reported | 0 | 1 | 0 | 0 | 1 |" in md
    assert "| Reports (n) | 1 | 1 | 0 | 2 | 4 |" in md
    assert "3 reports with no Study design or no Continent are not shown in the map" in md
    wb = load_workbook(out / "summary.xlsx", read_only=True)
    sheet = [list(r) for r in wb["Crosstabs"].iter_rows(values_only=True)]
    assert ["Experiment", 1, 0, 0, 1, 2] in [r[:6] for r in sheet]
    gap = [list(r) for r in wb["Gap map"].iter_rows(values_only=True)]
    assert gap[-1][:6] == ["Reports (n)", 1, 1, 0, 2, 4]
    with open(out / "gap-map.csv", encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[-1] == ["Reports (n)", "1", "1", "0", "2", "4"]
    svg = ElementTree.parse(out / "gap-map.svg").getroot()  # a title may wrap: join its lines
    texts = " ".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    assert "(number of reports, n = 4; 3 reports with no Study design or no Continent " in texts
    assert "Continent not shown)" in texts
    html = (project.outputs_dir / "report.html").read_text(encoding="utf-8")
    assert "n = 4; 3 reports with no Study design or no Continent not shown" in html
    assert '<th scope="row" class="blank">Not reported</th>' in html
    assert '<th class="num blank">Not reported</th>' in html
