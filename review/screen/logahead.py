"""Several logs with much to parse, parsed at once on the machine's cores.

The first command to read logs pulled from colleagues (two reviewers' 60k-decision logs, or
ten reviewers' smaller ones) spends most of its time parsing them, one after the other. Before
reading every log of a folder, :func:`read_logs_ahead` finds those with at least
:data:`MIN_AHEAD` bytes not yet in their cache file (known from the cache file's header,
review/screen/cache.py) and, when there are two or more, parses them in forked worker
processes (:func:`review.io.readers.workers.ordered_map`), each giving back its cache file's
bytes: this process writes them and remembers the states, so that :func:`review.screen.cache.
read_log` then finds them as if it had parsed them itself (the same states: the same parsing
code on the same bytes). With one core, no fork, one such log or any failure, nothing happens
here and ``read_log`` parses as before.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from review.screen.cache import (
    log_cache_bytes,
    log_cache_path,
    log_state,
    log_vocab,
    parse_log,
    parsed_size,
)

if TYPE_CHECKING:
    from review.project import Project

MIN_AHEAD = 1 << 20  # bytes left to parse in a log (about 5,000 decisions)


def read_logs_ahead(project: Project, paths: list[Path], op: str) -> None:
    """Parse the logs among ``paths`` (``op`` = decide or resolve) with much left to parse in
    worker processes, when two or more have; remember their states for ``read_log``."""
    from review.io.files import atomic_write_bytes
    from review.io.readers.workers import ordered_map, spare_cores
    from review.screen.memo import file_key, keep, known

    reasons, vocab = log_vocab(project)
    todo: list[tuple[Path, Any]] = []
    for path in paths:
        try:
            size = path.stat().st_size
        except OSError:
            continue
        if size - parsed_size(log_cache_path(project, path, op)) < MIN_AHEAD:
            continue
        key = (file_key(path), vocab)
        if not known(project, ("log", op, str(path)), key):
            todo.append((path, key))
    workers = spare_cores(len(todo))
    if len(todo) < 2 or workers < 2:  # this process waits: one worker would gain nothing
        return
    job = partial(_parse, project, op, reasons, vocab)
    try:
        for (path, key), ((torn_at, changed), blobs) in zip(
            todo, ordered_map(job, [p for p, _ in todo], workers), strict=True
        ):
            data = bytes(blobs[0])
            state = log_state(data)
            if state is None:
                return
            if changed:
                try:
                    atomic_write_bytes(log_cache_path(project, path, op), data)
                except OSError:
                    pass  # read-only checkout: works, just slower
            keep(project, ("log", op, str(path)), key, (state, torn_at))
    except Exception:
        return


def _parse(
    project: Project, op: str, reasons: dict[str, frozenset[str]], vocab: str, path: Path
) -> tuple[tuple[int | None, bool], list[bytes]]:
    """In a worker: one log parsed; (torn line, parsed beyond the cache), its cache bytes."""
    state, torn_at, changed = parse_log(project, path, op, reasons, vocab)
    return (torn_at, changed), [log_cache_bytes(state)]
