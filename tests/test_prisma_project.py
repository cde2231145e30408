"""End to end on a tiny real project: import log, clusters.csv, screening logs -> `review prisma`.

The project is built with the real writers (``import_files``, ``write_clusters``, JSON Lines
logs as in docs/CONTRACTS.md), then the CLI is run and its files are checked.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from review.cli import app

runner = CliRunner()


def _csv(path: Path, titles: list[str]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["title", "authors", "year"])
        for i, t in enumerate(titles, start=1):
            w.writerow([t, f"Author{i}, A.", 2000 + i])
    return path


def _log(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        for i, row in enumerate(rows):
            fh.write(
                json.dumps({"at": f"2026-01-01T00:00:{i:02d}.000000Z", "tool_version": "t", **row})
                + "\n"
            )


def _decide(rid: str, stage: str, decision: str, reviewer: str, reason: str = "") -> dict:
    return {
        "op": "decide",
        "record_id": rid,
        "stage": stage,
        "decision": decision,
        "reason": reason,
        "note": "",
        "reviewer": reviewer,
    }


@pytest.fixture
def tiny(project, tmp_path: Path):
    pytest.importorskip("review.screen", reason="review.screen (screening) is not available yet")
    from review.dedup.clusters import ClusterRow, clusters_path, write_clusters
    from review.importer import import_files

    src = tmp_path / "src"
    src.mkdir()
    import_files(
        project,
        [_csv(src / "wos.csv", [f"Study {k}" for k in range(1, 7)])],
        source="Web of Science",
        kind="database",
    )
    import_files(
        project,
        [_csv(src / "psyc.csv", ["Study 1", "Study 2", "Other A", "Other B"])],
        source="PsycINFO",
        kind="database",
    )
    import_files(
        project,
        [_csv(src / "grey.csv", ["Grey 1", "Grey 2"])],
        source="Google Scholar",
        kind="website",
        screen=True,
    )
    import_files(
        project, [_csv(src / "experts.csv", ["Expert 1"])], source="Experts", kind="expert"
    )
    project.invalidate()
    recs = project.records()
    by_title: dict[str, list] = {}
    for r in recs:
        by_title.setdefault(r.title, []).append(r)
    rows = []
    kept_of = {}
    for r in recs:
        first = by_title[r.title][0]
        cluster = first.record_id
        kept_of[r.record_id] = cluster
        status = "unique"
        if len(by_title[r.title]) > 1:
            # Study 1 merged automatically, Study 2 by a person
            status = "auto" if r.title == "Study 1" else "confirmed"
        branch = "other" if r.kind == "expert" else "main"
        rows.append(
            ClusterRow(
                r.record_id, cluster, r.source, r.source_position, "", status, branch, r.title
            )
        )
    write_clusters(clusters_path(project), rows)
    ids = {r.title: by_title[r.title][0].record_id for r in recs}
    ta, ft = "title-abstract", "full-text"
    # title/abstract: 10 clusters. Both reviewers: include Study 1-3, Grey 1; exclude the rest;
    # Study 4 disagreement resolved to include; Other B only one reviewer so far (pending).
    plan = {
        "Study 1": ("include", "include"),
        "Study 2": ("include", "include"),
        "Study 3": ("include", "include"),
        "Study 4": ("include", "exclude"),
        "Study 5": ("exclude", "exclude"),
        "Study 6": ("exclude", "exclude"),
        "Other A": ("exclude", "exclude"),
        "Other B": ("exclude", None),
        "Grey 1": ("include", "include"),
        "Grey 2": ("exclude", "exclude"),
    }
    anat, marina = [], []
    for title, (a, m) in plan.items():
        reason = "not-empirical" if title != "Grey 2" else "wrong-date"
        anat.append(_decide(ids[title], ta, a, "anat", reason if a == "exclude" else ""))
        if m:
            marina.append(_decide(ids[title], ta, m, "marina", reason if m == "exclude" else ""))
    ftplan = {
        "Study 1": "include",
        "Study 2": "exclude",
        "Study 3": "not-retrieved",
        "Study 4": "include",
        "Grey 1": "include",
        "Expert 1": "include",
    }
    for title, d in ftplan.items():
        reason = "wrong-population" if d == "exclude" else ""
        anat.append(_decide(ids[title], ft, d, "anat", reason))
        marina.append(_decide(ids[title], ft, d, "marina", reason))
    _log(project.data_dir / "screening" / "anat.jsonl", anat)
    _log(project.data_dir / "screening" / "marina.jsonl", marina)
    _log(
        project.data_dir / "resolutions" / "lead.jsonl",
        [
            {
                "op": "resolve",
                "record_id": ids["Study 4"],
                "stage": ta,
                "decision": "include",
                "reason": "",
                "rationale": "discussed",
                "resolver": "lead",
            }
        ],
    )
    return project, ids


def test_review_prisma_on_a_tiny_project(tiny) -> None:
    project, _ = tiny
    result = runner.invoke(app, ["prisma", "--project", str(project.root), "--json", "-q"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    p, f = data["prisma2020"], data["flow"]
    assert p["database_results"] == 10
    assert p["website_results"] == 2
    assert p["organisation_results"] == 1  # experts are carried in organisation_results
    assert f["duplicates_automatic"] == 1 and f["duplicates_manual"] == 1
    assert p["records_screened"] == 10  # 12 main-branch records - 2 duplicates
    assert p["records_excluded"] == 4  # Study 5, 6, Other A, Grey 2 (Other B is pending)
    assert f["open"]["title_abstract"] == 1 and f["provisional"] is True
    assert p["dbr_sought_reports"] == 5  # Study 1-3, Study 4 (resolved), Grey 1
    assert p["dbr_notretrieved_reports"] == 1
    assert p["dbr_assessed"] == 4
    assert p["dbr_excluded"] == 1
    assert p["other_sought_reports"] == 1
    assert f["reports_included_main"] == 3  # Study 1, Study 4, Grey 1
    assert p["total_reports"] == 4  # + Expert 1
    assert p["total_studies"] == 4  # no charting: one report, one study
    # the default schema charts reports only: no `<level>s_included` key of a further level
    assert "programmes_included" not in f
    assert "Provisional" in result.stderr
    out = project.outputs_dir / "prisma"
    for name in (
        "prisma.json",
        "prisma.csv",
        "prisma.svg",
        "prisma.png",
        "prisma.pdf",
        "prisma.mmd",
        "methods.md",
    ):
        assert (out / name).is_file(), name
    methods = (out / "methods.md").read_text(encoding="utf-8")
    assert "two reviewers independently" in methods
    assert "1 record at the title and abstract stage" in methods  # the one resolution


def test_explain_cli_counts_match(tiny) -> None:
    project, _ = tiny
    result = runner.invoke(app, ["prisma", "-p", str(project.root), "--json", "-q"])
    data = json.loads(result.stdout)
    for key in ("records_screened", "dbr_excluded", "duplicates", "identified.PsycINFO"):
        r = runner.invoke(app, ["prisma", "explain", key, "-p", str(project.root), "--json"])
        assert r.exit_code == 0, r.output
        got = json.loads(r.stdout)
        expected = data["prisma2020"].get(key)
        if key == "identified.PsycINFO":
            expected = 4
        assert got["count"] == expected == len(got["records"]), key


def test_explain_unknown_key_is_a_clear_error(tiny) -> None:
    project, _ = tiny
    r = runner.invoke(app, ["prisma", "explain", "nonsense", "-p", str(project.root)])
    assert r.exit_code == 1
    assert "Unknown count 'nonsense'" in r.stderr


def test_prisma_before_dedup_says_what_to_do(project) -> None:
    r = runner.invoke(app, ["prisma", "-p", str(project.root), "-q"])
    assert r.exit_code == 1
    assert "outputs/dedup/clusters.csv not found: run `review dedup` first" in r.stderr
    assert not (project.outputs_dir / "prisma").exists()


def test_bad_label_writes_nothing(tiny) -> None:
    project, _ = tiny
    r = runner.invoke(app, ["prisma", "-p", str(project.root), "-q", "--label", "bogus=x"])
    assert r.exit_code == 1
    assert "Unknown --label key bogus" in r.stderr
    assert not (project.outputs_dir / "prisma").exists()
    r = runner.invoke(app, ["prisma", "-p", str(project.root), "-q", "--font", "No Such Font"])
    assert r.exit_code == 1 and "no such font installed" in r.stderr


def test_inconsistent_logs_name_the_records(tiny) -> None:
    """A record imported after the last dedup run is named, with the fix."""
    project, _ = tiny
    from review.dedup.clusters import clusters_path, read_clusters, write_clusters

    clusters = read_clusters(clusters_path(project))
    dropped = next(r for r in clusters.rows if r.title == "Study 6")
    write_clusters(clusters_path(project), [r for r in clusters.rows if r is not dropped])
    r = runner.invoke(app, ["prisma", "-p", str(project.root), "-q"])
    assert r.exit_code == 1
    assert "PRISMA counts do not add up" in r.stderr
    assert dropped.record_id in r.stderr
    assert "Run `review dedup`" in r.stderr


def test_explain_writes_csv(tiny, tmp_path: Path) -> None:
    project, _ = tiny
    out = tmp_path / "excluded.csv"
    r = runner.invoke(
        app,
        [
            "prisma",
            "explain",
            "records_excluded_by_reason.not-empirical",
            "-p",
            str(project.root),
            "-o",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(open(out, encoding="utf-8-sig")))
    assert [row["title"] for row in rows] == ["Study 5", "Study 6", "Other A"]
    assert all(row["why"].startswith("excluded at title/abstract: Not empirical") for row in rows)
    assert "records_excluded_by_reason.not-empirical: 3" in r.stdout


def test_provisional_outputs_name_only_open_stages(tiny) -> None:
    """QA (a new team's own review, before full text): the provisional note said "0 records
    undecided at title/abstract … 0 in possible-duplicate pairs" (methods.md, `review prisma`)."""
    project, _ = tiny
    result = runner.invoke(app, ["prisma", "--project", str(project.root), "-q"])
    assert result.exit_code == 0, result.output
    assert "Provisional: 1 record undecided at title/abstract." in " ".join(result.stderr.split())
    methods = (project.outputs_dir / "prisma" / "methods.md").read_text(encoding="utf-8")
    note = next(line for line in methods.splitlines() if line.startswith("> "))
    assert note.startswith("> **Provisional:** 1 record undecided at title/abstract. Re-run")
    assert " 0 " not in note


def test_provisional_report_renders_the_note_and_pending_cards(tiny) -> None:
    """QA: the report showed the provisional note as raw markdown (`> **Provisional:**`) and its
    cards read "0 full texts assessed", "0 reports included" while stages before were open."""
    project, _ = tiny
    out = project.root / "r.html"
    result = runner.invoke(app, ["report", "--project", str(project.root), "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "&gt; **Provisional" not in page and "**Provisional" not in page
    assert "<strong>Provisional:</strong> 1 record undecided" in page
    cards = page[
        page.index('class="cards"') : page.index("</section>", page.index('class="cards"'))
    ]
    assert '<span class="big">10</span><span>records screened</span>' in cards  # final
    # 5 reports assessed (4 + Expert 1), 4 included so far: counts that can still change say so
    assert "5 <small>so far</small></span><span>full texts assessed" in cards
    assert "4 <small>so far</small></span><span>reports included" in cards
