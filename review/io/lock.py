"""Locks between processes: one project-wide writer lock and one lock per decision log.

Both are advisory ``flock`` locks on small files under ``.review/locks/`` (never committed). The
operating system releases a lock when its process ends, however it ends (``kill -9``, a crash, a
closed terminal), so a lock can never be left behind by a dead process: a stale lock file is just
a file, and the next process takes it over. The holder writes who it is (reviewer or command,
process id, host, start time) into the lock file so that the process that is refused can say who
holds it.

- :func:`project_lock` — exclusive writers of shared project files (``import``): a second
  importer waits for the first to finish (up to ``wait`` seconds), then sees its import.
- :func:`log_lock` — one writer per decision log: the same reviewer in two terminals is refused
  at once with a message naming the other session, instead of both deciding the same records.

Locks are re-entrant within a process (a screening session holds its log's lock, and the log it
opens later takes the same lock again). Where ``flock`` is missing (Windows) or the file system
refuses it, a lock file holding the process id is used instead, and a lock whose process is no
longer alive is cleared.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from review.errors import ReviewError
from review.io.root import find_root as project_root

try:  # pragma: no cover - platform dependent
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class LockedError(ReviewError):
    """Another live process holds the lock."""


# Locks this process holds: lock-file path -> [fd, count].
_HELD: dict[str, list[Any]] = {}


def _holder_text(info: dict[str, Any]) -> str:
    if not info:
        return "another process"
    who = info.get("who") or "someone"
    what = info.get("what") or "a command"
    since = str(info.get("since", ""))[:19].replace("T", " ")
    host = info.get("host", "")
    here = "" if host == socket.gethostname() else f" on {host}"
    return f"{who} ({what}, process {info.get('pid', '?')}{here}, since {since} UTC)"


def _read_info(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:  # pragma: no cover - Windows: no signal 0
        return True
    return True


def _info(who: str, what: str) -> dict[str, Any]:
    from review.io.logline import now_iso

    return {
        "who": who,
        "what": what,
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": now_iso(),
    }


def _try_flock(fd: int) -> bool | None:
    """True: locked; False: held by another process; None: flock not available here."""
    if fcntl is None:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    except OSError:
        return None


def _acquire_pidfile(path: Path, info: dict[str, Any]) -> bool:
    """Fallback without flock: create the lock file exclusively; clear it if its pid is dead."""
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            held = _read_info(path)
            same_host = held.get("host") in (None, socket.gethostname())
            if same_host and not _pid_alive(int(held.get("pid") or 0)):
                path.unlink(missing_ok=True)  # stale: its process is gone
                continue
            return False
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(info, fh)
        return True
    return False


def acquire(path: Path, who: str, what: str, wait: float = 0.0) -> Any:
    """Take the lock file ``path``; returns a token for :func:`release`.

    Waits up to ``wait`` seconds for another holder to finish, then raises :class:`LockedError`.
    """
    path = Path(path)
    key = os.path.realpath(path)
    if key in _HELD:
        _HELD[key][1] += 1
        return key
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o644))
    except OSError:
        return ""  # a read-only project: nothing can be written anyway, so nothing to guard
    info = _info(who, what)
    deadline = time.monotonic() + wait
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        got = _try_flock(fd)
        if got is None:
            os.close(fd)
            if _acquire_pidfile(path, info):
                _HELD[key] = [None, 1]
                return key
        elif got:
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(info).encode("utf-8"), 0)
            _HELD[key] = [fd, 1]
            return key
        else:
            os.close(fd)
        if time.monotonic() >= deadline:
            raise LockedError(_holder_text(_read_info(path)))
        time.sleep(0.05)


def release(key: str) -> None:
    entry = _HELD.get(key)
    if entry is None:
        return
    entry[1] -= 1
    if entry[1] > 0:
        return
    del _HELD[key]
    fd = entry[0]
    if fd is None:
        Path(key).unlink(missing_ok=True)
        return
    try:
        os.ftruncate(fd, 0)
    except OSError:
        pass
    os.close(fd)  # closing the descriptor releases the flock


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
