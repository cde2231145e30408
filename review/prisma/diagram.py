"""The PRISMA 2020 flow diagram: one layout (boxes, arrows, text measured with the renderer),
rendered to SVG, PNG (300 dpi) and PDF with matplotlib's Agg/vector backends.

The layout follows the PRISMA 2020 template for new systematic reviews: phase bars on the left
(Identification, Screening, Included), the databases-and-registers column with its side boxes
(removals and exclusions) and, when present, the other-methods column. Every text line is
measured with matplotlib's own renderer and wrapped to its box; a word wider than a box widens
the whole column, so text never overflows. Coordinates are typographic points (1/72 inch), y
grows downwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from review.errors import ReviewError
from review.prisma.flow import Flow

# ---- labels (overridable with --label KEY=TEXT) -----------------------------------------------

DEFAULT_LABELS: dict[str, str] = {
    "title": "",
    "header_main": "Identification of new studies via databases and registers",
    "header_other": "Identification of new studies via other methods",
    "identification": "Identification",
    "screening": "Screening",
    "included": "Included",
    "identified": "Records identified from:",
    "databases": "Databases",
    "registers": "Registers",
    "screened_with": "Other sources screened with these:",
    "website": "Websites",
    "organisation": "Organisations",
    "citation": "Citation searching",
    "expert": "Experts",
    "other": "Other sources",
    "removed": "Records removed before screening:",
    "duplicates": "Duplicate records removed",
    "duplicates_automatic": "automatically",
    "duplicates_manual": "by a reviewer",
    "excluded_automatic": "Records marked as ineligible by automation tools",
    "excluded_other": "Records removed for other reasons",
    "records_screened": "Records screened",
    "records_excluded": "Records excluded",
    "reports_sought": "Reports sought for retrieval",
    "reports_not_retrieved": "Reports not retrieved",
    "reports_assessed": "Reports assessed for eligibility",
    "reports_excluded": "Reports excluded",
    "studies_included": "Studies included in review",
    "programmes_included": "Studies (programmes) included in review",
    "reports_included": "Reports of included studies",
    "reports_included_main": "from databases and registers",
    "reports_included_other": "from other methods",
    "provisional": "Provisional counts: {open}.",
}

KIND_LABEL_KEYS = ("website", "organisation", "citation", "expert", "other")


@dataclass(frozen=True)
class DiagramOptions:
    title: str = ""
    font: str = "DejaVu Sans"  # a family name, or a path to a .ttf/.otf file
    fontsize: float = 8.0
    branches: str = "auto"  # auto | databases | both
    labels: Mapping[str, str] = field(default_factory=dict)


def merged_labels(options: DiagramOptions) -> dict[str, str]:
    unknown = sorted(k for k in options.labels if k not in DEFAULT_LABELS)
    if unknown:
        raise ReviewError(
            f"Unknown --label key {', '.join(unknown)}. Keys: {', '.join(DEFAULT_LABELS)}."
        )
    labels = {**DEFAULT_LABELS, **options.labels}
    if options.title:
        labels["title"] = options.title
    return labels


def parse_labels(pairs: list[str]) -> dict[str, str]:
    """``["records_screened=Titles screened"]`` -> dict; a clear error for a malformed pair."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip():
            raise ReviewError(f"--label {pair!r}: write it as KEY=TEXT, e.g. records_screened=…")
        out[key.strip()] = text
    return out


# ---- layout model -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Item:
    """One logical line of box content before wrapping."""

    text: str
    indent: int = 0
    bold: bool = False


@dataclass
class Box:
    id: str
    role: str  # main | side | header_main | header_other | phase | title | note
    items: list[Item]
    align: str = "center"  # center | left
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0
    lines: list[tuple[str, float, bool]] = field(default_factory=list)  # text, x-offset, bold

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h


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


# ---- content -------------------------------------------------------------------------------------


def n_(value: int | None) -> str:
    return f"{int(value or 0):,}"


def cnt(label: str, value: int | None, colon: bool = False) -> str:
    """``Records screened (n = 3,794)`` with non-breaking spaces inside the bracket."""
    return f"{label} (n\u00a0=\u00a0{n_(value)}){':' if colon else ''}"


def _records(value: int, noun: str = "record") -> str:
    return f"{n_(value)} {noun}{'' if value == 1 else 's'}"


def _reason_items(rows: list[dict[str, Any]]) -> list[Item]:
    return [Item(cnt(r["label"], r["n"]), 1) for r in rows if r["n"]]


def _count_box(box_id: str, role: str, label: str, value: int, reasons: list[Item]) -> Box:
    head = Item(cnt(label, value, colon=bool(reasons)))
    return Box(box_id, role, [head, *reasons], "left" if reasons else "center")


def build_boxes(flow: Flow, labels: Mapping[str, str], show_other: bool) -> list[Box]:
    """The boxes' contents (ids, roles, logical lines), before wrapping and placement."""
    f = flow.flow
    lab = labels
    ident = f["identified"]
    main = [r for r in ident if r["branch"] == "main"]
    other = [r for r in ident if r["branch"] == "other"]
    boxes: list[Box] = []
    if lab["title"]:
        boxes.append(Box("title", "title", [Item(lab["title"], bold=True)]))
    boxes.append(Box("header_main", "header_main", [Item(lab["header_main"], bold=True)]))
    if show_other:
        boxes.append(Box("header_other", "header_other", [Item(lab["header_other"], bold=True)]))

    # identification: databases and registers (+ other kinds screened with them)
    items = [Item(lab["identified"])]
    # "Registers (n = 0)" is shown even without registers, as the PRISMA 2020 template asks
    for kind, key in (("database", "databases"), ("register", "registers")):
        rows = [r for r in main if r["kind"] == kind]
        items.append(Item(cnt(lab[key], sum(r["n"] for r in rows))))
        if len(rows) > 1 or (rows and rows[0]["source"].lower() != lab[key].lower()):
            items += [Item(cnt(r["source"], r["n"]), 1) for r in rows]
    with_db = [r for r in main if r["kind"] not in ("database", "register")]
    if with_db:
        items.append(Item(lab["screened_with"]))
        items += [
            Item(cnt(f"{r['source']} ({lab[r['kind']].lower()})", r["n"]), 1) for r in with_db
        ]
    boxes.append(Box("identified_main", "main", items, "left"))

    dups = f["duplicates_automatic"] + f["duplicates_manual"]
    removed = [
        Item(lab["removed"]),
        Item(cnt(lab["duplicates"], dups)),
        Item(cnt(lab["duplicates_automatic"], f["duplicates_automatic"]), 1),
        Item(cnt(lab["duplicates_manual"], f["duplicates_manual"]), 1),
        Item(cnt(lab["excluded_automatic"], f["excluded_automatic"])),
        Item(cnt(lab["excluded_other"], f["excluded_other"])),
    ]
    boxes.append(Box("removed", "side", removed, "left"))
    if show_other:
        items = [Item(lab["identified"])]
        for kind in KIND_LABEL_KEYS:
            rows = [r for r in other if r["kind"] == kind]
            if not rows:
                continue
            items.append(Item(cnt(lab[kind], sum(r["n"] for r in rows))))
            if len(rows) > 1 or rows[0]["source"].lower() != lab[kind].lower():
                items += [Item(cnt(r["source"], r["n"]), 1) for r in rows]
        if len(items) == 1:
            items += [Item(cnt(lab[k], 0)) for k in ("website", "organisation", "citation")]
        boxes.append(Box("identified_other", "main", items, "left"))

    boxes.append(
        _count_box("records_screened", "main", lab["records_screened"], f["records_screened"], [])
    )
    boxes.append(
        _count_box(
            "records_excluded",
            "side",
            lab["records_excluded"],
            f["records_excluded"],
            _reason_items(f["records_excluded_by_reason"]),
        )
    )
    for prefix, suffix in (("reports_", ""), ("other_reports_", "_other")):
        if suffix and not show_other:
            continue
        for key, role in (("sought", "main"), ("not_retrieved", "side"), ("assessed", "main")):
            boxes.append(
                _count_box(
                    f"reports_{key}{suffix}", role, lab[f"reports_{key}"], f[prefix + key], []
                )
            )
        boxes.append(
            _count_box(
                f"reports_excluded{suffix}",
                "side",
                lab["reports_excluded"],
                f[prefix + "excluded"],
                _reason_items(f[prefix + "excluded_by_reason"]),
            )
        )
    programmes = f["programmes_included"] is not None
    studies_label = lab["programmes_included"] if programmes else lab["studies_included"]
    inc = [
        Item(cnt(studies_label, f["studies_included"])),
        Item(cnt(lab["reports_included"], f["reports_included"])),
    ]
    if f["reports_included_other"] or show_other:
        inc += [
            Item(cnt(lab["reports_included_main"], f["reports_included_main"]), 1),
            Item(cnt(lab["reports_included_other"], f["reports_included_other"]), 1),
        ]
    boxes.append(Box("included", "main", inc, "left" if len(inc) > 2 else "center"))
    for phase in ("identification", "screening", "included"):
        boxes.append(Box(f"phase_{phase}", "phase", [Item(lab[phase], bold=True)]))
    if f["provisional"]:
        o = f["open"]
        parts = [
            f"{_records(o['title_abstract'])} undecided at title/abstract"
            if o["title_abstract"]
            else "",
            f"{_records(o['full_text'], 'report')} undecided at full text"
            if o["full_text"]
            else "",
            f"{_records(o['dedup_pairs'])} in possible-duplicate pairs" if o["dedup_pairs"] else "",
        ]
        text = lab["provisional"].format(open="; ".join(p for p in parts if p))
        boxes.append(Box("provisional", "note", [Item(text)], "left"))
    return boxes


# ---- geometry ------------------------------------------------------------------------------------


def compute_layout(flow: Flow, options: DiagramOptions | None = None) -> Layout:
    """Place every box and arrow; wrap every text with measured widths."""
    options = options or DiagramOptions()
    if options.branches not in ("auto", "databases", "both"):
        raise ReviewError(f"--branches {options.branches!r}: use auto, databases or both.")
    labels = merged_labels(options)
    has_other = any(r["branch"] == "other" for r in flow.flow["identified"])
    show_other = options.branches == "both" or (options.branches == "auto" and has_other)
    m = Measurer(options.font, options.fontsize)
    fs = options.fontsize
    pad = 0.6 * fs  # inner padding of a box
    line_h = 1.25 * fs
    indent_pt = 1.25 * fs
    margin = 1.5 * fs
    bar_w = 2.4 * fs
    bar_gap = 1.0 * fs
    col_gap = 3.0 * fs  # between a main box and its side box
    branch_gap = 3.0 * fs  # between the two branches
    row_gap = 2.6 * fs
    # column widths: as wide as the longest unwrapped line, between a floor and a cap
    floor = {"A": 16 * fs, "B": 16 * fs, "C": 16 * fs, "D": 14 * fs}
    cap = {"A": 27 * fs, "B": 26 * fs, "C": 21 * fs, "D": 18 * fs}

    boxes = {b.id: b for b in build_boxes(flow, labels, show_other)}
    column = {
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
    natural = dict(floor)
    for bid, col in column.items():
        if bid in boxes:
            longest = max(
                it.indent * indent_pt + m.width(it.text, it.bold) for it in boxes[bid].items
            )
            natural[col] = max(natural[col], longest + 2 * pad + 0.4 * fs)
    widths = {col: min(natural[col], cap[col]) for col in natural}
    # widen a column when a single word (plus indents) would not fit
    for bid, col in column.items():
        if bid in boxes:
            need = max(min_width(it, m, indent_pt) for it in boxes[bid].items) + 2 * pad
            widths[col] = max(widths[col], need)

    def wrap(box: Box, width: float) -> None:
        box.w = width
        inner = width - 2 * pad
        box.lines = []
        for it in box.items:
            for text, x in wrap_item(it, inner, m, indent_pt):
                box.lines.append((text, x, it.bold))
        n = len(box.lines)
        box.h = (n - 1) * line_h + m.ascent + m.descent + 2 * pad if n else 0.0

    for bid, col in column.items():
        if bid in boxes:
            wrap(boxes[bid], widths[col])

    xA = margin + bar_w + bar_gap
    xB = xA + widths["A"] + col_gap
    xC = xB + widths["B"] + branch_gap
    xD = xC + widths["C"] + col_gap
    xs = {"A": xA, "B": xB, "C": xC, "D": xD}
    right = (xD + widths["D"]) if show_other else (xB + widths["B"])
    for bid, col in column.items():
        if bid in boxes:
            boxes[bid].x = xs[col]

    y = margin
    if "title" in boxes:
        t = boxes["title"]
        tm = Measurer(options.font, fs * 1.4)
        t.items = [Item(t.items[0].text, bold=True)]
        avail = right - margin
        t.lines = [(txt, 0.0, True) for txt, _ in wrap_item(t.items[0], avail, tm, 0)]
        t.x, t.y, t.w = margin, y, right - margin
        t.h = len(t.lines) * 1.25 * fs * 1.4
        y += t.h + fs

    # headers above the two branches, same height
    hdrs = [("header_main", xA, xB + widths["B"])]
    if show_other:
        hdrs.append(("header_other", xC, xD + widths["D"]))
    for bid, x0, x1 in hdrs:
        wrap(boxes[bid], x1 - x0)
        boxes[bid].x = x0
    hh = max(boxes[bid].h for bid, _, _ in hdrs)
    for bid, _, _ in hdrs:
        boxes[bid].y = y
        boxes[bid].h = hh
    y += hh + 1.5 * fs

    rows = [
        ["identified_main", "removed", "identified_other"],
        ["records_screened", "records_excluded"],
        [
            "reports_sought",
            "reports_not_retrieved",
            "reports_sought_other",
            "reports_not_retrieved_other",
        ],
        [
            "reports_assessed",
            "reports_excluded",
            "reports_assessed_other",
            "reports_excluded_other",
        ],
        ["included"],
    ]
    row_span: list[tuple[float, float]] = []
    # single-row phases (Identification, Included) must be tall enough for their bar's label
    min_h = {
        0: m.width(labels["identification"], True) + 2 * pad,
        4: m.width(labels["included"], True) + 2 * pad,
    }
    for i, row in enumerate(rows):
        present = [boxes[b] for b in row if b in boxes]
        rh = max(max(b.h for b in present), min_h.get(i, 0.0))
        for b in present:
            b.y = y + (rh - b.h) / 2
        row_span.append((y, y + rh))
        y += rh + row_gap
    bottom = y - row_gap

    # phase bars
    phases = {"identification": (0, 0), "screening": (1, 3), "included": (4, 4)}
    for name, (r0, r1) in phases.items():
        b = boxes[f"phase_{name}"]
        b.x, b.w = margin, bar_w
        b.y, b.h = row_span[r0][0], row_span[r1][1] - row_span[r0][0]
        b.lines = [(b.items[0].text, 0.0, True)]  # one rotated line; rows grew to fit it

    height = bottom + margin
    if "provisional" in boxes:
        p = boxes["provisional"]
        p.x, p.y = margin, bottom + fs
        p.w = right - margin
        p.lines = [(t, 0.0, False) for t, _ in wrap_item(p.items[0], p.w, m, 0)]
        p.h = len(p.lines) * line_h
        height = p.y + p.h + margin

    # arrows
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

    for a, b in (
        ("identified_main", "records_screened"),
        ("records_screened", "reports_sought"),
        ("reports_sought", "reports_assessed"),
        ("reports_assessed", "included"),
    ):
        down(a, b)
    for a, b in (
        ("identified_main", "removed"),
        ("records_screened", "records_excluded"),
        ("reports_sought", "reports_not_retrieved"),
        ("reports_assessed", "reports_excluded"),
    ):
        side(a, b)
    if show_other:
        down("identified_other", "reports_sought_other")
        down("reports_sought_other", "reports_assessed_other")
        side("reports_sought_other", "reports_not_retrieved_other")
        side("reports_assessed_other", "reports_excluded_other")
        C, inc = boxes["reports_assessed_other"], boxes["included"]
        arrows.append([(C.cx, C.bottom), (C.cx, inc.cy), (inc.right, inc.cy)])
        edges.append(("reports_assessed_other", "included"))

    order = [b for b in boxes.values()]
    return Layout(
        width=right + margin,
        height=height,
        boxes=order,
        arrows=arrows,
        edges=edges,
        font=m.family,
        fontsize=fs,
        line_height=line_h,
        ascent=m.ascent,
        descent=m.descent,
        pad=pad,
    )


# ---- rendering -----------------------------------------------------------------------------------

COLOURS = {
    "header_main": "#FFE699",
    "header_other": "#E7E6E6",
    "phase": "#BDD7EE",
}


def draw(layout: Layout) -> Any:
    """A matplotlib Figure of the layout (1 data unit = 1 point, origin top-left)."""
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle
    from matplotlib.path import Path as MplPath

    fig = Figure(figsize=(layout.width / 72, layout.height / 72), dpi=72, facecolor="white")
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, layout.width)
    ax.set_ylim(layout.height, 0)
    ax.axis("off")
    ax.set_facecolor("white")
    fs = layout.fontsize
    lw = 0.75
    for b in layout.boxes:
        if b.role in ("title", "note"):
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
                    family=layout.font,
                    weight="bold" if bold else "normal",
                    style="italic" if b.role == "note" else "normal",
                    color="#7F0000" if b.role == "note" else "black",
                )
            continue
        if b.role == "phase":
            ax.add_patch(
                FancyBboxPatch(
                    (b.x, b.y),
                    b.w,
                    b.h,
                    boxstyle=f"round,pad=0,rounding_size={fs * 0.5}",
                    facecolor=COLOURS["phase"],
                    edgecolor="none",
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
                    family=layout.font,
                    weight="bold",
                )
            continue
        fill = COLOURS.get(b.role, "white")
        ax.add_patch(
            Rectangle(
                (b.x, b.y),
                b.w,
                b.h,
                facecolor=fill,
                edgecolor="black" if b.role in ("main", "side") else "none",
                linewidth=lw,
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
                family=layout.font,
                weight="bold" if bold else "normal",
            )
    for pts in layout.arrows:
        path = MplPath(pts, [MplPath.MOVETO] + [MplPath.LINETO] * (len(pts) - 1))
        ax.add_patch(
            FancyArrowPatch(
                path=path,
                arrowstyle="-|>",
                mutation_scale=fs * 1.1,
                linewidth=lw,
                color="black",
                shrinkA=0,
                shrinkB=0,
                joinstyle="miter",
            )
        )
    return fig


def render_bytes(layout: Layout) -> dict[str, bytes]:
    """SVG, PNG (300 dpi) and PDF of one figure, deterministic (no dates, fixed SVG ids)."""
    import io

    import matplotlib

    out: dict[str, bytes] = {}
    with matplotlib.rc_context(
        {"svg.hashsalt": "review-prisma", "svg.fonttype": "path", "pdf.fonttype": 42}
    ):
        fig = draw(layout)
        for fmt, kwargs in (
            ("svg", {"metadata": {"Date": None}}),
            ("png", {"dpi": 300, "metadata": {"Software": None}}),
            ("pdf", {"metadata": {"CreationDate": None, "Producer": None}}),
        ):
            buf = io.BytesIO()
            fig.savefig(buf, format=fmt, facecolor="white", **kwargs)
            out[fmt] = buf.getvalue()
    return out
