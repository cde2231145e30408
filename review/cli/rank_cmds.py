"""CLI commands for prioritised screening: simulate (no project) and stopping."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from review.cli.commands import command_text, render
from review.cli.common import (
    JsonOpt,
    ProjectOpt,
    QuietOpt,
    err_console,
    open_project,
    out_console,
    print_json,
    progress,
)
from review.errors import ReviewError
from review.model import Stage

if TYPE_CHECKING:
    from review.project import Project
    from review.rank.phase import StoppingReport
    from review.rank.simulate import Labelled, SimulationMetrics
    from review.rank.stopping import Heuristics
    from review.rank.team import TeamStoppingReport
    from review.rank.teamsim import TeamSimulation

RecallOpt = Annotated[
    float,
    typer.Option(
        "--recall", metavar="<0.5-0.999>", min=0.5, max=0.999, help="Target recall of the test."
    ),
]
ConfidenceOpt = Annotated[
    float,
    typer.Option(
        "--confidence", metavar="<0.5-0.999>", min=0.5, max=0.999, help="Confidence of the test."
    ),
]


ModelOpt = Annotated[
    str,
    typer.Option(
        "--model",
        help="svm-df1 (default), svm, svm-weighted, svm-mix, svm-c1, svm-char, ensemble, "
        "logistic (see docs/ranking.md).",
    ),
]
OutputOpt = Annotated[
    Path, typer.Option("--output", "-o", help="Folder for order.csv, metrics.json, recall.png.")
]
ReviewersOpt = Annotated[
    int,
    typer.Option(
        "--reviewers",
        metavar="<1-9>",
        min=1,
        max=9,
        help="2 or more: also simulate a team of blind reviewers and the team stopping rule "
        '(metrics.json "team", team-runs.csv).',
    ),
]
ErrorRateOpt = Annotated[
    list[float] | None,
    typer.Option(
        "--error-rate",
        metavar="<0-1>",
        help="Team mode: each simulated reviewer's chance of answering a record wrongly (once "
        "for all reviewers, or once per reviewer). Default 0.05.",
    ),
]
TestedReviewerOpt = Annotated[
    str | None, typer.Option("--reviewer", help="Whose screening to test (single screening).")
]
PriorIncludedOpt = Annotated[
    int,
    typer.Option(
        "--prior-included", metavar="<n>", min=0, help="Included records drawn as priors."
    ),
]
PriorExcludedOpt = Annotated[
    int,
    typer.Option(
        "--prior-excluded", metavar="<n>", min=0, help="Excluded records drawn as priors."
    ),
]
RunsOpt = Annotated[
    int,
    typer.Option(
        "--runs", metavar="<n>", min=1, help="Team mode: simulated teams (seeds SEED, SEED+1, …)."
    ),
]
TeamOpt = Annotated[
    bool,
    typer.Option(
        "--team",
        help="The team's test: on the records screened by the required number of reviewers "
        "(dual screening; see docs/ranking.md).",
    ),
]
StartSampleOpt = Annotated[
    bool,
    typer.Option(
        "--start-sample",
        help="Start the random sample of your unscreened records (logged; `review screen` then "
        "shows them in that random order). With --team: the team's sample.",
    ),
]
RecordStopOpt = Annotated[
    bool,
    typer.Option(
        "--record-stop",
        help="Record the team's decision to stop this stage (only when the test allows).",
    ),
]


def simulate(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="A labelled export (CSV, RIS, …).", exists=True)
    ],
    label_column: Annotated[
        str, typer.Option("--label-column", help="The 0/1 column: 1 = included.")
    ] = "label_included",
    seed: Annotated[int, typer.Option("--seed", help="Seed for the priors and the model.")] = 0,
    prior_included: PriorIncludedOpt = 1,
    prior_excluded: PriorExcludedOpt = 1,
    stop: Annotated[
        bool, typer.Option("--stop", help="Also replay the hypergeometric stopping rule.")
    ] = False,
    recall: RecallOpt = 0.95,
    confidence: ConfidenceOpt = 0.95,
    query: Annotated[
        str, typer.Option("--query", help="Rank by this text until the first include is read.")
    ] = "",
    model: ModelOpt = "svm-df1",
    output: OutputOpt = Path("simulation"),
    reviewers: ReviewersOpt = 1,
    error_rate: ErrorRateOpt = None,
    runs: RunsOpt = 1,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Replay ranked screening on a labelled file: how early would the includes have come?

    No project needed. Draws the priors (one included and one excluded record by default) with
    the seed, then shows the record the model ranks highest, reads its label, retrains, and so
    on. Writes DIR/order.csv (position, record_id, source_position, label), DIR/metrics.json
    (WSS@95, WSS@100, RRF@10, records to find all; with --stop the stopping rule's result) and
    DIR/recall.png (recall curve next to random order).

    With --reviewers 2 (or more) it also simulates teams: each reviewer answers from the labels
    with independent errors (--error-rate), ranks by their own answers, the team samples the
    records not screened by all and stops by the team's test; metrics.json "team" gives recall
    at the stop over --runs teams and the reading saved, team-runs.csv one row per team.

    Example:

    \b
        review simulate labelled.csv --seed 1 --stop -o sim1
        review simulate labelled.csv --reviewers 2 --error-rate 0.05 \\
            --runs 20 -o team
    """
    from review.io.outpath import check_output
    from review.rank.simulate import simulate as run
    from review.rank.simulate import write_outputs

    rates = _error_rates(reviewers, error_rate)
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
    team_sim = None
    if rates is not None:
        team_sim = _simulate_teams(data, rates, runs, seed, recall, confidence, model, quiet)
    res = write_outputs(data, sim, output, seed=seed, model=model, team=team_sim)
    if as_json:
        print_json(res.to_json())
        return
    _print_simulation(res, output)


def _simulate_teams(
    data: Labelled,
    rates: list[float],
    runs: int,
    seed: int,
    recall: float,
    confidence: float,
    model: str,
    quiet: bool,
) -> TeamSimulation:
    from review.rank.teamsim import simulate_team

    with progress("Simulating teams", quiet) as update:
        return simulate_team(
            data.texts, data.labels, rates, runs=runs, seed=seed, recall=recall,
            confidence=confidence, model=model, progress=update,
        )  # fmt: skip


def _error_rates(reviewers: int, given: list[float] | None) -> list[float] | None:
    """Each simulated reviewer's error rate (None: no team simulation)."""
    if reviewers < 2:
        if given:
            raise ReviewError("--error-rate is for team simulations: add --reviewers 2.")
        return None
    rates = list(given or [0.05])
    if len(rates) == 1:
        rates *= reviewers
    if len(rates) != reviewers:
        raise ReviewError(
            f"--error-rate given {len(rates)} times for {reviewers} reviewers: give it once "
            "(the same for all) or once per reviewer."
        )
    return rates


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
    team = res.team
    if team is not None:
        j = team.to_json()
        con.print(
            f"Team of {team.reviewers} (error rates {', '.join(map(str, team.error_rates))}), "
            f"{j['n_runs']} runs: recall ≥ {team.recall_target} in {j['runs_recall_met']} "
            f"({j['share_recall_met']:.0%}); mean recall {j['recall_mean']:.3f} (min "
            f"{j['recall_min']:.3f}); records nobody screened {j['saved_mean']:.1%} on average."
        )
    extra = ", team-runs.csv" if team is not None else ""
    con.print(f"Wrote {escape(str(output))}/order.csv, metrics.json{extra} and recall.png")


def stopping(
    stage: Annotated[Stage, typer.Option("--stage", help="title-abstract or full-text.")],
    reviewer: TestedReviewerOpt = None,
    team: TeamOpt = False,
    recall: RecallOpt = 0.95,
    confidence: ConfidenceOpt = 0.95,
    start_sample: StartSampleOpt = False,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random sample.")] = 0,
    record_stop: RecordStopOpt = False,
    by: Annotated[str | None, typer.Option("--by", help="Who records the decision.")] = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """May you stop screening? The hypergeometric stopping test on a random sample.

    Under dual screening use --team: the test runs on the records screened by the required
    number of reviewers, --team --start-sample starts one sample for everyone, and --team
    --record-stop ends the stage for everyone (docs/ranking.md, "Team stop").

    After ranked screening, start a random sample of the records you have not screened
    (--start-sample) and screen on (`review screen` shows the sample). This command then says
    the p-value of "recall is below the target", whether it is safe to stop, and how many more
    random records to screen if they hold no include. Heuristics (consecutive excludes, a
    SAFE-style minimum) are shown too, labelled as heuristics. --record-stop --by NAME records
    the team's decision; PRISMA then reports the records nobody screened as excluded by
    automation tools.

    Example:

    \b
        review stopping --stage title-abstract --reviewer Ana --start-sample
        review stopping --stage title-abstract --reviewer Ana --json
        review stopping --stage full-text --reviewer Ana --record-stop --by Cleo
        review stopping --stage title-abstract --team --start-sample --by Cleo
        review stopping --stage title-abstract --team --record-stop --by Cleo
    """
    from review.rank import phase

    proj = open_project(project)
    if team:
        _team_stopping(
            proj, stage, recall, confidence, start_sample, seed, record_stop, by, as_json
        )
        return
    if reviewer is None:
        raise ReviewError("Say whose screening to test (--reviewer NAME) or use --team.")
    if start_sample:
        started = phase.start_sample(proj, stage, reviewer, seed)
        if as_json:
            print_json(started.to_json())
            return
        from rich.markup import escape

        out_console().print(
            f"Random sample started for {escape(reviewer)} at {stage}: {started.urn} unscreened "
            "records. `review screen` now shows them in random order; run `review stopping` as you go."
        )
        return
    if record_stop:
        from rich.markup import escape

        from review.project import whoami

        who = by or whoami()
        stop = phase.record_stop(proj, stage, reviewer, who, recall, confidence)
        if as_json:
            print_json(stop.to_json())
            return
        out_console().print(
            f"Recorded: {stage} stopped by the rule (p = {stop.p_value:.4f}, recall target "
            f"{recall}, confidence {confidence}) by {escape(who)}."
        )
        return
    rep = phase.report(proj, stage, reviewer, recall, confidence)
    if as_json:
        print_json(rep.to_json(command_text))
        return
    _print_report(rep, proj.protocol.stage(stage).reviewers_per_record)


def _team_stopping(
    proj: Project,
    stage: Stage,
    recall: float,
    confidence: float,
    start_sample: bool,
    seed: int,
    record_stop: bool,
    by: str | None,
    as_json: bool,
) -> None:
    from rich.markup import escape

    from review.project import whoami
    from review.rank import team

    con = out_console()
    if start_sample:
        line = team.start_team_sample(proj, stage, by or whoami(), seed)
        if as_json:
            print_json(line.to_json())
            return
        con.print(
            f"The team's random sample started at {stage}: {line.urn} records not yet screened "
            f"by {line.required} reviewers. Every reviewer's `review screen` now shows them "
            "first, in one random order; run `review stopping --team` as you go."
        )
        return
    if record_stop:
        stop = team.record_team_stop(proj, stage, by or whoami(), recall, confidence)
        if as_json:
            print_json(stop.to_json())
            return
        con.print(
            f"Recorded: {stage} stopped for the whole team by the rule (p = {stop.p_value:.4f}, "
            f"recall target {recall}, confidence {confidence}) by {escape(stop.by or '')}. "
            "Nobody is offered "
            "the records they have not screened; records nobody screened are reported as "
            "excluded by automation tools; a record only some reviewers screened keeps their "
            "exclude, or is a conflict to resolve (`review resolve`) if one included it."
        )
        return
    rep = team.team_report(proj, stage, recall, confidence)
    if as_json:
        print_json(rep.to_json(command_text))
        return
    _print_team_report(rep)


def _print_team_report(rep: TeamStoppingReport) -> None:
    from rich.markup import escape

    con = out_console()
    con.print(
        f"The team at {rep.stage}: {rep.screened_by_team} of {rep.eligible} records screened by "
        f"{rep.required} reviewer{'s' * (rep.required != 1)}, {rep.relevant_found} included "
        "or maybe."
    )
    if rep.stopped is not None:
        con.print(
            f"Stopped on {rep.stopped.at[:10]} by {escape(rep.stopped.by or '?')} "
            f"(p = {rep.stopped.p_value:.4f}, {escape(rep.stopped.scope)} test)."
        )
    sample = rep.sample
    if sample is None:
        con.print(
            "Statistical test: the team's random sample has not started (`review stopping "
            f"--stage {rep.stage} --team --start-sample --by NAME`)."
        )
    else:
        t = sample.test
        verdict = "[green]safe to stop[/green]" if rep.safe_to_stop else "[red]not yet[/red]"
        agree = (
            "" if sample.sample_agreement is None
            else f"; the reviewers agreed on {sample.sample_agreement:.0%} of them"
        )  # fmt: skip
        con.print(
            f"Statistical test (team): {t.sampled} of {t.urn} random records screened by the "
            f"team, {t.sample_includes} relevant{agree}; H0 recall < {t.recall_target}: "
            f"p = {t.p_value:.4f} → {verdict} at confidence {t.confidence}. More random "
            f"records to screen (if none is relevant): {_more_text(t.more_to_screen)}."
        )
        for w in sample.warnings:
            err_console().print(f"Warning: {escape(render(w))}")
    _print_heuristics(rep.heuristics)


def _more_text(more: int | None) -> str:
    if more == 0:
        return "none"
    return "the whole rest (the test cannot reject)" if more is None else str(more)


def _print_heuristics(h: Heuristics) -> None:
    out_console().print(
        f"Heuristics (no guarantee): {h.consecutive_excludes} consecutive excludes "
        f"(rule of thumb: {h.consecutive_excludes_rule}: "
        f"{'met' if h.consecutive_rule_met else 'not met'}); SAFE-style minimum of "
        f"{h.safe_minimum_screened} screened plus that run: "
        f"{'met' if h.safe_minimum_met else 'not met'}."
    )


def _print_report(rep: StoppingReport, required: int) -> None:
    from rich.markup import escape

    con = out_console()
    if required > 1:
        con.print(
            f"Note: the protocol asks for {required} reviewers per record, so this is "
            f"{escape(rep.reviewer)}'s own test: only the team's test (--team) can stop "
            f"{rep.stage} for everyone."
        )
    con.print(
        f"[bold]{escape(rep.reviewer)}[/bold] at {rep.stage}: {rep.screened} of "
        f"{rep.eligible} records screened, {rep.relevant_found} included or maybe."
    )
    sample = rep.sample
    if sample is None:
        con.print("Statistical test: no random sample yet. " + escape(render(rep.next_step)))
    else:
        t = sample.test
        verdict = "[green]safe to stop[/green]" if rep.safe_to_stop else "[red]not yet[/red]"
        more_text = _more_text(t.more_to_screen)
        con.print(
            f"Statistical test ({escape(sample.rule)}): {t.sampled} of {t.urn} random "
            f"records screened, {t.sample_includes} relevant; H0 recall < "
            f"{t.recall_target}: p = {t.p_value:.4f} → {verdict} at confidence "
            f"{t.confidence}. More random records to screen (if none is relevant): "
            f"{more_text}."
        )
        for w in sample.warnings:
            err_console().print(f"Warning: {escape(render(w))}")
    _print_heuristics(rep.heuristics)


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root app."""
    app.command("simulate")(simulate)
    app.command("stopping")(stopping)
