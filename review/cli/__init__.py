"""The ``review`` command: a thin Typer skin over the library (one module per stage)."""

from __future__ import annotations

import typer

from review.cli.common import ReviewGroup

app = typer.Typer(
    name="review",
    cls=ReviewGroup,
    help=(
        "Scoping and systematic reviews from plain files: import database exports, remove "
        "duplicates, screen in pairs, resolve disagreements, chart, and draw PRISMA 2020.\n\n"
        "Start with `review demo` (the whole pipeline on a worked example) or `review init DIR`."
    ),
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,  # plain Click help: fast, <placeholders> kept, \b blocks verbatim
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version_callback(value: bool) -> None:
    if value:
        from review import __version__

        typer.echo(f"review {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Show the version."
    ),
) -> None:
    """Scoping and systematic reviews from plain files."""


def _register() -> None:
    from review.cli import (
        chart_cmds,
        dedup_cmds,
        demo_cmds,
        import_cmds,
        prisma_cmds,
        project_cmds,
        rank_cmds,
        report_cmds,
        screen_cmds,
        team_cmds,
    )

    for module in (
        project_cmds,
        import_cmds,
        dedup_cmds,
        screen_cmds,
        team_cmds,
        rank_cmds,
        chart_cmds,
        prisma_cmds,
        report_cmds,
        demo_cmds,
    ):
        module.register(app)


_register()


def _print_help_directly(argv: list[str]) -> bool:
    """``review [COMMAND...] --help``: print that help page without parsing the other options.

    Typer builds every parameter's runtime converter (importing pydantic) while it parses a
    command line, even one that only asks for help; going straight to the help page keeps
    ``review import --help`` as fast as ``review --help``. Anything else (an option before
    ``--help``, an unknown command) goes through Typer as usual.
    """
    if not argv or argv[-1] not in ("--help", "-h") or any(a.startswith("-") for a in argv[:-1]):
        return False
    import typer.main

    command = typer.main.get_command(app)
    ctx = typer.Context(command, info_name="review", **(command.context_settings or {}))
    for name in argv[:-1]:
        get = getattr(command, "get_command", None)
        sub = get(ctx, name) if get is not None else None
        if sub is None:
            return False
        command = sub
        ctx = typer.Context(command, info_name=name, parent=ctx, **(command.context_settings or {}))
    typer.echo(command.get_help(ctx))
    return True


def main() -> None:
    import sys

    if _print_help_directly(sys.argv[1:]):
        return
    from review.gcpause import own_process

    own_process()  # a command run as its own process (not in a test runner or another program)
    app()
