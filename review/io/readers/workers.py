"""An ordered map over forked worker processes: the second core for reading a large export.

:func:`ordered_map` runs ``job(task)`` for every task and yields the results in task order,
in ``workers`` processes forked from this one (so they inherit the data the job reads: no
copy is sent), or in this process when ``workers`` is 0. Tasks go round-robin, at most two
per worker ahead of what has been yielded, so memory stays bounded whatever the number of
tasks. The caller consumes a result (writes it to disk) while the workers compute the next
ones.

Safety: the workers ignore Ctrl-C (the parent receives it, stops them and unwinds as it would
without workers); they stop by themselves when the parent dies (``kill -9``: they see the
parent gone within half a second, or their pipe closed) and they never write anything. A
worker that dies (out of memory) raises :class:`WorkerError`; an exception in a job is raised
again in the parent.

Only where ``fork`` is the platform's way of starting processes (Linux): elsewhere, and on a
machine with one core, everything runs in this process, with the same results.
:func:`worker_count` decides; ``REVIEW_WORKERS`` overrides it (``0``: never fork, as in tests
that compare both ways).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Generator, Sequence
from itertools import pairwise
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MAX_WORKERS = 4  # more would only add memory: the parent writes what they read


class WorkerError(RuntimeError):
    """A worker process ended without giving its result (killed, out of memory)."""


def worker_count(tasks: int) -> int:
    """How many worker processes to use for ``tasks`` tasks: 0 (run in this process) when there
    are fewer than two tasks, one core, no ``fork``, or when called from a thread other than
    the main one (a reading in the background of an interactive program); else the cores this
    process may run on (at most :data:`MAX_WORKERS`). ``REVIEW_WORKERS`` (a whole number)
    overrides the cores and the thread rule. Other threads may run (a progress bar's refresh
    thread): the workers touch nothing of theirs, only the reading job, pipes and shared
    memory."""
    if tasks < 2 or not sys.platform.startswith("linux"):
        return 0
    env = os.environ.get("REVIEW_WORKERS", "").strip()
    if env:
        try:
            return max(0, min(int(env), MAX_WORKERS, tasks))
        except ValueError:
            pass
    import threading

    if threading.current_thread() is not threading.main_thread():
        return 0
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return 0 if cores < 2 else min(cores, MAX_WORKERS, tasks)


def spare_cores(tasks: int) -> int:
    """Workers for work that pays only on an idle core (drawing a diagram, parsing logs while
    this process waits): :func:`worker_count`, less the cores the load average of the last
    minute says are busy with something else (one unit of load is taken to be this very
    pipeline: the command before this one). ``REVIEW_WORKERS`` overrides it as it does
    :func:`worker_count`."""
    n = worker_count(tasks)
    if n == 0 or os.environ.get("REVIEW_WORKERS", "").strip():
        return n
    try:
        cores = len(os.sched_getaffinity(0))
        others = max(0.0, os.getloadavg()[0] - 1.0)
    except (AttributeError, OSError):
        return n
    return max(0, min(n, round(cores - others)))


def ordered_map(
    job: Callable[[T], tuple[R, list[bytes]]], tasks: Sequence[T], workers: int
) -> Generator[tuple[R, Sequence[bytes | memoryview]], None, None]:
    """``job(task)`` for each task, in task order, in ``workers`` forked processes (0: here).

    A job returns ``(value, blobs)``: ``value`` is pickled back to this process, the ``blobs``
    (bytes) are copied into memory shared with it and given as :class:`memoryview` s, valid
    until the next result is asked for (no pickling, no pipe: the blobs are most of a result).
    """
    if workers <= 0:
        yield from map(job, tasks)
        return
    pool = _Pool(job, min(workers, len(tasks)))
    try:
        yield from pool.results(tasks)
    finally:
        pool.close()


SLOT = 1 << 25  # bytes of shared memory per result in flight (a larger result takes the pipe)


class Background:
    """One forked worker started now for one job given later: ``warm()`` runs in it at once
    (imports, say) while this process gets the job's input ready, then :meth:`result` runs
    ``job(task)`` there. The same safety as :func:`ordered_map`'s workers. Use it as a context
    manager (the worker is stopped on leaving, result asked for or not)."""

    def __init__(self, job: Callable[[Any], tuple[Any, list[bytes]]], warm: Callable[[], Any]):
        self._pool = _Pool(job, 1, warm)

    def result(self, task: Any) -> tuple[Any, list[bytes]]:
        """``job(task)``'s value and blobs (bytes); its exception is raised again here; a worker
        that died raises :class:`WorkerError`."""
        results = self._pool.results([task])
        value, views = next(results)
        blobs = [bytes(v) for v in views]
        for v in views:
            if isinstance(v, memoryview):
                v.release()
        del views
        results.close()  # releases the shared memory's view
        return value, blobs

    def close(self) -> None:
        self._pool.close()

    def __enter__(self) -> Background:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Pool:
    def __init__(
        self, job: Callable[[Any], Any], n: int, warm: Callable[[], Any] | None = None
    ) -> None:
        import mmap
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        self.conns: list[Any] = []
        self.procs: list[Any] = []
        # two slots per worker (anonymous shared memory, made before the fork: the worker
        # fills one while this process reads the other); only the pages written take memory
        self.slots = [(mmap.mmap(-1, SLOT), mmap.mmap(-1, SLOT)) for _ in range(n)]
        parent = os.getpid()
        try:
            for slots in self.slots:
                mine, theirs = ctx.Pipe(duplex=True)
                proc = ctx.Process(
                    target=_serve,
                    args=(job, theirs, mine, self.conns, parent, slots, warm),
                    daemon=True,
                )
                proc.start()
                theirs.close()
                self.conns.append(mine)
                self.procs.append(proc)
        except BaseException:
            self.close()
            raise

    def results(self, tasks: Sequence[Any]) -> Generator[Any, None, None]:
        """Task ``i`` goes to worker ``i % n`` and uses its slot ``(i // n) % 2``; task
        ``i + 2n`` (the same slot) is sent only when result ``i`` has been used."""
        n, conns = len(tasks), self.conns
        w = len(conns)
        sent = 0
        while sent < min(n, 2 * w):
            conns[sent % w].send(tasks[sent])
            sent += 1
        for i in range(n):
            try:
                ok, value, where = conns[i % w].recv()
            except (EOFError, OSError):
                raise WorkerError(
                    "a worker process reading the file ended unexpectedly (out of memory?)"
                ) from None
            if not ok:
                raise value
            if isinstance(where, list):  # too large for the slot: the blobs came by the pipe
                yield value, where
            else:
                view = memoryview(self.slots[i % w][(i // w) % 2])
                try:
                    yield value, [view[a:b] for a, b in pairwise(where)]
                finally:
                    view.release()
            if sent < n:
                conns[sent % w].send(tasks[sent])
                sent += 1

    def close(self) -> None:
        """Stop the workers (at once: they hold nothing worth finishing) and reap them."""
        for conn in self.conns:
            conn.close()
        for proc in self.procs:
            if proc.is_alive():
                proc.terminate()
        for proc in self.procs:
            proc.join(5)
        for pair in self.slots:
            for slot in pair:
                try:
                    slot.close()
                except BufferError:  # a view still held by the caller: freed with it
                    pass
        self.conns, self.procs, self.slots = [], [], []


def _serve(
    job: Callable[[Any], Any],
    conn: Any,
    mine: Any,
    others: list[Any],
    parent: int,
    slots: tuple[Any, Any],
    warm: Callable[[], Any] | None = None,
) -> None:
    """A worker's loop: a task in, its result (or its exception) out, until told to stop.
    ``warm()`` first (a failure there is the job's to meet again)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    mine.close()  # the parent's ends: only the parent may hold them, so EOF means it is gone
    for other in others:
        other.close()
    if warm is not None:
        try:
            warm()
        except Exception:  # noqa: S110 - the job meets it again and reports it
            pass
    done = 0
    while True:
        if not conn.poll(0.5):
            if os.getppid() != parent:
                os._exit(0)
            continue
        try:
            task = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        out: tuple[bool, Any, Any]
        try:
            value, blobs = job(task)
            out = (True, value, _place(blobs, slots[done % 2]))
        except Exception as exc:  # raised again in the parent
            out = (False, exc, None)
        done += 1
        try:
            conn.send(out)
        except (OSError, ValueError):
            os._exit(0)
        except Exception as exc:  # an exception that cannot be pickled: say what it was
            conn.send((False, RuntimeError(f"{out[1]!r} ({exc})"), None))
        del out


def _place(blobs: list[bytes], slot: Any) -> tuple[int, ...] | list[bytes]:
    """Copy ``blobs`` one after another into ``slot``; their offsets (and the end), or the
    blobs themselves when they do not fit."""
    if sum(map(len, blobs)) > len(slot):
        return blobs
    marks = [0]
    for blob in blobs:
        end = marks[-1] + len(blob)
        slot[marks[-1] : end] = blob
        marks.append(end)
    return tuple(marks)
