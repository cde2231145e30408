"""Every command is documented, has an example, and `review --help` stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from review.cli import app

runner = CliRunner()


def _commands() -> list[tuple[str, ...]]:
    root = typer.main.get_command(app)
    found: list[tuple[str, ...]] = []

    def walk(cmd: object, path: tuple[str, ...]) -> None:
        subcommands = getattr(cmd, "commands", None)
        if isinstance(subcommands, dict):
            if path and getattr(cmd, "invoke_without_command", False):
                found.append(path)
            for name, sub in subcommands.items():
                walk(sub, (*path, name))
        else:
            found.append(path)

    walk(root, ())
    return found


@pytest.mark.parametrize("path", _commands(), ids=lambda p: " ".join(p))
def test_every_command_has_help_with_example(path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, f"`review {' '.join(path)} --help` shows no Example"


def test_contract_commands_exist() -> None:
    names = {" ".join(p) for p in _commands()}
    for expected in (
        "init",
        "status",
        "import",
        "export",
        "demo",
        "dedup",
        "dedup review",
        "dedup export",
        "dedup import",
        "screen",
        "screen export",
        "screen import",
        "disagreements",
        "resolve",
        "resolve import",
        "chart template",
        "chart import",
        "chart compare",
        "chart summary",
        "prisma",
        "prisma explain",
    ):
        assert expected in names, f"`review {expected}` is missing"


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys; from review.cli import app; from typer.testing import CliRunner;"
        "CliRunner().invoke(app, ['--help']);"
        "heavy = [m for m in ('pandas', 'openpyxl', 'matplotlib', 'textual', 'rapidfuzz',"
        " 'numpy', 'bibtexparser', 'rispy') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"`review --help` imports {out.stdout.strip()}"
