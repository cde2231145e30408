"""review/screen/memo.py: one command reads each log and each stage once, and sees every change."""

from __future__ import annotations

from review.dedup import load_clusters
from review.screen import final_decisions
from review.screen.cache import cluster_index
from review.screen.final import stage_state
from review.screen.memo import file_key, remembered
from tests.helpers.screen import decide, make_clusters

TA = "title-abstract"


def test_a_stage_is_read_once_until_a_log_changes(project):
    make_clusters(project, 3)
    decide(project, "Ana", "r1", "include")
    decide(project, "Ben", "r1", "include")
    first = stage_state(project, TA)
    assert stage_state(project, TA) is first
    # the project's own clusters, passed in, are the same state
    assert stage_state(project, TA, cluster_index(project)) is first
    assert stage_state(project, TA, load_clusters(project)) is first
    assert final_decisions(project, TA)["r1"].via == "agreement"
    finals = final_decisions(project, TA)
    finals.clear()  # each caller gets its own dict
    assert final_decisions(project, TA)["r1"].via == "agreement"
    decide(project, "Ben", "r1", "exclude")
    assert stage_state(project, TA) is not first
    assert final_decisions(project, TA)["r1"].via == "conflict"


def test_a_same_size_rewrite_of_a_small_file_is_seen(tmp_path, project):
    path = tmp_path / "log.jsonl"
    path.write_text("include\n", encoding="utf-8")
    calls = []

    def build():
        calls.append(1)
        return path.read_text(encoding="utf-8")

    assert remembered(project, ("x",), file_key(path), build) == "include\n"
    assert remembered(project, ("x",), file_key(path), build) == "include\n"
    path.write_text("exclude\n", encoding="utf-8")  # same size, maybe the same mtime tick
    assert remembered(project, ("x",), file_key(path), build) == "exclude\n"
    assert len(calls) == 2
    path.unlink()
    assert file_key(path) == (str(path), None)
