"""Ranking while one reviewer screens: a background worker retrains on *their own* decisions.

The screener (``ScreeningSession``) tells the ranker about every decision of its reviewer
(:meth:`LiveRanker.update`, a dict write under a lock: microseconds). A daemon thread hands the
decisions to a worker process, which builds the TF-IDF features once and retrains whenever
decisions changed; the thread then publishes a complete new queue (decided records first, in decision order, then the undecided ones best first) with its
position index. The screener swaps the published queue in on its next key press: an O(1)
reference swap, so a retrain never blocks typing and the record on screen never changes under
the reader's eyes.

Blind by construction: the ranker is given only the session's own log (nothing else is read).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from review.model import RELEVANT, Decision
from review.project import Project
from review.rank.featcache import (
    LastRankingFile,
    cached_features,
    features_from_counts,
    load_last_ranking,
    prepare_counts,
    ranking_key,
    save_last_ranking,
    text_source_key,
)
from review.rank.model import (
    DEFAULT_MODEL,
    Features,
    build_features,
    query_scores,
    record_text,
    scores,
)
from review.screen.cache import cluster_index


class RankedQueue(Sequence[str]):
    """decided (decision order) + undecided best first, as a view over the worker's row array:
    publishing a ranking of 100,000 records costs the screener's process no Python loop."""

    def __init__(self, ids: list[str], decided: list[str], best: Any) -> None:
        self._ids, self._decided, self._best = ids, decided, best
        self._nd = len(decided)

    def __len__(self) -> int:
        return self._nd + len(self._best)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if i < self._nd:
            return self._decided[i]
        return self._ids[self._best[i - self._nd]]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


class RankedPositions(Mapping[str, int]):
    """cluster id -> place in a :class:`RankedQueue`, built on first use (undo only)."""

    def __init__(self, queue: RankedQueue, index: dict[str, int]) -> None:
        self._q, self._index = queue, index
        self._pos: dict[str, int] | None = None
        self._inv: Any = None

    def _build(self) -> None:
        import numpy as np

        q = self._q
        self._pos = {c: i for i, c in enumerate(q._decided)}
        inv = np.full(len(q._ids), -1, dtype=np.int64)
        inv[np.asarray(q._best, dtype=np.int64)] = np.arange(len(q._best)) + q._nd
        self._inv = inv

    def __getitem__(self, cid: str) -> int:
        if self._pos is None:
            self._build()
        assert self._pos is not None
        if cid in self._pos:
            return self._pos[cid]
        row = self._index.get(cid)
        if row is None or self._inv[row] < 0:
            raise KeyError(cid)
        return int(self._inv[row])

    def __iter__(self) -> Any:
        return iter(self._q)

    def __len__(self) -> int:
        return len(self._q)


@dataclass(frozen=True, slots=True)
class Ranking:
    """One published ranking."""

    version: int  # the decision version it was trained on
    queue: RankedQueue  # decided (decision order) + undecided (best first)
    pos_of: RankedPositions
    n_decided: int  # queue[:n_decided] were decided when it was trained
    mode: str  # "model" | "query" | "none"
    includes: int  # relevant decisions it was trained on


class LiveRanker:
    def __init__(
        self,
        ids: list[str],
        text_of: Callable[[str], str],
        decided: dict[str, str],
        *,
        root: Path | str = ".",
        query: str = "",
        seed: int = 0,
        model: str = DEFAULT_MODEL,
        start: bool = True,
        cache_dir: Path | None = None,
        last: LastRankingFile | None = None,
    ) -> None:
        self.ids = list(ids)
        self._text_of = text_of
        self._query = query
        self._seed = seed
        self._model = model
        self._lock = threading.Lock()
        self._labels: dict[str, int] = {c: int(d in RELEVANT) for c, d in decided.items()}
        self._changed: dict[str, int | None] = dict(self._labels)  # not yet sent to the worker
        self._version = 1
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._root = str(root)
        self._index = {c: i for i, c in enumerate(self.ids)}
        self._local: RankEngine | None = None
        self.latest: Ranking | None = None
        self.status = "ranking: preparing features"
        self.error: str | None = None
        self._thread: threading.Thread | None = None
        self._cache_dir = cache_dir
        self._last = last
        self._latest_pair: tuple[Ranking, dict[str, int]] | None = None
        if last is not None:
            self._load_last(last)
        if start:
            start_resource_tracker()
            self._wake.set()
            self._thread = threading.Thread(target=self._run, name="review-ranker", daemon=True)
            self._thread.start()

    # ---- called by the screener (UI thread) ---------------------------------------------------
    def update(self, cid: str, decision: Decision | None) -> None:
        """The reviewer decided ``cid`` (or retracted it: ``decision`` None)."""
        with self._lock:
            self._labels.pop(cid, None)  # re-decided: moves to the end of the decision order
            if decision is not None:
                self._labels[cid] = int(decision in RELEVANT)
            self._changed[cid] = self._labels.get(cid)
            self._version += 1
        self._wake.set()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        self._save_last()

    # ---- the last ranking, kept between sessions (review/rank/featcache.py) ------------------
    def _last_key(self, labels: dict[str, int]) -> str:
        assert self._last is not None
        return ranking_key(
            self._last.source_key, self.ids, labels, self._model, self._seed, self._query
        )

    def _load_last(self, last: LastRankingFile) -> None:
        """Publish the ranking saved for exactly these decisions and records (version 0: the
        worker's first ranking, the same one, replaces it). No numpy here: importing it would
        cost the open about 0.4 s."""
        labels = dict(self._labels)
        found = load_last_ranking(last.path, self._last_key(labels))
        if found is None:
            return
        best_ids, mode, includes = found
        index = self._index
        rows = [index.get(c, -1) for c in best_ids]
        if -1 in rows or len(rows) + len(labels) != len(self.ids):
            return
        self._publish(labels, 0, rows, mode, includes)

    def _save_last(self) -> None:
        pair = self._latest_pair
        if self._last is None or pair is None or pair[0].version == 0:
            return
        r, labels = pair

        best = [self.ids[int(k)] for k in r.queue._best]
        save_last_ranking(self._last.path, self._last_key(labels), best, r.mode, r.includes)

    # ---- the work ---------------------------------------------------------------------------
    def _snapshot(self) -> tuple[dict[str, int], int]:
        with self._lock:
            return dict(self._labels), self._version

    def _engine(self) -> RankEngine:
        if self._local is None:
            texts = [self._text_of(c) for c in self.ids]
            self._local = RankEngine(
                texts, self._query, self._seed, self._model, self.ids, self._cache_dir
            )
        return self._local

    def rank_once(self) -> Ranking:
        """Train in this process on a snapshot of the decisions and publish the queue (line
        mode and tests; the screener's background ranking runs in a worker process)."""
        labels, version = self._snapshot()
        by_row = {self._index[c]: y for c, y in labels.items() if c in self._index}
        return self._publish(labels, version, *self._engine().compute(by_row))

    def _publish(
        self,
        labels: dict[str, int],
        version: int,
        best: Any,
        mode: str,
        includes: int,
    ) -> Ranking:
        decided = [c for c in labels if c in self._index]
        queue = RankedQueue(self.ids, decided, best)
        ranking = Ranking(
            version=version,
            queue=queue,
            pos_of=RankedPositions(queue, self._index),
            n_decided=len(decided),
            mode=mode,
            includes=includes,
        )
        self.latest = ranking
        self._latest_pair = (ranking, labels)  # one assignment: read together at close
        self.status = STATUS[mode]
        return ranking

    def _run(self) -> None:
        """Feed decisions to a worker process and publish its rankings. The features and the
        training run in that process, so no long C call (TF-IDF, liblinear, sparse products)
        ever holds this process's GIL while the reviewer types."""
        import multiprocessing as mp

        ctx = mp.get_context("spawn")
        mine, theirs = ctx.Pipe()
        proc = ctx.Process(
            target=worker_main,
            args=(
                theirs,
                self._root,
                self.ids,
                self._query,
                self._seed,
                self._model,
                self._cache_dir,
            ),
            name="review-ranker",
            daemon=True,
        )
        try:
            proc.start()  # the finally below joins it only when this worked
            theirs.close()
            while not self._stop.is_set():
                self._wake.wait()
                self._wake.clear()
                if self._stop.is_set():
                    break
                labels, version = self._snapshot()
                if self.latest is not None and self.latest.version == version:
                    continue
                with self._lock:
                    changed, self._changed = self._changed, {}
                delta = {self._index[c]: y for c, y in changed.items() if c in self._index}
                mine.send((version, delta))  # only what changed since the last request
                reply = mine.recv()  # waits without holding the GIL
                if reply[0] == "error":
                    raise RuntimeError(reply[1])
                self._publish(labels, *reply)
        except Exception as exc:  # the screener keeps working in its current order
            self.error = f"{type(exc).__name__}: {exc}"
            self.status = "ranking failed; order kept"
        finally:
            with contextlib.suppress(Exception):
                mine.send(None)
            mine.close()
            if proc.pid is not None:  # started (a failed start has nothing to join)
                proc.join(timeout=2)
                if proc.is_alive():
                    proc.terminate()


def start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker from this thread, with the real stderr. The
    first spawn starts it and passes it ``sys.stderr``'s file descriptor; the ranker spawns its
    worker from its own thread, and once the Textual app runs, ``sys.stderr`` is Textual's
    capture, whose ``fileno()`` is -1: the spawn then failed ("bad value(s) in fds_to_keep")
    and the screener stayed in its first order (seen at 100,000 records, where the app starts
    before the thread gets to spawn)."""
    import sys
    from multiprocessing import resource_tracker

    captured = sys.stderr
    try:
        if sys.__stderr__ is not None:
            sys.stderr = sys.__stderr__
        with contextlib.suppress(Exception):  # the spawn reports it, if it matters
            resource_tracker.ensure_running()
    finally:
        sys.stderr = captured


STATUS = {
    "model": "ranked by your decisions",
    "query": "ranked by the protocol's keywords (no include yet)",
    "none": "random order until your first include",
}


class RankEngine:
    """Features of every record (built once) and one retrain per call."""

    def __init__(
        self,
        texts: list[str],
        query: str,
        seed: int,
        model: str,
        ids: Sequence[str] | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        if cache_dir is not None and ids is not None:
            built = cached_features(cache_dir, texts, model, query)
        else:
            feats = build_features(texts, model)
            built = (feats, query_scores(feats, query) if query else None)
        self._set(built, seed, model)

    @classmethod
    def from_features(cls, built: tuple[Features, Any], seed: int, model: str) -> RankEngine:
        """An engine on features already built (and their query scores)."""
        engine = cls.__new__(cls)
        engine._set(built, seed, model)
        return engine

    def _set(self, built: tuple[Features, Any], seed: int, model: str) -> None:
        self.features, self.query_scores = built
        self.n = self.features.n
        self.seed, self.model = seed, model

    def compute(self, labels: dict[int, int]) -> tuple[Any, str, int]:
        """(rows best first, mode, includes) for 0/1 ``labels`` by row."""
        import numpy as np

        rows = list(labels)
        y = [labels[r] for r in rows]
        includes = sum(y)
        if 0 < includes < len(y):
            s = scores(self.features, rows, y, self.model, self.seed)
            mode = "model"
        elif self.query_scores is not None:
            s, mode = self.query_scores, "query"
        else:
            s, mode = np.zeros(self.n), "none"
        undecided = np.ones(self.n, dtype=bool)
        undecided[rows] = False
        cand = np.flatnonzero(undecided)
        best = cand[np.argsort(-s[cand], kind="stable")].astype(np.int32)  # ties: base order
        return best, mode, includes


def ranking_texts(project: Project, ids: Sequence[str]) -> list[str]:
    """Each record's text to rank by (title + abstract; a merged cluster's fused values, as the
    screener shows them), read from the record stores column by column: only these two
    columns, not every field the screener displays (the worker kept all of them, about 2 GB
    at a million records, for its whole life)."""
    from review.dedup.clusters import clusters_path
    from review.dedup.fusion import fuse_rows

    names = ("title", "abstract")
    rows = project.record_fields(names)
    if clusters_path(project).is_file():  # a fusion rule looks only at its own field
        rows = fuse_rows(rows, names, cluster_index(project).cluster_of)
    return ["" if (row := rows.get(c)) is None else record_text(*row) for c in ids]


def give_back_freed_memory() -> None:
    """Return the C heap's free pages to the system (glibc's ``malloc_trim``; elsewhere
    nothing). The texts and records read for the features are many small blocks of the heap:
    freed, they stayed counted in the worker's memory (about 2.4 GB at a million records),
    and the large arrays made next never reuse them (they are mapped apart)."""
    import ctypes

    with contextlib.suppress(Exception):
        ctypes.CDLL(None).malloc_trim(0)


def worker_main(
    conn: Any,
    root: str,
    ids: list[str],
    query: str,
    seed: int,
    model: str,
    cache_dir: Path | None = None,
) -> None:  # pragma: no cover - runs in the worker process
    """The ranking process: texts from the project's record caches, then one ranking per
    request ``(version, {row: 0/1})`` until ``None``."""
    try:
        project = Project.open(Path(root))
        if cache_dir is None:
            engine = RankEngine(ranking_texts(project, ids), query, seed, model)
        else:  # texts read only if needed, let go before the features are built
            plan = prepare_counts(
                cache_dir,
                lambda: ranking_texts(project, ids),
                model,
                ids,
                text_source_key(project),
            )
            give_back_freed_memory()
            engine = RankEngine.from_features(features_from_counts(plan, query), seed, model)
            del plan
        labels: dict[int, int] = {}
        while True:
            msg = conn.recv()
            if msg is None:
                return
            version, delta = msg
            for row, y in delta.items():
                if y is None:
                    labels.pop(row, None)
                else:
                    labels.pop(row, None)
                    labels[row] = y
            conn.send((version, *engine.compute(labels)))
    except EOFError:
        return
    except Exception as exc:
        with contextlib.suppress(Exception):
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
