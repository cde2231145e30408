"""The team's stopping test under dual (or k-fold) screening, read from the plain files.

What the test means (docs/ranking.md, "Team stop"): a record counts as *screened by the team*
once the protocol's ``reviewers_per_record`` reviewers have decided it (or a resolver has). The
hypergeometric test of :mod:`review.rank.stopping` then runs on the team's records, not on one
reviewer's:

1. Every reviewer screens in their own ranked order (blind, as before).
2. ``stopping --team --start-sample`` appends a ``team-sample`` line to
   ``data/stopping/<by>.jsonl``. The urn is every eligible record not screened by the team when
   that line was written (a record counts when its required-th decision, or its resolution, is
   older than the line); its random order is a hash of (stage, seed, record id), the same for
   every reviewer, and every reviewer's screener shows it first.
3. The sample is the longest prefix of that order screened by the team. A sampled record is
   relevant when its final decision is include or maybe, *or* the reviewers disagree and nobody
   has resolved it yet (counted as relevant until resolved: the conservative choice). Among the
   records screened before the sample, only final includes/maybes count (an unresolved
   conflict does not): both choices can only make the test harder to pass. The reviewers'
   agreement on the sample is reported beside the test.
4. ``--record-stop --by NAME`` (refused unless the test rejects) writes a ``stop`` line with
   ``scope: "team"``. The stop ends the stage for everyone: see :mod:`review.rank.stopline` and
   :func:`review.screen.final.stage_state` for what happens to the records not yet screened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from review.errors import ReviewError
from review.io.logline import STOPPING_LOG
from review.model import RELEVANT, Stage
from review.nextstep import Action, Render, Text, plain, step
from review.rank.stopline import (
    TEAM_SAMPLE_OP,
    StopDecision,
    TeamSampleLine,
    append_stopping,
    stop_decision,
    stop_line,
    team_sample_line,
)
from review.rank.stopping import Heuristics, StopTest, heuristics, stop_test
from review.screen.final import final_from_state, stage_state
from review.screen.order import queue_order

if TYPE_CHECKING:
    from review.project import Project
    from review.screen.final import FinalDecision, StageState

TEAM_RULE = (
    "hypergeometric stopping test (Callaghan & Müller-Hansen 2020, Syst Rev 9:273) on the "
    "records screened by the required number of reviewers"
)


@dataclass(frozen=True, slots=True)
class TeamPhase:
    """The team's screening at one stage, and its random sample if one was started."""

    stage: Stage
    required: int
    eligible: int
    screened_by_team: int  # records screened by the required number of reviewers (or resolved)
    relevant_found: int  # of those, final include or maybe
    started: TeamSampleLine | None
    urn: tuple[str, ...]  # in the sample's random order (empty before the sample)
    ranked_relevant: int  # relevant among the records screened by the team before the sample
    sample: tuple[int, ...]  # 0/1 per sampled record, in order
    sample_agreed: int  # sampled records on which every reviewer who decided agreed
    sample_conflicts: int  # sampled records still in conflict (counted as relevant)
    completion_labels: tuple[int, ...]  # 0/1 of the team's records, in the order they completed


def sample_order(urn: list[str], stage: Stage, seed: int) -> list[str]:
    """The team urn's random order (fixed by stage, seed and record ids; one for everyone)."""
    return queue_order(urn, "team", f"{stage}/team-sample", seed)


def _done_at(cid: str, state: StageState) -> str | None:
    """When the record became screened by the team: the time of its required-th decision or
    of its resolution, whichever came first; None when it is not screened by the team yet."""
    ats = sorted(d.at for d in state.by_cluster().get(cid, ()))
    when = ats[state.required - 1] if len(ats) >= state.required else None
    res = state.resolutions.get(cid)
    if res is not None and (when is None or res.at < when):
        when = res.at
    return when


def _relevant(fd: FinalDecision) -> bool:
    return fd.decision in RELEVANT


def read_team_phase(project: Project, stage: Stage) -> TeamPhase:
    """Replay every reviewer's log and the resolutions at ``stage`` (module docstring)."""
    state = stage_state(project, stage)
    final = final_from_state(state)
    line = team_sample_line(project, stage)
    done = {cid: at for cid in state.eligible if (at := _done_at(cid, state)) is not None}
    completed = sorted(done, key=lambda c: (done[c], c))
    before = [c for c in completed if line is None or done[c] <= line.at]
    labels = tuple(int(_relevant(final[c])) for c in completed)
    urn: list[str] = []
    sample: list[int] = []
    agreed = conflicts = 0
    if line is not None:
        ranked = set(before)
        urn = sample_order([c for c in state.eligible if c not in ranked], stage, line.seed)
        for cid in urn:
            fd = final[cid]
            if cid not in done:
                break
            unresolved = fd.via == "conflict"
            conflicts += unresolved
            sample.append(int(_relevant(fd) or unresolved))
            agreed += len({d.decision for d in fd.decisions}) == 1
    return TeamPhase(
        stage=stage,
        required=state.required,
        eligible=len(state.eligible),
        screened_by_team=len(done),
        relevant_found=sum(labels),
        started=line,
        urn=tuple(urn),
        ranked_relevant=sum(int(_relevant(final[c])) for c in before),
        sample=tuple(sample),
        sample_agreed=agreed,
        sample_conflicts=conflicts,
        completion_labels=labels if line is None else labels[: len(before)],
    )


@dataclass(frozen=True, slots=True)
class TeamSampleTest:
    """The test on the team's random sample, the reviewers' agreement on it, and warnings."""

    test: StopTest
    started_at: str
    started_by: str | None
    urn_at_start_logged: int | None
    sample_agreement: float | None  # share of the sampled records every reviewer agreed on
    sample_conflicts: int  # unresolved conflicts in the sample (counted as relevant)
    warnings: tuple[str | Text, ...]


@dataclass(frozen=True, slots=True)
class TeamStoppingReport:
    """What the team's stopping test reports."""

    stage: Stage
    required: int
    eligible: int
    screened_by_team: int
    relevant_found: int
    heuristics: Heuristics  # on the team's records, in the order they completed
    sample: TeamSampleTest | None
    stopped: StopDecision | None  # the stage's recorded stop, if any

    @property
    def safe_to_stop(self) -> bool:
        return self.sample is not None and self.sample.test.safe_to_stop

    def to_json(self, command: Render = str) -> dict[str, Any]:
        """The team stopping command's ``--json`` (``command`` spells a step in a warning)."""
        out: dict[str, Any] = {
            "stage": self.stage,
            "scope": "team",
            "rule": TEAM_RULE,
            "reviewers_per_record": self.required,
            "eligible": self.eligible,
            "screened_by_team": self.screened_by_team,
            "relevant_found": self.relevant_found,
            "sample_started": self.sample is not None,
            "heuristics": self.heuristics.to_json(),
            "stopped": None if self.stopped is None else self.stopped.to_json(),
        }
        t = self.sample
        if t is None:
            return {**out, "test": None, "safe_to_stop": False}
        return {
            **out,
            "test": t.test.to_dict(),
            "sample_started_at": t.started_at,
            "sample_started_by": t.started_by,
            "urn_at_start_logged": t.urn_at_start_logged,
            "sample_agreement": t.sample_agreement,
            "sample_conflicts": t.sample_conflicts,
            "safe_to_stop": t.test.safe_to_stop,
            "more_to_screen": t.test.more_to_screen,
            "warnings": [plain(w, command) for w in t.warnings],
        }


def team_report(
    project: Project, stage: Stage, recall: float = 0.95, confidence: float = 0.95
) -> TeamStoppingReport:
    """The team's stopping test at ``stage`` (when a sample was started) and the heuristics."""
    ph = read_team_phase(project, stage)
    sample = None
    if ph.started is not None:
        test = stop_test(len(ph.urn), list(ph.sample), ph.ranked_relevant, recall, confidence)
        warnings: list[str | Text] = []
        logged = ph.started.urn
        if logged is not None and logged != len(ph.urn):
            warnings.append(
                f"the urn had {logged} records when the sample started and has {len(ph.urn)} "
                "now (records were imported or deduplicated, or decisions retracted, since): "
                "the test uses the current urn"
            )
        if ph.sample_conflicts:
            warnings.append(
                (
                    f"{ph.sample_conflicts} sampled records are conflicts nobody has resolved: "
                    "they count as relevant until resolved (",
                    step(Action.RESOLVE),
                    ")",
                )
            )
        n = len(ph.sample)
        sample = TeamSampleTest(
            test=test,
            started_at=ph.started.at,
            started_by=ph.started.by,
            urn_at_start_logged=logged,
            sample_agreement=ph.sample_agreed / n if n else None,
            sample_conflicts=ph.sample_conflicts,
            warnings=tuple(warnings),
        )
    return TeamStoppingReport(
        stage=stage,
        required=ph.required,
        eligible=ph.eligible,
        screened_by_team=ph.screened_by_team,
        relevant_found=ph.relevant_found,
        heuristics=heuristics(list(ph.completion_labels), ph.eligible),
        sample=sample,
        stopped=stop_decision(project, stage),
    )


def start_team_sample(project: Project, stage: Stage, by: str, seed: int = 0) -> TeamSampleLine:
    """Append the ``team-sample`` line (once per stage)."""
    if not by.strip():
        raise ReviewError("Say who starts the team's sample: --by NAME.")
    ph = read_team_phase(project, stage)
    if ph.started is not None:
        raise ReviewError(
            f"The team's random sample at {stage} was started on {ph.started.at[:10] or '?'} "
            f"by {ph.started.by or '?'}; screen on (every screener shows it first)."
        )
    if stop_decision(project, stage) is not None:
        raise ReviewError(f"{stage} is already stopped: nothing to sample.")
    urn = ph.eligible - ph.screened_by_team
    if urn == 0:
        raise ReviewError(f"The team has screened every record at {stage}: nothing to sample.")
    line = STOPPING_LOG[TEAM_SAMPLE_OP].line(
        stage=stage,
        seed=seed,
        urn=urn,
        ranked_by_all=ph.screened_by_team,
        ranked_relevant=ph.relevant_found,
        required=ph.required,
        by=by,
    )
    append_stopping(project, by, line)
    return TeamSampleLine.from_line(line)


def record_team_stop(
    project: Project, stage: Stage, by: str, recall: float = 0.95, confidence: float = 0.95
) -> StopDecision:
    """Append the team's decision to stop ``stage`` (refused unless the team's test rejects)."""
    if not by.strip():
        raise ReviewError("Say who records the decision: --by NAME.")
    already = stop_decision(project, stage)
    if already is not None:
        raise ReviewError(
            f"{stage} was already stopped on {already.at[:10]} by {already.by or '?'}; nothing "
            "recorded."
        )
    rep = team_report(project, stage, recall, confidence)
    sample = rep.sample
    if sample is None or not rep.safe_to_stop:
        p = "no team sample yet" if sample is None else f"p = {sample.test.p_value:.4f}"
        raise ReviewError(
            f"The team's stopping test does not allow stopping {stage} yet ({p}); nothing "
            "recorded. Screen more of the team's random sample."
        )
    t = sample.test
    line = stop_line(
        stage, TEAM_RULE, "team", t, recall, confidence, by,
        test_reviewer="", sample_agreement=sample.sample_agreement,
    )  # fmt: skip
    append_stopping(project, by, line)
    return StopDecision.from_line(line)
