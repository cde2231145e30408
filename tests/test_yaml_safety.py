"""Every YAML file `review` reads (protocol.yaml, extraction_schema.yaml) goes through one loader
(review/io/yamlfile.py) that refuses alias bombs, deep nesting, duplicate keys and non-UTF-8
text with a message naming the file and line (issue 21), never a traceback or a hang."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from review.cli import app
from review.project import Project

runner = CliRunner()
REVIEW_DIR = Path(__file__).resolve().parent.parent / "review"


def alias_bomb(levels: int = 9, width: int = 10) -> str:
    """A "billion laughs" YAML document: ``width**levels`` references in a few hundred bytes."""
    text = "a0: &a0 [" + ",".join(['"lol"'] * width) + "]\n"
    for i in range(1, levels + 1):
        text += f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * width) + "]\n"
    return text


def _commands(root: Path) -> list[list[str]]:
    p = ["-p", str(root)]
    return [
        ["status", *p],
        ["dedup", *p],
        ["report", *p],
        ["screen", "--reviewer", "ann", "--stage", "title-abstract", *p],
        ["chart", "template", *p, "-o", str(root / "form.xlsx")],
    ]


BAD_PROTOCOLS = {
    "byte-ff": lambda text: text.encode("utf-8").replace(b"title:", b"title: \xff", 1),
    "utf-16-bom": lambda text: text.encode("utf-16"),
    "utf-16-le": lambda text: text.encode("utf-16-le"),  # no BOM (found by the trial suite)
    "nested-500": lambda text: (text + "notes: " + "[" * 500 + "]" * 500 + "\n").encode(),
    "alias-bomb": lambda text: (
        text + "notes:\n" + re.sub("^", "  ", alias_bomb(), flags=re.M)
    ).encode(),
    "two-stages": lambda text: (text + "\nstages:\n  title-abstract: {}\n").encode(),
}
EXPECTED = {
    "byte-ff": r"protocol\.yaml:\d+: not UTF-8 text \(byte 0xFF",
    "utf-16-bom": r"protocol\.yaml: saved as UTF-16",
    "utf-16-le": r"protocol\.yaml: saved as UTF-16",
    "nested-500": r"protocol\.yaml:\d+: nested more than 100 levels deep",
    "alias-bomb": r"protocol\.yaml:\d+: its aliases expand to more than 200,000 values",
    "two-stages": r"protocol\.yaml:\d+: key 'stages' is given twice \(also on line \d+\)",
}


@pytest.mark.parametrize("kind", sorted(BAD_PROTOCOLS))
def test_bad_protocol_is_a_message_for_every_command(project: Project, kind: str):
    text = project.protocol_path.read_text(encoding="utf-8")
    project.protocol_path.write_bytes(BAD_PROTOCOLS[kind](text))
    for args in _commands(project.root):
        t0 = time.monotonic()
        res = runner.invoke(app, args)
        assert res.exit_code == 1, (args, res.output, res.exception)
        assert res.exception is None or isinstance(res.exception, SystemExit), (args, res.exception)
        assert re.search(EXPECTED[kind], " ".join(res.stderr.split())), (args, res.stderr)
        assert "Traceback" not in res.output
        assert time.monotonic() - t0 < 10


def test_duplicate_key_names_both_lines(project: Project):
    text = project.protocol_path.read_text(encoding="utf-8")
    first = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("stages:"))
    project.protocol_path.write_text(text + "\nstages:\n  title-abstract: {}\n", encoding="utf-8")
    last = len(project.protocol_path.read_text(encoding="utf-8").splitlines()) - 1
    res = runner.invoke(app, ["status", "-p", str(project.root)])
    assert res.exit_code == 1
    assert f"protocol.yaml:{last}: key 'stages' is given twice (also on line {first})" in " ".join(
        res.stderr.split()
    )


def test_schema_alias_bomb_refused_fast(project: Project):
    project.schema_path.write_text(alias_bomb(), encoding="utf-8")
    assert len(alias_bomb()) < 700
    t0 = time.monotonic()
    res = runner.invoke(
        app, ["chart", "template", "-p", str(project.root), "-o", str(project.root / "f.xlsx")]
    )
    assert time.monotonic() - t0 < 5
    assert res.exit_code == 1, res.output
    assert "extraction_schema.yaml:1: its aliases expand to more than 200,000 values" in " ".join(
        res.stderr.split()
    )
    assert not (project.root / "f.xlsx").exists()


def test_schema_duplicate_key_and_encoding(project: Project):
    text = project.schema_path.read_text(encoding="utf-8")
    project.schema_path.write_bytes(text.encode("utf-16"))
    res = runner.invoke(
        app, ["chart", "template", "-p", str(project.root), "-o", str(project.root / "f.xlsx")]
    )
    assert res.exit_code == 1
    assert "extraction_schema.yaml: saved as UTF-16" in " ".join(res.stderr.split())


def test_small_aliases_and_merge_keys_still_load():
    from review.io.yamlfile import load_yaml

    data = load_yaml("base: &b {x: 1}\nd:\n  <<: *b\n  y: 2\nl: [*b, *b]\n", "t.yaml")
    assert data == {"base": {"x": 1}, "d": {"x": 1, "y": 2}, "l": [{"x": 1}, {"x": 1}]}


def test_every_yaml_read_in_review_goes_through_the_one_loader():
    """No module but review/io/yamlfile.py calls PyYAML's loaders (safe_load, load, compose)."""
    offenders = []
    for path in REVIEW_DIR.rglob("*.py"):
        if path.name == "yamlfile.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\byaml\.(safe_load|load|compose|full_load|unsafe_load|SafeLoader)\b", text):
            offenders.append(str(path.relative_to(REVIEW_DIR)))
    assert offenders == []
