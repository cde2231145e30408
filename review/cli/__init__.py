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
    rich_markup_mode="markdown",
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
    )

    for module in (
        project_cmds,
        import_cmds,
        dedup_cmds,
        screen_cmds,
        rank_cmds,
        chart_cmds,
        prisma_cmds,
        report_cmds,
        demo_cmds,
    ):
        module.register(app)


_register()


def main() -> None:
    app()
