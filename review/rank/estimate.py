"""How many includes are left? A credible interval, never more than the records left.

If the ``screened`` records a reviewer has decided were a simple random sample of the
``screened + left`` records, holding ``found`` includes (include or maybe), then with a uniform
prior on the share of includes the number of includes among the ``left`` records follows a
Beta-binomial(left, found + 1, screened − found + 1) distribution (the posterior predictive of
the Beta-binomial model; exact for sampling without replacement too, since the records left
are the rest of the same finite population). :func:`includes_left` gives its equal-tailed
credible interval: it lies within 0 … ``left`` by construction and narrows as records are
screened.

The screener uses it where its assumption holds: in random order, and in the stopping test's
random sample (for the urn). In ranked order the records screened are the ones the model
thought most likely to be includes, so the share among them *over*-states the share among the
rest whenever the ranking does better than chance: the interval's upper end is then shown as
an upper bound ("at most"), not as an estimate. The model's own calibrated sum (the previous
estimate) swung from 31 to 408 within 47 decisions and is no longer shown (docs/ranking.md).

Pure Python (no scipy at run time); the tests check it against ``scipy.stats.betabinom``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

LEVEL = 0.90  # the interval's credibility
GRID = 1000  # most points at which the distribution is evaluated (a stride beyond that)


@dataclass(frozen=True, slots=True)
class IncludesLeft:
    """A credible interval for the includes among the records left."""

    low: int
    high: int
    left: int  # records left (the interval is within 0 … left)
    level: float


def _log_pmf(x: int, m: int, a: int, b: int) -> float:
    """log P(X = x), X ~ Beta-binomial(m, a, b)."""
    lg = math.lgamma
    return (
        lg(m + 1) - lg(x + 1) - lg(m - x + 1)
        + lg(x + a) + lg(m - x + b) - lg(m + a + b)
        + lg(a + b) - lg(a) - lg(b)
    )  # fmt: skip


def beta_binomial_interval(m: int, a: int, b: int, level: float = LEVEL) -> tuple[int, int]:
    """The equal-tailed ``level`` credible interval of Beta-binomial(m, a, b): the smallest x
    with P(X ≤ x) ≥ (1 − level)/2 and the smallest with P(X ≤ x) ≥ (1 + level)/2. Evaluated
    on at most :data:`GRID` points around the mean (±12 standard deviations); with a stride
    beyond that, the bounds are exact to within the stride (relative error < 12/GRID · 2)."""
    if m <= 0:
        return 0, 0
    mean = m * a / (a + b)
    sd = math.sqrt(m * a * b * (a + b + m) / ((a + b) ** 2 * (a + b + 1)))
    lo = max(0, math.floor(mean - 12 * sd - 1))
    hi = min(m, math.ceil(mean + 12 * sd + 1))
    step = max(1, math.ceil((hi - lo + 1) / GRID))
    xs = list(range(lo, hi + 1, step))
    if xs[-1] != hi:
        xs.append(hi)
    logs = [_log_pmf(x, m, a, b) for x in xs]
    top = max(logs)
    weights = [math.exp(v - top) for v in logs]
    # with a stride, each grid point stands for the integers up to the next one
    if step > 1:
        widths = [xs[i + 1] - xs[i] for i in range(len(xs) - 1)] + [1]
        weights = [w * d for w, d in zip(weights, widths, strict=True)]
    total = sum(weights)
    tail = (1 - level) / 2
    low = high = xs[-1]
    acc = 0.0
    found_low = False
    for x, w in zip(xs, weights, strict=True):
        acc += w / total
        if not found_low and acc >= tail - 1e-12:
            low, found_low = x, True
        if acc >= 1 - tail - 1e-12:
            high = x
            break
    return low, high


def includes_left(screened: int, found: int, left: int, level: float = LEVEL) -> IncludesLeft:
    """The credible interval for the includes among ``left`` records, after ``screened``
    records (a random sample) held ``found`` includes (module docstring)."""
    found = max(0, min(found, screened))
    low, high = beta_binomial_interval(left, found + 1, screened - found + 1, level)
    return IncludesLeft(low, min(high, left), left, level)
