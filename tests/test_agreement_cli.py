"""`review disagreements`: the disagreement log (csv + xlsx) and the statistics as JSON."""

from __future__ import annotations

import csv
import json

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from review.cli import app
from review.screen import stats
from tests.helpers.screen import decide, make_clusters, make_record_project, resolve

TA = "title-abstract"
runner = CliRunner()


def test_disagreements_files_and_json(project):
    ids = make_record_project(project, 6)
    plan = [("include", "include"), ("exclude", "include"), ("maybe", "include"),
            ("exclude", "exclude"), ("include", "exclude"), ("exclude", "exclude")]  # fmt: skip
    for rid, (a, b) in zip(ids, plan, strict=True):
        decide(project, "Ana", rid, a, reason="wrong-date" if a == "exclude" else "",
               note="ana note" if a != b else "")  # fmt: skip
        decide(project, "Ben", rid, b)
    resolve(project, "Cleo", ids[1], "include", rationale="population fits")
    result = runner.invoke(app, ["disagreements", "--stage", TA, "--json", "-p",
                                 str(project.root)])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["stage"] == TA and data["reviewers"] == ["Ana", "Ben"]
    assert (data["records_screened_by_all"], data["agreements"], data["disagreements"]) == (6, 3, 3)
    # maybe vs include goes on without an arbiter (maybe_conflicts: false by default)
    assert data["unresolved"] == 1 and data["resolved"] == 1
    assert data["final_status"]["forwarded"] == 1
    # the statistics are those of the 3x3 table (rows Ana, columns Ben)
    table = [[1, 1, 0], [1, 2, 0], [1, 0, 0]]
    assert data["pairs"][0]["table"]["rows"] == table
    kappa, se = stats.cohen_kappa(table)
    assert data["cohen_kappa"] == pytest.approx(kappa)
    assert data["kappa_ci95"] == pytest.approx(stats.kappa_ci95(kappa, se))
    assert data["pabak"] == pytest.approx((3 * 0.5 - 1) / 2)
    alt = data["maybe_collapsed_to_include"]
    assert (alt["agreements"], alt["disagreements"]) == (4, 2)
    assert alt["pabak"] == pytest.approx(2 * (4 / 6) - 1)

    csv_path = project.outputs_dir / "screening" / f"{TA}-disagreements.csv"
    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["record_id"] for r in rows] == [ids[1], ids[2], ids[4]]
    first = rows[0]
    assert first["title"] == "db study number 2 of peer support"
    assert (first["Ana decision"], first["Ana reason"], first["Ana note"]) == (
        "exclude",
        "wrong-date",
        "ana note",
    )
    assert first["Ben decision"] == "include"
    assert (first["resolution"], first["rationale"], first["resolver"]) == (
        "include",
        "population fits",
        "Cleo",
    )
    assert rows[1]["resolution"] == ""
    wb = load_workbook(project.outputs_dir / "screening" / f"{TA}-disagreements.xlsx")
    assert [c.value for c in wb["Disagreements"]["A"]][1:] == [ids[1], ids[2], ids[4]]
    stat_rows = {r[0]: r[1:] for r in wb["Agreement"].iter_rows(values_only=True)}
    assert stat_rows["agreements"] == (3, 4)


def test_disagreements_text_output_three_reviewers(project):
    make_clusters(project, 4)
    for i, (a, b, c) in enumerate(
        [
            ("include",) * 3,
            ("exclude", "include", "include"),
            ("exclude",) * 3,
            ("maybe", "maybe", "exclude"),
        ],
        1,
    ):
        decide(project, "Ana", f"r{i}", a)
        decide(project, "Ben", f"r{i}", b)
        decide(project, "Cleo", f"r{i}", c)
    result = runner.invoke(app, ["disagreements", "--stage", TA, "-p", str(project.root), "-q"])
    assert result.exit_code == 0, result.output
    assert "title-abstract: 4 records, reviewers Ana, Ben, Cleo; 4 compared, 2 agreements, 2 " \
           "disagreements, 2 unresolved." in result.stdout  # fmt: skip
    assert "Ana × Ben" in result.stdout and "Ben × Cleo" in result.stdout
    data = json.loads(runner.invoke(app, ["disagreements", "--stage", TA, "--json", "-q", "-p",
                                          str(project.root)]).stdout)  # fmt: skip
    assert data["kappa_method"] == "Light's kappa (mean of pairwise Cohen's kappa)"
    assert data["kappa_ci95"] is None
    assert len(data["pairs"]) == 3


def test_disagreements_before_anyone_screened(project):
    make_clusters(project, 3)
    result = runner.invoke(app, ["disagreements", "--stage", TA, "--json", "-p",
                                 str(project.root)])  # fmt: skip
    data = json.loads(result.stdout)
    assert data["reviewers"] == [] and data["cohen_kappa"] is None
    assert data["percent_agreement"] is None


def test_status_shows_screening(project):
    make_clusters(project, 2)
    decide(project, "Ana", "r1", "include")
    decide(project, "Ben", "r1", "include")
    result = runner.invoke(app, ["status", "-p", str(project.root)])
    assert result.exit_code == 0, result.output
    assert "title-abstract: 2 records, 1 with a final decision, 0 open disagreements" in (
        result.stdout
    )
    assert "Ana: 1/2 screened (50.0%)" in result.stdout  # one percentage rule (review.percent)
