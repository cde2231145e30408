"""`review status`: typed stage results (frozen dataclasses) and the JSON they print."""

from __future__ import annotations

import dataclasses
import json

import pytest
from typer.testing import CliRunner

from review.cli import app
from review.cli.status_view import status_json
from review.project import Project
from review.status import collect_status
from tests.helpers.screen import decide, make_clusters

runner = CliRunner()


@pytest.mark.slow  # needs the demo (session fixture); CI runs it with pytest -m slow
def test_status_json_is_the_typed_status_of_the_demo(demo_run) -> None:
    root = demo_run.root
    result = runner.invoke(app, ["status", "--json", "--project", str(root)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    status = collect_status(Project.open(root))
    # the library's typed status, with the lines the CLI words for each section
    assert data == status_json(status)
    assert {k: v for k, v in data["dedup"].items() if k != "lines"} == status.to_json()["dedup"]
    assert list(data) == ["project", "title", "imports", "dedup", "screening", "charting"]
    assert list(data["dedup"]) == [
        "done",
        "main_records",
        "clusters",
        "removed_automatic",
        "removed_manual",
        "queued",
        "verdict_conflicts",
        "overlap",
        "lines",
    ]
    assert list(data["screening"]) == ["stages", "roster", "fulltexts", "lines"]
    # the typed fields hold what the JSON shows
    assert status.imports.records == data["imports"]["records"] == 7299
    web = status.imports.by_source[0]
    assert (web.source, web.kind, web.files, web.records) == ("Web of Science", "database", 3, 2650)
    assert [s.to_json() for s in status.imports.by_source] == data["imports"]["by_source"]
    assert status.dedup.counts is not None and status.dedup.done
    assert status.dedup.counts.removed_automatic == data["dedup"]["removed_automatic"] == 3314
    assert {row.source for row in status.dedup.counts.overlap} == {
        row["source"] for row in data["dedup"]["overlap"]
    }
    ta = status.screening.stages["title-abstract"]
    assert ta.eligible == 3794 and ta.open_disagreements == 0
    assert (
        ta.kappa_ci95 is not None
        and list(ta.kappa_ci95) == (data["screening"]["stages"]["title-abstract"]["kappa_ci95"])
    )
    assert status.screening.roster == ("anat", "marina")
    ft = status.screening.fulltexts
    assert ft is not None and (ft.attached, ft.counts["text"], ft.counts["no-text"]) == (46, 45, 1)
    assert status.charting.final == "consensus" and status.charting.included_reports == 45
    assert status.charting.reviewers["anat"].reports_charted == 45


def test_status_results_are_frozen_with_tuples(project) -> None:
    status = collect_status(project)
    for part in (status, status.imports, status.dedup, status.screening, status.charting):
        first = dataclasses.fields(part)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(part, first, None)
    assert isinstance(status.imports.by_source, tuple)
    # status values are data: the CLI words them (review/cli/status_view.py)
    assert not any(hasattr(p, "lines") for p in (status.imports, status.dedup, status.screening))
    assert not hasattr(status.charting, "lines")
    assert status.dedup.counts is None and not status.dedup.done
    assert status.screening.roster is None and status.screening.stages == {}


def test_status_json_of_a_new_project_leaves_out_what_has_not_happened(project) -> None:
    from review.cli.status_view import status_json

    data = status_json(collect_status(project))
    assert data["dedup"] == {"done": False, "lines": ["Not deduplicated yet: run `review dedup`."]}
    # the library's own JSON is data only: the CLI adds the lines it words
    assert "lines" not in collect_status(project).to_json()["dedup"]
    assert list(data["screening"]) == ["stages", "lines"]
    assert data["charting"] == {
        "included_reports": None,
        "reviewers": {},
        "final": None,
        "lines": ["No charting imported yet (charting starts after full-text screening)."],
    }
    assert data["imports"]["by_branch"] == {"main": 0, "other": 0}


def test_screening_status_json_per_stage(project) -> None:
    make_clusters(project, 4)
    decide(project, "Ana", "r1", "include")
    decide(project, "Ana", "r2", "exclude")
    decide(project, "Ben", "r1", "exclude")
    decide(project, "Ben", "r2", "exclude")
    result = runner.invoke(app, ["status", "--json", "--project", str(project.root)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["screening"]
    assert list(data) == ["stages", "roster", "lines"]  # no full text attached: no "fulltexts"
    assert data["roster"] == []
    ta = data["stages"]["title-abstract"]
    assert ta == {
        "eligible": 4,
        "final_decided": 1,
        "final_status": {
            "agreement": 1,
            "resolution": 0,
            "single": 0,
            "pending": 2,
            "conflict": 1,
            "forwarded": 0,
        },
        "screened_by_reviewer": {"Ana": 2, "Ben": 2},
        "open_disagreements": 1,
        "cohen_kappa": 0.0,  # po 0.5 = pe 0.5: Ben excluded both
        "kappa_ci95": [0.0, 0.0],
        "percent_agreement": 0.5,
        "log_problems": [],
        "reviewers_left_out": [],
    }
    typed = collect_status(Project.open(project.root)).screening.stages["title-abstract"]
    assert typed.to_json() == ta
    assert (typed.open_disagreements, typed.kappa_ci95) == (1, (0.0, 0.0))
