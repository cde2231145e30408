"""Option help keeps its <placeholders> too (issue 11: Rich markup used to eat `<name>`)."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from review.cli import app
from tests.helpers.cli import all_paths, command_at

PATHS = [p for p in all_paths() if any(
    re.search(r"<[\w-]+>", getattr(o, "help", None) or "") for o in command_at(p).params
)]  # fmt: skip


def test_some_option_help_has_placeholders() -> None:
    assert (("dedup", "review") in PATHS) or any("dedup" in p for p in PATHS)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p))
def test_option_help_keeps_placeholders(path: tuple[str, ...]) -> None:
    out = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"}).output
    flat = " ".join(out.split())
    for option in command_at(path).params:
        for placeholder in re.findall(r"<[\w-]+>", getattr(option, "help", None) or ""):
            assert placeholder in flat, f"{' '.join(path)} {option.name}: lost {placeholder}"
