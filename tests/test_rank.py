"""Prioritised screening: metrics arithmetic, the stopping test against exact integer tails, `review simulate`'s
file contract, and the stopping phase read back from the logs."""

from __future__ import annotations

import csv
import json
import math
import random
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from review.cli import app
from review.rank import metrics
from review.rank.stopping import (
    first_rejection,
    hypergeom_cdf,
    k_target,
    more_needed,
    p_value,
    stop_test,
)
from tests.helpers.screen import decide, make_clusters

TA = "title-abstract"


# ---- metrics on hand-computed orders ---------------------------------------------------------
def test_wss_rrf_hand_computed():
    # 20 records, 4 includes at positions 1, 3, 6, 15
    labels = [0] * 20
    for pos in (1, 3, 6, 15):
        labels[pos - 1] = 1
    # 95 % of 4 = 3.8 -> 4 includes needed: read 15 -> (20 - 15)/20 - 0.05 = 0.20
    assert metrics.records_to_recall(labels, 0.95) == 15
    assert metrics.wss(labels, 0.95) == pytest.approx(0.20)
    # WSS@100: (20 - 15)/20 - 0 = 0.25
    assert metrics.wss(labels, 1.0) == pytest.approx(0.25)
    # 75 % -> 3 includes -> position 6: (20 - 6)/20 - 0.25 = 0.45
    assert metrics.wss(labels, 0.75) == pytest.approx(0.45)
    # RRF@10: first ceil(2.0) = 2 records hold 1 of 4 includes
    assert metrics.rrf(labels, 10) == pytest.approx(0.25)
    # RRF@20: first 4 records hold 2 of 4
    assert metrics.rrf(labels, 20) == pytest.approx(0.5)
    s = metrics.summary(labels)
    assert (s.n_records, s.n_included, s.screened_to_find_all) == (20, 4, 15)


def test_wss_of_perfect_and_worst_orders():
    perfect = [1] * 5 + [0] * 95
    assert metrics.wss(perfect, 0.95) == pytest.approx((100 - 5) / 100 - 0.05)
    worst = [0] * 95 + [1] * 5
    assert metrics.wss(worst, 1.0) == pytest.approx(0.0)
    assert metrics.recall_curve([0, 1, 0, 1]) == [0.0, 0.5, 0.5, 1.0]
    with pytest.raises(ValueError):
        metrics.wss([0, 0], 0.95)


# ---- the stopping test against scipy ---------------------------------------------------------
@pytest.mark.parametrize(
    ("urn", "n", "k", "r", "recall"),
    [
        (660, 100, 0, 19, 0.95),
        (660, 573, 1, 19, 0.95),
        (200, 50, 2, 30, 0.9),
        (1000, 300, 0, 5, 0.95),
        (50, 50, 0, 10, 0.95),
        (80, 10, 3, 0, 0.8),
    ],
)
def test_p_value_matches_scipy(urn, n, k, r, recall):
    stats = pytest.importorskip("scipy.stats")
    big_k = k_target(r, k, recall)
    # K_tar = floor((r + k)/recall - r + 1), the paper's equation
    assert big_k == int((r + k) / recall - r + 1)
    expected = 0.0 if big_k > urn else stats.hypergeom.cdf(k, urn, big_k, n)
    assert p_value(urn, n, k, r, recall) == pytest.approx(expected, rel=1e-9, abs=1e-12)


def _exact_cdf(k: int, population: int, successes: int, draws: int) -> float:
    """P(X ≤ k) in exact integers: how review computed the tail before scipy (the reference)."""
    if successes > population:
        return 0.0
    lo, hi = max(0, draws - (population - successes)), min(k, successes, draws)
    hits = sum(
        math.comb(successes, i) * math.comb(population - successes, draws - i)
        for i in range(lo, hi + 1)
    )
    return float(Fraction(hits, math.comb(population, draws)))


# The stated tolerance: scipy's (Boost's) tail agrees with the exact one to 1e-9 relative, or to
# 1e-12 absolute for p-values that small (far below any alpha a review uses).
CDF_TOLERANCE = {"rel": 1e-9, "abs": 1e-12}


def test_hypergeom_cdf_equals_the_exact_integer_tails_on_a_grid():
    grid = [
        (k, pop, succ, draws)
        for pop in (1, 7, 50, 660, 2000)
        for succ in sorted({0, 1, 3, pop // 10, pop // 2, pop})
        for draws in sorted({0, 1, pop // 4, pop // 2, pop - 1, pop})
        for k in sorted({0, 1, 2, succ // 3, succ})
        if 0 <= draws <= pop and k <= draws
    ]
    assert len(grid) > 300
    for case in grid:
        assert hypergeom_cdf(*case) == pytest.approx(_exact_cdf(*case), **CDF_TOLERANCE), case
    rng = random.Random(7)
    for _ in range(200):
        pop = rng.randint(1, 400)
        succ, draws = rng.randint(0, pop), rng.randint(0, pop)
        k = rng.randint(0, draws)
        assert hypergeom_cdf(k, pop, succ, draws) == pytest.approx(
            _exact_cdf(k, pop, succ, draws), **CDF_TOLERANCE
        )
    assert hypergeom_cdf(0, 5, 6, 2) == 0.0  # an urn that cannot hold the includes


def test_large_urns_equal_the_exact_tails_and_more_needed_is_fast():
    import time

    rng = random.Random(5)
    for _ in range(12):
        pop = rng.randint(5001, 100_000)
        succ = rng.randint(1, 60)
        draws = rng.randint(0, pop // 20)
        k = rng.randint(0, min(succ, draws))
        assert hypergeom_cdf(k, pop, succ, draws) == pytest.approx(
            _exact_cdf(k, pop, succ, draws), **CDF_TOLERANCE
        )
    t = time.perf_counter()
    need = more_needed(100_000, 5000, 3, 100, 0.95, 0.95)
    assert need is not None and time.perf_counter() - t < 2
    assert (
        p_value(100_000, 5000 + need, 3, 100, 0.95)
        < 0.05
        <= p_value(100_000, 5000 + need - 1, 3, 100, 0.95)
    )


def test_first_rejection_is_the_first_record_after_which_the_test_rejects():
    rng = random.Random(11)
    for _ in range(25):
        urn = rng.randint(1, 200)
        sample = [1 if rng.random() < rng.choice((0.0, 0.01, 0.05, 0.2)) else 0 for _ in range(urn)]
        r = rng.randint(0, 40)
        scan, k = None, 0
        for m, x in enumerate(sample, start=1):  # the test after every sampled record
            k += x
            if p_value(urn, m, k, r, 0.95) < 0.05:
                scan = m
                break
        assert first_rejection(urn, sample, r, 0.95, 0.95) == scan


def test_more_needed_is_the_first_rejecting_sample_size():
    urn, r, recall, conf = 500, 20, 0.95, 0.95
    need = more_needed(urn, 10, 0, r, recall, conf)
    assert need is not None and need > 0
    assert p_value(urn, 10 + need, 0, r, recall) < 0.05
    assert p_value(urn, 10 + need - 1, 0, r, recall) >= 0.05
    t = stop_test(urn, [0] * (10 + need), r, recall, conf)
    assert t.safe_to_stop and t.more_to_screen == 0
    # nothing found anywhere: only the whole urn rejects (K = 1 include could hide in it)
    assert more_needed(10, 0, 0, 0, 0.95, 0.95) == 10


# ---- review simulate: the file contract ------------------------------------------------------
def synthetic_csv(path: Path, n: int = 60, n_inc: int = 8, seed: int = 3) -> Path:
    rng = random.Random(seed)
    topic = "peer advocacy parents child protection programme evaluation".split()
    other = "tonsillectomy analgesia children hospital anaesthesia dosage trial".split()
    rows = []
    for i in range(n):
        inc = i % (n // n_inc) == 0 and len([r for r in rows if r[3] == 1]) < n_inc
        words = topic if inc else other
        title = " ".join(rng.choices(words, k=6))
        abstract = " ".join(rng.choices(words + other, k=40))
        rows.append((f"T{i}: {title}", abstract, f"Doe, J{i}", 1 if inc else 0))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["title", "abstract", "authors", "label_included"])
        w.writerows(rows)
    return path


def test_simulate_contract(tmp_path):
    src = synthetic_csv(tmp_path / "labelled.csv")
    out = tmp_path / "sim"
    res = CliRunner().invoke(
        app, ["simulate", str(src), "--seed", "2", "--stop", "-o", str(out), "--quiet"]
    )
    assert res.exit_code == 0, res.output
    with open(out / "order.csv", newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0])[:4] == ["position", "record_id", "source_position", "label"]
    assert [int(r["position"]) for r in rows] == list(range(1, 61))
    assert sorted(int(r["source_position"]) for r in rows) == list(range(1, 61))
    assert len({r["record_id"] for r in rows}) == 60
    # priors first: one included, one excluded
    assert sorted(int(r["label"]) for r in rows[:2]) == [0, 1]
    assert [r["prior"] for r in rows[:3]] == ["1", "1", "0"]
    labels = [int(r["label"]) for r in rows]
    m = json.loads((out / "metrics.json").read_text())
    assert m["n_records"] == 60 and m["n_included"] == 8
    assert m["wss95"] == pytest.approx(round(metrics.wss(labels, 0.95), 4))
    assert m["screened_to_find_all"] == metrics.records_to_recall(labels, 1.0)
    # the topic words separate the classes: the model finds every include early
    assert m["screened_to_find_all"] <= 15
    assert set(m["stop"]) >= {"screened", "recall", "p_value"}
    assert 0 < m["stop"]["screened"] <= 60
    assert (out / "recall.png").read_bytes()[:4] == b"\x89PNG"
    # same seed, same order (the library call the command makes)
    from review.rank.simulate import rank_order, read_labelled

    data = read_labelled(src)
    order, n_priors = rank_order(data.texts, data.labels, seed=2)
    assert n_priors == 2
    assert [data.positions[i] for i in order] == [int(r["source_position"]) for r in rows]


def test_simulation_metrics_are_what_metrics_json_holds(tmp_path):
    """The typed result of write_outputs: its JSON is metrics.json and `simulate --json`."""
    from review.rank.simulate import simulate, write_outputs

    src = synthetic_csv(tmp_path / "labelled.csv", n=30, n_inc=4)
    data, sim = simulate(src, seed=1, stop=True)
    got = write_outputs(data, sim, tmp_path / "lib", seed=1, model="svm-df1")
    on_disk = (tmp_path / "lib" / "metrics.json").read_text(encoding="utf-8")
    assert on_disk == json.dumps(got.to_json(), indent=2, ensure_ascii=False) + "\n"
    assert got.order == metrics.summary(sim.ordered_labels()) and got.n_priors == 2
    assert list(got.to_json())[:8] == [
        "n_records", "n_included", "wss95", "wss100", "rrf10", "screened_to_find_95",
        "screened_to_find_all", "seed",
    ]  # fmt: skip
    assert got.stop is not None and got.stop.screened == sim.stop_screened
    assert got.stop.sampled == (None if sim.stop is None else sim.stop.sampled)
    res = CliRunner().invoke(
        app, ["simulate", str(src), "--seed", "1", "--stop", "-o", str(tmp_path / "cli"), "--json"]
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == json.loads(on_disk)
    assert (tmp_path / "cli" / "metrics.json").read_text(encoding="utf-8") == on_disk


def test_simulate_missing_label_column_is_a_clear_error(tmp_path):
    src = tmp_path / "nolabel.csv"
    src.write_text("title,abstract\nA,b\nC,d\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["simulate", str(src), "-o", str(tmp_path / "o")])
    assert res.exit_code == 1
    assert "has no 'label_included' column" in res.stderr
    assert "--label-column" in res.stderr
    assert not (tmp_path / "o").exists()


def test_simulate_bad_label_value(tmp_path):
    src = tmp_path / "bad.csv"
    src.write_text("title,abstract,inc\nA,b,1\nC,d,perhaps\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["simulate", str(src), "--label-column", "inc"])
    assert res.exit_code == 1
    assert "record 2: inc is 'perhaps'" in res.stderr


# ---- the stopping phase from the logs --------------------------------------------------------
def _single_screening(project):
    """The project with one reviewer per record at title/abstract (a fresh Project object:
    the protocol is read once per object)."""
    from review.project import Project

    text = project.protocol_path.read_text(encoding="utf-8")
    text = text.replace("reviewers_per_record: 2", "reviewers_per_record: 1", 1)
    project.protocol_path.write_text(text, encoding="utf-8")
    fresh = Project.open(project.root)
    assert fresh.protocol.stage(TA).reviewers_per_record == 1
    return fresh


def test_stopping_phase_from_logs(project):
    from review.rank import phase

    ids = make_clusters(project, 40)
    dual = project
    assert dual.protocol.stage(TA).reviewers_per_record == 2  # read before the edit below
    project = _single_screening(project)
    for cid in ids[:10]:  # ranked phase: 3 relevant among 10
        decide(project, "Ana", cid, "include" if cid in ("r1", "r2", "r5") else "exclude")
    rep = phase.report(project, TA, "Ana")
    assert rep.sample is None and not rep.safe_to_stop
    assert rep.screened == 10 and rep.relevant_found == 3
    line = phase.start_sample(project, TA, "Ana", seed=4)
    assert line.urn == 30 and line.ranked_relevant == 3
    with pytest.raises(Exception, match="already started"):
        phase.start_sample(project, TA, "Ana", seed=4)
    urn = phase.sample_order([c for c in ids if c not in ids[:10]], "Ana", TA, 4)
    for cid in urn[:12]:
        decide(project, "Ana", cid, "exclude")
    decide(project, "Ana", urn[20], "exclude")  # out of the sample's order: not counted
    decide(project, "Ben", urn[12], "include")  # another reviewer: never counted
    rep = phase.report(project, TA, "Ana")
    assert rep.sample is not None
    t = rep.sample.test
    assert (t.urn, t.sampled, t.sample_includes, t.ranked_includes) == (30, 12, 0, 3)
    assert t.p_value == pytest.approx(p_value(30, 12, 0, 3, 0.95))
    assert rep.sample.decided_out_of_order == 1 and rep.sample.warnings
    if not rep.safe_to_stop:
        with pytest.raises(Exception, match="does not allow stopping"):
            phase.record_stop(project, TA, "Ana", "Cleo")
    for cid in urn[12:20]:
        decide(project, "Ana", cid, "exclude")
    rep = phase.report(project, TA, "Ana")
    assert rep.sample is not None
    assert rep.sample.test.sampled == 21  # the prefix now reaches past urn[20]
    assert rep.safe_to_stop == (p_value(30, 21, 0, 3, 0.95) < 0.05)
    # under dual screening one reviewer's sample cannot stop the stage (issue 20)
    with pytest.raises(Exception, match="asks for 2 reviewers per record"):
        phase.record_stop(dual, TA, "Ana", "Cleo")
    assert not (project.data_dir / "stopping").exists()


def test_hand_edited_sample_line_reads_with_defaults(project):
    """A stop-sample line without seed, urn or time: seed 0, no urn check, no start time."""
    from review.io.files import append_jsonl
    from review.rank import phase
    from review.screen.logs import reviewer_log_path

    ids = make_clusters(project, 8)
    decide(project, "Ana", ids[0], "include")
    append_jsonl(reviewer_log_path(project, "Ana"), [{"op": phase.SAMPLE_OP, "stage": TA}])
    got = phase.read_phase(project, TA, "Ana")
    assert got.started == phase.SampleLine(seed=0, urn=None, at=None)
    assert got.urn == phase.sample_order(ids[1:], "Ana", TA, 0)
    rep = phase.report(project, TA, "Ana")
    assert rep.sample is not None and rep.sample.warnings == ()
    assert rep.sample.started_at is None and rep.sample.urn_at_start_logged is None
    with pytest.raises(Exception, match=r"already started the random sample at .* \(\?\)"):
        phase.start_sample(project, TA, "Ana")
    line = {"op": phase.SAMPLE_OP, "seed": 3, "urn": 7, "at": "2026-02-01T00:00:00Z"}
    assert phase.SampleLine.from_line(line) == phase.SampleLine(3, 7, "2026-02-01T00:00:00Z")


def test_stopping_cli_json(project):
    make_clusters(project, 5)
    decide(project, "Ana", "r1", "include")
    res = CliRunner().invoke(
        app, ["stopping", "--stage", TA, "--reviewer", "Ana", "--json", "-p", str(project.root)]
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["screened"] == 1 and out["test"] is None
    assert out["heuristics"]["note"].startswith("heuristics only")


# ---- ranked screening in the screener --------------------------------------------------------
def topic_project(project, n: int = 30, topical: int = 6) -> tuple[list[str], list[str]]:
    """Import ``n`` records for real (one cluster each); the first ``topical`` are on topic.
    Returns (on-topic ids, off-topic ids)."""
    from review.importer import import_files
    from tests.helpers.screen import ClusterRow, clusters_path, write_clusters

    src = project.root.parent / "export.csv"
    with open(src, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["title", "abstract", "authors", "year"])
        for i in range(n):
            if i < topical:
                t = f"Parent peer advocacy in child protection, study {i}"
                a = "Parents with lived experience mentor parents in child protection services."
            else:
                t = f"Analgesia after tonsillectomy in children, trial {i}"
                a = "Randomised trial of clonidine against fentanyl for pain after surgery."
            w.writerow([t, a, f"Author{i}, A", 2000 + i])
    import_files(project, [src], source="DB", kind="database")
    project.invalidate()
    recs = project.records()
    write_clusters(
        clusters_path(project),
        [ClusterRow(r.record_id, r.record_id, r.source, r.source_position, "", "unique", "main",
                    r.title) for r in recs],
    )  # fmt: skip
    ids = [r.record_id for r in recs]
    return ids[:topical], ids[topical:]


def test_relevance_order_and_blinding(project):
    from review.screen.session import ScreeningSession

    topic, other = topic_project(project)
    decide(project, "Ana", topic[0], "include")
    for cid in other[:3]:
        decide(project, "Ana", cid, "exclude")
    s1 = ScreeningSession(project, TA, "Ana", order="relevance", background=False)
    q1 = list(s1.queue)
    # decided records first, then the on-topic ones before every off-topic one
    assert q1[:4] == [topic[0], *other[:3]]
    assert set(q1[4:9]) == set(topic[1:])
    assert s1.item().cluster_id in topic[1:]
    assert s1.ranker.latest.mode == "model"
    assert s1.ranking_status().startswith("1 includes found")
    s1.close()
    # another reviewer's log (the opposite decisions on everything) changes nothing for Ana
    for cid in topic:
        decide(project, "Ben", cid, "exclude")
    for cid in other:
        decide(project, "Ben", cid, "include")
    s2 = ScreeningSession(project, TA, "Ana", order="relevance", background=False)
    assert s2.queue == q1
    # decide, then undo: back on the same record, re-ranked without that decision
    cid = s2.item().cluster_id
    s2.decide("include")
    assert s2.ranking_status().startswith("2 includes found")
    assert s2.undo() == cid and s2.item().cluster_id == cid
    assert list(s2.queue) == q1
    s2.close()


def test_relevance_before_the_first_include_uses_the_protocol_query(project):
    from review.screen.session import ScreeningSession
    from tests.helpers.screen import set_protocol

    topic, _other = topic_project(project)
    project = set_protocol(project, keywords={"include": ["advoca*", "mentor*"], "exclude": []})
    s = ScreeningSession(project, TA, "Cleo", order="relevance", background=False)
    assert s.ranker.latest.mode == "query"
    assert set(s.queue[:6]) == set(topic)
    s.close()


@pytest.mark.slow  # starts the ranking worker process (a fresh interpreter importing sklearn)
def test_background_ranking_is_adopted_on_the_next_key(project):
    import time

    from review.screen.session import ScreeningSession

    topic, other = topic_project(project)
    decide(project, "Ana", topic[0], "include")
    decide(project, "Ana", other[0], "exclude")
    s = ScreeningSession(project, TA, "Ana", order="relevance")
    first = s.item().cluster_id  # shown at once, before any ranking is ready
    deadline = time.monotonic() + 60
    while s.ranker.latest is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert s.ranker.latest is not None, s.ranker.error
    assert s.ranker.latest.mode == "model" and s.ranker.error is None
    assert s.item().cluster_id == first  # the record on screen does not change by itself
    s.decide("exclude")
    assert s.queue is s.ranker.latest.queue or s.ranker.latest.version > 1
    assert s.item().cluster_id in topic[1:]
    s.close()


@pytest.mark.slow  # starts the ranking worker process
def test_ranking_starts_while_textual_captures_stderr(project, monkeypatch):
    """Textual's captured ``sys.stderr`` has no file descriptor (``fileno()`` -1): the worker's
    spawn, the first of the process, failed with "bad value(s) in fds_to_keep" when the app
    was already running (100,000 records) and the screener never got a ranking."""
    import sys
    import time
    from multiprocessing import resource_tracker

    from review.screen.session import ScreeningSession

    class Captured:  # what Textual's App puts in sys.stderr while it runs
        def write(self, text: str) -> int:
            return len(text)

        def flush(self) -> None:
            pass

        def fileno(self) -> int:
            return -1

    fresh = resource_tracker.ResourceTracker()  # as in a process that has not spawned yet
    monkeypatch.setattr(resource_tracker, "_resource_tracker", fresh)
    monkeypatch.setattr(resource_tracker, "ensure_running", fresh.ensure_running)
    monkeypatch.setattr(resource_tracker, "getfd", fresh.getfd)
    topic, other = topic_project(project)
    decide(project, "Ana", topic[0], "include")
    decide(project, "Ana", other[0], "exclude")
    monkeypatch.setattr(sys, "stderr", Captured())
    s = ScreeningSession(project, TA, "Ana", order="relevance")
    deadline = time.monotonic() + 60
    while s.ranker.latest is None and s.ranker.error is None and time.monotonic() < deadline:
        time.sleep(0.05)
    s.close()
    assert s.ranker.error is None and s.ranker.latest is not None


def test_sample_order_after_start(project):
    from review.rank import phase
    from review.screen.session import ScreeningSession

    ids = make_clusters(project, 12)
    decide(project, "Ana", ids[0], "include")
    phase.start_sample(project, TA, "Ana", seed=1)
    s = ScreeningSession(project, TA, "Ana", order="relevance", records=_NoRecords())
    urn = phase.read_phase(project, TA, "Ana").urn
    assert s.order == "sample" and s.queue[:11] == urn
    assert s.item().cluster_id == urn[0]
    assert s.ranking_status().startswith("stopping test: random sample 0/11")
    s.decide("exclude")
    assert s.item().cluster_id == urn[1]
    s.close()


class _NoRecords:
    def get(self, _cid):
        return None

    def close(self):
        pass


# ---- PRISMA: records nobody screened after a recorded stop ----------------------------------
def test_prisma_counts_with_automated_exclusions(project):
    from review.io.files import append_jsonl
    from review.prisma import build_prisma, explain_project
    from tests.helpers.screen import make_record_project

    ids = make_record_project(project, 10)
    for who in ("Ana", "Ben"):
        decide(project, who, ids[0], "include")
        for cid in ids[1:5]:
            decide(project, who, cid, "exclude")
    decide(project, "Ana", ids[5], "exclude")  # one reviewer only: not automatic
    before = build_prisma(project).flow
    assert before.prisma2020["excluded_automatic"] == 0
    assert before.prisma2020["records_screened"] == 10
    stop = {
        "op": "stop", "stage": TA, "rule": "hypergeometric", "test_reviewer": "Ana",
        "recall_target": 0.95, "confidence": 0.95, "p_value": 0.031, "urn": 5, "sampled": 4,
        "sample_relevant": 0, "ranked_relevant": 1, "by": "Cleo",
        "at": "2026-02-01T10:00:00.000000Z", "tool_version": "test",
    }  # fmt: skip
    append_jsonl(project.data_dir / "stopping" / "cleo.jsonl", [stop])
    build = build_prisma(project)
    p = build.flow.prisma2020
    assert p["excluded_automatic"] == 4  # ids[6:]: nobody screened them
    assert p["records_screened"] == 6
    assert before.prisma2020["records_excluded"] == 4  # ids[5] was pending
    assert p["records_excluded"] == 5  # after the stop its one exclude stands (docs/ranking.md)
    assert p["duplicates"] == before.prisma2020["duplicates"]
    assert p["dbr_sought_reports"] == before.prisma2020["dbr_sought_reports"] == 1
    _flow, rows = explain_project(project, "excluded_automatic")
    assert sorted(r.record_id for r in rows) == sorted(ids[6:])
    assert all("stopping rule" in r.why for r in rows)
    from review.prisma.methods import methods_markdown

    text = methods_markdown(build.flow, build.facts)
    assert "hypergeometric stopping rule of Callaghan and Müller-Hansen (2020)" in text
    assert "p = 0.031" in text and "recall was below 95%" in text
    assert "4 records left unscreened because of the stop are reported as excluded" in text


def test_relevance_is_for_title_abstract_only_and_releases_the_lock(project):
    from review.errors import ReviewError
    from review.screen.session import ScreeningSession

    make_clusters(project, 3)
    with pytest.raises(ReviewError, match="title-abstract screening only"):
        ScreeningSession(project, "full-text", "Ana", order="relevance", records=_NoRecords())
    ScreeningSession(project, "full-text", "Ana", records=_NoRecords()).close()  # not locked
