"""The drawn diagram kept between runs (review/prisma/drawcache.py): an unchanged drawing input
reuses the images of outputs/prisma/ (no matplotlib), any change of input or of the files draws
again, and the files are byte for byte those a fresh drawing gives."""

from __future__ import annotations

import dataclasses
import json

import pytest
from typer.testing import CliRunner

from review.cli import app
from review.prisma import compute_flow
from review.prisma.content import DiagramOptions
from review.prisma.drawcache import (
    _layout_from_json,
    _layout_to_json,
    cached_drawing,
    drawing_key,
)
from review.prisma.inputs import gather
from review.project import Project
from tests.test_prisma_project import _decide, _log, tiny  # noqa: F401 - the fixture

runner = CliRunner()
IMAGES = ("prisma.svg", "prisma.png", "prisma.pdf", "prisma.mmd")


def _prisma(project, *args: str) -> dict[str, bytes]:
    result = runner.invoke(app, ["prisma", "--project", str(project.root), "-q", *args])
    assert result.exit_code == 0, result.output
    out = project.outputs_dir / "prisma"
    return {name: (out / name).read_bytes() for name in IMAGES}


def _no_drawing(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_a, **_k):
        raise AssertionError("drew the diagram again")

    monkeypatch.setattr("review.prisma.render.render_bytes", fail)
    monkeypatch.setattr("review.prisma.layout.compute_layout", fail)


def _count_drawings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    from review.prisma import render

    calls: list[int] = []
    real = render.render_bytes

    def counted(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr("review.prisma.render.render_bytes", counted)
    return calls


def test_an_unchanged_drawing_is_not_drawn_again(tiny, monkeypatch) -> None:  # noqa: F811
    project, _ = tiny
    first = _prisma(project)
    assert (project.cache_dir / "prisma" / "drawing.json").is_file()
    _no_drawing(monkeypatch)
    assert _prisma(project) == first


def test_a_changed_or_missing_image_is_drawn_again(tiny, monkeypatch) -> None:  # noqa: F811
    project, _ = tiny
    first = _prisma(project)
    calls = _count_drawings(monkeypatch)
    out = project.outputs_dir / "prisma"
    with open(out / "prisma.png", "ab") as fh:
        fh.write(b"edited")
    assert _prisma(project) == first and len(calls) == 1
    (out / "prisma.pdf").unlink()
    assert _prisma(project) == first and len(calls) == 2
    assert _prisma(project) == first and len(calls) == 2  # kept again
    record = project.cache_dir / "prisma" / "drawing.json"
    key = json.loads(record.read_text(encoding="utf-8"))["key"]
    assert cached_drawing(Project.open(project.root), key) is not None
    record.write_text("{damaged", encoding="utf-8")
    assert cached_drawing(Project.open(project.root), key) is None


def test_a_new_count_draws_again(tiny, monkeypatch) -> None:  # noqa: F811
    project, ids = tiny
    first = _prisma(project)
    calls = _count_drawings(monkeypatch)
    # the pending record gets its second decision: the counts change
    _log(
        project.data_dir / "screening" / "marina.jsonl",
        [_decide(ids["Other B"], "title-abstract", "exclude", "marina", "not-empirical")],
    )
    changed = _prisma(project)
    assert len(calls) == 1 and changed["prisma.svg"] != first["prisma.svg"]


def test_the_key_is_the_drawing_input(tiny) -> None:  # noqa: F811
    project, _ = tiny
    inputs, _facts = gather(Project.open(project.root))
    flow = compute_flow(inputs)
    base = DiagramOptions()
    key = drawing_key(flow, base)
    assert drawing_key(compute_flow(inputs), DiagramOptions()) == key
    for other in (
        dataclasses.replace(base, fontsize=9.0),
        dataclasses.replace(base, title="A title"),
        dataclasses.replace(base, font="DejaVu Serif"),
        dataclasses.replace(base, branches="databases"),
        dataclasses.replace(base, labels={"records_screened": "Screened"}),
    ):
        assert drawing_key(flow, other) != key, other


def test_the_kept_layout_is_the_layout(tiny) -> None:  # noqa: F811
    from review.prisma.layout import compute_layout

    project, _ = tiny
    inputs, _facts = gather(Project.open(project.root))
    layout = compute_layout(compute_flow(inputs), DiagramOptions(title="T"))
    kept = _layout_from_json(json.loads(json.dumps(_layout_to_json(layout))))
    assert kept == layout
