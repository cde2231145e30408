"""Sheets and our own CSVs at their limits (issue 21): a cell over 131,072 characters, a title
that long in clusters.csv, and a sheet of many unknown ids (a capped, streamed error)."""

from __future__ import annotations

import csv
import tracemalloc

import pytest
from typer.testing import CliRunner

from review.cli import app
from review.project import Project
from tests.helpers.screen import make_record_project

runner = CliRunner()
TA = "title-abstract"
LONG = 200_000  # characters: over csv's default field limit of 131,072


@pytest.fixture
def default_csv_limit():
    """Python's default csv field limit, as a fresh `review` process has it (another test may
    have imported the tabular reader, which raises it for the whole process)."""
    old = csv.field_size_limit(131_072)
    yield
    csv.field_size_limit(old)


def test_long_title_does_not_brick_the_project(project: Project, tmp_path, default_csv_limit):
    src = tmp_path / "long.ris"
    src.write_text(
        "TY  - JOUR\nTI  - " + "peer advocacy " * (LONG // 14) + "\nPY  - 2020\nER  - \n"
        "TY  - JOUR\nTI  - A short title\nPY  - 2021\nER  - \n",
        encoding="utf-8",
    )
    for args in (
        ["import", str(src), "--source", "DB"],
        ["dedup"],
        ["status"],
        [
            "screen",
            "export",
            "--stage",
            TA,
            "--reviewer",
            "Ana",
            "-o",
            str(tmp_path / "a.xlsx"),
            "-q",
        ],
        ["prisma"],
    ):
        csv.field_size_limit(131_072)
        res = runner.invoke(app, [*args, "-p", str(project.root)])
        assert res.exit_code == 0, (args, res.output, res.exception)
    from review.dedup.clusters import load_clusters

    csv.field_size_limit(131_072)
    clusters = load_clusters(Project.open(project.root))
    assert max(len(r.title) for r in clusters.rows) > 131_072


def test_sheet_cell_over_the_csv_field_limit_imports(project: Project, tmp_path, default_csv_limit):
    ids = make_record_project(project, 2)
    path = tmp_path / "ana.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["record_id", "decision", "reason", "note"])
        w.writerow([ids[0], "include", "", "n" * LONG])
    csv.field_size_limit(131_072)
    res = runner.invoke(app, ["screen", "import", str(path), "--stage", TA, "--reviewer", "Ana",
                              "-p", str(project.root)])  # fmt: skip
    assert res.exit_code == 0, (res.output, res.exception)
    from tests.helpers.screen import log_lines

    assert [len(x["note"]) for x in log_lines(project, "Ana")] == [LONG]


def test_broken_csv_sheet_is_a_message(project: Project, tmp_path):
    make_record_project(project, 1)
    path = tmp_path / "ana.csv"
    path.write_bytes(b"record_id,decision\nx,\x81\n")  # 0x81: neither UTF-8 nor cp1252
    res = runner.invoke(app, ["screen", "import", str(path), "--stage", TA, "--reviewer", "Ana",
                              "-p", str(project.root)])  # fmt: skip
    assert res.exit_code == 1
    assert "ana.csv:2:" in res.stderr and "neither UTF-8 nor Windows-1252" in res.stderr


def test_many_unknown_ids_capped_and_streamed(project: Project, tmp_path):
    make_record_project(project, 2)
    rows = 100_000
    path = tmp_path / "ana.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("record_id,decision\n")
        fh.writelines(f"nope-{i},include\n" for i in range(rows))
    from review.errors import ValidationError
    from review.screen.spreadsheet import import_sheet

    tracemalloc.start()
    try:
        with pytest.raises(ValidationError) as err:
            import_sheet(Project.open(project.root), path, TA, "Ana")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert err.value.summary.startswith(f"ana.csv: {rows:,} problem(s); nothing was imported.")
    assert err.value.problems[0] == "ana.csv row 2: unknown record_id 'nope-0'"
    assert err.value.problems[-1] == f"… and {rows - 10:,} more"
    assert len(err.value.problems) == 11
    assert peak < 20 * 1024 * 1024, peak  # the rows are never all in memory


def test_unclosed_quote_is_a_message_not_rows_swallowed(project: Project, tmp_path):
    """Found by the trial suite: a lenient CSV reader read every row after an unclosed quote
    into one note, so those rows' decisions vanished without a word."""
    ids = make_record_project(project, 3)
    path = tmp_path / "ana.csv"
    path.write_text(
        f'record_id,decision,note\n{ids[0]},include,"open\n{ids[1]},exclude,\n', encoding="utf-8"
    )
    res = runner.invoke(app, ["screen", "import", str(path), "--stage", TA, "--reviewer", "Ana",
                              "-p", str(project.root)])  # fmt: skip
    assert res.exit_code == 1, res.output
    assert "ana.csv:" in res.stderr and "not a readable CSV" in res.stderr
    assert not (project.data_dir / "screening" / "ana.jsonl").exists()
