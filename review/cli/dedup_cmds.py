"""CLI commands for the dedup stage: ``review dedup`` and its review/export/import/explain/split."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from review.cli.common import (
    FromOtherProjectOpt,
    FromOtherReviewerOpt,
    JsonOpt,
    ProjectOpt,
    QuietOpt,
    for_subcommand,
    open_project,
    print_json,
    progress,
    project_from,
)

if TYPE_CHECKING:
    from review.dedup.explain import RecordExplanation
    from review.project import Project

ReviewerOpt = Annotated[
    str,
    typer.Option("--reviewer", "-r", help="Your name (verdicts go to data/dedup/<name>.jsonl)."),
]

AutoThresholdOpt = Annotated[
    float | None,
    typer.Option(
        "--auto-threshold",
        metavar="<0.5-1>",
        min=0.5,
        max=1.0,
        help="Title similarity (0-1) needed to merge automatically (default 0.95); saved to "
        "protocols/protocol.yaml (dedup.auto_threshold) for later runs.",
        show_default=False,
    ),
]

MaybeThresholdOpt = Annotated[
    float | None,
    typer.Option(
        "--maybe-threshold",
        metavar="<0.5-1>",
        min=0.5,
        max=1.0,
        help="Title similarity (0-1) needed to queue a pair for a person (default 0.80); "
        "saved to protocols/protocol.yaml (dedup.maybe_threshold).",
        show_default=False,
    ),
]

AuthorThresholdOpt = Annotated[
    float | None,
    typer.Option(
        "--author-threshold",
        metavar="<0-1>",
        min=0.0,
        max=1.0,
        help="Author similarity (0-1) needed to merge automatically (default 0.80); saved to "
        "protocols/protocol.yaml (dedup.author_threshold).",
        show_default=False,
    ),
]

dedup_app = typer.Typer(
    name="dedup",
    no_args_is_help=False,
    rich_markup_mode=None,
)


def _refresh(proj: Project, quiet: bool = True) -> Any:
    from review.dedup.run import dedup_project

    with progress("Re-clustering", quiet) as update:
        return dedup_project(proj, progress=update)


def _summary_lines(result: Any) -> list[str]:
    c = result.counts
    return [
        f"{c['main_records']} main-branch records, {c['candidate_pairs']} candidate pairs scored",
        f"Removed automatically: {c['removed_automatic']}; confirmed by a person: "
        f"{c['removed_manual']}; queued for a person: {c['queued']} pair(s)",
    ] + (
        [
            f"Related reports of one study (kept, linked in related.csv): "
            f"{c['related_auto']} automatically, {c['related_confirmed']} by a person"
        ]
        if c.get("related_auto") or c.get("related_confirmed")
        else []
    )


@dedup_app.callback(invoke_without_command=True)
def dedup(
    ctx: typer.Context,
    project: ProjectOpt = None,
    json_out: JsonOpt = False,
    quiet: QuietOpt = False,
    auto_threshold: AutoThresholdOpt = None,
    maybe_threshold: MaybeThresholdOpt = None,
    author_threshold: AuthorThresholdOpt = None,
) -> None:
    """Find duplicates among the main-branch records and write outputs/dedup/clusters.csv.

    Certain duplicates are merged automatically; uncertain pairs are queued for a person
    (`review dedup review`). Your verdicts are kept and re-applied on every run.

    Example:

    \b
        review dedup
        review dedup --auto-threshold 0.97 --json
    """
    if for_subcommand(ctx, project):
        return
    from dataclasses import replace

    from review.dedup.run import dedup_project, project_options, save_options

    proj = open_project(project)
    # The project's settings (protocols/protocol.yaml, dedup:) with this run's flags on top; the
    # flags are saved there, so a later plain `review dedup` keeps them.
    options = project_options(proj)
    changes: dict[str, Any] = {
        k: v
        for k, v in (
            ("auto_threshold", auto_threshold),
            ("maybe_threshold", maybe_threshold),
            ("author_threshold", author_threshold),
        )
        if v is not None
    }
    options = replace(options, **changes)
    if options.maybe_threshold > options.auto_threshold:
        raise typer.BadParameter(
            "--maybe-threshold must not be above --auto-threshold.", param_hint="--maybe-threshold"
        )
    saved = save_options(proj, changes)
    with progress("Scoring candidate pairs", quiet or json_out) as update:
        result = dedup_project(proj, options, progress=update)
    if json_out:
        print_json(_dedup_json(proj, result, options, saved))
        return
    _print_dedup(proj, result, saved)


def _dedup_json(proj: Project, result: Any, options: Any, saved: list[str]) -> dict[str, Any]:
    """The ``review dedup --json`` object."""
    from dataclasses import asdict

    from review.dedup.run import status_summary

    counts = status_summary(proj).counts
    last = counts.to_json() if counts is not None else {"verdict_conflicts": [], "overlap": []}
    return {
        "clusters_csv": proj.rel(proj.outputs_dir / "dedup" / "clusters.csv"),
        "counts": result.counts,
        "options": asdict(options),
        "saved": saved,
        "verdict_conflicts": last["verdict_conflicts"],
        "overlap": last["overlap"],
        "seconds": {k: round(v, 3) for k, v in result.seconds.items()},
    }


def _print_dedup(proj: Project, result: Any, saved: list[str]) -> None:
    """What ``review dedup`` prints: settings saved, counts, conflicts, files written."""
    from rich.markup import escape

    from review.cli.common import out_console
    from review.dedup.verdicts import verdict_conflicts

    con = out_console()
    if saved:
        con.print(escape(f"Saved to {proj.rel(proj.protocol_path)}: " + ", ".join(saved)))
    for line in _summary_lines(result):
        con.print(line)
    for (a, b), vs in verdict_conflicts(proj).items():
        who = ", ".join(f"{v.reviewer}: {v.verdict}" for v in vs)
        con.print(
            f"[red]Conflict:[/red] {escape(a)} / {escape(b)} ({escape(who)}) — applied neither way; "
            "resolve it in `review dedup review`."
        )
    for a, b in result.refused_same:
        con.print(
            f"[yellow]Not merged:[/yellow] `same` verdict on {escape(a)} / {escape(b)} contradicts a "
            "`different` verdict in the same cluster."
        )
    con.print(
        escape(
            f"Wrote {proj.rel(proj.outputs_dir / 'dedup')}/clusters.csv, fused.csv, "
            "maybe-pairs.csv, related.csv, overlap.csv"
        )
    )


@dedup_app.command("review")
def review_cmd(
    ctx: typer.Context,
    reviewer: ReviewerOpt,
    project: ProjectOpt = None,
) -> None:
    """Decide the queued pairs one by one, side by side, with differences highlighted.

    Keys: `y` same (one report twice), `r` related (another report of the same study, kept),
    `n` different, `s` skip, `u` undo, `q` quit. Every verdict is saved at once.

    Example:

    \b
        review dedup review --reviewer "Ana Silva"
    """
    from review.cli.common import out_console
    from review.cli.ui.review_ui import review_session
    from review.dedup.clusters import load_clusters

    proj = project_from(ctx, project)
    load_clusters(proj)  # a clear error when `review dedup` has not run
    from review.cli.common import confirm_new_person
    from review.people import clean_name

    if not confirm_new_person(proj, clean_name(reviewer), "dedup"):
        raise typer.Exit(code=1)
    con = out_console()
    result = review_session(proj, reviewer, con, _read_key)
    related = f"{result.related} related, " if result.related else ""
    con.print(
        f"Recorded {result.same} same, {related}{result.different} different "
        f"({result.skipped} skipped, {result.undone} undone); {result.remaining} pair(s) left."
    )
    if result.same or result.related or result.different or result.undone:
        refreshed = _refresh(proj)
        for line in _summary_lines(refreshed):
            con.print(line)


def _read_key() -> str:
    """One key press; works on a terminal and with piped stdin (one character per verdict)."""
    import sys

    if sys.stdin is not None and sys.stdin.isatty():
        try:
            return typer.getchar().lower()  # Ctrl-C, Ctrl-D: KeyboardInterrupt, EOFError
        except (EOFError, KeyboardInterrupt):
            return "q"
    while True:
        ch = sys.stdin.read(1) if sys.stdin is not None else ""
        if ch == "":
            return "q"
        if not ch.isspace():
            return ch.lower()


@dedup_app.command("export")
def export_cmd(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="The .xlsx file to write.")],
    reviewer: Annotated[
        str,
        typer.Option(
            "--reviewer", "-r", help="Who will fill it (recorded; import checks the name)."
        ),
    ] = "",
    project: ProjectOpt = None,
) -> None:
    """Write the queued pairs to a spreadsheet, side by side, with a verdict drop-down.

    Fill the `verdict` column with `same`, `related` or `different` (blank = undecided), then
    `review dedup import FILE --reviewer NAME`.

    Example:

    \b
        review dedup export -o dedup-pairs.xlsx --reviewer "Ana Silva"
    """
    from rich.markup import escape

    from review.cli.common import checked_output, out_console
    from review.dedup.clusters import load_clusters
    from review.dedup.exchange import export_queue_xlsx

    proj = project_from(ctx, project)
    checked_output(proj, output)
    load_clusters(proj)
    if reviewer:
        from review.people import check_roster, clean_name

        reviewer = clean_name(reviewer)
        check_roster(proj.protocol, reviewer, "dedup")
    n = export_queue_xlsx(proj, output, reviewer)
    out_console().print(f"Wrote {n} queued pair(s) to {escape(str(output))}")


@dedup_app.command("import")
def import_cmd(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", help=".xlsx or .csv with record_id_a, record_id_b, verdict, note."
        ),
    ],
    reviewer: ReviewerOpt,
    from_other_reviewer: FromOtherReviewerOpt = False,
    from_other_project: FromOtherProjectOpt = False,
    project: ProjectOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Import dedup verdicts from a spreadsheet (.xlsx or .csv), then refresh the clusters.

    Columns `record_id_a, record_id_b, verdict` (`same`, `related` or `different`) and
    optionally `note`.
    Blank verdicts change nothing; on any invalid row nothing is imported.

    Example:

    \b
        review dedup import dedup-pairs.xlsx --reviewer "Ana Silva"
    """
    from review.dedup.exchange import import_verdicts

    proj = project_from(ctx, project)
    summary = import_verdicts(
        proj,
        file,
        reviewer,
        from_other_reviewer=from_other_reviewer,
        from_other_project=from_other_project,
    )
    show_verdicts_import(proj, summary, quiet)


def show_verdicts_import(proj: Project, summary: Any, quiet: bool) -> None:
    """What ``review dedup import`` prints; it refreshes the clusters (with a bar unless quiet)."""
    from rich.markup import escape

    from review.cli.common import out_console

    if summary.note:
        from review.cli.common import err_console

        err_console().print(f"[yellow]Warning:[/yellow] {escape(summary.note)}")
    con = out_console()
    con.print(
        f"Imported {summary.recorded} verdict(s) into {escape(str(summary.file))} "
        f"({summary.unchanged} unchanged, {summary.blank} blank)."
    )
    result = _refresh(proj, quiet)
    for line in _summary_lines(result):
        con.print(line)


@dedup_app.command("explain")
def explain_cmd(
    ctx: typer.Context,
    record_id: Annotated[
        str, typer.Argument(metavar="RECORD_ID", help="A record_id from clusters.csv.")
    ],
    project: ProjectOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Why a record is (or is not) a duplicate of what: field by field, with scores and rules.

    Example:

    \b
        review dedup explain 3f9c1a2b-17
    """
    from review.dedup.explain import explain_record

    proj = project_from(ctx, project)
    info = explain_record(proj, record_id)
    if json_out:
        print_json(info.to_json())
        return
    _print_explain(info)


def _print_explain(info: RecordExplanation) -> None:
    from rich.markup import escape
    from rich.table import Table

    from review.cli.common import out_console

    con = out_console()
    con.print(f"[bold]{escape(info.record_id)}[/bold] {escape(info.citation)}")
    role = "primary (kept)" if info.primary else f"duplicate of {info.cluster_id}"
    con.print(f"source {escape(info.source)}; status {info.status}; {escape(role)}")
    if info.note:
        con.print(escape(info.note))
        return
    related = {r.comparison.pair.b: r for r in info.related}
    groups = (
        ("In the same cluster", info.members),
        ("Queued for a person", info.queued),
        (
            "Related reports of the same study (kept, never removed)",
            tuple(r.comparison for r in info.related),
        ),
        ("Most similar records not merged", info.nearest),
    )
    for title, pairs in groups:
        if not pairs:
            continue
        con.print(f"\n[bold underline]{title}[/bold underline]")
        for c in pairs:
            d, verdict = c.pair, c.verdict
            head = f"{d.b} {c.citation}  -> {d.decision}: {d.rule}"
            link = related.get(d.b) if title.startswith("Related") else None
            if link is not None:
                head = f"{d.b} {c.citation}  -> {link.relation} ({link.status}): {link.rule}"
            elif d.related is not None:
                head += f"  [possibly another report: {d.related[0]}]"
            if verdict:
                head += f"  (person: {verdict.verdict} by {verdict.reviewer})"
            t = Table(title=escape(head), title_justify="left", expand=True)
            t.add_column("field", no_wrap=True)
            t.add_column("this record", ratio=1)
            t.add_column("other", ratio=1)
            t.add_column("score", no_wrap=True)
            for f in d.fields:
                score = f.similarity
                score_text = f.result or ("-" if score is None else f"{score:.3f}")
                if f.field == "abstract":
                    t.add_row("abstract", "", "", score_text)
                    continue
                t.add_row(
                    escape(f.field),
                    escape(str(f.a or "")),
                    escape(str(f.b or "")),
                    escape(score_text),
                )
            con.print(t)
            for label, listed in (
                ("never merged automatically", d.never_merge),
                ("conflicts", d.conflicts),
                ("agree", d.agreeing_fields),
            ):
                if listed:
                    con.print(f"  {label}: {escape(', '.join(listed))}")
    if info.fusion is not None:
        from review.cli.fusion_view import print_fusion

        print_fusion(info.fusion)


@dedup_app.command("split")
def split_cmd(
    ctx: typer.Context,
    record_id: Annotated[
        str, typer.Argument(metavar="RECORD_ID", help="The record to take out of its cluster.")
    ],
    reviewer: ReviewerOpt,
    project: ProjectOpt = None,
) -> None:
    """Take a record out of its cluster: records `different` between it and every other member.

    Example:

    \b
        review dedup split 3f9c1a2b-17 --reviewer "Ana Silva"
    """
    from review.cli.common import out_console
    from review.dedup.clusters import load_clusters
    from review.dedup.verdicts import append_lines, verdict_line
    from review.errors import ReviewError

    proj = project_from(ctx, project)
    clusters = load_clusters(proj)
    if record_id not in clusters.cluster_of:
        raise ReviewError(f"{record_id}: no such record in outputs/dedup/clusters.csv.")
    others = [m for m in clusters.members(clusters.cluster_of[record_id]) if m != record_id]
    if not others:
        raise ReviewError(f"{record_id}: not merged with anything; nothing to split.")
    lines = [verdict_line(record_id, m, "different", reviewer, "split") for m in others]
    append_lines(proj, reviewer, lines)
    from rich.markup import escape

    con = out_console()
    con.print(f"Recorded {len(lines)} `different` verdict(s) for {escape(record_id)}.")
    for line in _summary_lines(_refresh(proj)):
        con.print(line)


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root app."""
    app.add_typer(dedup_app, name="dedup")
