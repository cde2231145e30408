"""Derived caches under ``.review/screening/`` that keep the screener fast on 100k records.

All of them are rebuildable from the plain files and checked against them on every use:

- :func:`cluster_index` — ``record_id -> cluster_id`` plus the main/other cluster lists and
  titles, from ``outputs/dedup/clusters.csv`` (keyed on its size and modification time);
- :func:`record_store` — what the screener shows (title, authors, year, journal, abstract, …),
  read from ``Project.records()``'s own per-import caches without building ``Record`` objects,
  each merged cluster's record fused from its copies (``review.dedup.fusion``); nothing extra
  is written (no copy of the display text);
- :func:`read_log` — the parsed, retraction-applied state of one append-only log, extended by
  parsing only the lines appended since the last read.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from review.gcpause import gc_paused
from review.io.files import JsonlProblem, atomic_write_bytes
from review.io.jsonline import loads
from review.io.logline import screening_line_problem
from review.model import Decision, Stage

if TYPE_CHECKING:
    from review.project import Project

CACHE_VERSION = 5  # 2: decisions checked against the vocabulary; 3: every op (issue 21);
# 4: LogEntry named tuples with Stage/Decision values; 5: LogState pickled as plain tuples, after
# a header with the bytes parsed

F = TypeVar("F", bound=Callable[..., Any])


def no_gc(fn: F) -> F:
    """Pause the cyclic garbage collector while ``fn`` builds many small tuples.

    Reading 100k-line logs allocates hundreds of thousands of tuples; each collection pass
    would rescan all of them (about half the run time). Nothing here makes reference cycles.
    """

    return gc_paused()(fn)


def _cache_dir(project: Project) -> Path:
    return project.cache_dir / "screening"


def _load_pickle(path: Path) -> Any:
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)  # noqa: S301 - our own cache file
    except Exception:
        return None


def _save_pickle(path: Path, obj: Any) -> None:
    try:
        atomic_write_bytes(path, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass  # read-only checkout: works, just slower


# ---- clusters --------------------------------------------------------------------------------
@dataclass
class ClusterIndex:
    """The parts of :class:`review.dedup.Clusters` screening needs (same attribute names)."""

    cluster_of: dict[str, str]
    main: list[str]
    other: list[str]
    titles: dict[str, str]  # cluster id -> title of its primary record

    def main_clusters(self) -> list[str]:
        return list(self.main)

    def other_clusters(self) -> list[str]:
        return list(self.other)

    def resolve(self, record_id: str) -> str | None:
        return self.cluster_of.get(record_id)


def index_from_clusters(clusters: Any) -> ClusterIndex:
    titles = {r.record_id: r.title for r in clusters.rows if r.record_id == r.cluster_id}
    return ClusterIndex(
        cluster_of=dict(clusters.cluster_of),
        main=clusters.main_clusters(),
        other=clusters.other_clusters(),
        titles=titles,
    )


def cluster_index(project: Project) -> ClusterIndex:
    """The current clusters (ProjectError from ``load_clusters`` when dedup has not run).

    Imports ``review.dedup.clusters`` only, not the dedup engine.
    """
    from review.dedup.clusters import clusters_path, load_clusters

    path = clusters_path(project)
    try:
        st = path.stat()
    except FileNotFoundError:
        load_clusters(project)  # raises the contract's error message
        raise
    from review.screen.memo import file_key, remembered

    return remembered(
        project,
        ("cluster_index",),
        file_key(path),
        lambda: _cluster_index(project, path, (CACHE_VERSION, st.st_size, st.st_mtime_ns)),
    )


def keep_cluster_index(project: Project, clusters: Any) -> None:
    """Keep the index of ``clusters`` (those of the current clusters.csv) under that file's key,
    so that the next command finds it valid (the dedup run calls this after writing it)."""
    from review.dedup.clusters import clusters_path

    st = clusters_path(project).stat()
    key = (CACHE_VERSION, st.st_size, st.st_mtime_ns)
    _save_pickle(_cache_dir(project) / "clusters.pickle", (key, index_from_clusters(clusters)))


def _cluster_index(project: Project, path: Path, key: tuple[int, int, int]) -> ClusterIndex:
    from review.dedup.clusters import load_clusters

    cache = _cache_dir(project) / "clusters.pickle"
    found = _load_pickle(cache)
    if isinstance(found, tuple) and len(found) == 2 and found[0] == key:
        return found[1]
    index = index_from_clusters(load_clusters(project))
    _save_pickle(cache, (key, index))
    return index


# ---- records for display ---------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DisplayRecord:
    record_id: str
    title: str
    authors: tuple[str, ...]
    year: int | None
    journal: str
    abstract: str
    doi: str
    original_id: str
    pmid: str


# the Record fields a DisplayRecord is made of, in DisplayRecord's order (after record_id)
_DISPLAY_FIELDS = tuple(f.name for f in fields(DisplayRecord))[1:]


class RecordStore:
    """Display data of every imported record, held as compact tuples; a
    :class:`DisplayRecord` is made only for the record asked for."""

    def __init__(self, rows: dict[str, tuple]) -> None:
        self._rows = rows
        self._hay: dict[str, str] | None = None

    def get(self, record_id: str) -> DisplayRecord | None:
        row = self._rows.get(record_id)
        if row is None:
            return None
        t, a, y, j, ab, d, o, p = row
        return DisplayRecord(record_id, t, tuple(a), y, j, ab, d, o, p)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._rows

    def __len__(self) -> int:
        return len(self._rows)

    def search_text(self, record_id: str) -> str:
        """Lower-case id, title, authors and journal (built for all records on first use)."""
        if self._hay is None:
            self._hay = {
                rid: " ".join((rid, row[0], "; ".join(row[1]), row[3])).lower()
                for rid, row in self._rows.items()
            }
        return self._hay.get(record_id, record_id.lower())

    def close(self) -> None:
        """Nothing to release (kept so callers can treat the store as a resource)."""


def _rows_from_import_caches(project: Project) -> dict[str, tuple] | None:
    """Display rows straight from the project's per-import record caches (None when any of them
    is missing or unreadable)."""
    return project.cached_record_fields(_DISPLAY_FIELDS)


@no_gc
def record_store(project: Project) -> RecordStore:
    """Display data of every imported record (title, authors, year, journal, abstract, …).

    Nothing is precomputed or written: the rows come from the records ``Project.records()``
    already holds in memory, else straight from its per-import caches under
    ``.review/records/`` (read without building ``Record`` objects: about 0.4 s for 100k
    records), else from ``Project.records()`` itself (which rebuilds those caches). Each merged
    dedup cluster's primary row is replaced by the cluster's fused row (the best of its copies).
    """
    _drop_old_display_cache(project)
    return RecordStore(display_rows(project, _DISPLAY_FIELDS))


def display_rows(project: Project, names: Sequence[str]) -> dict[str, tuple]:
    """``record_id -> the values of the record fields names`` of every imported record, each
    merged dedup cluster's primary row replaced by the cluster's fused row (each field is
    fused on its own, so any subset of the fields gives the same values)."""
    rows = project.record_fields(names)
    from review.dedup.clusters import clusters_path
    from review.dedup.fusion import fuse_rows

    if clusters_path(project).is_file():
        # a merged cluster shows the best of its copies (docs/dedup.md, "Fused records")
        rows = fuse_rows(rows, names, cluster_index(project).cluster_of)
    return rows


def _drop_old_display_cache(project: Project) -> None:
    """Delete the display-text copy older versions kept (``records-*.jsonl``: ~2 KB a record)."""
    try:
        for old in _cache_dir(project).glob("records-*"):
            old.unlink(missing_ok=True)
    except OSError:
        pass


# ---- append-only logs ------------------------------------------------------------------------
# A parsed log: for each (stage, record_id) the standing line and the older standing lines
# (what a retraction falls back to).
class LogEntry(NamedTuple):
    """One standing ``decide`` (screening) or ``resolve`` (resolution) line of a log."""

    line: int  # 1-based line number in the file
    who: str  # the reviewer (resolver); the file's stem when the line names nobody
    record_id: str
    stage: Stage
    decision: Decision
    reason: str
    text: str  # the note (screening) or the rationale (resolution)
    at: str

    def __reduce__(self) -> tuple[Any, ...]:
        # unpickled by tuple.__new__ (C), not the named tuple's Python __new__: a cached 100k-line
        # log loads as fast as plain tuples did
        return (tuple.__new__, (LogEntry, tuple(self)))


_STAGE_OF = {s.value: s for s in Stage}
_DECISION_OF = {d.value: d for d in Decision}


@dataclass
class LogState:
    size: int = 0  # bytes parsed (always at a line end)
    digest: str = ""  # hash of the first ``size`` bytes: the file was only appended to
    seq: int = 0
    latest: dict[tuple[Stage, str], LogEntry] = field(default_factory=dict)
    older: dict[tuple[Stage, str], list[LogEntry]] = field(default_factory=dict)
    problems: list[tuple[int, str]] = field(default_factory=list)  # in the parsed part
    lineno: int = 0
    version: int = CACHE_VERSION
    vocab: str = ""  # the protocol's reasons the lines were checked against

    def __getstate__(self) -> dict[str, Any]:
        # the entries as plain tuples: pickle writes those in C, where each LogEntry's
        # __reduce__ is a Python call (100k decisions: 0.2 s less to keep a log's state)
        state = dict(self.__dict__)
        state["latest"] = (list(self.latest), list(map(tuple, self.latest.values())))
        state["older"] = {k: list(map(tuple, v)) for k, v in self.older.items()}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        entry = partial(tuple.__new__, LogEntry)
        keys, rows = state["latest"]
        state["latest"] = dict(zip(keys, map(entry, rows), strict=True))
        state["older"] = {k: list(map(entry, v)) for k, v in state["older"].items()}
        self.__dict__.update(state)


def _apply(
    state: LogState,
    raw: bytes,
    op: str,
    text_key: str,
    who_key: str,
    default: str,
    problems: list[tuple[int, str]],
    reasons: dict[str, frozenset[str]],
) -> None:
    make = tuple.__new__  # LogEntry(...) without the namedtuple's Python-level __new__
    latest, older = state.latest, state.older
    for line in raw.split(b"\n"):
        state.lineno += 1
        if not line.strip():
            continue
        try:
            obj = loads(line)
        except ValueError:
            problems.append((state.lineno, "not valid JSON, ignored"))
            continue
        if not isinstance(obj, dict):
            problems.append((state.lineno, "not a JSON object, ignored"))
            continue
        kind = obj.get("op")
        bad = screening_line_problem(obj, op, reasons)
        if bad is not None:
            problems.append((state.lineno, f"{bad}, ignored"))
            continue
        if kind != op and kind != "retract":
            continue  # reopen, label, stop-sample: read by review.screen.marks, review.rank
        # a valid line (screening_line_problem): a known stage (and decision), a record id
        key = (_STAGE_OF[obj["stage"]], obj["record_id"])
        if kind == op:
            state.seq += 1
            entry = make(
                LogEntry,
                (
                    state.lineno,
                    str(obj.get(who_key) or default),
                    key[1],
                    key[0],
                    _DECISION_OF[obj["decision"]],
                    str(obj.get("reason") or ""),
                    str(obj.get(text_key) or ""),
                    str(obj.get("at", "")),
                ),
            )
            prev = latest.get(key)
            if prev is not None:
                older.setdefault(key, []).append(prev)
            latest[key] = entry
        elif kind == "retract":
            state.seq += 1
            if key in latest:
                stack = older.get(key)
                if stack:
                    latest[key] = stack.pop()
                    if not stack:
                        del older[key]
                else:
                    del latest[key]
    state.lineno -= 1  # split() yields one empty piece after the final newline


def protocol_reasons(project: Project) -> dict[str, frozenset[str]]:
    """Each stage's exclusion reason ids: what a screening line's reason is checked against."""
    return {
        name: frozenset(r.id for r in cfg.exclusion_reasons)
        for name, cfg in project.protocol.stages.items()
    }


def read_log(
    project: Project,
    path: Path,
    op: str,
    problems: list[JsonlProblem] | None = None,
) -> LogState:
    """The retraction-applied state of one log (``op`` = decide or resolve), cached on disk and,
    while the file is unchanged, in memory for the life of ``project`` (read-only: callers
    never modify it)."""
    from review.screen.memo import file_key, remembered

    reasons, vocab = log_vocab(project)
    state, torn_at = remembered(
        project,
        ("log", op, str(path)),
        (file_key(path), vocab),
        lambda: _read_log(project, path, op, reasons, vocab),
    )
    if problems is not None:
        problems.extend(JsonlProblem(str(path), n, m) for n, m in state.problems)
        if torn_at is not None:
            problems.append(
                JsonlProblem(str(path), torn_at, "torn last line (interrupted write), ignored")
            )
    return state


def log_vocab(project: Project) -> tuple[dict[str, frozenset[str]], str]:
    """Each stage's reason ids and their spelling in a log cache's key."""
    reasons = protocol_reasons(project)
    return reasons, repr(sorted((k, sorted(v)) for k, v in reasons.items()))


def log_cache_path(project: Project, path: Path, op: str) -> Path:
    return _cache_dir(project) / "logs" / f"{op}-{path.parent.name}-{path.name}.pickle"


# a log's cache file: this mark, the bytes of the log parsed (8, little-endian: what is left
# to parse is known without unpickling), then the pickled LogState
_LOG_MAGIC = b"review-log\n"
_SIZE = struct.Struct("<Q")


def log_cache_bytes(state: LogState) -> bytes:
    return _LOG_MAGIC + _SIZE.pack(state.size) + pickle.dumps(state, pickle.HIGHEST_PROTOCOL)


def log_state(data: bytes) -> LogState | None:
    """The LogState of a log cache file's bytes (None: not one)."""
    if not data.startswith(_LOG_MAGIC):
        return None
    try:
        state = pickle.loads(data[len(_LOG_MAGIC) + _SIZE.size :])  # noqa: S301 - our own cache
    except Exception:
        return None
    return state if isinstance(state, LogState) else None


def parsed_size(cache: Path) -> int:
    """How many bytes of its log the cache file ``cache`` has parsed (0: none, or unreadable)."""
    try:
        with open(cache, "rb") as fh:
            head = fh.read(len(_LOG_MAGIC) + _SIZE.size)
    except OSError:
        return 0
    if len(head) < len(_LOG_MAGIC) + _SIZE.size or not head.startswith(_LOG_MAGIC):
        return 0
    return int(_SIZE.unpack_from(head, len(_LOG_MAGIC))[0])


def _read_log(
    project: Project, path: Path, op: str, reasons: dict[str, frozenset[str]], vocab: str
) -> tuple[LogState, int | None]:
    """The state of one log and the line number of a torn last line (None if there is none),
    the cache file rewritten when more was parsed."""
    state, torn_at, changed = parse_log(project, path, op, reasons, vocab)
    if changed:
        try:
            atomic_write_bytes(log_cache_path(project, path, op), log_cache_bytes(state))
        except OSError:
            pass  # read-only checkout: works, just slower
    return state, torn_at


def parse_log(
    project: Project, path: Path, op: str, reasons: dict[str, frozenset[str]], vocab: str
) -> tuple[LogState, int | None, bool]:
    """The state of one log, the line number of a torn last line (None if there is none) and
    whether lines were parsed beyond its cache file's (which is not written here)."""
    text_key, who_key = ("note", "reviewer") if op == "decide" else ("rationale", "resolver")
    try:
        state = log_state(log_cache_path(project, path, op).read_bytes())
    except OSError:
        state = None
    if isinstance(state, LogState) and (
        getattr(state, "version", None) != CACHE_VERSION or getattr(state, "vocab", None) != vocab
    ):
        state = None
    try:
        with open(path, "rb") as fh:
            data_size = os.fstat(fh.fileno()).st_size
            hasher = hashlib.blake2b(digest_size=16)
            if state is not None and state.size > data_size:
                state = None
            if state is not None and state.size:
                hasher.update(fh.read(state.size))
                if hasher.hexdigest() != state.digest:
                    state = None
            if state is None:
                state = LogState(vocab=vocab)
                hasher = hashlib.blake2b(digest_size=16)
            fh.seek(state.size)
            rest = fh.read()
    except FileNotFoundError:
        return LogState(), None, False
    cut = rest.rfind(b"\n") + 1  # parse complete lines only
    complete, torn = rest[:cut], rest[cut:]
    changed = bool(complete)
    if complete:
        new_problems: list[tuple[int, str]] = []
        _apply(state, complete, op, text_key, who_key, path.stem, new_problems, reasons)
        state.problems.extend(new_problems)
        state.size += len(complete)
        hasher.update(complete)
        state.digest = hasher.hexdigest()
    return state, (state.lineno + 1 if torn.strip() else None), changed
