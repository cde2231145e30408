"""CLI commands for the chart stage: template, import, compare, consensus, summary."""

from __future__ import annotations

from pathlib import Path
from shlex import quote
from typing import Annotated, Any

import typer

from review.cli.common import (
    FromOtherProjectOpt,
    FromOtherReviewerOpt,
    JsonOpt,
    ProjectOpt,
    QuietOpt,
)

chart_app = typer.Typer(
    help=(
        "Chart the included reports: an Excel form built from extraction_schema.yaml, "
        "validated import, dual-charting comparison and summary tables."
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)


@chart_app.command("template")
def template_cmd(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The workbook to write (.xlsx).", dir_okay=False)
    ],
    reviewer: Annotated[
        str, typer.Option("--reviewer", help="Who will fill this form (recorded in it).")
    ] = "",
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
    project: ProjectOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Write the charting form for every included report.

    Reports sheet: one row per included report (Record ID and Citation locked), drop-downs for
    categorical fields, one Yes/No column per option of a multiple-choice field. When the
    extraction schema declares a further level (levels:, e.g. sites or studies that several
    reports describe), a sheet named by its plural: one row per unit you identify. Codebook:
    every field and value defined.

    Example:

    \b
        review chart template -o charting-ana.xlsx --reviewer ana
    """
    from rich.markup import escape

    from review.chart import make_template
    from review.cli.common import checked_output, err_console, open_project, out_console, progress
    from review.errors import ReviewError

    proj = open_project(project)
    checked_output(proj, out)
    if out.suffix.lower() != ".xlsx":
        raise ReviewError(f"{out}: the charting form is an Excel workbook; name it *.xlsx.")
    if out.exists() and not force:
        raise ReviewError(f"{out}: exists already. Choose another name or pass --force.")
    with progress("Writing charting form", quiet) as update:
        n = make_template(proj, out, reviewer=reviewer, progress=update)
    out_console().print(f"Wrote {escape(str(out))}: {n} included reports to chart.")
    if not quiet:
        err_console().print(
            "Fill it in Excel or LibreOffice, then: "
            + escape(
                f"review chart import {quote(str(out))} --reviewer {quote(reviewer or 'NAME')}"
            )
        )


@chart_app.command("import")
def import_cmd(
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="A filled charting workbook (.xlsx).", dir_okay=False),
    ],
    reviewer: Annotated[
        str, typer.Option("--reviewer", help="Whose charting this is ('consensus' = final).")
    ] = "",
    consensus: Annotated[
        bool,
        typer.Option(
            "--consensus", help="The agreed (final) charting; same as --reviewer consensus."
        ),
    ] = False,
    from_other_reviewer: FromOtherReviewerOpt = False,
    from_other_project: FromOtherProjectOpt = False,
    project: ProjectOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Validate every cell of a filled charting form and store it as a new version.

    On any problem nothing is imported and each problem is listed as `Sheet!Cell: problem`.
    Each import is kept (data/charting/<reviewer>/); the latest per reviewer counts.

    Example:

    \b
        review chart import charting-ana.xlsx --reviewer ana
        review chart import charting-agreed.xlsx --consensus
    """

    from review.chart import CONSENSUS, import_charting
    from review.cli.common import open_project, print_json
    from review.errors import ReviewError

    if consensus:
        if reviewer and reviewer != CONSENSUS:
            raise ReviewError("give either --consensus or --reviewer NAME, not both.")
        reviewer = CONSENSUS
    if not reviewer:
        raise ReviewError("say whose charting this is: --reviewer NAME (or --consensus).")
    proj = open_project(project)
    res = import_charting(
        proj,
        file,
        reviewer,
        from_other_reviewer=from_other_reviewer,
        from_other_project=from_other_project,
    )
    if json_out:
        print_json(
            {
                "reviewer": res.reviewer,
                "path": res.path,
                "reports_charted": res.reports_charted,
                "reports_included": res.reports_included,
                **({f"{res.unit.name}s": res.units} if res.unit else {}),
                "unchanged": res.unchanged,
            }
        )
        return
    show_chart_import(file, res)


def show_chart_import(file: Path, res: Any) -> None:
    """What ``review chart import`` prints."""
    from rich.markup import escape

    from review.chart import CONSENSUS
    from review.cli.common import out_console

    con = out_console()
    if res.unchanged:
        con.print(
            escape(f"{file}: already imported for {res.reviewer} ({res.path}); nothing changed.")
        )
        return
    who = "the consensus charting" if res.reviewer == CONSENSUS else f"{res.reviewer}'s charting"
    con.print(
        escape(
            f"Imported {who}: {res.reports_charted} of {res.reports_included} "
            f"included reports charted{', ' + res.unit.count(res.units) if res.unit else ''} "
            f"-> {res.path}"
        )
    )
    if res.reviewer == CONSENSUS:
        _note_undecided(file)


def _note_undecided(file: Path) -> None:
    """After a consensus import: the highlighted cells left blank (recorded as not reported)."""
    from rich.markup import escape

    from review.chart.consensus import undecided_cells
    from review.cli.common import err_console

    open_cells = undecided_cells(file)
    if open_cells:
        shown = ", ".join(open_cells[:8]) + (" …" if len(open_cells) > 8 else "")
        err_console().print(
            escape(
                f"Note: {len(open_cells)} highlighted cell(s) of the consensus form were left "
                f"blank and are recorded as not reported: {shown}. Fill them and import again "
                "if that was not the decision."
            )
        )


@chart_app.command("compare")
def compare_cmd(project: ProjectOpt = None, json_out: JsonOpt = False) -> None:
    """List field-level disagreements between the charting reviewers.

    Writes outputs/charting/disagreements.xlsx and .csv (one row per field of a report, or
    of a unit of the schema's further level, on which the reviewers' latest chartings differ) and prints agreement per field.

    Example:

    \b
        review chart compare
    """

    from review.chart import write_compare_outputs
    from review.cli.common import open_project, print_json

    proj = open_project(project)
    comparison, paths = write_compare_outputs(proj)
    if json_out:
        data = comparison.to_json()
        data["outputs"] = [proj.rel(p) for p in paths]
        print_json(data)
        return
    show_compare(proj, comparison, paths)


def show_compare(proj: Any, comparison: Any, paths: list[Path]) -> None:
    """What ``review chart compare`` prints."""
    from rich.markup import escape

    from review.cli.common import out_console
    from review.percent import percent_text

    con = out_console()
    con.print(
        escape(
            f"Reviewers: {', '.join(comparison.reviewers)}. Reports charted by all: "
            f"{comparison.reports_compared} (by some only: {len(comparison.reports_partial)})"
            + (
                f"; {comparison.unit.plural} listed by all: {comparison.units_compared}."
                if comparison.unit
                else "."
            )
        )
    )
    for f in comparison.fields:
        con.print(
            escape(
                f"  {f.field_label}: {f.agreed}/{f.compared} agree "
                f"({percent_text(f.agreed, f.compared)}%)"
            )
        )
    con.print(
        f"{len(comparison.rows)} disagreement(s) -> "
        + escape(", ".join(proj.rel(p) for p in paths))
    )


@chart_app.command("consensus")
def consensus_cmd(
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="The consensus workbook to write (.xlsx).", dir_okay=False
        ),
    ],
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
    project: ProjectOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Merge the charting reviewers' latest chartings into one consensus form.

    Cells on which every charter agrees are pre-filled; cells on which they differ are left
    blank, highlighted, with each charter's value in the cell's comment. The Differences sheet
    lists every difference, the Agreement sheet counts agreements per field. Also writes
    outputs/charting/agreement.csv. Decide the highlighted cells, then import the workbook as
    the consensus.

    Example:

    \b
        review chart consensus -o charting-consensus.xlsx
        review chart import charting-consensus.xlsx --reviewer consensus
    """

    from review.chart import write_consensus_outputs
    from review.cli.common import open_project, print_json

    proj = open_project(project)
    check_consensus_out(proj, out, force)
    plan, paths = write_consensus_outputs(proj, out)
    if json_out:
        data = plan.to_json()
        data["outputs"] = [str(out), *(proj.rel(p) for p in paths[1:])]
        print_json(data)
        return
    show_consensus(proj, out, plan, paths)


def check_consensus_out(proj: Any, out: Path, force: bool) -> None:
    """Where ``review chart consensus -o`` may write, checked before any work."""
    from review.cli.common import checked_output
    from review.errors import ReviewError

    checked_output(proj, out)
    if out.suffix.lower() != ".xlsx":
        raise ReviewError(f"{out}: the consensus form is an Excel workbook; name it *.xlsx.")
    if out.exists() and not force:
        raise ReviewError(
            f"{out}: exists already (perhaps with decisions in it). Choose another name or pass "
            "--force."
        )


def show_consensus(proj: Any, out: Path, plan: Any, paths: list[Path]) -> None:
    """What ``review chart consensus`` prints."""
    from rich.markup import escape

    from review.cli.common import err_console, out_console

    con = out_console()
    con.print(
        escape(
            f"Wrote {out}: {len(plan.reports)} reports"
            f"{', ' + plan.unit.count(len(plan.units)) if plan.unit else ''} from "
            f"{', '.join(plan.reviewers)}; {plan.prefilled} cells pre-filled, "
            f"{len(plan.notes)} highlighted to decide ({len(plan.differences)} difference(s))."
        )
    )
    con.print("Agreement per field -> " + escape(proj.rel(paths[1])))
    if plan.not_included:
        err_console().print(
            escape(
                f"Not in the form: {len(plan.not_included)} charted report(s) no longer included "
                f"({', '.join(plan.not_included[:5])}{' …' if len(plan.not_included) > 5 else ''})."
            )
        )
    err_console().print(
        "Decide the highlighted cells, then: "
        + escape(f"review chart import {quote(str(out))} --reviewer consensus")
    )


@chart_app.command("summary")
def summary_cmd(project: ProjectOpt = None, json_out: JsonOpt = False) -> None:
    """Frequency tables, overview per level, crosstabs and an evidence-gap map.

    Uses the final charting (consensus, or the only reviewer's). Writes
    outputs/charting/summary.xlsx, summary.md, gap-map.svg and gap-map.png.

    Example:

    \b
        review chart summary
    """

    from review.chart import write_summary_outputs
    from review.cli.common import open_project, print_json

    proj = open_project(project)
    summary, paths = write_summary_outputs(proj)
    if json_out:
        print_json(
            {
                "reports": summary.n_reports,
                **({f"{summary.unit.name}s": summary.n_units} if summary.unit else {}),
                "frequencies": {
                    f"{t.level}:{t.field_id}": {
                        "denominator": t.denominator,
                        "multi": t.multi,
                        "counts": t.counts(),
                    }
                    for t in summary.frequencies
                },
                "outputs": [proj.rel(p) for p in paths],
            }
        )
        return
    show_summary(proj, summary, paths)


def show_summary(proj: Any, summary: Any, paths: list[Path]) -> None:
    """What ``review chart summary`` prints."""
    from rich.markup import escape

    from review.cli.common import out_console

    con = out_console()
    unit = f", {summary.unit.count(summary.n_units)}" if summary.unit else ""
    con.print(f"{summary.n_reports} reports{unit}.")
    for t in summary.frequencies:
        if t.field_id in {fid for fid in _headline(summary)}:
            counts = ", ".join(f"{k} {v}" for k, v in t.counts().items() if v)
            con.print(escape(f"  {t.label} ({t.denominator_text}): {counts}"))
    con.print("Wrote " + escape(", ".join(proj.rel(p) for p in paths)))


def _headline(summary: object) -> list[str]:
    """Fields shown on the terminal: the overview and sample fields (the rest is in the files)."""
    rows = getattr(summary, "overview_columns", []) + getattr(summary, "sample_columns", [])
    return [key for key, _ in rows]


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root app."""
    app.add_typer(chart_app, name="chart")
