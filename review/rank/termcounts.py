"""Each text's raw term counts, kept between sessions: records added to a project cost the
analysis of the new texts only, and the TF-IDF features built from the counts are bit for bit
the ones a fresh :func:`review.rank.model.build_features` gives.

What does not depend on the other records is kept: each distinct text's term counts over its
own n-grams (no pruning), rows keyed by a digest of the text (a record re-clustered under another
id keeps its row), columns in the sorted order of every term of the kept rows. On the next
build only texts with no row are analysed (scikit-learn's ``CountVectorizer`` with no pruning:
the same analyser, the same counts), their terms are merged in sorted order, rows of texts no
longer present are dropped (and terms left in no row), and then what depends on all the records
is computed the way ``CountVectorizer.fit_transform`` does: document frequencies, the
``min_df`` / ``max_df`` / ``max_features`` pruning (the same ``argsort`` over the same array for
``max_features``) and columns in sorted term order; :meth:`SortedTfidf.fit_counts` then weights
them as ``fit_transform`` does. Only texts go in: no decision (blind screening).
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import compress
from numbers import Integral
from typing import Any

PRUNING = ("min_df", "max_df", "max_features", "sublinear_tf")  # applied after counting
DIGEST = 16  # bytes of a text's blake2b digest


def analysis_params(params: dict[str, Any]) -> dict[str, Any]:
    """The settings the counts depend on (the analyser's), without the pruning and weighting."""
    return {k: v for k, v in params.items() if k not in PRUNING}


def text_digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=DIGEST).digest()


@dataclass(frozen=True, slots=True)
class TermCounts:
    """Distinct texts' term counts: row i is the text with digest ``digests[i]``; column j is
    ``terms[j]`` (sorted; every term is in some row); CSR with sorted indices."""

    terms: list[str]
    digests: list[bytes]
    counts: Any  # scipy.sparse.csr_matrix of int32

    @staticmethod
    def empty() -> TermCounts:
        import numpy as np
        import scipy.sparse as sp

        return TermCounts([], [], sp.csr_matrix((0, 0), dtype=np.int32))


def analyse(texts: Sequence[str], params: dict[str, Any]) -> tuple[list[str], Any]:
    """(sorted terms, counts) of ``texts`` with no pruning: scikit-learn's own counting."""
    import numpy as np
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import CountVectorizer

    vec = CountVectorizer(dtype=np.int32, **analysis_params(params))
    try:
        counts = sp.csr_matrix(vec.fit_transform(texts))
    except ValueError:  # not one term in these texts
        return [], sp.csr_matrix((len(texts), 0), dtype=np.int32)
    counts.sort_indices()
    return sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__), counts


def merge_terms(old: list[str], new: list[str]) -> tuple[list[str], Any, Any]:
    """Two sorted term lists merged: (merged, new place of each old term, of each new term)."""
    import numpy as np

    n_old = len(old)
    pos = np.fromiter((bisect_left(old, t) for t in new), dtype=np.int64, count=len(new))
    known = np.fromiter(
        (p < n_old and old[p] == t for p, t in zip(pos.tolist(), new, strict=True)),
        dtype=bool,
        count=len(new),
    )
    fresh_pos = pos[~known]  # non-decreasing: ``new`` is sorted
    old_map = np.arange(n_old, dtype=np.int64)
    old_map += np.searchsorted(fresh_pos, old_map, side="right")
    fresh_rank = fresh_pos + np.arange(len(fresh_pos), dtype=np.int64)
    new_map = np.empty(len(new), dtype=np.int64)
    new_map[known] = old_map[pos[known]]
    new_map[~known] = fresh_rank
    merged = np.empty(n_old + len(fresh_pos), dtype=object)
    merged[old_map] = old
    merged[new_map] = new
    return merged.tolist(), old_map, new_map


def _recolumn(mat: Any, column_map: Any, width: int) -> Any:
    """``mat`` with column j moved to ``column_map[j]`` (increasing: indices stay sorted)."""
    import numpy as np
    import scipy.sparse as sp

    indices = column_map[mat.indices].astype(np.int32)
    return sp.csr_matrix((mat.data, indices, mat.indptr), shape=(mat.shape[0], width))


def update(
    store: TermCounts, texts: Sequence[str], params: dict[str, Any]
) -> tuple[TermCounts, Any, bool]:
    """(the store for exactly ``texts``, their counts in ``texts`` order, whether the store
    changed): only texts the store has no row for are analysed."""
    import numpy as np
    import scipy.sparse as sp

    digests = [text_digest(t) for t in texts]
    row_of = {d: i for i, d in enumerate(store.digests)}
    fresh: dict[bytes, str] = {}
    for d, t in zip(digests, texts, strict=True):
        if d not in row_of and d not in fresh:
            fresh[d] = t
    terms, counts, all_digests = store.terms, store.counts, store.digests
    if fresh:
        new_terms, new_counts = analyse(list(fresh.values()), params)
        terms, old_map, new_map = merge_terms(store.terms, new_terms)
        counts = sp.vstack(
            [
                _recolumn(store.counts, old_map, len(terms)),
                _recolumn(new_counts, new_map, len(terms)),
            ],
            format="csr",
        )
        all_digests = [*store.digests, *fresh]
        row_of = {d: i for i, d in enumerate(all_digests)}
    sel = np.fromiter((row_of[d] for d in digests), dtype=np.int64, count=len(digests))
    used = np.unique(sel)  # rows still in use, in store order
    kept = counts[used] if len(used) < counts.shape[0] else counts
    kept_digests = (
        [all_digests[i] for i in used.tolist()] if len(used) < len(all_digests) else all_digests
    )
    live = np.bincount(kept.indices, minlength=len(terms)) > 0
    if not live.all():  # terms of texts no longer present
        rank = (np.cumsum(live) - 1).astype(np.int32)
        kept = sp.csr_matrix(
            (kept.data, rank[kept.indices], kept.indptr), shape=(kept.shape[0], int(live.sum()))
        )
        terms = list(compress(terms, live.tolist()))
    kept = sp.csr_matrix(kept, dtype=np.int32)
    kept.sort_indices()
    changed = bool(fresh) or len(used) < len(store.digests) or not live.all()
    new_store = TermCounts(terms, kept_digests, kept) if changed else store
    return new_store, kept[np.searchsorted(used, sel)], changed


def prune(counts: Any, terms: list[str], params: dict[str, Any]) -> tuple[Any, dict[str, int]]:
    """(the counts ``CountVectorizer.fit_transform`` gives with ``params``, its vocabulary) from
    every term's counts (columns in sorted term order). ValueError where it raises one."""
    import numpy as np
    import scipy.sparse as sp

    n, width = counts.shape
    if width == 0:
        raise ValueError("empty vocabulary")
    max_df, min_df = params.get("max_df", 1.0), params.get("min_df", 1)
    high = int(max_df) if isinstance(max_df, Integral) else max_df * n  # as scikit-learn
    low = int(min_df) if isinstance(min_df, Integral) else min_df * n
    if high < low:
        raise ValueError("max_df corresponds to < documents than min_df")
    dfs = np.bincount(counts.indices, minlength=width)
    mask = np.ones(width, dtype=bool)
    mask &= dfs <= high
    mask &= dfs >= low
    limit = params.get("max_features")
    if limit is not None and mask.sum() > limit:  # the most frequent terms, as scikit-learn picks
        tfs = np.bincount(counts.indices, weights=counts.data, minlength=width)
        mask_inds = (-tfs[mask]).argsort()[:limit]
        new_mask = np.zeros(width, dtype=bool)
        new_mask[np.where(mask)[0][mask_inds]] = True
        mask = new_mask
    kept = int(mask.sum())
    if kept == 0:
        raise ValueError("After pruning, no terms remain.")
    column = np.full(width, -1, dtype=np.int64)
    column[mask] = np.arange(kept)
    cols = column[counts.indices]
    keep = cols >= 0
    ends = np.concatenate(([0], np.cumsum(keep)))
    index = np.int32 if ends[-1] <= np.iinfo(np.int32).max else np.int64  # as scikit-learn
    out = sp.csr_matrix(
        (
            counts.data[keep].astype(np.float64),
            cols[keep].astype(index),
            ends[counts.indptr].astype(index),
        ),
        shape=(n, kept),
    )
    vocabulary = dict(zip(compress(terms, mask.tolist()), range(kept), strict=True))
    return out, vocabulary
