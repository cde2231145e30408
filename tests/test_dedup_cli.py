"""`review dedup` and its subcommands, end to end on a small project."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from review.cli import app
from review.cli.status_view import section_lines
from review.dedup import load_clusters
from review.dedup.verdicts import load_verdicts
from review.io.files import read_jsonl
from tests.helpers.cli import run_in as run
from tests.helpers.paths import DEDUP_FIXTURES as FIXTURES

runner = CliRunner()


@pytest.fixture
def proj(project):
    """pubmed + embase (databases) and a website import (other methods)."""
    from review.importer import import_files

    import_files(project, [FIXTURES / "pubmed.csv"], source="PubMed")
    import_files(project, [FIXTURES / "embase.csv"], source="Embase")
    import_files(project, [FIXTURES / "website.csv"], source="Charity site", kind="website")
    project.invalidate()
    return project


def ids(project) -> dict[str, str]:
    """original_id -> record_id."""
    return {r.original_id: r.record_id for r in project.records()}


def dedup(project, *args: str):
    return runner.invoke(app, ["dedup", "--project", str(project.root), *args])


def test_dedup_writes_clusters_queue_and_overlap(proj) -> None:
    result = dedup(proj, "--quiet")
    assert result.exit_code == 0, result.output
    assert "Removed automatically: 2; confirmed by a person: 0; queued for a person: 2" in (
        result.stdout
    )
    i = ids(proj)
    clusters = load_clusters(proj)
    assert len(clusters.rows) == 9
    assert clusters.cluster_of[i["E1"]] == clusters.cluster_of[i["P1"]]
    assert clusters.cluster_of[i["E3"]] == clusters.cluster_of[i["P4"]]
    assert clusters.status[i["P2"]] == clusters.status[i["E2"]] == "maybe"
    assert clusters.status[i["P3"]] == "maybe"  # the erratum, queued with its article
    assert clusters.status[i["E4"]] == "unique"
    assert (clusters.branch[i["W1"]], clusters.status[i["W1"]]) == ("other", "unique")
    assert clusters.cluster_of[i["W1"]] == i["W1"]
    assert sorted(clusters.removed_automatic()) == sorted([i["E1"], i["E3"]])
    assert clusters.removed_manual() == []
    assert len(clusters.main_clusters()) == 6

    out = proj.outputs_dir / "dedup"
    with open(out / "maybe-pairs.csv", encoding="utf-8-sig", newline="") as fh:
        queue = list(csv.DictReader(fh))
    assert {(q["record_id_a"], q["record_id_b"]) for q in queue} == {
        tuple(sorted((i["P2"], i["E2"]))),
        tuple(sorted((i["P1"], i["P3"]))),
    }
    with open(out / "overlap.csv", encoding="utf-8-sig", newline="") as fh:
        overlap = {row["source"]: row for row in csv.DictReader(fh)}
    assert overlap["PubMed"]["records"] == "4"
    assert overlap["PubMed"]["overlap_with:Embase"] == "2"
    assert overlap["Embase"]["unique_clusters"] == "2"  # E2 (queued, still separate) and E4
    assert overlap["Charity site"]["branch"] == "other"
    # The erratum is another report about its article: queued with its relation, never merged.
    with open(out / "related.csv", encoding="utf-8-sig", newline="") as fh:
        related = list(csv.DictReader(fh))
    assert [(x["record_id_a"], x["record_id_b"], x["relation"], x["status"]) for x in related] == [
        (*sorted((i["P1"], i["P3"])), "erratum", "queued")
    ]

    from review.dedup import status_summary

    summary = status_summary(proj)
    assert summary.counts is not None
    assert summary.counts.removed_automatic == 2 and summary.counts.queued == 2
    assert any(x.startswith("Unique contribution per source") for x in section_lines(summary))


def test_dedup_json(proj) -> None:
    result = dedup(proj, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["counts"]["removed_automatic"] == 2
    assert data["counts"]["queued"] == 2
    assert {row["source"] for row in data["overlap"]} == {"PubMed", "Embase", "Charity site"}


def test_subcommands_need_a_dedup_run_first(proj) -> None:
    result = run(proj, "dedup", "review", "--reviewer", "Ana")
    assert result.exit_code == 1
    assert "outputs/dedup/clusters.csv not found: run `review dedup` first" in result.stderr


def test_interactive_review_with_piped_keys_and_undo(proj) -> None:
    assert dedup(proj, "--quiet").exit_code == 0
    i = ids(proj)
    # Pair 1 (most similar first: the erratum) then pair 2: n, undo, r (related), then y.
    result = run(proj, "dedup", "review", "--reviewer", "Ana Silva", input="n u r y\n")
    assert result.exit_code == 0, result.output
    assert "Recorded 1 same, 1 related, 0 different (0 skipped, 1 undone); 0 pair(s) left." in (
        result.stdout
    )
    log = read_jsonl(proj.data_dir / "dedup" / "ana-silva.jsonl")
    assert [line["op"] for line in log] == ["verdict", "retract", "verdict", "verdict"]
    assert [line.get("verdict") for line in log] == ["different", None, "related", "same"]
    assert all(line["a"] < line["b"] for line in log)
    verdicts = load_verdicts(proj)
    assert sorted(v.verdict for v in verdicts.values()) == ["related", "same"]
    with open(proj.outputs_dir / "dedup" / "related.csv", encoding="utf-8-sig") as fh:
        related = list(csv.DictReader(fh))
    assert [(x["relation"], x["status"], x["rule"]) for x in related] == [
        ("erratum", "confirmed", "person: related")
    ]
    assert load_clusters(proj).cluster_of[i["P3"]] == i["P3"]  # kept: never removed
    clusters = load_clusters(proj)
    same_pair = next(k for k, v in verdicts.items() if v.verdict == "same")
    assert clusters.cluster_of[same_pair[0]] == clusters.cluster_of[same_pair[1]]
    assert len(clusters.removed_manual()) == 1
    assert sorted(clusters.removed_automatic()) == sorted([i["E1"], i["E3"]])
    # Verdicts survive a re-run with other thresholds.
    assert (
        dedup(proj, "--quiet", "--auto-threshold", "0.99", "--maybe-threshold", "0.9").exit_code
        == 0
    )
    again = load_clusters(proj)
    assert again.cluster_of[same_pair[0]] == again.cluster_of[same_pair[1]]
    assert len(again.removed_manual()) == 1


def test_review_quit_and_skip(proj) -> None:
    assert dedup(proj, "--quiet").exit_code == 0
    result = run(proj, "dedup", "review", "--reviewer", "Bo", input="s q")
    assert result.exit_code == 0
    assert "Recorded 0 same, 0 different (1 skipped, 0 undone); 1 pair(s) left." in result.stdout
    assert not (proj.data_dir / "dedup" / "bo.jsonl").exists()


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_import_csv_validates_everything_first(proj, tmp_path: Path) -> None:
    assert dedup(proj, "--quiet").exit_code == 0
    i = ids(proj)
    bad = _write_csv(
        tmp_path / "verdicts.csv",
        [
            ["record_id_a", "record_id_b", "verdict", "note"],
            [i["P2"], i["E2"], "same", "ok row"],
            [i["P1"], "nope-1", "same", ""],
            [i["P1"], i["P3"], "maybe", ""],
            [i["P1"], i["W1"], "different", ""],
            [i["P4"], i["P4"], "same", ""],
            [i["P1"], i["E4"], "", "blank changes nothing"],
        ],
    )
    result = run(proj, "dedup", "import", str(bad), "--reviewer", "Ana")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: verdicts.csv: 4 problem(s); nothing was imported.\n"
        "  verdicts.csv:3: unknown record_id_b 'nope-1' (not an imported record)\n"
        "  verdicts.csv:4: verdict 'maybe' is not same, related or different\n"
        f"  verdicts.csv:5: record_id_b '{i['W1']}' is not in the main branch (not "
        "deduplicated)\n"
        "  verdicts.csv:6: record_id_a and record_id_b are the same record\n"
    )
    assert not (proj.data_dir / "dedup").exists()


def test_import_missing_column(proj, tmp_path: Path) -> None:
    assert dedup(proj, "--quiet").exit_code == 0
    f = _write_csv(tmp_path / "v.csv", [["record_id_a", "record_id_b"], ["x", "y"]])
    result = run(proj, "dedup", "import", str(f), "--reviewer", "Ana")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {f}: missing column(s) verdict in the header row (found: record_id_a, "
        "record_id_b).\n"
    )


def test_import_cp1252_csv_saved_by_excel(proj, tmp_path: Path) -> None:
    """The sheet reader of `screen import` (review/io/tables.py): Windows-1252, CRLF."""
    assert dedup(proj, "--quiet").exit_code == 0
    i = ids(proj)
    f = tmp_path / "v.csv"
    f.write_bytes(
        f"record_id_a;record_id_b;verdict;note\r\n{i['P2']};{i['E2']};same;même étude – ok\r\n".encode(
            "cp1252"
        )
    )
    result = run(proj, "dedup", "import", str(f), "--reviewer", "Ana")
    assert result.exit_code == 0, result.output
    assert "Imported 1 verdict(s)" in result.stdout
    assert "read as Windows-1252" in result.stderr
    lines = read_jsonl(proj.data_dir / "dedup" / "ana.jsonl")
    assert [x["note"] for x in lines if x["op"] == "verdict"] == ["même étude – ok"]


def test_export_xlsx_then_import_it(proj, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    assert dedup(proj, "--quiet").exit_code == 0
    i = ids(proj)
    xlsx = tmp_path / "pairs.xlsx"
    result = run(proj, "dedup", "export", "-o", str(xlsx))
    assert result.exit_code == 0, result.output
    assert "Wrote 2 queued pair(s)" in result.stdout
    wb = load_workbook(xlsx)
    ws = wb["Pairs"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["record_id_a", "record_id_b", "verdict", "note"]
    assert "title_a" in header and "title_b" in header
    assert ws.data_validations.dataValidation[0].formula1 == '"same,related,different"'
    for row in ws.iter_rows(min_row=2):
        pair = {row[0].value, row[1].value}
        row[2].value = "Same" if pair == {i["P2"], i["E2"]} else ""
    wb.save(xlsx)
    result = run(proj, "dedup", "import", str(xlsx), "--reviewer", "Ana", "--quiet")
    assert result.exit_code == 0, result.output
    assert "Imported 1 verdict(s) into data/dedup/ana.jsonl (0 unchanged, 1 blank)." in (
        result.stdout
    )
    clusters = load_clusters(proj)
    assert clusters.cluster_of[i["P2"]] == clusters.cluster_of[i["E2"]]
    assert clusters.status[i["P3"]] == "maybe"
    # Importing the same file again writes nothing new.
    result = run(proj, "dedup", "import", str(xlsx), "--reviewer", "Ana", "--quiet")
    assert "Imported 0 verdict(s) into data/dedup/ana.jsonl (1 unchanged, 1 blank)." in (
        result.stdout
    )


def test_explain_and_split(proj) -> None:
    assert dedup(proj, "--quiet").exit_code == 0
    i = ids(proj)
    result = run(proj, "dedup", "explain", i["E1"], "--json")
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["cluster_id"] == i["P1"] and info["status"] == "auto"
    member = info["members"][0]
    assert member["b"] == i["P1"] and member["decision"] == "auto"
    assert {f["field"] for f in member["fields"]} >= {"title", "authors", "year", "doi"}
    text = run(proj, "dedup", "explain", i["P1"])
    assert text.exit_code == 0
    assert "In the same cluster" in text.stdout and "Queued for a person" in text.stdout
    assert "[possibly another report: erratum]" in text.stdout
    info = json.loads(run(proj, "dedup", "explain", i["P3"], "--json").stdout)
    assert [(r["link"]["relation"], r["link"]["status"]) for r in info["related"]] == [
        ("erratum", "queued")
    ]

    result = run(proj, "dedup", "split", i["E1"], "--reviewer", "Ana")
    assert result.exit_code == 0, result.output
    clusters = load_clusters(proj)
    assert clusters.cluster_of[i["E1"]] == i["E1"]
    assert clusters.status[i["E1"]] != "auto"
    assert clusters.removed_automatic() == [i["E3"]]
    # A re-run keeps the split.
    assert dedup(proj, "--quiet").exit_code == 0
    assert load_clusters(proj).cluster_of[i["E1"]] == i["E1"]

    missing = run(proj, "dedup", "explain", "nope-9")
    assert missing.exit_code == 1
    assert "nope-9: no such record." in missing.stderr


def test_verdicts_survive_new_imports(proj, tmp_path: Path) -> None:
    from review.importer import import_files

    assert dedup(proj, "--quiet").exit_code == 0
    i = ids(proj)
    f = _write_csv(
        tmp_path / "v.csv",
        [["record_id_a", "record_id_b", "verdict"], [i["E2"], i["P2"], "same"]],
    )
    assert run(proj, "dedup", "import", str(f), "--reviewer", "Ana", "--quiet").exit_code == 0
    import_files(proj, [FIXTURES / "scopus.csv"], source="Scopus")
    proj.invalidate()
    assert dedup(proj, "--quiet").exit_code == 0
    i = ids(proj)
    clusters = load_clusters(proj)
    assert len(clusters.rows) == 11
    # The person's link stands; the new Scopus copy (same DOI) joins automatically.
    assert (
        clusters.cluster_of[i["E2"]] == clusters.cluster_of[i["P2"]] == clusters.cluster_of[i["S1"]]
    )
    # P2 and S1 are equally complete: the smaller record_id is the primary (and is `auto`).
    primary = min(i["P2"], i["S1"])
    assert clusters.cluster_of[i["P2"]] == primary
    assert clusters.removed_manual() == [i["E2"]]
    other = max(i["P2"], i["S1"])
    assert sorted(clusters.removed_automatic()) == sorted([i["E1"], i["E3"], other])
    assert clusters.status[i["S2"]] == "unique"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["export", "-o", "pairs.csv"], 1, "pairs.csv: the export must be an .xlsx file"),
        (["import", "missing.csv", "--reviewer", "Ana"], 1, "missing.csv: no such file."),
        (["import", "v.ods", "--reviewer", "Ana"], 1, "v.ods: use a .xlsx or .csv file."),
        (["--maybe-threshold", "0.97"], 2, "--maybe-threshold must not be above"),
        (["split", "nope-1", "--reviewer", "Ana"], 1, "nope-1: no such record in"),
    ],
    ids=["export-not-xlsx", "import-missing", "import-wrong-type", "thresholds", "split-unknown"],
)
def test_dedup_user_errors(proj, tmp_path: Path, monkeypatch, args, code, message) -> None:
    assert dedup(proj, "--quiet").exit_code == 0
    monkeypatch.chdir(tmp_path)
    (tmp_path / "v.ods").write_text("record_id_a,record_id_b,verdict\n", encoding="utf-8")
    result = runner.invoke(app, ["dedup", *args, "--project", str(proj.root)])
    assert result.exit_code == code, result.output
    assert message in " ".join(result.stderr.split())
    assert not (tmp_path / "pairs.csv").exists()
    assert not (proj.data_dir / "dedup").exists()


# ---- settings live in protocols/protocol.yaml ---------------------------------------------------


def test_thresholds_are_saved_in_the_protocol_and_kept(proj) -> None:
    import shutil

    before = proj.protocol_path.read_text(encoding="utf-8")
    result = dedup(proj, "--auto-threshold", "0.99", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["options"]["auto_threshold"] == 0.99
    assert data["saved"] == ["dedup.auto_threshold = 0.99"]
    text = proj.protocol_path.read_text(encoding="utf-8")
    assert "auto_threshold: 0.99" in text
    # Every other line (and comment) of the protocol is kept.
    assert [x for x in before.splitlines() if "auto_threshold" not in x] == [
        x for x in text.splitlines() if "auto_threshold" not in x
    ]
    first = (proj.outputs_dir / "dedup" / "clusters.csv").read_bytes()

    # Deleting outputs/ and running a plain `review dedup` gives the same clusters.
    shutil.rmtree(proj.outputs_dir)
    again = dedup(proj, "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["options"]["auto_threshold"] == 0.99
    assert json.loads(again.stdout)["saved"] == []
    assert (proj.outputs_dir / "dedup" / "clusters.csv").read_bytes() == first


def test_protocol_without_dedup_section_gets_one(proj) -> None:
    import re

    path = proj.protocol_path
    text = re.sub(r"(?ms)^dedup:.*?(?=^\S|\Z)", "", path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    proj.__dict__.pop("protocol", None)
    assert proj.protocol.dedup == {}
    assert dedup(proj, "--quiet", "--maybe-threshold", "0.85").exit_code == 0
    proj.__dict__.pop("protocol", None)
    assert proj.protocol.dedup == {"maybe_threshold": 0.85}


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("dedup:\n  auto_treshold: 0.9\n", "unknown key 'dedup.auto_treshold'; did you mean"),
        ("dedup:\n  auto_threshold: high\n", "dedup.auto_threshold"),
        ("dedup:\n  window: 2.5\n", "dedup.window"),
        ("dedup:\n  auto_threshold: 0.8\n  maybe_threshold: 0.9\n", "must not be above"),
    ],
    ids=["unknown-key", "not-a-number", "not-whole", "maybe-above-auto"],
)
def test_bad_dedup_settings_are_named(proj, section: str, message: str) -> None:
    import re

    path = proj.protocol_path
    text = re.sub(r"(?ms)^dedup:.*?(?=^\S|\Z)", "", path.read_text(encoding="utf-8"))
    path.write_text(text + section, encoding="utf-8")
    result = dedup(proj, "--quiet")
    assert result.exit_code == 1, result.output
    assert message in " ".join(result.stderr.split())
    assert not (proj.outputs_dir / "dedup" / "clusters.csv").exists()


# ---- two reviewers disagree on one pair ---------------------------------------------------------


def test_conflicting_verdicts_are_reported_and_resolved_first(proj, tmp_path: Path) -> None:
    assert dedup(proj, "--quiet").exit_code == 0
    assert run(proj, "dedup", "review", "--reviewer", "Ana", input="y q").exit_code == 0
    ana = read_jsonl(proj.data_dir / "dedup" / "ana.jsonl")
    pair = (ana[0]["a"], ana[0]["b"])  # the first queued pair
    assert ana[0]["verdict"] == "same"
    sheet = _write_csv(
        tmp_path / "ben.csv", [["record_id_a", "record_id_b", "verdict"], [*pair, "different"]]
    )
    assert run(proj, "dedup", "import", str(sheet), "--reviewer", "Ben").exit_code == 0
    ben = read_jsonl(proj.data_dir / "dedup" / "ben.jsonl")
    assert (ben[0]["a"], ben[0]["b"], ben[0]["verdict"]) == (*pair, "different")

    # Neither verdict is applied: the pair stays queued, reported as a conflict.
    assert pair not in load_verdicts(proj)
    result = dedup(proj, "--json")
    data = json.loads(result.stdout)
    assert data["verdict_conflicts"] == [list(pair)]
    clusters = load_clusters(proj)
    assert clusters.cluster_of[pair[0]] != clusters.cluster_of[pair[1]]
    plain = dedup(proj)
    assert "Conflict:" in plain.stdout and "Ana: same" in plain.stdout

    # `dedup review` shows the conflict first, to anyone; the verdict given resolves it.
    shown = run(proj, "dedup", "review", "--reviewer", "Cy", input="y q")
    assert shown.exit_code == 0, shown.output
    assert "CONFLICT" in shown.stdout and "Ben said different" in shown.stdout
    assert read_jsonl(proj.data_dir / "dedup" / "cy.jsonl")[0]["resolves"] is True
    assert load_verdicts(proj)[pair].verdict == "same"
    clusters = load_clusters(proj)
    assert clusters.cluster_of[pair[0]] == clusters.cluster_of[pair[1]]
    assert json.loads(dedup(proj, "--json").stdout)["verdict_conflicts"] == []
