"""Where the PRISMA 2020 flow diagram's boxes go: text measured, wrapped and placed.

:func:`compute_layout` takes the boxes of :func:`review.prisma.content.build_boxes` and gives
each its column (:data:`COLUMN`), row (:data:`ROWS`), width, wrapped lines and position, then
draws the arrows (:data:`DOWN`, :data:`SIDE`). Every text line is measured with matplotlib's own
renderer (:class:`Measurer`) and wrapped to its box; a word wider than a box widens the whole
column, so text never overflows. Coordinates are typographic points (1/72 inch), y grows
downwards. A new box needs an entry in :data:`COLUMN` and in one of :data:`ROWS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from review.errors import ReviewError
from review.model import Branches, vocab
from review.prisma.content import Box, DiagramOptions, Item, build_boxes, merged_labels
from review.prisma.facts import Flow

# ---- the layout --------------------------------------------------------------------------------


@dataclass
class Layout:
    width: float
    height: float
    boxes: list[Box]
    arrows: list[list[tuple[float, float]]]
    edges: list[tuple[str, str]]  # the same arrows as (from box id, to box id)
    font: str
    fontsize: float
    line_height: float
    ascent: float
    descent: float
    pad: float

    def box(self, box_id: str) -> Box:
        for b in self.boxes:
            if b.id == box_id:
                return b
        raise KeyError(box_id)

    def to_json(self) -> dict[str, Any]:
        """A stable description of the layout for golden tests (rounded coordinates)."""

        def r(v: float) -> float:
            return round(v, 1)

        return {
            "width": r(self.width),
            "height": r(self.height),
            "boxes": [
                {
                    "id": b.id,
                    "role": b.role,
                    "x": r(b.x),
                    "y": r(b.y),
                    "w": r(b.w),
                    "h": r(b.h),
                    "lines": [t for t, _, _ in b.lines],
                }
                for b in self.boxes
            ],
            "arrows": [[[r(x), r(y)] for x, y in a] for a in self.arrows],
        }


# ---- text measurement -----------------------------------------------------------------------


class Measurer:
    """Text extents in points, from the Agg renderer (the same metrics SVG/PDF use)."""

    def __init__(self, font: str, fontsize: float) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.font_manager import FontProperties

        self.family = resolve_font(font)
        self.fontsize = fontsize
        fig = Figure(dpi=72)
        self.renderer = FigureCanvasAgg(fig).get_renderer()
        self.props = {
            bold: FontProperties(
                family=self.family, size=fontsize, weight="bold" if bold else "normal"
            )
            for bold in (False, True)
        }
        self._cache: dict[tuple[str, bool], float] = {}
        _w, h, d = self.renderer.get_text_width_height_descent(
            "Ag", self.props[False], ismath=False
        )
        self.ascent = h - d
        self.descent = d

    def width(self, text: str, bold: bool = False) -> float:
        key = (text, bold)
        if key not in self._cache:
            w, _, _ = self.renderer.get_text_width_height_descent(
                text, self.props[bold], ismath=False
            )
            self._cache[key] = float(w)
        return self._cache[key]


def resolve_font(font: str) -> str:
    """A font family name matplotlib can use; a .ttf/.otf path is registered first."""
    from matplotlib import font_manager

    path = Path(font)
    if path.suffix.lower() in (".ttf", ".otf", ".ttc") or path.is_file():
        if not path.is_file():
            raise ReviewError(f"--font {font}: no such font file.")
        font_manager.fontManager.addfont(str(path))
        return font_manager.FontProperties(fname=str(path)).get_name()
    try:
        font_manager.findfont(font_manager.FontProperties(family=font), fallback_to_default=False)
    except ValueError:
        names = sorted({f.name for f in font_manager.fontManager.ttflist})
        raise ReviewError(
            f"--font {font!r}: no such font installed. Installed: {', '.join(names)}; "
            "or give the path of a .ttf/.otf file."
        ) from None
    return font


def wrap_item(item: Item, avail: float, m: Measurer, indent_pt: float) -> list[tuple[str, float]]:
    """Greedy word wrap of one item; continuation lines get a hanging indent."""
    first_x = item.indent * indent_pt
    cont_x = first_x + (indent_pt if item.indent else indent_pt / 2)
    words = [w for w in item.text.split(" ") if w]
    if not words:
        return [("", first_x)]
    lines: list[tuple[str, float]] = []
    current = words[0]
    x = first_x
    for word in words[1:]:
        trial = f"{current} {word}"
        if m.width(trial, item.bold) <= avail - x:
            current = trial
        else:
            lines.append((current, x))
            current = word
            x = cont_x
    lines.append((current, x))
    return lines


def min_width(item: Item, m: Measurer, indent_pt: float) -> float:
    """The narrowest inner width that fits the widest word of ``item`` (with its indents)."""
    cont_x = item.indent * indent_pt + (indent_pt if item.indent else indent_pt / 2)
    words = [w for w in item.text.split(" ") if w]
    return max((m.width(w, item.bold) for w in words), default=0.0) + cont_x


# ---- the grid -----------------------------------------------------------------------------------

# Column A: the databases-and-registers boxes, B: their side boxes; C and D: the same for the
# other-methods branch (shown when present, or with --branches both).
COLUMN = {
    "identified_main": "A",
    "records_screened": "A",
    "reports_sought": "A",
    "reports_assessed": "A",
    "included": "A",
    "removed": "B",
    "records_excluded": "B",
    "reports_not_retrieved": "B",
    "reports_excluded": "B",
    "identified_other": "C",
    "reports_sought_other": "C",
    "reports_assessed_other": "C",
    "reports_not_retrieved_other": "D",
    "reports_excluded_other": "D",
}
# The rows top to bottom; a row is as tall as its tallest box, the others are centred in it.
ROWS = (
    ("identified_main", "removed", "identified_other"),
    ("records_screened", "records_excluded"),
    (
        "reports_sought",
        "reports_not_retrieved",
        "reports_sought_other",
        "reports_not_retrieved_other",
    ),
    ("reports_assessed", "reports_excluded", "reports_assessed_other", "reports_excluded_other"),
    ("included",),
)
PHASES = {"identification": (0, 0), "screening": (1, 3), "included": (4, 4)}  # first, last row
DOWN = (  # arrows from the bottom of one box to the top of the next
    ("identified_main", "records_screened"),
    ("records_screened", "reports_sought"),
    ("reports_sought", "reports_assessed"),
    ("reports_assessed", "included"),
)
SIDE = (  # arrows from a main box to its side box
    ("identified_main", "removed"),
    ("records_screened", "records_excluded"),
    ("reports_sought", "reports_not_retrieved"),
    ("reports_assessed", "reports_excluded"),
)
DOWN_OTHER = (
    ("identified_other", "reports_sought_other"),
    ("reports_sought_other", "reports_assessed_other"),
)
SIDE_OTHER = (
    ("reports_sought_other", "reports_not_retrieved_other"),
    ("reports_assessed_other", "reports_excluded_other"),
)


@dataclass
class _Page:
    """The boxes being placed, the measurer and the spacings (all in points)."""

    boxes: dict[str, Box]
    m: Measurer
    fs: float
    show_other: bool

    def __post_init__(self) -> None:
        fs = self.fs
        self.pad = 0.6 * fs  # inner padding of a box
        self.line_h = 1.25 * fs
        self.indent_pt = 1.25 * fs
        self.margin = 1.5 * fs
        self.bar_w = 2.4 * fs
        self.bar_gap = 1.0 * fs
        self.col_gap = 3.0 * fs  # between a main box and its side box
        self.branch_gap = 3.0 * fs  # between the two branches
        self.row_gap = 2.6 * fs

    def placed(self) -> list[tuple[Box, str]]:
        """The boxes that sit in a column, with their column."""
        return [(self.boxes[bid], col) for bid, col in COLUMN.items() if bid in self.boxes]

    def wrap(self, box: Box, width: float) -> None:
        box.w = width
        inner = width - 2 * self.pad
        box.lines = []
        for it in box.items:
            for text, x in wrap_item(it, inner, self.m, self.indent_pt):
                box.lines.append((text, x, it.bold))
        n = len(box.lines)
        m = self.m
        box.h = (n - 1) * self.line_h + m.ascent + m.descent + 2 * self.pad if n else 0.0


# ---- geometry -----------------------------------------------------------------------------------


def compute_layout(flow: Flow, options: DiagramOptions | None = None) -> Layout:
    """Place every box and arrow; wrap every text with measured widths."""
    options = options or DiagramOptions()
    show_other = show_other_branch(flow, options)
    labels = merged_labels(options)
    m = Measurer(options.font, options.fontsize)
    boxes = {b.id: b for b in build_boxes(flow, labels, show_other)}
    page = _Page(boxes, m, options.fontsize, show_other)

    widths = _column_widths(page)
    for box, col in page.placed():
        page.wrap(box, widths[col])
    xs = _column_x(page, widths)
    right = (xs["D"] + widths["D"]) if show_other else (xs["B"] + widths["B"])
    for box, col in page.placed():
        box.x = xs[col]

    y = _place_title(page, options.font, right, page.margin)
    y = _place_headers(page, xs, widths, y)
    row_span, bottom = _place_rows(page, labels, y)
    _place_phase_bars(page, row_span)
    height = _place_note(page, right, bottom)
    arrows, edges = _arrows(page)
    return Layout(
        width=right + page.margin,
        height=height,
        boxes=list(boxes.values()),
        arrows=arrows,
        edges=edges,
        font=m.family,
        fontsize=page.fs,
        line_height=page.line_h,
        ascent=m.ascent,
        descent=m.descent,
        pad=page.pad,
    )


def show_other_branch(flow: Flow, options: DiagramOptions) -> bool:
    """Whether the other-methods column is drawn (``--branches``; ``auto``: when there are
    other-methods records)."""
    if vocab(Branches, options.branches) is None:  # a library caller's plain string
        raise ReviewError(f"--branches {options.branches!r}: use auto, databases or both.")
    has_other = any(r.branch == "other" for r in flow.counts.identified)
    return options.branches == Branches.BOTH or (options.branches == Branches.AUTO and has_other)


def _column_widths(page: _Page) -> dict[str, float]:
    """As wide as the longest unwrapped line, between a floor and a cap; wider when a single
    word (plus indents) would not fit."""
    fs, m, pad, indent_pt = page.fs, page.m, page.pad, page.indent_pt
    floor = {"A": 16 * fs, "B": 16 * fs, "C": 16 * fs, "D": 14 * fs}
    cap = {"A": 27 * fs, "B": 26 * fs, "C": 21 * fs, "D": 18 * fs}
    natural = dict(floor)
    for box, col in page.placed():
        longest = max(it.indent * indent_pt + m.width(it.text, it.bold) for it in box.items)
        natural[col] = max(natural[col], longest + 2 * pad + 0.4 * fs)
    widths = {col: min(natural[col], cap[col]) for col in natural}
    for box, col in page.placed():
        need = max(min_width(it, m, indent_pt) for it in box.items) + 2 * pad
        widths[col] = max(widths[col], need)
    return widths


def _column_x(page: _Page, widths: dict[str, float]) -> dict[str, float]:
    xA = page.margin + page.bar_w + page.bar_gap
    xB = xA + widths["A"] + page.col_gap
    xC = xB + widths["B"] + page.branch_gap
    xD = xC + widths["C"] + page.col_gap
    return {"A": xA, "B": xB, "C": xC, "D": xD}


def _place_title(page: _Page, font: str, right: float, y: float) -> float:
    """The optional title across the page (1.4× the font size); returns the next free y."""
    if "title" not in page.boxes:
        return y
    fs, margin = page.fs, page.margin
    t = page.boxes["title"]
    tm = Measurer(font, fs * 1.4)
    t.items = [Item(t.items[0].text, bold=True)]
    avail = right - margin
    t.lines = [(txt, 0.0, True) for txt, _ in wrap_item(t.items[0], avail, tm, 0)]
    t.x, t.y, t.w = margin, y, right - margin
    t.h = len(t.lines) * 1.25 * fs * 1.4
    return y + t.h + fs


def _place_headers(page: _Page, xs: dict[str, float], widths: dict[str, float], y: float) -> float:
    """The headers above the two branches, the same height; returns the next free y."""
    boxes = page.boxes
    hdrs = [("header_main", xs["A"], xs["B"] + widths["B"])]
    if page.show_other:
        hdrs.append(("header_other", xs["C"], xs["D"] + widths["D"]))
    for bid, x0, x1 in hdrs:
        page.wrap(boxes[bid], x1 - x0)
        boxes[bid].x = x0
    hh = max(boxes[bid].h for bid, _, _ in hdrs)
    for bid, _, _ in hdrs:
        boxes[bid].y = y
        boxes[bid].h = hh
    return y + hh + 1.5 * page.fs


def _place_rows(
    page: _Page, labels: dict[str, str], y: float
) -> tuple[list[tuple[float, float]], float]:
    """Each row's boxes centred in it; returns every row's (top, bottom) and the last bottom."""
    m, pad = page.m, page.pad
    row_span: list[tuple[float, float]] = []
    # single-row phases (Identification, Included) must be tall enough for their bar's label
    min_h = {
        0: m.width(labels["identification"], True) + 2 * pad,
        4: m.width(labels["included"], True) + 2 * pad,
    }
    for i, row in enumerate(ROWS):
        present = [page.boxes[b] for b in row if b in page.boxes]
        rh = max(max(b.h for b in present), min_h.get(i, 0.0))
        for b in present:
            b.y = y + (rh - b.h) / 2
        row_span.append((y, y + rh))
        y += rh + page.row_gap
    return row_span, y - page.row_gap


def _place_phase_bars(page: _Page, row_span: list[tuple[float, float]]) -> None:
    for name, (r0, r1) in PHASES.items():
        b = page.boxes[f"phase_{name}"]
        b.x, b.w = page.margin, page.bar_w
        b.y, b.h = row_span[r0][0], row_span[r1][1] - row_span[r0][0]
        b.lines = [(b.items[0].text, 0.0, True)]  # one rotated line; rows grew to fit it


def _place_note(page: _Page, right: float, bottom: float) -> float:
    """The provisional note under the diagram, if any; returns the page height."""
    fs, margin = page.fs, page.margin
    if "provisional" not in page.boxes:
        return bottom + margin
    p = page.boxes["provisional"]
    p.x, p.y = margin, bottom + fs
    p.w = right - margin
    p.lines = [(t, 0.0, False) for t, _ in wrap_item(p.items[0], p.w, page.m, 0)]
    p.h = len(p.lines) * page.line_h
    return p.y + p.h + margin


def _arrows(page: _Page) -> tuple[list[list[tuple[float, float]]], list[tuple[str, str]]]:
    """Every arrow as a polyline, and the same arrows as (from box id, to box id)."""
    boxes = page.boxes
    arrows: list[list[tuple[float, float]]] = []
    edges: list[tuple[str, str]] = []

    def down(a: str, b: str) -> None:
        A, B = boxes[a], boxes[b]
        arrows.append([(A.cx, A.bottom), (A.cx, B.y)])
        edges.append((a, b))

    def side(a: str, b: str) -> None:
        A, B = boxes[a], boxes[b]
        yy = (max(A.y, B.y) + min(A.bottom, B.bottom)) / 2
        arrows.append([(A.right, yy), (B.x, yy)])
        edges.append((a, b))

    for a, b in DOWN:
        down(a, b)
    for a, b in SIDE:
        side(a, b)
    if page.show_other:
        for a, b in DOWN_OTHER:
            down(a, b)
        for a, b in SIDE_OTHER:
            side(a, b)
        C, inc = boxes["reports_assessed_other"], boxes["included"]
        arrows.append([(C.cx, C.bottom), (C.cx, inc.cy), (inc.right, inc.cy)])
        edges.append(("reports_assessed_other", "included"))
    return arrows, edges
