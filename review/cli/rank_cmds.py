"""CLI commands for prioritised screening: simulate (no project) and stopping."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from review.cli.common import (
    JsonOpt,
    ProjectOpt,
    QuietOpt,
    check_stage,
    err_console,
    open_project,
    out_console,
    print_json,
    progress,
)

if TYPE_CHECKING:
    from review.rank.phase import StoppingReport
    from review.rank.simulate import SimulationMetrics

RecallOpt = Annotated[
    float, typer.Option("--recall", min=0.5, max=0.999, help="Target recall of the test.")
]
ConfidenceOpt = Annotated[
    float, typer.Option("--confidence", min=0.5, max=0.999, help="Confidence of the test.")
]


def simulate(
    file: Annotated[Path, typer.Argument(help="A labelled export (CSV, RIS, …).", exists=True)],
    label_column: Annotated[
        str, typer.Option("--label-column", help="The 0/1 column: 1 = included.")
    ] = "label_included",
    seed: Annotated[int, typer.Option("--seed", help="Seed for the priors and the model.")] = 0,
    prior_included: Annotated[
        int, typer.Option("--prior-included", min=0, help="Included records drawn as priors.")
    ] = 1,
    prior_excluded: Annotated[
        int, typer.Option("--prior-excluded", min=0, help="Excluded records drawn as priors.")
    ] = 1,
    stop: Annotated[
        bool, typer.Option("--stop", help="Also replay the hypergeometric stopping rule.")
    ] = False,
    recall: RecallOpt = 0.95,
    confidence: ConfidenceOpt = 0.95,
    query: Annotated[
        str, typer.Option("--query", help="Rank by this text until the first include is read.")
    ] = "",
    model: Annotated[
        str,
        typer.Option(
            "--model",
            help="svm-df1 (default), svm, svm-weighted, svm-mix, svm-c1, svm-char, ensemble, "
            "logistic (see docs/ranking.md).",
        ),
    ] = "svm-df1",
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder for order.csv, metrics.json, recall.png.")
    ] = Path("simulation"),
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Replay ranked screening on a labelled file: how early would the includes have come?

    No project needed. Draws the priors (one included and one excluded record by default) with
    the seed, then shows the record the model ranks highest, reads its label, retrains, and so
    on. Writes DIR/order.csv (position, record_id, source_position, label), DIR/metrics.json
    (WSS@95, WSS@100, RRF@10, records to find all; with --stop the stopping rule's result) and
    DIR/recall.png (recall curve next to random order).

    Example:

        review simulate labelled.csv --seed 1 --stop -o sim1
    """
    from review.io.outpath import check_output
    from review.rank.simulate import simulate as run
    from review.rank.simulate import write_outputs

    check_output(output, folder=True)
    with progress("Simulating", quiet) as update:
        data, sim = run(
            file,
            label_column=label_column,
            seed=seed,
            prior_included=prior_included,
            prior_excluded=prior_excluded,
            stop=stop,
            recall=recall,
            confidence=confidence,
            model=model,
            query=query,
            progress=update,
        )
    res = write_outputs(data, sim, output, seed=seed, model=model)
    if as_json:
        print_json(res.to_json())
        return
    _print_simulation(res, output)


def _print_simulation(res: SimulationMetrics, output: Path) -> None:
    from rich.markup import escape

    con = out_console()
    m = res.order
    con.print(
        f"{m.n_records} records, {m.n_included} included: all found after "
        f"{m.screened_to_find_all}, 95 % after {m.screened_to_find_95}; WSS@95 "
        f"{m.wss95:.3f}, WSS@100 {m.wss100:.3f}, RRF@10 {m.rrf10:.3f}."
    )
    if res.stop is not None:
        s = res.stop
        con.print(
            f"Stopping rule: stopped after {s.screened} records ({s.ranked_screened} "
            f"ranked + {s.sampled} random), recall {s.recall:.3f}, p = {s.p_value}."
        )
    con.print(f"Wrote {escape(str(output))}/order.csv, metrics.json and recall.png")


def stopping(
    stage: Annotated[str, typer.Option("--stage", help="title-abstract or full-text.")],
    reviewer: Annotated[str, typer.Option("--reviewer", help="Whose screening to test.")],
    recall: RecallOpt = 0.95,
    confidence: ConfidenceOpt = 0.95,
    start_sample: Annotated[
        bool,
        typer.Option(
            "--start-sample",
            help="Start the random sample of your unscreened records (logged; `review screen` "
            "then shows them in that random order).",
        ),
    ] = False,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random sample.")] = 0,
    record_stop: Annotated[
        bool,
        typer.Option(
            "--record-stop",
            help="Record the team's decision to stop this stage (only when the test allows).",
        ),
    ] = False,
    by: Annotated[str | None, typer.Option("--by", help="Who records the decision.")] = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """May you stop screening? The hypergeometric stopping test on a random sample.

    After ranked screening, start a random sample of the records you have not screened
    (--start-sample) and screen on (`review screen` shows the sample). This command then says
    the p-value of "recall is below the target", whether it is safe to stop, and how many more
    random records to screen if they hold no include. Heuristics (consecutive excludes, a
    SAFE-style minimum) are shown too, labelled as heuristics. --record-stop --by NAME records
    the team's decision; PRISMA then reports the records nobody screened as excluded by
    automation tools.

    Example:

        review stopping --stage title-abstract --reviewer Ana --start-sample
        review stopping --stage title-abstract --reviewer Ana --json
        review stopping --stage title-abstract --reviewer Ana --record-stop --by Cleo
    """
    check_stage(stage)
    from review.rank import phase

    proj = open_project(project)
    if start_sample:
        started = phase.start_sample(proj, stage, reviewer, seed)
        if as_json:
            print_json(started.to_json())
            return
        from rich.markup import escape

        out_console().print(
            f"Random sample started for {escape(reviewer)} at {stage}: {started.urn} "
            "unscreened records. "
            "`review screen` now shows them in random order; run `review stopping` as you go."
        )
        return
    if record_stop:
        from rich.markup import escape

        from review.project import whoami

        stop = phase.record_stop(proj, stage, reviewer, by or whoami(), recall, confidence)
        if as_json:
            print_json(stop.to_json())
            return
        out_console().print(
            f"Recorded: {stage} stopped by the rule (p = {stop.p_value:.4f}, recall target "
            f"{recall}, confidence {confidence}) by {escape(stop.by)}."
        )
        return
    rep = phase.report(proj, stage, reviewer, recall, confidence)
    if as_json:
        print_json(rep.to_json())
        return
    _print_report(rep)


def _print_report(rep: StoppingReport) -> None:
    from rich.markup import escape

    con = out_console()
    con.print(
        f"[bold]{escape(rep.reviewer)}[/bold] at {rep.stage}: {rep.screened} of "
        f"{rep.eligible} records screened, {rep.relevant_found} included or maybe."
    )
    sample = rep.sample
    if sample is None:
        con.print("Statistical test: no random sample yet. " + escape(rep.next_step))
    else:
        t = sample.test
        verdict = "[green]safe to stop[/green]" if rep.safe_to_stop else "[red]not yet[/red]"
        more = t.more_to_screen
        more_text = (
            "none"
            if more == 0
            else ("the whole rest (the test cannot reject)" if more is None else str(more))
        )
        con.print(
            f"Statistical test ({escape(sample.rule)}): {t.sampled} of {t.urn} random "
            f"records screened, {t.sample_includes} relevant; H0 recall < "
            f"{t.recall_target}: p = {t.p_value:.4f} → {verdict} at confidence "
            f"{t.confidence}. More random records to screen (if none is relevant): "
            f"{more_text}."
        )
        for w in sample.warnings:
            err_console().print(f"Warning: {escape(w)}")
    h = rep.heuristics
    con.print(
        f"Heuristics (no guarantee): {h.consecutive_excludes} consecutive excludes "
        f"(rule of thumb: {h.consecutive_excludes_rule}: "
        f"{'met' if h.consecutive_rule_met else 'not met'}); SAFE-style minimum of "
        f"{h.safe_minimum_screened} screened plus that run: "
        f"{'met' if h.safe_minimum_met else 'not met'}."
    )


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root app."""
    app.command("simulate")(simulate)
    app.command("stopping")(stopping)
