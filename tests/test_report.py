"""`review report` and `review report checklist`: the offline HTML report and the PRISMA-ScR
checklist. Fast tests use an empty project and the PRISMA example inputs; the demo's report is
checked once (session fixture `demo_run`) and opened in headless Chromium when one is installed."""

from __future__ import annotations

import base64
import gzip
import json
import re
import shutil
from html import unescape
from pathlib import Path

import pytest
from typer.testing import CliRunner

from review.cli import app
from tests.helpers.paths import REPO_ROOT

HAS_EXAMPLE = (REPO_ROOT / "data" / "searches").is_dir()
N_RE = re.compile(r"\(n[\s\u00a0]=[\s\u00a0]([\d,]+)\)")


# ---- PRISMA diagram: every count is a link to its records --------------------------------------


@pytest.fixture(scope="module")
def example_flow():
    from review.prisma import compute_flow
    from tests.helpers.prisma import example_inputs

    inputs = example_inputs()
    return inputs, compute_flow(inputs)


def test_every_count_in_the_diagram_links_to_exactly_its_records(example_flow) -> None:
    from defusedxml import ElementTree

    from review.prisma import explain
    from review.prisma.diagram import DiagramOptions, compute_layout, merged_labels
    from review.report.svg import prisma_svg

    inputs, flow = example_flow
    layout = compute_layout(flow, DiagramOptions())
    svg = prisma_svg(layout, flow, merged_labels(DiagramOptions()))
    root = ElementTree.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    counts = [g for g in root.iter(f"{ns}g") if g.get("class") == "count"]
    for g in counts:
        text = " ".join(t.text or "" for t in g.iter(f"{ns}text"))
        shown = int(N_RE.search(text).group(1).replace(",", ""))
        rows = {
            r.record_id for k in json.loads(g.get("data-keys")) for r in explain(flow, inputs, k)
        }
        assert len(rows) == shown, (g.get("data-label"), shown, len(rows))
    # every "(n = …)" on the diagram is inside a count link
    all_counts = [t for t in root.iter(f"{ns}text") if "(n\u00a0=" in (t.text or "")]
    inside = [t for g in counts for t in g.iter(f"{ns}text") if "(n\u00a0=" in (t.text or "")]
    assert len(all_counts) == len(inside) >= 30
    labels = {g.get("data-label") for g in counts}
    assert "Records screened (n = 3,794)" in labels
    # the box texts are real <text> elements
    assert any((t.text or "").startswith("Records excluded") for t in root.iter(f"{ns}text"))


SVG_NS = "{http://www.w3.org/2000/svg}"


def _drawing(root) -> list[tuple[str, ...]]:
    """What an SVG draws: each text (place, style, words) and each path (shape, style)."""
    texts = [(t.get("x"), t.get("y"), t.get("style"), t.text) for t in root.iter(f"{SVG_NS}text")]
    paths = [(" ".join(p.get("d").split()), p.get("style")) for p in root.iter(f"{SVG_NS}path")]
    return [("text", *(x or "" for x in t)) for t in texts] + [
        ("path", *(x or "" for x in p)) for p in paths
    ]


def test_report_diagram_is_the_drawing_of_prisma_svg(example_flow) -> None:
    """One PRISMA renderer (issue 24): the report decorates prisma.svg's own drawing with links,
    so every text, box and arrow is the file's, at the same place in the same style."""
    from defusedxml import ElementTree

    from review.prisma.diagram import DiagramOptions, compute_layout, merged_labels
    from review.prisma.render import render_bytes
    from review.report.svg import prisma_svg

    _inputs, flow = example_flow
    layout = compute_layout(flow, DiagramOptions())
    file_svg = ElementTree.fromstring(render_bytes(layout, ("svg",))["svg"])
    report_svg = ElementTree.fromstring(prisma_svg(layout, flow, merged_labels(DiagramOptions())))
    assert _drawing(report_svg) == _drawing(file_svg)  # in the same order, too
    assert len(_drawing(file_svg)) > 80


def test_report_gap_map_is_the_drawing_of_gap_map_svg() -> None:
    """One gap-map renderer (issue 24): the report's map is gap-map.svg's drawing, each
    non-empty cell (its bubble and its count) wrapped in a focusable g.cell."""
    from defusedxml import ElementTree

    from review.chart.outputs import render_gap_map
    from review.chart.summary import CrossTab
    from review.report.charting_view import GapMapView
    from review.report.svg import gap_map_svg

    ct = CrossTab("a", "b", "Setting", "Outcome", ("Home", "Court", "Not reported"), ("X", "Y"),
                  ((3, 0), (1, 5), (2, 0)), (3, 6, 2), (6, 5), 11, blank_rows=1).shown()  # fmt: skip
    gap = GapMapView.of(ct, left_out=ct.left_out, n_left_out=ct.n_left_out)
    ns = SVG_NS

    file_svg = ElementTree.fromstring(render_gap_map(ct, ("svg",))["svg"])
    report_svg = ElementTree.fromstring(gap_map_svg(gap))
    assert sorted(_drawing(report_svg)) == sorted(_drawing(file_svg))  # cells regroup them
    cells = [g for g in report_svg.iter(f"{ns}g") if g.get("class") == "cell"]
    got = [(g.get("data-row"), g.get("data-col"), g.get("data-n"), [t.text for t in g.iter(f"{ns}text")],
            len(list(g.iter(f"{ns}path")))) for g in cells]  # fmt: skip
    assert got == [("0", "0", "3", ["3"], 1), ("1", "0", "1", ["1"], 1), ("1", "1", "5", ["5"], 1)]
    assert "2 reports with no Setting not shown" in " ".join(
        t.text or "" for t in report_svg.iter(f"{ns}text")
    )


def test_explain_blob_round_trips_every_key(example_flow) -> None:
    from review.prisma import explain
    from review.report.data import explain_blob

    inputs, flow = example_flow
    blob = explain_blob(flow, inputs)
    assert blob == explain_blob(flow, inputs)  # deterministic
    table = json.loads(gzip.decompress(base64.b64decode(blob)))
    for key in flow.keys():
        v = table["keys"][key]
        while isinstance(v, str):
            v = table["keys"][v]
        got = [(table["records"][i][0], table["whys"][w]) for i, w in v]
        assert got == [(r.record_id, r.why) for r in explain(flow, inputs, key)], key


# ---- an empty project still gets a report; the checklist ---------------------------------------


def test_report_of_an_empty_project_says_what_to_run(project) -> None:
    result = CliRunner().invoke(app, ["report", "--project", str(project.root)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Wrote outputs/report.html (")
    html = (project.root / "outputs" / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "No flow diagram yet" in html
    assert "run `review dedup`" in html.replace("&#96;", "`")
    _assert_offline(html)


def test_screening_section_of_one_screened_stage(project) -> None:
    """Title-abstract screened by two reviewers, full text not yet: typed stage views, and the
    page shows the agreement, the one disagreement and "Not screened yet."."""
    from review.report.data import DisagreementView, ScreenerDecision, collect
    from review.report.html import render
    from tests.helpers.screen import decide, make_clusters

    make_clusters(project, 4)
    for cid in ("r1", "r2", "r3", "r4"):
        decide(project, "Ana", cid, "include" if cid == "r1" else "exclude")
        decide(project, "Ben", cid, "include" if cid in ("r1", "r2") else "exclude", note="why")
    data = collect(project)
    assert data.screening.data is not None and data.screening.missing == ""
    ta, ft = data.screening.data.stages
    assert (ta.stage, ta.screened, ft.stage, ft.screened) == (
        "title-abstract", True, "full-text", False,
    )  # fmt: skip
    assert ta.agreement is not None and ta.agreement.reviewers == ("Ana", "Ben")
    assert ta.agreement.stats.disagreements == 1 and ft.disagreements == ()
    assert ta.disagreements == (
        DisagreementView(
            "r2", "Title 2",
            (ScreenerDecision("Ana", "exclude", "", ""), ScreenerDecision("Ben", "include", "", "why")),
            None,
        ),
    )  # fmt: skip
    assert ta.csv == "outputs/screening/title-abstract-disagreements.csv"
    page = render(data)
    assert "Not screened yet." in page and '<td class="id">r2</td><td>Title 2</td>' in page
    assert "<td>Ana, Ben</td>" in page and "<td>3 / 1 (75.0% agreement)</td>" in page


def test_a_long_disagreement_list_is_cut_and_says_where_the_rest_is(project, monkeypatch) -> None:
    """10,000 disagreements (a 100k-record review) made a 3 MB screening section: the report
    lists the first DISAGREEMENTS_SHOWN and names the file holding all of them."""
    import review.report.data as data_mod
    from review.report.html import render
    from tests.helpers.screen import decide, make_clusters

    make_clusters(project, 4)
    for cid in ("r1", "r2", "r3", "r4"):
        decide(project, "Ana", cid, "include" if cid == "r1" else "exclude")
        decide(project, "Ben", cid, "exclude" if cid == "r1" else "include")
    monkeypatch.setattr(data_mod, "DISAGREEMENTS_SHOWN", 2)
    data = data_mod.collect(project)
    assert data.screening.data is not None
    ta = data.screening.data.stages[0]
    assert [d.record_id for d in ta.disagreements] == ["r1", "r2"] and ta.not_shown == 2
    page = render(data)
    assert '<td class="id">r2</td>' in page and '<td class="id">r3</td>' not in page
    assert "The first 2 of 4 disagreements; every one is in <code>outputs/screening/" in page


def test_report_output_option_and_json(project, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere" / "r.html"
    result = CliRunner().invoke(
        app, ["report", "-o", str(out), "--json", "--project", str(project.root)]
    )
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert got == {"path": str(out), "bytes": out.stat().st_size}


def test_checklist_items_and_prefilled_files(project) -> None:
    from openpyxl import load_workbook

    from review.report.checklist import ITEMS

    assert [i.number for i in ITEMS] == list(range(1, 23))
    assert [i.number for i in ITEMS if i.optional] == [12, 16]
    assert ITEMS[8].topic.startswith("Selection of sources of evidence")
    assert ITEMS[9].text.startswith("Describe the methods of charting data")

    result = CliRunner().invoke(
        app, ["report", "checklist", "--json", "--project", str(project.root)]
    )
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert [r["item"] for r in got["items"]] == list(range(1, 23))
    filled = {r["item"]: r["files"] for r in got["items"] if r["where"]}
    # a fresh project has its protocol and charting schema, nothing else
    assert filled == {
        5: ["protocols/protocol.yaml"],
        6: ["protocols/protocol.yaml"],
        7: ["protocols/protocol.yaml"],
        10: ["extraction_schema.yaml"],
        11: ["extraction_schema.yaml"],
    }
    xlsx = project.root / "outputs" / "report" / "prisma-scr.xlsx"
    md = xlsx.with_suffix(".md")
    ws = load_workbook(xlsx).active
    rows = [r for r in ws.iter_rows(min_row=3, values_only=True) if isinstance(r[1], int)]
    assert [r[1] for r in rows] == list(range(1, 23))
    assert rows[0][3] == "Identify the report as a scoping review."
    assert all(r[6] in (None, "") for r in rows)  # page numbers are the authors'
    text = md.read_text(encoding="utf-8")
    assert (
        "| TITLE | 1 | Title | Identify the report as a scoping review. | essential |  |  |" in text
    )
    assert "Ann Intern Med. 2018;169(7):467-473" in text


def test_checklist_refuses_a_non_xlsx_name(project) -> None:
    result = CliRunner().invoke(
        app, ["report", "checklist", "-o", "list.csv", "--project", str(project.root)]
    )
    assert result.exit_code == 1
    assert result.stderr == "Error: list.csv: the checklist is an Excel workbook; name it *.xlsx.\n"


def _assert_offline(html: str) -> None:
    """No external resource: no src/href to http(s), no @import/url() to the network."""
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)
    assert "@import" not in html
    assert "default-src 'none'" in html  # the page's CSP forbids any fetch


# ---- the demo's report -------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(not HAS_EXAMPLE, reason="no example data in this checkout")
def test_demo_report_numbers_size_and_links(demo_run) -> None:
    root, result = demo_run.root, demo_run
    path = root / "outputs" / "report.html"
    assert f"Report: {path}" in result.stdout.replace("\n", "")
    html = path.read_text(encoding="utf-8")
    assert len(html.encode("utf-8")) < 2_000_000
    _assert_offline(html)
    prisma = json.loads((root / "outputs" / "prisma" / "prisma.json").read_text(encoding="utf-8"))
    shown = _diagram_counts(html)
    p, f = prisma["prisma2020"], prisma["flow"]
    assert shown["records_screened"] == p["records_screened"] == 3794
    assert shown["records_excluded"] == p["records_excluded"]
    assert shown["duplicates"] == p["duplicates"]
    assert shown["duplicates_automatic"] == f["duplicates_automatic"]
    assert shown["reports_assessed"] == p["dbr_assessed"]
    assert shown["reports_excluded"] == p["dbr_excluded"]
    assert shown["other_reports_assessed"] == p["other_assessed"]
    assert shown["reports_included"] == p["total_reports"]
    assert shown["studies_included"] == p["total_studies"]
    for row in f["records_excluded_by_reason"]:
        assert shown[f"records_excluded_by_reason.{row['reason']}"] == row["n"]
    for row in f["identified"]:
        assert shown[f"identified.{row['source']}"] == row["n"]
    # the checklist's pre-filled cells name files that exist
    md = (root / "outputs" / "report" / "prisma-scr.md").read_text(encoding="utf-8")
    for rel in re.findall(r"((?:outputs|protocols|data)/[\w./-]+|extraction_schema\.yaml)", md):
        assert (root / rel.split("#")[0]).is_file(), rel
    assert "outputs/prisma/prisma.svg" in md and "outputs/report.html#screening" in md


def _diagram_counts(html: str) -> dict[str, int]:
    """{explain key (several keys joined by space): the number shown} from the report's SVG."""
    out = {}
    for keys, body in re.findall(r'<g class="count"[^>]*data-keys="([^"]+)"[^>]*>(.*?)</g>', html):
        text = re.sub(r"<title>.*?</title>", "", body)
        m = N_RE.search(re.sub(r"<[^>]+>", " ", text))
        assert m, keys
        out[" + ".join(json.loads(unescape(keys)))] = int(m.group(1).replace(",", ""))
    return out


# ---- in a real browser -------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def chromium_driver(profile: str):
    """Headless Chromium through chromedriver, with the network cut off, logging the console."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1280,1000",
        "--hide-scrollbars",
        # no network at all: every host unresolvable, every connection through a dead proxy
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=http://127.0.0.1:9",
    ):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    return driver


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("no Chromium/chromedriver installed (apt-get install chromium chromium-driver)")
    pytest.importorskip("selenium.webdriver")
    driver = chromium_driver(str(tmp_path_factory.mktemp("chromium-profile")))
    yield driver
    driver.quit()


@pytest.mark.slow
@pytest.mark.skipif(not HAS_EXAMPLE, reason="no example data in this checkout")
def test_demo_report_in_headless_chromium(demo_run, browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    root = demo_run.root
    path = root / "outputs" / "report.html"
    # renders in < 1 s (navigation start to the load event, scripts included); the browser is
    # warmed up on a blank page first, and the best of three loads counts (shared CI machines)
    browser.get("about:blank")
    timings = []
    for _ in range(3):
        browser.get(path.resolve().as_uri())
        timings.append(
            browser.execute_script(
                "return performance.getEntriesByType('navigation')[0].loadEventEnd;"
            )
        )
        if timings[-1] < 1000:
            break
    assert 0 < min(timings) < 1000, timings
    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000

    # the PRISMA counts the browser shows are prisma.json's
    prisma = json.loads((root / "outputs" / "prisma" / "prisma.json").read_text(encoding="utf-8"))
    shown = {
        " + ".join(json.loads(g.get_attribute("data-keys"))): g.text
        for g in browser.find_elements(By.CSS_SELECTOR, "svg.prisma g.count")
    }
    n_of = {k: int(N_RE.search(v).group(1).replace(",", "")) for k, v in shown.items()}
    assert n_of["records_screened"] == prisma["prisma2020"]["records_screened"]
    assert n_of["reports_included"] == prisma["prisma2020"]["total_reports"]
    assert n_of["duplicates"] == prisma["prisma2020"]["duplicates"]
    # clicking a count lists exactly its records (unpacked in the page, no network)
    browser.find_element(
        By.CSS_SELECTOR, """svg.prisma g.count[data-keys='["records_excluded"]']"""
    ).click()
    browser.implicitly_wait(0)
    import time

    deadline = time.time() + 5
    while time.time() < deadline:
        status = browser.find_element(By.ID, "explain-shown").text
        if "records" in status:
            break
        time.sleep(0.05)
    assert status.startswith(f"{prisma['prisma2020']['records_excluded']} records"), status
    assert len(browser.find_elements(By.CSS_SELECTOR, "#explain-table tbody tr")) == 500
    browser.execute_script("document.getElementById('explain').close()")

    # a gap-map cell filters the report table to exactly that cell's reports
    from review.chart import final_charting
    from review.chart.store import project_schema
    from review.project import Project
    from review.report.charting_view import charting_view

    project = Project.open(root)
    charting = final_charting(project)
    gap = charting_view(project).gap_map
    assert project_schema(project) is not None and charting is not None and gap is not None
    cells = [(i, j) for i in range(len(gap.rows)) for j in range(len(gap.cols)) if gap.counts[i][j]]
    for i, j in cells[:3] + cells[-2:]:
        programmes = set(gap.members[i][j])
        expected = sorted(
            rid for rid, pids in charting.report_units.items() if programmes & set(pids)
        )
        cell = browser.find_element(
            By.CSS_SELECTOR, f'svg.gapmap g.cell[data-row="{i}"][data-col="{j}"]'
        )
        _scroll_to(browser, cell)
        cell.click()
        visible = browser.execute_script(
            "return Array.from(document.querySelectorAll('#reports-table tbody tr'))"
            ".filter(r => getComputedStyle(r).display !== 'none').map(r => r.dataset.id).sort()"
        )
        assert visible == expected, (gap.rows[i], gap.cols[j])
        progs = browser.execute_script(
            "return Array.from(document.querySelectorAll('#overview-table tbody tr'))"
            ".filter(r => getComputedStyle(r).display !== 'none').map(r => r.dataset.id).sort()"
        )
        assert progs == sorted(programmes)
        # a second click clears the filter; the first one started a smooth scroll to the
        # overview, so wait until the page stands still before clicking the cell again
        _scroll_to(browser, cell)
        cell.click()
        assert len(
            browser.execute_script(
                "return Array.from(document.querySelectorAll('#reports-table tbody tr'))"
                ".filter(r => getComputedStyle(r).display !== 'none')"
            )
        ) == len(charting.reports)

    # no console errors (and so no failed request) while loading and using the page
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []


@pytest.mark.parametrize(("review_type", "item"), [("scoping", "10"), ("systematic", "9")])
def test_checklist_claims_a_charting_comparison_only_when_one_exists(
    project, review_type: str, item: str
) -> None:
    """QA (one reviewer charted): the data-charting item said "dual-charting comparison" /
    "the comparison of independent data collection" though no comparison had been written."""
    from review.report.checklist import BY_TYPE, checklist_rows

    checklist = BY_TYPE[review_type][0]
    row = next(r for r in checklist_rows(project, checklist) if r.item.label == item)
    assert row.files == ("extraction_schema.yaml",)
    assert "comparison" not in row.where
    compare = project.root / "outputs" / "charting" / "disagreements.xlsx"
    compare.parent.mkdir(parents=True, exist_ok=True)
    compare.write_bytes(b"x")
    row = next(r for r in checklist_rows(project, checklist) if r.item.label == item)
    assert row.files == ("extraction_schema.yaml", "outputs/charting/disagreements.xlsx")
    assert "comparison" in row.where


def _scroll_to(browser, element) -> None:
    """Bring ``element`` to the middle of the window once no smooth scroll is moving the page
    (under load a click can otherwise land where the element was a moment before)."""
    import time

    def settle() -> None:
        last, deadline = None, time.time() + 5
        while time.time() < deadline:
            y = browser.execute_script("return window.scrollY")
            if y == last:
                return
            last = y
            time.sleep(0.1)

    settle()
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    settle()
