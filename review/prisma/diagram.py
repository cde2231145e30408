"""The PRISMA 2020 flow diagram, in three steps (this module gathers their public names):

- :mod:`review.prisma.content` — what the boxes say (labels, :class:`DiagramOptions`);
- :mod:`review.prisma.layout` — where they go (text measured, wrapped, placed; arrows);
- :mod:`review.prisma.render` — drawing the layout to SVG, PNG (300 dpi) and PDF.

The layout follows the PRISMA 2020 template for new systematic reviews: phase bars on the left
(Identification, Screening, Included), the databases-and-registers column with its side boxes
(removals and exclusions) and, when present, the other-methods column.
"""

from __future__ import annotations

from review.prisma.content import (
    DEFAULT_LABELS,
    KIND_LABEL_KEYS,
    Box,
    DiagramOptions,
    Item,
    build_boxes,
    cnt,
    count_text,
    merged_labels,
    parse_labels,
)
from review.prisma.layout import (
    Layout,
    Measurer,
    compute_layout,
    min_width,
    resolve_font,
    wrap_item,
)
from review.prisma.render import COLOURS, draw, render_bytes

__all__ = [
    "COLOURS",
    "DEFAULT_LABELS",
    "KIND_LABEL_KEYS",
    "Box",
    "DiagramOptions",
    "Item",
    "Layout",
    "Measurer",
    "build_boxes",
    "cnt",
    "compute_layout",
    "count_text",
    "draw",
    "merged_labels",
    "min_width",
    "parse_labels",
    "render_bytes",
    "resolve_font",
    "wrap_item",
]
