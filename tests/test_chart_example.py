"""Golden test: the worked example's charting reproduces every count the review publishes."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from review.chart.schema import load_schema
from review.chart.summary import MULTI_NOTE, NOT_REPORTED, summarise
from tests.helpers.paths import REPO_ROOT

EXAMPLE = REPO_ROOT / "scripts" / "example_charting.yaml"
SCHEMA = REPO_ROOT / "extraction_schema.yaml"


def _example_module():
    """scripts/example_charting.py (example-only code, outside the library)."""
    name = "example_charting"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "scripts" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


load_example = _example_module().load_example

# Saar-Heiman et al. (2024): the numbers in the text (see ../shared/reference/example-review.md).
PUBLISHED = {
    "setting": {
        "Child welfare and protection programme": 13,
        "Court-based multidisciplinary legal representation": 5,
        "Family or dependency court programme": 2,
        "CP and substance misuse programme": 2,
        "CP and mental health programme": 1,
        "CP and parental cognitive disability programme": 1,
        "Regional system-level initiative": 2,
    },
    "expected_outcomes": {
        "Family case outcomes": 16,
        "Parents' engagement with services": 11,
        "Child well-being": 9,
        "Parent well-being": 6,
        "Empowerment of parent advocates": 6,
        "Organisational and system-level change": 4,
    },
    "forms": {
        "One-on-one peer advocacy": 19,
        "Parent support groups": 7,
        "Activism and system-level advocacy": 5,
        "Brief educational group sessions": 2,
    },
    "support_group_role": {"Yes": 3, "No": 4},
    "theoretical_framework": {
        "Empowerment and strengths-based": 15,
        "Mutual aid and social network": 9,
        "Critical theories": 5,
    },
    "publication_type": {
        "Peer-reviewed journal article": 32,
        "Evaluation report": 8,
        "PhD dissertation": 4,
        "Non-academic journal": 1,
    },
    "country": {"United States": 41, "Canada": 2, "Australia": 1, "United Kingdom": 1},
    "research_method": {"Qualitative": 20, "Quantitative": 16, "Mixed methods": 9},
    "quantitative_design": {
        "Randomised controlled trial": 3,
        "Comparison design": 8,
        "Cross-sectional": 3,
        "Longitudinal": 3,
        "Quasi-experimental": 7,
        "Matched-control trial": 1,
    },
    "perspective": {
        "Parents receiving services": 20,
        "Parent peer advocates": 17,
        "Non-peer professional staff": 11,
        "Community stakeholders": 6,
    },
    "earlier_reviews": {
        "Acri et al. 2021 only": 4,
        "Both Acri 2021 and Saeteurn 2022": 4,
        "Neither": 37,
    },
}


@pytest.fixture(scope="module")
def example():
    return load_example(EXAMPLE)


@pytest.fixture(scope="module")
def summary(example):
    return summarise(load_schema(SCHEMA), example.charting())


def test_example_has_45_reports_24_programmes_5_expert(example, summary):
    assert len(example.reports) == 45
    assert len({r.key for r in example.reports}) == 45
    assert len(example.programmes) == 24
    assert sum(r.source == "expert" for r in example.reports) == 5
    assert summary.n_reports == 45 and summary.n_units == 24
    assert summary.unlinked_reports == () and summary.unused_units == ()
    assert summary.unknown_links == ()


@pytest.mark.parametrize("field_id", sorted(PUBLISHED))
def test_published_counts(summary, field_id):
    assert summary.counts(field_id) == PUBLISHED[field_id]


def test_denominators_and_multi_notes(summary):
    assert summary.table("setting").denominator == 24
    assert summary.table("setting").note == MULTI_NOTE
    assert sum(summary.counts("setting").values()) == 26  # 26 over 24: multi-valued
    assert summary.table("country").denominator == 45
    assert summary.table("country").note == ""
    assert summary.table("quantitative_design").denominator == 25  # quantitative + mixed
    qual = summary.counts("qualitative_data_collection")
    assert summary.table("qualitative_data_collection").denominator == 29
    assert qual["Semi-structured interviews"] == 29 and qual["Focus groups"] == 9


def test_single_valued_percentages_follow_the_one_rule(summary):
    from review.percent import percent

    for table in summary.frequencies:
        for r in table.rows:  # each cell on its own: equal counts, equal percentages
            assert r.pct == percent(r.n, table.denominator), (table.field_id, r.value)
        if table.multi:
            continue
        assert sum(r.n for r in table.rows) == table.denominator, table.field_id
        # rounded cell by cell: the column may miss 100 by at most 0.05 per row
        assert abs(sum(r.pct for r in table.rows) - 100) <= 0.05 * len(table.rows) + 1e-9


def test_programme_counts_once_reports_column(summary):
    setting = {r.value: r for r in summary.table("setting").rows}
    cw = setting["Child welfare and protection programme"]
    assert cw.n == 13 and cw.reports is not None and cw.reports > cw.n
    # Contra Costa: two reports, one programme.
    row = next(r for r in summary.overview if r["unit_id"] == "contra-costa-pp")
    assert row["n_reports"] == 2
    assert NOT_REPORTED not in summary.counts("setting")


def test_crosstab_and_gap_map_totals(summary):
    gap = summary.gap_map
    assert gap is not None and gap.row_field == "setting"
    assert gap.row_totals == tuple(PUBLISHED["setting"].values())
    for i in range(len(gap.rows)):
        assert max(gap.counts[i]) <= gap.row_totals[i]
    theory = next(c for c in summary.crosstabs if c.col_field == "theoretical_framework")
    assert theory.col_totals[:3] == (15, 9, 5)  # the published counts
    # the two court-based programmes with no framework are a "Not reported" column, so the
    # row adds up (2 + 0 + 1 + 2 = 5) instead of silently showing 3 of 5
    assert theory.cols[-1] == NOT_REPORTED and theory.col_totals[-1] == 2
    court = theory.rows.index("Court-based multidisciplinary legal representation")
    assert theory.counts[court] == (2, 0, 1, 2) and theory.row_totals[court] == 5
    # the gap map leaves out the programmes with no outcome found, and says so
    shown = gap.shown()
    assert NOT_REPORTED not in shown.cols and shown.n == 24
    assert shown.left_out == "2 programmes with no Outcomes found"


def test_named_publications_keep_real_first_authors(example):
    by_key = {r.key: r for r in example.reports}
    assert by_key["berrick-cohen-2011"].authors[:2] == ("Berrick, Jill Duerr", "Cohen, Elizabeth")
    assert by_key["berrick-young-2011"].authors[1].startswith("Young,")
    assert by_key["acri-hamovitch-2021"].authors[1].startswith("Hamovitch,")
    assert by_key["lalayants-baier-2015"].values["sample_size"] == 29
    assert all(len(a.split(",")) == 2 or "," not in a for r in example.reports for a in r.authors)
    assert sum(r.invented for r in example.reports) == 7
    assert len(example.invented_programmes) == 3
