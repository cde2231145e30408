"""review/io/lock.py on filelock: re-entrant from any thread, the holder named beside the lock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from review.io import lock as locks
from review.io.lock import acquire, holder_path, release

REPO = Path(__file__).resolve().parent.parent

_TRY = """
import sys
sys.path.insert(0, {repo!r})
from review.io.lock import LockedError, acquire
try:
    acquire({path!r}, "bob", "review import", wait=0.0)
except LockedError as exc:
    print(exc)
    sys.exit(3)
"""


def _other_process_gets(path: Path) -> tuple[bool, str]:
    code = _TRY.format(repo=str(REPO), path=str(path))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode in (0, 3), done.stderr
    return done.returncode == 0, done.stdout.strip()


def test_the_holder_is_named_beside_the_lock_and_removed_on_release(tmp_path: Path):
    path = tmp_path / "locks" / "project.lock"
    key = acquire(path, "ann", "review import")
    info = json.loads(holder_path(path).read_text(encoding="utf-8"))
    assert (info["who"], info["what"], info["pid"]) == ("ann", "review import", os.getpid())
    got, message = _other_process_gets(path)
    assert not got and message.startswith(f"ann (review import, process {os.getpid()}, since ")
    release(key)
    assert not holder_path(path).exists()
    assert _other_process_gets(path) == (True, "")


def test_locks_are_reentrant_within_a_process_and_released_by_the_last_holder(tmp_path: Path):
    path = tmp_path / "log.lock"
    first = acquire(path, "ann", "screen")
    second = acquire(path, "ann", "screen again")  # the same process: no wait, no refusal
    release(first)
    assert _other_process_gets(path)[0] is False  # still held by the second holder
    assert json.loads(holder_path(path).read_text(encoding="utf-8"))["what"] == "screen"
    release(second)
    assert _other_process_gets(path)[0] is True
    release(second)  # one release too many is harmless


def test_threads_share_the_process_lock_without_losing_count(tmp_path: Path):
    path = tmp_path / "busy.lock"
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def work() -> None:
        try:
            start.wait()
            for _ in range(50):
                release(acquire(path, "ann", "thread", wait=5.0))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert str(path.resolve()) not in locks._HELD and not holder_path(path).exists()
    assert _other_process_gets(path)[0] is True


def test_refused_after_waiting_names_the_holder(tmp_path: Path):
    path = tmp_path / "w.lock"
    key = acquire(path, "ann", "writing")
    code = _TRY.replace("wait=0.0", "wait=0.3").format(repo=str(REPO), path=str(path))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 3 and "ann (writing" in done.stdout
    release(key)


def test_a_read_only_folder_needs_no_lock(tmp_path: Path):
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    assert acquire(folder / "x.lock", "ann", "reading") == ""


def test_no_process_liveness_probe_is_left():
    source = (REPO / "review" / "io" / "lock.py").read_text(encoding="utf-8")
    assert "os.kill" not in source and "fcntl" not in source
