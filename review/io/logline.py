"""One line of an append-only log.

Every JSON Lines log under ``data/`` (screening, resolutions, dedup verdicts, full-text
attachments) is built by :func:`log_line`, so every line starts with ``op`` and ends with the same
``at`` (ISO UTC) and ``tool_version`` keys. Who may write which file: :mod:`review.people`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def now_iso() -> str:
    """Current UTC time, ISO 8601 with seconds and a trailing Z (sortable as text): the ``at`` of
    every log line, and when a lock was taken (:mod:`review.io.lock`)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def log_line(op: str, **fields: Any) -> dict[str, Any]:
    """``{"op": op, **fields, "at": now, "tool_version": version}``: one line of a log.

    The key order is the order given (it is the order on disk)."""
    from review import __version__

    return {"op": op, **fields, "at": now_iso(), "tool_version": __version__}


def bad_time(at: Any) -> str | None:
    """Why ``at`` is not an ISO 8601 time (the ``at`` of a log line), or None when it is one."""
    if not isinstance(at, str) or not at:
        return "no time (at)"
    try:
        datetime.fromisoformat(at)
    except ValueError:
        return f"time {at[:40]!r} is not an ISO 8601 time"
    return None


def decision_line_problem(
    obj: dict[str, Any], decision_key: str, reasons: dict[str, frozenset[str]]
) -> str | None:
    """Why a screening ``decide`` / resolution ``resolve`` / ``retract`` line is not in the
    vocabulary (a stage of the tool, a decision allowed at that stage, an exclusion reason of the
    protocol's stage, only with exclude, an ISO time), or None when it is valid.

    ``reasons`` maps each stage to the protocol's reason ids; ``decision_key`` is None for a
    retract line (which names only a stage and a record)."""
    from review.model import DECISIONS, FULLTEXT_DECISIONS, STAGES

    stage = obj.get("stage")
    if stage not in STAGES:
        return f"unknown stage {str(stage)[:40]!r}"
    rid = obj.get("record_id")
    if not isinstance(rid, str) or not rid:
        return "no record_id"
    if decision_key:
        decision = obj.get(decision_key)
        allowed = FULLTEXT_DECISIONS if stage == "full-text" else DECISIONS
        if decision not in allowed:
            return f"unknown decision {str(decision)[:40]!r} (allowed: {', '.join(allowed)})"
        reason = obj.get("reason") or ""
        if reason:
            if not isinstance(reason, str) or reason not in reasons.get(stage, frozenset()):
                return f"exclusion reason {str(reason)[:40]!r} is not in the protocol's {stage} reasons"
            if decision != "exclude":
                return f"a reason ({reason!r}) with {decision}"
    elif "at" not in obj:
        return None  # a retract line written by hand may carry no time; it decides nothing
    return bad_time(obj.get("at"))


def bad_count(obj: dict[str, Any], key: str, required: bool = False) -> str | None:
    """Why ``obj[key]`` is not a count (a whole number ≥ 0), or None (also when absent and not
    ``required``: hand-written lines may leave a count out)."""
    value = obj.get(key)
    if value is None:
        return f"no {key}" if required else None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return f"{key} {str(value)[:40]!r} is not a count (a whole number ≥ 0)"
    return None


def bad_fraction(obj: dict[str, Any], key: str, required: bool = False) -> str | None:
    """Why ``obj[key]`` is not a number in [0, 1] (a p-value, a recall target…), or None."""
    value = obj.get(key)
    if value is None:
        return f"no {key}" if required else None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        return f"{key} {str(value)[:40]!r} is not a number from 0 to 1"
    return None


def sample_line_problem(obj: dict[str, Any], counts: tuple[str, ...]) -> str | None:
    """Why a random-sample line (a reviewer's ``stop-sample``, the team's ``team-sample``) is not
    in the vocabulary (a stage of the tool, a whole-number seed, ``counts`` ≥ 0, an ISO time when
    it has one: a hand-edited line may carry none), or None when it is valid."""
    from review.model import STAGES

    if obj.get("stage") not in STAGES:
        return f"unknown stage {str(obj.get('stage'))[:40]!r}"
    seed = obj.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        return f"seed {str(seed)[:40]!r} is not a whole number"
    if bad := next((b for k in counts if (b := bad_count(obj, k))), None):
        return bad
    return None if obj.get("at") is None else bad_time(obj.get("at"))


def mark_line_problem(obj: dict[str, Any]) -> str | None:
    """Why a ``reopen`` / ``label`` line of a screening or resolution log is not in the vocabulary
    (a stage of the tool, a record, a reason in words for a reopen, a label, an ISO time), or
    None when it is valid."""
    from review.model import STAGES

    stage = obj.get("stage")
    if stage not in STAGES:
        return f"unknown stage {str(stage)[:40]!r}"
    rid = obj.get("record_id")
    if not isinstance(rid, str) or not rid:
        return "no record_id"
    if obj.get("op") == "reopen":
        reason = obj.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            return "a reopen without a reason"
        if not isinstance(obj.get("unlock", False), bool):
            return f"unlock {str(obj.get('unlock'))[:40]!r} is not true or false"
    else:
        label = obj.get("label")
        if not isinstance(label, str) or not label.strip():
            return "a label line without a label"
        if not isinstance(obj.get("remove", False), bool):
            return f"remove {str(obj.get('remove'))[:40]!r} is not true or false"
    return bad_time(obj.get("at"))


def screening_line_problem(
    obj: dict[str, Any], decide_op: str, reasons: dict[str, frozenset[str]]
) -> str | None:
    """Why a line of a screening log (``decide_op`` = decide) or a resolution log (resolve) is not
    in its vocabulary, whatever its op, or None when it is valid: the one check every reader of
    those logs applies (docs/reliability.md)."""
    kind = obj.get("op")
    if kind == decide_op:
        return decision_line_problem(obj, "decision", reasons)
    if kind == "retract":
        return decision_line_problem(obj, "", reasons)
    if kind in ("reopen", "label"):
        return mark_line_problem(obj)
    if kind == "stop-sample" and decide_op == "decide":  # review/rank/phase.py
        return sample_line_problem(obj, ("urn", "ranked_screened", "ranked_relevant"))
    return f"unknown op {str(kind)[:40]!r}"
