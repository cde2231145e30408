"""Features updated incrementally (review/rank/termcounts.py): records added, removed or changed
re-analyse only the texts the cache has no counts for, and the features are bit for bit those of
a fresh build on the new records (issue 23)."""

from __future__ import annotations

import random

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from review.rank import termcounts
from review.rank.featcache import cached_features, rank_cache_dir
from review.rank.live import RankEngine
from review.rank.model import build_features, query_scores

WORDS = [f"term{i}" for i in range(400)] + ["café", "naïve", "co-operation", "x"]
QUERY = "term1 term2 term3* café"


def _corpus(n: int, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    weights = [1 / (k + 1) for k in range(len(WORDS))]  # Zipf-like: shared and rare terms
    ids = [f"{rng.getrandbits(48):012x}-{i}" for i in range(n)]
    texts = [" ".join(rng.choices(WORDS, weights, k=rng.randint(0, 50))) for _ in ids]
    return ids, texts


def _same(got, fresh) -> None:
    for a, b in zip(got.matrices, fresh.matrices, strict=True):
        assert type(a) is type(b) and a.shape == b.shape
        assert (a != b).nnz == 0
        for part in ("indptr", "indices", "data"):
            x, y = getattr(a, part), getattr(b, part)
            assert x.dtype == y.dtype and np.array_equal(x, y), part
    for va, vb in zip(got.vectorizers, fresh.vectorizers, strict=True):
        assert va.vocabulary_ == vb.vocabulary_


@pytest.fixture
def analysed(monkeypatch):
    """How many texts were analysed (the expensive part), per call."""
    calls: list[int] = []
    real = termcounts.analyse

    def counting(texts, params):
        calls.append(len(texts))
        return real(texts, params)

    monkeypatch.setattr(termcounts, "analyse", counting)
    return calls


@pytest.mark.parametrize("model", ["svm-df1", "svm", "ensemble"])
def test_added_records_give_the_fresh_build_bit_for_bit(tmp_path, analysed, model):
    _ids, texts = _corpus(300, 1)
    cached_features(tmp_path, texts, model, QUERY)
    _more_ids, more_texts = _corpus(40, 2)
    texts2 = texts + more_texts
    random.Random(4).shuffle(texts2)  # a reviewer's order
    analysed.clear()
    got, q = cached_features(tmp_path, texts2, model, QUERY)
    assert analysed and max(analysed) <= 40  # only the new texts were analysed
    fresh = build_features(texts2, model)
    _same(got, fresh)
    assert np.array_equal(q, query_scores(fresh, QUERY))


def test_removed_and_changed_records(tmp_path, analysed):
    _ids, texts = _corpus(200, 3)
    cached_features(tmp_path, texts, "svm-df1", "")
    texts2 = texts[50:]  # 50 removed: their terms leave the vocabulary
    texts2[0] = "a changed text with term7 and one new word zyzzyva"
    texts2[1] = "term5 term5 term5 brand-new"
    analysed.clear()
    got, _ = cached_features(tmp_path, texts2, "svm-df1", "")
    assert analysed == [2]
    _same(got, build_features(texts2))
    # the same records again, in another order (or fused under other ids): nothing analysed
    analysed.clear()
    got, _ = cached_features(tmp_path, texts2[::-1], "svm-df1", "")
    assert analysed == []
    _same(got, build_features(texts2[::-1]))


def test_growing_past_the_tiny_file_settings(tmp_path):
    """Under 20 records every term is kept: the counts serve both settings."""
    _ids, texts = _corpus(12, 5)
    cached_features(tmp_path, texts, "svm", "")
    _more_ids, more_texts = _corpus(30, 6)
    got, _ = cached_features(tmp_path, texts + more_texts, "svm", "")
    _same(got, build_features(texts + more_texts, "svm"))
    got, _ = cached_features(tmp_path, ["", "", ""], "svm", "")  # no term at all
    fresh = build_features(["", "", ""], "svm")  # a constant feature
    assert (got.matrices[0] != fresh.matrices[0]).nnz == 0


@pytest.mark.parametrize("max_features", [5, 37, 200])
@pytest.mark.parametrize(("min_df", "max_df"), [(1, 1.0), (2, 0.95), (3, 40), (0.01, 0.5)])
def test_pruning_is_count_vectorizers(min_df, max_df, max_features):
    """min_df / max_df / max_features (ties in term frequency included) as scikit-learn prunes."""
    _ids, texts = _corpus(150, 7)
    params = {"ngram_range": (1, 2), "min_df": min_df, "max_df": max_df}
    params["max_features"] = max_features
    store, rows, _changed = termcounts.update(termcounts.TermCounts.empty(), texts[:100], params)
    store, rows, changed = termcounts.update(store, texts[::-1], params)
    assert changed
    assert termcounts.update(store, texts, params)[2] is False  # the same texts: unchanged
    got, kept = termcounts.prune(store.counts, rows, params)
    vocabulary = termcounts.vocabulary(store.terms, kept)
    vec = CountVectorizer(dtype=np.float64, **params)
    want = vec.fit_transform(texts[::-1]).tocsr()
    want.sort_indices()
    assert vocabulary == vec.vocabulary_
    assert (got != want).nnz == 0 and got.shape == want.shape


def test_unreadable_or_foreign_counts_are_rebuilt(tmp_path, analysed):
    _ids, texts = _corpus(60, 8)
    cached_features(tmp_path, texts, "svm-df1", "")
    (counts_file,) = rank_cache_dir(tmp_path).glob("counts*.pickle")
    counts_file.write_bytes(counts_file.read_bytes()[:200])  # truncated
    analysed.clear()
    got, _ = cached_features(tmp_path, texts, "svm-df1", "")
    assert analysed == [60]  # built again from the texts
    _same(got, build_features(texts))


def test_stem_query_does_not_depend_on_the_records_order():
    _ids, texts = _corpus(120, 9)
    one = query_scores(build_features(texts), QUERY)
    two = query_scores(build_features(texts[::-1]), QUERY)
    assert np.array_equal(one, two[::-1])


def test_engine_ranks_the_same_after_records_are_added(tmp_path):
    ids, texts = _corpus(150, 10)
    RankEngine(texts, QUERY, 0, "svm-df1", ids, tmp_path)
    more_ids, more_texts = _corpus(20, 11)
    ids2, texts2 = more_ids + ids, more_texts + texts
    labels = {3: 1, 10: 0, 11: 0, 40: 1, 41: 0}
    plain = RankEngine(texts2, QUERY, 0, "svm-df1")
    cached = RankEngine(texts2, QUERY, 0, "svm-df1", ids2, tmp_path)
    for lab in ({}, labels):
        a, b = plain.compute(lab), cached.compute(lab)
        assert np.array_equal(a[0], b[0]) and a[1:] == b[1:]
