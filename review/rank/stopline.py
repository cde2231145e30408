"""The team's stopping lines in ``data/stopping/<who>.jsonl``, read back (a leaf module: the
screening package reads it to know whether a stage was stopped, without importing the test).

- ``{"op":"team-sample","stage","seed","urn","ranked_by_all","ranked_relevant","required",
  "by","at","tool_version"}``: the team's random sample of the records not yet screened by the
  required number of reviewers began (review/rank/team.py).
- ``{"op":"stop","stage","rule","scope","test_reviewer","recall_target","confidence","p_value",
  "urn","sampled","sample_relevant","ranked_relevant","sample_agreement","by","at",
  "tool_version"}``: the team's decision to stop screening the stage by the rule. ``scope`` is
  ``"team"`` (the test ran on the records screened by the required number of reviewers) or
  ``"reviewer"`` (one reviewer's own random sample: single screening, or a line written before
  team stops existed, which has no ``scope``).

A recorded stop ends the stage for everyone (docs/ranking.md "Team stop").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from review.errors import ReviewError
from review.io.files import JsonlAppender, JsonlProblem, command_text, iter_jsonl, safe_name
from review.io.lock import log_lock
from review.io.logline import (
    STOPPING_LOG,
    bad_count,
    bad_fraction,
    bad_time,
    sample_line_problem,
)
from review.model import Stage, vocab
from review.people import clean_name

if TYPE_CHECKING:
    from review.project import Project
    from review.rank.stopping import StopTest

STOP_OP = "stop"
TEAM_SAMPLE_OP = "team-sample"


def stop_dir(project: Project) -> Path:
    return project.data_dir / "stopping"


def _count(line: Mapping[str, Any], key: str) -> int | None:
    value = line.get(key)
    return None if value is None else int(value)


@dataclass(frozen=True, slots=True)
class StopDecision:
    """The team's decision to stop screening a stage by the rule (a ``stop`` line)."""

    stage: Stage
    rule: str
    test_reviewer: str  # "" for a team stop
    recall_target: float
    confidence: float
    p_value: float
    urn: int | None  # None: not in the line (a hand-edited log)
    sampled: int | None
    sample_relevant: int | None
    ranked_relevant: int | None
    by: str | None
    at: str
    tool_version: str
    scope: str = "reviewer"  # "team": the test ran on the records every required reviewer screened
    sample_agreement: float | None = None  # team stops: share of sampled records agreed on

    @property
    def is_team(self) -> bool:
        return self.scope == "team"

    @classmethod
    def from_line(cls, line: Mapping[str, Any]) -> StopDecision:
        agree = line.get("sample_agreement")
        return cls(
            stage=Stage(line["stage"]),  # a valid line (stop_line_problem)
            rule=str(line.get("rule", "")),
            test_reviewer=str(line.get("test_reviewer", "")),
            recall_target=float(line.get("recall_target", 0.95)),
            confidence=float(line.get("confidence", 0.95)),
            p_value=float(line.get("p_value", 1)),
            urn=_count(line, "urn"),
            sampled=_count(line, "sampled"),
            sample_relevant=_count(line, "sample_relevant"),
            ranked_relevant=_count(line, "ranked_relevant"),
            by=None if line.get("by") is None else str(line["by"]),
            at=str(line.get("at", "")),
            tool_version=str(line.get("tool_version", "")),
            scope=str(line.get("scope", "reviewer")),
            sample_agreement=None if agree is None else float(agree),
        )

    def to_json(self) -> dict[str, Any]:
        """The line as written by ``record_stop`` / ``record_team_stop``."""
        out: dict[str, Any] = {
            "op": STOP_OP,
            "stage": self.stage,
            "rule": self.rule,
            "scope": self.scope,
            "test_reviewer": self.test_reviewer,
            "recall_target": self.recall_target,
            "confidence": self.confidence,
            "p_value": self.p_value,
            "urn": self.urn,
            "sampled": self.sampled,
            "sample_relevant": self.sample_relevant,
            "ranked_relevant": self.ranked_relevant,
        }
        if self.is_team:
            out["sample_agreement"] = self.sample_agreement
        out.update({"by": self.by, "at": self.at, "tool_version": self.tool_version})
        return out


@dataclass(frozen=True, slots=True)
class TeamSampleLine:
    """A ``team-sample`` line read back (a hand-edited line may lack keys: seed 0, None)."""

    stage: Stage
    seed: int
    urn: int | None
    ranked_by_all: int | None
    ranked_relevant: int | None
    required: int | None
    by: str | None
    at: str

    @classmethod
    def from_line(cls, line: Mapping[str, Any]) -> TeamSampleLine:
        return cls(
            stage=Stage(line["stage"]),  # a valid line (stop_line_problem)
            seed=int(line.get("seed", 0)),
            urn=_count(line, "urn"),
            ranked_by_all=_count(line, "ranked_by_all"),
            ranked_relevant=_count(line, "ranked_relevant"),
            required=_count(line, "required"),
            by=None if line.get("by") is None else str(line["by"]),
            at=str(line.get("at", "")),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "op": TEAM_SAMPLE_OP,
            "stage": self.stage,
            "seed": self.seed,
            "urn": self.urn,
            "ranked_by_all": self.ranked_by_all,
            "ranked_relevant": self.ranked_relevant,
            "required": self.required,
            "by": self.by,
            "at": self.at,
        }


def stop_line_problem(obj: Mapping[str, Any]) -> str | None:
    """Why a ``stop`` / ``team-sample`` line of data/stopping/ is not in the vocabulary (a stage of
    the tool, counts ≥ 0, p-value, recall target and confidence in [0, 1], a name in ``by``, an
    ISO time), or None when it is valid. A bad ``stop`` line must never end a stage: PRISMA would
    count the records nobody screened as excluded by automation."""
    line = dict(obj)
    op = line.get("op")
    if op == TEAM_SAMPLE_OP:
        counts = ("urn", "ranked_by_all", "ranked_relevant", "required")
        bad = sample_line_problem(line, counts)  # a hand-edited line may lack by and at
        return bad or (None if line.get("by") is None else _bad_name(line.get("by")))
    if op != STOP_OP:
        return f"unknown op {str(op)[:40]!r}"
    if vocab(Stage, line.get("stage")) is None:
        return f"unknown stage {str(line.get('stage'))[:40]!r}"
    if not isinstance(line.get("rule"), str) or not line["rule"].strip():
        return "a stop without its rule"
    if line.get("scope", "reviewer") not in ("team", "reviewer"):
        return f"scope {str(line.get('scope'))[:40]!r} is not team or reviewer"
    checks = [bad_fraction(line, "p_value", required=True)]
    checks += [bad_fraction(line, k) for k in ("recall_target", "confidence", "sample_agreement")]
    checks += [bad_count(line, k) for k in ("urn", "sampled", "sample_relevant", "ranked_relevant")]
    checks += [_bad_name(line.get("by")), bad_time(line.get("at"))]
    return next((c for c in checks if c), None)


def _bad_name(by: Any) -> str | None:
    """Why ``by`` is not a person's name as the tool writes one, or None."""
    if not isinstance(by, str):
        return "no by (who recorded it)"
    try:
        clean_name(by, "--by")
    except ReviewError:
        return f"by {by[:40]!r} is not a name"
    return None


def _lines(project: Project, op: str, stage: Stage) -> list[dict[str, Any]]:
    folder = stop_dir(project)
    found: list[dict[str, Any]] = []
    if folder.is_dir():
        for path in sorted(folder.glob("*.jsonl")):
            found.extend(
                o
                for o in iter_jsonl(path, check=stop_line_problem)  # bad lines: log_problems
                if o.get("op") == op and o.get("stage") == stage
            )
    return found


def log_problems(project: Project) -> list[str]:
    """Every damaged or invalid line of data/stopping/ (``file:line: what, ignored``)."""
    problems: list[JsonlProblem] = []
    folder = stop_dir(project)
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        for _ in iter_jsonl(path, problems, stop_line_problem):
            pass
    return [str(p) for p in problems]


def stop_decision(project: Project, stage: Stage) -> StopDecision | None:
    """The team's recorded decision to stop ``stage`` (the earliest), or None."""
    found = _lines(project, STOP_OP, stage)
    return StopDecision.from_line(min(found, key=lambda o: str(o.get("at", "")))) if found else None


def team_sample_line(project: Project, stage: Stage) -> TeamSampleLine | None:
    """The team's random sample at ``stage`` (the earliest ``team-sample`` line), or None."""
    found = _lines(project, TEAM_SAMPLE_OP, stage)
    if not found:
        return None
    return TeamSampleLine.from_line(min(found, key=lambda o: str(o.get("at", ""))))


def stop_line(
    stage: Stage,
    rule: str,
    scope: str,
    test: StopTest,
    recall: float,
    confidence: float,
    by: str,
    **fields: Any,
) -> dict[str, Any]:
    """A ``stop`` line of the stopping log from the test that allowed it (one reviewer's or the
    team's: ``fields`` holds what only one of them records)."""
    return STOPPING_LOG[STOP_OP].line(
        stage=stage,
        rule=rule,
        scope=scope,
        recall_target=recall,
        confidence=confidence,
        p_value=test.p_value,
        urn=test.urn,
        sampled=test.sampled,
        sample_relevant=test.sample_includes,
        ranked_relevant=test.ranked_includes,
        by=by,
        **fields,
    )


def append_stopping(project: Project, by: str, line: dict[str, Any]) -> None:
    """Append ``line`` to ``by``'s stopping log (its one writer, under the log's lock)."""
    path = stop_dir(project) / f"{safe_name(by)}.jsonl"
    with log_lock(path, by, command_text()), JsonlAppender(path) as app:
        app.append(line)
