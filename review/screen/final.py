"""Final screening status per cluster and stage, derived from the logs (never stored).

For each cluster eligible at a stage, with ``required`` = the protocol's ``reviewers_per_record``:

- all reviewers who decided agree and at least ``required`` decided -> ``agreement`` (``single``
  when the protocol asks for one reviewer and one decided);
- they disagree (``maybe`` is its own decision) -> ``resolution`` if a resolver settled it, else
  ``conflict`` (decision ``None``);
- fewer than ``required`` decided -> ``pending`` (decision ``None``), unless a resolver already
  recorded a decision (``resolution``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from review.screen.logs import Decision, Resolution, read_decisions, read_resolutions

if TYPE_CHECKING:
    from review.dedup.clusters import Clusters
    from review.io.files import JsonlProblem
    from review.project import Project

VIAS = ("agreement", "resolution", "single", "pending", "conflict")


@dataclass(frozen=True, slots=True)
class FinalDecision:
    record_id: str  # the cluster id (primary record id)
    stage: str
    decision: str | None  # include|exclude|maybe|not-retrieved, None when not final
    reason: str  # exclusion reason id ('' if none)
    via: str  # agreement|resolution|single|pending|conflict
    decisions: tuple = ()  # ((reviewer, decision, reason, note), ...) sorted by reviewer


@dataclass
class StageState:
    """Everything read once for one stage: eligible clusters, decisions, resolutions."""

    stage: str
    eligible: list[str]
    decisions: dict[str, dict[str, Decision]]  # reviewer -> cluster -> Decision
    resolutions: dict[str, Resolution]
    required: int
    problems: list[JsonlProblem] = field(default_factory=list)

    def by_cluster(self) -> dict[str, list[Decision]]:
        out: dict[str, list[Decision]] = {}
        for reviewer in sorted(self.decisions):
            for cid, d in self.decisions[reviewer].items():
                out.setdefault(cid, []).append(d)
        return out


def _final(
    cid: str, stage: str, ds: list[Decision], res: Resolution | None, required: int
) -> FinalDecision:
    dtuple = tuple((d.reviewer, d.decision, d.reason, d.note) for d in ds)
    values = {d.decision for d in ds}
    if len(ds) >= required and len(values) == 1:
        decision = ds[0].decision
        if res is not None and res.decision == decision and res.reason:
            reason = res.reason
        else:
            reasons = Counter(d.reason for d in ds if d.reason)
            # most common reason; ties go to the reason given by the first reviewer (by name)
            reason = ""
            if reasons:
                top = max(reasons.values())
                reason = next(d.reason for d in ds if d.reason and reasons[d.reason] == top)
        via = "single" if required == 1 and len(ds) == 1 else "agreement"
        return FinalDecision(cid, stage, decision, reason, via, dtuple)
    if res is not None:
        return FinalDecision(cid, stage, res.decision, res.reason, "resolution", dtuple)
    if len(ds) >= required:
        return FinalDecision(cid, stage, None, "", "conflict", dtuple)
    return FinalDecision(cid, stage, None, "", "pending", dtuple)


def stage_state(
    project: Project, stage: str, clusters: Clusters | None = None, _ta_final: dict | None = None
) -> StageState:
    from review.dedup import load_clusters

    cfg = project.protocol.stage(stage)
    if clusters is None:
        clusters = load_clusters(project)
    problems: list[JsonlProblem] = []
    if stage == "title-abstract":
        elig = clusters.main_clusters()
    else:
        ta = _ta_final
        if ta is None:
            ta = final_from_state(stage_state(project, "title-abstract", clusters))
        passing = {"include", "maybe"} if _maybe_passes(project) else {"include"}
        elig = [cid for cid in clusters.main_clusters() if ta[cid].decision in passing]
        elig += clusters.other_clusters()
    return StageState(
        stage=stage,
        eligible=elig,
        decisions=read_decisions(project, stage, clusters, problems),
        resolutions=read_resolutions(project, stage, clusters, problems),
        required=cfg.reviewers_per_record,
        problems=problems,
    )


def _maybe_passes(project: Project) -> bool:
    return project.protocol.stage("title-abstract").maybe_to_fulltext


def final_from_state(state: StageState) -> dict[str, FinalDecision]:
    by_cluster = state.by_cluster()
    return {
        cid: _final(
            cid,
            state.stage,
            by_cluster.get(cid, []),
            state.resolutions.get(cid),
            state.required,
        )
        for cid in state.eligible
    }


def eligible(project: Project, stage: str) -> list[str]:
    """Cluster ids to be screened at ``stage``, in clusters.csv order.

    Title/abstract: every main-branch cluster. Full text: main-branch clusters whose final
    title/abstract decision is include (or maybe, when the protocol's ``maybe_to_fulltext``),
    then every other-branch cluster.
    """
    from review.dedup import load_clusters

    project.protocol.stage(stage)  # validates the stage name
    clusters = load_clusters(project)
    if stage == "title-abstract":
        return clusters.main_clusters()
    return stage_state(project, stage, clusters).eligible


def final_decisions(project: Project, stage: str) -> dict[str, FinalDecision]:
    """``{cluster_id: FinalDecision}`` for every cluster eligible at ``stage``."""
    project.protocol.stage(stage)
    return final_from_state(stage_state(project, stage))


def included_reports(project: Project) -> list[str]:
    """Clusters whose final full-text decision is include (both branches), in clusters order."""
    return [
        cid for cid, fd in final_decisions(project, "full-text").items() if fd.decision == "include"
    ]
