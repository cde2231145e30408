"""`review demo`: the worked example end to end reproduces the published review (Figure 1 and the
charting counts), every contract output exists and opens, and derived outputs rebuild exactly."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from review.cli import app
from review.cli.demo_steps import step_argv
from review.demo import DERIVED_STEPS, output_digests
from tests.helpers.paths import REPO_ROOT
from tests.test_chart_example import PUBLISHED  # the paper's charting counts (one table)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (REPO_ROOT / "data" / "searches").is_dir(), reason="no example data in this checkout"
    ),
]

# Saar-Heiman et al. (2024), Figure 1.
FIGURE_1 = {
    "database_results": 7219,
    "website_results": 75,
    "duplicates": 3314 + 186,
    "records_screened": 3794,
    "records_excluded": 3644,
    "dbr_sought_reports": 150,
    "dbr_notretrieved_reports": 0,
    "dbr_assessed": 150,
    "dbr_excluded": 110,
    "other_assessed": 5,
    "other_excluded": 0,
    "total_reports": 45,
}

# Every output /work/shared/CLI.md names for the commands the demo runs.
CONTRACT_OUTPUTS = (
    "outputs/dedup/clusters.csv",
    "outputs/dedup/overlap.csv",
    "outputs/screening/title-abstract-disagreements.csv",
    "outputs/screening/title-abstract-disagreements.xlsx",
    "outputs/screening/full-text-disagreements.csv",
    "outputs/screening/full-text-disagreements.xlsx",
    "outputs/charting/disagreements.xlsx",
    "outputs/charting/summary.xlsx",
    "outputs/charting/summary.md",
    "outputs/charting/gap-map.svg",
    "outputs/charting/gap-map.png",
    "outputs/prisma/prisma.json",
    "outputs/prisma/prisma.csv",
    "outputs/prisma/prisma.svg",
    "outputs/prisma/prisma.png",
    "outputs/prisma/prisma.pdf",
    "outputs/prisma/prisma.mmd",
    "outputs/report.html",
    "outputs/report/prisma-scr.xlsx",
    "outputs/report/prisma-scr.md",
)
# Commands that rebuild outputs/ from the plain files (no new decisions).
DERIVED = tuple(step_argv(s) for s in DERIVED_STEPS)


@pytest.fixture(scope="module")
def demo(demo_run):
    return demo_run.root, demo_run


def test_prisma_json_equals_figure_1(demo) -> None:
    root, _ = demo
    data = json.loads((root / "outputs" / "prisma" / "prisma.json").read_text(encoding="utf-8"))
    p = data["prisma2020"]
    assert {k: p[k] for k in FIGURE_1} == FIGURE_1
    flow = data["flow"]
    assert flow["duplicates_automatic"] == 3314
    assert flow["duplicates_manual"] == 186
    assert flow["records_screened"] == 3794
    assert flow["reports_assessed"] == 150
    assert flow["reports_included"] == 45
    assert flow["programmes_included"] == 24
    by_source = {i["source"]: (i["kind"], i["branch"], i["n"]) for i in flow["identified"]}
    assert by_source["Grey literature"] == ("website", "main", 75)
    assert by_source["Experts"] == ("expert", "other", 5)
    assert sum(n for kind, _, n in by_source.values() if kind == "database") == 7219
    assert sum(r["n"] for r in flow["reports_excluded_by_reason"]) == 110


def test_every_queued_dedup_pair_was_decided(demo) -> None:
    from review.dedup.queue import read_queue
    from review.dedup.verdicts import standing_verdicts
    from review.project import Project

    root, _ = demo
    project = Project.open(root)
    assert read_queue(project) == []
    verdicts = list(standing_verdicts(project).values())
    assert verdicts.count("same") == 186
    assert verdicts.count("related") == 10


def test_demo_clusters_equal_the_generators_truth(demo) -> None:
    """The clusters after the person's verdicts are exactly the works the generator planted
    (tests/data/example_truth.csv); automatic links never join two works, and the 186 planted
    hard pairs are the ones a person confirmed."""
    root, _ = demo
    work, manual = {}, set()
    with open(REPO_ROOT / "tests" / "data" / "example_truth.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            work[row["record_id"]] = row["work"]
            if row["manual"]:
                manual.add(row["work"])
    with open(root / "outputs" / "dedup" / "clusters.csv", encoding="utf-8-sig") as fh:
        rows = [r for r in csv.DictReader(fh) if r["branch"] == "main"]
    clusters: dict[str, set[str]] = {}
    works: dict[str, set[str]] = {}
    for r in rows:
        clusters.setdefault(r["cluster_id"], set()).add(r["record_id"])
        works.setdefault(work[r["record_id"]], set()).add(r["record_id"])
    assert sorted(map(sorted, clusters.values())) == sorted(map(sorted, works.values()))
    confirmed = {work[r["record_id"]] for r in rows if r["status"] == "confirmed"}
    assert confirmed == manual


def test_charting_summary_equals_published_counts(demo) -> None:
    from review.chart import final_charting, summarise
    from review.chart.store import project_schema
    from review.project import Project

    root, _ = demo
    project = Project.open(root)
    charting = final_charting(project)
    assert charting is not None
    summary = summarise(project_schema(project), charting)
    assert (summary.n_reports, summary.n_units) == (45, 24)
    got = {fid: summary.counts(fid) for fid in PUBLISHED}
    assert got == PUBLISHED
    md = (root / "outputs" / "charting" / "summary.md").read_text(encoding="utf-8")
    assert "45 reports describing 24 programmes" in md
    assert "| Peer-reviewed journal article | 32 |" in md


def test_every_contract_output_exists_and_opens(demo) -> None:
    import defusedxml.ElementTree as ET
    import matplotlib.image as mpimg
    from openpyxl import load_workbook

    root, _ = demo
    for rel in CONTRACT_OUTPUTS:
        path = root / rel
        assert path.is_file(), rel
        assert path.stat().st_size > 0, rel
        suffix = path.suffix
        if suffix == ".xlsx":
            wb = load_workbook(path, read_only=True)
            assert wb.sheetnames, rel
            wb.close()
        elif suffix == ".svg":
            assert ET.parse(path).getroot().tag.endswith("svg"), rel
        elif suffix == ".png":
            image = mpimg.imread(path)
            assert image.shape[0] > 100 and image.shape[1] > 100, rel
        elif suffix == ".pdf":
            assert path.read_bytes().startswith(b"%PDF"), rel
        elif suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
        elif suffix == ".html":
            assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>"), rel
        elif suffix == ".csv":
            with open(path, encoding="utf-8-sig", newline="") as fh:
                rows = list(csv.reader(fh))
            assert len(rows) >= 2, rel
    clusters = root / "outputs" / "dedup" / "clusters.csv"
    with open(clusters, encoding="utf-8-sig", newline="") as fh:
        assert sum(1 for _ in csv.DictReader(fh)) == 7219 + 75 + 5


def test_summary_printed(demo) -> None:
    root, result = demo
    out = result.stdout
    for text in ("PRISMA 2020 flow", "3,314", "3,794", "3,644", "Cohen", "Programmes"):
        assert text in out
    assert "Iowa Parent Partner program" in out
    assert str(root / "outputs" / "prisma" / "prisma.svg") in out
    log = (root / "outputs" / "demo" / "commands.md").read_text(encoding="utf-8")
    assert "$ review dedup import data/decisions/dedup-verdicts.csv --reviewer anat" in log


def test_demo_summary_is_typed_and_matches_its_json(demo) -> None:
    from review.demo_summary import DemoSummary, summarise

    root, _ = demo
    summary = summarise(root)
    assert isinstance(summary, DemoSummary)
    data = summary.to_json()
    assert list(data) == [
        "project",
        "flow",
        "agreement",
        "programmes",
        "outputs",
        "missing_outputs",
        "report",
    ]
    assert summary.flow.duplicates_automatic == data["flow"]["duplicates_automatic"] == 3314
    assert summary.flow.records_excluded == 3644 and summary.flow.reports_included == 45
    assert [row["n"] for row in summary.flow.identified] == [
        row["n"] for row in data["flow"]["identified"]
    ]
    ta = summary.agreement["title-abstract"]
    assert ta.records_screened_by_all == 3794 and ta.unresolved == 0
    assert (
        ta.kappa_ci95 is not None
        and list(ta.kappa_ci95) == (data["agreement"]["title-abstract"]["kappa_ci95"])
    )
    assert len(summary.units) == 24
    assert "Iowa Parent Partner program" in {p.name for p in summary.units}
    assert [p.reports for p in summary.units] == sorted(
        (p.reports for p in summary.units), reverse=True
    )
    assert summary.missing_outputs == () and summary.report == "outputs/report.html"


def test_agreement_is_realistic(demo) -> None:
    from review import screen
    from review.project import Project

    root, _ = demo
    project = Project.open(root)
    ta = screen.agreement(project, "title-abstract")
    ft = screen.agreement(project, "full-text")
    assert ta.records_screened_by_all == 3794 and ta.unresolved == 0
    assert ft.records_screened_by_all == 155 and ft.unresolved == 0
    assert ta.stats.cohen_kappa is not None and 0.65 <= ta.stats.cohen_kappa <= 0.9
    assert ft.stats.cohen_kappa is not None and 0.65 <= ft.stats.cohen_kappa <= 0.9
    assert ta.stats.disagreements > 0 and ft.stats.disagreements > 0


def test_derived_outputs_rebuild_byte_for_byte(demo, tmp_path: Path) -> None:
    """Delete outputs/, re-run the commands that derive them: the same files, byte for byte
    (JSON compared without run times and timestamps; xlsx without the document dates)."""
    root, _ = demo
    copy = tmp_path / "again"
    shutil.copytree(root, copy)
    shutil.rmtree(copy / "outputs")
    runner = CliRunner()
    for argv in DERIVED:
        result = runner.invoke(app, [*argv, "--project", str(copy)])
        assert result.exit_code == 0, (argv, result.output)
    before = output_digests(root)
    after = output_digests(copy)
    assert after == before


def test_every_log_line_has_its_ops_declared_keys(demo) -> None:
    """Every line the demo's commands wrote to an append-only log has exactly the keys its op
    declares (review/io/logline.py), in their order: the schemas are what the files hold."""
    from review.io.logline import LOGS

    root, _ = demo
    seen = set()
    for log in LOGS:
        for path in sorted((root / "data" / log.folder).glob("*.jsonl")):
            for text in path.read_text(encoding="utf-8").splitlines():
                obj = json.loads(text)
                assert log[obj["op"]].keys_problem(obj) is None, (path.name, text)
                seen.add((log.folder, obj["op"]))
    assert {("screening", "decide"), ("resolutions", "resolve"), ("dedup", "verdict")} <= seen


def test_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(app, ["demo", str(target), "--quiet"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {target}: folder is not empty. Choose a new folder, or pass --force to replace "
        "a previous demo there.\n"
    )
    assert [p.name for p in target.iterdir()] == ["notes.txt"]


def test_force_replaces_only_demo_files(tmp_path: Path) -> None:
    from review.demo import prepare

    target = tmp_path / "again"
    prepare(target)
    (target / "outputs" / "stale.txt").write_text("old", encoding="utf-8")
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    prepare(target, force=True)
    assert not (target / "outputs" / "stale.txt").exists()
    assert (target / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (target / "data" / "searches" / "web-of-science" / "savedrecs.txt").is_file()


def test_never_writes_into_the_example_itself() -> None:
    from review.demo import prepare
    from review.errors import ReviewError
    from review.example import example_root

    root = example_root()
    assert root is not None
    with pytest.raises(ReviewError, match="holds the example itself"):
        prepare(root, force=True)


def test_a_failing_step_names_the_command_and_keeps_the_transcript(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from review.demo import EXAMPLE_PARTS

    example = tmp_path / "example"
    for part in EXAMPLE_PARTS:
        src, dst = REPO_ROOT / part, example / part
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copyfile(src, dst)
    wos = example / "data" / "searches" / "web-of-science"
    for extra in ("savedrecs(1).txt", "savedrecs(2).txt"):
        (wos / extra).unlink()
    (wos / "savedrecs.txt").write_text("this is not an export\n", encoding="utf-8")
    monkeypatch.setattr("review.example.example_root", lambda: example)
    target = tmp_path / "demo"
    result = CliRunner().invoke(app, ["demo", str(target), "--quiet"])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: demo step 1 failed (review import data/searches/web-of-science/savedrecs.txt "
        "--source 'Web of Science' --kind database --by anat --quiet): "
    )
    assert result.stderr.rstrip().endswith(
        "The commands so far and their output are in outputs/demo/commands.md."
    )
    log = (target / "outputs" / "demo" / "commands.md").read_text(encoding="utf-8")
    assert "## 1. Import Web of Science (1 file)" in log
    assert "(exit code 1)" in log
    assert not (target / "data" / "imports").exists()


def test_docs_show_the_real_prisma_output(demo) -> None:
    _, result = demo
    out = result.stdout
    block = out[out.index("PRISMA 2020 flow") : out.index("Agreement between reviewers")]
    docs = (REPO_ROOT / "docs" / "demo.md").read_text(encoding="utf-8")
    assert block in docs
    # the transcript excerpt and the agreement figures in the docs are the real ones
    root, _ = demo
    from review import screen
    from review.project import Project

    project = Project.open(root)
    for stage in ("title-abstract", "full-text"):
        a = screen.agreement(project, stage).stats
        row = next(line for line in docs.splitlines() if line.startswith(f"│ {stage} "))
        cells = [c.strip() for c in row.strip("│").split("│")]
        assert cells[2] == str(a.disagreements), stage
        assert cells[4].startswith(f"{a.cohen_kappa:.2f} "), stage
    log = (root / "outputs" / "demo" / "commands.md").read_text(encoding="utf-8")
    start = docs.index("$ review dedup --quiet")
    excerpt = docs[start : docs.index("```", start)].strip().splitlines()
    assert len(excerpt) >= 8
    for line in excerpt:
        assert line in log, line


def test_demo_accepts_project_option_like_every_command(tmp_path) -> None:
    from typer.testing import CliRunner

    from review.cli import app

    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "keep.txt").write_text("x")
    # --project names the demo folder; a non-empty folder is refused as with DIR
    result = CliRunner().invoke(app, ["demo", "--project", str(target), "--quiet"])
    assert result.exit_code == 1
    assert "not empty" in result.stderr
    assert sorted(p.name for p in target.iterdir()) == ["keep.txt"]
