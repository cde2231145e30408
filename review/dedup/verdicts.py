"""Human dedup verdicts: append-only ``data/dedup/<reviewer-slug>.jsonl``.

Lines: ``{"op":"verdict","a":ID,"b":ID,"verdict":"same"|"related"|"different","reviewer":…,"note":…,
"at":…,"tool_version":…}`` and ``{"op":"retract","a":ID,"b":ID,"reviewer":…,"at":…}``. A pair is
unordered and stored with ``a < b``. A reviewer's standing verdict on a pair is the latest one not
retracted (a retract cancels that reviewer's latest standing verdict).

``same``: one report retrieved twice (merged); ``related``: another report of the same study (kept,
linked in related.csv); ``different``: unrelated records. When two reviewers' standing verdicts on
a pair disagree (e.g. ``same`` vs ``different``) neither is
applied: the pair is a *conflict*, reported by ``dedup`` and shown first by ``dedup
review``, where the verdict given is written with ``"resolves": true``. A resolving verdict
settles the pair; verdicts given after it count again (and may conflict with it again).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from review.errors import ReviewError
from review.io.files import JsonlProblem, append_jsonl, iter_jsonl, read_jsonl
from review.io.logline import VERDICT_LOG, bad_time
from review.model import PairVerdict, vocab
from review.people import check_roster, clean_name, own_log

if TYPE_CHECKING:
    from review.project import Project

VERDICTS: tuple[PairVerdict, ...] = tuple(PairVerdict)


@dataclass(frozen=True, slots=True)
class Verdict:
    a: str
    b: str
    verdict: PairVerdict
    reviewer: str
    note: str
    at: str
    resolves: bool = False  # given while resolving a conflict between reviewers


def pair_key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def verdicts_dir(project: Project) -> Path:
    return project.data_dir / "dedup"


def verdict_file(project: Project, reviewer: str) -> Path:
    """``reviewer``'s own verdict log; ReviewError when the file belongs to another name."""
    return own_log(verdicts_dir(project), reviewer, "reviewer", project.rel)


def reviewer_stacks(lines: list[dict[str, Any]]) -> dict[tuple[str, str], list[Verdict]]:
    """Per pair, the reviewer's standing verdicts, oldest first (retracts popped)."""
    stacks: dict[tuple[str, str], list[Verdict]] = {}
    for obj in lines:
        a, b = str(obj.get("a", "")), str(obj.get("b", ""))
        if not a or not b:
            continue
        key = pair_key(a, b)
        verdict = vocab(PairVerdict, obj.get("verdict"))
        if obj.get("op") == "verdict" and verdict is not None:
            stacks.setdefault(key, []).append(
                Verdict(
                    key[0],
                    key[1],
                    verdict,
                    str(obj.get("reviewer", "")),
                    str(obj.get("note", "")),
                    str(obj.get("at", "")),
                    obj.get("resolves") is True,
                )
            )
        elif obj.get("op") == "retract" and stacks.get(key):
            stacks[key].pop()
    return stacks


def check_line(obj: dict[str, Any]) -> str | None:
    """What is wrong with a verdict log line's values (verdict and retract are its only ops), or
    None."""
    op = obj.get("op")
    if not isinstance(op, str) or op not in VERDICT_LOG.ops:
        return f"unknown op {str(op)[:40]!r}"
    if not all(isinstance(obj.get(k), str) and obj.get(k) for k in ("a", "b")):
        return "no record pair (a, b)"
    if op == "verdict" and vocab(PairVerdict, obj.get("verdict")) is None:
        return (
            f"unknown verdict {str(obj.get('verdict'))[:40]!r} (allowed: same, related, different)"
        )
    if op == "retract" and "at" not in obj:
        return None
    return bad_time(obj.get("at"))


def log_problems(project: Project) -> list[str]:
    """Every damaged or invalid line of the verdict logs (``file:line: what, ignored``)."""
    problems: list[JsonlProblem] = []
    folder = verdicts_dir(project)
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        for _ in iter_jsonl(path, problems, check_line):
            pass
    return [str(p) for p in problems]


def _all_standing(project: Project) -> dict[tuple[str, str], list[Verdict]]:
    """Per pair, every reviewer's standing verdict."""
    out: dict[tuple[str, str], list[Verdict]] = {}
    folder = verdicts_dir(project)
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.jsonl")):
        for key, stack in reviewer_stacks(read_jsonl(path, check=check_line)).items():
            if stack:
                out.setdefault(key, []).append(stack[-1])
    return out


def settle(standing: list[Verdict]) -> tuple[Verdict | None, bool]:
    """(the verdict that stands, is it a conflict?) from every reviewer's standing verdict on one
    pair: the latest resolving verdict and those given after it must all agree."""
    ordered = sorted(standing, key=lambda v: (v.at, v.reviewer))
    last_resolution = max((i for i, v in enumerate(ordered) if v.resolves), default=0)
    relevant = ordered[last_resolution:]
    if len({v.verdict for v in relevant}) > 1:
        return None, True
    return relevant[-1], False


def load_verdicts(project: Project) -> dict[tuple[str, str], Verdict]:
    """The standing verdict of every decided pair on which the reviewers agree (conflicts left
    out: see :func:`verdict_conflicts`)."""
    out: dict[tuple[str, str], Verdict] = {}
    for key, standing in _all_standing(project).items():
        v, conflict = settle(standing)
        if v is not None and not conflict:
            out[key] = v
    return out


def verdict_conflicts(project: Project) -> dict[tuple[str, str], list[Verdict]]:
    """Pairs on which reviewers' standing verdicts disagree, with those verdicts (oldest first)."""
    out: dict[tuple[str, str], list[Verdict]] = {}
    for key, standing in sorted(_all_standing(project).items()):
        _, conflict = settle(standing)
        if conflict:
            out[key] = sorted(standing, key=lambda v: (v.at, v.reviewer))
    return out


def standing_verdicts(project: Project) -> dict[tuple[str, str], PairVerdict]:
    """``{(a, b): "same"|"related"|"different"}`` for :func:`review.dedup.pipeline.run_dedup`."""
    return {k: v.verdict for k, v in load_verdicts(project).items()}


def verdict_line(
    a: str, b: str, verdict: str, reviewer: str, note: str = "", resolves: bool = False
) -> dict[str, Any]:
    if vocab(PairVerdict, verdict) is None:
        raise ReviewError(f"{verdict!r} is not a verdict; use same, related or different.")
    reviewer = clean_name(reviewer, "--reviewer")
    x, y = pair_key(a, b)
    extra = {"resolves": True} if resolves else {}
    return VERDICT_LOG["verdict"].line(
        a=x, b=y, verdict=verdict, reviewer=reviewer, note=note, **extra
    )


def retract_line(a: str, b: str, reviewer: str) -> dict[str, Any]:
    reviewer = clean_name(reviewer, "--reviewer")
    x, y = pair_key(a, b)
    return VERDICT_LOG["retract"].line(a=x, b=y, reviewer=reviewer)


def append_lines(project: Project, reviewer: str, lines: list[dict[str, Any]]) -> Path:
    check_roster(project.protocol, reviewer, "dedup")
    path = verdict_file(project, reviewer)
    if lines:
        append_jsonl(path, lines)
    return path
