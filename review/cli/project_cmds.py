"""`review init` and `review status`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from review.cli.common import JsonOpt, ProjectOpt, open_project, out_console, print_json
from review.gcpause import gc_off_until_exit
from review.model import ReviewType


def init(
    directory: Annotated[
        Path, typer.Argument(metavar="DIRECTORY", help="Folder to create the project in.")
    ],
    title: Annotated[str | None, typer.Option("--title", help="Title of the review.")] = None,
    review_type: Annotated[
        ReviewType,
        typer.Option(
            "--type",
            help="scoping (PRISMA-ScR checklist) or systematic (PRISMA 2020); "
            "written to protocol.yaml as review_type.",
        ),
    ] = ReviewType.SCOPING,
) -> None:
    """Create a new review project: protocol, extraction schema, data/ and outputs/.

    Example:

    \b
        review init my-review --title "Exercise for chronic low back pain"
        review init my-sr --type systematic
    """
    from review.cli.commands import command_text
    from review.project import Project

    project = Project.init(directory, title=title, review_type=review_type, command=command_text)
    from rich.markup import escape

    console = out_console()
    console.print(f"Created review project in [bold]{escape(str(project.root))}[/bold]")
    console.print(
        "Next: edit protocols/protocol.yaml, then "
        "`review import FILE --source NAME` for each search export."
    )


def status(project: ProjectOpt = None, as_json: JsonOpt = False) -> None:
    """Where the review stands: records per source, duplicates, screening, charting.

    Example:

    \b
        review status
        review status --json | jq .screening
    """
    gc_off_until_exit()  # a one-shot command: its objects go with the process
    from review.cli.status_view import render_status, status_json
    from review.status import collect_status

    proj = open_project(project)
    summary = collect_status(proj)
    if as_json:
        print_json(status_json(summary))
    else:
        render_status(summary, out_console())


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("status")(status)
