"""One line of an append-only log.

Every JSON Lines log under ``data/`` (screening, resolutions, dedup verdicts, full-text
attachments) is built by :func:`log_line`, so every line starts with ``op`` and ends with the same
``at`` (ISO UTC) and ``tool_version`` keys. Who may write which file: :mod:`review.people`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from review import __version__
from review.model import DECISIONS, FULLTEXT_DECISIONS, STAGES


def now_iso() -> str:
    """Current UTC time, ISO 8601 with seconds and a trailing Z (sortable as text): the ``at`` of
    every log line, and when a lock was taken (:mod:`review.io.lock`)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def log_line(op: str, **fields: Any) -> dict[str, Any]:
    """``{"op": op, **fields, "at": now, "tool_version": version}``: one line of a log.

    The key order is the order given (it is the order on disk)."""
    return {"op": op, **fields, "at": now_iso(), "tool_version": __version__}


@dataclass(frozen=True, slots=True)
class LineSchema:
    """One ``op`` of one log: which fields its lines have, in their order on disk.

    A line is ``op``, then :attr:`fields` (those in :attr:`optional` only when given), then
    ``at`` and ``tool_version``, then :attr:`trailing` (optional fields an older version wrote
    after the time, kept there so files stay byte-identical). Writers build every line with
    :meth:`line`; readers dispatch on :class:`LogSchema` ops and may get fewer fields from a
    hand-written line (their ``*_problem`` checks say which values a line needs)."""

    op: str
    fields: tuple[str, ...]
    optional: frozenset[str] = frozenset()
    trailing: tuple[str, ...] = ()

    def line(self, **values: Any) -> dict[str, Any]:
        """The log line of ``values`` in the declared order (:func:`log_line`). A field not
        declared, or a declared one missing, is a bug: TypeError."""
        unknown = values.keys() - {*self.fields, *self.trailing}
        missing = [f for f in self.fields if f not in values and f not in self.optional]
        if unknown or missing:
            raise TypeError(
                f"a {self.op!r} line: fields {sorted(unknown)} not declared, {missing} missing"
            )
        line = log_line(self.op, **{f: values[f] for f in self.fields if f in values})
        line.update((f, values[f]) for f in self.trailing if f in values)
        return line

    def keys_problem(self, obj: dict[str, Any]) -> str | None:
        """Why ``obj`` does not have exactly this schema's keys in their order (what the tool
        writes), or None: for tests and audits; readers accept hand-written lines."""
        given = [k for k in obj if k not in ("op", "at", "tool_version")]
        at_end = [k for k in self.trailing if k in obj]
        body = given[: len(given) - len(at_end)] if at_end else given
        want = [f for f in self.fields if f in obj or f not in self.optional]
        if list(obj)[:1] != ["op"] or obj.get("op") != self.op:
            return f"not a {self.op!r} line (op first)"
        if body != want or list(obj)[len(body) + 1 : len(body) + 3] != ["at", "tool_version"]:
            return f"keys {list(obj)} are not op, {', '.join(want)}, at, tool_version"
        return None


@dataclass(frozen=True, slots=True)
class LogSchema:
    """Every op of one append-only log (its folder under ``data/``)."""

    folder: str
    ops: dict[str, LineSchema]

    def __getitem__(self, op: str) -> LineSchema:
        return self.ops[op]


def _ops(*schemas: LineSchema) -> dict[str, LineSchema]:
    return {s.op: s for s in schemas}


_MARKS = (  # a screening or resolution log: a confirmed change of a finished record, a label
    LineSchema("reopen", ("record_id", "stage", "reason", "undoes", "unlock", "reviewer"),
               frozenset({"unlock"})),
    LineSchema("label", ("record_id", "stage", "label", "remove", "reviewer")),
)  # fmt: skip
# data/screening/<reviewer>.jsonl (review.screen.logs; stop-sample: review.rank.phase)
SCREENING_LOG = LogSchema("screening", _ops(
    LineSchema("decide", ("record_id", "stage", "decision", "reason", "note", "reviewer")),
    LineSchema("retract", ("record_id", "stage", "reviewer")),
    *_MARKS,
    LineSchema("stop-sample", ("stage", "seed", "urn", "ranked_screened", "ranked_relevant",
                               "reviewer")),
))  # fmt: skip
# data/resolutions/<resolver>.jsonl (review.screen.logs, review.screen.resolve)
RESOLUTION_LOG = LogSchema("resolutions", _ops(
    LineSchema("resolve", ("record_id", "stage", "decision", "reason", "rationale", "resolver")),
    LineSchema("retract", ("record_id", "stage", "resolver")),
    *_MARKS,
))  # fmt: skip
# data/dedup/<reviewer>.jsonl (review.dedup.verdicts)
VERDICT_LOG = LogSchema("dedup", _ops(
    LineSchema("verdict", ("a", "b", "verdict", "reviewer", "note"), trailing=("resolves",)),
    LineSchema("retract", ("a", "b", "reviewer")),
))  # fmt: skip
# data/fulltext/<who>.jsonl (review.screen.fulltext)
FULLTEXT_LOG = LogSchema("fulltext", _ops(
    LineSchema("attach", ("record_id", "path", "matched_by", "by")),
))  # fmt: skip
# data/stopping/<who>.jsonl (review.rank.phase: one reviewer's stop; review.rank.team)
STOPPING_LOG = LogSchema("stopping", _ops(
    LineSchema("stop", ("stage", "rule", "scope", "test_reviewer", "recall_target", "confidence",
                        "p_value", "urn", "sampled", "sample_relevant", "ranked_relevant",
                        "sample_agreement", "by"), frozenset({"sample_agreement"})),
    LineSchema("team-sample", ("stage", "seed", "urn", "ranked_by_all", "ranked_relevant",
                               "required", "by")),
))  # fmt: skip
LOGS = (SCREENING_LOG, RESOLUTION_LOG, VERDICT_LOG, FULLTEXT_LOG, STOPPING_LOG)


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
    log = SCREENING_LOG if decide_op == "decide" else RESOLUTION_LOG
    if not isinstance(kind, str) or kind not in log.ops:
        return f"unknown op {str(kind)[:40]!r}"
    if kind == decide_op:
        return decision_line_problem(obj, "decision", reasons)
    if kind == "retract":
        return decision_line_problem(obj, "", reasons)
    if kind in ("reopen", "label"):
        return mark_line_problem(obj)
    # stop-sample (review/rank/phase.py)
    return sample_line_problem(obj, ("urn", "ranked_screened", "ranked_relevant"))
