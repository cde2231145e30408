"""PRISMA 2020: counts derived from the logs, checked, drawn and exported. See docs/prisma.md.

- :mod:`review.prisma.facts` — the plain facts in (:class:`PrismaInputs`) and the counts out
  (:class:`Flow`).
- :mod:`review.prisma.flow` — the pure counting core (:func:`compute_flow`, :func:`explain`),
  one step per family of boxes in :mod:`review.prisma.steps`.
- :mod:`review.prisma.inputs` — :func:`gather` reads the project into plain facts.
- :mod:`review.prisma.content` / :mod:`~review.prisma.layout` / :mod:`~review.prisma.render` —
  the diagram: what the boxes say, where they go (measured, wrapped text), SVG/PNG/PDF drawing
  (:mod:`review.prisma.diagram` gathers their public names).
- :mod:`review.prisma.formats` — prisma.csv (PRISMA2020 R package template) and prisma.mmd.
- :mod:`review.prisma.methods` — the methods.md paragraphs.

Matplotlib is imported only when a diagram is drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from review.io.files import atomic_write_bytes
from review.nextstep import Render
from review.prisma.flow import (
    ExplainRow,
    Final,
    Flow,
    Identified,
    PrismaInconsistency,
    PrismaInputs,
    compute_flow,
    explain,
)
from review.screen.cache import no_gc

if TYPE_CHECKING:
    from review.prisma.content import DiagramOptions
    from review.prisma.drawcache import Drawing
    from review.prisma.inputs import MethodsFacts
    from review.prisma.layout import Layout
    from review.project import Project

__all__ = [
    "ExplainRow",
    "Final",
    "Flow",
    "Identified",
    "PrismaBuild",
    "PrismaInconsistency",
    "PrismaInputs",
    "build_files",
    "build_prisma",
    "compute_flow",
    "explain",
    "explain_project",
    "write_prisma",
]

FILES = ("prisma.json", "prisma.csv", "prisma.svg", "prisma.png", "prisma.pdf", "prisma.mmd")


@dataclass
class PrismaBuild:
    """Everything the PRISMA step writes, built in memory first (nothing is written on error)."""

    inputs: PrismaInputs
    facts: MethodsFacts
    flow: Flow
    layout: Layout
    files: dict[str, bytes]  # file name -> content, for outputs/prisma/
    drawing: Drawing | None = None  # the images' drawing input key (kept by write_prisma)

    def as_json(self) -> dict[str, Any]:
        return self.flow.as_json()


@no_gc  # 100k records: millions of small objects, no cycles (screen/cache.py)
def build_prisma(
    project: Project,
    options: DiagramOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
    command: Render = str,
) -> PrismaBuild:
    """Gather the facts, count, check the invariants, lay out and render every file
    (``command`` spells a step the files name: the CLI passes its command table's)."""
    from review.prisma import renderworker
    from review.prisma.drawcache import cached_drawing
    from review.prisma.inputs import gather

    worker = renderworker.start(project)  # imports matplotlib on another core meanwhile
    try:
        inputs, facts = gather(project)
        if progress:
            progress(1, 4)
        return build_files(
            inputs,
            facts,
            options,
            progress,
            command,
            lambda key: cached_drawing(project, key),
            lambda flow, opts: renderworker.draw(worker, flow, opts),
        )
    finally:
        if worker is not None:
            worker.close()


def build_files(
    inputs: PrismaInputs,
    facts: MethodsFacts | None = None,
    options: DiagramOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
    command: Render = str,
    drawn: Callable[[str], Drawing | None] | None = None,
    draw: Callable[[Flow, DiagramOptions], tuple[Layout, dict[str, bytes]]] | None = None,
) -> PrismaBuild:
    """Everything the PRISMA step writes, from plain facts (no project needed). ``drawn``
    gives the images already drawn from a drawing input key, if any (review/prisma/
    drawcache.py); otherwise the diagram is laid out and drawn (by ``draw`` when given:
    review/prisma/renderworker.py)."""
    import json

    from review.prisma.content import DiagramOptions
    from review.prisma.drawcache import Drawing, drawing_key
    from review.prisma.formats import prisma_csv, prisma_mmd
    from review.prisma.inputs import MethodsFacts
    from review.prisma.methods import methods_markdown

    options = options or DiagramOptions()
    facts = facts or MethodsFacts()
    flow = compute_flow(inputs)
    key = drawing_key(flow, options)
    drawing = drawn(key) if drawn is not None else None
    if drawing is None:  # matplotlib is imported only here
        from review.prisma.renderworker import draw_here

        layout, images = (draw or draw_here)(flow, options)
        if progress:
            progress(2, 4)
        drawing = Drawing(key, layout, images)
    layout, images = drawing.layout, drawing.images
    if progress:
        progress(3, 4)
    files = {
        "prisma.json": (json.dumps(flow.as_json(), indent=2, ensure_ascii=False) + "\n").encode(),
        "prisma.csv": prisma_csv(flow, options.labels).encode("utf-8"),
        "prisma.svg": images["svg"],
        "prisma.png": images["png"],
        "prisma.pdf": images["pdf"],
        "prisma.mmd": prisma_mmd(layout.boxes, layout.edges, command).encode("utf-8"),
        "methods.md": methods_markdown(flow, facts, command).encode("utf-8"),
    }
    if progress:
        progress(4, 4)
    return PrismaBuild(inputs, facts, flow, layout, files, drawing)


def write_prisma(project: Project, build: PrismaBuild) -> list[Path]:
    """Write the built files under outputs/prisma/ (each atomically); return their paths.
    Then record the drawing (.review/prisma/drawing.json) so that the next run with the same
    drawing input reuses these images."""
    from review.prisma.drawcache import keep_drawing

    paths = []
    for name, data in build.files.items():
        path = project.output("prisma", name)
        atomic_write_bytes(path, data)
        paths.append(path)
    if build.drawing is not None:
        keep_drawing(project, build.drawing)
    return paths


def explain_project(project: Project, key: str) -> tuple[Flow, list[ExplainRow]]:
    """The records behind one count of the project's current flow."""
    from review.prisma.inputs import gather

    inputs, _ = gather(project)
    flow = compute_flow(inputs)
    return flow, explain(flow, inputs, key)
