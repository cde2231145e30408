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
