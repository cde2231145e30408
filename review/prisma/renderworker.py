"""Drawing the diagram on the second core while the logs are read.

Of the PRISMA step at 100k records, half is reading the project (clusters, every reviewer's
log: :func:`review.prisma.inputs.gather`) and half is drawing (importing matplotlib, laying out
with measured text, saving SVG, PNG and PDF). The drawing needs only the counts, but importing
matplotlib does not even need those: :func:`start` forks a worker
(:class:`review.io.readers.workers.Background`) that imports it while this process reads the
project, then lays out and draws the flow it is given (:func:`draw`). The images are the ones
drawn here would be (the same code on the same input; tests compare the bytes).

Only for a large project (the clusters file at least :data:`MIN_CLUSTERS_BYTES`: about 40,000
records), where reading takes long enough to hide the import, and only where the import's
workers may fork (:func:`review.io.readers.workers.worker_count`; ``REVIEW_WORKERS=0`` never
forks). Whatever goes wrong in the worker, the diagram is drawn here instead, so an error (a
font that is not installed) reads as it always did.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from review.io.readers.workers import Background
    from review.prisma.content import DiagramOptions
    from review.prisma.facts import Flow
    from review.prisma.layout import Layout
    from review.project import Project

MIN_CLUSTERS_BYTES = 4 << 20  # outputs/dedup/clusters.csv: about 100 bytes a record


def start(project: Project) -> Background | None:
    """A worker importing matplotlib for this project's diagram, or None (small project, one
    core, no fork)."""
    from review.dedup.clusters import clusters_path
    from review.io.readers.workers import Background, spare_cores

    try:
        large = clusters_path(project).stat().st_size >= MIN_CLUSTERS_BYTES
    except OSError:
        return None
    if not large or spare_cores(2) < 1:
        return None
    try:
        return Background(_job, _warm)
    except OSError:  # no process could be started: drawn here
        return None


def draw(
    worker: Background | None, flow: Flow, options: DiagramOptions
) -> tuple[Layout, dict[str, bytes]]:
    """The layout and images (format -> bytes) of ``flow``: from ``worker`` when it gives them,
    else drawn in this process."""
    from review.prisma.render import FORMATS

    if worker is not None:
        # the drawing reads only the counts: the records behind them stay here (pickling
        # them for the worker cost 0.5 s at 100k records)
        slim = replace(flow, members={}, sources={})
        try:
            value, images = worker.result((slim, options))
            layout: Layout = value
            return layout, dict(zip(FORMATS, images, strict=True))
        except Exception:  # noqa: S110 - drawn here again: the same result or the same error
            pass
        finally:
            worker.close()
    return draw_here(flow, options)


def draw_here(flow: Flow, options: DiagramOptions) -> tuple[Layout, dict[str, bytes]]:
    from review.prisma.layout import compute_layout
    from review.prisma.render import render_bytes

    layout = compute_layout(flow, options)
    return layout, render_bytes(layout)


def _job(task: tuple[Flow, DiagramOptions]) -> tuple[Layout, list[bytes]]:
    from review.prisma.render import FORMATS

    layout, images = draw_here(*task)
    return layout, [images[f] for f in FORMATS]


def _warm() -> None:
    """What drawing imports and loads before it can start: matplotlib's figure, Agg, SVG and
    PDF backends (with fontTools' subsetting), the font list."""
    import matplotlib.backends.backend_agg
    import matplotlib.backends.backend_pdf
    import matplotlib.backends.backend_svg
    import matplotlib.figure  # noqa: F401
    from matplotlib import font_manager

    font_manager.findfont("DejaVu Sans")
