"""One rounding rule for every percentage (issue 19 §4): equal counts, equal percentages."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from review.chart.model import Charting
from review.chart.schema import parse_schema
from review.percent import percent, percent_text, share_text

COUNTRY_SCHEMA = {
    "fields": [{"id": "country", "label": "Country", "level": "report", "type": "country"}]
}


def _countries(counts: dict[str, int]) -> Charting:
    reports: dict[str, dict[str, object]] = {}
    for country, n in counts.items():
        for _ in range(n):
            reports[f"r{len(reports):03d}"] = {"country": country}
    return Charting(reports=reports)


def test_equal_counts_get_equal_percentages_in_the_chart_summary():
    # 92 reports: largest-remainder rounding gave Germany 2 = 2.2 % but Poland 2 = 2.1 % (and
    # Brazil 3 = 3.3 %, Canada 3 = 3.2 %): the case.
    from review.chart.summary import summarise

    counts = {
        "United States": 40, "United Kingdom": 20, "Australia": 10, "Sweden": 8, "Norway": 4,
        "Brazil": 3, "Canada": 3, "Germany": 2, "Poland": 2,
    }  # fmt: skip
    table = summarise(parse_schema(COUNTRY_SCHEMA), _countries(counts)).table("country")
    pct = {r.value: r.pct for r in table.rows}
    assert pct["Germany"] == pct["Poland"] == 2.2
    assert pct["Brazil"] == pct["Canada"] == 3.3
    assert pct["United States"] == 43.5
    assert table.denominator == 92 and "92" in table.denominator_text


def test_half_away_from_zero_in_exact_arithmetic():
    assert percent(1, 8) == 12.5
    assert percent(1, 16) == 6.3  # 6.25: half away from zero (float round() gives 6.2)
    assert percent(1, 3) == 33.3 and percent(2, 3) == 66.7
    assert percent(0, 5) == 0.0 and percent(5, 5) == 100.0
    assert percent(3, 0) is None and percent_text(3, 0) == "–"
    assert percent_text(2, 92) == "2.2"


@given(st.integers(0, 10_000), st.integers(1, 10_000))
def test_percent_is_a_function_of_the_count_alone(n, den):
    p = percent(n, den)
    assert p is not None and abs(p - 100 * n / den) <= 0.05 + 1e-9
    assert percent(n, den) == percent(n * 3, den * 3)  # same ratio, same percentage


def test_shares_follow_the_same_rule():
    assert share_text(0.9565217391304348) == "95.7"  # 88 of 92
    assert share_text(0.0625) == "6.3"  # f"{6.25:.1f}" gives 6.2
    assert share_text(1.0) == "100.0" and share_text(0.0) == "0.0"
    assert share_text(95.55) == "95.6"  # already a percentage
