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
