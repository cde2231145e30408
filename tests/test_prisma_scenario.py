"""Issue 19, "Done when" (the methods-text clauses): a scripted two-reviewer review — three
imports, `review dedup`, dual screening, a third reviewer at title/abstract, consensus at full
text, a stop recorded and then overtaken by screening everything — whose methods.md has every
sentence true of its logs. The expected sentences are worked out here from the logs the test
wrote (not from the code under test)."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from review.cli import app
from review.io.files import append_jsonl
from review.project import Project
from tests.helpers.screen import decide, resolve, set_protocol

runner = CliRunner()
TA, FT = "title-abstract", "full-text"
REASONS = {"wrong-population": "Wrong population", "not-empirical": "Not empirical research"}

# (source, records): Web of Science repeats two Scopus records (same DOI and title)
SOURCES = (
    ("Scopus", range(1, 7)),
    ("Web of Science", (1, 2, 7, 8, 9, 10)),
    ("ERIC", range(11, 15)),
)
# title/abstract: record number -> (Ana, Ben); a pair that differs is a disagreement
TA_PLAN = {
    **{i: ("include", "include") for i in (1, 2, 3, 4, 5)},
    **{i: ("exclude", "exclude") for i in (6, 7, 8, 9, 10, 11)},
    12: ("include", "exclude"),
    13: ("exclude", "include"),
    14: ("include", "exclude"),
}
TA_RESOLVED = {12: "include", 13: "include", 14: "exclude"}  # by Cleo, who screened none
FT_PLAN = {
    1: ("include", "include"),
    2: ("include", "include"),
    3: ("include", "include"),
    4: ("exclude", "exclude"),
    5: ("exclude", "exclude"),
    12: ("not-retrieved", "not-retrieved"),
    13: ("include", "exclude"),
}
FT_RESOLVED = {13: "include"}  # --resolver consensus


TOPICS = (
    "Peer mentoring for first-year nursing students",
    "Soil carbon under rotational grazing in semi-arid pastures",
    "Mobile phone reminders and vaccine uptake in infants",
    "Urban heat islands and emergency admissions of older adults",
    "Reading aloud at bedtime and vocabulary growth",
    "Microfinance loans and household food security",
    "Noise exposure in open-plan offices and sick leave",
    "Community gardens as a setting for social prescribing",
    "Teledentistry consultations during school closures",
    "Wildfire smoke and asthma inhaler dispensing",
    "Apprenticeship wages and completion rates",
    "Flood insurance uptake after river restoration",
    "Bicycle lanes and commuter injury rates",
    "Choir singing and postnatal depression",
)


def _write_exports(folder: Path) -> list[tuple[str, Path]]:
    out = []
    for source, numbers in SOURCES:
        path = folder / f"{source.lower().replace(' ', '-')}.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["title", "abstract", "authors", "year", "journal", "doi"])
            for i in numbers:
                w.writerow(
                    [
                        f"{TOPICS[i - 1]} (study {i})",
                        f"Abstract of study {i}.",
                        f"Author{i}, A; Second{i}, B",
                        2000 + i,
                        f"Journal {i}",
                        f"10.5555/scenario.{i}",
                    ]
                )
        out.append((source, path))
    return out


def _reason(decision: str, i: int) -> str:
    return ("wrong-population" if i % 2 else "not-empirical") if decision == "exclude" else ""


def _kappa(pairs: list[tuple[str, str]]) -> tuple[float, float]:
    """Percent agreement and Cohen's kappa, by hand."""
    n = len(pairs)
    po = sum(a == b for a, b in pairs) / n
    ca, cb = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    pe = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / n / n
    return po, (po - pe) / (1 - pe)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> tuple[Project, dict[int, str]]:
    root = tmp_path_factory.mktemp("scenario")
    project = Project.init(root / "proj", title="Community programmes")
    project = set_protocol(
        project,
        resolution="consensus",  # the plan; title/abstract was in fact resolved by Cleo
        sources=[
            {"name": s, "kind": "database", "platform": "Web", "searched": "2025-03-0" + str(k)}
            for k, (s, _) in enumerate(SOURCES, start=1)
        ],
        title_abstract__exclusion_reasons=[{"id": k, "label": v} for k, v in REASONS.items()],
        full_text__exclusion_reasons=[{"id": k, "label": v} for k, v in REASONS.items()],
    )
    for source, path in _write_exports(root):
        args = [
            "import",
            str(path),
            "--source",
            source,
            "--kind",
            "database",
            "-p",
            str(project.root),
        ]
        result = runner.invoke(app, [*args, "-q"])
        assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["dedup", "-p", str(project.root), "-q"])
    assert result.exit_code == 0, result.output
    from review.dedup import load_clusters

    project = Project.open(project.root)
    clusters = load_clusters(project)
    titles = {row.record_id: row.title for row in clusters.rows}
    number = {
        cid: int(re.search(r"study (\d+)", titles[cid])[1]) for cid in clusters.main_clusters()
    }
    cid_of = {i: cid for cid, i in number.items()}
    assert sorted(cid_of) == list(range(1, 15))  # 16 imported, 2 duplicates merged
    # screening in two rounds; a stop is recorded between them, then the team screens on
    order = sorted(TA_PLAN)
    for i in order[:10]:
        for who, d in zip(("Ana", "Ben"), TA_PLAN[i], strict=True):
            decide(project, who, cid_of[i], d, TA, _reason(d, i))
    stop = {
        "op": "stop", "stage": TA, "rule": "hypergeometric", "test_reviewer": "Ana",
        "recall_target": 0.95, "confidence": 0.95, "p_value": 0.04, "urn": 4, "sampled": 3,
        "sample_relevant": 0, "ranked_relevant": 5, "by": "Ana",
        "at": "2026-01-01T00:00:00.500000Z", "tool_version": "test",
    }  # fmt: skip
    append_jsonl(project.data_dir / "stopping" / "ana.jsonl", [stop])
    for i in order[10:]:
        for who, d in zip(("Ana", "Ben"), TA_PLAN[i], strict=True):
            decide(project, who, cid_of[i], d, TA, _reason(d, i))
    for i, d in TA_RESOLVED.items():
        resolve(project, "Cleo", cid_of[i], d, TA, _reason(d, i))
    for i, (a, b) in FT_PLAN.items():
        decide(project, "Ana", cid_of[i], a, FT, _reason(a, i))
        decide(project, "Ben", cid_of[i], b, FT, _reason(b, i))
    for i, d in FT_RESOLVED.items():
        resolve(project, "consensus", cid_of[i], d, FT, _reason(d, i))
    return project, cid_of


def _outputs(project: Project) -> dict[str, str]:
    """methods.md, prisma.json and prisma.csv as `review prisma` builds them (build_files), without
    drawing the diagram (matplotlib would take most of this test's time)."""
    from review.prisma.flow import compute_flow
    from review.prisma.formats import prisma_csv
    from review.prisma.inputs import gather
    from review.prisma.methods import methods_markdown

    inputs, facts = gather(Project.open(project.root))
    flow = compute_flow(inputs)
    return {
        "methods.md": methods_markdown(flow, facts),
        "prisma.json": json.dumps(flow.as_json()),
        "prisma.csv": prisma_csv(flow),
    }


def _sentences(paragraph: str) -> list[str]:
    return re.split(r"(?<=\.) (?=[A-Z])", paragraph)


def test_every_sentence_of_methods_is_true_of_the_logs(scenario) -> None:
    project, _ = scenario
    text = _outputs(project)["methods.md"]
    head, sources, procedure, results = text.strip().split("\n\n")
    assert head == "# Selection of sources of evidence"  # complete: no provisional note
    # sources (the protocol's list and the import log): each source with its records
    for source, numbers in SOURCES:
        assert f"{source} (" in sources and f"{len(list(numbers))} records)" in sources

    # the expected sentences, from the plan the logs were written from
    ta_po, ta_k = _kappa(list(TA_PLAN.values()))
    ft_po, ft_k = _kappa(list(FT_PLAN.values()))
    ta_excl = [i for i in TA_PLAN if (TA_RESOLVED.get(i) or TA_PLAN[i][0]) == "exclude"]
    by_reason = Counter(_reason("exclude", i) for i in ta_excl)
    ft_final = {i: FT_RESOLVED.get(i) or a for i, (a, _) in FT_PLAN.items()}
    ft_excl = [i for i, d in ft_final.items() if d == "exclude"]
    ft_by_reason = Counter(_reason("exclude", i) for i in ft_excl)
    included = sum(d == "include" for d in ft_final.values())

    def reasons(counts: Counter) -> str:
        return "; ".join(
            f"{REASONS[k][0].lower()}{REASONS[k][1:]}, {counts[k]}" for k in REASONS if counts[k]
        )

    want_procedure = [
        "The searches identified 16 records.",
        "We removed 2 duplicates (2 automatically and 0 after checking by a reviewer), leaving "
        "14 records to screen.",
        "At the title and abstract stage, each record was screened by two reviewers "
        f"independently (all 14 records); agreement was {ta_po:.1%} (Cohen's κ = {ta_k:.2f}, "
        "95% CI ",
        "At the full-text stage, each record was assessed by two reviewers independently (all "
        f"{len(FT_PLAN)} records); agreement was {ft_po:.1%} (Cohen's κ = {ft_k:.2f}, 95% CI ",
        "Disagreements were resolved by consensus between the reviewers (1 record at the "
        "full-text stage) and by a third reviewer who had not screened the record, Cleo (3 "
        "records at the title and abstract stage).",
    ]
    got = _sentences(procedure)
    assert len(got) == len(want_procedure), got
    for g, w in zip(got, want_procedure, strict=True):
        assert g.startswith(w), (g, w)
    sought = 14 - len(ta_excl)
    want_results = [
        f"Of the 14 records screened, {len(ta_excl)} were excluded on title and abstract "
        f"({reasons(by_reason)}).",
        f"We sought {sought} reports for retrieval, could not retrieve 1, and assessed "
        f"{sought - 1} in full text; {len(ft_excl)} were excluded ({reasons(ft_by_reason)}).",
        f"In total, {included} reports were included.",
    ]
    assert _sentences(results) == want_results
    # the stop was overtaken (everyone screened every record): it is not claimed
    for word in ("stop", "automation", "programme", "pending", "so far", "in progress"):
        assert word not in text.lower(), word


def test_prisma_json_and_csv_of_the_scenario(scenario) -> None:
    project, _ = scenario
    out = _outputs(project)
    data = json.loads(out["prisma.json"])
    p = data["prisma2020"]
    assert p["excluded_automatic"] == 0 and p["records_screened"] == 14
    assert p["dbr_assessed"] == 6 and p["total_reports"] == 4
    assert all(data["final"].values())
    raw = out["prisma.csv"]
    assert raw.startswith("data,node,")  # no BOM
    rows = list(csv.reader(raw.splitlines()))
    n = {r[0]: r[7] for r in rows[1:] if r[0] != "NA"}
    assert n["database_specific_results"] == "Scopus, 6; Web of Science, 6; ERIC, 4"
    assert all(r[7] for r in rows[1:])


REPORT_SCHEMA = {
    "version": 1,
    "title": "Report-level charting",
    "fields": [
        {
            "id": "design",
            "label": "Design",
            "level": "report",
            "type": "single_choice",
            "values": ["Trial", "Survey", "Qualitative"],
        },
        {
            "id": "setting",
            "label": "Setting",
            "level": "report",
            "type": "multiple_choice",
            "values": ["Urban", "Rural", "Online"],
        },
    ],
    "summary": {
        "crosstabs": [["design", "setting"]],
        "gap_map": {"rows": "design", "columns": "setting"},
    },
}
# the four included reports: Trial twice, Survey and Qualitative once (equal counts: 1 and 1)
CHARTED = (
    {"design": "Trial", "setting": ["Urban"]},
    {"design": "Trial", "setting": ["Rural", "Online"]},
    {"design": "Survey", "setting": ["Urban"]},
    {"design": "Qualitative", "setting": ["Online"]},
)
QUERY = '("rotational grazing" OR "peer mentoring") AND (outcome* OR effect*)'


def test_the_whole_scenario_with_a_query_and_report_level_charting(scenario, tmp_path) -> None:
    """Issue 19, "Done when", all of it on one copy of the scenario: the query text reaches the
    methods and the checklist, report-level charting never says "programme", equal counts get
    equal percentages, and the methods sentences stay those of the logs."""
    import shutil

    import yaml

    from review.chart import fill_template
    from review.chart.store import project_schema

    src, cid_of = scenario
    root = tmp_path / "copy"
    shutil.copytree(src.root, root)
    project = Project.open(root)
    data = yaml.safe_load(project.protocol_path.read_text(encoding="utf-8"))
    data["sources"][0].update(query=QUERY, results=6)  # Scopus: the database reported 6
    project.protocol_path.write_text(yaml.safe_dump(data), encoding="utf-8")
    (root / "extraction_schema.yaml").write_text(yaml.safe_dump(REPORT_SCHEMA), encoding="utf-8")
    project = Project.open(root)

    def run(*args: str) -> str:
        res = runner.invoke(app, [*args, "--project", str(root)])
        assert res.exit_code == 0, res.output
        return res.output

    form = tmp_path / "form.xlsx"
    printed = [run("chart", "template", "-o", str(form), "--reviewer", "Ana")]
    included = [cid_of[i] for i, d in FT_PLAN.items() if (FT_RESOLVED.get(i) or d[0]) == "include"]
    assert len(included) == len(CHARTED)
    values = dict(zip(sorted(included), CHARTED, strict=True))
    filled = fill_template(form, values, {}, tmp_path / "filled.xlsx", project_schema(project))
    printed.append(run("chart", "import", str(filled), "--reviewer", "Ana"))
    for args in (("chart", "summary"), ("prisma", "-q"), ("report",), ("report", "checklist")):
        printed.append(run(*args))

    out = root / "outputs"
    methods = (out / "prisma" / "methods.md").read_text(encoding="utf-8")
    checklist = (out / "report" / "prisma-scr.md").read_text(encoding="utf-8")
    summary = (out / "charting" / "summary.md").read_text(encoding="utf-8")
    assert QUERY in methods and "reported 6 results" in methods
    item8 = next(line for line in checklist.splitlines() if "| 8 | Search |" in line)
    assert "Scopus" in item8 and "methods.md" in item8, item8
    # the selection sentences are still those of the logs (the stop overtaken is not claimed)
    assert "In total, 4 reports were included." in methods
    assert "stop" not in methods.lower() and "automation" not in methods.lower()
    # equal counts, equal percentages (Survey 1 = Qualitative 1 of 4), denominator printed
    design = summary.split("### Design", 1)[1].split("###", 1)[0]
    rows = dict(re.findall(r"^\| (Trial|Survey|Qualitative) \| (\d+ \| [\d.]+) \|", design, re.M))
    assert rows == {"Trial": "2 | 50.0", "Survey": "1 | 25.0", "Qualitative": "1 | 25.0"}, summary
    assert "n = 4 reports" in summary
    texts = [methods, checklist, summary, *printed]
    texts += [
        p.read_text(encoding="utf-8")
        for p in out.rglob("*")
        if p.suffix in (".svg", ".html", ".json", ".csv", ".mmd")
    ]
    for text in texts:  # the project's own title ("Community programmes") is the user's word
        assert "programme" not in text.replace("Community programmes", "").lower()
