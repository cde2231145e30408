"""prisma.csv loads in the PRISMA2020 R package (issue 19 §7): the template's rows in its order,
no byte-order mark, no empty ``n``."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest

from review.prisma import compute_flow
from review.prisma.facts import Final, Identified
from review.prisma.formats import NO_DETAIL, TEMPLATE_HEADER, prisma_csv
from tests.helpers.prisma import example_inputs

# The `data` column of inst/extdata/PRISMA.csv in github.com/prisma-flowdiagram/PRISMA2020,
# tag v1.1.4 (the version on CRAN), read from the public file, in its order ("NA" rows are the
# title boxes). Its R/PRISMA_data.R reads total_studies_ma_text unconditionally, so a file
# without the two *_ma rows stops with "object 'total_studies_ma_text' not found".
TEMPLATE_V114_DATA = (
    "NA",
    "previous_studies",
    "previous_reports",
    "NA",
    "database_results",
    "database_specific_results",
    "register_results",
    "register_specific_results",
    "NA",
    "website_results",
    "organisation_results",
    "citations_results",
    "duplicates",
    "excluded_automatic",
    "excluded_other",
    "records_screened",
    "records_excluded",
    "dbr_sought_reports",
    "dbr_notretrieved_reports",
    "other_sought_reports",
    "other_notretrieved_reports",
    "dbr_assessed",
    "dbr_excluded",
    "other_assessed",
    "other_excluded",
    "new_studies",
    "new_reports",
    "total_studies",
    "total_reports",
    "identification",
    "screening",
    "included",
    "total_studies_ma",
    "total_reports_ma",
)


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_rows_are_the_v1_1_4_template_in_its_order() -> None:
    text = prisma_csv(compute_flow(example_inputs()))
    rows = _rows(text)
    assert tuple(rows[0]) == TEMPLATE_HEADER
    assert tuple(r[0] for r in rows[1:]) == TEMPLATE_V114_DATA
    n = {r[0]: r[7] for r in rows[1:] if r[0] != "NA"}
    assert n["total_studies_ma"] == n["total_reports_ma"] == "0"  # the app's "no meta-analysis"


def test_no_byte_order_mark_and_no_empty_n() -> None:
    text = prisma_csv(compute_flow(example_inputs()))
    assert not text.startswith("\ufeff")  # R under a non-UTF-8 locale: column "X...data"
    assert text.startswith("data,node,")
    assert all(r[7] != "" for r in _rows(text)[1:])


def test_no_registers_writes_the_apps_no_detail_marker() -> None:
    """An empty n became NA in R, and the app then switched its register detail on."""
    n = {r[0]: r[7] for r in _rows(prisma_csv(compute_flow(example_inputs())))[1:]}
    assert n["register_specific_results"] == NO_DETAIL["register_specific_results"]
    assert n["database_specific_results"].startswith("Web of Science, ")


def test_registers_are_listed_when_there_are_some() -> None:
    inp = example_inputs()
    reg = Identified("ClinicalTrials.gov", "register", "main", ("r-1", "r-2"))
    inp = replace(
        inp,
        identified=(*inp.identified, reg),
        main_clusters=(*inp.main_clusters, "r-1", "r-2"),
        title_abstract={
            **inp.title_abstract,
            "r-1": Final("exclude", "", "agreement"),
            "r-2": Final("exclude", "", "agreement"),
        },
    )
    n = {r[0]: r[7] for r in _rows(prisma_csv(compute_flow(inp)))[1:]}
    assert n["register_specific_results"] == "ClinicalTrials.gov, 2"
    assert n["register_results"] == "2"


@pytest.mark.parametrize("pending", [True, False])
def test_counts_not_final_say_so_in_the_box_text(pending: bool) -> None:
    inp = example_inputs()
    if pending:  # full text reopened: one report undecided
        cid = next(c for c, f in inp.full_text.items() if f.decision == "include")
        inp = replace(inp, full_text={**inp.full_text, cid: Final(None, "", "conflict")})
    rows = {r[0]: r for r in _rows(prisma_csv(compute_flow(inp)))[1:] if r[0] != "NA"}
    assert rows["records_screened"][4] == "Records screened"  # title/abstract is complete
    if pending:
        assert rows["dbr_assessed"][4] == "Reports assessed for eligibility (so far)"
        assert rows["total_reports"][4].endswith("(so far)")
    else:
        assert rows["dbr_assessed"][4] == "Reports assessed for eligibility"
