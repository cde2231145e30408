"""The derived caches under .review/screening stay true to the plain files."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from review.io.files import JsonlProblem
from review.screen import final_decisions
from review.screen.cache import cluster_index, read_log, record_store
from tests.helpers.screen import decide, make_clusters, make_record_project, retract

TA = "title-abstract"


def test_log_cache_extends_with_appended_lines(project):
    make_clusters(project, 3)
    decide(project, "Ana", "r1", "include")
    decide(project, "Ben", "r1", "include")
    assert final_decisions(project, TA)["r1"].via == "agreement"  # caches both logs
    cache = project.cache_dir / "screening" / "logs" / "decide-screening-ana.jsonl.pickle"
    assert cache.is_file()
    decide(project, "Ana", "r1", "exclude")
    assert final_decisions(project, TA)["r1"].via == "conflict"
    retract(project, "Ana", "r1")
    assert final_decisions(project, TA)["r1"].via == "agreement"
    retract(project, "Ana", "r1")
    assert final_decisions(project, TA)["r1"].via == "pending"


def test_log_cache_notices_a_rewritten_file(project):
    make_clusters(project, 2)
    decide(project, "Ana", "r1", "include", at="2026-01-01T00:00:00.000001Z")
    decide(project, "Ana", "r2", "include", at="2026-01-01T00:00:00.000002Z")
    path = project.data_dir / "screening" / "ana.jsonl"
    assert set(read_log(project, path, "decide").latest) == {(TA, "r1"), (TA, "r2")}
    # e.g. `git checkout` of an older version: shorter file, different content
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(lines[0].replace('"include"', '"exclude"'), encoding="utf-8")
    state = read_log(project, path, "decide")
    assert {k: e[4] for k, e in state.latest.items()} == {(TA, "r1"): "exclude"}
    # same length, different bytes before the cached offset: re-parsed too
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"exclude"', '"include"'), encoding="utf-8")
    assert read_log(project, path, "decide").latest[(TA, "r1")][4] == "include"


def test_torn_line_then_more_lines(project):
    make_clusters(project, 2)
    decide(project, "Ana", "r1", "include")
    path = project.data_dir / "screening" / "ana.jsonl"
    with open(path, "a", encoding="utf-8") as fh:
        fh.write('{"op":"decide","rec')
    problems: list[JsonlProblem] = []
    read_log(project, path, "decide", problems)
    assert [str(p) for p in problems] == [f"{path}:2: torn last line (interrupted write), ignored"]
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\n")
    decide(project, "Ana", "r2", "maybe")
    problems = []
    state = read_log(project, path, "decide", problems)
    assert [str(p) for p in problems] == [f"{path}:2: not valid JSON, ignored"]
    assert state.latest[(TA, "r2")][0] == 3  # line numbers stay right


def _line(rid: str, decision: str, note: str = "") -> bytes:
    import json

    return json.dumps(
        {
            "op": "decide",
            "record_id": rid,
            "stage": TA,
            "decision": decision,
            "note": note,
            "reviewer": "Ana",
            "at": "2026-01-01T00:00:00Z",
        },
        ensure_ascii=False,
    ).encode("utf-8")


def test_hand_edited_bytes_read_line_by_line(project):
    """A log is decoded in one go when it is UTF-8; a byte-order mark, a line that is not UTF-8,
    a line of NUL bytes or of non-breaking spaces are each told apart as json.loads of the line
    alone would (the mark is accepted; the others are not JSON), the other lines still read."""
    make_clusters(project, 3)
    path = project.data_dir / "screening" / "ana.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        b"\xef\xbb\xbf" + _line("r1", "include", "caf\u00e9"),  # saved by an editor with a BOM
        _line("r2", "include").replace(b"}", b', "x": "\xff"}'),  # not UTF-8
        b"\x00" * 4,
        "\u00a0".encode(),  # a non-breaking space is not blank
        b"   ",  # blank
        _line("r3", "exclude"),
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    problems: list[JsonlProblem] = []
    state = read_log(project, path, "decide", problems)
    assert {k[1]: (e.decision, e.line, e.text) for k, e in state.latest.items()} == {
        "r1": ("include", 1, "caf\u00e9"),
        "r3": ("exclude", 6, ""),
    }
    assert [(p.line, p.message) for p in problems] == [
        (2, "not valid JSON, ignored"),
        (3, "not valid JSON, ignored"),
        (4, "not valid JSON, ignored"),
    ]
    # the same lines without the one that is not UTF-8: decoded in one go, the same reading
    path.write_bytes(b"\n".join(lines[:1] + [b"{}"] + lines[2:]) + b"\n")
    problems = []
    again = read_log(project, path, "decide", problems)
    assert {k: e.line for k, e in again.latest.items()} == {
        k: e.line for k, e in state.latest.items()
    }
    assert [p.line for p in problems] == [2, 3, 4]


def test_a_kept_log_state_reads_back_whole(project):
    """The state kept on disk (plain tuples, review/screen/cache.py LogState) gives back the
    standing decisions and what each retraction falls back to, as LogEntry values."""
    from review.project import Project
    from review.screen.cache import LogEntry

    make_clusters(project, 2)
    for decision in ("include", "exclude", "maybe"):
        decide(project, "Ana", "r1", decision)
    decide(project, "Ana", "r2", "exclude")
    path = project.data_dir / "screening" / "ana.jsonl"
    first = read_log(project, path, "decide")
    kept = read_log(Project.open(project.root), path, "decide")  # from the pickle
    assert kept is not first
    assert kept.latest == first.latest and kept.older == first.older
    assert all(type(e) is LogEntry for e in kept.latest.values())
    assert all(type(e) is LogEntry for v in kept.older.values() for e in v)
    assert [e.decision for e in kept.older[(TA, "r1")]] == ["include", "exclude"]
    retract(project, "Ana", "r1")
    assert read_log(Project.open(project.root), path, "decide").latest[(TA, "r1")].decision == (
        "exclude"
    )


def test_cluster_index_follows_a_new_clusters_file(project):
    make_clusters(project, 2)
    assert cluster_index(project).main == ["r1", "r2"]
    make_clusters(project, 3, merged={"r1": ["d9"]})
    path = project.outputs_dir / "dedup" / "clusters.csv"
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    idx = cluster_index(project)
    assert idx.main == ["r1", "r2", "r3"] and idx.resolve("d9") == "r1"


def test_record_store_reads_what_was_imported(project):
    ids = make_record_project(project, 3)
    store = record_store(project)
    rec = store.get(ids[1])
    assert (rec.title, rec.authors, rec.year, rec.doi) == (
        "db study number 2 of peer support",
        ("Author2, A.", "Other, B."),
        2002,
        "10.1234/db.2",
    )
    assert store.get("nope") is None
    assert "author3" in store.search_text(ids[2])
    store.close()
    # a new import changes the key: the store is rebuilt with the new records
    more = make_record_project(project, 0, other=2)
    store = record_store(project)
    assert store.get(more[-1]).title == "web study number 2 of peer support"
    store.close()


ops = st.lists(
    st.tuples(
        st.sampled_from(["decide", "retract"]),
        st.sampled_from(["r1", "r2", "r3"]),
        st.sampled_from(["include", "exclude", "maybe"]),
    ),
    max_size=25,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops, st.integers(min_value=0, max_value=25))
def test_log_reading_matches_a_simple_model_in_any_chunks(project, seq, cut):
    """Undo semantics (a retraction cancels the latest standing decision) hold whether the log
    is read at once or in two parts through the incremental cache."""
    import shutil

    make_clusters(project, 3)
    shutil.rmtree(project.data_dir / "screening", ignore_errors=True)
    shutil.rmtree(project.cache_dir / "screening", ignore_errors=True)
    model: dict[str, list[str]] = {}
    for i, (op, rid, dec) in enumerate(seq):
        if i == cut:
            final_decisions(project, TA)  # cache the first part
        if op == "decide":
            decide(project, "Ana", rid, dec)
            model.setdefault(rid, []).append(dec)
        else:
            retract(project, "Ana", rid)
            if model.get(rid):
                model[rid].pop()
    got = {
        cid: fd.decisions[0][1] for cid, fd in final_decisions(project, TA).items() if fd.decisions
    }
    assert got == {rid: stack[-1] for rid, stack in model.items() if stack}


def test_everything_works_when_the_cache_cannot_be_written(project):
    ids = make_record_project(project, 3)
    project.cache_dir.mkdir(exist_ok=True)
    (project.cache_dir / "screening").write_text("not a folder", encoding="utf-8")
    decide(project, "Ana", ids[0], "include")
    decide(project, "Ben", ids[0], "include")
    assert final_decisions(project, TA)[ids[0]].via == "agreement"
    store = record_store(project)
    assert store.get(ids[0]).year == 2001
    store.close()
    assert cluster_index(project).main == ids


def test_record_store_writes_no_copy_of_the_records(project):
    ids = make_record_project(project, 3)
    folder = project.cache_dir / "screening"
    folder.mkdir(parents=True, exist_ok=True)
    old = folder / "records-0123456789abcdef.jsonl"  # the display copy older versions kept
    old.write_text("[]\n", encoding="utf-8")
    store = record_store(project)
    assert store.get(ids[0]).title == "db study number 1 of peer support"
    assert not old.exists()
    assert not list(folder.glob("records-*"))


def test_record_store_reads_the_import_caches_without_the_project(project):
    """A fresh Project (nothing in memory) gets the same rows from the per-import record stores
    as from Project.records(), without building Record objects; a torn or missing store is
    rebuilt from the raw copy."""
    from review.project import Project

    ids = make_record_project(project, 3, other=2)
    want = {rid: record_store(project).get(rid) for rid in ids}
    assert all(want.values())
    fresh = Project.open(project.root)
    from review.screen.cache import _rows_from_import_caches

    assert _rows_from_import_caches(fresh) is not None
    assert {rid: record_store(fresh).get(rid) for rid in ids} == want
    assert not fresh.record_cache.loaded  # read without building Record objects
    stores = list((project.cache_dir / "records").glob("*.sqlite"))
    assert stores
    for cache in stores:
        cache.write_bytes(b"not a store")
    fresh = Project.open(project.root)
    assert {rid: record_store(fresh).get(rid) for rid in ids} == want  # rebuilt
    assert all(cache.read_bytes().startswith(b"SQLite format 3") for cache in stores)
    assert not fresh.record_cache.loaded
    for cache in stores:
        cache.unlink()
    fresh = Project.open(project.root)
    assert {rid: record_store(fresh).get(rid) for rid in ids} == want


decision_sets = st.dictionaries(
    st.sampled_from(["c1", "c2", "c3", "c4", "c5"]),
    st.dictionaries(
        st.sampled_from(["Ana", "Ben", "Cleo"]),
        st.sampled_from(["include", "exclude", "maybe"]),
        max_size=3,
    ),
    max_size=5,
)


@settings(max_examples=200, deadline=None)
@given(
    decision_sets,
    st.sets(st.sampled_from(["c1", "c2", "c3", "c4", "c5", "c6"])),
    st.integers(min_value=1, max_value=3),
)
def test_via_counts_match_the_final_decisions(by_cluster, resolved, required):
    """``via_counts`` (used by `review disagreements`) counts what ``final_from_state`` derives."""
    from collections import Counter

    from review.screen.final import StageState, final_from_state, via_counts
    from review.screen.logs import Resolution, ReviewerDecision

    decisions: dict[str, dict[str, ReviewerDecision]] = {}
    for cid, per in by_cluster.items():
        for who, dec in per.items():
            decisions.setdefault(who, {})[cid] = ReviewerDecision(
                who, cid, cid, TA, dec, "", "", "", 1
            )
    resolutions = {
        cid: Resolution("Dee", cid, cid, TA, "include", "", "", "", 1) for cid in resolved
    }
    state = StageState(
        stage=TA,
        eligible=["c1", "c2", "c3", "c4", "c5", "c6"],
        decisions=decisions,
        resolutions=resolutions,
        required=required,
    )
    want = Counter(fd.via for fd in final_from_state(state).values())
    assert via_counts(state) == want
