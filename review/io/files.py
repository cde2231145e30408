"""Safe file writing: atomic replace for derived files, fsync'd appends for decision logs.

Decision logs are JSON Lines, one object per line, one writer per file (a reviewer's own file),
so two people's logs merge in git without conflicts. A crash can leave at most a torn last line;
:func:`read_jsonl` reports it and reads everything before it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from review.errors import WriteError
from review.io.jsonline import loads
from review.io.lock import acquire_log, release
from review.io.logline import now_iso  # noqa: F401 - where callers have found it


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temp file in the same folder + fsync + rename.

    A failed write (disk full, read-only folder) leaves ``path`` as it was and raises
    :class:`~review.errors.WriteError` naming the file."""
    atomic_write_with(path, data)


def atomic_write_with(path: Path, write: bytes | Callable[[BinaryIO], object]) -> None:
    """:func:`atomic_write_bytes` of what ``write(fh)`` writes to the open temp file (a large
    pickle is written as it is made, never held whole as bytes), or of ``write`` if it is
    bytes."""
    try:
        _atomic_write(Path(path), write)
    except WriteError:
        raise
    except OSError as exc:
        raise WriteError(path, exc) from None


def _atomic_write(path: Path, data: bytes | Callable[[BinaryIO], object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # A short temp name: a legal 250-character file name plus a suffix would be too long.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:32]}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp creates 0600; give the file the mode a plain open() would (0666 minus umask).
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, bytes):
                fh.write(data)
            else:
                data(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    atomic_write_bytes(path, text.encode(encoding))


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_text(path, json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=False) + "\n")


def command_text() -> str:
    """The running command, for lock messages: ``screen --stage ...`` (short)."""
    import sys

    prog = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    if prog not in ("review", "__main__.py", "review.exe"):
        return "review (used as a library)"
    args = [a for a in sys.argv[1:4] if not a.startswith("-")][:2]
    return " ".join(["review", *args]) if args else "review"


def dumps_line(obj: dict[str, Any]) -> str:
    """One compact JSON line (no newline inside), keys in insertion order."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class JsonlAppender:
    """Append JSON objects to a log, flushed and fsync'd before :meth:`append` returns.

    Opened once and kept open (cheap per decision). If the file ends with a torn line (no final
    newline after a crash), a newline is written first so the next record starts cleanly.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._failed(exc) from None
        # One writer per log: a second process appending to it is refused (review.io.lock).
        self._lock: str | None = acquire_log(self.path, what=command_text())
        try:
            self._open()
        except BaseException as exc:
            release(self._lock)
            if isinstance(exc, OSError):
                raise self._failed(exc) from None
            raise

    def _open(self) -> None:
        self._fh = open(self.path, "ab")
        self._broken = False
        if self._fh.tell() > 0:
            with open(self.path, "rb") as check:
                check.seek(-1, os.SEEK_END)
                if check.read(1) != b"\n":
                    self._fh.write(b"\n")
                    self._sync()

    def _failed(self, exc: OSError) -> Exception:
        """A WriteError naming the log (a torn line a failed write may leave is reported and
        skipped by every reader, and the next writer starts on a fresh line)."""
        return exc if isinstance(exc, WriteError) else WriteError(self.path, exc)

    def _sync(self) -> None:
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def append(self, obj: dict[str, Any]) -> None:
        self._write((dumps_line(obj) + "\n").encode("utf-8"))

    def extend(self, objs: list[dict[str, Any]]) -> None:
        """Append many lines with one fsync (used by spreadsheet imports)."""
        self._write("".join(dumps_line(o) + "\n" for o in objs).encode("utf-8"))

    def _write(self, data: bytes) -> None:
        start = None
        try:
            if self._broken:  # the last write failed: start again on a fresh line
                self._open()
            start = self._fh.tell()
            self._fh.write(data)
            self._sync()
        except OSError as exc:
            # Drop what is buffered (never written twice) and cut what reached the file: the
            # log keeps what it had. We are its only writer (the lock stays with us).
            self._broken = True
            try:
                self._fh.close()
            except OSError:
                pass
            if start is not None:
                try:
                    os.truncate(self.path, start)
                except OSError:
                    pass  # a torn line: reported and skipped by every reader
            raise self._failed(exc) from None

    def close(self) -> None:
        if self._lock is not None:
            try:
                self._fh.close()  # flushes: may fail on a full disk too (nothing left to save)
            except OSError:
                pass
            finally:
                release(self._lock)
                self._lock = None

    def __enter__(self) -> JsonlAppender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes (hex), read a megabyte at a time."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def append_jsonl(path: Path, objs: list[dict[str, Any]]) -> None:
    with JsonlAppender(path) as app:
        app.extend(objs)


@dataclass(frozen=True, slots=True)
class JsonlProblem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def iter_jsonl(
    path: Path,
    problems: list[JsonlProblem] | None = None,
    check: Callable[[dict[str, Any]], str | None] | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield the objects of a JSON Lines log.

    A line that is not valid JSON is skipped and reported in ``problems`` (a torn last line after
    a power cut is the usual case); it is never fatal. Blank lines are ignored. ``check`` says
    what is wrong with a line's values (an unknown decision, a time that is not a time…), or
    None: such a line is skipped and reported the same way.
    """
    path = Path(path)
    if not path.exists():
        return
    with open(path, encoding="utf-8", errors="replace") as fh:
        for lineno, line in enumerate(fh, start=1):
            text = line.strip()
            if not text:
                continue
            try:
                obj = loads(text)
            except json.JSONDecodeError:
                if problems is not None:
                    torn = not line.endswith("\n")
                    what = (
                        "torn last line (interrupted write), ignored"
                        if torn
                        else ("not valid JSON, ignored")
                    )
                    problems.append(JsonlProblem(str(path), lineno, what))
                continue
            if isinstance(obj, dict):
                bad = check(obj) if check is not None else None
                if bad is None:
                    yield obj
                elif problems is not None:
                    problems.append(JsonlProblem(str(path), lineno, f"{bad}, ignored"))
            elif problems is not None:
                problems.append(JsonlProblem(str(path), lineno, "not a JSON object, ignored"))


def read_jsonl(
    path: Path,
    problems: list[JsonlProblem] | None = None,
    check: Callable[[dict[str, Any]], str | None] | None = None,
) -> list[dict[str, Any]]:
    return list(iter_jsonl(path, problems, check))


def safe_name(text: str) -> str:
    """A file-name-safe slug for reviewer and source names: ``Ana María`` -> ``ana-maria``."""
    import re
    import unicodedata

    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-zA-Z0-9]+", "-", norm).strip("-").lower()
    return slug or "x"
