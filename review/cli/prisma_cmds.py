"""CLI commands for the PRISMA stage: ``review prisma`` and ``review prisma explain KEY``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from review.cli.common import (
    JsonOpt,
    ProjectOpt,
    QuietOpt,
    err_console,
    for_subcommand,
    open_project,
    out_console,
    print_json,
    progress,
    project_from,
)
from review.gcpause import gc_off_until_exit
from review.model import Branches

if TYPE_CHECKING:
    from review.prisma import PrismaBuild
    from review.prisma.facts import OpenCounts
    from review.project import Project


prisma_app = typer.Typer(name="prisma", no_args_is_help=False, rich_markup_mode=None)


@prisma_app.callback(invoke_without_command=True)
def prisma(
    ctx: typer.Context,
    project: ProjectOpt = None,
    json_out: JsonOpt = False,
    title: Annotated[
        str, typer.Option("--title", help="A title above the diagram.", show_default=False)
    ] = "",
    font: Annotated[
        str,
        typer.Option("--font", help="Font family name, or the path of a .ttf/.otf file."),
    ] = "DejaVu Sans",
    fontsize: Annotated[
        float,
        typer.Option(
            "--font-size", metavar="<points>", min=5.0, max=16.0, help="Text size in points."
        ),
    ] = 8.0,
    branches: Annotated[
        Branches,
        typer.Option(
            "--branches",
            help="Columns to draw: auto (other methods when there are such records), "
            "databases, or both.",
        ),
    ] = Branches.AUTO,
    label: Annotated[
        list[str] | None,
        typer.Option(
            "--label",
            metavar="<key=text>",
            help="Replace a box text: KEY=TEXT (repeatable), e.g. "
            "records_screened='Titles and abstracts screened'. See docs/prisma.md for keys.",
            show_default=False,
        ),
    ] = None,
    quiet: QuietOpt = False,
) -> None:
    """Derive every PRISMA 2020 count from the logs, check that they add up, and draw the flow.

    Writes outputs/prisma/prisma.json, prisma.csv (PRISMA2020 R package template), prisma.svg,
    prisma.png (300 dpi), prisma.pdf, prisma.mmd (Mermaid) and methods.md. Counts are marked
    provisional while records are still undecided.

    Example:

    \b
        review prisma --title "Exercise for low back pain: PRISMA 2020 flow"
        review prisma --json \\
            --label records_screened="Titles and abstracts screened"
    """
    gc_off_until_exit()  # a one-shot command: its objects go with the process
    if for_subcommand(ctx, project):
        return
    from review.cli.commands import command_text
    from review.prisma import build_prisma, write_prisma
    from review.prisma.content import DiagramOptions, parse_labels

    proj = open_project(project)
    options = DiagramOptions(
        title=title,
        font=font,
        fontsize=fontsize,
        branches=branches,
        labels=parse_labels(label or []),
    )
    with progress("PRISMA 2020", quiet) as update:
        build = build_prisma(proj, options, progress=update, command=command_text)
    paths = write_prisma(proj, build)
    if json_out:
        _provisional(build)
        print_json(build.as_json())
        return
    show_prisma(proj, build, paths)


def show_prisma(proj: Project, build: PrismaBuild, paths: list[Path]) -> None:
    """What ``review prisma`` prints: the provisional note (stderr), the counts, the files."""
    _provisional(build)
    _print_counts(proj, build, paths)


def _provisional(build: PrismaBuild) -> None:
    if build.flow.provisional:
        err_console().print(f"[yellow]Provisional:[/yellow] {_open_text(build.flow.counts.open)}.")


def _print_counts(proj: Project, build: PrismaBuild, paths: list[Path]) -> None:
    from rich.markup import escape

    out = out_console()
    flow, p = build.flow.counts, build.flow.prisma2020

    def v(key: str, value: int | None = None) -> str:
        """A count, with "so far" (or "pending" for a 0) while a stage before it is open."""
        value = p[key] if value is None else value
        if flow.is_final(key):
            return f"{value:,}"
        return f"{value:,} so far" if value else "pending"

    assessed = p["dbr_assessed"] + p["other_assessed"]
    out.print(
        f"Identified {flow.identified_total:,} records; duplicates removed "
        f"{v('duplicates')}; screened {v('records_screened')}; excluded "
        f"{v('records_excluded')}; full text assessed {v('total_reports', assessed)}"
        f"; reports included {v('total_reports')}; studies {v('total_studies')}."
    )
    for path in paths:
        out.print(f"  wrote {escape(proj.rel(path))}")


@prisma_app.command("explain")
def explain_cmd(
    ctx: typer.Context,
    key: Annotated[
        str,
        typer.Argument(
            metavar="KEY",
            help="A count: a prisma.json key (records_screened, dbr_excluded, …), "
            "records_excluded_by_reason.<reason-id>, identified.<source> or open.title_abstract.",
            show_default=False,
        ),
    ],
    project: ProjectOpt = None,
    json_out: JsonOpt = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Also write the rows to this CSV file.", dir_okay=False
        ),
    ] = None,
) -> None:
    """List the records behind one PRISMA count, with why each is counted there.

    Exactly as many rows as the count in prisma.json.

    Example:

    \b
        review prisma explain records_excluded_by_reason.not-empirical

        review prisma explain duplicates_manual -o manual-duplicates.csv
    """
    from review.prisma import explain_project
    from review.prisma.flow import explain_count

    proj = project_from(ctx, project)
    if output is not None:
        from review.cli.common import checked_output

        checked_output(proj, output)
    flow, rows = explain_project(proj, key)
    if output is not None:
        _write_csv(output, rows)
    count = explain_count(flow, key)
    if json_out:
        print_json(
            {
                "key": key,
                "count": count if count is not None else len(rows),
                "provisional": flow.provisional,
                "records": [
                    {"record_id": r.record_id, "source": r.source, "title": r.title, "why": r.why}
                    for r in rows
                ],
            }
        )
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(f"{key}: {len(rows):,}"), show_lines=False, expand=False)
    for col in ("record_id", "source", "title", "why"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(escape(r.record_id), escape(r.source), escape(r.title), escape(r.why))
    out_console().print(table)
    if flow.provisional:
        err_console().print(
            f"[yellow]Provisional:[/yellow] {_open_text(flow.counts.open)} "
            "(see `review prisma explain open.title_abstract`)."
        )
    if output is not None:
        err_console().print(f"Wrote {len(rows):,} rows to {escape(str(output))}")


def _n(value: int, noun: str) -> str:
    return f"{value:,} {noun}{'' if value == 1 else 's'}"


def _open_text(o: OpenCounts) -> str:
    parts = (  # only what is still open (no "0 records undecided at title/abstract")
        (o.title_abstract, f"{_n(o.title_abstract, 'record')} undecided at title/abstract"),
        (o.full_text, f"{_n(o.full_text, 'report')} at full text"),
        (o.dedup_pairs, f"{_n(o.dedup_pairs, 'record')} in possible-duplicate pairs"),
    )
    return ", ".join(text for n, text in parts if n)


def _write_csv(path: Path, rows: list[Any]) -> None:
    from review.io.files import atomic_write_text
    from review.io.xlsx import csv_text

    table = [("record_id", "source", "title", "why")]
    table += [(r.record_id, r.source, r.title, r.why) for r in rows]
    atomic_write_text(path, csv_text(table))


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root app."""
    app.add_typer(prisma_app, name="prisma")
