"""``status_summary(project)`` for the project status: progress per stage and reviewer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from review.errors import ReviewError
from review.model import STAGES
from review.nextstep import Action, Text, plain, step
from review.percent import percent_text
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
    """Screening on the project status: each stage, the team and the attached full texts;
    ``lines`` is what the terminal shows. Before dedup has run screening cannot start: then
    ``stages`` is empty and ``roster`` is None."""

    stages: Mapping[str, StageStatus]
    lines: tuple[str | Text, ...]
    roster: tuple[str, ...] | None = None
    fulltexts: FulltextCounts | None = None  # None when no full text is attached
    reopened: tuple[Reopen, ...] = ()  # every logged reopen, oldest first
    labels: tuple[tuple[str, int], ...] = ()  # (label, records), most used first

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
        out["lines"] = [plain(x) for x in self.lines]
        return out


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}"


@no_gc
def status_summary(project: Project) -> ScreeningStatus:
    """Progress per stage and reviewer, open disagreements and κ so far.

    ``lines`` is what the project status shows (with next steps as data).
    """
    from review.people import team
    from review.screen.cache import cluster_index
    from review.screen.final import final_from_state, stage_state

    try:
        clusters = cluster_index(project)
    except ReviewError as exc:
        return ScreeningStatus(stages={}, lines=(f"Not started: {exc}",))
    stages: dict[str, StageStatus] = {}
    lines: list[str | Text] = []
    ta_final = None
    for stage in STAGES:
        state = stage_state(project, stage, clusters, _ta_final=ta_final)
        final = final_from_state(state)
        if stage == "title-abstract":
            ta_final = final
        stages[stage] = _stage_status(project, state, final, lines)
    seen = {name for s in stages.values() for name in s.screened_by_reviewer}
    roster = team(project.protocol)
    if seen and not roster:
        lines.append(
            f"warning: protocols/protocol.yaml lists no team (reviewers:), so any name may "
            f"screen; decisions so far come from {len(seen)} name(s): "
            f"{', '.join(sorted(seen))}. List your team there so a typo cannot become a "
            "new reviewer."
        )
    elif roster and (stray := sorted(seen - set(roster))):
        lines.append(
            f"warning: decisions from names not on the team in protocols/protocol.yaml: "
            f"{', '.join(stray)}."
        )
    fulltexts = _fulltext_lines(project, clusters, lines)
    from review.screen.marks import read_marks

    marks = read_marks(project, clusters)
    _marks_lines(marks, lines)
    from review.rank.stopline import log_problems as stop_log_problems

    lines.extend(f"warning: {p}" for p in stop_log_problems(project)[:LIST_AT_MOST])
    return ScreeningStatus(
        stages, tuple(lines), tuple(roster), fulltexts, marks.reopens, tuple(marks.label_counts())
    )


def _marks_lines(marks: Any, lines: list[str | Text]) -> None:
    """The reopened records (who, when, why, what it undid) and the labels in use."""
    if marks.reopens:
        n = len({(r.record_id, r.stage) for r in marks.reopens})
        lines.append(
            f"reopened: {n} record(s) at a finished or locked stage ({len(marks.reopens)} reopens)"
        )
        for r in marks.reopens[-LIST_AT_MOST:]:
            undid = f"; it was {r.undoes}" if r.undoes else ""
            how: Text = (" with ", step(Action.REOPEN)) if r.unlock else ()
            lines.append(
                (
                    f"  {r.record_id} at {r.stage} by {r.who}",
                    *how,
                    f" ({r.at[:10]}): {r.reason}{undid}",
                )
            )
        if len(marks.reopens) > LIST_AT_MOST:
            lines.append(
                (
                    f"  … and {len(marks.reopens) - LIST_AT_MOST} earlier (",
                    step(Action.STATUS, quoted=False, json=True),
                    ")",
                )
            )
    lines.extend(f"warning: {p}" for p in marks.unknown[:LIST_AT_MOST])
    counts = marks.label_counts()
    if counts:
        lines.append("labels: " + ", ".join(f"{k} ({n})" for k, n in counts[:LIST_AT_MOST]))


def _stage_status(
    project: Project,
    state: StageState,
    final: dict[str, FinalDecision],
    lines: list[str | Text],
) -> StageStatus:
    """One stage's status; appends its lines (records, reviewers, agreement, warnings)."""
    from review.people import screening_roster
    from review.screen.disagreements import agreement_from_state

    stage, n = state.stage, len(state.eligible)
    agr = agreement_from_state(state, final, roster=screening_roster(project.protocol, stage))
    status = StageStatus(
        eligible=n,
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
    )
    lines.append(
        f"{stage}: {n} records, {status.final_decided} with a final decision, "
        f"{status.open_disagreements} open disagreements"
    )
    if project.protocol.stage(stage).locked:
        reopen = step(Action.REOPEN, record="RECORD", stage=stage)
        lines.append(("  locked (protocol): a change needs ", reopen))
    if status.stopped is not None:
        st = status.stopped
        lines.append(
            f"  stopped for the whole team by the stopping rule ({st['scope']} test, "
            f"p = {st['p_value']:.4f}) on {str(st['at'])[:10]} by {st['by']}: nobody is offered "
            f"the records they have not screened; the {st['not_screened']} records nobody "
            "screened are excluded by automation tools"
        )
    for reviewer, done in sorted(status.screened_by_reviewer.items()):
        share = n if state.assigned is None else state.assigned.get(reviewer, 0)
        mine = "" if state.assigned is None else " assigned"
        lines.append(f"  {reviewer}: {done}/{share}{mine} screened ({percent_text(done, share)}%)")
    if agr.stats.records_compared:
        ci = status.kappa_ci95
        ci_text = f" (95% CI {ci[0]:.2f}–{ci[1]:.2f})" if ci else ""
        lines.append(
            f"  agreement on {agr.stats.records_compared} records: "
            f"{_fmt(status.percent_agreement)}, κ {_fmt(status.cohen_kappa)}{ci_text}"
        )
    for left in status.reviewers_left_out:
        lines.append(
            f"  warning: {left.reviewer} left out of the agreement statistics ({left.why})"
        )
    lines.extend(f"  warning: {p}" for p in status.log_problems[:5])
    return status


def _stopped(project: Project, state: StageState) -> dict[str, Any] | None:
    """The stage's recorded stop and how many eligible records nobody screened."""
    if not state.stopped:
        return None
    from review.rank.stopline import stop_decision

    stop = stop_decision(project, state.stage)
    if stop is None:
        return None
    by_cluster = state.by_cluster()
    nobody = sum(1 for c in state.eligible if c not in by_cluster and c not in state.resolutions)
    return {**stop.to_json(), "not_screened": nobody}


LIST_AT_MOST = 20


def _fulltext_lines(
    project: Project, clusters: Any, lines: list[str | Text]
) -> FulltextCounts | None:
    """Attached full texts by extraction status (None when there are none); appends the lines
    that name scans and unreadable files."""
    from review.screen.fulltext import attachments
    from review.screen.fulltext_text import status_counts

    problems: list[Any] = []  # damaged or invalid lines of the attachment logs
    attached = attachments(project, clusters, problems)
    lines.extend(f"  warning: {p}" for p in problems[:5])
    if not attached:
        return None
    ft = status_counts(project, attached)
    c = ft.counts
    parts = [f"{c['text']} with text"]
    labels = (
        ("no-text", "without a text layer"),
        ("error", "unreadable"),
        ("unsupported", "of a type not read"),
        ("missing", "missing"),
    )
    parts += [f"{c[k]} {label}" for k, label in labels if c.get(k)]
    said = f"full texts: {ft.attached} files attached; " + ", ".join(parts)
    if c.get("pending"):  # last, with the step that extracts them
        pending = f"{c['pending']} not extracted yet (run "
        lines.append((said + (", " if parts else "") + pending, step(Action.FULLTEXT_EXTRACT), ")"))
    else:
        lines.append(said)
    for key, label in (
        ("no-text", "no text layer (scanned?)"),
        ("error", "unreadable"),
        ("missing", "missing"),
    ):
        files = ft.files.get(key, ())
        for path in files[:LIST_AT_MOST]:
            lines.append(f"  {label}: {path}")
        if len(files) > LIST_AT_MOST:
            lines.append(f"  … and {len(files) - LIST_AT_MOST} more ({label})")
    return ft
