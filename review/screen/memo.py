"""Results derived from the logs, kept for the life of one ``Project`` object and checked
against the files they came from on every use.

One command (the PRISMA diagram, the report, the status) asks for the same stage's
decisions many times: the final decisions, the agreement, who resolved what, the full-text
eligible records. At 100,000 records each reading costs about a second; this module lets the
second and later askers reuse the first answer as long as no file it was read from changed.

A file is known by its path, size, modification time and inode; a small file (below
:data:`HASH_BELOW` bytes) also by a hash of its content, so an edit that keeps the size within
one tick of the file-system clock is still seen. A log large enough to be known by its stat alone
only grows by appends (each one changes its size). Nothing is written to disk.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from review.project import Project

HASH_BELOW = 1 << 20  # bytes: smaller files are also known by their content
T = TypeVar("T")


def file_key(path: Path) -> tuple[Any, ...]:
    """What identifies one version of ``path`` (a missing file has a key too)."""
    try:
        st = os.stat(path)
    except OSError:
        return (str(path), None)
    digest = ""
    if st.st_size < HASH_BELOW:
        try:
            digest = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
        except OSError:
            return (str(path), None)
    return (str(path), st.st_size, st.st_mtime_ns, st.st_ino, digest)


def folder_key(folder: Path, pattern: str = "*.jsonl") -> tuple[Any, ...]:
    """The keys of every file matching ``pattern`` in ``folder`` (sorted by name)."""
    if not folder.is_dir():
        return (str(folder), None)
    return tuple(file_key(p) for p in sorted(folder.glob(pattern)))


class Same:
    """Part of a key that matches only the very same object (not an equal one)."""

    __slots__ = ("obj",)

    def __init__(self, obj: object) -> None:
        self.obj = obj

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Same) and other.obj is self.obj

    __hash__ = None  # type: ignore[assignment]


def _store(project: Project) -> dict[Any, tuple[Any, Any]]:
    store = project.__dict__.get("_derived_memo")
    if store is None:
        store = {}
        project.__dict__["_derived_memo"] = store
    return store


def remembered(project: Project, name: Iterable[Any], key: Any, build: Callable[[], T]) -> T:
    """``build()``, or the value it gave for ``name`` on this project while ``key`` was the same."""
    store = _store(project)
    slot = tuple(name)
    hit = store.get(slot)
    if hit is not None and hit[0] == key:
        return hit[1]
    value = build()
    store[slot] = (key, value)
    return value


def known(project: Project, name: Iterable[Any], key: Any) -> bool:
    """Whether a value is remembered for ``name`` under ``key``."""
    hit = _store(project).get(tuple(name))
    return hit is not None and hit[0] == key


def keep(project: Project, name: Iterable[Any], key: Any, value: Any) -> None:
    """Remember ``value`` for ``name`` under ``key`` (built elsewhere: review/screen/logahead.py)."""
    _store(project)[tuple(name)] = (key, value)


def peek(project: Project, name: Iterable[Any]) -> Any:
    """The value last remembered for ``name`` (None if none), without checking its key."""
    hit = _store(project).get(tuple(name))
    return None if hit is None else hit[1]


def forget(project: Project) -> None:
    """Drop every remembered result of ``project`` (tests; after writing a log in-process the
    keys change anyway)."""
    project.__dict__.pop("_derived_memo", None)
