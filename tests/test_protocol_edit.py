"""Protocol edits go through one round-trip YAML function (review.protocol.edit_protocol): every
comment, quote, blank line, flow mapping and key order of protocol.yaml stays as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from review.errors import ProjectError
from review.protocol import edit_protocol, load_protocol

COMMENTED = """\
# My review. Edited by hand; keep these notes!
review_type: scoping   # PRISMA-ScR
title: "Exercise: a 'quoted' title"
project_id: "0042"

questions:
  - What is known about ...?   # question one

stages:
  title-abstract:
    reviewers_per_record: 2
    exclusion_reasons:
      - {id: wrong-population, label: Wrong population}   # flow mapping kept
  full-text:
    reviewers_per_record: 2
reviewers: [Ana, Bo]
# dedup settings below
dedup:                 # tuned on the pilot
  auto_threshold: 0.95    # title similarity
  # a comment inside the section
  maybe_threshold: 0.8
keywords:
  include: []
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "protocols" / "protocol.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_an_edit_changes_only_its_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, COMMENTED)
    edit_protocol(path, "dedup", {"auto_threshold": 0.97, "window": 10})
    after = path.read_text(encoding="utf-8").splitlines()
    before = COMMENTED.splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=False) if a != b]
    assert changed[0] == (
        "  auto_threshold: 0.95    # title similarity",
        "  auto_threshold: 0.97    # title similarity",
    )
    assert "  window: 10" in after
    assert [x for x in after if x != "  window: 10" and "auto_threshold" not in x] == [
        x for x in before if "auto_threshold" not in x
    ]
    protocol = load_protocol(path)
    assert protocol.dedup == {"auto_threshold": 0.97, "maybe_threshold": 0.8, "window": 10}
    assert protocol.title == "Exercise: a 'quoted' title"


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("", "dedup:  # settings\n  window: 12\n"),
        ("dedup:\n", "dedup:\n  window: 12\n"),
        ("dedup: {}\n", "dedup:\n  window: 12\n"),
        ("dedup: {max_block: 80}   # flow\n", "dedup: {max_block: 80, window: 12} # flow\n"),
    ],
    ids=["missing", "empty", "empty-flow", "flow"],
)
def test_a_missing_empty_or_flow_section(tmp_path: Path, section: str, expected: str) -> None:
    head = "# notes\ntitle: T  # the title\n"
    path = _write(tmp_path, head + section)
    edit_protocol(path, "dedup", {"window": 12}, comment="settings")
    assert path.read_text(encoding="utf-8") == head + expected


def test_a_bad_result_is_refused_and_the_file_kept(tmp_path: Path) -> None:
    path = _write(tmp_path, COMMENTED)
    with pytest.raises(ProjectError, match="dedup"):
        edit_protocol(path, "dedup", {"auto_threshold": 0.5})  # below maybe_threshold
    assert path.read_text(encoding="utf-8") == COMMENTED
    _write(tmp_path / "x", "dedup: [1, 2]\n")
    with pytest.raises(ProjectError, match="'dedup' is not a mapping"):
        edit_protocol(tmp_path / "x" / "protocols" / "protocol.yaml", "dedup", {"window": 3})
