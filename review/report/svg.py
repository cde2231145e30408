"""The report's figures: the PRISMA diagram (the drawing of prisma.svg, by the one renderer
:mod:`review.prisma.render`, with every count made a focusable link to the records behind it),
the evidence-gap map (a bubble matrix whose cells list and filter their reports) and the dedup
overlap (an UpSet-style figure, hand-written SVG).

Text is real ``<text>``, so a browser can search it and an author can edit it. No scripts here:
the page's script finds the elements by their ``data-*`` attributes.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from html import escape
from typing import TYPE_CHECKING, Any

from review.chart.outputs import GAP_BUBBLES, gap_count_id, render_gap_map
from review.chart.summary import CrossTab
from review.errors import ReviewError
from review.prisma.diagram import KIND_LABEL_KEYS, cnt, count_text
from review.prisma.render import line_id, render_bytes

if TYPE_CHECKING:
    from review.prisma.facts import Flow, FlowCounts, IdentifiedRow
    from review.report.charting_view import GapMapView
    from review.report.data import DedupView

FONT = "'DejaVu Sans', 'Bitstream Vera Sans', Verdana, Arial, Helvetica, sans-serif"


def _a(value: Any) -> str:
    return escape(str(value), quote=True)


def _f(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


# ---- PRISMA ----------------------------------------------------------------------------------


def item_keys(flow: Flow, labels: Mapping[str, str]) -> dict[str, dict[str, list[str]]]:
    """For each box id: the text of each count item -> the explain keys behind it (several keys
    when a line sums several sources). Built with the diagram's own ``cnt`` so texts match."""
    f = flow.counts
    out: dict[str, dict[str, list[str]]] = {}
    out["identified_main"], out["identified_other"] = _identified_item_keys(f, labels)

    def line(label: str, key: str, value: int, colon: bool = False) -> str:
        return count_text(f, key, label, value, labels, colon)

    out["removed"] = {
        line(labels["duplicates"], "duplicates", f.duplicates): ["duplicates"],
        line(labels["duplicates_automatic"], "duplicates", f.duplicates_automatic): [
            "duplicates_automatic"
        ],
        line(labels["duplicates_manual"], "duplicates", f.duplicates_manual): ["duplicates_manual"],
        line(labels["excluded_automatic"], "excluded_automatic", f.excluded_automatic): [
            "excluded_automatic"
        ],
        cnt(labels["excluded_other"], f.excluded_other): ["excluded_other"],
    }

    def count_box(box_id: str, label: str, key: str, value: int, reasons: str = "") -> None:
        d = {line(label, key, value): [key], line(label, key, value, colon=True): [key]}
        for r in f.reasons(reasons) or () if reasons else ():
            d[cnt(r.label, r.n)] = [f"{reasons}.{r.reason}"]
        out[box_id] = d

    count_box(
        "records_screened", labels["records_screened"], "records_screened", f.records_screened
    )
    out["records_screened"][cnt(labels["awaiting"], f.open.title_abstract)] = [
        "open.title_abstract"
    ]
    count_box(
        "records_excluded",
        labels["records_excluded"],
        "records_excluded",
        f.records_excluded,
        "records_excluded_by_reason",
    )
    for prefix, suffix, branch in (
        ("reports_", "", f.reports),
        ("other_reports_", "_other", f.other_reports),
    ):
        for key, value in (
            ("sought", branch.sought),
            ("not_retrieved", branch.not_retrieved),
            ("assessed", branch.assessed),
        ):
            count_box(f"reports_{key}{suffix}", labels[f"reports_{key}"], prefix + key, value)
        out[f"reports_assessed{suffix}"][cnt(labels["awaiting"], branch.awaiting)] = [
            prefix + "awaiting"
        ]
        count_box(
            f"reports_excluded{suffix}",
            labels["reports_excluded"],
            prefix + "excluded",
            branch.excluded,
            prefix + "excluded_by_reason",
        )
    if f.units_included is not None and f.unit is not None:
        studies = labels["units_included"].replace("{units}", f.unit.plural)
    else:
        studies = labels["studies_included"]
    out["included"] = {
        line(studies, "studies_included", f.studies_included): ["studies_included"],
        line(labels["reports_included"], "reports_included", f.reports_included): [
            "reports_included"
        ],
        line(labels["reports_included_main"], "reports_included_main", f.reports_included_main): [
            "reports_included_main"
        ],
        line(
            labels["reports_included_other"], "reports_included_other", f.reports_included_other
        ): ["reports_included_other"],
    }
    return out


def _identified_item_keys(
    f: FlowCounts, labels: Mapping[str, str]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The two identification boxes' items -> ``identified.<source>`` keys (main, other)."""

    def src_keys(rows: list[IdentifiedRow]) -> list[str]:
        return [f"identified.{r.source}" for r in rows]

    main = [r for r in f.identified if r.branch == "main"]
    other = [r for r in f.identified if r.branch == "other"]
    m: dict[str, list[str]] = {}
    for kind, key in (("database", "databases"), ("register", "registers")):
        rows = [r for r in main if r.kind == kind]
        m[cnt(labels[key], sum(r.n for r in rows))] = src_keys(rows)
        for r in rows:
            m[cnt(r.source, r.n)] = src_keys([r])
    for r in main:
        if r.kind not in ("database", "register"):
            m[cnt(f"{r.source} ({labels[r.kind].lower()})", r.n)] = src_keys([r])
    o: dict[str, list[str]] = {}
    for kind in KIND_LABEL_KEYS:
        rows = [r for r in other if r.kind == kind]
        if rows:
            o[cnt(labels[kind], sum(r.n for r in rows))] = src_keys(rows)
            for r in rows:
                o[cnt(r.source, r.n)] = src_keys([r])
    if not other:  # the template's empty other-methods box
        for kind in ("website", "organisation", "citation"):
            o[cnt(labels[kind], 0)] = []
    return m, o


def _item_lines(box: Any) -> list[tuple[Any, list[tuple[str, float, bool]]]]:
    """Group a box's wrapped lines back into its items (lines are produced item by item)."""
    groups = []
    lines = list(box.lines)
    pos = 0
    for item in box.items:
        target = " ".join(item.text.split())
        got: list[tuple[str, float, bool]] = []
        while pos < len(lines):
            got.append(lines[pos])
            pos += 1
            if " ".join(" ".join(t for t, _, _ in got).split()) == target:
                break
        groups.append((item, got))
    return groups


def prisma_svg(layout: Any, flow: Flow, labels: Mapping[str, str]) -> str:
    """The PRISMA 2020 diagram as inline SVG: the drawing of ``outputs/prisma/prisma.svg``
    (:func:`review.prisma.render.render_bytes`, the one renderer) with every count made a
    ``<g class="count">`` with ``data-keys`` (a JSON list of explain keys) and ``data-label``,
    focusable and titled."""
    keys = item_keys(flow, labels)
    root = _svg_root(render_bytes(layout, ("svg",))["svg"], "prisma")
    w = layout.width
    root.attrib.pop("height", None)  # the viewBox keeps the shape; CSS scales it
    root.set("width", _f(w * 1.5))
    root.set("class", "prisma")
    root.set("role", "img")
    root.set("aria-labelledby", "prisma-title")
    title = ET.Element(f"{_NS}title", {"id": "prisma-title"})
    title.text = "PRISMA 2020 flow diagram"
    root.insert(0, title)
    groups = {g.get("id"): (parent, g) for parent in root.iter() for g in parent}
    for b in layout.boxes:
        if b.role in ("title", "note", "phase"):
            continue
        if f"box-{b.id}" in groups:
            frame = groups[f"box-{b.id}"][1]
            frame.set("class", "box")
            frame.set("data-box", b.id)
        i = 0
        for item, lines in _item_lines(b):
            ids = [line_id(b.id, i + k) for k in range(len(lines))]
            i += len(lines)
            k = keys.get(b.id, {}).get(item.text)
            if k is not None and all(x in groups for x in ids):
                _link(groups, ids, k, _count_label(b, item))
    _drop_ids(root, keep={"prisma-title"})
    return ET.tostring(root, encoding="unicode")


_NS = "{http://www.w3.org/2000/svg}"


def _svg_root(data: bytes, css_class: str) -> ET.Element:
    """Our own matplotlib SVG as a tree, without its metadata (the XML declaration and DOCTYPE
    go with the parse)."""
    from defusedxml.ElementTree import fromstring

    ET.register_namespace("", "http://www.w3.org/2000/svg")
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    root: ET.Element = fromstring(data)
    for meta in root.findall(f"{_NS}metadata"):
        root.remove(meta)
    for style in root.iter(f"{_NS}style"):  # matplotlib's "*{…}" would style the whole page
        style.text = (style.text or "").replace("*{", f"svg.{css_class} *{{")
    return root


def _count_label(box: Any, item: Any) -> str:
    """The dialog's title of a count: its text, after its parent line's when indented."""
    plain = " ".join(item.text.split()).rstrip(":")
    if not item.indent:
        return plain
    parent = ""
    for other in box.items:
        if other is item:
            break
        if not other.indent:
            parent = re.sub(r"\s*\(n = [\d,]+\)$", "", " ".join(other.text.split()).rstrip(":"))
    return f"{parent}: {plain}" if parent else plain


def _link(groups: dict[Any, Any], ids: list[str], keys: list[str], label: str) -> None:
    """Replace the text lines ``ids`` by one focusable ``g.count`` holding their ``<text>``."""
    parent, first = groups[ids[0]]
    g = ET.Element(
        f"{_NS}g",
        {
            "class": "count",
            "tabindex": "0",
            "role": "button",
            "data-keys": json.dumps(keys),
            "data-label": label,
        },
    )
    title = ET.SubElement(g, f"{_NS}title")
    title.text = f"{label}: click to list the records"
    parent.insert(list(parent).index(first), g)
    g.tail = first.tail
    for x in ids:
        owner, line = groups[x]
        for text in line:
            text.tail = None  # one count on one line of the page's source
            g.append(text)
        owner.remove(line)


def _drop_ids(root: ET.Element, keep: set[str]) -> None:
    """Remove the ids nothing refers to (matplotlib's ``patch_1``… and ours would repeat in a
    page with several figures); keep the clip paths', the markers' and ``keep``."""
    text = ET.tostring(root, encoding="unicode")
    used = set(re.findall(r"url\(#([^)]+)\)|xlink:href=\"#([^\"]+)\"", text))
    keep = {x for pair in used for x in pair if x} | keep
    for el in root.iter():
        if el.get("id") is not None and el.get("id") not in keep:
            del el.attrib["id"]


# ---- evidence-gap map ------------------------------------------------------------------------


def gap_map_svg(gap: GapMapView) -> str:
    """The evidence-gap map as inline SVG: the drawing of gap-map.svg (the one renderer,
    :func:`review.chart.outputs.render_gap_map`) with each non-empty cell (its bubble and its
    count) a focusable ``<g class="cell">`` with ``data-row``, ``data-col`` and ``data-n``."""
    ct = CrossTab(
        "", "", gap.row_label, gap.col_label, gap.rows, gap.cols, gap.counts, gap.row_totals,
        gap.col_totals, gap.n, gap.note, gap.level, 0, 0, gap.left_out, gap.n_left_out,
    )  # fmt: skip
    root = _svg_root(render_gap_map(ct, ("svg",))["svg"], "gapmap")
    root.attrib.pop("height", None)
    root.set("class", "gapmap")
    root.set("role", "img")
    root.set("aria-label", "Evidence-gap map")
    groups = {g.get("id"): (parent, g) for parent in root.iter() for g in parent}
    bubbles = _marks(groups[GAP_BUBBLES][1]) if GAP_BUBBLES in groups else []
    cells = [(i, j, n) for i, row in enumerate(gap.counts) for j, n in enumerate(row) if n]
    if len(bubbles) != len(cells):  # the renderer drew something else than the counts
        raise ReviewError("gap map: bubbles do not match the cells (please report).")
    for (i, j, n), (owner, bubble) in zip(cells, bubbles, strict=True):
        parent, count = groups[gap_count_id(i, j)]
        g = ET.Element(
            f"{_NS}g",
            {"class": "cell", "tabindex": "0", "role": "button", "data-row": str(i),
             "data-col": str(j), "data-n": str(n)},
        )  # fmt: skip
        g.tail = count.tail
        parent.insert(list(parent).index(count), g)
        owner.remove(bubble)
        parent.remove(count)
        bubble.tail = None
        g.append(bubble)
        for text in count:
            text.tail = None
            g.append(text)
    _drop_ids(root, keep=set())
    return ET.tostring(root, encoding="unicode")


def _marks(collection: ET.Element) -> list[tuple[ET.Element, ET.Element]]:
    """``(parent, element)`` of each marker a matplotlib collection drew, in data order: a
    ``<path>`` each, or a ``<use>`` of a shared path (never the paths of its ``<defs>``)."""
    out = []
    for parent in collection.iter():
        if parent.tag == f"{_NS}defs":
            continue
        out += [(parent, el) for el in parent if el.tag in (f"{_NS}path", f"{_NS}use")]
    return out


# ---- dedup overlap (UpSet-style) -------------------------------------------------------------


def upset_svg(dedup: DedupView) -> str:
    """Intersections of sources among the deduplicated records: a bar per combination of
    sources (records found in exactly those sources), dots below marking the combination, and
    each source's total at the left."""
    sources, inter = dedup.sources, dedup.intersections
    if not sources or not inter:
        return ""
    bar_w, gap = 22.0, 8.0
    left = 250.0
    top_h = 150.0
    row_h = 20.0
    width = left + (bar_w + gap) * len(inter) + 20
    height = top_h + 20 + row_h * len(sources) + 10
    biggest = max(x.n for x in inter) or 1
    total_biggest = max(dedup.source_clusters.values()) or 1
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="upset" viewBox="0 0 {_f(width)} '
        f'{_f(height)}" width="{_f(width)}" font-family="{_a(FONT)}" font-size="11" role="img" '
        'aria-label="Records per combination of sources">',
    ]
    base = top_h
    for k, x in enumerate(inter):
        bx = left + k * (bar_w + gap)
        bh = (top_h - 20) * x.n / biggest
        names = " + ".join(x.sources)
        out.append(
            f"<g><title>{escape(names)}: {x.n:,} records</title>"
            f'<rect x="{_f(bx)}" y="{_f(base - bh)}" width="{_f(bar_w)}" height="{_f(bh)}" '
            'fill="#4C72B0"/>'
            f'<text x="{_f(bx + bar_w / 2)}" y="{_f(base - bh - 3)}" text-anchor="middle" '
            f'font-size="9">{x.n:,}</text></g>'
        )
    for i, s in enumerate(sources):
        cy = top_h + 20 + row_h * (i + 0.5)
        if i % 2 == 0:
            out.append(
                f'<rect x="0" y="{_f(cy - row_h / 2)}" '
                f'width="{_f(width)}" height="{_f(row_h)}" fill="#f3f5f8"/>'
            )
        total = dedup.source_clusters[s]
        tw = 60 * total / total_biggest
        out.append(
            f'<rect x="{_f(100 - tw)}" y="{_f(cy - 6)}" width="{_f(tw)}" height="12" '
            f'fill="#9AA9C2"><title>{escape(s)}: {total:,} records after dedup</title></rect>'
            f'<text x="{_f(96 - tw)}" y="{_f(cy + 4)}" text-anchor="end" '
            f'font-size="9">{total:,}</text>'
            f'<text x="{_f(left - 10)}" y="{_f(cy + 4)}" text-anchor="end">{escape(s)}</text>'
        )
    for k, x in enumerate(inter):
        cx = left + k * (bar_w + gap) + bar_w / 2
        ys = [top_h + 20 + row_h * (sources.index(s) + 0.5) for s in x.sources]
        if len(ys) > 1:
            out.append(
                f'<line x1="{_f(cx)}" x2="{_f(cx)}" y1="{_f(min(ys))}" y2="{_f(max(ys))}" '
                'stroke="#2F4B7C" stroke-width="2"/>'
            )
        for i, _s in enumerate(sources):
            cy = top_h + 20 + row_h * (i + 0.5)
            on = cy in ys
            out.append(
                f'<circle cx="{_f(cx)}" cy="{_f(cy)}" r="5" '
                f'fill="{"#2F4B7C" if on else "#d5d9e0"}"/>'
            )
    out.append("</svg>")
    return "\n".join(out)
