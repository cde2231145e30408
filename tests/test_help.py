"""Help pages (Typer's plain help, rich_markup_mode=None): every command renders, keeps its text
and its example blocks, and fits the width."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from review.cli import app
from tests.helpers.cli import all_paths, command_at


@pytest.mark.parametrize("path", all_paths(), ids=lambda p: " ".join(p) or "review")
def test_help_renders_every_word_of_the_docstring(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "\x1b[" not in out  # no colour codes outside a terminal
    assert all(len(line) <= 80 for line in out.splitlines()), "a line is wider than the terminal"
    doc = command_at(path).help or ""
    words = set(re.findall(r"[<\[{]?[\w./-]+[>\]}]?", doc.replace("`", "")))
    # Click wraps after a hyphen ("drop-\ndown") and prints `code` spans as typed
    flat = " ".join(re.sub(r"(?<=\w-)\n\s+", "", out).replace("`", "").split())
    missing = sorted(w for w in words if w not in flat)
    assert missing == [], f"help lost {missing}"
    for placeholder in re.findall(r"<[\w-]+>", doc):
        assert placeholder in out


def test_example_lines_are_kept_as_written() -> None:
    out = CliRunner().invoke(app, ["import", "--help"], env={"COLUMNS": "100"}).output
    assert '      review import wos1.txt wos2.txt --source "Web of Science"\n' in out
    assert "      review import pubmed.nbib --source PubMed --platform NCBI \\\n" in out


@pytest.mark.parametrize("path", all_paths(), ids=lambda p: " ".join(p) or "review")
def test_every_command_uses_plain_help_and_shows_its_examples_verbatim(path) -> None:
    """No Rich help anywhere (Typer's Rich help imports markdown-it and pygments, and eats
    <placeholders>), and every Example block is a \\b block Click prints line by line."""
    command = command_at(path)
    assert getattr(command, "rich_markup_mode", None) is None, "add rich_markup_mode=None"
    doc = command.help or ""
    if "Example:" in doc:
        block = doc.split("Example:", 1)[1]
        assert block.lstrip(" \n").startswith("\b"), "start the example block with \\b"
        out = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "80"}).output
        for line in block.split("\b", 1)[1].strip("\n").splitlines():
            if line.strip():
                assert "  " + line.rstrip() in out.splitlines(), line  # 2 spaces: Click's indent


@pytest.mark.parametrize("path", all_paths(), ids=lambda p: " ".join(p) or "review")
def test_direct_help_is_the_same_page(path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    """``review … --help`` printed without Typer's parsing is the page Typer itself shows."""
    from review.cli import _print_help_directly

    monkeypatch.setenv("COLUMNS", "80")
    assert _print_help_directly([*path, "--help"])
    direct = capsys.readouterr().out
    with pytest.raises(SystemExit) as done:  # Typer's own parsing, in this process and terminal
        app([*path, "--help"], prog_name="review")
    assert done.value.code == 0
    assert direct == capsys.readouterr().out


@pytest.mark.parametrize("argv", [[], ["import"], ["--json", "--help"], ["nosuch", "--help"]])
def test_direct_help_leaves_everything_else_to_typer(argv: list[str]) -> None:
    from review.cli import _print_help_directly

    assert not _print_help_directly(argv)
