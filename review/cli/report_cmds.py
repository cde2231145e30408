"""CLI commands ``review report`` (the offline HTML report) and ``review report checklist``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from review.cli.common import (
    JsonOpt,
    ProjectOpt,
    QuietOpt,
    for_subcommand,
    output_option,
    project_from,
)
from review.gcpause import gc_off_until_exit

if TYPE_CHECKING:
    from review.project import Project
    from review.report.checklist import Row

report_app = typer.Typer(name="report", no_args_is_help=False, rich_markup_mode=None)


@report_app.callback(invoke_without_command=True)
def report(
    ctx: typer.Context,
    output: Annotated[
        Path | None, output_option("The HTML file to write (default: outputs/report.html).")
    ] = None,
    open_it: Annotated[
        bool, typer.Option("--open", help="Open the report in your web browser afterwards.")
    ] = False,
    project: ProjectOpt = None,
    json_out: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Write one self-contained HTML page a co-author can open by double-click (no network).

    It shows the PRISMA 2020 flow diagram (click any count for the records behind it), the
    methods paragraph, duplicates and the overlap between sources, screening agreement (κ with
    95% CI, PABAK, AC1, α) with every disagreement and its resolution, the charting tables
    (sortable, searchable), frequencies, crosstabs, the evidence-gap map (hover a bubble for
    its reports, click it to filter the tables) and provenance (tool version, file hashes).
    Sections the project has not reached yet say what to run.

    Example:

    \b
        review report

        review report -o back-pain-report.html --open
    """
    gc_off_until_exit()  # a one-shot command: its objects go with the process
    if for_subcommand(ctx, project):
        return
    from rich.markup import escape

    from review.cli.commands import command_text
    from review.cli.common import err_console, open_project, print_json, progress
    from review.report import write_report

    proj = open_project(project)
    if output is not None:
        from review.cli.common import checked_output

        checked_output(proj, output)
    with progress("Report", quiet) as update:
        update(0, 1)
        path = write_report(proj, output, command_text)
        update(1, 1)
    size = path.stat().st_size
    if json_out:
        print_json({"path": str(path), "bytes": size})
    else:
        show_report(proj, path)
    if open_it:
        import webbrowser

        if not webbrowser.open(path.resolve().as_uri()):
            err_console().print(f"Could not start a browser; open {escape(str(path))} yourself.")


@report_app.command("checklist")
def checklist_cmd(
    ctx: typer.Context,
    output: Annotated[
        Path | None,
        output_option(
            "The workbook to write (.xlsx; a .md with the same name is written beside it). "
            "Default: outputs/report/prisma-scr.xlsx (scoping review) or prisma-2020.xlsx "
            "(systematic review)."
        ),
    ] = None,
    project: ProjectOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """The reporting checklist of the protocol's review_type, with where each item is addressed.

    Scoping reviews (review_type: scoping, the default) get PRISMA-ScR (Tricco et al. 2018; 20
    essential + 2 optional items); systematic reviews (review_type: systematic) get PRISMA 2020
    (Page et al. 2021; 27 items with their sub-items) with the PRISMA 2020 for Abstracts
    checklist as a second sheet and section. The "Where addressed" column is pre-filled for the
    items the project's own files answer (protocol, search dates and strategies, screening,
    charting form, flow diagram, charting tables), naming only files that exist; the rest, and
    the page numbers, are for the authors.

    Example:

    \b
        review report checklist

        review report checklist -o submission/prisma-checklist.xlsx
    """

    from review.cli.commands import command_text
    from review.cli.common import print_json
    from review.errors import ReviewError
    from review.report.checklist import checklist_for, checklist_rows, write_checklist

    proj = project_from(ctx, project)
    if output is not None:
        from review.cli.common import checked_output

        checked_output(proj, output)
        if output.suffix.lower() != ".xlsx":
            raise ReviewError(f"{output}: the checklist is an Excel workbook; name it *.xlsx.")
        checked_output(proj, output.with_suffix(".md"))
    xlsx, md = write_checklist(proj, output, command_text)
    checklist = checklist_for(proj)
    rows = checklist_rows(proj, checklist)
    if json_out:
        out: dict[str, Any] = {
            "xlsx": str(xlsx),
            "md": str(md),
            "checklist": checklist.name,
            "items": _items_json(rows),
        }
        for section in checklist.sections:
            out.setdefault("sections", []).append(
                {"checklist": section.name, "items": _items_json(checklist_rows(proj, section))}
            )
        print_json(out)
        return
    show_checklist(proj, xlsx, md, checklist, rows)


def show_report(proj: Project, path: Path) -> None:
    """What ``review report`` prints."""
    from rich.markup import escape

    from review.cli.common import out_console

    size = path.stat().st_size
    out_console().print(f"Wrote {escape(proj.rel(path))} ({size / 1024:,.0f} KB)")


def show_checklist(proj: Project, xlsx: Path, md: Path, checklist: Any, rows: list[Any]) -> None:
    """What ``review report checklist`` prints."""
    from rich.markup import escape

    from review.cli.common import out_console

    filled = [r.item.label for r in rows if r.where]
    console = out_console()
    console.print(f"Wrote {escape(proj.rel(xlsx))} and {escape(proj.rel(md))}")
    console.print(
        f"{len(filled)} of {len(rows)} {checklist.name} items point to the project's files "
        f"({', '.join(filled) or 'none'}); fill in the rest and the page numbers."
    )


def _items_json(rows: list[Row]) -> list[dict[str, Any]]:
    return [
        {
            "item": r.item.key,
            "topic": r.item.topic,
            "optional": r.item.optional,
            "where": r.where,
            "files": list(r.files),
        }
        for r in rows
    ]


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root app."""
    app.add_typer(report_app, name="report")
