"""PRISMA on the worked example's numbers: prisma.json, the PRISMA2020 CSV, the diagram files,
a golden layout, and geometric checks (no text overflows a box, no boxes overlap, arrows touch
the boxes they join). Set REVIEW_UPDATE_GOLDEN=1 to rewrite the golden layout after a
deliberate change, then look at the PNG before committing it."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from review.errors import ReviewError
from review.prisma import build_files, compute_flow, explain
from review.prisma.diagram import DiagramOptions, Measurer, compute_layout, parse_labels
from review.prisma.formats import TEMPLATE_HEADER, TEMPLATE_ROWS
from review.prisma.inputs import AgreementFacts, MethodsFacts, ResolutionFacts, ResolvedBy
from tests.helpers.prisma import FT_SPLIT, REASONS, TA_SPLIT, assert_clean_layout, example_inputs

DATA = Path(__file__).parent / "data" / "prisma"
GOLDEN = DATA / "example-layout.json"

FACTS = MethodsFacts(
    title="Parent peer advocacy",
    sources=(
        {
            "name": "Web of Science",
            "kind": "database",
            "platform": "Clarivate",
            "searched": "2022-01-10",
            "notes": "",
        },
        {
            "name": "PsycINFO",
            "kind": "database",
            "platform": "EBSCOhost",
            "searched": "2022-01-10",
            "notes": "",
        },
        {
            "name": "Grey literature",
            "kind": "website",
            "platform": "Google Scholar",
            "searched": "2022-01-17",
            "notes": "",
        },
        {
            "name": "Experts",
            "kind": "expert",
            "platform": "",
            "searched": "2022-06-01",
            "notes": "",
        },
    ),
    reviewers_per_record={"title-abstract": 2, "full-text": 2},
    reviewers_observed={"title-abstract": {2: 3794}, "full-text": {2: 155}},
    resolved={
        "title-abstract": ResolutionFacts((ResolvedBy("consensus", 61),)),
        "full-text": ResolutionFacts((ResolvedBy("consensus", 9),)),
    },
    agreement={
        "title-abstract": AgreementFacts(
            percent_agreement=0.962,
            cohen_kappa=0.71,
            kappa_ci95=(0.65, 0.77),
            kappa_method="Cohen's kappa",
        ),
        "full-text": None,
    },
)


@pytest.fixture(scope="module")
def example():
    inputs = example_inputs()
    return inputs, build_files(inputs, FACTS, DiagramOptions(title="Parent peer advocacy"))


def test_explain_count_reads_every_number_of_the_flow(example) -> None:
    """``explain_count`` (``review prisma explain``'s count) maps each prisma.json key to its
    number through the typed counts: plain counts, list rows by id or source, open counts."""
    from review.prisma.flow import explain_count

    _, build = example
    flow = build.flow
    data = json.loads(build.files["prisma.json"])["flow"]
    numbers = {k: v for k, v in data.items() if isinstance(v, int) and not isinstance(v, bool)}
    assert len(numbers) > 15
    for key, value in numbers.items():
        assert explain_count(flow, key) == value, key
    assert explain_count(flow, "identified") == data["identified_total"] == 7299
    for key in ("provisional", "open", "identified_nope", "records_excluded_by_reason"):
        assert explain_count(flow, key) is None, key
    for head in ("records", "reports", "other_reports"):
        for row in data[f"{head}_excluded_by_reason"]:
            key = f"{head}_excluded_by_reason.{row['reason']}"
            assert explain_count(flow, key) == row["n"], key
        assert explain_count(flow, f"{head}_excluded_by_reason.no-such-reason") is None
    assert explain_count(flow, "identified.grey LITERATURE") == 75  # any case, like explain
    assert explain_count(flow, "identified.nowhere") == 0
    assert explain_count(flow, "open.title_abstract") == data["open"]["title_abstract"] == 0
    assert explain_count(flow, "open.nothing") is None
    assert explain_count(flow, "dbr_excluded") == data["reports_excluded"]  # prisma2020 first


def test_example_numbers_equal_figure_1(example) -> None:
    _, build = example
    data = json.loads(build.files["prisma.json"])
    assert set(data) == {"prisma2020", "flow", "final"}
    assert set(data["prisma2020"]) <= set(data["final"]) and all(data["final"].values())
    p, f = data["prisma2020"], data["flow"]
    assert p == {
        "database_results": 7219,
        "register_results": 0,
        "website_results": 75,
        "organisation_results": 5,
        "citations_results": 0,
        "duplicates": 3500,
        "excluded_automatic": 0,
        "excluded_other": 0,
        "records_screened": 3794,
        "records_excluded": 3644,
        "dbr_sought_reports": 150,
        "dbr_notretrieved_reports": 0,
        "dbr_assessed": 150,
        "dbr_excluded": 110,
        "other_sought_reports": 5,
        "other_notretrieved_reports": 0,
        "other_assessed": 5,
        "other_excluded": 0,
        "new_studies": 24,
        "new_reports": 45,
        "total_studies": 24,
        "total_reports": 45,
    }
    main = {r["source"]: r["n"] for r in f["identified"] if r["branch"] == "main"}
    assert sum(n for s, n in main.items() if s != "Grey literature") == 7219
    assert main["Grey literature"] == 75
    assert {"source": "Grey literature", "kind": "website", "branch": "main", "n": 75} in f[
        "identified"
    ]
    assert (f["duplicates_automatic"], f["duplicates_manual"]) == (3314, 186)
    assert f["reports_included_main"] == 40 and f["reports_included_other"] == 5
    assert f["reports_included"] == 45 and f["studies_included"] == 24
    assert f["programmes_included"] == 24
    assert [r["n"] for r in f["records_excluded_by_reason"]] == list(TA_SPLIT)
    assert [r["n"] for r in f["reports_excluded_by_reason"]] == list(FT_SPLIT)
    assert [r["label"] for r in f["reports_excluded_by_reason"]] == list(REASONS.values())
    assert f["provisional"] is False
    for key in (
        "identified",
        "duplicates_automatic",
        "duplicates_manual",
        "records_screened",
        "records_excluded",
        "records_excluded_by_reason",
        "reports_sought",
        "reports_not_retrieved",
        "reports_assessed",
        "reports_excluded_by_reason",
        "other_reports_sought",
        "other_reports_not_retrieved",
        "other_reports_assessed",
        "other_reports_excluded_by_reason",
        "reports_included",
        "studies_included",
        "programmes_included",
    ):
        assert key in f, key  # the CLI.md contract


def test_explain_on_the_example(example) -> None:
    inputs, build = example
    rows = explain(build.flow, inputs, "records_excluded_by_reason.not-empirical")
    assert len(rows) == 420
    assert rows[0].why.startswith("excluded at title/abstract: Not empirical research")
    assert rows[0].title.startswith("Title of ")
    studies = explain(build.flow, inputs, "studies_included")
    assert len(studies) == 24 and studies[0].record_id == "P01"
    assert studies[0].title == "Programme 1"
    grey = explain(build.flow, inputs, "identified.Grey literature")
    assert len(grey) == 75 and grey[0].source == "Grey literature"
    manual = explain(build.flow, inputs, "duplicates_manual")
    assert len(manual) == 186 and "merged by a person" in manual[0].why


def test_prisma_csv_is_the_prisma2020_template(example) -> None:
    _, build = example
    rows = list(csv.reader(io.StringIO(build.files["prisma.csv"].decode("utf-8-sig"))))
    assert tuple(rows[0]) == TEMPLATE_HEADER
    body = rows[1:]
    assert len(body) == len(TEMPLATE_ROWS) == 34
    for got, want in zip(body, TEMPLATE_ROWS, strict=True):
        assert got[:4] == list(want[:4])  # data, node, box, description unchanged
        assert got[5:7] == list(want[5:7])  # tooltips, url unchanged
    n = {r[0]: r[7] for r in body if r[0] != "NA"}
    assert n["database_results"] == "7219"
    assert n["website_results"] == "75"
    assert n["duplicates"] == "3500"
    assert n["records_screened"] == "3794" and n["records_excluded"] == "3644"
    assert n["dbr_assessed"] == "150" and n["total_reports"] == "45"
    assert n["total_studies"] == "24"
    assert n["database_specific_results"].startswith("Web of Science, 2311; PsycINFO, 1802")
    # reasons in the package's syntax; commas inside labels would break its parser
    parts = n["dbr_excluded"].split("; ")
    assert len(parts) == 8 and all(p.count(",") == 1 for p in parts)
    assert sum(int(p.rsplit(", ", 1)[1]) for p in parts) == 110
    assert n["other_excluded"] == "0"


def test_svg_png_pdf(example) -> None:
    from defusedxml import ElementTree
    from PIL import Image

    _, build = example
    root = ElementTree.fromstring(build.files["prisma.svg"])
    assert root.tag.endswith("svg")
    assert b"<dc:date>" not in build.files["prisma.svg"]
    img = Image.open(io.BytesIO(build.files["prisma.png"]))
    assert img.format == "PNG"
    assert [round(v) for v in img.info["dpi"]] == [300, 300]
    layout = build.layout
    assert abs(img.size[0] - layout.width / 72 * 300) <= 2
    assert img.getpixel((5, 5))[:3] == (255, 255, 255)  # white background
    assert build.files["prisma.pdf"].startswith(b"%PDF")


def test_svg_text_is_editable(example) -> None:
    """Box labels are <text> elements (not glyph outlines), with a font fallback list."""
    from defusedxml import ElementTree

    _, build = example
    root = ElementTree.fromstring(build.files["prisma.svg"])
    texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Records screened (n\u00a0=\u00a03,794)" in texts
    assert any(t.startswith("Records removed before screening") for t in texts)
    assert "font-family: 'DejaVu Sans', 'Arial', 'Helvetica'" in build.files["prisma.svg"].decode()


@pytest.mark.slow  # two renders (~2.5 s); tests/test_reproducible.py checks every output
def test_svg_is_deterministic(example) -> None:
    inputs, build = example
    again = build_files(inputs, FACTS, DiagramOptions(title="Parent peer advocacy"))
    assert again.files["prisma.svg"] == build.files["prisma.svg"]
    assert again.files["prisma.pdf"] == build.files["prisma.pdf"]


def test_golden_layout(example) -> None:
    _, build = example
    got = build.layout.to_json()
    if os.environ.get("REVIEW_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert got == want


@pytest.mark.parametrize("branches", ["auto", "databases"])
@pytest.mark.parametrize("fontsize", [7.0, 8.0, 11.0])
def test_text_fits_boxes_and_nothing_overlaps(fontsize: float, branches: str) -> None:
    flow = compute_flow(example_inputs())
    layout = compute_layout(
        flow,
        DiagramOptions(
            fontsize=fontsize, branches=branches, title="A fairly long title for the diagram"
        ),
    )
    assert_clean_layout(layout)
    by_id = {b.id: b for b in layout.boxes}
    if branches == "databases":
        assert "identified_other" not in by_id and ("reports_assessed_other", "included") not in (
            layout.edges
        )


def test_main_column_arrows_are_aligned() -> None:
    layout = compute_layout(compute_flow(example_inputs()))
    by_id = {b.id: b for b in layout.boxes}
    column = [
        "identified_main",
        "records_screened",
        "reports_sought",
        "reports_assessed",
        "included",
    ]
    assert len({round(by_id[c].cx, 3) for c in column}) == 1
    sides = ["removed", "records_excluded", "reports_not_retrieved", "reports_excluded"]
    assert len({round(by_id[c].x, 3) for c in sides}) == 1


def test_a_word_wider_than_the_box_widens_the_column() -> None:
    inputs = example_inputs()
    long_reason = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3
    ft_reasons = dict(inputs.ft_reasons)
    ft_reasons["wrong-population"] = long_reason
    from dataclasses import replace

    flow = compute_flow(replace(inputs, ft_reasons=ft_reasons))
    plain = compute_layout(compute_flow(inputs))
    wide = compute_layout(flow)
    assert wide.box("reports_excluded").w > plain.box("reports_excluded").w
    m = Measurer(wide.font, wide.fontsize)
    b = wide.box("reports_excluded")
    assert all(x + m.width(t, bold) <= b.w - 2 * wide.pad + 0.01 for t, x, bold in b.lines)


def test_labels_title_and_options() -> None:
    flow = compute_flow(example_inputs())
    layout = compute_layout(
        flow,
        DiagramOptions(labels=parse_labels(["records_screened=Titles and abstracts screened"])),
    )
    assert layout.box("records_screened").lines[0][0].startswith("Titles and abstracts screened")
    with pytest.raises(ReviewError, match="Unknown --label key nonsense"):
        compute_layout(flow, DiagramOptions(labels={"nonsense": "x"}))
    with pytest.raises(ReviewError, match="write it as KEY=TEXT"):
        parse_labels(["records_screened"])
    with pytest.raises(ReviewError, match="--font 'No Such Font': no such font installed"):
        compute_layout(flow, DiagramOptions(font="No Such Font"))
    both = compute_layout(flow, DiagramOptions(branches="both"))
    assert both.box("identified_other")


def test_provisional_flow_is_drawn_with_a_note() -> None:
    from dataclasses import replace

    inputs = example_inputs()
    ta = dict(inputs.title_abstract)
    first = inputs.main_clusters[0]
    ta[first] = type(ta[first])(None, "", "conflict")
    flow = compute_flow(replace(inputs, title_abstract=ta))
    assert flow.counts.provisional is True and flow.counts.open.title_abstract == 1
    assert flow.prisma2020["records_excluded"] == 3643
    layout = compute_layout(flow)
    note = layout.box("provisional")
    assert note.lines[0][0] == "Provisional counts: 1 record undecided at title/abstract."


def test_methods_paragraph(example) -> None:
    _, build = example
    text = build.files["methods.md"].decode("utf-8")
    assert "Web of Science (via Clarivate; searched 10 January 2022; 2,311 records)" in text
    assert (
        "Grey literature (website; via Google Scholar; searched 17 January 2022; 75 records)"
        in (text)
    )
    assert "were screened together with the database records" in text
    assert "3,500 duplicates (3,314 automatically and 186 after checking by a reviewer)" in text
    assert "screened by two reviewers independently (all 3,794 records)" in text
    assert "agreement was 96.2% (Cohen's κ = 0.71, 95% CI 0.65 to 0.77)" in text
    assert (
        "resolved by consensus between the reviewers (61 records at the title and abstract stage "
        "and 9 records at the full-text stage)" in text
    )
    assert "45 reports (40 from the searches and 5 from other methods) were included" in text
    assert "describing 24 distinct programmes" in text
    assert "Provisional" not in text


def test_mermaid_has_every_box_and_arrow(example) -> None:
    _, build = example
    mmd = build.files["prisma.mmd"].decode("utf-8")
    assert mmd.splitlines()[1] == "flowchart TD"
    for b in build.layout.boxes:
        if b.role in ("main", "side"):
            assert f'    {b.id}["' in mmd
    for a, z in build.layout.edges:
        assert f"    {a} --> {z}" in mmd
    assert "Databases (n = 7,219)" in mmd
