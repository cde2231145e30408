"""Issue 20 §1: finished means finished — confirmations, reopen lines, stage locks, `review reopen`."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from review.cli import app
from review.cli.commands import error_text
from review.cli.status_view import section_lines
from review.cli.ui.lineui import run_line
from review.errors import ReviewError, ValidationError
from review.nextstep import Action
from review.people import file_id
from review.project import Project
from review.screen import final_decisions
from review.screen.session import ScreeningSession
from tests.helpers.screen import decide, log_lines, make_record_project, resolve, set_protocol

TA, FT = "title-abstract", "full-text"


def _charted(project: Project, who: str, ids: list[str]) -> None:
    folder = project.data_dir / "charting" / file_id(who)
    folder.mkdir(parents=True, exist_ok=True)
    data = {"format": "review-charting/1", "reviewer": who, "reports": {r: {} for r in ids}}
    (folder / "20260101T000000Z-aaaaaaaa.json").write_text(json.dumps(data), encoding="utf-8")


def _finished_project(project: Project) -> tuple[Project, str]:
    """Two reviewers agreed include at TA and FT on the first record; both charted it."""
    project = set_protocol(project, reviewers=["Ana", "Ben", "Cleo"])
    ids = make_record_project(project, 4)
    rid = ids[0]
    for who in ("Ana", "Ben"):
        decide(project, who, rid, "include")
        decide(project, who, rid, "include", stage=FT)
        _charted(project, who, [rid])
    return project, rid


def _to(session: ScreeningSession, rid: str) -> None:
    assert session.search(rid) == rid


def _run_tui(session: ScreeningSession, *keys: str) -> tuple[str, str]:
    from review.cli.ui.tui import ScreenerApp

    async def go() -> tuple[str, str]:
        app_ = ScreenerApp(session)
        async with app_.run_test() as pilot:
            await pilot.pause()
            await pilot.press(*keys)
            await pilot.pause()
            screen = app_.screen
            texts = " ".join(str(w.render()) for w in screen.query("Static"))
            return type(screen).__name__, texts

    return asyncio.run(go())


def test_tui_exclude_on_agreed_charted_record_asks_and_names_the_charting(project):
    """(a) TA `review screen`, an agreed-include already-charted record, press exclude."""
    project, rid = _finished_project(project)
    s = ScreeningSession(project, TA, "Ana")
    _to(s, rid)
    name, text = _run_tui(s, "e")
    assert name == "ReopenScreen", text
    assert "agreed include by 2 reviewers" in text
    assert "charted by 2 reviewers" in text
    assert "reopens the conflict" in text
    # nothing written until confirmed
    assert [x["op"] for x in log_lines(project, "Ana")] == ["decide", "decide"]
    s.close()
    s = ScreeningSession(project, TA, "Ana")
    _to(s, rid)
    _run_tui(s, "e", *"wrong record", "enter")
    s.close()
    lines = log_lines(project, "Ana")
    assert [x["op"] for x in lines[-2:]] == ["reopen", "decide"]
    assert lines[-2]["reason"] == "wrong record"
    assert "charted by 2 reviewers" in lines[-2]["undoes"]
    assert final_decisions(project, TA)[rid].via == "conflict"


def test_escape_cancels_the_reopen(project):
    project, rid = _finished_project(project)
    s = ScreeningSession(project, TA, "Ana")
    _to(s, rid)
    _run_tui(s, "1", "escape")
    s.close()
    assert [x["op"] for x in log_lines(project, "Ana")] == ["decide", "decide"]
    assert final_decisions(project, TA)[rid].decision == "include"


def test_library_refuses_an_unconfirmed_reopen(project):
    project, rid = _finished_project(project)
    with ScreeningSession(project, TA, "Ana") as s:
        _to(s, rid)
        with pytest.raises(ReviewError, match="Confirm with a reason"):
            s.decide("exclude")
        # a change that keeps the final status needs nothing
        assert s.undo_of("include") is None


def _line(project: Project, stage: str, who: str, answers: list[str]) -> str:
    out: list[str] = []
    feed = iter(answers)
    with ScreeningSession(project, stage, who, background=False) as s:
        run_line(s, lambda _p: next(feed, None), out.append)
    return "\n".join(out)


def test_third_reviewer_not_retrieved_asks_before_reopening_full_text(project):
    """(b) the demo's case: a third roster member's not-retrieved key on a finished FT record."""
    project, rid = _finished_project(project)
    text = _line(project, FT, "Cleo", ["r", "", "q"])
    assert "Careful: this record is agreed include by 2 reviewers" in text
    assert "charted by 2 reviewers" in text
    assert "Not changed." in text
    assert not (project.data_dir / "screening" / "cleo.jsonl").exists()
    assert final_decisions(project, FT)[rid].decision == "include"
    # with a reason it is logged as a reopen, then decided
    _line(project, FT, "Cleo", ["r", "report withdrawn", "q"])
    ops = [(x["op"], x.get("reason")) for x in log_lines(project, "Cleo")]
    assert ops == [("reopen", "report withdrawn"), ("decide", "")]
    assert final_decisions(project, FT)[rid].via == "conflict"


def test_pending_records_need_no_confirmation(project):
    project = set_protocol(project, reviewers=["Ana", "Ben"])
    ids = make_record_project(project, 2)
    decide(project, "Ben", ids[0], "include")
    text = _line(project, TA, "Ana", ["e", "e", "q"])
    assert "Careful" not in text
    assert [x["op"] for x in log_lines(project, "Ana")] == ["decide", "decide"]


def test_undo_of_an_earlier_sessions_decision_on_a_finished_record_asks(project):
    project, _rid = _finished_project(project)
    text = _line(project, TA, "Ana", ["u", "", "q"])
    assert "Careful: this record is agreed include" in text and "Not changed." in text
    text = _line(project, TA, "Ana", ["i", "i", "u", "q"])  # undo of this session's key: no ask
    assert "Careful" not in text


def _sheet(tmp_path: Path, rows: list[tuple[str, str]]) -> Path:
    p = tmp_path / "sheet.csv"
    p.write_text(
        "record_id,decision,reason,note\n" + "".join(f"{r},{d},,\n" for r, d in rows),
        encoding="utf-8",
    )
    return p


def test_sheet_import_refuses_reopens_without_flag_and_lists_them(project, tmp_path):
    from review.screen.spreadsheet import import_sheet

    project, rid = _finished_project(project)
    ids = [r.record_id for r in project.records()]
    sheet = _sheet(tmp_path, [(rid, "exclude"), (ids[1], "include")])
    with pytest.raises(ValidationError) as err:
        import_sheet(project, sheet, TA, "Ana")
    text = str(err.value) + "\n".join(err.value.problems)
    assert "agreed include by 2 reviewers" in text and "--reopen" in text
    res = import_sheet(project, sheet, TA, "Ana", reopen="screened the wrong record")
    assert res.imported == 2
    lines = log_lines(project, "Ana")
    assert [x["op"] for x in lines[-3:]] == ["reopen", "decide", "decide"]
    assert lines[-3]["reason"] == "screened the wrong record"


def test_resolve_import_refuses_changing_a_resolution_without_reopen(project, tmp_path):
    from review.screen.resolve import import_resolutions

    project = set_protocol(project, reviewers=["Ana", "Ben"], resolvers=["Dana"])
    ids = make_record_project(project, 2)
    decide(project, "Ana", ids[0], "include")
    decide(project, "Ben", ids[0], "exclude")
    resolve(project, "Dana", ids[0], "include")
    sheet = tmp_path / "res.csv"
    sheet.write_text(f"record_id,decision,reason,rationale\n{ids[0]},exclude,,x\n", "utf-8")
    with pytest.raises(ValidationError) as err:
        import_resolutions(project, sheet, TA, "Dana")
    assert "resolved as include" in "\n".join(err.value.problems)
    res = import_resolutions(project, sheet, TA, "Dana", reopen="new information")
    assert res.imported == 1
    assert final_decisions(project, TA)[ids[0]].decision == "exclude"


def test_locked_stage_refuses_sheet_and_key_until_review_reopen(project, tmp_path):
    """(c) a locked stage refuses a sheet import and a screen key without `review reopen`."""
    from review.screen.spreadsheet import import_sheet

    project = set_protocol(project, reviewers=["Ana", "Ben"])
    ids = make_record_project(project, 3)
    project = set_protocol(project, title_abstract__locked=True)
    with pytest.raises(ValidationError) as err:
        import_sheet(project, _sheet(tmp_path, [(ids[1], "include")]), TA, "Ana")
    assert "review reopen" in error_text(err.value)
    text = _line(project, TA, "Ana", ["i", "q"])
    assert "Refused: the title-abstract stage is locked" in text
    assert not (project.data_dir / "screening" / "ana.jsonl").exists()
    # the screener started by the CLI spells the reopen step as the command to type
    r = CliRunner().invoke(
        app,
        ["screen", "--stage", TA, "--reviewer", "Ana", "--line", "-p", str(project.root)],
        input="i\nq\n",
    )
    assert "to change record" in r.output and "run `review reopen " in r.output, r.output
    r = CliRunner().invoke(
        app,
        ["reopen", ids[1], "--stage", TA, "--reason", "late correction", "--reviewer", "Ana",
         "--project", str(project.root)],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "reopened" in r.output
    res = import_sheet(project, _sheet(tmp_path, [(ids[1], "include")]), TA, "Ana")
    assert res.imported == 1
    first = log_lines(project, "Ana")[0]
    assert (first["op"], first["unlock"], first["reason"]) == ("reopen", True, "late correction")
    # the other records stay locked
    with pytest.raises(ValidationError):
        import_sheet(project, _sheet(tmp_path, [(ids[2], "include")]), TA, "Ana")
    from review.screen import status_summary

    lines = section_lines(status_summary(project))
    assert (
        "  locked (protocol): a change needs `review reopen RECORD --stage title-abstract`" in lines
    )
    assert any("with `review reopen`" in x and "late correction" in x for x in lines)


def test_status_lists_reopened_records(project):
    project, rid = _finished_project(project)
    _line(project, FT, "Cleo", ["r", "report withdrawn", "q"])
    from review.screen import status_summary

    st = status_summary(project)
    text = "\n".join(section_lines(st))
    assert f"{rid}" in text and "reopened" in text and "report withdrawn" in text


def test_report_lists_reopened_records_and_labels(project):
    from review.report import build_report

    project, _rid = _finished_project(project)
    _line(project, FT, "Cleo", ["l ask author", "r", "report <withdrawn>", "q"])
    html = build_report(project)
    assert "Reopened records" in html
    assert "report &lt;withdrawn&gt;" in html and "charted by 2 reviewers" in html
    assert ">ask author<" in html


@pytest.mark.slow  # runs `review demo` once per session (CI: pytest -m slow)
def test_demo_third_roster_member_not_retrieved_key_asks_first(demo_run, tmp_path):
    """(b) on the worked example: a third roster member's `r` on a finished, charted report."""
    import shutil

    import yaml

    root = tmp_path / "demo"
    shutil.copytree(demo_run.root, root)
    path = root / "protocols" / "protocol.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["reviewers"] = [*data["reviewers"], "dana"]
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    project = Project.open(root)
    included = [cid for cid, fd in final_decisions(project, FT).items() if fd.decision == "include"]
    rid = included[0]
    before = final_decisions(project, FT)[rid]
    text = _line(project, FT, "dana", [f"/ {rid}", "r", "", "q"])
    assert "Careful: this record is agreed include by 2 reviewers" in text
    assert "charted by" in text and "reopens the conflict" in text
    assert final_decisions(project, FT)[rid] == before


def test_screen_import_cli_reopen_flags(project, tmp_path):
    project, rid = _finished_project(project)
    sheet = str(_sheet(tmp_path, [(rid, "exclude")]))
    base = ["screen", "import", sheet, "--stage", TA, "--reviewer", "Ana", "-p", str(project.root)]
    r = CliRunner().invoke(app, base)
    assert r.exit_code == 1 and "--reopen" in r.stderr and "agreed include" in r.stderr
    r = CliRunner().invoke(app, [*base, "--reopen"])
    assert r.exit_code == 1 and '--reopen needs --reason "why"' in r.stderr
    r = CliRunner().invoke(app, [*base, "--reopen", "--reason", "mis-click"])
    assert r.exit_code == 0, r.output
    assert "Imported 1 decisions" in r.output
    assert log_lines(project, "Ana")[-2]["reason"] == "mis-click"


def test_locked_stage_refuses_a_resolution_and_reopen_needs_a_known_record(project):
    from review.screen.resolve import ResolutionLog

    project = set_protocol(project, reviewers=["Ana", "Ben"], resolvers=["Dana"])
    ids = make_record_project(project, 2)
    decide(project, "Ana", ids[0], "include")
    decide(project, "Ben", ids[0], "exclude")
    project = set_protocol(project, title_abstract__locked=True)
    with ResolutionLog(project, "Dana") as log, pytest.raises(ReviewError) as refused:
        log.resolve(ids[0], TA, "include")
    assert refused.value.next_steps[0].action is Action.REOPEN
    assert "run `review reopen " in error_text(refused.value)
    r = CliRunner().invoke(app, ["reopen", "nope", "--stage", TA, "--reason", "x",
                                 "--reviewer", "Dana", "-p", str(project.root)])  # fmt: skip
    assert r.exit_code == 1 and "Unknown record 'nope'" in r.stderr
    r = CliRunner().invoke(app, ["reopen", ids[0], "--stage", TA, "--reason", "new evidence",
                                 "--reviewer", "Dana", "-p", str(project.root)])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "data/resolutions/dana.jsonl" in r.output  # a resolver's reopen is in their own log
    with ResolutionLog(project, "Dana") as log:
        log.resolve(ids[0], TA, "include")
    assert final_decisions(project, TA)[ids[0]].decision == "include"
