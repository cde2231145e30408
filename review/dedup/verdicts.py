"""Human dedup verdicts: append-only ``data/dedup/<reviewer-slug>.jsonl``.

Lines: ``{"op":"verdict","a":ID,"b":ID,"verdict":"same"|"different","reviewer":…,"note":…,
"at":…,"tool_version":…}`` and ``{"op":"retract","a":ID,"b":ID,"reviewer":…,"at":…}``. A pair is
unordered and stored with ``a < b``. A reviewer's standing verdict on a pair is the latest one not
retracted (a retract cancels that reviewer's latest standing verdict). When reviewers disagree,
the most recent standing verdict (by ``at``) wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from review.errors import ReviewError

if TYPE_CHECKING:
    from review.project import Project

VERDICTS = ("same", "different")


@dataclass(frozen=True, slots=True)
class Verdict:
    a: str
    b: str
    verdict: str
    reviewer: str
    note: str
    at: str


def pair_key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def verdicts_dir(project: Project) -> Path:
    return project.data_dir / "dedup"


def verdict_file(project: Project, reviewer: str) -> Path:
    """``reviewer``'s own verdict log; ReviewError when the file belongs to another name."""
    from review.people import own_path, owner_of

    return own_path(
        verdicts_dir(project),
        reviewer,
        ".jsonl",
        lambda p: owner_of(p, "reviewer"),
        "--reviewer",
        project.rel,
    )


def reviewer_stacks(lines: list[dict[str, Any]]) -> dict[tuple[str, str], list[Verdict]]:
    """Per pair, the reviewer's standing verdicts, oldest first (retracts popped)."""
    stacks: dict[tuple[str, str], list[Verdict]] = {}
    for obj in lines:
        a, b = str(obj.get("a", "")), str(obj.get("b", ""))
        if not a or not b:
            continue
        key = pair_key(a, b)
        if obj.get("op") == "verdict" and obj.get("verdict") in VERDICTS:
            stacks.setdefault(key, []).append(
                Verdict(
                    key[0],
                    key[1],
                    str(obj["verdict"]),
                    str(obj.get("reviewer", "")),
                    str(obj.get("note", "")),
                    str(obj.get("at", "")),
                )
            )
        elif obj.get("op") == "retract" and stacks.get(key):
            stacks[key].pop()
    return stacks


def load_verdicts(project: Project) -> dict[tuple[str, str], Verdict]:
    """The standing verdict of every decided pair (all reviewers; latest wins)."""
    from review.io.files import read_jsonl

    out: dict[tuple[str, str], Verdict] = {}
    folder = verdicts_dir(project)
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.jsonl")):
        for key, stack in reviewer_stacks(read_jsonl(path)).items():
            if not stack:
                continue
            v = stack[-1]
            prev = out.get(key)
            if prev is None or (v.at, v.reviewer) > (prev.at, prev.reviewer):
                out[key] = v
    return out


def standing_verdicts(project: Project) -> dict[tuple[str, str], str]:
    """``{(a, b): "same"|"different"}`` for :func:`review.dedup.pipeline.run_dedup`."""
    return {k: v.verdict for k, v in load_verdicts(project).items()}


def verdict_line(a: str, b: str, verdict: str, reviewer: str, note: str = "") -> dict[str, Any]:
    from review import __version__
    from review.io.files import now_iso
    from review.people import clean_name

    if verdict not in VERDICTS:
        raise ReviewError(f"{verdict!r} is not a verdict; use same or different.")
    reviewer = clean_name(reviewer, "--reviewer")
    x, y = pair_key(a, b)
    return {
        "op": "verdict",
        "a": x,
        "b": y,
        "verdict": verdict,
        "reviewer": reviewer,
        "note": note,
        "at": now_iso(),
        "tool_version": __version__,
    }


def retract_line(a: str, b: str, reviewer: str) -> dict[str, Any]:
    from review import __version__
    from review.io.files import now_iso
    from review.people import clean_name

    reviewer = clean_name(reviewer, "--reviewer")
    x, y = pair_key(a, b)
    return {
        "op": "retract",
        "a": x,
        "b": y,
        "reviewer": reviewer,
        "at": now_iso(),
        "tool_version": __version__,
    }


def append_lines(project: Project, reviewer: str, lines: list[dict[str, Any]]) -> Path:
    from review.io.files import append_jsonl
    from review.people import check_roster

    check_roster(project.protocol, reviewer, "dedup")
    path = verdict_file(project, reviewer)
    if lines:
        append_jsonl(path, lines)
    return path
