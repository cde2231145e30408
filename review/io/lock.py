"""Locks between processes: one project-wide writer lock and one lock per decision log.

Both are operating-system file locks (``flock`` on Unix, ``msvcrt.locking`` on Windows) taken
through the ``filelock`` library on small files under ``.review/locks/`` (never committed). The
operating system releases a lock when its process ends, however it ends (``kill -9``, a crash, a
closed terminal), so a lock can never be left behind by a dead process and no process id is ever
tested for liveness. Beside each lock file, ``<name>.lock.holder`` says who holds it (reviewer or
command, process id, host, start time), written atomically once the lock is taken and removed
before it is released, so that the process that is refused can say who holds it.

- :func:`project_lock` — exclusive writers of shared project files (``import``): a second
  importer waits for the first to finish (up to ``wait`` seconds), then sees its import.
- :func:`log_lock` — one writer per decision log: the same reviewer in two terminals is refused
  at once with a message naming the other session, instead of both deciding the same records.

Locks are re-entrant within a process, from any thread (a screening session holds its log's
lock, and the log it opens later takes the same lock again): each lock file has one
``FileLock`` per process (``is_singleton``, ``thread_local=False``), which counts its holders
under its own thread lock. Where ``flock`` is missing (some network file systems) ``filelock``
falls back to a marker file by itself.

Why ``filelock`` rather than ``portalocker``: no dependencies, the most used of the two (pip's
build tools, virtualenv, tox, Hugging Face), re-entrant and thread-safe counting built in, and the
soft fallback above; ``portalocker`` adds Redis/semaphore features this tool does not need.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from review.errors import ReviewError
from review.io.logline import now_iso
from review.io.root import find_root as project_root

if TYPE_CHECKING:
    from filelock import BaseFileLock

# The FileLock of every lock file this process holds (filelock keeps its singletons only weakly,
# and a collected FileLock releases its lock), by path. _REGISTRY guards it, and orders "the first
# holder writes who it is" before "the last holder removes it" between threads.
_HELD: dict[str, BaseFileLock] = {}
_REGISTRY = threading.Lock()


class LockedError(ReviewError):
    """Another live process holds the lock."""


def _holder_text(info: dict[str, Any]) -> str:
    if not info:
        return "another process"
    who = info.get("who") or "someone"
    what = info.get("what") or "a command"
    since = str(info.get("since", ""))[:19].replace("T", " ")
    host = info.get("host", "")
    here = "" if host == socket.gethostname() else f" on {host}"
    return f"{who} ({what}, process {info.get('pid', '?')}{here}, since {since} UTC)"


def holder_path(path: Path) -> Path:
    """Where the holder of lock file ``path`` says who it is."""
    return path.with_name(f"{path.name}.holder")


def _read_info(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(holder_path(path).read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_info(path: Path, who: str, what: str) -> None:
    info = {"who": who, "what": what, "pid": os.getpid(), "host": socket.gethostname()}
    info["since"] = now_iso()
    target = holder_path(path)
    temp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        temp.write_text(json.dumps(info), encoding="utf-8")
        os.replace(temp, target)  # a reader sees the old holder or the new one, never half
    except OSError:
        temp.unlink(missing_ok=True)  # who holds it is a courtesy; the lock itself is taken


def _file_lock(path: Path) -> BaseFileLock:
    from filelock import FileLock

    return FileLock(path, thread_local=False, is_singleton=True, poll_interval=0.05)


def acquire(path: Path, who: str, what: str, wait: float = 0.0) -> str:
    """Take the lock file ``path``; returns a token for :func:`release`.

    Waits up to ``wait`` seconds for another holder to finish, then raises :class:`LockedError`.
    """
    from filelock import Timeout

    path = Path(os.path.realpath(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o644))
    except OSError:
        return ""  # a read-only project: nothing can be written anyway, so nothing to guard
    lock = _file_lock(path)
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise LockedError(_holder_text(_read_info(path))) from None
    with _REGISTRY:
        if str(path) not in _HELD:  # the first holder in this process (from any thread)
            _HELD[str(path)] = lock
            _write_info(path, who, what)
    return str(path)


def release(key: str) -> None:
    if not key:
        return
    with _REGISTRY:
        lock = _HELD.get(key)
        if lock is None:
            return
        if lock.lock_counter == 1:
            holder_path(Path(key)).unlink(missing_ok=True)
            del _HELD[key]
        lock.release()


def lock_dir(root: Path) -> Path:
    return Path(root) / ".review" / "locks"


def find_root(path: Path) -> Path | None:
    """The project folder holding the file ``path`` (:func:`review.io.root.find_root` of its
    folder)."""
    return project_root(Path(os.path.abspath(path)).parent)


@contextmanager
def project_lock(root: Path, what: str, who: str, wait: float = 60.0) -> Iterator[None]:
    """Exclusive lock for commands that change shared project files (``import``);
    ``who`` (e.g. :func:`review.people.whoami`) is named to a process that has to wait."""
    try:
        key = acquire(lock_dir(root) / "project.lock", who, what, wait)
    except LockedError as exc:
        raise LockedError(
            f"The project is busy: {exc} is changing it. Waited {wait:.0f} s; try again when it "
            "has finished. (A lock is released as soon as its process ends.)"
        ) from None
    try:
        yield
    finally:
        release(key)


def _log_lock_path(log: Path) -> Path:
    log = Path(os.path.abspath(log))
    root = find_root(log)
    if root is None:
        return log.with_name(f".{log.name[:60]}.lock")
    rel = log.relative_to(root).as_posix()
    import hashlib

    digest = hashlib.sha256(rel.encode("utf-8")).hexdigest()[:16]
    stem = "".join(c if c.isalnum() else "-" for c in log.stem)[:40]
    return lock_dir(root) / f"log-{stem}-{digest}.lock"


def acquire_log(log: Path, who: str = "", what: str = "writing") -> str:
    """Take the one-writer lock of decision log ``log``; :class:`LockedError` if it is held."""
    log = Path(log)
    try:
        return acquire(_log_lock_path(log), who or log.stem, what, wait=0.0)
    except LockedError as exc:
        raise LockedError(
            f"{log.name} is already open for writing by {exc}. The same reviewer in two "
            "terminals would decide the same records twice: finish or close that session "
            "first. (If that process has ended, its lock is released and this works again.)"
        ) from None


@contextmanager
def log_lock(log: Path, who: str = "", what: str = "writing") -> Iterator[None]:
    key = acquire_log(log, who, what)
    try:
        yield
    finally:
        release(key)


@contextmanager
def writer_lock(
    target: Path, who: str = "", what: str = "writing", wait: float = 60.0
) -> Iterator[None]:
    """Exclusive lock on ``target`` (a file or folder under the project) for a check-then-write
    step, e.g. "is this workbook already imported? if not, write a version": a second process
    waits (up to ``wait`` s) and then sees what the first one wrote."""
    try:
        key = acquire(_log_lock_path(Path(target)), who or Path(target).name, what, wait)
    except LockedError as exc:
        raise LockedError(
            f"{Path(target).name} is busy: {exc} is writing it. Waited {wait:.0f} s; try again "
            "when it has finished. (A lock is released as soon as its process ends.)"
        ) from None
    try:
        yield
    finally:
        release(key)
