"""One line of an append-only log.

Every JSON Lines log under ``data/`` (screening, resolutions, dedup verdicts, full-text
attachments) is built by :func:`log_line`, so every line starts with ``op`` and ends with the same
``at`` (ISO UTC) and ``tool_version`` keys. Who may write which file: :mod:`review.people`.
"""

from __future__ import annotations

from typing import Any


def log_line(op: str, **fields: Any) -> dict[str, Any]:
    """``{"op": op, **fields, "at": now, "tool_version": version}``: one line of a log.

    The key order is the order given (it is the order on disk)."""
    from review import __version__
    from review.io.files import now_iso

    return {"op": op, **fields, "at": now_iso(), "tool_version": __version__}
