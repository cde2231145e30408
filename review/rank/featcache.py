"""The ranking's derived caches under ``.review/rank/``: the term counts the TF-IDF features are
built from, and each reviewer's last ranking. Both are rebuildable and checked before use.

- **Term counts** (``counts-<settings hash>.pickle``, review/rank/termcounts.py): each distinct
  text's raw term counts, keyed by the analyser's settings and the scikit-learn and Python
  versions. The features are built from them, analysing only the texts they have no counts for
  (records imported, changed): bit for bit what :func:`review.rank.model.build_features` gives
  (rows in the caller's order; TF-IDF rows do not depend on the other rows' order), so the
  ranking is the same with or without the cache. Unreadable or inconsistent: rebuilt.
- **Last ranking** (``last-<reviewer file id>.pickle``): the undecided records best first as the
  ranker last published them, keyed by the reviewer's decisions (in order), the eligible records
  and what their texts come from (the import log and ``clusters.csv``). The screener opens in
  that order at once; the worker's first ranking (the same one when nothing changed) follows.
  Only that reviewer's own decisions go into it (blind screening).
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from review.errors import WriteError
from review.io.files import atomic_write_with
from review.rank.model import (
    MODELS,
    Features,
    SortedTfidf,
    build_one,
    feature_params,
    query_scores,
)
from review.rank.termcounts import DIGEST, TermCounts, analysis_params, prune, update
from review.rank.termtable import NewlineInTerm, TermTable
from review.screen.memo import file_key

if TYPE_CHECKING:
    from review.project import Project

FORMAT = 2  # of the last ranking's key (2: rows in column order, SortedTfidf)
COUNTS_FORMAT = 2  # 2: the terms as one blob (termtable.py), uint16 counts kept as read


def rank_cache_dir(cache_dir: Path) -> Path:
    return Path(cache_dir) / "rank"


def _save(path: Path, payload: dict[str, Any]) -> None:
    with contextlib.suppress(WriteError, OSError):  # a cache: a read-only disk only costs speed
        # pickled into the file as it is made: a million records' counts (0.9 GB) are never
        # held a second time as bytes
        atomic_write_with(
            path, lambda fh: pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
        )


def _load(path: Path) -> Any:
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)  # noqa: S301 - our own cache file
    except Exception:  # missing or unreadable: rebuilt
        return None


def cached_features(
    cache_dir: Path, texts: Sequence[str], model: str, query: str
) -> tuple[Features, Any]:
    """(features of ``texts``, query scores or None), rows in ``texts`` order, built from the
    kept term counts: only the texts they have no counts for are analysed; the counts are then
    saved for exactly these texts. The same bits as :func:`review.rank.model.build_features`."""
    return features_from_counts(prepare_counts(cache_dir, texts, model), query)


# ---- the term counts (review/rank/termcounts.py) ----------------------------------------------
@dataclass(frozen=True, slots=True)
class CountedSet:
    """One feature set's kept counts (``store``) and each text's row of them, or its features
    already built (a term the table cannot hold)."""

    name: str
    params: dict[str, Any]
    store: TermCounts | None
    rows: Any  # numpy int64: the store's row of each text
    built: tuple[Any, Any] | None = None


@dataclass(frozen=True, slots=True)
class CountsPlan:
    """What :func:`features_from_counts` builds the features from: no text in it."""

    n: int
    sets: tuple[CountedSet, ...]


def prepare_counts(
    cache_dir: Path,
    texts: Sequence[str] | Callable[[], Sequence[str]],
    model: str,
    ids: Sequence[str] | None = None,
    source: str = "",
) -> CountsPlan:
    """The kept counts of ``texts`` for the model's feature sets: only the texts the cache has
    no counts for are analysed; the counts are saved (for exactly these texts) when they
    changed. Nothing in the result refers to the texts, so a caller that lets go of them frees
    their memory before the features are built (the ranking worker does).

    With ``ids`` (the records the texts are of, in order) and ``source`` (what the texts come
    from, :func:`text_source_key`), ``texts`` may be a function giving them, called only when
    needed: the counts remember each record's row for that source, and a session in which
    nothing changed reads no text (at a million records: 5–6 s and 2 GB of the worker's)."""
    n = len(ids) if ids is not None else len(texts)  # type: ignore[arg-type]
    got: list[str] | None = None

    def all_texts() -> list[str]:
        nonlocal got
        if got is None:
            got = [t or "" for t in (texts() if callable(texts) else texts)]
            if len(got) != n:
                raise ValueError("one text per record expected")
        return got

    sets = []
    for name in MODELS[model][0]:
        params = feature_params(name, n)
        cpath, ckey = _counts_file(cache_dir, params)
        store = _load_counts(cpath, ckey)
        rows = store.rows_for(ids, source) if ids is not None else None
        if rows is None:
            try:
                store, rows, changed = update(store, all_texts(), params)
            except NewlineInTerm:  # a term the table cannot hold: built from the texts
                sets.append(CountedSet(name, params, None, None, build_one(all_texts(), name)))
                continue
            if ids is not None and source:
                store = replace(store, source=source, ids=tuple(ids), id_rows=rows)
                changed = True
            if changed:
                _save_counts(cpath, ckey, store)
        sets.append(CountedSet(name, params, store, rows))
    _drop_older_formats(rank_cache_dir(cache_dir))
    return CountsPlan(n, tuple(sets))


def text_source_key(project: Project) -> str:
    """What the records' ranking texts come from: the import log, the reader version,
    clusters.csv, and the code that fuses a merged cluster's fields and makes the texts."""
    from review.dedup import fusion

    found = last_ranking_file(project, "", "").source_key
    here = Path(__file__).parent
    code = (Path(fusion.__file__), here / "live.py", here / "model.py")
    return repr((found, *(file_key(p) for p in code)))


def features_from_counts(plan: CountsPlan, query: str) -> tuple[Features, Any]:
    """(the features, query scores or None) of the texts ``plan`` was prepared from, as
    :func:`review.rank.model.build_features` and :func:`review.rank.model.query_scores` give
    them, bit for bit."""
    mats, vecs = [], []
    for one in plan.sets:
        if one.built is not None:
            mat, vec = one.built
        else:
            assert one.store is not None
            try:
                pruned, kept = prune(one.store.counts, one.rows, one.params)
                vec = SortedTfidf(one.params)
                mat = vec.fit_counts(pruned, one.store.terms, kept)
            except ValueError:  # no term left: what build_features gives (a constant feature,
                mat, vec = build_one([""] * plan.n, one.name)  # whatever the texts)
        mats.append(mat)
        vecs.append(vec)
    feats = Features(tuple(one.name for one in plan.sets), mats, vecs)
    return feats, (query_scores(feats, query) if query else None)


def _drop_older_formats(folder: Path) -> None:
    """Delete the feature caches of older versions (never read again: a million records' counts
    take 0.9 GB): the TF-IDF matrices (``features-*``) and counts of another format."""
    current = f"counts{COUNTS_FORMAT}-"
    for old in [*folder.glob("features-*.pickle"), *folder.glob("counts*.pickle")]:
        if not old.name.startswith(current):
            with contextlib.suppress(OSError):
                old.unlink()


def _counts_file(cache_dir: Path, params: dict[str, Any]) -> tuple[Path, str]:
    """Where the counts of one analyser's settings are kept, and their key (the settings,
    the scikit-learn and Python versions)."""
    import sklearn

    settings = repr(sorted(analysis_params(params).items()))
    key = repr((COUNTS_FORMAT, sklearn.__version__, sys.version_info[:2], settings))
    name = hashlib.blake2b(key.encode("utf-8"), digest_size=6).hexdigest()
    return rank_cache_dir(cache_dir) / f"counts{COUNTS_FORMAT}-{name}.pickle", key


def _load_counts(path: Path, key: str) -> TermCounts:
    """The kept counts, checked; empty when missing, of other settings or unreadable."""
    import numpy as np
    import scipy.sparse as sp

    found = _load(path)
    try:
        if not isinstance(found, dict) or found.get("key") != key:
            raise ValueError(path)
        terms = TermTable(found["terms"], found["n_terms"])
        blob = found["digests"]
        digests = [blob[i : i + DIGEST] for i in range(0, len(blob), DIGEST)]
        rows, width = len(digests), len(terms)
        indptr, indices, data = (np.asarray(found[k]) for k in ("indptr", "indices", "data"))
        ok = (
            isinstance(blob, bytes)
            and len(blob) == rows * DIGEST
            and data.dtype in (np.uint16, np.int32)
            and indices.dtype == np.int32
            and len(indptr) == rows + 1
            and indptr[0] == 0
            and indptr[-1] == len(indices) == len(data)
            and bool(np.all(np.diff(indptr) >= 0))
            and (len(indices) == 0 or (int(indices.min()) >= 0 and int(indices.max()) < width))
        )
        if not ok:
            raise ValueError(path)
        # uint16 counts stay uint16 in memory (half of int32's): they only become float64
        counts = sp.csr_matrix((data, indices, indptr), shape=(rows, width))
    except Exception:  # rebuilt from the texts
        return TermCounts.empty()
    store = TermCounts(terms, digests, counts)
    with contextlib.suppress(Exception):  # which row holds each record's text: else read them
        source, ids, id_rows = found["source"], tuple(found["ids"]), np.asarray(found["id_rows"])
        if (
            isinstance(source, str)
            and all(isinstance(c, str) for c in ids)
            and id_rows.dtype == np.int64
            and id_rows.shape == (len(ids),)
            and (len(ids) == 0 or (int(id_rows.min()) >= 0 and int(id_rows.max()) < rows))
        ):
            store = replace(store, source=source, ids=ids, id_rows=id_rows)
    return store


def _save_counts(path: Path, key: str, store: TermCounts) -> None:
    import numpy as np

    data = store.counts.data
    small = data.size == 0 or int(data.max()) <= np.iinfo(np.uint16).max
    _save(
        path,
        {
            "key": key,
            "terms": store.terms.blob,
            "n_terms": store.terms.n,
            "digests": b"".join(store.digests),
            "indptr": store.counts.indptr.astype(np.int64, copy=False),
            "indices": store.counts.indices.astype(np.int32, copy=False),
            "data": data.astype(np.uint16 if small else np.int32, copy=False),
            "source": store.source,
            "ids": list(store.ids),
            "id_rows": np.asarray(store.id_rows if store.id_rows is not None else [], np.int64),
        },
    )


# ---- the last ranking --------------------------------------------------------------------------
def ranking_key(
    source_key: Any, ids: Sequence[str], labels: dict[str, int], model: str, seed: int, query: str
) -> str:
    """What a ranking depends on, hashed: the texts' sources, the eligible records, the
    reviewer's 0/1 labels in decision order, the model, seed and query."""
    h = hashlib.blake2b(digest_size=20)
    h.update(repr((FORMAT, source_key, model, seed, query)).encode("utf-8", "surrogatepass"))
    for cid in sorted(ids):
        h.update(cid.encode("utf-8", "surrogatepass") + b"\x00")
    h.update(b"\x02")
    for cid, y in labels.items():
        h.update(f"{cid}\x00{y}\x01".encode("utf-8", "surrogatepass"))
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class LastRankingFile:
    """Where the ranker keeps its last ranking and what the texts come from (part of its key:
    the import log, the reader version and clusters.csv)."""

    path: Path
    source_key: Any


def last_ranking_file(project: Project, reviewer_file_id: str, stage: str) -> LastRankingFile:
    """One reviewer's last-ranking file at ``stage`` and the key of the records' sources."""
    from review.dedup.clusters import clusters_path
    from review.recordcache import reader_cache_key

    imports = tuple((e.import_id, e.sha256) for e in project.imports())
    source = (imports, reader_cache_key(), file_key(clusters_path(project)))
    return LastRankingFile(last_ranking_path(project.cache_dir, reviewer_file_id, stage), source)


def last_ranking_path(cache_dir: Path, reviewer_id: str, stage: str) -> Path:
    return rank_cache_dir(cache_dir) / f"last-{reviewer_id}-{stage}.pickle"


def save_last_ranking(path: Path, key: str, best: Sequence[str], mode: str, includes: int) -> None:
    """The undecided cluster ids best first, as published for ``key``."""
    _save(path, {"key": key, "best": list(best), "mode": mode, "includes": includes})


def load_last_ranking(path: Path, key: str) -> tuple[list[str], str, int] | None:
    """(undecided ids best first, mode, includes) saved for ``key``, or None."""
    found = _load(path)
    if not isinstance(found, dict) or found.get("key") != key:
        return None
    best = found.get("best")
    if not isinstance(best, list):
        return None
    return best, str(found.get("mode", "model")), int(found.get("includes", 0))
