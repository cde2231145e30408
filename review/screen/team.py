"""The lead reviewer's view (`team`): per stage and reviewer, who has done what.

Everything is computed from the screening and resolution logs (docs/team.md, "The lead
reviewer's view"):

- **decided**: the reviewer's standing decisions on records eligible at the stage;
- **to screen** and **remaining**: the records the reviewer is to screen (every eligible record,
  or on a split stage the reviewer's assignment, :mod:`review.screen.assign`) and those of them
  the reviewer has not decided that still need a screener (fewer than ``reviewers_per_record``
  decided them);
- **pace**: decisions per active hour. The times of the reviewer's standing decisions at the
  stage are split into *sessions* wherever two decisions are more than 30 minutes apart; a
  session of *m* decisions lasting *d* (first to last) gives *m − 1* decisions in *d*, and pace
  = Σ(m − 1) / Σ d. No pace until some session has two decisions (one decision has no duration).
  A decision less than a second after the one before was recorded in a batch (a sheet import
  writes every row at once): it counts as decided but is not timed;
- **time left**: remaining / pace;
- **agreement**: with each other reviewer, on the records both decided: the number of records,
  % agreement and Cohen's κ (``maybe`` its own category, as `disagreements`);
- **conflicts waiting**: records the reviewer decided whose decisions disagree and that no
  resolver has settled yet;
- **last activity**: the time of the reviewer's latest standing decision at the stage;
- **charting**: the reports in each charter's latest charting, of the included reports.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from review.chart.store import status_summary
from review.model import STAGES, Stage
from review.people import screening_roster
from review.screen import stats
from review.screen.cache import cluster_index, no_gc
from review.screen.final import final_from_state, stage_state
from review.screen.logs import ReviewerDecision, decisions_for

if TYPE_CHECKING:
    from review.project import Project
    from review.screen.final import FinalDecision, StageState

SESSION_GAP_SECONDS = 30 * 60
# Nobody screens a record in under a second: decisions closer together were recorded in one go
# (a sheet import, a script) and carry no pace.
BATCH_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class PairAgreement:
    """One reviewer against another on the records both decided at a stage."""

    other: str
    records: int
    agreements: int
    percent_agreement: float | None
    cohen_kappa: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "other": self.other,
            "records": self.records,
            "agreements": self.agreements,
            "percent_agreement": self.percent_agreement,
            "cohen_kappa": self.cohen_kappa,
        }


@dataclass(frozen=True, slots=True)
class Pace:
    """Decisions per active hour from the decision times (sessions split at 30-minute gaps;
    decisions less than a second apart are a batch, e.g. a sheet import, and not timed)."""

    sessions: int
    active_hours: float
    per_hour: float | None  # None until a session has two timed decisions
    batched: int = 0  # decisions recorded less than BATCH_SECONDS after the one before

    @classmethod
    def of(cls, times: list[datetime], gap: float = SESSION_GAP_SECONDS) -> Pace:
        if not times:
            return cls(0, 0.0, None)
        times = sorted(times)
        sessions, seconds, counted, batched = 1, 0.0, 0, 0
        for before, after in itertools.pairwise(times):
            step = (after - before).total_seconds()
            if step > gap:
                sessions += 1
            elif step < BATCH_SECONDS:
                batched += 1
            else:
                seconds += step
                counted += 1
        per_hour = counted / (seconds / 3600) if seconds > 0 else None
        return cls(sessions, seconds / 3600, per_hour, batched)


@dataclass(frozen=True, slots=True)
class ReviewerProgress:
    """One reviewer at one stage."""

    reviewer: str
    to_screen: int  # eligible records, or the reviewer's assignment on a split stage
    decided: int
    remaining: int
    pace: Pace
    hours_left: float | None
    conflicts_waiting: int
    last_activity: str | None
    agreement: tuple[PairAgreement, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "reviewer": self.reviewer,
            "to_screen": self.to_screen,
            "decided": self.decided,
            "remaining": self.remaining,
            "decisions_per_hour": self.pace.per_hour,
            "active_hours": round(self.pace.active_hours, 4),
            "sessions": self.pace.sessions,
            "batched": self.pace.batched,
            "hours_left": self.hours_left,
            "conflicts_waiting": self.conflicts_waiting,
            "last_activity": self.last_activity,
            "agreement": [p.to_json() for p in self.agreement],
        }


@dataclass(frozen=True, slots=True)
class StageTeam:
    """One stage: its records, how they are split and every reviewer's progress."""

    stage: Stage
    eligible: int
    reviewers_per_record: int
    assignment: str  # all | split
    final_decided: int
    conflicts: int
    reviewers: tuple[ReviewerProgress, ...]
    stopped: bool = False  # the team recorded a stop (docs/ranking.md, "Team stop")

    def to_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "stopped": self.stopped,
            "eligible": self.eligible,
            "reviewers_per_record": self.reviewers_per_record,
            "assignment": self.assignment,
            "final_decided": self.final_decided,
            "conflicts": self.conflicts,
            "reviewers": [r.to_json() for r in self.reviewers],
        }


@dataclass(frozen=True, slots=True)
class TeamCharting:
    """Charting: reports to chart and each charter's latest charting (as `status`)."""

    included_reports: int | None  # None while full-text screening cannot say
    charted: Mapping[str, int]  # reviewer -> reports in their latest charting, sorted by name
    final: str | None  # whose charting is final (consensus), None when none yet

    def to_json(self) -> dict[str, Any]:
        return {
            "included_reports": self.included_reports,
            "charted": dict(self.charted),
            "final": self.final,
        }


@dataclass(frozen=True, slots=True)
class TeamView:
    """`team`: one :class:`StageTeam` per screening stage and the charting progress
    (``--json``: :meth:`to_json`)."""

    stages: tuple[StageTeam, ...]
    charting: TeamCharting | None = None
    session_gap_minutes: int = SESSION_GAP_SECONDS // 60

    def to_json(self) -> dict[str, Any]:
        return {
            "session_gap_minutes": self.session_gap_minutes,
            "stages": [s.to_json() for s in self.stages],
            "charting": None if self.charting is None else self.charting.to_json(),
        }


def _time(at: str) -> datetime | None:
    try:
        return datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        return None


def _pairs(
    me: str, decisions: Mapping[str, Mapping[str, ReviewerDecision]], stage: Stage, elig: set[str]
) -> tuple[PairAgreement, ...]:
    categories = decisions_for(stage)
    mine = decisions[me]
    out = []
    for other in sorted(decisions):
        if other == me:
            continue
        theirs = decisions[other]
        both = [
            (d.decision, theirs[cid].decision)
            for cid, d in mine.items()
            if cid in theirs and cid in elig
            and d.decision in categories and theirs[cid].decision in categories
        ]  # fmt: skip
        if not both:
            continue
        s = stats.two_rater_stats(stats.confusion(both, categories))
        out.append(PairAgreement(other, s.n, s.agreements, s.percent_agreement, s.cohen_kappa))
    return tuple(out)


def stage_team(
    project: Project, state: StageState, final: Mapping[str, FinalDecision]
) -> StageTeam:
    """One stage's team figures from its state and final decisions."""
    split = state.split
    elig_list = state.eligible
    elig = set(elig_list)
    names = sorted(set(screening_roster(project.protocol, state.stage)) | set(state.decisions))
    conflicts = {cid for cid, fd in final.items() if fd.via == "conflict"}
    needs_screener = {cid for cid in elig if (fd := final.get(cid)) is None or fd.via == "pending"}
    if state.stopped:  # a team stop: nobody is offered the records they have not screened
        needs_screener = set()
    rows = []
    for name in names:
        mine = {cid: d for cid, d in state.decisions.get(name, {}).items() if cid in elig}
        todo = elig_list if split is None else split.records_for(name, elig_list)
        # a record still needs a screener only while fewer than `required` decided it ("pending");
        # agreed, conflicting and resolved records need nobody else (a resolver on the roster
        # had "490 left" on a finished stage)
        remaining = sum(1 for cid in todo if cid not in mine and cid in needs_screener)
        times = [t for d in mine.values() if (t := _time(d.at)) is not None]
        pace = Pace.of(times)
        left = remaining / pace.per_hour if pace.per_hour else (0.0 if not remaining else None)
        rows.append(
            ReviewerProgress(
                reviewer=name,
                to_screen=len(todo),
                decided=len(mine),
                remaining=remaining,
                pace=pace,
                hours_left=left,
                conflicts_waiting=sum(1 for cid in mine if cid in conflicts),
                last_activity=max((d.at for d in mine.values()), default=None),
                agreement=_pairs(name, state.decisions, state.stage, elig) if mine else (),
            )
        )
    return StageTeam(
        stage=state.stage,
        eligible=len(elig_list),
        reviewers_per_record=state.required,
        assignment="all" if split is None else "split",
        final_decided=sum(1 for fd in final.values() if fd.decision is not None),
        conflicts=len(conflicts),
        reviewers=tuple(rows),
        stopped=state.stopped,
    )


@no_gc
def team_view(project: Project) -> TeamView:
    """Per stage and reviewer: decided, remaining, pace, time left, agreement with each other
    reviewer, conflicts waiting, last activity (ProjectError before `dedup`)."""
    clusters = cluster_index(project)
    out = []
    ta_final = None
    for stage in STAGES:
        state = stage_state(project, stage, clusters, _ta_final=ta_final)
        final = final_from_state(state)
        if stage == "title-abstract":
            ta_final = final
        out.append(stage_team(project, state, final))
    return TeamView(tuple(out), _charting(project))


def _charting(project: Project) -> TeamCharting | None:
    """Each charter's progress (None before anything is charted)."""
    info = status_summary(project)
    if not info.reviewers:
        return None
    charted = {name: c.reports_charted for name, c in sorted(info.reviewers.items())}
    final = None if info.final is None else (info.final or "consensus")
    return TeamCharting(info.included_reports, charted, final)
