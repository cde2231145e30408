"""The unit of analysis is the review's (issue 19 §3): a schema of reports only, or with a level
of its own ("site"/"sites"), runs through chart template/import/summary, prisma and report, and
every output speaks its words — never the worked example's "programme".

The project is built with the real writers (import, clusters.csv, screening logs) as in
tests/test_prisma_project.py; charting goes through the real workbook and importer.
"""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from review.chart.schema import parse_schema
from review.cli import app
from review.errors import ValidationError
from tests.helpers.cli import run_ok

runner = CliRunner()
TA, FT = "title-abstract", "full-text"
STUDIES = [f"Study {k}" for k in range(1, 7)]
INCLUDED = STUDIES[:4]

REPORT_FIELDS = [
    {"id": "country", "label": "Country", "level": "report", "type": "country"},
    {
        "id": "design",
        "label": "Design",
        "level": "report",
        "type": "single_choice",
        "values": ["Trial", "Survey", "Qualitative"],
    },
    {
        "id": "population",
        "label": "Population",
        "level": "report",
        "type": "multiple_choice",
        "values": ["Children", "Parents", "Staff"],
    },
]
REPORT_ONLY = {
    "version": 1,
    "title": "Report-level charting",
    "fields": REPORT_FIELDS,
    "summary": {
        "sample": ["country", "design"],
        "crosstabs": [["design", "population"]],
        "gap_map": {"rows": "design", "columns": "population"},
    },
}
SITES = {
    "version": 1,
    "title": "Charting by site",
    "levels": [{"name": "site", "singular": "site", "plural": "sites"}],
    "fields": [
        *REPORT_FIELDS,
        {"id": "site", "label": "Site", "level": "report", "type": "site_link", "max_links": 2},
        {"id": "name", "label": "Site name", "level": "site", "type": "text"},
        {
            "id": "sector",
            "label": "Sector",
            "level": "site",
            "type": "single_choice",
            "values": ["Health", "Education", "Welfare"],
        },
        {
            "id": "services",
            "label": "Services",
            "level": "site",
            "type": "multiple_choice",
            "values": ["Advice", "Groups", "Home visits"],
        },
    ],
    "summary": {
        "overview": ["name", "sector"],
        "sample": ["country", "design"],
        "crosstabs": [["sector", "services"], ["design", "population"]],
        "gap_map": {"rows": "sector", "columns": "services"},
    },
}
REPORT_VALUES = [
    {"country": "Germany", "design": "Trial", "population": ["Children", "Parents"]},
    {"country": "Poland", "design": "Survey", "population": ["Parents"]},
    {"country": "Germany", "design": "Qualitative", "population": ["Staff"]},
    {"country": "Poland", "design": "Trial", "population": ["Children"]},
]
SITE_ROWS = {
    "berlin": {"name": "Berlin family centre", "sector": "Welfare", "services": ["Advice"]},
    "krakow": {"name": "Krakow clinic", "sector": "Health", "services": ["Groups", "Advice"]},
    "hamburg": {"name": "Hamburg school", "sector": "Education", "services": ["Home visits"]},
}
SITE_LINKS = [["berlin"], ["krakow"], ["berlin", "hamburg"], ["krakow"]]


def _csv(path: Path, titles: list[str]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["title", "authors", "year"])
        for i, t in enumerate(titles, start=1):
            w.writerow([t, f"Author{i}, A.", 2000 + i])
    return path


def _decisions(ids: dict[str, str], reviewer: str) -> list[dict]:
    rows = []
    for title, rid in ids.items():
        keep = title in INCLUDED
        for stage in (TA, FT) if keep else (TA,):
            rows.append(
                {
                    "op": "decide",
                    "record_id": rid,
                    "stage": stage,
                    "decision": "include" if keep else "exclude",
                    "reason": "" if keep else "not-empirical",
                    "note": "",
                    "reviewer": reviewer,
                }
            )
    return rows


def _screened_project(project, tmp_path: Path, schema: dict) -> dict[str, str]:
    """Six records imported, four included at full text by both reviewers; the schema given."""
    from review.dedup.clusters import ClusterRow, clusters_path, write_clusters
    from review.importer import import_files

    src = tmp_path / "src"
    src.mkdir()
    import_files(project, [_csv(src / "db.csv", STUDIES)], source="MEDLINE", kind="database")
    project.invalidate()
    recs = project.records()
    rows = [
        ClusterRow(r.record_id, r.record_id, r.source, r.source_position, "", "unique", "main",
                   r.title)
        for r in recs
    ]  # fmt: skip
    write_clusters(clusters_path(project), rows)
    ids = {r.title: r.record_id for r in recs}
    for reviewer in ("anat", "marina"):
        path = project.data_dir / "screening" / f"{reviewer}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as fh:
            for i, row in enumerate(_decisions(ids, reviewer)):
                at = f"2026-01-01T00:00:{i:02d}.000000Z"
                fh.write(json.dumps({"at": at, "tool_version": "t", **row}) + "\n")
    project.schema_path.write_text(yaml.safe_dump(schema, sort_keys=False), encoding="utf-8")
    project.invalidate()
    return ids


def _run(project, *args: str) -> str:
    return run_ok(project, *args).output


def _chart(project, tmp_path: Path, ids: dict[str, str], units: bool) -> list[str]:
    """template → fill → import → summary → prisma → report; returns what the commands printed."""
    from review.chart import fill_template
    from review.chart.store import project_schema

    form = tmp_path / "form.xlsx"
    out = [_run(project, "chart", "template", "-o", str(form), "--reviewer", "anat")]
    values = {}
    for k, title in enumerate(INCLUDED):
        row = dict(REPORT_VALUES[k])
        if units:
            row["site"] = SITE_LINKS[k]
        values[ids[title]] = row
    filled = fill_template(
        form, values, SITE_ROWS if units else {}, tmp_path / "filled.xlsx", project_schema(project)
    )
    out.append(_run(project, "chart", "import", str(filled), "--reviewer", "anat"))
    out.append(_run(project, "chart", "summary"))
    out.append(_run(project, "chart", "summary", "--json"))
    out.append(_run(project, "prisma", "-q"))
    out.append(_run(project, "report"))
    out.append(runner.invoke(app, ["chart", "template", "--help"]).output)
    return out


def _texts(root: Path) -> dict[str, str]:
    """Every output file as text: text files as they are, workbooks' sheet names and cells."""
    from openpyxl import load_workbook

    got: dict[str, str] = {}
    for path in sorted((root / "outputs").rglob("*")):
        if path.suffix in (".md", ".csv", ".json", ".html", ".svg", ".mmd", ".txt"):
            got[str(path.relative_to(root))] = path.read_text(encoding="utf-8")
        elif path.suffix == ".xlsx":
            wb = load_workbook(path, read_only=True)
            cells = [
                str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v
            ]
            got[str(path.relative_to(root))] = "\n".join([*wb.sheetnames, *cells])
    for path in sorted((root / "data" / "charting").rglob("*.json")):
        got[str(path.relative_to(root))] = path.read_text(encoding="utf-8")
    return got


def _form_text(path: Path) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    cells = [str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value]
    with zipfile.ZipFile(path) as z:  # data validations (drop-down messages) live in the XML
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    return "\n".join([*wb.sheetnames, *cells, xml])


def test_a_report_level_review_never_says_programme(project, tmp_path):
    ids = _screened_project(project, tmp_path, REPORT_ONLY)
    printed = _chart(project, tmp_path, ids, units=False)
    texts = _texts(project.root)
    for name in (
        "outputs/charting/summary.md",
        "outputs/charting/gap-map.svg",
        "outputs/prisma/prisma.json",
        "outputs/prisma/methods.md",
        "outputs/report.html",
    ):
        assert name in texts, sorted(texts)
    texts["form"] = _form_text(tmp_path / "form.xlsx")
    texts["printed"] = "\n".join(printed)
    for name, text in texts.items():
        assert "programme" not in text.lower(), name
    # crosstab and gap map at report level, in the schema's words (reports)
    md = texts["outputs/charting/summary.md"]
    assert "4 reports; every field is counted over reports." in md
    assert "Number of reports." in md and "cells: number of reports" in md
    assert "Evidence-gap map: Design × Population (number of reports, n = 4)" in texts[
        "outputs/charting/gap-map.svg"
    ].replace("\n", " ")
    flow = json.loads(texts["outputs/prisma/prisma.json"])["flow"]
    assert {k for k in flow if k.endswith("_included")} == {
        "reports_included", "studies_included"
    }  # fmt: skip
    # equal counts, equal percentages; the denominator printed
    assert "| Germany | 2 | 50.0 |" in md and "| Poland | 2 | 50.0 |" in md
    assert "Denominator: n = 4 reports." in md


@pytest.mark.slow  # ~3 s; the report-level test beside it stays fast
def test_a_level_of_its_own_speaks_its_words(project, tmp_path):
    ids = _screened_project(project, tmp_path, SITES)
    printed = "\n".join(_chart(project, tmp_path, ids, units=True))
    texts = _texts(project.root)
    form = _form_text(tmp_path / "form.xlsx")
    for name, text in [*texts.items(), ("form", form), ("printed", printed)]:
        assert "programme" not in text.lower(), name
    assert "Sites" in form.split("\n")[:6] and "Site ID" in form  # sheet and ID column
    assert "Choose a Site ID from the Sites sheet" in form
    assert "4 of 4 included reports charted, 3 sites" in printed
    md = texts["outputs/charting/summary.md"]
    assert "4 reports describing 3 sites." in md
    assert "## Site overview" in md and "## Site-level fields" in md
    assert "Number of sites." in md and "Number of reports." in md  # crosstabs at both levels
    assert "(number of sites, n = 3)" in texts["outputs/charting/gap-map.svg"].replace("\n", " ")
    data = json.loads(texts["outputs/prisma/prisma.json"])
    assert data["flow"]["sites_included"] == 3
    assert data["flow"]["studies_included"] == 3
    assert "Studies (sites) included in review" in texts["outputs/prisma/prisma.svg"]
    assert "describing 3 distinct sites" in texts["outputs/prisma/methods.md"]
    html = texts["outputs/report.html"]
    assert "Site overview" in html and "Search sites…" in html
    assert "(n = 3 sites" in html  # a frequency table over sites
    stored = next(v for k, v in texts.items() if k.startswith("data/charting/"))
    assert '"sites"' in stored and '"report_sites"' in stored
    assert "sites" in json.loads(_run(project, "chart", "summary", "--json"))
    # a schema broken after charting: PRISMA says so instead of quietly counting reports
    project.schema_path.write_text("fields: [", encoding="utf-8")
    res = runner.invoke(app, ["prisma", "-q", "--project", str(project.root)])
    assert res.exit_code == 1 and "extraction_schema.yaml" in res.output, res.output


def test_levels_syntax_and_defaults():
    schema = parse_schema({**SITES, "levels": ["site"]})
    assert schema.unit is not None and (schema.unit.singular, schema.unit.plural) == (
        "site", "sites"
    )  # fmt: skip
    study = parse_schema(
        {"levels": [{"name": "study"}],
         "fields": [{"id": "n", "label": "N", "level": "study", "type": "integer"},
                    {"id": "s", "label": "S", "level": "report", "type": "link"}]}
    )  # fmt: skip
    assert study.unit is not None and study.unit.plural == "studies"
    assert study.unit.id_header == "Study ID" and study.link_field is not None
    legacy = parse_schema(  # no `levels:`: the level the fields name, in its own word
        {"fields": [{"id": "n", "label": "N", "level": "clinic", "type": "integer"},
                    {"id": "c", "label": "C", "level": "report", "type": "clinic_link"}]}
    )  # fmt: skip
    assert legacy.unit is not None and legacy.unit.plural == "clinics"
    assert parse_schema(REPORT_ONLY).unit is None


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"levels": ["site", "ward"]}, "at most one further level"),
        ({"levels": [{"name": "site", "plural": "Re/ports"}]}, "names the workbook's sheet"),
        ({"levels": [{"name": "Site"}]}, "name must be lower-case"),
        ({"levels": [{"name": "report", "plural": "papers"}]}, "words are PRISMA's"),
        ({"levels": [{"name": "site", "colour": "red"}]}, "unknown key(s) colour"),
    ],
)
def test_levels_errors_say_what_to_fix(change, problem):
    with pytest.raises(ValidationError) as err:
        parse_schema({**SITES, **change})
    assert any(problem in p for p in err.value.problems), err.value.problems


def test_crosstab_fields_must_share_a_level():
    bad = {**SITES, "summary": {"crosstabs": [["design", "sector"]]}}
    with pytest.raises(ValidationError) as err:
        parse_schema(bad)
    assert "fields 'design' and 'sector' must be at the same level" in str(err.value.problems)


def test_a_field_without_level_is_charted_per_report() -> None:
    """A reports-only schema need not repeat `level: report` on every field (QA: a new user's
    schema without levels was refused with "level '' is not one of: report")."""
    fields = [{k: v for k, v in f.items() if k != "level"} for f in REPORT_FIELDS]
    schema = parse_schema({"version": 1, "title": "t", "fields": fields})
    assert {f.level for f in schema.fields} == {"report"}
    assert schema.unit is None
