"""Watching the forked workers of review/io/readers/workers.py in tests."""

from __future__ import annotations

import pytest


def started_workers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the worker processes started from now on (filled as pools start)."""
    from review.io.readers import workers

    started: list[int] = []
    real = workers._Pool.__init__

    def counted(self, *a, **k):
        real(self, *a, **k)
        started.extend(p.pid for p in self.procs)

    monkeypatch.setattr(workers._Pool, "__init__", counted)
    return started
