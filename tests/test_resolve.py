"""`review resolve` (interactive) and `review resolve import`."""

from __future__ import annotations

import csv

from typer.testing import CliRunner

from review.cli import app
from review.io.files import read_jsonl
from review.screen import final_decisions
from tests.helpers.screen import decide, make_clusters, set_protocol

TA = "title-abstract"
runner = CliRunner()


def _setup(project):
    make_clusters(project, 4)
    # r2 (maybe vs include) is a disagreement to resolve only with maybe_conflicts: true
    set_protocol(project, title_abstract__maybe_conflicts=True)
    project.__dict__.pop("protocol", None)  # the protocol as just written
    decide(project, "Ana", "r1", "include")
    decide(project, "Ben", "r1", "exclude", reason="wrong-date", note="published 1990")
    decide(project, "Ana", "r2", "maybe")
    decide(project, "Ben", "r2", "include")
    decide(project, "Ana", "r3", "include")
    decide(project, "Ben", "r3", "include")


def test_interactive_resolve(project):
    _setup(project)
    result = runner.invoke(app, ["resolve", "--stage", TA, "--resolver", "Cleo", "-p",
                                 str(project.root)],
                           input="perhaps\nexclude\n5\nout of range\n\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "1/2 r1" in out and "published 1990" in out
    assert "Use one of: include, exclude, maybe (or i include, e exclude, m maybe)." in out
    assert "Saved 1 resolutions." in out
    lines = read_jsonl(project.data_dir / "resolutions" / "cleo.jsonl")
    assert [(x["record_id"], x["decision"], x["reason"], x["rationale"]) for x in lines] == [
        ("r1", "exclude", "wrong-date", "out of range")
    ]
    final = final_decisions(project, TA)
    assert (final["r1"].decision, final["r1"].via) == ("exclude", "resolution")
    assert final["r2"].via == "conflict"
    again = runner.invoke(app, ["resolve", "--stage", TA, "--resolver", "Cleo", "-p",
                                str(project.root)], input="q\n")  # fmt: skip
    assert "1/1 r2" in again.stdout


def test_third_reviewer_mode_refuses_a_reviewer_of_the_record(project):
    project = set_protocol(project, resolution="third-reviewer")
    _setup(project)
    result = runner.invoke(app, ["resolve", "--stage", TA, "--resolver", "Ana", "-p",
                                 str(project.root)], input="q\n")  # fmt: skip
    assert result.exit_code == 1
    assert ("The protocol asks for a third reviewer, and Ana screened all 2 open "
            "disagreements.") in result.stderr  # fmt: skip


def test_resolve_import_validates_then_writes(project, tmp_path):
    _setup(project)
    bad = tmp_path / "res.csv"
    with open(bad, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["record_id", "decision", "reason", "rationale"])
        w.writerow(["r1", "exclude", "Outside the date range", "agreed"])
        w.writerow(["r3", "include", "", "no conflict"])  # row 3: agreed already
        w.writerow(["r2", "kinda", "", ""])  # row 4
        w.writerow(["zz", "include", "", ""])  # row 5
    result = runner.invoke(app, ["resolve", "import", str(bad), "--stage", TA, "--resolver",
                                 "Cleo", "-p", str(project.root)])  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: res.csv: 3 problem(s); nothing was imported. Fix them and import again:",
        "  res.csv row 3: record r3 has no disagreement at title-abstract to resolve",
        "  res.csv row 4: decision 'kinda' is not one of include, exclude, maybe",
        "  res.csv row 5: unknown record_id 'zz'",
    ]
    assert not (project.data_dir / "resolutions").exists()
    good = tmp_path / "res2.csv"
    good.write_text("record_id,decision,reason,rationale\nr1,exclude,5,agreed\n,,,\n",
                    encoding="utf-8")  # fmt: skip
    result = runner.invoke(app, ["resolve", "import", str(good), "--stage", TA, "--resolver",
                                 "Cleo", "-p", str(project.root)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Imported 1 resolutions at title-abstract (0 unchanged, 1 blank rows)." in result.stdout
    assert final_decisions(project, TA)["r1"].reason == "wrong-date"
    again = runner.invoke(app, ["resolve", "import", str(good), "--stage", TA, "--resolver",
                                "Cleo", "-p", str(project.root)])  # fmt: skip
    assert "Imported 0 resolutions at title-abstract (1 unchanged, 1 blank rows)." in again.stdout


def test_interactive_resolve_takes_the_screeners_keys(project):
    _setup(project)
    # "e" then reason 5; then "3" = exclude with reason 3 in one key, as in the screener
    result = runner.invoke(app, ["resolve", "--stage", TA, "--resolver", "Cleo", "-p",
                                 str(project.root)], input="E\n5\nold\n3\nnot empirical\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = read_jsonl(project.data_dir / "resolutions" / "cleo.jsonl")
    assert [(x["record_id"], x["decision"], x["reason"]) for x in lines] == [
        ("r1", "exclude", "wrong-date"),
        ("r2", "exclude", "not-empirical"),
    ]
    res = runner.invoke(app, ["resolve", "--stage", TA, "--resolver", "Dan", "-p",
                              str(project.root)], input="")  # fmt: skip
    assert "No open disagreements" in res.stdout
