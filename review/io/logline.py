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
