"""The team roster (issue 11): names not on protocols/protocol.yaml's team are refused; without
a roster a new name is confirmed at a terminal and `review status` warns; agreement statistics
leave partial reviewers out, and say so."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from review.cli import app
from review.errors import ReviewError
from review.screen import agreement
from review.screen.logs import ScreeningLog
from tests.helpers.screen import decide, make_clusters, set_protocol

TA = "title-abstract"
runner = CliRunner()


def _two_reviewers(project, n=20):
    """Ana and Ben decide every record; they disagree on a few (κ well below 1)."""
    make_clusters(project, n)
    for i in range(1, n + 1):
        a = "include" if i <= 6 else "exclude"
        b = "include" if i <= 4 or i in (7, 8) else "exclude"
        decide(project, "Ana", f"r{i}", a)
        decide(project, "Ben", f"r{i}", b)


def test_one_decision_reviewers_do_not_change_kappa_and_are_named(project):
    _two_reviewers(project)
    before = agreement(project, TA)
    assert before.stats.cohen_kappa is not None
    assert 0.3 < before.stats.cohen_kappa < 0.9 and before.reviewers_left_out == ()
    for k, name in enumerate(("Anna", "Benn", "Bn", "Ana S", "x"), start=1):
        decide(project, name, f"r{k}", "exclude" if k <= 4 else "include")
    after = agreement(project, TA)
    assert after.stats.cohen_kappa == before.stats.cohen_kappa
    assert after.reviewers == ("Ana", "Ben")
    assert [d.reviewer for d in after.reviewers_left_out] == [
        "Ana S",
        "Anna",
        "Benn",
        "Bn",
        "x",
    ]
    assert after.reviewers_left_out[0].why == "partial (1/20)"
    everyone = agreement(project, TA, all_reviewers=True)
    assert everyone.stats.cohen_kappa != before.stats.cohen_kappa
    status = runner.invoke(app, ["status", "-p", str(project.root)])
    assert "warning: Anna left out of the agreement statistics (partial (1/20))" in status.stdout
    cli = runner.invoke(app, ["disagreements", "--stage", TA, "-p", str(project.root)])
    assert "Left out of the statistics: Anna (partial (1/20))" in cli.stdout


def test_in_progress_screening_keeps_both_main_reviewers(project):
    make_clusters(project, 20)
    for i in range(1, 11):
        decide(project, "Ana", f"r{i}", "include" if i % 3 else "exclude")
    for i in range(1, 7):
        decide(project, "Ben", f"r{i}", "include")
    decide(project, "Stray", "r1", "exclude")
    a = agreement(project, TA)
    assert a.reviewers == ("Ana", "Ben")
    assert [d.reviewer for d in a.reviewers_left_out] == ["Stray"]


def test_roster_refuses_other_names_everywhere(project, tmp_path):
    make_clusters(project, 3)
    project = set_protocol(project, reviewers=["anat", "marina"])
    with pytest.raises(ReviewError, match=r"'anta' is not on the team .* Did you mean 'anat'\?"):
        ScreeningLog(project, "anta").decide("r1", TA, "include")
    sheet = tmp_path / "d.csv"
    sheet.write_text("record_id,decision\nr1,include\n", encoding="utf-8")
    res = runner.invoke(app, ["screen", "import", str(sheet), "--stage", TA, "--reviewer",
                              "Marina", "-p", str(project.root)])  # fmt: skip
    assert res.exit_code == 1
    assert "'Marina' is not on the team" in res.stderr and "Did you mean 'marina'?" in res.stderr
    assert not (project.data_dir / "screening").exists()
    pairs = tmp_path / "p.csv"
    pairs.write_text("record_id_a,record_id_b,verdict\nr1,r2,same\n", encoding="utf-8")
    res = runner.invoke(app, ["dedup", "import", str(pairs), "--reviewer", "bob",
                              "-p", str(project.root)])  # fmt: skip
    assert res.exit_code == 1 and "'bob' is not on the team" in res.stderr
    assert not (project.data_dir / "dedup").exists()


def test_stage_roster_and_consensus_resolver(project):
    from review.people import check_roster

    make_clusters(project, 2)
    project = set_protocol(
        project, reviewers=["anat", "marina"], full_text__reviewers=["anat", "cleo"]
    )
    check_roster(project.protocol, "cleo", "screening", "full-text")
    with pytest.raises(ReviewError, match=r"stages.full-text.reviewers: anat, cleo"):
        check_roster(project.protocol, "marina", "screening", "full-text")
    check_roster(project.protocol, "consensus", "resolving")  # the agreed outcome
    check_roster(project.protocol, "cleo", "resolving")  # on a stage roster: on the team
    with pytest.raises(ReviewError, match="cannot resolve disagreements"):
        check_roster(project.protocol, "zed", "resolving")


def test_new_name_is_confirmed_at_a_terminal_without_roster(project, monkeypatch):
    import review.cli.common as common

    make_clusters(project, 2)
    decide(project, "Ana", "r1", "include")
    monkeypatch.setattr(common, "interactive", lambda: True)
    argv = ["screen", "--stage", TA, "--reviewer", "Anaa", "--line", "-p", str(project.root)]
    res = runner.invoke(app, argv, input="n\ni\nq\n")
    assert res.exit_code == 1
    assert "'Anaa' has recorded nothing here yet (so far: 'Ana')" in res.stderr
    assert not (project.data_dir / "screening" / "anaa.jsonl").exists()
    res = runner.invoke(app, argv, input="y\ni\nq\n")
    assert res.exit_code == 0, res.output
    assert (project.data_dir / "screening" / "anaa.jsonl").exists()
    # a known name is not asked again
    res = runner.invoke(app, [*argv[:4], "Ana", *argv[5:]], input="q\n")
    assert "recorded nothing" not in res.stderr


def test_status_warns_without_roster(project):
    make_clusters(project, 2)
    decide(project, "Ana", "r1", "include")
    res = runner.invoke(app, ["status", "-p", str(project.root)])
    assert "warning: protocols/protocol.yaml lists no team (reviewers:)" in res.stdout
    assert "decisions so far come from 1 name(s): Ana" in res.stdout


def test_import_and_attach_by_a_name_off_the_roster_are_refused(project, tmp_path):
    project = set_protocol(project, reviewers=["Ana Silva", "Ben"])
    export = tmp_path / "s.ris"
    export.write_text("TY  - JOUR\nTI  - A title\nER  - \n", encoding="utf-8")
    res = runner.invoke(
        app, ["import", str(export), "--source", "S", "--by", "Anna", "-p", str(project.root)]
    )
    assert res.exit_code == 1
    assert "'Anna' is not on the team" in res.stderr and "import search exports" in res.stderr
    assert not list((project.root / "data" / "imports").glob("*/*"))
    ok = runner.invoke(
        app, ["import", str(export), "--source", "S", "--by", "Ben", "-p", str(project.root)]
    )
    assert ok.exit_code == 0, ok.output
    (tmp_path / "pdfs").mkdir()
    res = runner.invoke(
        app, ["fulltext", "attach", str(tmp_path / "pdfs"), "--by", "Zed", "-p", str(project.root)]
    )
    assert res.exit_code == 1 and "attach full texts" in res.stderr
