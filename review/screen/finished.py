"""Finished means finished: which decisions would change a record's final status.

A record is finished at a stage when it has a final decision (agreed, decided by the one
reviewer the protocol asks for, resolved, or include vs maybe sent on) — and more so when it went
on to full text or was charted. A decision (or a resolution) that would change that final status
is a *reopen*: the screeners ask for a confirmation and a reason, the sheet imports refuse it
without ``--reopen --reason``, and it is logged (``op: reopen``, see :mod:`review.screen.marks`).
A stage the protocol locks (``stages.<stage>.locked: true``) refuses every change to a record
that the reopen command has not reopened.

:class:`Guard` reads the stage once (every reviewer's decisions, resolutions, the charting) and
answers per record in O(reviewers). It says only *whether* a record is finished and what a change
undoes; the screener shows that sentence, never another reviewer's decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from review.chart.store import latest_chartings
from review.errors import ReviewError
from review.io.files import append_jsonl
from review.model import Decision, Stage, Via
from review.nextstep import Action, NextStep, Render, Text, plain, step
from review.people import check_roster, clean_name
from review.screen.cache import cluster_index
from review.screen.final import FinalDecision, StageState, _final, stage_state
from review.screen.logs import (
    Resolution,
    ReviewerDecision,
    read_decisions,
    read_resolutions,
    reopen_line,
    resolver_log_path,
    reviewer_log_path,
)
from review.screen.marks import read_marks

if TYPE_CHECKING:
    from review.dedup.clusters import Clusters
    from review.project import Project
    from review.screen.cache import ClusterIndex


CONSENSUS = "consensus"  # the charting folder of the agreed charting (review.chart.store)


@dataclass(frozen=True, slots=True)
class Undo:
    """What a change to one record undoes: ``text`` says it in a sentence (with the reopen
    step when the stage is locked); ``message`` is that sentence without a front end."""

    record_id: str
    stage: Stage
    text: Text  # "this record is agreed include by 2 reviewers …; changing it reopens …"
    locked: bool  # the stage is locked and a reopen has not reopened the record
    spell: Render = str  # how ``message`` spells the reopen step (the guard's ``command``)

    @property
    def message(self) -> str:
        return plain(self.text, self.spell)

    def sentence(self) -> Text:
        """``text`` as a sentence of its own (capital first letter, full stop)."""
        first = self.text[0]
        assert isinstance(first, str)
        return (first[:1].upper() + first[1:], *self.text[1:], ".")


def reopen_step(cid: str, stage: Stage) -> NextStep:
    return step(Action.REOPEN, record=cid, stage=stage, reason='"…"')


class Guard:
    """The finished status of every record at one stage, for one person about to change some."""

    # How an Undo's ``message`` spells the reopen step; a screener's session sets the CLI's.
    command: Render = staticmethod(str)

    def __init__(
        self,
        project: Project,
        stage: Stage,
        person: str,
        clusters: Clusters | ClusterIndex,
        eligible: Iterable[str] | None = None,
    ) -> None:
        """``eligible``: the stage's records when the caller knows them (the screener's queue),
        so full-text eligibility is not worked out again."""
        self.stage = stage
        self.person = person
        self._project, self._clusters = project, clusters
        cfg = project.protocol.stage(stage)
        self.locked = cfg.locked
        if eligible is None:
            self.state = stage_state(project, stage, clusters)
        else:
            self.state = StageState(
                stage,
                list(eligible),
                read_decisions(project, stage, clusters),
                read_resolutions(project, stage, clusters),
                cfg.reviewers_per_record,
                forward=not cfg.maybe_conflicts,
            )
        self._ft: StageState | None = None  # title/abstract: full text, read on first need
        self.eligible = frozenset(self.state.eligible)
        self.unlocked = (
            read_marks(project, clusters).unlocked(stage) if self.locked else frozenset()
        )
        self.charted = _charted(project, clusters)

    # ---- one record --------------------------------------------------------------------------
    def _final(self, cid: str, ds: list[ReviewerDecision], res: Resolution | None) -> FinalDecision:
        st = self.state
        if not ds:
            if res is None:
                return FinalDecision(cid, self.stage, None, "", Via.PENDING, ())
            return FinalDecision(cid, self.stage, res.decision, res.reason, Via.RESOLUTION, ())
        ds = sorted(ds, key=lambda d: d.reviewer)
        return _final(cid, self.stage, ds, res, st.required, st.forward)

    def _all(self, cid: str) -> list[ReviewerDecision]:
        """Every reviewer's standing decision on ``cid`` (O(reviewers), no index to build)."""
        return [d for per in self.state.decisions.values() if (d := per.get(cid)) is not None]

    def _others(self, cid: str) -> list[ReviewerDecision]:
        return [d for d in self._all(cid) if d.reviewer != self.person]

    def _mine(self, cid: str, decision: Decision | None) -> list[ReviewerDecision]:
        if decision is None:
            return []
        return [ReviewerDecision(self.person, cid, cid, self.stage, decision, "", "", "", 0)]

    def locked_undo(self, cid: str) -> Undo | None:
        """The refusal when the stage is locked and the record was not reopened, else None."""
        if not self.locked or cid in self.unlocked:
            return None
        return Undo(
            cid,
            self.stage,
            (
                f"the {self.stage} stage is locked (protocols/protocol.yaml: stages.{self.stage}."
                f"locked); to change record {cid} run ",
                reopen_step(cid, self.stage),
                " first",
            ),
            True,
            self.command,
        )

    def decision_undo(self, cid: str, mine: Decision | None, new: Decision | None) -> Undo | None:
        """What the person's decision ``new`` (None: withdrawn) instead of ``mine`` undoes."""
        if cid not in self.eligible:
            return None  # not to be screened here: the caller reports that
        lock = self.locked_undo(cid)
        if lock is not None:
            return lock
        if new == mine:
            return None
        others, res = self._others(cid), self.state.resolutions.get(cid)
        old = self._final(cid, others + self._mine(cid, mine), res)
        after = self._final(cid, others + self._mine(cid, new), res)
        return self._undo(cid, old, after)

    def resolution_undo(self, cid: str, new: Decision) -> Undo | None:
        """What the person's resolution ``new`` undoes (a standing resolution replaced)."""
        lock = self.locked_undo(cid)
        if lock is not None:
            return lock
        ds, res = self._all(cid), self.state.resolutions.get(cid)
        if res is None:
            return None
        old = self._final(cid, ds, res)
        after = self._final(
            cid, ds, Resolution(self.person, cid, cid, self.stage, new, "", "", "", 0)
        )
        return self._undo(cid, old, after)

    def _undo(self, cid: str, old: FinalDecision, after: FinalDecision) -> Undo | None:
        if old.decision is None or after.decision == old.decision:
            return None
        what = f"this record is {_status(old)}{self._downstream(cid)}"
        if after.decision is None:
            change = (
                "changing it reopens the conflict"
                if after.via == "conflict"
                else "changing it makes it undecided again"
            )
        else:
            change = f"changing it makes its final decision {after.decision}"
        return Undo(cid, self.stage, (f"{what}; {change}",), False)

    def _downstream(self, cid: str) -> str:
        parts = []
        ft = self._after(cid)
        if ft is not None and ft.decisions:
            parts.append(
                f"at full text {_status(ft)}"
                if ft.decision is not None
                else f"screened at full text by {_n(len(ft.decisions), 'reviewer')}"
            )
        charters = self.charted.get(cid, ())
        if charters and (self.stage == Stage.TITLE_ABSTRACT or self._included(cid)):
            people = [c for c in charters if c != CONSENSUS]
            text = f"charted by {_n(len(people), 'reviewer')}" if people else "charted"
            parts.append(text + (" and in the consensus charting" if CONSENSUS in charters else ""))
        return "; " + ", ".join(parts) if parts else ""

    def _after(self, cid: str) -> FinalDecision | None:
        """The record's full-text status when this is the title/abstract stage (else None)."""
        if self.stage != Stage.TITLE_ABSTRACT:
            return None
        ft = self._ft
        if ft is None:  # full-text decisions, without working out full-text eligibility
            p, c = self._project, self._clusters
            ft = self._ft = StageState(
                Stage.FULL_TEXT,
                [],
                read_decisions(p, Stage.FULL_TEXT, c),
                read_resolutions(p, Stage.FULL_TEXT, c),
                p.protocol.stage(Stage.FULL_TEXT).reviewers_per_record,
            )
        ds = sorted(
            (d for per in ft.decisions.values() if (d := per.get(cid)) is not None),
            key=lambda d: d.reviewer,
        )
        res = ft.resolutions.get(cid)
        if not ds:
            if res is None:
                return None
            return FinalDecision(cid, ft.stage, res.decision, res.reason, Via.RESOLUTION, ())
        return _final(cid, ft.stage, ds, res, ft.required)

    def _included(self, cid: str) -> bool:
        fd = self._final(cid, self._all(cid), self.state.resolutions.get(cid))
        return fd.decision == "include"


def _n(k: int, word: str) -> str:
    return f"{k} {word}{'s' * (k != 1)}"


def _status(fd: FinalDecision) -> str:
    """How the final decision came about, in words."""
    d = fd.decision or ""
    if fd.via == "agreement":
        return f"agreed {d} by {_n(len(fd.decisions), 'reviewer')}"
    if fd.via == "single":
        return f"decided {d} (the protocol asks for one reviewer)"
    if fd.via == "resolution":
        return f"resolved as {d}"
    if fd.via == "forwarded":
        return "sent on (include vs maybe is no conflict under the protocol)"
    return d


def _charted(project: Project, clusters: Clusters | ClusterIndex) -> dict[str, tuple[str, ...]]:
    """Cluster id -> who charted it (their latest charting version), sorted."""
    try:
        latest = latest_chartings(project)
    except ReviewError:
        return {}
    out: dict[str, set[str]] = {}
    cluster_of = clusters.cluster_of
    for who, charting in latest.items():
        for rid in charting.reports:
            cid = cluster_of.get(rid, rid)
            out.setdefault(cid, set()).add(who)
    return {cid: tuple(sorted(v)) for cid, v in out.items()}


@dataclass(frozen=True, slots=True)
class Reopened:
    """What a reopen (:func:`reopen_record`) logged."""

    record_id: str  # the cluster id
    stage: Stage
    who: str
    log: str  # the log the line went to (relative to the project)
    locked: bool  # the stage is locked (the reopen lifts the lock for this record)
    status: str  # the record's final status at the stage, in words ('' when not finished)


def reopen_record(project: Project, record: str, stage: Stage, reason: str, who: str) -> Reopened:
    """Log a reopen that lifts a stage lock for one record (the CLI's ``reopen``).

    The line goes to ``who``'s own screening log (a screener) or resolution log (a resolver
    who does not screen); it is the only way to change a record in a locked stage.
    """
    who = clean_name(who, "--reviewer")
    project.protocol.stage(stage)
    if not reason.strip():
        raise ReviewError('Give the reason to reopen: --reason "why".')
    clusters = cluster_index(project)
    cid = clusters.resolve(record)
    if cid is None:
        raise ReviewError(
            (f"Unknown record {record!r}: give a record_id from ", step(Action.EXPORT), ".")
        )
    proto = project.protocol
    screeners = {*proto.reviewers, *(n for cfg in proto.stages.values() for n in cfg.reviewers)}
    check_roster(proto, who, "screening")  # on the team at all (resolvers included)
    if who not in screeners and (who in proto.resolvers or who == "consensus"):
        path = resolver_log_path(project, who)  # a resolver who does not screen
    else:
        path = reviewer_log_path(project, who)
    guard = Guard(project, stage, who, clusters)
    fd = guard._final(cid, guard._all(cid), guard.state.resolutions.get(cid))
    status = _status(fd) if fd.decision is not None else ""
    undoes = f"{status}{guard._downstream(cid)}" if status else ""
    append_jsonl(path, [reopen_line(who, cid, stage, reason.strip(), undoes, unlock=True)])
    return Reopened(cid, stage, who, project.rel(path), guard.locked, status)
