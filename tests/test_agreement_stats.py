"""Agreement statistics checked against published worked examples and reference software.

Sources of the expected values:

- Gwet, K.L. (2014) *Handbook of Inter-Rater Reliability*, 4th ed., Advanced Analytics — the
  worked datasets ``cont3x3abstractors`` (2 raters x 3 categories, 100 subjects),
  ``distrib.6raters`` (6 psychiatrists, 15 patients, 5 diagnoses) and ``cac.raw4raters``
  (4 raters, 12 subjects, missing ratings) with the values printed in the README of Gwet's own
  R package irrCAC 1.0 (kgwet/irrCAC, README.md).
- ``cac.raw4raters`` is Krippendorff's own worked example with missing data (Krippendorff, K.
  (2011) "Computing Krippendorff's Alpha-Reliability", example C: nominal α = 0.743).
- Byrt, Bishop & Carlin (1993) "Bias, prevalence and kappa", J Clin Epidemiol 46:423-429:
  PABAK = 2·p_o − 1 for two categories; for q categories (q·p_o − 1)/(q − 1), which is
  Brennan & Prediger's (1981) coefficient (irrCAC bp2.table: 0.835 for cont3x3abstractors).
- statsmodels.stats.inter_rater.cohens_kappa (Fleiss, Cohen & Everitt 1969 standard error) and
  the ``krippendorff`` package on random tables.
"""

from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from review.screen import stats

ABSTRACTORS = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]  # Gwet (2014), cont3x3abstractors

# Gwet (2014) distrib.6raters: raters per category (Depression, Personality disorder,
# Schizophrenia, Neurosis, Other) for each of 15 patients.
SIX_RATERS = [
    (0, 0, 0, 6, 0), (0, 3, 0, 0, 3), (0, 1, 4, 0, 1), (0, 0, 0, 0, 6), (0, 3, 0, 3, 0),
    (2, 0, 4, 0, 0), (0, 0, 4, 0, 2), (2, 0, 3, 1, 0), (2, 0, 0, 4, 0), (0, 0, 0, 0, 6),
    (1, 0, 0, 5, 0), (1, 1, 0, 4, 0), (0, 3, 3, 0, 0), (1, 0, 0, 5, 0), (0, 2, 0, 3, 1),
]  # fmt: skip

# Krippendorff (2011) example C / Gwet cac.raw4raters: rows = units, columns = raters 1-4.
KRIPP = [
    (1, 1, None, 1), (2, 2, 3, 2), (3, 3, 3, 3), (3, 3, 3, 3), (2, 2, 2, 2), (1, 2, 3, 4),
    (4, 4, 4, 4), (1, 1, 2, 1), (2, 2, 2, 2), (None, 5, 5, 5), (None, None, 1, 1),
    (None, None, 3, None),
]  # fmt: skip


def _table_units(table):
    out = []
    for i, row in enumerate(table):
        for j, n in enumerate(row):
            if n:
                c = Counter({str(i): 1})
                c[str(j)] += 1
                out.append((c, n))
    return out


def _dist_units(rows):
    return [(Counter({str(k): v for k, v in enumerate(r) if v}), 1) for r in rows]


def _raw_units(rows):
    return [(Counter(str(v) for v in r if v is not None), 1) for r in rows]


def test_cohen_kappa_gwet_abstractors():
    """Gwet (2014) cont3x3abstractors: Cohen's κ = 0.7964094, SE 0.05891072, Krippendorff's
    α = 0.7972585 (irrCAC kappa2.table, krippen2.table)."""
    kappa, se = stats.cohen_kappa(ABSTRACTORS)
    assert kappa == pytest.approx(0.7964094, abs=1e-7)
    assert se == pytest.approx(0.05891072, abs=1e-8)
    assert stats.two_rater_stats(ABSTRACTORS).krippendorff_alpha == pytest.approx(
        0.7972585, abs=1e-7
    )
    assert stats.percent_agreement(ABSTRACTORS) == pytest.approx(0.89)
    lo, hi = stats.kappa_ci95(kappa, se)
    assert lo < kappa < hi


def test_pabak_byrt_and_brennan_prediger():
    """Byrt, Bishop & Carlin (1993): PABAK = 2·p_o − 1 (2 categories); q categories give
    Brennan-Prediger, 0.835 for Gwet's cont3x3abstractors (irrCAC bp2.table)."""
    assert stats.pabak(0.89, 3) == pytest.approx(0.835)
    assert stats.pabak(0.7, 2) == pytest.approx(0.4)
    r = stats.two_rater_stats(ABSTRACTORS)
    assert r.pabak == pytest.approx(0.835)


def test_gwet_ac1_two_raters_abstractors():
    """Gwet (2014) cont3x3abstractors: AC1 = 0.8493305 (irrCAC gwet.ac1.table)."""
    r = stats.gwet_ac1(_table_units(ABSTRACTORS), 3)
    assert r.ac1 == pytest.approx(0.8493305, abs=1e-7)
    assert stats.two_rater_stats(ABSTRACTORS).gwet_ac1 == pytest.approx(0.8493305, abs=1e-7)


def test_gwet_ac1_six_raters():
    """Gwet (2014) distrib.6raters: AC1 = 0.4448007, pa = 0.5511111, pe = 0.1914815."""
    r = stats.gwet_ac1(_dist_units(SIX_RATERS), 5)
    assert r.pa == pytest.approx(0.5511111, abs=1e-7)
    assert r.pe == pytest.approx(0.1914815, abs=1e-7)
    assert r.ac1 == pytest.approx(0.4448007, abs=1e-7)


def test_gwet_ac1_missing_ratings():
    """Gwet (2014) cac.raw4raters (missing ratings): AC1 = 0.77544, pa = 0.8181818,
    pe = 0.1903212 (irrCAC gwet.ac1.raw)."""
    r = stats.gwet_ac1(_raw_units(KRIPP), 5)
    assert r.pa == pytest.approx(0.8181818, abs=1e-7)
    assert r.pe == pytest.approx(0.1903212, abs=1e-7)
    assert r.ac1 == pytest.approx(0.77544, abs=1e-5)


def test_krippendorff_alpha_worked_example_with_missing_data():
    """Krippendorff (2011) example C, nominal: α = 0.743 (irrCAC krippen.alpha.raw 0.74342)."""
    alpha = stats.krippendorff_alpha_nominal(_raw_units(KRIPP))
    assert alpha == pytest.approx(0.74342, abs=1e-5)


def test_krippendorff_alpha_six_raters():
    """Gwet (2014) distrib.6raters: Krippendorff's α = 0.4204384 (irrCAC krippen.alpha.dist)."""
    alpha = stats.krippendorff_alpha_nominal(_dist_units(SIX_RATERS))
    assert alpha == pytest.approx(0.4204384, abs=1e-7)


def test_krippendorff_matches_package_on_worked_example():
    krippendorff = pytest.importorskip("krippendorff")
    np = pytest.importorskip("numpy")
    data = np.array([[np.nan if v is None else v for v in row] for row in KRIPP]).T
    ref = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert stats.krippendorff_alpha_nominal(_raw_units(KRIPP)) == pytest.approx(ref, abs=1e-9)


def test_undefined_statistics_are_none():
    # Both reviewers included everything: κ, AC1 and α are undefined/trivial; nothing divides by 0.
    table = [[10, 0], [0, 0]]
    assert stats.cohen_kappa(table) == (None, None)
    assert stats.kappa_ci95(None, None) is None
    assert stats.krippendorff_alpha_nominal(_table_units(table)) is None
    assert stats.cohen_kappa([[0, 0], [0, 0]]) == (None, None)
    assert stats.percent_agreement([[0, 0], [0, 0]]) is None
    assert stats.gwet_ac1([], 2) == stats.AC1(pa=None, pe=None, ac1=None)


tables = st.integers(min_value=2, max_value=4).flatmap(
    lambda q: st.lists(
        st.lists(st.integers(min_value=0, max_value=40), min_size=q, max_size=q),
        min_size=q,
        max_size=q,
    )
)


@settings(max_examples=60, deadline=None)
@given(tables)
def test_cohen_kappa_matches_statsmodels(table):
    """κ and its standard error equal statsmodels' cohens_kappa (Fleiss, Cohen & Everitt 1969)."""
    inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")
    kappa, se = stats.cohen_kappa(table)
    n = sum(map(sum, table))
    if kappa is None:
        return
    ref = inter_rater.cohens_kappa(table)
    assert kappa == pytest.approx(ref.kappa, abs=1e-9)
    if ref.std_kappa != ref.std_kappa:
        # statsmodels takes the square root of a variance that is 0 up to rounding (e.g.
        # [[0, 0], [1, 2]]: one rater uses one category) and gets NaN; ours clamps it to 0
        assert se == pytest.approx(0.0, abs=1e-7)
        return
    assert se == pytest.approx(ref.std_kappa, abs=1e-9)
    lo, hi = stats.kappa_ci95(kappa, se)
    # statsmodels reports the raw Wald interval; ours is clipped to κ's range [-1, 1]
    assert lo == pytest.approx(max(-1.0, ref.kappa_low), abs=1e-6)
    assert hi == pytest.approx(min(1.0, ref.kappa_upp), abs=1e-6)
    assert -1.0 <= lo <= hi <= 1.0
    assert n > 0


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.sampled_from("abc")), min_size=3, max_size=3),
        min_size=2,
        max_size=30,
    )
)
def test_krippendorff_matches_package_with_missing(rows):
    krippendorff = pytest.importorskip("krippendorff")
    np = pytest.importorskip("numpy")
    ours = stats.krippendorff_alpha_nominal(_raw_units(rows))
    values = sorted({v for r in rows for v in r if v is not None})
    pairable = sum(1 for r in rows if sum(v is not None for v in r) >= 2)
    if ours is None:
        return
    assert pairable > 0 and len(values) >= 2
    code = {v: i for i, v in enumerate(values)}
    data = np.array([[np.nan if v is None else code[v] for v in r] for r in rows], float).T
    ref = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert math.isclose(ours, ref, abs_tol=1e-9)
