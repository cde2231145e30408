"""When may a team stop screening? The hypergeometric test of Callaghan & Müller-Hansen (2020).

After ranked screening, the reviewer screens a *random* sample of the records still unscreened
(the urn). Let ``r_ranked`` be the includes found before the sample started, ``n_urn`` the
records in the urn when it started, and ``k`` the includes among the ``n`` records sampled so
far. If recall were below the target τ, the urn must have held at least

    K = ⌊(r_ranked + k) / τ − r_ranked⌋ + 1

includes. The p-value of that null hypothesis is P(X ≤ k) for X ~ Hypergeometric(population
``n_urn``, successes K, draws n); stopping is safe when p < 1 − confidence (Callaghan &
Müller-Hansen 2020, Systematic Reviews 9:273, equations 1–3). The hypergeometric tail is
``scipy.stats.hypergeom`` (Boost's implementation; tests check it against exact integer tails on
a grid of cases); scipy is imported on first use, never when the CLI only shows help.

Heuristics (no statistical guarantee, shown labelled as such): the number of consecutive
excludes at the end of the ranked phase, and a SAFE-style minimum (Boetje & van de Schoot 2024:
screen at least a share of all records and stop only after a run of excludes).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass


def k_target(r_ranked: int, k: int, recall: float) -> int:
    """The fewest includes the urn must have held for recall to be below ``recall``."""
    return math.floor((r_ranked + k) / recall - r_ranked + 1e-12) + 1


def hypergeom_cdf(k: int, population: int, successes: int, draws: int) -> float:
    """P(X ≤ k), X ~ Hypergeometric(population, successes, draws), by ``scipy.stats.hypergeom``;
    0.0 for an urn that cannot hold ``successes`` (the null hypothesis cannot hold)."""
    if successes > population:
        return 0.0
    from scipy.stats import hypergeom

    return min(1.0, float(hypergeom.cdf(k, population, successes, draws)))


def p_value(n_urn: int, n_sampled: int, k: int, r_ranked: int, recall: float) -> float:
    """p-value of "recall < ``recall``" after ``n_sampled`` random draws with ``k`` includes."""
    if n_sampled == 0:
        return 1.0
    return hypergeom_cdf(k, n_urn, k_target(r_ranked, k, recall), n_sampled)


def more_needed(
    n_urn: int, n_sampled: int, k: int, r_ranked: int, recall: float, confidence: float
) -> int | None:
    """How many more random records to screen, if none of them is an include, until the test
    rejects; None when even the whole urn would not do (screen everything)."""
    alpha = 1 - confidence
    if p_value(n_urn, n_sampled, k, r_ranked, recall) < alpha:
        return 0
    if p_value(n_urn, n_urn, k, r_ranked, recall) >= alpha:
        return None
    # p falls as draws grow (k fixed): binary search
    rejects = functools.partial(_rejects, n_urn, k, r_ranked, recall, alpha)
    first = _first_rejecting(n_sampled, n_urn, rejects)
    return first - n_sampled


def _rejects(n_urn: int, k: int, r_ranked: int, recall: float, alpha: float, m: int) -> bool:
    return p_value(n_urn, m, k, r_ranked, recall) < alpha


def _first_rejecting(lo: int, hi: int, rejects: Callable[[int], bool]) -> int:
    """The smallest ``m`` in ``(lo, hi]`` with ``rejects(m)``, given ``rejects(hi)`` holds and
    ``rejects`` is monotone (false, then true)."""
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if rejects(mid):
            hi = mid
        else:
            lo = mid
    return hi


def first_rejection(
    n_urn: int, sample: Sequence[int], r_ranked: int, recall: float, confidence: float
) -> int | None:
    """The fewest records of ``sample`` (the urn's records in their random order, 1 = include)
    after which the test rejects; None when it never does.

    Between two includes ``k`` is fixed and the p-value falls as the sample grows, so each run of
    excludes is bisected: O(includes × log n) p-values instead of one per sampled record, with the
    same answer as testing after every record."""
    alpha = 1 - confidence
    includes = [m for m, x in enumerate(sample, start=1) if x]
    starts = [1, *includes]
    ends = [m - 1 for m in includes] + [len(sample)]
    for k, (first, last) in enumerate(zip(starts, ends, strict=True)):
        if last < first or p_value(n_urn, last, k, r_ranked, recall) >= alpha:
            continue
        rejects = functools.partial(_rejects, n_urn, k, r_ranked, recall, alpha)
        return _first_rejecting(first - 1, last, rejects)
    return None


@dataclass(frozen=True, slots=True)
class StopTest:
    """The test's state after a random sample (what `stopping` reports)."""

    recall_target: float
    confidence: float
    urn: int  # records unscreened when the random sample started
    ranked_includes: int  # includes found before the sample
    sampled: int  # random records screened so far
    sample_includes: int
    p_value: float
    safe_to_stop: bool
    more_to_screen: int | None  # more random records needed if none is an include

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def stop_test(
    urn: int,
    sample_labels: list[int],
    ranked_includes: int,
    recall: float = 0.95,
    confidence: float = 0.95,
) -> StopTest:
    k = sum(1 for x in sample_labels if x)
    n = len(sample_labels)
    p = p_value(urn, n, k, ranked_includes, recall)
    return StopTest(
        recall_target=recall,
        confidence=confidence,
        urn=urn,
        ranked_includes=ranked_includes,
        sampled=n,
        sample_includes=k,
        p_value=p,
        safe_to_stop=p < 1 - confidence,
        more_to_screen=more_needed(urn, n, k, ranked_includes, recall, confidence),
    )


def switch_patience(n_records: int) -> int:
    """Consecutive excludes after which a simulated reviewer starts the random sample:
    50, or 5 % of the records when that is more (a SAFE-style rule; the test's guarantee
    does not depend on when the sample starts, only its cost does)."""
    return max(50, math.ceil(0.05 * n_records))


def trailing_excludes(labels: list[int]) -> int:
    """Consecutive excludes at the end of a screening sequence."""
    n = 0
    for x in reversed(labels):
        if x:
            break
        n += 1
    return n


@dataclass(frozen=True, slots=True)
class Heuristics:
    """Heuristic stopping signals (no statistical guarantee)."""

    consecutive_excludes: int  # at the end of the ranked screening
    consecutive_excludes_rule: int  # the rule of thumb (switch_patience)
    consecutive_rule_met: bool
    safe_minimum_screened: int  # SAFE-style minimum: 10 % of the records
    safe_minimum_met: bool

    def to_json(self) -> dict[str, int | bool | str]:
        return {
            "consecutive_excludes": self.consecutive_excludes,
            "consecutive_excludes_rule": self.consecutive_excludes_rule,
            "consecutive_rule_met": self.consecutive_rule_met,
            "safe_minimum_screened": self.safe_minimum_screened,
            "safe_minimum_met": self.safe_minimum_met,
            "note": "heuristics only: no guarantee on recall",
        }


def heuristics(screened_labels: list[int], n_records: int) -> Heuristics:
    """Heuristic stopping signals (no statistical guarantee)."""
    run = trailing_excludes(screened_labels)
    patience = switch_patience(n_records)
    minimum = math.ceil(0.10 * n_records)
    return Heuristics(
        consecutive_excludes=run,
        consecutive_excludes_rule=patience,
        consecutive_rule_met=run >= patience,
        safe_minimum_screened=minimum,
        safe_minimum_met=len(screened_labels) >= minimum and run >= patience,
    )
