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

Built for a million records (4.4 million terms, 111 million counts): the terms are kept as one
blob (:class:`review.rank.termtable.TermTable`), and the pruned matrix is made straight from the
kept counts in the texts' order, a block of rows at a time, so that no copy of every count is
made on the way (the counts in the texts' order, then column numbers in int64, then float64, …
took 4.4 GB beyond the counts and the result at a million records).
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import compress
from numbers import Integral
from typing import Any

from review.rank.termtable import TermTable

PRUNING = ("min_df", "max_df", "max_features", "sublinear_tf")  # applied after counting
DIGEST = 16  # bytes of a text's blake2b digest
BLOCK = 1 << 16  # rows (or counts) handled at a time while pruning: bounded temporary memory
CHUNK = 20_000  # texts counted at a time when more are analysed at once


def analysis_params(params: dict[str, Any]) -> dict[str, Any]:
    """The settings the counts depend on (the analyser's), without the pruning and weighting."""
    return {k: v for k, v in params.items() if k not in PRUNING}


def text_digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=DIGEST).digest()


@dataclass(frozen=True, slots=True)
class TermCounts:
    """Distinct texts' term counts: row i is the text with digest ``digests[i]``; column j is
    the term at place j of ``terms`` (sorted; every term is in some row); CSR with sorted
    indices and integer counts (uint16 when read back from a file whose counts fit)."""

    terms: TermTable
    digests: list[bytes]
    counts: Any  # scipy.sparse.csr_matrix of integers
    # which row holds each record's text, valid while the texts' sources are ``source``
    # (review/rank/featcache.py): a session with nothing changed reads no text at all
    source: str = ""
    ids: tuple[str, ...] = ()
    id_rows: Any = None  # numpy int64, one per id

    def rows_for(self, ids: Sequence[str], source: str) -> Any:
        """The row of each of ``ids`` (numpy int64) when the rows are known for ``source``
        and every id, else None."""
        import numpy as np

        if not source or source != self.source or self.id_rows is None:
            return None
        row_of = dict(zip(self.ids, self.id_rows.tolist(), strict=True))
        try:
            return np.fromiter((row_of[c] for c in ids), dtype=np.int64, count=len(ids))
        except KeyError:
            return None

    @staticmethod
    def empty() -> TermCounts:
        import numpy as np
        import scipy.sparse as sp

        return TermCounts(TermTable(b"", 0), [], sp.csr_matrix((0, 0), dtype=np.int32))


def analyse(texts: Sequence[str], params: dict[str, Any]) -> tuple[list[str], Any]:
    """(sorted terms, counts) of ``texts`` with no pruning: scikit-learn's analyser, counted as
    ``CountVectorizer.fit_transform`` counts (its own counting up to :data:`CHUNK` texts)."""
    import numpy as np
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import CountVectorizer

    vec = CountVectorizer(dtype=np.int32, **analysis_params(params))
    if len(texts) > CHUNK:
        return _analyse_in_blocks(texts, vec.build_analyzer())
    try:
        counts = sp.csr_matrix(vec.fit_transform(texts))
    except ValueError:  # not one term in these texts
        return [], sp.csr_matrix((len(texts), 0), dtype=np.int32)
    counts.sort_indices()
    return sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__), counts


def _analyse_in_blocks(texts: Sequence[str], analyze: Any) -> tuple[list[str], Any]:
    """:func:`analyse` of many texts, counted :data:`CHUNK` texts at a time into numpy arrays:
    ``CountVectorizer`` holds every column number of every text in one Python list and copies
    it twice (3.6 GB above the texts for a million records' first build)."""
    import numpy as np
    import scipy.sparse as sp

    vocabulary: dict[str, int] = {}  # term -> number, in order of appearance (as scikit-learn)
    sizes = np.empty(len(texts), dtype=np.int64)  # distinct terms per text
    parts = [
        _count_block(texts[a : a + CHUNK], analyze, vocabulary, sizes[a:])
        for a in range(0, len(texts), CHUNK)
    ]
    if not vocabulary:
        return [], sp.csr_matrix((len(texts), 0), dtype=np.int32)
    terms = list(vocabulary)
    del vocabulary
    order = sorted(range(len(terms)), key=terms.__getitem__)  # columns in term order
    place = np.empty(len(terms), dtype=np.int32)
    place[order] = np.arange(len(terms), dtype=np.int32)
    terms = [terms[i] for i in order]
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(sizes, out=indptr[1:])
    indices = np.empty(int(indptr[-1]), dtype=np.int32)
    data = np.empty(int(indptr[-1]), dtype=np.int32)
    at = 0
    parts.reverse()
    while parts:  # each block let go once copied
        cols, vals = parts.pop()
        indices[at : at + len(cols)] = place[cols]
        data[at : at + len(vals)] = vals
        at += len(cols)
    counts = sp.csr_matrix((data, indices, indptr), shape=(len(texts), len(terms)))
    counts.sort_indices()
    return terms, counts


def _count_block(
    texts: Sequence[str], analyze: Any, vocabulary: dict[str, int], sizes: Any
) -> tuple[Any, Any]:
    """(column numbers, counts) of each text's distinct terms, text after text (a new term gets
    the next number); each text's number of distinct terms goes in ``sizes``."""
    import numpy as np

    cols: list[int] = []
    vals: list[int] = []
    for i, doc in enumerate(texts):
        counter: dict[int, int] = {}
        for term in analyze(doc):
            col = vocabulary.setdefault(term, len(vocabulary))
            counter[col] = counter.get(col, 0) + 1
        cols.extend(counter)
        vals.extend(counter.values())
        sizes[i] = len(counter)
    return np.asarray(cols, dtype=np.int32), np.asarray(vals, dtype=np.int32)


def merge_terms(old: list[str], new: list[str]) -> tuple[list[str], Any, Any]:
    """Two sorted term lists merged: (merged, new place of each old term, of each new term)."""
    import numpy as np

    n_old = len(old)
    if n_old == 0:  # the first build: nothing to merge
        return new, np.zeros(0, dtype=np.int64), np.arange(len(new), dtype=np.int64)
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
    """(the store for exactly ``texts``, the store's row of each text (numpy int64, in
    ``texts`` order: texts alike share a row), whether the store changed): only texts the store
    has no row for are analysed. The terms are turned into strings only when they change."""
    import numpy as np
    import scipy.sparse as sp

    digests = [text_digest(t) for t in texts]
    row_of = {d: i for i, d in enumerate(store.digests)}
    fresh: dict[bytes, str] = {}
    for d, t in zip(digests, texts, strict=True):
        if d not in row_of and d not in fresh:
            fresh[d] = t
    terms: list[str] | None = None  # the table as strings, when it changes
    counts, all_digests = store.counts, store.digests
    added = len(fresh)
    if fresh:
        terms, counts = _add(store, list(fresh.values()), params)
        all_digests = [*store.digests, *fresh]
        row_of.update(zip(fresh, range(len(store.digests), len(all_digests)), strict=True))
        fresh.clear()
    sel = np.fromiter((row_of[d] for d in digests), dtype=np.int64, count=len(digests))
    del row_of, digests
    used = np.unique(sel)  # rows still in use, in store order
    dropped = len(used) < counts.shape[0]
    if dropped:  # texts no longer present: their rows go, and the terms left in no row
        counts = counts[used]
        all_digests = [all_digests[i] for i in used.tolist()]
        sel = np.searchsorted(used, sel)
        live = np.bincount(counts.indices, minlength=counts.shape[1]) > 0
        if not live.all():
            rank = (np.cumsum(live) - 1).astype(np.int32)
            counts = sp.csr_matrix(
                (counts.data, rank[counts.indices], counts.indptr),
                shape=(counts.shape[0], int(live.sum())),
            )
            listed = terms if terms is not None else store.terms.to_list()
            terms = list(compress(listed, live.tolist()))
    if not (added or dropped):
        return store, sel, False
    counts.sort_indices()
    table = store.terms if terms is None else TermTable.from_list(terms)
    return TermCounts(table, all_digests, counts), sel, True


def _add(store: TermCounts, texts: list[str], params: dict[str, Any]) -> tuple[list[str], Any]:
    """(every term, sorted; the counts of the store's rows and then of ``texts``, columns in
    that order) after analysing ``texts``."""
    import numpy as np
    import scipy.sparse as sp

    new_terms, new_counts = analyse(texts, params)
    if not store.digests:  # the first build: no copy of the counts
        return new_terms, new_counts
    terms, old_map, new_map = merge_terms(store.terms.to_list(), new_terms)
    counts = sp.vstack(
        [
            _recolumn(store.counts, old_map, len(terms)),
            _recolumn(new_counts, new_map, len(terms)),
        ],
        format="csr",
    )
    return terms, sp.csr_matrix(counts, dtype=np.int32)


def prune(counts: Any, rows: Any, params: dict[str, Any]) -> tuple[Any, Any]:
    """(the counts ``CountVectorizer.fit_transform`` gives with ``params`` for the texts whose
    counts are the rows ``rows`` of ``counts`` — float64, the kept terms' columns in sorted
    term order —, which columns of ``counts`` it keeps: a bool mask). ValueError where it
    raises one."""
    import numpy as np

    n, width = len(rows), counts.shape[1]
    if width == 0:
        raise ValueError("empty vocabulary")
    max_df, min_df = params.get("max_df", 1.0), params.get("min_df", 1)
    high = int(max_df) if isinstance(max_df, Integral) else max_df * n  # as scikit-learn
    low = int(min_df) if isinstance(min_df, Integral) else min_df * n
    if high < low:
        raise ValueError("max_df corresponds to < documents than min_df")
    times = np.bincount(rows, minlength=counts.shape[0])  # texts per row (texts alike share)
    dfs = _column_totals(counts, times, weigh=False)
    mask = (dfs <= high) & (dfs >= low)
    limit = params.get("max_features")
    if limit is not None and mask.sum() > limit:  # the most frequent terms, as scikit-learn picks
        tfs = _column_totals(counts, times, weigh=True)
        mask_inds = (-tfs[mask]).argsort()[:limit]
        new_mask = np.zeros(width, dtype=bool)
        new_mask[np.where(mask)[0][mask_inds]] = True
        mask = new_mask
    kept = int(mask.sum())
    if kept == 0:
        raise ValueError("After pruning, no terms remain.")
    return _select(counts, rows, mask, kept), mask


def _column_totals(counts: Any, times: Any, *, weigh: bool) -> Any:
    """Per column, over the texts (a row counted ``times[row]`` times): how many have the term
    (int64), or with ``weigh`` its total count (float64, as scikit-learn sums it)."""
    import numpy as np

    width, n_rows = counts.shape[1], counts.shape[0]
    if n_rows == 0 or (times.min() == 1 and times.max() == 1):  # the usual case: no text twice
        if weigh:
            return np.bincount(counts.indices, weights=counts.data, minlength=width)
        return np.bincount(counts.indices, minlength=width)
    total = np.zeros(width, dtype=np.float64)
    indptr = counts.indptr
    for a in range(0, n_rows, BLOCK):
        b = min(a + BLOCK, n_rows)
        lo, hi = indptr[a], indptr[b]
        w = np.repeat(times[a:b].astype(np.float64), np.diff(indptr[a : b + 1]))
        if weigh:
            w *= counts.data[lo:hi]
        total += np.bincount(counts.indices[lo:hi], weights=w, minlength=width)
    return total if weigh else total.astype(np.int64)  # whole numbers: exact


def _select(counts: Any, rows: Any, mask: Any, kept: int) -> Any:
    """Rows ``rows`` of ``counts`` (in that order), columns ``mask`` (renumbered), float64:
    written a block of rows at a time into the result's arrays."""
    import numpy as np
    import scipy.sparse as sp

    column = np.full(len(mask), -1, dtype=np.int64)
    column[mask] = np.arange(kept)
    indptr, n_rows = counts.indptr, counts.shape[0]
    per_row = np.zeros(n_rows, dtype=np.int64)  # kept counts in each row of ``counts``
    for a in range(0, n_rows, BLOCK):
        b = min(a + BLOCK, n_rows)
        lo = indptr[a]
        ends = np.concatenate(([0], np.cumsum(mask[counts.indices[lo : indptr[b]]])))
        per_row[a:b] = ends[indptr[a + 1 : b + 1] - lo] - ends[indptr[a:b] - lo]
    sizes = per_row[rows]
    nnz = int(sizes.sum())
    index = np.int32 if nnz <= np.iinfo(np.int32).max else np.int64  # as scikit-learn
    out_indptr = np.zeros(len(rows) + 1, dtype=index)
    np.cumsum(sizes, out=out_indptr[1:], dtype=index)
    data = np.empty(nnz, dtype=np.float64)
    indices = np.empty(nnz, dtype=index)
    step = max(1, BLOCK // 4)
    for a in range(0, len(rows), step):
        b = min(a + step, len(rows))
        part = counts[rows[a:b]]
        cols = column[part.indices]
        keep = cols >= 0
        lo, hi = out_indptr[a], out_indptr[b]
        indices[lo:hi] = cols[keep]
        data[lo:hi] = part.data[keep]
    return sp.csr_matrix((data, indices, out_indptr), shape=(len(rows), kept))


def vocabulary(terms: TermTable, mask: Any) -> dict[str, int]:
    """The kept terms' columns, as ``CountVectorizer.vocabulary_`` holds them."""
    return {t: i for i, t in enumerate(compress(terms.to_list(), mask.tolist()))}
