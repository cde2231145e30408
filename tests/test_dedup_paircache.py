"""The dedup pair cache (``.review/dedup/pairs.pickle``): written in pieces so that a million
records' pairs are never held as bytes nor memoised whole; read back exactly, or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

import review.dedup.paircache as paircache
from review.dedup.decide import DedupOptions
from review.dedup.normalize import normalize_record
from review.dedup.pipeline import score_all
from review.project import Project
from tests.helpers.dedup import make


def _scored() -> list:
    records = [
        make(f"a-{i}", title=f"Walking and sleep in adults, part {i % 3}", year=2020)
        for i in range(1, 9)
    ]
    norms = [normalize_record(r, i) for i, r in enumerate(records)]
    return score_all(norms, DedupOptions())


def test_pairs_read_back_exactly_across_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paircache, "PIECE", 3)
    project = Project.init(tmp_path / "p")
    scored = _scored()
    assert len(scored) > 7  # three pieces or more
    paircache.save_cache(project, "key-1", scored)
    assert paircache.load_cache(project, "key-1") == scored
    assert paircache.load_cache(project, "key-2") is None  # other records or code


def test_a_torn_or_foreign_cache_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paircache, "PIECE", 3)
    project = Project.init(tmp_path / "p")
    paircache.save_cache(project, "key-1", _scored())
    path = project.cache_dir / "dedup" / "pairs.pickle"
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) - 40])  # the last piece cut off
    assert paircache.load_cache(project, "key-1") is None
    path.write_bytes(b"not a pickle")
    assert paircache.load_cache(project, "key-1") is None
