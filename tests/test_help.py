"""Help pages (review.cli.help): every command renders, keeps its text, and fits the width."""

from __future__ import annotations

import re

import pytest
import typer.main
from typer.core import TyperGroup
from typer.testing import CliRunner

from review.cli import app


def _all_paths() -> list[tuple[str, ...]]:
    root = typer.main.get_command(app)
    paths: list[tuple[str, ...]] = [()]

    def walk(group: TyperGroup, prefix: tuple[str, ...]) -> None:
        for name, command in group.commands.items():
            paths.append((*prefix, name))
            if isinstance(command, TyperGroup):
                walk(command, (*prefix, name))

    walk(root, ())
    return paths


def _command(path: tuple[str, ...]):
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]
    return command


@pytest.mark.parametrize("path", _all_paths(), ids=lambda p: " ".join(p) or "review")
def test_help_renders_every_word_of_the_docstring(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "\x1b[" not in out  # no colour codes outside a terminal
    assert all(len(line) <= 80 for line in out.splitlines()), "a line is wider than the terminal"
    doc = _command(path).help or ""
    words = set(re.findall(r"[<\[{]?[\w./-]+[>\]}]?", doc.replace("`", "")))
    flat = " ".join(out.split())
    missing = sorted(w for w in words if w not in flat)
    assert missing == [], f"help lost {missing}"
    for placeholder in re.findall(r"<[\w-]+>", doc):
        assert placeholder in out


def test_example_lines_are_kept_as_written() -> None:
    out = CliRunner().invoke(app, ["import", "--help"], env={"COLUMNS": "100"}).output
    assert '   review import wos1.txt wos2.txt --source "Web of Science"\n' in out


def test_colour_only_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    from review.cli.help import _use_colour

    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert _use_colour()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not _use_colour()


@pytest.mark.parametrize("path", _all_paths(), ids=lambda p: " ".join(p) or "review")
def test_direct_help_is_the_same_page(path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    """``review … --help`` printed without Typer's parsing is the page Typer itself shows."""
    from review.cli import _print_help_directly

    monkeypatch.setenv("COLUMNS", "80")
    assert _print_help_directly([*path, "--help"])
    direct = capsys.readouterr().out
    via_typer = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "80"}).output
    assert direct == via_typer


@pytest.mark.parametrize("argv", [[], ["import"], ["--json", "--help"], ["nosuch", "--help"]])
def test_direct_help_leaves_everything_else_to_typer(argv: list[str]) -> None:
    from review.cli import _print_help_directly

    assert not _print_help_directly(argv)
