"""Logs with much to parse, parsed at once in worker processes (review/screen/logahead.py): the
same decisions, problems and cache files as parsed one after the other here."""

from __future__ import annotations

import sys

import pytest

from review.project import Project
from review.screen.cache import log_cache_path, parsed_size, read_log
from review.screen.logs import read_decisions
from tests.helpers.screen import decide, make_clusters, retract
from tests.helpers.workers import started_workers

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the workers are forked only on Linux"
)
TA = "title-abstract"


def _logs(project) -> list:
    make_clusters(project, 6)
    for i in range(1, 7):
        decide(project, "Ana", f"r{i}", "include" if i % 2 else "exclude")
        decide(project, "Ben", f"r{i}", "include")
        decide(project, "Cy", f"r{i}", "maybe")
    retract(project, "Ana", "r1")
    with open(project.data_dir / "screening" / "ben.jsonl", "a", encoding="utf-8") as fh:
        fh.write("not json\n")
    return sorted((project.data_dir / "screening").glob("*.jsonl"))


def _read(root, monkeypatch, workers: str) -> tuple:
    monkeypatch.setenv("REVIEW_WORKERS", workers)
    project = Project.open(root)
    problems: list = []
    decisions = read_decisions(project, TA, _clusters(project), problems)
    return decisions, [str(p) for p in problems]


def _clusters(project):
    from review.screen.cache import cluster_index

    return cluster_index(project)


def test_logs_parsed_in_workers_read_the_same(project, monkeypatch) -> None:
    paths = _logs(project)
    monkeypatch.setattr("review.screen.logahead.MIN_AHEAD", 1)
    serial = _read(project.root, monkeypatch, "0")
    kept = {p: log_cache_path(project, p, "decide").read_bytes() for p in paths}
    for p in paths:
        log_cache_path(project, p, "decide").unlink()
    started = started_workers(monkeypatch)
    ahead = _read(project.root, monkeypatch, "2")
    assert len(started) == 2
    assert ahead == serial
    assert {p: log_cache_path(project, p, "decide").read_bytes() for p in paths} == kept
    assert all(parsed_size(log_cache_path(project, p, "decide")) == p.stat().st_size for p in paths)


def test_nothing_left_to_parse_starts_no_worker(project, monkeypatch) -> None:
    _logs(project)
    monkeypatch.setattr("review.screen.logahead.MIN_AHEAD", 1)
    first = _read(project.root, monkeypatch, "2")
    started = started_workers(monkeypatch)
    assert _read(project.root, monkeypatch, "2") == first  # every cache is up to date
    assert started == []


def test_a_failing_worker_leaves_the_reading_here(project, monkeypatch) -> None:
    paths = _logs(project)
    monkeypatch.setattr("review.screen.logahead.MIN_AHEAD", 1)
    serial = _read(project.root, monkeypatch, "0")
    for p in paths:
        log_cache_path(project, p, "decide").unlink()

    def broken(*_a):
        raise RuntimeError("a worker's parse failed")

    monkeypatch.setattr("review.screen.logahead._parse", broken)
    assert _read(project.root, monkeypatch, "2") == serial
    state = read_log(Project.open(project.root), paths[0], "decide")
    assert state.size == paths[0].stat().st_size
