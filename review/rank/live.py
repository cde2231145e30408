"""Ranking while one reviewer screens: a background thread retrains on *their own* decisions.

The screener (``ScreeningSession``) tells the ranker about every decision of its reviewer
(:meth:`LiveRanker.update`, a dict write under a lock: microseconds). A daemon thread builds the
TF-IDF features once, then retrains whenever decisions changed and publishes a complete new
queue (decided records first, in decision order, then the undecided ones best first) with its
position index. The screener swaps the published queue in on its next key press: an O(1)
reference swap, so a retrain never blocks typing and the record on screen never changes under
the reader's eyes.

Blind by construction: the ranker is given only the session's own log (nothing else is read).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from review.rank.model import DEFAULT_MODEL

RELEVANT = ("include", "maybe")


@dataclass(frozen=True, slots=True)
class Ranking:
    """One published ranking."""

    version: int  # the decision version it was trained on
    queue: list[str]  # decided (decision order) + undecided (best first)
    pos_of: dict[str, int]
    n_decided: int  # queue[:n_decided] were decided when it was trained
    mode: str  # "model" | "query" | "none"
    includes: int  # relevant decisions it was trained on
    expected_remaining: float | None  # the model's estimate of relevant records left


class LiveRanker:
    def __init__(
        self,
        ids: list[str],
        text_of: Callable[[str], str],
        decided: dict[str, str],
        *,
        query: str = "",
        seed: int = 0,
        model: str = DEFAULT_MODEL,
        start: bool = True,
    ) -> None:
        self.ids = list(ids)
        self._text_of = text_of
        self._query = query
        self._seed = seed
        self._model = model
        self._lock = threading.Lock()
        self._labels: dict[str, int] = {c: int(d in RELEVANT) for c, d in decided.items()}
        self._version = 1
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._features: Any = None
        self._index: dict[str, int] = {}
        self._query_scores: Any = None
        self.latest: Ranking | None = None
        self.status = "ranking: preparing features"
        self.error: str | None = None
        self._thread: threading.Thread | None = None
        if start:
            self._wake.set()
            self._thread = threading.Thread(target=self._run, name="review-ranker", daemon=True)
            self._thread.start()

    # ---- called by the screener (UI thread) ---------------------------------------------------
    def update(self, cid: str, decision: str | None) -> None:
        """The reviewer decided ``cid`` (or retracted it: ``decision`` None)."""
        with self._lock:
            self._labels.pop(cid, None)  # re-decided: moves to the end of the decision order
            if decision is not None:
                self._labels[cid] = int(decision in RELEVANT)
            self._version += 1
        self._wake.set()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()

    # ---- the work (background thread, or called directly by tests) ----------------------------
    def prepare(self) -> None:
        from review.rank.model import build_features, query_scores

        texts = [self._text_of(c) for c in self.ids]
        self._index = {c: i for i, c in enumerate(self.ids)}
        self._features = build_features(texts, self._model)
        self._query_scores = query_scores(self._features, self._query) if self._query else None

    def rank_once(self) -> Ranking:
        """Train on a snapshot of the decisions and publish the queue (any thread)."""
        import numpy as np

        from review.rank.model import scores

        if self._features is None:
            self.prepare()
        with self._lock:
            labels = dict(self._labels)
            version = self._version
        index = self._index
        decided = [c for c in labels if c in index]
        y = [labels[c] for c in decided]
        includes = sum(y)
        rows = [index[c] for c in decided]
        estimate = None
        if 0 < includes < len(y):
            s = scores(self._features, rows, y, self._model, self._seed)
            mode = "model"
            estimate = _expected_remaining(s, rows, y)
        elif self._query_scores is not None:
            s, mode = self._query_scores, "query"
        else:
            s, mode = np.zeros(len(self.ids)), "none"
        undecided = np.ones(len(self.ids), dtype=bool)
        undecided[rows] = False
        cand = np.flatnonzero(undecided)
        best = cand[np.argsort(-s[cand], kind="stable")]  # ties keep the random base order
        queue = decided + [self.ids[i] for i in best.tolist()]
        ranking = Ranking(
            version=version,
            queue=queue,
            pos_of={c: i for i, c in enumerate(queue)},
            n_decided=len(decided),
            mode=mode,
            includes=includes,
            expected_remaining=estimate,
        )
        self.latest = ranking
        return ranking

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self._wake.wait()
                self._wake.clear()
                if self._stop.is_set():
                    return
                if self.latest is not None and self.latest.version == self._version:
                    continue
                r = self.rank_once()
                self.status = {
                    "model": "ranked by your decisions",
                    "query": "ranked by the protocol's keywords (no include yet)",
                    "none": "random order until your first include",
                }[r.mode]
        except Exception as exc:  # the screener keeps working in its current order
            self.error = f"{type(exc).__name__}: {exc}"
            self.status = "ranking failed; order kept"


def _expected_remaining(s: Any, rows: list[int], y: list[int]) -> float:
    """Sum over the undecided records of a probability from a one-feature logistic fit of the
    labels on the training scores (Platt scaling on the training set: a rough, optimistic
    estimate; the stopping test, not this, decides when to stop)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(s[rows]).reshape(-1, 1)
    platt = LogisticRegression(C=1.0).fit(x, np.asarray(y))
    mask = np.ones(len(s), dtype=bool)
    mask[rows] = False
    if not mask.any():
        return 0.0
    return float(platt.predict_proba(np.asarray(s[mask]).reshape(-1, 1))[:, 1].sum())
