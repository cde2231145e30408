"""The ranking's caches (review/rank/featcache.py): cached features are exactly the fresh ones,
a changed record is analysed again, and the last ranking is reused only for the same decisions."""

from __future__ import annotations

import random

import numpy as np

from review.rank import termcounts
from review.rank.featcache import (
    cached_features,
    last_ranking_path,
    load_last_ranking,
    ranking_key,
    save_last_ranking,
)
from review.rank.live import LastRankingFile, LiveRanker, RankEngine
from review.rank.model import build_features, query_scores

WORDS = "peer support parents child family trial cohort foster kinship care outcomes".split()


def _corpus(n: int, seed: int = 3) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    ids = [f"abcd{i:04d}-{i}" for i in range(n)]
    rng.shuffle(ids)  # a reviewer's order, not id order
    texts = [" ".join(rng.choices(WORDS, k=rng.randint(3, 30))) for _ in ids]
    return ids, texts


def _same(a, b) -> None:
    assert a.shape == b.shape
    assert np.array_equal(a.indptr, b.indptr)
    assert np.array_equal(a.indices, b.indices)
    assert np.array_equal(a.data, b.data)


def test_cached_features_are_exactly_the_fresh_ones(tmp_path, monkeypatch):
    ids, texts = _corpus(60)
    query = "peer support parents"
    fresh = build_features(texts)
    fresh_q = query_scores(fresh, query)
    built, q1 = cached_features(tmp_path, texts, "svm-df1", query)  # builds the cache
    (counts_file,) = (tmp_path / "rank").glob("counts*.pickle")
    written = counts_file.stat()
    analysed: list[int] = []
    real = termcounts.analyse
    monkeypatch.setattr(termcounts, "analyse", lambda t, p: analysed.append(len(t)) or real(t, p))
    cached, q2 = cached_features(tmp_path, texts, "svm-df1", query)  # reads it
    assert analysed == []  # really read from the cache
    again = counts_file.stat()  # and not written again: nothing changed
    assert (again.st_ino, again.st_mtime_ns) == (written.st_ino, written.st_mtime_ns)
    for got in (built, cached):
        _same(got.matrices[0], fresh.matrices[0])
    assert np.array_equal(q1, fresh_q) and np.array_equal(q2, fresh_q)
    # another reviewer's order of the same records reads the same cache
    order = list(range(len(ids)))
    random.Random(9).shuffle(order)
    texts2 = [texts[i] for i in order]
    other, _ = cached_features(tmp_path, texts2, "svm-df1", query)
    assert analysed == []
    _same(other.matrices[0], build_features(texts2).matrices[0])
    # a changed record: only its text is analysed
    texts2[5] = "kinship care kinship care"
    changed, _ = cached_features(tmp_path, texts2, "svm-df1", "")
    assert analysed == [1]
    _same(changed.matrices[0], build_features(texts2).matrices[0])


def test_the_cache_before_is_removed(tmp_path):
    old = tmp_path / "rank" / "features-svm-df1.pickle"
    old.parent.mkdir()
    old.write_bytes(b"FORMAT 2")
    cached_features(tmp_path, ["a b", "b c"], "svm-df1", "")
    assert not old.exists()
    assert len(list(old.parent.glob("counts*.pickle"))) == 1


def test_engine_ranks_the_same_with_and_without_the_cache(tmp_path):
    ids, texts = _corpus(80)
    labels = {3: 1, 10: 0, 11: 0, 40: 1, 41: 0}
    plain = RankEngine(texts, "", 0, "svm-df1").compute(labels)
    RankEngine(texts, "", 0, "svm-df1", ids, tmp_path)  # fills the cache
    cached = RankEngine(texts, "", 0, "svm-df1", ids, tmp_path)
    got = cached.compute(labels)
    assert np.array_equal(got[0], plain[0]) and got[1:] == plain[1:]


def test_last_ranking_is_kept_for_the_same_decisions_only(tmp_path):
    ids, texts = _corpus(50)
    text = dict(zip(ids, texts, strict=True)).__getitem__
    decided = {ids[0]: "include", ids[1]: "exclude"}
    last = LastRankingFile(last_ranking_path(tmp_path, "ana", "title-abstract"), ("src", 1))
    first = LiveRanker(ids, text, decided, start=False, cache_dir=tmp_path, last=last)
    assert first.latest is None  # nothing saved yet
    ranked = first.rank_once()
    first.close()  # saves it
    again = LiveRanker(ids, text, decided, start=False, cache_dir=tmp_path, last=last)
    assert again.latest is not None and again.latest.version == 0
    assert list(again.latest.queue) == list(ranked.queue)
    assert again.latest.mode == ranked.mode == "model"
    # one more decision, another record source or another order of the same decisions: not used
    more = {**decided, ids[2]: "exclude"}
    assert LiveRanker(ids, text, more, start=False, last=last).latest is None
    moved = LastRankingFile(last.path, ("src", 2))
    assert LiveRanker(ids, text, decided, start=False, last=moved).latest is None
    swapped = {ids[1]: "exclude", ids[0]: "include"}
    assert LiveRanker(ids, text, swapped, start=False, last=last).latest is None


def test_ranking_key_and_file_round_trip(tmp_path):
    path = tmp_path / "r.pickle"
    key = ranking_key("s", ["b", "a"], {"a": 1}, "svm-df1", 0, "q")
    assert key == ranking_key("s", ["a", "b"], {"a": 1}, "svm-df1", 0, "q")
    assert key != ranking_key("s", ["a", "b"], {"a": 0}, "svm-df1", 0, "q")
    assert key != ranking_key("s", ["a", "b"], {"a": 1}, "svm-df1", 1, "q")
    save_last_ranking(path, key, ["b"], "model", 1)
    assert load_last_ranking(path, key) == (["b"], "model", 1)
    assert load_last_ranking(path, "other") is None
    path.write_bytes(b"not a pickle")
    assert load_last_ranking(path, key) is None
