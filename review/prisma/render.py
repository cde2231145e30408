"""Drawing a PRISMA 2020 :class:`~review.prisma.layout.Layout`: SVG, PNG (300 dpi) and PDF.

One matplotlib Figure (1 data unit = 1 point, origin top-left) drawn by :func:`draw`, one
function per kind of box; :func:`render_bytes` saves it in every format, deterministically.
A new output format is one more entry in :func:`render_bytes`; matplotlib is imported only here,
and only when called.

The one drawing of the diagram: the report shows this SVG too, decorated with its links
(:func:`review.report.svg.prisma_svg`). So that it can find them, every artist carries a
``gid`` (the SVG ``<g id>``): ``box-<box id>`` for a box's frame or bar, ``line-<box id>-<i>``
for the i-th text line of a box, ``arrow-<k>`` for the k-th arrow (:func:`line_id`).
"""

from __future__ import annotations

from typing import Any

from review.figures import PNG_DPI, editable, font_family
from review.prisma.content import Box
from review.prisma.layout import Layout

COLOURS = {
    "header_main": "#FFE699",
    "header_other": "#E7E6E6",
    "phase": "#BDD7EE",
}
LINE_WIDTH = 0.75


def line_id(box_id: str, i: int) -> str:
    """The SVG id of a box's i-th text line."""
    return f"line-{box_id}-{i}"


def draw(layout: Layout) -> Any:
    """A matplotlib Figure of the layout (1 data unit = 1 point, origin top-left)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(layout.width / 72, layout.height / 72), dpi=72, facecolor="white")
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, layout.width)
    ax.set_ylim(layout.height, 0)
    ax.axis("off")
    ax.set_facecolor("white")
    for b in layout.boxes:
        if b.role in ("title", "note"):
            _draw_free_text(ax, layout, b)
        elif b.role == "phase":
            _draw_phase_bar(ax, layout, b)
        else:
            _draw_box(ax, layout, b)
    for k, pts in enumerate(layout.arrows):
        _draw_arrow(ax, layout, pts, f"arrow-{k}")
    return fig


def _draw_free_text(ax: Any, layout: Layout, b: Box) -> None:
    """The title (centred, larger) or the provisional note (left, italic, dark red)."""
    fs = layout.fontsize
    size = fs * 1.4 if b.role == "title" else fs
    lh = 1.25 * size
    for i, (text, _, bold) in enumerate(b.lines):
        ax.text(
            b.x if b.role == "note" else b.cx,
            b.y + i * lh + 0.8 * size,
            text,
            ha="left" if b.role == "note" else "center",
            va="baseline",
            fontsize=size,
            family=font_family(layout.font),
            weight="bold" if bold else "normal",
            style="italic" if b.role == "note" else "normal",
            color="#7F0000" if b.role == "note" else "black",
            gid=line_id(b.id, i),
        )


def _draw_phase_bar(ax: Any, layout: Layout, b: Box) -> None:
    """A rounded bar on the left with its phase name rotated."""
    from matplotlib.patches import FancyBboxPatch

    fs = layout.fontsize
    ax.add_patch(
        FancyBboxPatch(
            (b.x, b.y),
            b.w,
            b.h,
            boxstyle=f"round,pad=0,rounding_size={fs * 0.5}",
            facecolor=COLOURS["phase"],
            edgecolor="none",
            gid=f"box-{b.id}",
        )
    )
    n = len(b.lines)
    for i, (text, _, _) in enumerate(b.lines):
        ax.text(
            b.cx + (i - (n - 1) / 2) * layout.line_height,
            b.cy,
            text,
            rotation=90,
            rotation_mode="anchor",
            ha="center",
            va="center",
            fontsize=fs,
            family=font_family(layout.font),
            weight="bold",
            gid=line_id(b.id, i),
        )


def _draw_box(ax: Any, layout: Layout, b: Box) -> None:
    """A framed count box (main/side) or a filled header, with its wrapped lines."""
    from matplotlib.patches import Rectangle

    fs = layout.fontsize
    fill = COLOURS.get(b.role, "white")
    ax.add_patch(
        Rectangle(
            (b.x, b.y),
            b.w,
            b.h,
            facecolor=fill,
            edgecolor="black" if b.role in ("main", "side") else "none",
            linewidth=LINE_WIDTH,
            gid=f"box-{b.id}",
        )
    )
    top = b.y + layout.pad + layout.ascent
    if b.role.startswith("header"):
        block = (len(b.lines) - 1) * layout.line_height + layout.ascent + layout.descent
        top = b.y + (b.h - block) / 2 + layout.ascent
    for i, (text, xoff, bold) in enumerate(b.lines):
        centre = b.align == "center" or b.role.startswith("header")
        ax.text(
            b.cx if centre else b.x + layout.pad + xoff,
            top + i * layout.line_height,
            text,
            ha="center" if centre else "left",
            va="baseline",
            fontsize=fs,
            family=font_family(layout.font),
            weight="bold" if bold else "normal",
            gid=line_id(b.id, i),
        )


def _draw_arrow(ax: Any, layout: Layout, pts: list[tuple[float, float]], gid: str) -> None:
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path as MplPath

    path = MplPath(pts, [MplPath.MOVETO] + [MplPath.LINETO] * (len(pts) - 1))
    ax.add_patch(
        FancyArrowPatch(
            path=path,
            arrowstyle="-|>",
            mutation_scale=layout.fontsize * 1.1,
            linewidth=LINE_WIDTH,
            color="black",
            shrinkA=0,
            shrinkB=0,
            joinstyle="miter",
            gid=gid,
        )
    )


FORMATS = ("svg", "png", "pdf")


def render_bytes(layout: Layout, formats: tuple[str, ...] = FORMATS) -> dict[str, bytes]:
    """SVG (text as ``<text>``), PNG (300 dpi) and PDF of one figure (or only ``formats``),
    deterministic (no dates, fixed SVG ids)."""
    import io

    out: dict[str, bytes] = {}
    # text stays text in the SVG (with a font fallback list) so that authors can edit labels
    with editable("review-prisma", layout.font):
        fig = draw(layout)
        for fmt, kwargs in (
            ("svg", {"metadata": {"Date": None}}),
            ("png", {"dpi": PNG_DPI, "metadata": {"Software": None}}),
            ("pdf", {"metadata": {"CreationDate": None, "Producer": None}}),
        ):
            if fmt not in formats:
                continue
            buf = io.BytesIO()
            fig.savefig(buf, format=fmt, facecolor="white", **kwargs)
            out[fmt] = buf.getvalue()
    return out
