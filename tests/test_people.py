"""Reviewer identity (issue 11): every exact name has its own files; collisions are refused."""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from review.cli import app
from review.errors import ReviewError
from review.people import clean_name, file_id, name_from_file_id
from review.screen.logs import ScreeningLog, read_decisions, reviewer_log_path
from review.screen.session import ScreeningSession
from tests.helpers.screen import make_clusters

TA = "title-abstract"
runner = CliRunner()


def test_plain_ascii_names_keep_their_historical_file_names():
    # the worked example's data/ and every existing project rely on these
    assert file_id("anat") == "anat"
    assert file_id("marina") == "marina"
    assert file_id("Ana Silva") == "ana-silva"
    assert file_id("consensus") == "consensus"


def test_non_latin_and_accented_names_get_distinct_reversible_ids():
    names = ["张伟", "李娜", "ענת", "Zoë Ñúñez", "Zoe Nunez", "Zoë Nunez"]
    ids = [file_id(n) for n in names]
    assert len(set(ids)) == len(names)
    assert file_id("Zoe Nunez") == "zoe-nunez"
    assert file_id("Zoë Ñúñez").startswith("zoe-nunez--")
    for n, i in zip(names[:4], ids[:4], strict=True):
        assert name_from_file_id(i) == n
        assert i.isascii() and i == i.lower() and "/" not in i


@given(st.text(min_size=1, max_size=60).filter(lambda t: t.strip()))
def test_file_ids_are_safe_and_injective_for_non_ascii(name):
    try:
        name = clean_name(name)
    except ReviewError:
        return  # control characters are refused
    fid = file_id(name)
    assert fid and len(fid) < 150 and fid.isascii() and not set(fid) & set('/\\:*?"<>| ')
    if not name.isascii():
        if fid.rsplit("--", 1)[1].startswith("sha-"):
            # too long to encode in a file name: a 96-bit hash (the log's lines carry the name)
            assert fid.endswith("--sha-" + hashlib.sha256(name.encode()).hexdigest()[:24])
        else:
            assert name_from_file_id(fid) == name


def test_long_names_get_a_safe_file_name_not_oserror(project):
    make_clusters(project, 2)
    long_ascii, long_cjk = "a" * 190, "张" * 190
    for name in (long_ascii, long_cjk):
        with ScreeningLog(project, name) as log:
            log.decide("r1", TA, "include")
        assert len(reviewer_log_path(project, name).name) < 150
    got = read_decisions(project, TA, _clusters(project))
    assert set(got) == {long_ascii, long_cjk}
    with pytest.raises(ReviewError, match="is 300 characters long; use at most 200"):
        ScreeningLog(project, "x" * 300)


def _clusters(project):
    from review.screen.cache import cluster_index

    return cluster_index(project)


def test_three_non_latin_reviewers_keep_separate_logs(project):
    make_clusters(project, 3)
    for name, rid in (("张伟", "r1"), ("李娜", "r2")):
        with ScreeningLog(project, name) as log:
            log.decide(rid, TA, "include")
    s = ScreeningSession(project, TA, "ענת")
    assert s.pace().done == 0  # not "screened 2/3": nobody else's decisions are hers
    s.close()
    got = read_decisions(project, TA, _clusters(project))
    assert {n: set(d) for n, d in got.items()} == {"张伟": {"r1"}, "李娜": {"r2"}}
    lines = (project.data_dir / "screening" / f"{file_id('张伟')}.jsonl").read_text("utf-8")
    assert json.loads(lines)["reviewer"] == "张伟"  # the exact name


def test_accent_folded_names_do_not_share_a_log(project):
    make_clusters(project, 2)
    with ScreeningLog(project, "Zoë Ñúñez") as log:
        log.decide("r1", TA, "include")
    with ScreeningLog(project, "Zoe Nunez") as log:
        log.decide("r1", TA, "exclude")
    got = read_decisions(project, TA, _clusters(project))
    assert {n: d["r1"].decision for n, d in got.items()} == {
        "Zoë Ñúñez": "include",
        "Zoe Nunez": "exclude",
    }


def test_nfd_and_nfc_spellings_are_one_reviewer(project):
    make_clusters(project, 2)
    with ScreeningLog(project, "Zoe\u0308") as log:  # NFD, as macOS may type it
        log.decide("r1", TA, "include")
    assert reviewer_log_path(project, "Zo\u00eb") == reviewer_log_path(project, "Zoe\u0308")
    assert set(read_decisions(project, TA, _clusters(project))) == {"Zo\u00eb"}


def test_a_name_that_maps_onto_someone_elses_file_is_refused(project):
    make_clusters(project, 2)
    with ScreeningLog(project, "Anat") as log:
        log.decide("r1", TA, "include")
    argv = ["screen", "export", "--stage", TA, "--reviewer", "anat", "-o",
            str(project.root / "a.xlsx"), "-p", str(project.root)]  # fmt: skip
    result = runner.invoke(app, argv)
    assert result.exit_code == 1
    assert "data/screening/anat.jsonl holds the decisions of 'Anat'" in result.stderr
    assert "pass --reviewer Anat exactly" in result.stderr
    assert not (project.root / "a.xlsx").exists()


def test_legacy_slug_file_of_a_non_ascii_name_keeps_working(project):
    from review.io.files import append_jsonl

    make_clusters(project, 2)
    legacy = project.data_dir / "screening" / "ana-maria.jsonl"
    append_jsonl(legacy, [{"op": "decide", "record_id": "r1", "stage": TA,
                           "decision": "include", "reason": "", "note": "",
                           "reviewer": "Ana María", "at": "2026-01-01T00:00:00Z"}])  # fmt: skip
    assert reviewer_log_path(project, "Ana María") == legacy
    s = ScreeningSession(project, TA, "Ana María")
    assert s.pace().done == 1
    s.close()


def test_dedup_resolution_and_charting_files_use_the_same_ids(project):
    from review.chart.store import reviewer_folder
    from review.dedup.verdicts import verdict_file, verdict_line
    from review.io.files import append_jsonl
    from review.screen.logs import resolver_log_path

    assert verdict_file(project, "张伟").name == f"{file_id('张伟')}.jsonl"
    assert verdict_file(project, "李娜") != verdict_file(project, "张伟")
    append_jsonl(verdict_file(project, "Zoe Nunez"), [verdict_line("a", "b", "same", "Zoe Nunez")])
    with pytest.raises(ReviewError, match="holds the decisions of 'Zoe Nunez'"):
        verdict_file(project, "zoe nunez")
    assert resolver_log_path(project, "ענת").name == f"{file_id('ענת')}.jsonl"
    assert reviewer_folder(project, "Zoë Ñúñez").name == file_id("Zoë Ñúñez")
