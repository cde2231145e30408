"""Honest progress in the screener (issue 20 §5): the record counter counts records, and the
estimate of includes left is a credible range that narrows and never exceeds the records left."""

from __future__ import annotations

import itertools
import random
import re

import pytest

from review.rank.estimate import beta_binomial_interval, includes_left
from tests.helpers.screen import decide, make_clusters
from tests.test_rank import _NoRecords, topic_project

TA = "title-abstract"


# ---- the estimator ---------------------------------------------------------------------------
def test_interval_matches_scipy_betabinom():
    stats = pytest.importorskip("scipy.stats")
    rng = random.Random(11)
    for _ in range(300):
        m, n = rng.randint(0, 800), rng.randint(0, 400)
        k = rng.randint(0, n)
        a, b = k + 1, n - k + 1
        want = (
            (0, 0)
            if m == 0
            else (int(stats.betabinom.ppf(0.05, m, a, b)), int(stats.betabinom.ppf(0.95, m, a, b)))
        )
        assert beta_binomial_interval(m, a, b) == want, (m, n, k)


def test_interval_on_a_large_remainder_is_within_its_stride():
    stats = pytest.importorskip("scipy.stats")
    for m, n, k in ((100_000, 50, 5), (100_000, 1, 0), (60_000, 300, 40)):
        low, high = beta_binomial_interval(m, k + 1, n - k + 1)
        want = stats.betabinom.ppf([0.05, 0.95], m, k + 1, n - k + 1)
        tol = max(2, (high - low) * 0.03)
        assert abs(low - want[0]) <= tol and abs(high - want[1]) <= tol


def test_interval_never_exceeds_the_records_left_and_narrows():
    for screened, found, left in ((0, 0, 490), (1, 1, 489), (47, 12, 443), (489, 30, 1), (5, 0, 0)):
        est = includes_left(screened, found, left)
        assert 0 <= est.low <= est.high <= left
    # the same share of includes, more records screened: the range narrows, never widens
    widths = [includes_left(n, n // 10, 1000 - n) for n in (10, 50, 100, 200, 400, 800)]
    spans = [e.high - e.low for e in widths]
    assert spans == sorted(spans, reverse=True) and spans[-1] < spans[0] / 4
    # excludes only: the upper end falls with every one of them
    highs = [includes_left(n, 3, 490 - n).high for n in range(20, 200)]
    assert all(b <= a for a, b in itertools.pairwise(highs))


# ---- the record counter ----------------------------------------------------------------------
class _Ids(_NoRecords):
    def search_text(self, cid):
        return cid


def test_counter_counts_records_not_queue_places(project):
    """Issue 20: "Record 1 of 490" after one decision; the same record shown as 17 then 18."""
    from review.screen.session import ScreeningSession

    make_clusters(project, 3)
    s = ScreeningSession(project, TA, "Ana", records=_Ids())
    first = s.item()
    assert s.counter(first) == "Record 1 of 3"
    s.skip()  # the first record is left for later
    s.decide("exclude")
    assert s.counter(s.item()) == "Record 2 of 3"  # was "Record 3 of 3": a queue place
    s.decide("exclude")
    back = s.item()
    assert back.cluster_id == first.cluster_id
    assert s.counter(back) == "Record 3 of 3"  # was "Record 1 of 3" after two decisions
    s.decide("include")
    assert s.item() is None
    s.search(first.cluster_id)
    assert s.counter(s.item()) == "Screened record (3 of 3 screened)"
    s.close()


def test_counter_after_a_stale_ranking_is_swapped_in(project):
    """A ranking trained before the last decision is adopted on the key press: the counter
    must still say how many records were screened, not where the queue puts the next one."""
    from review.screen.session import ScreeningSession

    topic_project(project, n=12, topical=3)
    s = ScreeningSession(project, TA, "Ana", order="relevance", background=False)
    s.skip()
    s._background = True  # the next ranking arrives before the decision it did not see
    s.ranker.rank_once()
    s.decide("exclude")
    assert s.done == 1
    assert s.counter(s.item()) == "Record 2 of 12"
    s.close()


# ---- the estimate of includes left in the status bar -----------------------------------------
LEFT = re.compile(r"includes left: (?:at most (\d+)|(\d+)–(\d+))")


def _high(status: str) -> int:
    m = LEFT.search(status)
    assert m is not None, f"no range of includes left in {status!r}"
    return int(m.group(1) or m.group(3))


def test_ranked_estimate_is_a_bound_that_never_grows_on_excludes(project):
    """Issue 20: "~31 more includes" → "~118" → "~230" → "~408" after 47 of 490 decisions
    (the model's calibrated sum). Now: at most the records left, and falling while only
    excludes come in."""
    from review.screen.session import ScreeningSession

    topic, other = topic_project(project, n=490, topical=25)
    decide(project, "Ana", topic[0], "include")  # the model trains from the first key
    decide(project, "Ana", other[0], "exclude")
    s = ScreeningSession(project, TA, "Ana", order="relevance", background=False)
    assert s.ranker.latest.mode == "model"
    last_high = None
    for _ in range(47):
        cid = s.item().cluster_id
        was_include = cid in topic
        s.decide("include" if was_include else "exclude")
        status = s.ranking_status()
        high = _high(status)
        assert "in your last" in status  # the bound's evidence is named
        assert high <= s.total - s.done
        if last_high is not None and not was_include:
            assert high <= last_high, status
        last_high = high
    s.close()


def test_random_order_estimate_is_a_credible_range(project):
    """At 197 screened with a handful of includes left (issue 20: "~196 more"), the range
    is small, holds the truth, and is within the records left."""
    from review.screen.session import ScreeningSession

    ids = make_clusters(project, 490)
    s = ScreeningSession(project, TA, "Ana", records=_NoRecords())
    relevant = set(s.queue[:490:20])  # 25 includes spread evenly over the random order
    for _ in range(197):
        s.decide("include" if s.item().cluster_id in relevant else "exclude")
    found = sum(1 for c in s.queue[:197] if c in relevant)
    status = s.ranking_status()
    m = LEFT.search(status)
    low, high = int(m.group(2)), int(m.group(3))
    assert "credible" in status and low <= len(relevant) - found <= high
    assert high < 40 and high <= 490 - 197
    assert len(ids) == 490
    s.close()
