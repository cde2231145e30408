"""The one pause of Python's cyclic garbage collector, for code that builds millions of small
objects holding no reference cycles (reading exports, logs and caches; scoring pairs).

The collector would walk them again and again for nothing: about 15% of the time of reading a
100,000-record file, half of reading 100k-line logs. Use ``with gc_paused():`` or decorate a
function with ``@gc_paused()``; nested pauses are safe (only the outermost one resumes it).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (or the decorated function)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_OWN_PROCESS = False


def own_process() -> None:
    """Say that this process runs one command and ends (the CLI's entry point does)."""
    global _OWN_PROCESS
    _OWN_PROCESS = True


def gc_off_until_exit() -> None:
    """For a one-shot command that reads a whole project (``prisma``, ``report``, ``status``)
    in a process of its own: the collector stays off until the process ends, which frees
    everything at once. Turned back on, the first allocation would walk every object made
    while it was paused (0.14-0.2 s of each of these commands at 100,000 records) for garbage
    without cycles. Nothing happens when the command runs inside another program (a test
    runner, the library called from a notebook), nor is it for a long-running session."""
    if _OWN_PROCESS:
        gc.disable()
