"""CLI commands for the import stage: ``review import`` and ``review export``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from review.cli.common import JsonOpt, ProjectOpt, QuietOpt, open_project, print_json, progress
from review.model import ExportFormat, ExportStatus, ImportFormat, Kind, Stage

if TYPE_CHECKING:
    from review.project import Project
    from review.search import Search


def _tty() -> bool:
    """Progress bars only on a terminal (Rich leaves a blank line on pipes and in tests)."""
    import sys

    return sys.stderr.isatty()


def _parse_maps(maps: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in maps or []:
        col, sep, fld = item.rpartition("=")
        if not sep or not col.strip() or not fld.strip():
            raise typer.BadParameter(
                f"{item!r} is not COLUMN=FIELD, e.g. --map 'Article Name=title'.",
                param_hint="--map",
            )
        out[col.strip()] = fld.strip()
    return out


ScreenOpt = Annotated[
    bool,
    typer.Option("--screen", help="Route non-database records through title/abstract screening."),
]
FilesArg = Annotated[
    list[Path],
    typer.Argument(
        metavar="FILES", help="Export files (RIS, BibTeX, MEDLINE, WoS, EndNote XML, CSV, XLSX)."
    ),
]
ImportFormatOpt = Annotated[
    ImportFormat,
    typer.Option(
        "--format",
        "-f",
        metavar="<format>",
        help=f"File format: {', '.join(ImportFormat)}; auto detects by content.",
    ),
]
MapOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        metavar="<column=field>",
        help="Map a spreadsheet column to a field: 'Column=title'.",
    ),
]
ByOpt = Annotated[
    str | None, typer.Option("--by", help="Who imports (default: $REVIEW_USER or git).")
]
# The search strategy (PRISMA-S; docs/import.md), stored in the import log.
PlatformOpt = Annotated[
    str | None, typer.Option("--platform", help="Search platform, e.g. Ovid, EBSCOhost.")
]
SearchedOpt = Annotated[
    str | None, typer.Option("--searched", help="Date the search was run (YYYY-MM-DD).")
]
QueryOpt = Annotated[str | None, typer.Option("--query", help="The full search query, as run.")]
QueryFileOpt = Annotated[
    Path | None, typer.Option("--query-file", help="A text file holding the full search strategy.")
]
LimitsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--limits", metavar="<text>", help="A limit or filter applied (repeatable), e.g. English."
    ),
]
ResultsOpt = Annotated[
    int | None, typer.Option("--results", help="The number of results the database reported.")
]


def import_(
    files: FilesArg,
    source: Annotated[
        str, typer.Option("--source", "-s", help="Where the records come from, e.g. Scopus.")
    ],
    kind: Annotated[
        Kind, typer.Option("--kind", "-k", help="Kind of source (PRISMA branch).")
    ] = Kind.DATABASE,
    fmt: ImportFormatOpt = ImportFormat.AUTO,
    encoding: Annotated[
        str | None,
        typer.Option("--encoding", help="Text encoding, e.g. cp1252; default: detect UTF-8/16."),
    ] = None,
    screen: ScreenOpt = False,
    maps: MapOpt = None,
    by: ByOpt = None,
    platform: PlatformOpt = None,
    searched: SearchedOpt = None,
    query: QueryOpt = None,
    query_file: QueryFileOpt = None,
    limits: LimitsOpt = None,
    results: ResultsOpt = None,
    quiet: QuietOpt = False,
    as_json: JsonOpt = False,
    project: ProjectOpt = None,
) -> None:
    """Import search exports; each file is kept byte-for-byte under data/imports/.

    Every file is checked before anything is written: if one cannot be read, nothing is
    imported. A file imported before (same bytes) is refused. The search strategy (--platform …
    --results) goes to the import log, the methods text, the report and the checklist.

    Example:

    \b
        review import scopus.ris --source Scopus
        review import wos1.txt wos2.txt --source "Web of Science"
        review import hand-search.csv --source "Hand search" --kind other \\
            --map "Name=title"
        review import pubmed.nbib --source PubMed --platform NCBI \\
            --searched 2024-03-01 \\
            --query-file searches/pubmed-query.txt --limits English --results 512
    """
    from review.importer import import_files

    proj = open_project(project)
    search = _search_given(proj, platform, searched, query, query_file, limits, results)
    if by:
        from review.people import check_roster

        check_roster(proj.protocol, by, "importing")
    column_map = _parse_maps(maps)
    with progress("Importing", quiet=quiet or as_json or not _tty()) as update:
        reports = import_files(
            proj,
            files,
            source=source,
            kind=kind,
            fmt=fmt,
            encoding=encoding,
            screen=screen,
            column_map=column_map or None,
            who=by,
            progress=update,
            search=search,
        )
    if as_json:
        found, imported = sum(r.found for r in reports), sum(r.imported for r in reports)
        problems = sum(len(r.problems) for r in reports)
        files_json = [r.to_dict() for r in reports]
        print_json(
            {"files": files_json, "found": found, "imported": imported, "problems": problems}
        )
        return
    _print_reports(reports)


def _search_given(
    proj: Project,
    platform: str | None,
    searched: str | None,
    query: str | None,
    query_file: Path | None,
    limits: list[str] | None,
    results: int | None,
) -> Search:
    """The search strategy flags, checked; the query file is read here (UTF-8 text)."""
    from review.errors import InputError
    from review.search import search_given

    text = None
    if query_file is not None:
        if query:
            raise InputError("give the query as --query TEXT or --query-file FILE, not both.")
        from review.protocol import read_query_file

        try:
            text = read_query_file(query_file)
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(
                f"{query_file}: the --query-file cannot be read ({exc}); save the search "
                "strategy as a UTF-8 text file."
            ) from None
    return search_given(
        platform=platform,
        searched=searched,
        query=query,
        query_file=proj.log_path(query_file) if query_file is not None else None,
        query_text=text,
        limits=limits,
        results=results,
    )


def _print_reports(reports: list) -> None:
    from rich.markup import escape
    from rich.table import Table

    from review.cli.common import err_console, out_console

    table = Table(title=None, show_edge=False)
    for col, justify in (
        ("file", "left"),
        ("format", "left"),
        ("found", "right"),
        ("imported", "right"),
        ("problems", "right"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for r in reports:
        table.add_row(
            escape(Path(r.file).name),
            escape(r.format),
            str(r.found),
            str(r.imported),
            str(len(r.problems)),
        )
    out = out_console()
    out.print(table)
    total = sum(r.imported for r in reports)
    out.print(
        f"Imported {total} records from {len(reports)} file(s) as {escape(reports[0].source)}."
    )
    err = err_console()
    for r in reports:
        for w in r.warnings:
            err.print(f"[yellow]Warning:[/yellow] {escape(w)}")
        for p in r.problems:
            err.print(f"[yellow]Problem:[/yellow] {escape(Path(r.file).name)}: {escape(p)}")


def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="Output format.")],
    stage: Annotated[
        Stage | None,
        typer.Option(
            "--stage", help="Export one row per record screened at this stage (with decisions)."
        ),
    ] = None,
    status: Annotated[
        ExportStatus,
        typer.Option("--status", help="With --stage: which final decisions to export."),
    ] = ExportStatus.ALL,
    label: Annotated[
        str | None,
        typer.Option("--label", help="Only records a reviewer labelled so (`l` in the screener)."),
    ] = None,
    quiet: QuietOpt = False,
    project: ProjectOpt = None,
) -> None:
    """Export records as RIS, BibTeX, CSV or XLSX.

    Without --stage: every imported record (before dedup). With --stage: one row per
    deduplicated record at that stage, filtered by its final decision (and a labels column
    when records carry labels). --label keeps the records carrying that label.

    Example:

    \b
        review export --format csv -o all-records.csv
        review export --format ris -o included.ris --stage full-text \\
            --status included
        review export --format csv -o ask-author.csv --label "ask author"
    """
    from rich.markup import escape

    from review.cli.common import checked_output, out_console
    from review.errors import InputError
    from review.io.export import export_records, stage_records

    proj = open_project(project)
    checked_output(proj, output)
    if stage is None and status is not ExportStatus.ALL:
        raise InputError("--status needs --stage (which stage's decisions to filter by).")
    with progress("Loading records", quiet=quiet or not _tty()) as update:
        if stage is None:
            records = proj.records(progress=update)
            extra = None
        else:
            records, extra = stage_records(proj, stage, status)
    if label is not None or extra is not None:
        from review.io.export import with_labels

        records, extra = with_labels(proj, records, extra, label)
    export_records(records, fmt, output, extra=extra)
    out_console().print(f"Wrote {len(records)} records to {escape(str(output))}.")
    if fmt is ExportFormat.XLSX:
        from review.cli.common import err_console
        from review.io.export import XLSX_CELL_LIMIT, xlsx_overflows

        cut = xlsx_overflows(records)
        if cut:
            err_console().print(
                f"[yellow]Warning:[/yellow] {len(cut)} record(s) have a field longer than Excel's "
                f"{XLSX_CELL_LIMIT:,}-character cell limit (first: {escape(cut[0])}); it is cut "
                "in the workbook. Use --format csv to keep it whole."
            )


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root app."""
    app.command("import")(import_)
    app.command("export")(export)
