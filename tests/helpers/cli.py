"""The one way tests run ``review`` in-process, and the command tree for help tests."""

from __future__ import annotations

from typing import Any

import typer.main
from typer.core import TyperGroup
from typer.testing import CliRunner, Result

from review.cli import app
from review.project import Project


def run_in(project: Project, *args: str, input: str | None = None, **kw: Any) -> Result:
    """``review ARGS… --project <project>`` in this process (the exit code is the caller's)."""
    return CliRunner().invoke(app, [*args, "--project", str(project.root)], input=input, **kw)


def run_ok(project: Project, *args: str, **kw: Any) -> Result:
    """:func:`run_in`, asserting that the command succeeded."""
    result = run_in(project, *args, **kw)
    assert result.exit_code == 0, result.output
    return result


def all_paths() -> list[tuple[str, ...]]:
    """Every command of ``review`` as its path of names; ``()`` is ``review`` itself."""
    root = typer.main.get_command(app)
    paths: list[tuple[str, ...]] = [()]

    def walk(group: TyperGroup, prefix: tuple[str, ...]) -> None:
        for name, command in group.commands.items():
            paths.append((*prefix, name))
            if isinstance(command, TyperGroup):
                walk(command, (*prefix, name))

    walk(root, ())  # type: ignore[arg-type]
    return paths


def command_at(path: tuple[str, ...]) -> Any:
    """The Click command at ``path`` (see :func:`all_paths`)."""
    command: Any = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]
    return command
