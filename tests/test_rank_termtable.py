"""The ranking's compact term table (review/rank/termtable.py) and what is built on it at scale
(issue 23, 1M records): unicode terms in sorted order, lookups, the table merged as texts are
added, removed and changed, an empty vocabulary, a term the table cannot hold, texts alike."""

from __future__ import annotations

import random

import numpy as np
import pytest

from review.rank import model, termcounts
from review.rank.featcache import cached_features, rank_cache_dir
from review.rank.model import build_features, query_scores
from review.rank.termtable import NewlineInTerm, TermTable

# accents, a non-Latin script, a character above the BMP and a lone surrogate (a byte a reader
# could not decode): sorted by code point as Python sorts them
TERMS = sorted(
    {"a b", "ab", "abc", "abd", "ac", "café", "cafe", "caff", "naïve", "日本", "日本語"}
    | {"x😀", "z\udcff"}
)


def test_the_table_keeps_sorted_unicode_terms_and_finds_them():
    table = TermTable.from_list(TERMS)
    assert len(table) == len(TERMS) and table.to_list() == TERMS
    assert [table.term(i) for i in range(len(TERMS))] == TERMS
    for i, t in enumerate(TERMS):
        assert table.find(t) == i
    assert table.find("aa") == table.find("caf") == table.find("zz") == -1
    for prefix in ("a", "ab", "caf", "café", "日本", "x", "z\udcff", "q", "ñ"):
        want = [i for i, t in enumerate(TERMS) if t.startswith(prefix)]
        assert list(table.prefixed(prefix)) == want, prefix
    assert TermTable.from_list(table.to_list()) == table


def test_an_empty_table_and_a_term_with_a_newline():
    empty = TermTable.from_list([])
    assert len(empty) == 0 and empty.to_list() == [] and empty.find("a") == -1
    assert list(empty.prefixed("a")) == []
    with pytest.raises(NewlineInTerm):
        TermTable.from_list(["a", "b\nc"])
    with pytest.raises(ValueError):
        TermTable(b"a\nb", 3)  # the blob does not hold 3 terms


UNICODE_WORDS = [*(f"w{i}" for i in range(60)), "café", "cafés", "naïve", "日本語", "x😀y", "Ærø"]
QUERY = "café* naïve w1* 日本語 Ærø"


def _texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choices(UNICODE_WORDS, k=rng.randint(0, 12))) for _ in range(n)]


def _same(got, fresh) -> None:
    for a, b in zip(got.matrices, fresh.matrices, strict=True):
        assert type(a) is type(b) and a.shape == b.shape
        for part in ("indptr", "indices", "data"):
            x, y = getattr(a, part), getattr(b, part)
            assert x.dtype == y.dtype and np.array_equal(x, y), part
    for va, vb in zip(got.vectorizers, fresh.vectorizers, strict=True):
        assert va.vocabulary_ == vb.vocabulary_


def test_unicode_texts_added_removed_and_changed_give_the_fresh_build(tmp_path):
    texts = _texts(80, 1)
    cached_features(tmp_path, texts, "svm-df1", QUERY)
    texts2 = texts[10:] + _texts(15, 2)  # 10 removed (their terms may leave), 15 added
    texts2[3] = "a changed text: café naïve 日本語 brand-new-term"
    for order in (texts2, texts2[::-1]):
        got, q = cached_features(tmp_path, order, "svm-df1", QUERY)
        fresh = build_features(order)
        _same(got, fresh)
        # the query is counted by looking its terms up in the table (no vocabulary dict made)
        assert np.array_equal(q, query_scores(fresh, QUERY))


def test_the_query_is_scored_without_making_the_vocabulary(tmp_path, monkeypatch):
    texts = _texts(60, 3)
    cached_features(tmp_path, texts, "svm-df1", "")
    made: list[int] = []
    real = termcounts.vocabulary
    monkeypatch.setattr(termcounts, "vocabulary", lambda t, k: made.append(1) or real(t, k))
    got, q = cached_features(tmp_path, texts, "svm-df1", QUERY)
    assert made == []
    assert np.array_equal(q, query_scores(build_features(texts), QUERY))
    assert got.vectorizers[0].vocabulary_ == build_features(texts).vectorizers[0].vocabulary_
    assert made == [1]  # made when asked for


def test_texts_alike_count_once_per_text(tmp_path):
    """Rows are shared by texts alike; document frequencies and max_features still count
    every text (the pruning weighs each row by its texts)."""
    base = _texts(30, 4)
    texts = base + base[:10] * 3 + ["", "", "w1 w1 w1"] * 4
    got, _ = cached_features(tmp_path, texts, "svm", "")  # min_df 2, max_df 0.95
    _same(got, build_features(texts, "svm"))
    params = {"ngram_range": (1, 2), "min_df": 2, "max_df": 0.5, "max_features": 17}
    store, rows, _ = termcounts.update(termcounts.TermCounts.empty(), texts, params)
    assert store.counts.shape[0] < len(texts)  # texts alike share a row
    pruned, kept = termcounts.prune(store.counts, rows, params)
    from sklearn.feature_extraction.text import CountVectorizer

    vec = CountVectorizer(dtype=np.float64, **params)
    want = vec.fit_transform(texts).tocsr()
    want.sort_indices()
    assert termcounts.vocabulary(store.terms, kept) == vec.vocabulary_
    assert (pruned != want).nnz == 0 and pruned.shape == want.shape


def test_every_term_gone_then_back(tmp_path):
    texts = _texts(30, 5)
    cached_features(tmp_path, texts, "svm-df1", "")
    empty = ["", " ", "!"]  # no term at all: the vocabulary empties, a constant feature
    got, _ = cached_features(tmp_path, empty, "svm-df1", QUERY)
    assert (got.matrices[0] != build_features(empty).matrices[0]).nnz == 0
    got, q = cached_features(tmp_path, texts, "svm-df1", QUERY)  # from an empty table
    _same(got, build_features(texts))
    assert np.array_equal(q, query_scores(build_features(texts), QUERY))


def test_a_term_with_a_newline_is_built_without_the_table(tmp_path, monkeypatch):
    chars = {"analyzer": "char", "ngram_range": (2, 3), "sublinear_tf": True, "max_df": 1.0}
    monkeypatch.setitem(model.FEATURE_SETS, "word1", chars)  # character n-grams keep newlines
    texts = ["ab\ncd", "cd\nef", "ab ef"] * 9
    got, _ = cached_features(tmp_path, texts, "svm-df1", "")
    _same(got, build_features(texts))
    assert not list(rank_cache_dir(tmp_path).glob("counts*.pickle"))


def test_counts_of_an_older_format_are_deleted(tmp_path):
    folder = rank_cache_dir(tmp_path)
    folder.mkdir()
    old = folder / "counts-0123456789ab.pickle"  # format 1: every term a Python string
    old.write_bytes(b"old")
    cached_features(tmp_path, _texts(25, 6), "svm-df1", "")
    assert not old.exists()
    assert len(list(folder.glob("counts2-*.pickle"))) == 1


def test_the_worker_reads_the_texts_the_screener_shows(demo_run):
    """The ranking worker reads only titles and abstracts (fused for merged clusters), not the
    screener's whole record store: the same texts."""
    from review.project import Project
    from review.rank.live import ranking_texts
    from review.rank.model import record_text
    from review.screen.cache import cluster_index, record_store

    project = Project.open(demo_run.root)
    index = cluster_index(project)
    ids = [*index.main_clusters(), "no-such-record"]
    store = record_store(project)
    want = ["" if (r := store.get(c)) is None else record_text(r.title, r.abstract) for c in ids]
    assert ranking_texts(project, ids) == want
    raw = project.record_fields(("title", "abstract"))
    fused = [c for c in ids if c in raw and record_text(*raw[c]) != want[ids.index(c)]]
    assert fused  # some merged cluster's text is not its primary record's own


def test_a_session_with_nothing_changed_reads_no_text(tmp_path):
    """The counts remember each record's row for the texts' sources: the next session (any
    order of the records) reads no text; another source, or a record with no known row, reads
    them again; counts changed without the records' ids forget the rows."""
    from review.rank.featcache import features_from_counts, prepare_counts

    ids = [f"rec-{i}" for i in range(50)]
    texts = _texts(50, 7)
    read: list[int] = []

    def build(order_ids, order_texts, source):
        def texts_of():
            read.append(1)
            return order_texts

        plan = prepare_counts(tmp_path, texts_of, "svm-df1", order_ids, source)
        got, q = features_from_counts(plan, QUERY)
        fresh = build_features(order_texts)
        _same(got, fresh)
        assert np.array_equal(q, query_scores(fresh, QUERY))

    build(ids, texts, "import 1")
    assert read == [1]
    read.clear()
    build(ids[::-1], texts[::-1], "import 1")  # nothing changed, another order: no text read
    build(ids[:30], texts[:30], "import 1")  # fewer records (rows left unused): none either
    assert read == []
    changed = [*texts[:-1], "a changed text: café 日本語"]
    build(ids, changed, "import 2")  # another source: read (and the changed text analysed)
    build([*ids, "rec-new"], [*changed, "w1 w2 new"], "import 2")  # a record with no row
    assert read == [1, 1]
    read.clear()
    build(ids, changed, "import 2")  # the 50 records' rows are known (the new one's unused)
    assert read == []
    cached_features(tmp_path, [*changed, "more"], "svm-df1", "")  # counts changed, no ids
    build(ids, changed, "import 2")
    assert read == [1]


@pytest.mark.parametrize("model_name", ["svm-df1", "svm", "ensemble"])
def test_many_texts_counted_in_blocks_give_the_fresh_build(tmp_path, monkeypatch, model_name):
    """A large first build counts the texts a block at a time (not scikit-learn's one list):
    the same terms and counts, across block boundaries, with unicode and empty texts."""
    monkeypatch.setattr(termcounts, "CHUNK", 7)
    texts = [*_texts(60, 8), "", "", "café"]
    params = model.feature_params("word1", len(texts))
    terms, counts = termcounts.analyse(texts, params)
    monkeypatch.setattr(termcounts, "CHUNK", 10**9)
    want_terms, want = termcounts.analyse(texts, params)
    assert terms == want_terms and (counts != want).nnz == 0
    assert np.array_equal(counts.indices, want.indices) and np.array_equal(counts.data, want.data)
    monkeypatch.setattr(termcounts, "CHUNK", 7)
    got, q = cached_features(tmp_path, texts, model_name, QUERY)
    fresh = build_features(texts, model_name)
    _same(got, fresh)
    assert np.array_equal(q, query_scores(fresh, QUERY))
    assert termcounts.analyse(["", " "] * 5, params)[0] == []  # no term at all
