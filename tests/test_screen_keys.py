"""One key table (issue 24) feeds the full-screen screener, the line mode and the help."""

from __future__ import annotations

import re

import pytest

from review.cli.ui.keys import COMMANDS, LINE, TEXTUAL_KEY, TUI, commands, legend, line_command
from review.cli.ui.lineui import help_text, run_line
from review.cli.ui.tui import ScreeningScreen
from review.screen.session import ScreeningSession
from tests.helpers.paths import SHARED_DIR
from tests.helpers.screen import make_record_project

TA, FT = "title-abstract", "full-text"
# what each key of ../shared/CLI.md ("Keys: `i` include, …") does
CONTRACT_ACTIONS = {"include": "decide", "exclude": "decide", "maybe": "decide",
                    "exclusion reason": "reason", "note": "note", "undo": "undo", "skip": "skip",
                    "search": "search", "quit": "quit"}  # fmt: skip


def test_the_keys_of_the_contract_are_in_the_table_for_both_screeners():
    cli_md = SHARED_DIR / "CLI.md"
    if not cli_md.exists():
        pytest.skip("../shared/CLI.md not available")
    text = " ".join(cli_md.read_text(encoding="utf-8").split())
    keys = text.split("Keys: ", 1)[1].split(". Blind", 1)[0]
    pairs = re.findall(r"`([^`]+)`(?:–`([^`]+)`)? ([a-z ]+?)(?: \([^)]*\))?(?:,|$)", keys)
    assert len(pairs) == 9, keys
    for key, _to, what in pairs:
        action = CONTRACT_ACTIONS[what.strip()]
        for front in (TUI, LINE):
            found = [c for c in commands(front, TA) if c.key == key]
            assert [c.action for c in found] == [action], (front, key)


def test_tui_bindings_are_the_table():
    got = [(b.key, b.action, b.description, b.show) for b in ScreeningScreen.BINDINGS]
    want = [(TEXTUAL_KEY.get(c.key, c.key), c.binding_action, c.title, c.footer)
            for c in COMMANDS if TUI in c.fronts]  # fmt: skip
    assert got == want
    assert [d for _k, _a, d, show in got if show] == [
        "Include", "Exclude", "Maybe", "Note", "Labels", "Undo", "Skip", "Search", "Quit"
    ]  # fmt: skip
    assert ("right_square_bracket", "match(True)") in [(k, a) for k, a, _d, _s in got]
    for c in commands(TUI):
        assert callable(getattr(ScreeningScreen, f"action_{c.action}")), c


def test_line_mode_help_and_dispatch_come_from_the_table(project):
    make_record_project(project, 3)
    s = ScreeningSession(project, TA, "Ana")
    n = len(s.cfg.exclusion_reasons)
    assert help_text(s).splitlines()[0] == (
        f"Commands: i include, e exclude, m maybe, 1-{n} exclude with reason, n TEXT note, "
        "l TEXT labels, u undo, s skip, / TEXT search, ? help, q quit."
    )
    assert line_command("r", TA, tuple(s.decisions)) is None  # not-retrieved: full text only
    assert line_command("r", FT, ("include", "not-retrieved")).args == ("not-retrieved",)
    assert line_command("12", TA, tuple(s.decisions)).action == "reason"
    assert line_command("f", TA, tuple(s.decisions)) is None  # a key of the full-screen app only
    out: list[str] = []
    answers = iter(["f", "q"])
    run_line(s, lambda _p: next(answers, None), out.append)
    s.close()
    assert any(x.startswith("Unknown command 'f'. Commands: i include") for x in out)


def test_full_text_legend_lists_the_pane_keys_after_a_semicolon():
    assert legend(LINE, FT, ("include", "exclude", "maybe", "not-retrieved"), 2) == (
        "i include, e exclude, m maybe, r not-retrieved, 1-2 exclude with reason, n TEXT note, "
        "l TEXT labels, u undo, s skip, / TEXT search, ? help, q quit; "
        "t next page of the full text (t N: page N), o open the file"
    )
    assert legend(TUI, TA, ("include", "exclude", "maybe"), 0) == (  # no reasons: no 1-9, no 0
        "i include, e exclude, m maybe, n note, l labels, u undo, s skip, / search, "
        "f find a record, q quit"
    )


def test_screen_help_lists_the_table_keys():
    from typer.testing import CliRunner

    from review.cli import app

    result = CliRunner().invoke(app, ["screen", "--help"], env={"COLUMNS": "400"})
    assert result.exit_code == 0
    assert f"Keys: {legend(TUI)} (the 1-9" in " ".join(result.output.split())
