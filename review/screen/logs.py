"""Screening and resolution logs: append-only JSON Lines, one file per reviewer (or resolver).

``data/screening/<reviewer-slug>.jsonl`` holds ``decide`` and ``retract`` lines; a reviewer's
current decision on a record is the latest ``decide`` not cancelled by a later ``retract``.
``data/resolutions/<resolver-slug>.jsonl`` works the same way with ``resolve`` lines.

Lines name a record by any member's ``record_id``; readers map ids through the current dedup
clusters, so a re-run of dedup never orphans a decision. When two standing decisions of one
reviewer fall into one cluster (dedup merged two records both screened), the latest wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Self

from review.errors import ReviewError
from review.io.files import JsonlAppender, JsonlProblem
from review.io.logline import RESOLUTION_LOG, SCREENING_LOG
from review.model import DECISIONS, FULLTEXT_DECISIONS, Decision, Stage, vocab
from review.people import check_roster, clean_name, own_log

if TYPE_CHECKING:
    from review.dedup.clusters import Clusters
    from review.project import Project
    from review.protocol import Protocol
    from review.screen.cache import ClusterIndex


class ReviewerDecision(NamedTuple):
    """One reviewer's current decision on one cluster at one stage (a tuple: cheap to build)."""

    reviewer: str
    record_id: str  # the id as logged (any member of the cluster)
    cluster_id: str
    stage: Stage
    decision: Decision
    reason: str
    note: str
    at: str
    seq: int  # position among the reviewer's lines (later = larger)


class Resolution(NamedTuple):
    """A resolver's standing final decision on a disagreement."""

    resolver: str
    record_id: str
    cluster_id: str
    stage: Stage
    decision: Decision
    reason: str
    rationale: str
    at: str
    seq: int


# The screener's single keys (review screen): the resolver types the same ones.
DECISION_KEYS = {
    "i": Decision.INCLUDE,
    "e": Decision.EXCLUDE,
    "m": Decision.MAYBE,
    "r": Decision.NOT_RETRIEVED,
}


def decision_from_text(text: str, allowed: tuple[Decision, ...]) -> Decision | None:
    """``include`` for ``i`` or ``include`` (any case), etc.; None when not allowed here."""
    t = text.strip().lower()
    found = DECISION_KEYS.get(t) or vocab(Decision, t)
    return found if found in allowed else None


def decisions_for(stage: Stage) -> tuple[Decision, ...]:
    """Allowed decisions at a stage: full text adds ``not-retrieved``."""
    return FULLTEXT_DECISIONS if stage == Stage.FULL_TEXT else DECISIONS


def screening_dir(project: Project) -> Path:
    return project.data_dir / "screening"


def resolutions_dir(project: Project) -> Path:
    return project.data_dir / "resolutions"


def reviewer_log_path(project: Project, reviewer: str) -> Path:
    """``reviewer``'s own screening log; ReviewError when the file belongs to another name."""
    return own_log(screening_dir(project), reviewer, "reviewer", project.rel)


def resolver_log_path(project: Project, resolver: str) -> Path:
    """``resolver``'s own resolution log; ReviewError when the file belongs to another name."""
    return own_log(resolutions_dir(project), resolver, "resolver", project.rel)


def _log_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.jsonl")) if folder.is_dir() else []


def _unknown(path: Path, line: int, rid: str) -> JsonlProblem:
    return JsonlProblem(str(path), line, f"record {rid} is not in the dedup clusters, ignored")


def read_reviewer_file(
    project: Project,
    path: Path,
    clusters: Clusters | ClusterIndex,
    stages: Iterable[Stage] = tuple(Stage),
    problems: list[JsonlProblem] | None = None,
) -> dict[Stage, dict[str, ReviewerDecision]]:
    """``{stage: {cluster_id: ReviewerDecision}}`` for one reviewer's log file.

    Decisions on record ids that are not in the current clusters are skipped and reported in
    ``problems``. When two standing decisions fall into one cluster, the later line wins.
    """
    from review.screen.cache import read_log

    wanted = set(stages)
    out: dict[Stage, dict[str, ReviewerDecision]] = {s: {} for s in wanted}
    cluster_of = clusters.cluster_of
    state = read_log(project, path, "decide", problems)
    make = tuple.__new__  # ReviewerDecision(...) without the namedtuple's Python-level __new__
    for (stage, rid), e in state.latest.items():
        if stage not in wanted:
            continue
        cid = cluster_of.get(rid)
        if cid is None:
            if problems is not None:
                problems.append(_unknown(path, e.line, rid))
            continue
        per = out[stage]
        prev = per.get(cid)
        if prev is None or prev.seq < e.line:
            per[cid] = make(
                ReviewerDecision,
                (e.who, rid, cid, stage, e.decision, e.reason, e.text, e.at, e.line),
            )
    return out


def read_decisions(
    project: Project,
    stage: Stage,
    clusters: Clusters | ClusterIndex,
    problems: list[JsonlProblem] | None = None,
) -> dict[str, dict[str, ReviewerDecision]]:
    """Every reviewer's current decisions at ``stage``: ``{reviewer: {cluster_id: ReviewerDecision}}``.

    Reviewers are named by the ``reviewer`` field of their lines (the file's stem if missing).
    """
    from review.screen.logahead import read_logs_ahead

    out: dict[str, dict[str, ReviewerDecision]] = {}
    paths = _log_files(screening_dir(project))
    read_logs_ahead(project, paths, "decide")
    for path in paths:
        per_stage = read_reviewer_file(project, path, clusters, (stage,), problems)[stage]
        if not per_stage:
            continue
        name = next(iter(per_stage.values())).reviewer
        out.setdefault(name, {}).update(per_stage)
    return out


def read_resolutions(
    project: Project,
    stage: Stage,
    clusters: Clusters | ClusterIndex,
    problems: list[JsonlProblem] | None = None,
) -> dict[str, Resolution]:
    """The standing resolution per cluster at ``stage`` (the latest by time across resolvers)."""
    from review.screen.cache import read_log
    from review.screen.logahead import read_logs_ahead

    found: list[Resolution] = []
    cluster_of = clusters.cluster_of
    paths = _log_files(resolutions_dir(project))
    read_logs_ahead(project, paths, "resolve")
    for path in paths:
        state = read_log(project, path, "resolve", problems)
        for (st, rid), e in state.latest.items():
            if st != stage:
                continue
            cid = cluster_of.get(rid)
            if cid is None:
                if problems is not None:
                    problems.append(_unknown(path, e.line, rid))
                continue
            found.append(
                Resolution(e.who, rid, cid, stage, e.decision, e.reason, e.text, e.at, e.line)
            )
    found.sort(key=lambda r: (r.at, r.seq))
    return {r.cluster_id: r for r in found}


def validate_decision(
    protocol: Protocol, stage: Stage, decision: Decision, reason: str
) -> str | None:
    """A problem with (decision, reason) at ``stage``, or None when it is valid."""
    allowed = decisions_for(stage)
    if decision not in allowed:
        return f"decision {decision!r} is not one of {', '.join(allowed)}"
    if reason:
        if decision != "exclude":
            return f"a reason ({reason!r}) is only allowed with exclude"
        cfg = protocol.stage(stage)
        if reason not in {r.id for r in cfg.exclusion_reasons}:
            ids = ", ".join(r.id for r in cfg.exclusion_reasons) or "(none in the protocol)"
            return f"unknown exclusion reason {reason!r}; the {stage} reasons are {ids}"
    return None


class OwnLog:
    """A person's own log opened for appending (``_app``); closed on leaving a ``with`` block."""

    _app: JsonlAppender

    def close(self) -> None:
        self._app.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ScreeningLog(OwnLog):
    """A reviewer's own screening log, opened for appending (fsync'd per line)."""

    def __init__(self, project: Project, reviewer: str) -> None:
        self.project = project
        self.reviewer = clean_name(reviewer, "--reviewer")
        check_roster(project.protocol, self.reviewer, "screening")  # on the team at all
        self.path = reviewer_log_path(project, self.reviewer)
        self._app = JsonlAppender(self.path)

    def decide(
        self, record_id: str, stage: Stage, decision: Decision, reason: str = "", note: str = ""
    ) -> dict[str, Any]:
        problem = validate_decision(self.project.protocol, stage, decision, reason)
        if problem:
            raise ReviewError(f"Record {record_id}: {problem}.")
        check_roster(self.project.protocol, self.reviewer, "screening", stage)
        line = decide_line(self.reviewer, record_id, stage, decision, reason, note)
        self._app.append(line)
        return line

    def retract(self, record_id: str, stage: Stage) -> dict[str, Any]:
        line = SCREENING_LOG["retract"].line(
            record_id=record_id, stage=stage, reviewer=self.reviewer
        )
        self._app.append(line)
        return line

    def extend(self, lines: list[dict[str, Any]]) -> None:
        """Append many prepared lines with one fsync (spreadsheet import)."""
        self._app.extend(lines)

    def reopen(self, record_id: str, stage: Stage, reason: str, undoes: str) -> dict[str, Any]:
        """Log that the next decision on a finished record reopens it (docs/screening.md)."""
        line = reopen_line(self.reviewer, record_id, stage, reason, undoes)
        self._app.append(line)
        return line

    def label(self, record_id: str, stage: Stage, label: str, remove: bool) -> dict[str, Any]:
        """Add (or remove) one of this reviewer's labels on a record; never a decision."""
        line = label_line(self.reviewer, record_id, stage, label, remove)
        self._app.append(line)
        return line


def decide_line(
    reviewer: str, record_id: str, stage: Stage, decision: Decision, reason: str, note: str
) -> dict[str, Any]:
    return SCREENING_LOG["decide"].line(
        record_id=record_id,
        stage=stage,
        decision=decision,
        reason=reason,
        note=note,
        reviewer=reviewer,
    )


def reopen_line(
    who: str, record_id: str, stage: Stage, reason: str, undoes: str, unlock: bool = False
) -> dict[str, Any]:
    """A reopen: ``reason`` (the person's words), ``undoes`` (the finished status it changes);
    ``unlock`` when written by `reopen` (lifts a stage lock for this record)."""
    extra = {"unlock": True} if unlock else {}
    return SCREENING_LOG["reopen"].line(
        record_id=record_id,
        stage=stage,
        reason=reason,
        undoes=undoes,
        **extra,
        reviewer=who,
    )


def label_line(
    reviewer: str, record_id: str, stage: Stage, label: str, remove: bool
) -> dict[str, Any]:
    return SCREENING_LOG["label"].line(
        record_id=record_id,
        stage=stage,
        label=label,
        remove=remove,
        reviewer=reviewer,
    )


def resolve_line(
    resolver: str, record_id: str, stage: Stage, decision: Decision, reason: str, rationale: str
) -> dict[str, Any]:
    return RESOLUTION_LOG["resolve"].line(
        record_id=record_id,
        stage=stage,
        decision=decision,
        reason=reason,
        rationale=rationale,
        resolver=resolver,
    )


def parse_reason(project: Project, stage: Stage, text: str) -> tuple[str, str | None]:
    """(reason id, problem): accepts a reason id, its label or its number."""
    text = (text or "").strip()
    if not text:
        return "", None
    found = project.protocol.stage(stage).reason(text)
    if found is None:
        ids = ", ".join(r.id for r in project.protocol.stage(stage).exclusion_reasons)
        return "", f"unknown reason {text!r} (use an id, label or number: {ids})"
    return found.id, None


def parse_decision(
    project: Project, stage: Stage, decision: str, reason_text: str, allowed: tuple[Decision, ...]
) -> tuple[str, str | None]:
    """Check one spreadsheet row's decision and reason: (reason id, problem or None)."""
    if decision not in allowed:
        return "", f"decision {decision or '(blank)'!r} is not one of {', '.join(allowed)}"
    reason, problem = parse_reason(project, stage, reason_text)
    if problem:
        return "", problem
    if reason and decision != "exclude":
        return "", f"reason {reason_text!r} given, but only exclude takes one"
    return reason, None
