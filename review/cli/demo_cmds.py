"""CLI command ``review demo``: the worked example, end to end, with the real commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from review.cli.common import JsonOpt, QuietOpt

if TYPE_CHECKING:
    from review.demo_summary import DemoSummary


def demo(
    directory: Annotated[
        Path,
        typer.Argument(
            metavar="DIRECTORY",
            help="Folder to create the demo project in.",
            file_okay=False,
            show_default=True,
        ),
    ] = Path("review-demo"),
    force: Annotated[
        bool, typer.Option("--force", help="Replace a previous demo in DIR (only its files).")
    ] = False,
    project: Annotated[
        Path | None,
        typer.Option(
            "--project",
            "-p",
            help="Same as DIR (every command accepts --project).",
            file_okay=False,
            show_default=False,
        ),
    ] = None,
    quiet: QuietOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Run the whole pipeline on the worked example: a scoping review of parent peer advocacy.

    Copies the example (protocol, charting schema, five database exports, grey literature,
    expert suggestions and the reviewers' decision files) into DIR, then runs the real commands
    in order: import each export, dedup, dedup import of the verdicts, screen import of both
    reviewers' decisions, disagreements and resolve import per stage, chart import, chart
    compare, chart summary, prisma, report and report checklist. Prints the PRISMA numbers, agreement per stage, the
    example's units of analysis (its schema's words), where every output is and the path of the HTML report. The commands it ran are in
    DIR/outputs/demo/commands.md.

    Example:

    \b
        review demo
        review demo /tmp/peer-advocacy --force
    """
    import time

    from review.cli.commands import command_text
    from review.cli.common import err_console, print_json
    from review.cli.demo_steps import runner, typed_in
    from review.demo import COMMANDS_LOG, plan, prepare, run_steps
    from review.demo_summary import summarise

    started = time.perf_counter()
    if project is not None:
        directory = project
    root = prepare(directory, force=force, command=command_text)
    steps = plan(root)
    spell = typed_in(root)
    with _StepProgress(quiet) as on_step:
        results = run_steps(root, steps, runner(root), spell, on_step)
    summary = summarise(root)
    seconds = round(time.perf_counter() - started, 1)
    if json_out:
        data = summary.to_json()
        data["seconds"] = seconds
        data["commands_log"] = COMMANDS_LOG
        data["steps"] = [
            {"step": r.step.label, "command": spell(r.step.step), "seconds": r.seconds}
            for r in results
        ]
        print_json(data)
        return
    _print_summary(summary, directory)
    if not quiet:
        err_console().print(f"[dim]Finished in {seconds} s.[/dim]")


def _run(argv: tuple[str, ...], root: Path, cli: Callable[..., Any]) -> tuple[int, str, str]:
    """Run one `review` command line in-process with ``cli`` and capture its output (for tests
    and scripts that replay a command; the demo itself calls the library, see demo_steps)."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            result = cli(
                args=[*argv, "--project", str(root)], prog_name="review", standalone_mode=False
            )
            code = result if isinstance(result, int) else 0
        except typer.Exit as exc:
            code = exc.exit_code
        except typer.Abort:
            code = 1
        except typer.exceptions.TyperException as exc:  # usage errors (Click's ClickException)
            show = getattr(exc, "show", None)
            if show is not None:
                show(file=err)
            code = int(getattr(exc, "exit_code", 2))
        except SystemExit as exc:  # pragma: no cover - a command calling sys.exit
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue(), err.getvalue()


class _StepProgress:
    """A Rich progress bar over the demo's steps on stderr (silent with --quiet)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: Any = None

    def __enter__(self) -> Any:
        if self.quiet:
            return None
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        from review.cli.common import err_console

        self.bar = Progress(
            TextColumn("{task.description:<48}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console(),
            transient=True,
        )
        self.bar.__enter__()
        task = self.bar.add_task("", total=None)

        def on_step(done: int, total: int, label: str) -> None:
            self.bar.update(task, completed=done, total=total, description=label)

        return on_step

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


def _print_summary(s: DemoSummary, directory: Path) -> None:
    from rich.markup import escape
    from rich.table import Table

    from review.cli.common import out_console
    from review.demo import COMMANDS_LOG
    from review.percent import share_text

    con = out_console()
    f = s.flow

    def n(v: Any) -> str:
        return f"{v:,}" if isinstance(v, int) else "–"

    con.print(
        "[bold]Worked example: parent peer advocacy in child protection[/bold] "
        f"({escape(str(directory))})"
    )
    t = Table(title="PRISMA 2020 flow", show_header=True, title_justify="left")
    t.add_column("Step")
    t.add_column("n", justify="right")
    for item in f.identified:
        where = "other methods" if item.get("branch") == "other" else "screened"
        t.add_row(
            f"Records from {item.get('source')} ({item.get('kind')}, {where})", n(item.get("n"))
        )
    t.add_row("Duplicates removed automatically", n(f.duplicates_automatic))
    t.add_row("Duplicates removed by a person", n(f.duplicates_manual))
    t.add_row("Records screened (title/abstract)", n(f.records_screened))
    t.add_row("Records excluded", n(f.records_excluded))
    t.add_row("Full-text reports assessed", n(f.reports_assessed))
    t.add_row("Full-text reports excluded", n(f.reports_excluded))
    t.add_row("Reports from other methods assessed", n(f.other_reports_assessed))
    t.add_row("Reports included", n(f.reports_included))
    if s.unit is not None:
        t.add_row(f"{s.unit.titles} described", n(f.units_included))
    con.print(t)

    a = Table(title="Agreement between reviewers", title_justify="left")
    for col in ("Stage", "Screened by both", "Disagreements", "Agreement", "Cohen's κ (95% CI)"):
        a.add_column(col, justify="right" if col != "Stage" else "left")
    for stage, g in s.agreement.items():
        kappa = g.cohen_kappa
        ci = g.kappa_ci95 or ()
        ktxt = f"{kappa:.2f}" if isinstance(kappa, (int, float)) else "–"
        if len(ci) == 2 and all(isinstance(x, (int, float)) for x in ci):
            ktxt += f" ({ci[0]:.2f}–{ci[1]:.2f})"
        pa = g.percent_agreement
        a.add_row(
            stage,
            n(g.records_screened_by_all),
            n(g.disagreements),
            f"{share_text(pa)}%" if isinstance(pa, (int, float)) else "–",
            ktxt,
        )
    con.print(a)

    if s.units and s.unit is not None:
        _units_table(con, s, directory)

    con.print("[bold]Outputs[/bold] (derived; delete outputs/ and re-run the commands to rebuild):")
    for path in s.outputs:
        con.print(f"  {escape(str(directory / path))}")
    con.print(
        f"  {escape(str(directory / COMMANDS_LOG))}  (every command the demo ran, with its output)"
    )
    if s.missing_outputs:
        con.print("[yellow]Missing:[/yellow] " + ", ".join(s.missing_outputs))
    if s.report:
        con.print(
            f"[bold]Report:[/bold] {escape(str(directory / s.report))}  (open it in a web browser)"
        )


def _units_table(con: Any, s: DemoSummary, directory: Path) -> None:
    """The example's units (its schema's words), most reports first, beside the paper's count."""
    from rich.table import Table

    from review.chart.store import project_schema
    from review.example import PUBLISHED_UNITS, UNIT_DETAIL_FIELD
    from review.project import Project

    unit = s.unit
    assert unit is not None
    schema = project_schema(Project.open(directory))
    detail = schema.field(UNIT_DETAIL_FIELD).label if schema.has(UNIT_DETAIL_FIELD) else ""
    p = Table(title=f"{unit.titles} ({PUBLISHED_UNITS} in the paper)", title_justify="left")
    p.add_column(unit.title)
    p.add_column(detail)
    p.add_column("Reports", justify="right")
    for row in s.units:
        p.add_row(row.name, row.detail, str(row.reports))
    con.print(p)


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root app."""
    app.command("demo")(demo)
