"""How good is a screening order? Work saved over sampling (WSS), relevant records found (RRF).

Every function takes ``labels``: the 0/1 labels in the order the records were screened (the
whole order, priors first). Definitions (Cohen et al. 2006; as ASReview reports them):

- records to reach recall r: the smallest k such that the first k records hold at least
  ⌈r · n_included⌉ includes;
- WSS@r = (N − records to reach r) / N − (1 − r)  (0 for random order on average);
- RRF@p = includes among the first ⌈p · N⌉ records / n_included;
- screened to find all = the position of the last include.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass


def records_to_recall(labels: Sequence[int], recall: float) -> int:
    """How many records (from the start) must be read to find ``recall`` of the includes."""
    total = sum(1 for x in labels if x)
    if total == 0:
        raise ValueError("no included record: recall is undefined")
    need = math.ceil(recall * total - 1e-9)
    found = 0
    for k, x in enumerate(labels, start=1):
        if x:
            found += 1
            if found >= need:
                return k
    raise AssertionError("unreachable: the includes were counted above")


def wss(labels: Sequence[int], recall: float) -> float:
    """Work saved over sampling at ``recall``."""
    n = len(labels)
    return (n - records_to_recall(labels, recall)) / n - (1 - recall)


def rrf(labels: Sequence[int], percent: float) -> float:
    """Share of the includes found in the first ``percent`` % of the records."""
    total = sum(1 for x in labels if x)
    if total == 0:
        raise ValueError("no included record: RRF is undefined")
    k = math.ceil(percent / 100 * len(labels) - 1e-9)
    return sum(1 for x in labels[:k] if x) / total


def recall_curve(labels: Sequence[int]) -> list[float]:
    """Recall after each record read (``curve[k-1]`` = recall after k records)."""
    total = sum(1 for x in labels if x) or 1
    out, found = [], 0
    for x in labels:
        found += 1 if x else 0
        out.append(found / total)
    return out


@dataclass(frozen=True, slots=True)
class OrderMetrics:
    """The figures of one screening order (the first keys of ``metrics.json``)."""

    n_records: int
    n_included: int
    wss95: float  # rounded to 4 decimals, like wss100 and rrf10
    wss100: float
    rrf10: float
    screened_to_find_95: int
    screened_to_find_all: int

    def to_json(self) -> dict[str, float | int]:
        return asdict(self)  # the fields in their order, as metrics.json lists them


def summary(labels: Sequence[int]) -> OrderMetrics:
    """The ``metrics.json`` figures of one order."""
    return OrderMetrics(
        n_records=len(labels),
        n_included=sum(1 for x in labels if x),
        wss95=round(wss(labels, 0.95), 4),
        wss100=round(wss(labels, 1.0), 4),
        rrf10=round(rrf(labels, 10), 4),
        screened_to_find_95=records_to_recall(labels, 0.95),
        screened_to_find_all=records_to_recall(labels, 1.0),
    )
