"""One rounding rule for every percentage a table shows.

A percentage is ``100 * n / denominator`` rounded half away from zero to one decimal, each cell
on its own: equal counts always get equal percentages (no largest-remainder adjustment), so a
column may add up to 99.9 or 100.1. Tables print their denominator (``n = 92``) and say so;
multi-valued fields say their percentages sum to more than 100 %. docs/charting.md states the
rule for readers. Integer arithmetic: no binary-float surprises at the half (2.25 → 2.3).
"""

from __future__ import annotations

RULE = (
    "Percentages are rounded half away from zero to one decimal, each on its own: equal counts "
    "give equal percentages, so a column may not add up to exactly 100."
)


def percent(n: int, denominator: int) -> float | None:
    """``100 * n / denominator`` to one decimal, half away from zero; None when nothing to divide."""
    if denominator <= 0:
        return None
    sign = -1 if (n < 0) != (denominator < 0) else 1
    num, den = abs(n) * 1000, abs(denominator)
    tenths = (2 * num + den) // (2 * den)  # round half up on the absolute value
    return sign * tenths / 10


def share_text(share: float) -> str:
    """A statistic already computed as a share (agreement 0.956) as a percentage text with one
    decimal ("95.6"), half away from zero like :func:`percent`; values above 1 are taken as
    percentages already."""
    from decimal import ROUND_HALF_UP, Decimal

    value = Decimal(repr(share)) * (100 if share <= 1 else 1)
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}"


def percent_text(n: int, denominator: int) -> str:
    """:func:`percent` as text with one decimal ("2.2"); "–" when the denominator is 0."""
    p = percent(n, denominator)
    return "–" if p is None else f"{p:.1f}"
