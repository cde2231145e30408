"""Issue 20 §6 (labels): free labels on records, in the reviewer's log, never decisions."""

from __future__ import annotations

import asyncio
import csv

from openpyxl import load_workbook
from typer.testing import CliRunner

from review.cli import app
from review.cli.status_view import section_lines
from review.cli.ui.lineui import run_line
from review.project import Project
from review.screen import agreement, final_decisions, status_summary
from review.screen.session import ScreeningSession
from tests.helpers.screen import decide, log_lines, make_record_project

TA = "title-abstract"
runner = CliRunner()


def _line(project: Project, who: str, answers: list[str]) -> str:
    out: list[str] = []
    feed = iter(answers)

    def read(prompt: str) -> str | None:
        out.append(prompt)
        return next(feed, None)

    with ScreeningSession(project, TA, who, background=False, order="random") as s:
        run_line(s, read, out.append)
    return "\n".join(out)


def test_line_mode_labels_are_logged_shown_and_not_decisions(project):
    ids = make_record_project(project, 3)
    text = _line(project, "Ana", ["l background, ask author", "l", "background", "q"])
    assert "Labels: background, ask author" in text
    assert "Labels now background, ask author" in text
    lines = log_lines(project, "Ana")
    assert [(x["op"], x["label"], x["remove"]) for x in lines] == [
        ("label", "background", False),
        ("label", "ask author", False),
        ("label", "ask author", True),
    ]
    assert all(x["reviewer"] == "Ana" and x["stage"] == TA for x in lines)
    # never a decision: nothing screened, PRISMA and conflicts untouched
    assert all(
        fd.decision is None and fd.via == "pending" for fd in final_decisions(project, TA).values()
    )
    assert agreement(project, TA).screened_by_reviewer == {}
    text = _line(project, "Ana", ["q"])
    assert "Your labels: background" in text
    st = status_summary(project)
    assert "labels: background (1)" in section_lines(st)
    assert st.to_json()["labels"] == {"background": 1}
    assert len(ids) == 3


def test_tui_l_key_sets_labels(project):
    from review.cli.ui.tui import ScreenerApp

    make_record_project(project, 2)
    s = ScreeningSession(project, TA, "Ben", order="random")

    async def go() -> str:
        app_ = ScreenerApp(s)
        async with app_.run_test() as pilot:
            await pilot.pause()
            await pilot.press("l", *"check full text", "enter")
            await pilot.pause()
            return str(app_.screen.query_one("#meta").render())

    header = asyncio.run(go())
    s.close()
    assert "Your labels: check full text" in header
    assert [(x["op"], x["label"]) for x in log_lines(project, "Ben")] == [
        ("label", "check full text")
    ]


def test_labels_in_screen_export_import_and_review_export_filter(project, tmp_path):
    ids = make_record_project(project, 4)
    _line(project, "Ana", ["l ask author", "q"])
    first = next(x["record_id"] for x in log_lines(project, "Ana"))
    decide(project, "Ana", ids[3], "include")
    out = tmp_path / "ana.xlsx"
    r = runner.invoke(app, ["screen", "export", "--stage", TA, "--reviewer", "Ana", "-o", str(out),
                            "-p", str(project.root)])  # fmt: skip
    assert r.exit_code == 0, r.output
    rows = list(load_workbook(out)["Screening"].iter_rows(values_only=True))
    col = rows[0].index("labels")
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id[first][col] == "ask author"
    # edit the labels in the sheet: one changed, one added; decisions as they were
    sheet = tmp_path / "ana.csv"
    with open(sheet, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["record_id", "decision", "reason", "note", "labels"])
        w.writerow([first, "", "", "", "background"])
        w.writerow([ids[3], "include", "", "", "ask author, background"])
    r = runner.invoke(app, ["screen", "import", str(sheet), "--stage", TA, "--reviewer", "Ana",
                            "-p", str(project.root)])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "labels changed on 2 records" in r.output
    csv_out = tmp_path / "bg.csv"
    r = runner.invoke(app, ["export", "-f", "csv", "-o", str(csv_out), "--stage", TA,
                            "--label", "Background", "-p", str(project.root)])  # fmt: skip
    assert r.exit_code == 0, r.output
    with open(csv_out, encoding="utf-8-sig", newline="") as fh:
        got = list(csv.DictReader(fh))
    assert sorted(row["record_id"] for row in got) == sorted([first, ids[3]])
    assert {row["labels"] for row in got} == {"background", "ask author; background"}
    assert final_decisions(project, TA)[first].decision is None


def test_label_with_comma_or_too_long_is_refused(project):
    make_record_project(project, 1)
    text = _line(project, "Ana", ["l " + "x" * 61, "q"])
    assert "Error: A label has at most 60 characters" in text


def test_screen_label_filter_shows_only_your_labelled_records(project):
    ids = make_record_project(project, 5)
    _line(project, "Ana", ["l check full text", "s", "s", "l background", "q"])
    labelled = {x["record_id"]: x["label"] for x in log_lines(project, "Ana")}
    with ScreeningSession(project, TA, "Ana", order="random", label="Check Full Text") as s:
        assert s.queue == [r for r, lab in labelled.items() if lab == "check full text"]
    r = runner.invoke(app, ["screen", "--stage", TA, "--reviewer", "Ana", "--label", "nothing",
                            "--line", "-p", str(project.root)], input="q\n")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "none of your records at title-abstract carries the label 'nothing'" in r.output
    assert len(ids) == 5
