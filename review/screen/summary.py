"""``status_summary(project)`` for the project status: progress per stage and reviewer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from review.errors import ReviewError
from review.model import STAGES
from review.nextstep import Text
from review.people import screening_roster, team
from review.rank.stopline import log_problems as stop_log_problems
from review.rank.stopline import stop_decision
from review.screen.cache import no_gc

if TYPE_CHECKING:
    from review.project import Project
    from review.screen.disagreements import LeftOut
    from review.screen.final import FinalDecision, StageState
    from review.screen.fulltext_text import FulltextCounts
    from review.screen.marks import Reopen


@dataclass(frozen=True, slots=True)
class StageStatus:
    """One screening stage on the project status: records eligible and decided, decisions per
    reviewer, open disagreements and the agreement statistics so far (taken from the stage's
    :class:`~review.screen.disagreements.Agreement`)."""

    eligible: int
    final_decided: int
    final_status: Mapping[str, int]  # how final decisions came about (agreement, resolution, …)
    screened_by_reviewer: Mapping[str, int]
    open_disagreements: int
    cohen_kappa: float | None
    kappa_ci95: tuple[float, float] | None
    percent_agreement: float | None
    log_problems: tuple[str, ...]
    reviewers_left_out: tuple[LeftOut, ...]
    # a split stage (docs/team.md, "Assignment"): records assigned to each reviewer
    assigned_by_reviewer: Mapping[str, int] | None = None
    # the team's recorded stop (the stop line + "not_screened": records nobody screened,
    # excluded by automation tools), None when the stage was not stopped
    stopped: Mapping[str, Any] | None = None
    records_compared: int = 0  # records the agreement statistics compare (not in the JSON)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "eligible": self.eligible,
            "final_decided": self.final_decided,
            "final_status": dict(self.final_status),
            "screened_by_reviewer": dict(self.screened_by_reviewer),
            "open_disagreements": self.open_disagreements,
            "cohen_kappa": self.cohen_kappa,
            "kappa_ci95": None if self.kappa_ci95 is None else list(self.kappa_ci95),
            "percent_agreement": self.percent_agreement,
            "log_problems": list(self.log_problems),
            "reviewers_left_out": [left.to_json() for left in self.reviewers_left_out],
        }
        if self.assigned_by_reviewer is not None:  # only on a split stage
            out["assigned_by_reviewer"] = dict(self.assigned_by_reviewer)
        if self.stopped is not None:  # only once the team recorded a stop
            out["stopped"] = dict(self.stopped)
        return out


@dataclass(frozen=True, slots=True)
class ScreeningStatus:
    """Screening on the project status: each stage, the team and the attached full texts, and
    what went wrong reading the logs (the CLI words it). Before dedup has run screening cannot
    start: then ``stages`` is empty, ``roster`` is None and ``not_started`` says why."""

    stages: Mapping[str, StageStatus]
    roster: tuple[str, ...] | None = None
    fulltexts: FulltextCounts | None = None  # None when no full text is attached
    reopened: tuple[Reopen, ...] = ()  # every logged reopen, oldest first
    labels: tuple[tuple[str, int], ...] = ()  # (label, records), most used first
    not_started: Text = ()  # why screening cannot start yet (empty once it can)
    locked: tuple[str, ...] = ()  # the stages the protocol locks
    attach_problems: tuple[str, ...] = ()  # damaged lines of the attachment logs
    mark_problems: tuple[str, ...] = ()  # reopen/label lines that name no known record
    stop_problems: tuple[str, ...] = ()  # damaged lines of the stopping logs

    def to_json(self) -> dict[str, Any]:
        """The ``screening`` object of the project status as JSON."""
        out: dict[str, Any] = {"stages": {k: v.to_json() for k, v in self.stages.items()}}
        if self.roster is not None:
            out["roster"] = list(self.roster)
        if self.fulltexts is not None:
            out["fulltexts"] = self.fulltexts.to_json()
        if self.reopened:
            out["reopened"] = [
            {"record_id": r.record_id, "stage": r.stage, "who": r.who, "reason": r.reason,
             "undoes": r.undoes, "review_reopen": r.unlock, "at": r.at}
            for r in self.reopened
        ]  # fmt: skip
        if self.labels:
            out["labels"] = dict(self.labels)
        return out


@no_gc
def status_summary(project: Project) -> ScreeningStatus:
    """Progress per stage and reviewer, open disagreements and κ so far."""
    from review.screen.cache import cluster_index
    from review.screen.final import final_from_state, stage_state

    try:
        clusters = cluster_index(project)
    except ReviewError as exc:
        return ScreeningStatus(stages={}, not_started=exc.parts)
    stages: dict[str, StageStatus] = {}
    ta_final = None
    for stage in STAGES:
        state = stage_state(project, stage, clusters, _ta_final=ta_final)
        final = final_from_state(state)
        if stage == "title-abstract":
            ta_final = final
        stages[stage] = _stage_status(project, state, final)
    from review.screen.fulltext import attachments
    from review.screen.fulltext_text import status_counts
    from review.screen.marks import read_marks

    problems: list[Any] = []  # damaged or invalid lines of the attachment logs
    attached = attachments(project, clusters, problems)
    marks = read_marks(project, clusters)
    return ScreeningStatus(
        stages,
        tuple(team(project.protocol)),
        status_counts(project, attached) if attached else None,
        marks.reopens,
        tuple(marks.label_counts()),
        locked=tuple(s for s in STAGES if project.protocol.stage(s).locked),
        attach_problems=tuple(str(p) for p in problems),
        mark_problems=tuple(str(p) for p in marks.unknown),
        stop_problems=tuple(str(p) for p in stop_log_problems(project)),
    )


def _stage_status(
    project: Project, state: StageState, final: dict[str, FinalDecision]
) -> StageStatus:
    """One stage's status: records, reviewers, agreement, warnings."""
    from review.screen.disagreements import agreement_from_state

    agr = agreement_from_state(state, final, roster=screening_roster(project.protocol, state.stage))
    return StageStatus(
        eligible=len(state.eligible),
        final_decided=sum(1 for fd in final.values() if fd.decision is not None),
        final_status=agr.final_status,
        screened_by_reviewer=agr.screened_by_reviewer,
        open_disagreements=agr.unresolved,
        cohen_kappa=agr.stats.cohen_kappa,
        kappa_ci95=agr.stats.kappa_ci95,
        percent_agreement=agr.stats.percent_agreement,
        log_problems=agr.log_problems,
        reviewers_left_out=agr.reviewers_left_out,
        assigned_by_reviewer=state.assigned,
        stopped=_stopped(project, state),
        records_compared=agr.stats.records_compared,
    )


def _stopped(project: Project, state: StageState) -> dict[str, Any] | None:
    """The stage's recorded stop and how many eligible records nobody screened."""
    if not state.stopped:
        return None

    stop = stop_decision(project, state.stage)
    if stop is None:
        return None
    by_cluster = state.by_cluster()
    nobody = sum(1 for c in state.eligible if c not in by_cluster and c not in state.resolutions)
    return {**stop.to_json(), "not_screened": nobody}
