"""The library names next steps as data; only review/cli/ spells them (issue 24)."""

from __future__ import annotations

import re
from typing import Any

import typer
from typer.testing import CliRunner

from review.cli import app
from review.cli.commands import COMMANDS, command_line, command_text, error_text, render
from review.errors import InputError, ReviewError, ValidationError
from review.nextstep import Action, plain, step
from tests.helpers.paths import REPO_ROOT


def _library_modules() -> list[tuple[str, str]]:
    out = []
    for path in sorted((REPO_ROOT / "review").rglob("*.py")):
        rel = path.relative_to(REPO_ROOT).as_posix()
        if rel.startswith("review/cli/"):
            continue
        out.append((rel, path.read_text(encoding="utf-8")))
    return out


def test_no_command_text_and_no_rich_below_the_cli() -> None:
    spelled = [rel for rel, text in _library_modules() if "`review " in text]
    assert spelled == [], "library modules spelling a `review …` command"
    rich = [
        rel
        for rel, text in _library_modules()
        if re.search(r"^\s*(from|import) rich\b", text, re.MULTILINE)
    ]
    assert rich == [], "library modules importing Rich"


def _command(words: str) -> Any:
    cmd: Any = typer.main.get_command(app)
    ctx = typer.Context(cmd)
    for word in words.split():
        assert hasattr(cmd, "get_command"), words
        cmd = cmd.get_command(ctx, word)
        assert cmd is not None, f"no command {words!r}"
    return cmd


def test_every_action_is_a_real_command_with_the_options_the_table_writes() -> None:
    assert set(COMMANDS) == set(Action)
    for action, (words, params) in COMMANDS.items():
        cmd = _command(words)
        flags = {opt for p in cmd.params for opt in getattr(p, "opts", [])}
        for name, how in params:
            if how:
                assert how in flags, f"{action}: {words} has no {how} ({name})"


def test_a_step_is_spelled_in_the_tables_order_and_quoted_as_asked() -> None:
    s = step(Action.CHART_IMPORT, reviewer="NAME", file="FILE")
    assert command_line(s) == "review chart import FILE --reviewer NAME"
    assert command_text(s) == "`review chart import FILE --reviewer NAME`"
    bare = step(Action.IMPORT, quoted=False, source="Scopus", file=("a.ris", "b.ris"))
    assert command_text(bare) == "review import a.ris b.ris --source Scopus"
    assert command_text(step(Action.IMPORT, results=True)) == "`review import --results`"
    assert str(s) == "`chart_import reviewer=NAME file=FILE`"  # without a front end


def test_an_error_carries_its_next_step_and_the_cli_spells_it() -> None:
    exc = InputError(("no sheet: make one with ", step(Action.CHART_TEMPLATE), "."), file="x.xlsx")
    assert exc.next_steps == (step(Action.CHART_TEMPLATE),)
    assert str(exc) == "x.xlsx: no sheet: make one with `chart_template`."
    assert error_text(exc) == "x.xlsx: no sheet: make one with `review chart template`."
    plain_error = ReviewError("nothing to do")
    assert plain_error.next_steps == () and error_text(plain_error) == "nothing to do"
    many = ValidationError("2 problems:", ["row 2: bad", ("row 3: run ", step(Action.DEDUP))])
    assert many.problems == ["row 2: bad", "row 3: run `dedup`"]
    assert error_text(many) == "2 problems:\n  row 2: bad\n  row 3: run `review dedup`"
    assert render(("see ", step(Action.STATUS))) == plain(("see ", "`review status`"))


def test_the_cli_prints_an_error_with_its_command(project) -> None:
    result = CliRunner().invoke(app, ["chart", "summary", "-p", str(project.root)])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: no charting imported yet. Make the form with `review chart template -o "
        "FILE.xlsx`, fill it, then `review chart import FILE --reviewer NAME`.\n"
    )
