"""Acceptance: the full-screen screener driven headless through Textual's pilot."""

from __future__ import annotations

import asyncio

from review.cli.ui.tui import ScreenerApp
from review.project import Project
from review.screen.session import ScreeningSession
from tests.helpers.screen import log_lines, make_record_project

TA = "title-abstract"


def _run(session: ScreeningSession, *keys: str) -> str:
    """Press keys in the app; return the text of the record header at the end."""

    async def go() -> str:
        app = ScreenerApp(session)
        async with app.run_test() as pilot:
            await pilot.pause()
            await pilot.press(*keys)
            await pilot.pause()
            if app.is_running:
                return str(app.screen.query_one("#meta").render())
            return ""

    return asyncio.run(go())


def test_press_i_e_2_u_q_then_resume(project: Project):
    make_record_project(project, 6)
    reason2 = project.protocol.stage(TA).exclusion_reasons[1].id
    s = ScreeningSession(project, TA, "Ana")
    queue = list(s.queue)
    _run(s, "i", "e", "2", "u", "q")
    s.close()
    lines = log_lines(project, "Ana")
    assert [(x["op"], x["record_id"], x.get("decision"), x.get("reason")) for x in lines] == [
        ("decide", queue[0], "include", ""),
        ("decide", queue[1], "exclude", ""),
        ("decide", queue[2], "exclude", reason2),
        ("retract", queue[2], None, None),
    ]
    assert all(x["reviewer"] == "Ana" and x["stage"] == TA for x in lines)
    # start again: same order, resumes at the undone record
    s2 = ScreeningSession(project, TA, "Ana")
    assert s2.queue == queue
    assert s2.item().cluster_id == queue[2]
    header = _run(s2)
    s2.close()
    assert f"Record 3 of 6  {queue[2]}" in header
    assert "study number" in header


def test_note_search_and_skip_in_the_app(project: Project):
    ids = make_record_project(project, 5)
    s = ScreeningSession(project, TA, "Ben")
    first = s.queue[0]
    # n opens a prompt: typed letters must not trigger decisions
    _run(s, "n", *"ie me", "enter", "i", "s")
    lines = log_lines(project, "Ben")
    assert [(x["record_id"], x["decision"], x["note"]) for x in lines] == [
        (first, "include", "ie me")
    ]
    assert s.item().cluster_id == s.queue[2]  # skipped the second record
    # search by number jumps to that record
    target = ids[3]
    number = ids.index(target) + 1
    _run(s, "slash", *f"number {number} ", "enter")
    assert s.item().cluster_id == target
    s.close()


def test_reason_picker_and_blind_display(project: Project):
    make_record_project(project, 3)
    # another reviewer's decision must never reach the screen
    other = ScreeningSession(project, TA, "Cleo")
    other.decide("exclude", "wrong-date", note="SECRET-NOTE")
    other.close()
    s = ScreeningSession(project, TA, "Ana")
    header = _run(s)
    assert "SECRET-NOTE" not in header and "Your decision" not in header
    reasons = project.protocol.stage(TA).exclusion_reasons
    _run(s, "0", "down", "down", "enter")
    s.close()
    assert log_lines(project, "Ana")[0]["reason"] == reasons[2].id
