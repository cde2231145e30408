"""Final screening status per cluster and stage, derived from the logs (never stored).

For each cluster eligible at a stage, with ``required`` = the protocol's ``reviewers_per_record``:

- all reviewers who decided agree and at least ``required`` decided -> ``agreement`` (``single``
  when the protocol asks for one reviewer and one decided);
- they disagree (``maybe`` is its own decision) -> ``resolution`` if a resolver settled it, else
  ``conflict`` (decision ``None``) — except include vs maybe where both go on to the next stage
  and the protocol does not make it a conflict (``maybe_conflicts``, false by default when
  ``maybe_to_fulltext``): then ``forwarded`` with decision ``include`` (no arbiter needed);
- fewer than ``required`` decided -> ``pending`` (decision ``None``), unless a resolver already
  recorded a decision (``resolution``).

Once the team has recorded a stop at the stage (``stopping --record-stop``, see
docs/ranking.md "Team stop"), nobody is offered the records they have not screened, so a record
decided by fewer than ``required`` reviewers is settled by the decisions it has: only excludes ->
that exclude (``single``, the first reviewer's reason); anything else (an include, a maybe, a
not-retrieved) -> ``conflict`` (a resolver decides; one reviewer's include is never dropped by
the stop). Records nobody decided
stay ``pending`` here; PRISMA reports them as excluded by automation tools.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from review.model import RELEVANT, Decision, Stage, Via
from review.rank.stopline import stop_decision, stop_dir
from review.screen.cache import no_gc
from review.screen.logs import Resolution, ReviewerDecision, read_decisions, read_resolutions

if TYPE_CHECKING:
    from review.dedup.clusters import Clusters
    from review.io.files import JsonlProblem
    from review.project import Project
    from review.screen.assign import Assignment
    from review.screen.cache import ClusterIndex

VIAS: tuple[Via, ...] = tuple(Via)
FORWARD = frozenset(RELEVANT)  # decisions that both go on when maybe is no conflict


class Vote(NamedTuple):
    """One reviewer's decision as a final decision lists it."""

    reviewer: str
    decision: Decision
    reason: str
    note: str


def _vote(d: ReviewerDecision) -> Vote:
    return _make(Vote, (d.reviewer, d.decision, d.reason, d.note))


_make = tuple.__new__  # Vote(...) without the namedtuple's Python-level __new__


@dataclass(frozen=True, slots=True)
class FinalDecision:
    record_id: str  # the cluster id (primary record id)
    stage: Stage
    decision: Decision | None  # include|exclude|maybe|not-retrieved, None when not final
    reason: str  # exclusion reason id ('' if none)
    via: Via
    decisions: tuple[Vote, ...] = ()  # sorted by reviewer


@dataclass
class StageState:
    """Everything read once for one stage: eligible clusters, decisions, resolutions."""

    stage: Stage
    eligible: list[str]
    decisions: dict[str, dict[str, ReviewerDecision]]  # reviewer -> cluster -> ReviewerDecision
    resolutions: dict[str, Resolution]
    required: int
    problems: list[JsonlProblem] = field(default_factory=list)
    forward: bool = False  # include vs maybe is no conflict here (both go on)
    stopped: bool = False  # the team recorded a stop at this stage (module docstring)
    # a split stage (review.screen.assign); None: everyone screens every eligible record
    split: Assignment | None = None
    _assigned: dict[str, int] | None = field(default=None, repr=False)

    @property
    def assigned(self) -> dict[str, int] | None:
        """Records assigned to each reviewer on a split stage (None: everyone screens every
        eligible record); computed on first use."""
        if self.split is None:
            return None
        if self._assigned is None:
            self._assigned = self.split.counts(self.eligible)
        return self._assigned

    _by_cluster: dict[str, list[ReviewerDecision]] | None = field(default=None, repr=False)
    _final: dict[str, FinalDecision] | None = field(default=None, repr=False)

    def by_cluster(self) -> dict[str, list[ReviewerDecision]]:
        """``{cluster_id: [ReviewerDecision, ...]}`` sorted by reviewer (computed once)."""
        if self._by_cluster is None:
            out: dict[str, list[ReviewerDecision]] = {}
            for reviewer in sorted(self.decisions):
                for cid, d in self.decisions[reviewer].items():
                    lst = out.get(cid)
                    if lst is None:
                        out[cid] = [d]
                    else:
                        lst.append(d)
            self._by_cluster = out
        return self._by_cluster


def _final(
    cid: str,
    stage: Stage,
    ds: list[ReviewerDecision],
    res: Resolution | None,
    required: int,
    forward: bool = False,
    stopped: bool = False,
) -> FinalDecision:
    n = len(ds)
    if stopped and 0 < n < required and res is None:
        return _after_stop(cid, stage, ds)
    if n == 2:
        a, b = ds
        dtuple: tuple[Vote, ...] = (_vote(a), _vote(b))
        unanimous = a.decision == b.decision
        same_reason = a.reason == b.reason
    else:
        dtuple = tuple([_vote(d) for d in ds])
        unanimous = n > 0 and all(d.decision == ds[0].decision for d in ds)
        same_reason = n > 0 and all(d.reason == ds[0].reason for d in ds)
    if n >= required and unanimous:
        decision = ds[0].decision
        if res is not None and res.decision == decision and res.reason:
            reason = res.reason
        elif same_reason:
            reason = ds[0].reason
        else:
            # most common reason; ties go to the reason given by the first reviewer (by name)
            reasons = Counter(d.reason for d in ds if d.reason)
            top = max(reasons.values())
            reason = next(d.reason for d in ds if d.reason and reasons[d.reason] == top)
        via = Via.SINGLE if required == 1 and n == 1 else Via.AGREEMENT
        return FinalDecision(cid, stage, decision, reason, via, dtuple)
    if res is not None:
        return FinalDecision(cid, stage, res.decision, res.reason, Via.RESOLUTION, dtuple)
    if n >= required and forward and all(d.decision in FORWARD for d in ds):
        return FinalDecision(cid, stage, Decision.INCLUDE, "", Via.FORWARDED, dtuple)
    if n >= required:
        return FinalDecision(cid, stage, None, "", Via.CONFLICT, dtuple)
    return FinalDecision(cid, stage, None, "", Via.PENDING, dtuple)


def _after_stop(cid: str, stage: Stage, ds: list[ReviewerDecision]) -> FinalDecision:
    """A record fewer than the required reviewers decided when the stage was stopped."""
    dtuple = tuple([_vote(d) for d in ds])
    if not all(d.decision == Decision.EXCLUDE for d in ds):
        return FinalDecision(cid, stage, None, "", Via.CONFLICT, dtuple)
    return FinalDecision(cid, stage, Decision.EXCLUDE, ds[0].reason, Via.SINGLE, dtuple)


def stage_state(
    project: Project,
    stage: Stage,
    clusters: Clusters | ClusterIndex | None = None,
    _ta_final: dict | None = None,
) -> StageState:
    """Everything read for ``stage``; asked again on the same project with the same clusters
    and unchanged logs, the same (read-only) state (review/screen/memo.py)."""
    from review.screen.memo import Same, peek, remembered

    if clusters is not None and any(
        clusters is peek(project, (name,)) for name in ("cluster_index", "clusters")
    ):
        clusters = None  # the project's own current clusters: the same state as without them
    key = (_inputs_key(project, with_clusters=clusters is None), Same(clusters))
    return remembered(
        project,
        ("stage_state", stage),
        key,
        lambda: _read_stage_state(project, stage, clusters, _ta_final),
    )


def _inputs_key(project: Project, *, with_clusters: bool) -> tuple:
    """The files a stage's state is read from: the screening, resolution and stopping logs, and
    (unless the caller brings its own clusters) ``outputs/dedup/clusters.csv``."""
    from review.screen.logs import resolutions_dir, screening_dir
    from review.screen.memo import file_key, folder_key

    parts = [folder_key(d) for d in (screening_dir(project), resolutions_dir(project))]
    parts.append(folder_key(stop_dir(project)))
    if with_clusters:
        from review.dedup.clusters import clusters_path

        parts.append(file_key(clusters_path(project)))
    return tuple(parts)


def _read_stage_state(
    project: Project,
    stage: Stage,
    clusters: Clusters | ClusterIndex | None,
    _ta_final: dict | None,
) -> StageState:
    from review.screen.cache import cluster_index

    cfg = project.protocol.stage(stage)
    if clusters is None:
        clusters = cluster_index(project)
    problems: list[JsonlProblem] = []
    if stage == Stage.TITLE_ABSTRACT:
        elig = clusters.main_clusters()
    else:
        elig = fulltext_eligible(project, clusters, _ta_final)
    from review.screen.assign import stage_assignment

    split = stage_assignment(project.protocol, stage)
    return StageState(
        stage=stage,
        eligible=elig,
        decisions=read_decisions(project, stage, clusters, problems),
        resolutions=read_resolutions(project, stage, clusters, problems),
        required=cfg.reviewers_per_record,
        problems=problems,
        forward=not cfg.maybe_conflicts,
        stopped=stage_stopped(project, stage),
        split=split,
    )


def stage_stopped(project: Project, stage: Stage) -> bool:
    """Has the team recorded a stop at ``stage`` (a ``stop`` line in data/stopping/)?"""
    return stop_decision(project, stage) is not None


def fulltext_eligible(
    project: Project,
    clusters: Clusters | ClusterIndex,
    ta_final: dict[str, FinalDecision] | None = None,
) -> list[str]:
    """Main-branch clusters whose final title/abstract decision passes, then other-branch ones.

    Reads title/abstract decisions only (the screener uses this: at full text it never loads
    anyone's full-text decisions but the reviewer's own).
    """
    if ta_final is None:
        ta_final = final_from_state(stage_state(project, Stage.TITLE_ABSTRACT, clusters))
    passing = FORWARD if _maybe_passes(project) else {Decision.INCLUDE}
    elig = [cid for cid in clusters.main_clusters() if ta_final[cid].decision in passing]
    return elig + clusters.other_clusters()


def _maybe_passes(project: Project) -> bool:
    return project.protocol.stage(Stage.TITLE_ABSTRACT).maybe_to_fulltext


def final_from_state(state: StageState) -> dict[str, FinalDecision]:
    """``{cluster_id: FinalDecision}`` for every eligible cluster (computed once per state; each
    caller gets its own dict)."""
    if state._final is None:
        state._final = _final_from_state(state)
    return dict(state._final)


def _final_from_state(state: StageState) -> dict[str, FinalDecision]:
    by_cluster = state.by_cluster()
    stage, required, resolutions = state.stage, state.required, state.resolutions
    out: dict[str, FinalDecision] = {}
    for cid in state.eligible:
        ds = by_cluster.get(cid)
        if ds is None:
            res = resolutions.get(cid)
            out[cid] = (
                FinalDecision(cid, stage, None, "", Via.PENDING, ())
                if res is None
                else FinalDecision(cid, stage, res.decision, res.reason, Via.RESOLUTION, ())
            )
            continue
        out[cid] = _final(
            cid, stage, ds, resolutions.get(cid), required, state.forward, state.stopped
        )
    return out


def via_counts(state: StageState) -> Counter[Via]:
    """How many eligible clusters have each ``via`` — what ``Counter(fd.via for fd in
    final_from_state(state).values())`` gives, without building a FinalDecision per cluster."""
    by_cluster = state.by_cluster()
    required, resolutions = state.required, state.resolutions
    counts: Counter[Via] = Counter()
    for cid in state.eligible:
        ds = by_cluster.get(cid)
        if ds is None:
            counts[Via.RESOLUTION if cid in resolutions else Via.PENDING] += 1
            continue
        n = len(ds)
        first = ds[0].decision
        if state.stopped and n < required and cid not in resolutions:
            excluded = all(d.decision == Decision.EXCLUDE for d in ds)
            counts[Via.SINGLE if excluded else Via.CONFLICT] += 1
        elif n >= required and all(d.decision == first for d in ds):
            counts[Via.SINGLE if required == 1 and n == 1 else Via.AGREEMENT] += 1
        elif cid in resolutions:
            counts[Via.RESOLUTION] += 1
        elif n >= required and state.forward and all(d.decision in FORWARD for d in ds):
            counts[Via.FORWARDED] += 1
        elif n >= required:
            counts[Via.CONFLICT] += 1
        else:
            counts[Via.PENDING] += 1
    return counts


@no_gc
def eligible(project: Project, stage: Stage) -> list[str]:
    """Cluster ids to be screened at ``stage``, in clusters.csv order.

    Title/abstract: every main-branch cluster. Full text: main-branch clusters whose final
    title/abstract decision is include (or maybe, when the protocol's ``maybe_to_fulltext``),
    then every other-branch cluster.
    """
    from review.screen.cache import cluster_index

    project.protocol.stage(stage)  # validates the stage name
    return eligible_clusters(project, stage, cluster_index(project))


def eligible_clusters(
    project: Project, stage: Stage, clusters: Clusters | ClusterIndex
) -> list[str]:
    """:func:`eligible` with the clusters already read."""
    if stage == Stage.TITLE_ABSTRACT:
        return clusters.main_clusters()
    return fulltext_eligible(project, clusters)


@no_gc
def final_decisions(project: Project, stage: Stage) -> dict[str, FinalDecision]:
    """``{cluster_id: FinalDecision}`` for every cluster eligible at ``stage``."""
    project.protocol.stage(stage)
    return final_from_state(stage_state(project, stage))


@no_gc
def included_reports(project: Project) -> list[str]:
    """Clusters whose final full-text decision is include (both branches), in clusters order."""
    return [
        cid
        for cid, fd in final_decisions(project, Stage.FULL_TEXT).items()
        if fd.decision == Decision.INCLUDE
    ]
