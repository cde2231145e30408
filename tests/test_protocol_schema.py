"""protocols/protocol.yaml is checked against one declared schema (issue 11): a typo is an error
with the file, the line and the nearest key, never a setting silently ignored."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from review.cli import app
from review.errors import ProjectError
from review.project import Project
from review.protocol import DEFAULT_PROTOCOL, load_protocol
from review.protocol_schema import SECTIONS, Map, check

runner = CliRunner()


def _edit(project: Project, old: str, new: str) -> None:
    text = project.protocol_path.read_text(encoding="utf-8")
    assert old in text
    project.protocol_path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(project: Project, needle: str) -> int:
    lines = project.protocol_path.read_text(encoding="utf-8").splitlines()
    return next(i for i, t in enumerate(lines, start=1) if needle in t)


def test_misspelt_exclusion_reasons_is_an_error_with_line_and_hint(project: Project):
    _edit(project, "    exclusion_reasons:        # keys", "    exclusion_reason:        # keys")
    line = _line_of(project, "exclusion_reason:")
    res = runner.invoke(app, ["status", "-p", str(project.root)])
    assert res.exit_code == 1
    assert (
        f"protocol.yaml:{line}: unknown key 'stages.title-abstract.exclusion_reason'; did you "
        "mean 'exclusion_reasons'?"
    ) in res.stderr
    assert "Traceback" not in res.output


def test_unknown_top_level_key_and_wrong_types_are_all_listed(project: Project):
    _edit(project, "reviewers: []", "reviwers: [ana]")
    _edit(project, "reviewers_per_record: 2", "reviewers_per_record: two")
    _edit(project, "maybe_to_fulltext: true", "maybe_to_fulltext: [yes]")
    with pytest.raises(ProjectError) as exc:
        load_protocol(project.protocol_path)
    text = str(exc.value)
    assert "3 problem(s) in the protocol" in text
    path = project.protocol_path
    assert f"{path}:{_line_of(project, 'reviwers')}: unknown key 'reviwers'; did you mean " in text
    assert (
        f"{path}:{_line_of(project, 'reviewers_per_record: two')}: "
        "stages.title-abstract.reviewers_per_record must be a whole number, not text"
    ) in text
    assert "stages.title-abstract.maybe_to_fulltext must be true or false, not a list" in text


def test_sources_items_and_dedup_section_are_checked(project: Project):
    _edit(project, "    kind: database\n    searched:", "    knd: database\n    searched:")
    with pytest.raises(ProjectError, match=r"unknown key 'sources\[1\]\.knd'; did you mean 'kind'"):
        load_protocol(project.protocol_path)
    _edit(project, "    knd: database", "    kind: database")
    text = project.protocol_path.read_text(encoding="utf-8")
    text = (
        text[: text.index("\ndedup:")] + "\n"
    )  # the section is replaced (a key given twice is refused)
    project.protocol_path.write_text(
        text + "dedup:\n  auto_threshold: 0.97\n  window: 10\n", encoding="utf-8"
    )
    assert load_protocol(project.protocol_path).dedup == {"auto_threshold": 0.97, "window": 10}
    project.protocol_path.write_text(text + "dedup:\n  auto_treshold: 0.97\n", encoding="utf-8")
    with pytest.raises(ProjectError, match="did you mean 'auto_threshold'"):
        load_protocol(project.protocol_path)


def test_every_shipped_protocol_validates(tmp_path):
    from review.example import example_root
    from review.protocol import DEDUP_KEYS

    keys = {k: spec[0] for k, spec in DEDUP_KEYS.items()}
    for kind in ("scoping", "systematic"):
        text = DEFAULT_PROTOCOL.format(
            title='"T"', project_id="abc", review_type=kind, screen="`screen`", dedup="`dedup`"
        )
        check(text, tmp_path / "p.yaml", keys)
    root = example_root()
    if root is not None:
        load_protocol(root / "protocols" / "protocol.yaml")
    assert isinstance(SECTIONS["stages"], Map)
