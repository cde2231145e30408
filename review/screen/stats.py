"""Inter-rater agreement statistics, pure Python (fast enough for 100k records; no numpy).

All functions take counts, so callers group identical rating patterns first.

- Cohen's κ (Cohen 1960) with the large-sample standard error of Fleiss, Cohen & Everitt (1969),
  the one ``statsmodels.stats.inter_rater.cohens_kappa`` reports; 95% CI = κ ± 1.96·SE.
- PABAK (Byrt, Bishop & Carlin 1993): ``(q·p_o − 1)/(q − 1)``; with two categories ``2·p_o − 1``.
- Gwet's AC1 (Gwet 2008; Handbook of Inter-Rater Reliability, 4th ed., 2014): chance agreement
  ``p_e = Σ π_k(1 − π_k)/(q − 1)``; the multi-rater form with missing ratings.
- Krippendorff's α, nominal (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"):
  coincidence matrix over pairable values; any number of raters, missing values allowed.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

Z95 = 1.959963984540054


def confusion(pairs: Iterable[tuple[str, str]], categories: Sequence[str]) -> list[list[int]]:
    """Square table: rows = first rater's category, columns = second rater's."""
    index = {c: i for i, c in enumerate(categories)}
    q = len(categories)
    table = [[0] * q for _ in range(q)]
    for (a, b), n in Counter(pairs).items():
        table[index[a]][index[b]] += n
    return table


def percent_agreement(table: Sequence[Sequence[float]]) -> float | None:
    n = sum(map(sum, table))
    if n == 0:
        return None
    return sum(table[i][i] for i in range(len(table))) / n


def cohen_kappa(table: Sequence[Sequence[float]]) -> tuple[float | None, float | None]:
    """(κ, standard error) for a two-rater square table; (None, None) when undefined.

    κ is undefined when chance agreement is 1 (both raters used one and the same category for
    every record).
    """
    n = float(sum(map(sum, table)))
    q = len(table)
    if n == 0:
        return None, None
    p = [[table[i][j] / n for j in range(q)] for i in range(q)]
    row = [sum(p[i]) for i in range(q)]
    col = [sum(p[i][j] for i in range(q)) for j in range(q)]
    po = sum(p[i][i] for i in range(q))
    pe = sum(row[i] * col[i] for i in range(q))
    if pe >= 1.0 - 1e-12:
        return None, None
    kappa = (po - pe) / (1 - pe)
    # Fleiss, Cohen & Everitt (1969), eq. (13): asymptotic variance of κ (not under H0).
    term_a = sum(p[i][i] * (1 - (row[i] + col[i]) * (1 - kappa)) ** 2 for i in range(q))
    term_b = (1 - kappa) ** 2 * sum(
        p[i][j] * (col[i] + row[j]) ** 2 for i in range(q) for j in range(q) if i != j
    )
    term_c = (kappa - pe * (1 - kappa)) ** 2
    var = (term_a + term_b - term_c) / (1 - pe) ** 2 / n
    return kappa, math.sqrt(max(var, 0.0))


def kappa_ci95(kappa: float | None, se: float | None) -> list[float] | None:
    """Wald 95% interval κ ± 1.96·SE, clipped to κ's range [-1, 1] (small samples overshoot)."""
    if kappa is None or se is None:
        return None
    return [max(-1.0, kappa - Z95 * se), min(1.0, kappa + Z95 * se)]


def pabak(po: float | None, q: int) -> float | None:
    """Prevalence- and bias-adjusted κ for ``q`` categories (Byrt, Bishop & Carlin 1993)."""
    if po is None or q < 2:
        return None
    return (q * po - 1) / (q - 1)


@dataclass(frozen=True, slots=True)
class AC1:
    """Gwet's AC1 with its observed (``pa``) and chance (``pe``) agreement; None when undefined."""

    pa: float | None
    pe: float | None
    ac1: float | None

    def to_json(self) -> dict[str, float | None]:
        return {"pa": self.pa, "pe": self.pe, "ac1": self.ac1}


def gwet_ac1(units: Iterable[tuple[Counter[str] | dict[str, int], int]], q: int) -> AC1:
    """Gwet's AC1 for any number of raters, missing ratings allowed.

    ``units`` yields ``(counts, weight)``: ``counts`` maps category -> raters choosing it for
    one record (a rating pattern), ``weight`` how many records share that pattern. ``q`` is the
    number of categories of the rating scale. Returns :class:`AC1` (values None when
    undefined). Records with one rating count towards the category shares π only (Gwet 2014).
    """
    n_units = 0  # records with at least one rating
    n_pairable = 0  # records with two or more
    pa_sum = 0.0
    pi: defaultdict[str, float] = defaultdict(float)  # category shares: fractions of raters
    for counts, w in units:
        r = sum(counts.values())
        if r == 0:
            continue
        n_units += w
        for k, rk in counts.items():
            pi[k] += w * rk / r
        if r >= 2:
            n_pairable += w
            pa_sum += w * sum(rk * (rk - 1) for rk in counts.values()) / (r * (r - 1))
    if n_pairable == 0 or q < 2:
        return AC1(None, None, None)
    pa = pa_sum / n_pairable
    pe = sum((v / n_units) * (1 - v / n_units) for v in pi.values()) / (q - 1)
    ac1 = None if pe >= 1.0 - 1e-12 else (pa - pe) / (1 - pe)
    return AC1(pa, pe, ac1)


def krippendorff_alpha_nominal(
    units: Iterable[tuple[Counter[str] | dict[str, int], int]],
) -> float | None:
    """Krippendorff's α for nominal data from rating patterns ``(counts, weight)``.

    Units with fewer than two values are not pairable and are left out (Krippendorff 2011).
    Returns None when α is undefined (no pairable values, or only one category was ever used).
    """
    o: defaultdict[tuple[str, str], float] = defaultdict(float)  # coincidences, off-diagonal
    n_c: Counter[str] = Counter()
    for counts, w in units:
        m = sum(counts.values())
        if m < 2:
            continue
        for c, nc in counts.items():
            n_c[c] += w * nc
            for k, nk in counts.items():
                if k != c:
                    o[(c, k)] += w * nc * nk / (m - 1)
    n = sum(n_c.values())
    if n < 2:
        return None
    d_o = sum(o.values())
    d_e = sum(n_c[c] * n_c[k] for c in n_c for k in n_c if c != k)
    if d_e == 0:
        return None
    return 1.0 - (n - 1) * d_o / d_e


@dataclass(frozen=True, slots=True)
class RaterStats:
    """Every statistic for one pair of raters (:func:`two_rater_stats`); None when undefined."""

    n: int
    agreements: int
    disagreements: int
    percent_agreement: float | None
    cohen_kappa: float | None
    kappa_se: float | None
    kappa_ci95: tuple[float, float] | None
    pabak: float | None
    gwet_ac1: float | None
    krippendorff_alpha: float | None

    def to_json(self) -> dict[str, int | float | list[float] | None]:
        return statistics_json(self)


def statistics_json(obj: object, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """A frozen statistics dataclass as JSON, field by field in declaration order (tuples such
    as a confidence interval or the categories become lists)."""
    out: dict[str, Any] = {}
    for f in fields(obj):  # type: ignore[arg-type]
        if f.name not in leave_out:
            value = getattr(obj, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
    return out


def two_rater_stats(table: Sequence[Sequence[int]]) -> RaterStats:
    """Every statistic for one pair of raters from their square table (scale categories)."""
    q = len(table)
    n = int(sum(map(sum, table)))
    po = percent_agreement(table)
    kappa, se = cohen_kappa(table)
    patterns = []
    for i in range(q):
        for j in range(q):
            if table[i][j]:
                counts: Counter[str] = Counter({str(i): 1})
                counts[str(j)] += 1
                patterns.append((counts, table[i][j]))
    ac1 = gwet_ac1(patterns, q)
    alpha = krippendorff_alpha_nominal(patterns)
    agreements = int(sum(table[i][i] for i in range(q)))
    ci = kappa_ci95(kappa, se)
    return RaterStats(
        n=n,
        agreements=agreements,
        disagreements=n - agreements,
        percent_agreement=po,
        cohen_kappa=kappa,
        kappa_se=se,
        kappa_ci95=(ci[0], ci[1]) if ci is not None else None,
        pabak=pabak(po, q),
        gwet_ac1=ac1.ac1,
        krippendorff_alpha=alpha,
    )
