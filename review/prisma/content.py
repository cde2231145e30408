"""What the PRISMA 2020 flow diagram says: its boxes and their logical lines, from a :class:`Flow`.

No geometry here: :func:`build_boxes` returns :class:`Box` es with ids, roles and :class:`Item`
lines; :mod:`review.prisma.layout` wraps and places them, :mod:`review.prisma.render` draws them.
A new box is a new ``_..._boxes`` function called from :func:`build_boxes` (its id then needs a
column and a row in :mod:`review.prisma.layout`); a new line in a box goes in that box's function.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from review.errors import ReviewError
from review.io.printable import printable
from review.model import Branches
from review.prisma.facts import Flow, FlowCounts, OpenCounts, ReasonRow, ReportCounts

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
    "units_included": "Studies ({units}) included in review",  # the schema's plural
    "reports_included": "Reports of included studies",
    "reports_included_main": "from databases and registers",
    "reports_included_other": "from other methods",
    "provisional": "Provisional counts: {open}.",
    "awaiting": "awaiting a final decision",
    "so_far": "so far",
    "pending": "pending",
}

KIND_LABEL_KEYS = ("website", "organisation", "citation", "expert", "other")


@dataclass(frozen=True)
class DiagramOptions:
    title: str = ""
    font: str = "DejaVu Sans"  # a family name, or a path to a .ttf/.otf file
    fontsize: float = 8.0
    branches: Branches = Branches.AUTO
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


# ---- boxes ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Item:
    """One logical line of box content before wrapping."""

    text: str
    indent: int = 0
    bold: bool = False


@dataclass
class Box:
    """A box's content (set here) and its place and wrapped lines (set by the layout)."""

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


# ---- content --------------------------------------------------------------------------------


def n_(value: int | None) -> str:
    return f"{int(value or 0):,}"


def cnt(label: str, value: int | None, colon: bool = False) -> str:
    """``Records screened (n = 3,794)`` with non-breaking spaces inside the bracket."""
    return f"{printable(label)} (n\u00a0=\u00a0{n_(value)}){':' if colon else ''}"


def count_text(
    f: FlowCounts, key: str, label: str, value: int | None, lab: Mapping[str, str], colon=False
) -> str:
    """A box line for the count ``key``: ``cnt`` when it is final; while a stage before it is
    open, ``Records excluded (n = 189 so far)``, or ``Reports excluded: pending`` when nothing
    is known yet (never a 0 that reads as a result)."""
    if f.is_final(key):
        return cnt(label, value, colon)
    if value:
        so_far = lab["so_far"].replace(" ", "\u00a0")
        return f"{label} (n\u00a0=\u00a0{n_(value)}\u00a0{so_far}){':' if colon else ''}"
    return f"{label}: {lab['pending']}"


def _awaiting_item(value: int, lab: Mapping[str, str]) -> list[Item]:
    """The line that keeps an open stage's arithmetic visible (screened − excluded − awaiting
    = sought; sought − not retrieved − awaiting = assessed)."""
    return [Item(cnt(lab["awaiting"], value), 1)] if value else []


def _records(value: int, noun: str = "record") -> str:
    return f"{n_(value)} {noun}{'' if value == 1 else 's'}"


def _reason_items(rows: tuple[ReasonRow, ...]) -> list[Item]:
    return [Item(cnt(r.label, r.n), 1) for r in rows if r.n]


def _count_box(
    f: FlowCounts,
    key: str,
    box_id: str,
    role: str,
    label: str,
    value: int,
    reasons: list[Item],
    lab: Mapping[str, str],
) -> Box:
    head = Item(count_text(f, key, label, value, lab, colon=bool(reasons)))
    return Box(box_id, role, [head, *reasons], "left" if reasons else "center")


def build_boxes(flow: Flow, labels: Mapping[str, str], show_other: bool) -> list[Box]:
    """The boxes' contents (ids, roles, logical lines), before wrapping and placement.

    The order is the drawing order (and the order of ``Layout.boxes``)."""
    f, lab = flow.counts, labels
    boxes: list[Box] = []
    if lab["title"]:
        boxes.append(Box("title", "title", [Item(lab["title"], bold=True)]))
    boxes.append(Box("header_main", "header_main", [Item(lab["header_main"], bold=True)]))
    if show_other:
        boxes.append(Box("header_other", "header_other", [Item(lab["header_other"], bold=True)]))
    boxes.append(_identified_main_box(f, lab))
    boxes.append(_removed_box(f, lab))
    if show_other:
        boxes.append(_identified_other_box(f, lab))
    boxes += _screening_boxes(f, lab)
    boxes += _report_boxes(f, f.reports, lab, "")
    if show_other:
        boxes += _report_boxes(f, f.other_reports, lab, "_other")
    boxes.append(_included_box(f, lab, show_other))
    for phase in ("identification", "screening", "included"):
        boxes.append(Box(f"phase_{phase}", "phase", [Item(lab[phase], bold=True)]))
    if f.provisional:
        boxes.append(_provisional_box(f.open, lab))
    return boxes


def _identified_main_box(f: FlowCounts, lab: Mapping[str, str]) -> Box:
    """Databases and registers (+ other kinds of source screened with them)."""
    main = [r for r in f.identified if r.branch == "main"]
    items = [Item(lab["identified"])]
    # "Registers (n = 0)" is shown even without registers, as the PRISMA 2020 template asks
    for kind, key in (("database", "databases"), ("register", "registers")):
        rows = [r for r in main if r.kind == kind]
        items.append(Item(cnt(lab[key], sum(r.n for r in rows))))
        if len(rows) > 1 or (rows and rows[0].source.lower() != lab[key].lower()):
            items += [Item(cnt(r.source, r.n), 1) for r in rows]
    with_db = [r for r in main if r.kind not in ("database", "register")]
    if with_db:
        items.append(Item(lab["screened_with"]))
        items += [Item(cnt(f"{r.source} ({lab[r.kind].lower()})", r.n), 1) for r in with_db]
    return Box("identified_main", "main", items, "left")


def _removed_box(f: FlowCounts, lab: Mapping[str, str]) -> Box:
    """Records removed before screening: duplicates, automation, other reasons."""
    removed = [
        Item(lab["removed"]),
        Item(count_text(f, "duplicates", lab["duplicates"], f.duplicates, lab)),
        Item(
            count_text(f, "duplicates", lab["duplicates_automatic"], f.duplicates_automatic, lab), 1
        ),
        Item(count_text(f, "duplicates", lab["duplicates_manual"], f.duplicates_manual, lab), 1),
        Item(
            count_text(
                f, "excluded_automatic", lab["excluded_automatic"], f.excluded_automatic, lab
            )
        ),
        Item(cnt(lab["excluded_other"], f.excluded_other)),
    ]
    return Box("removed", "side", removed, "left")


def _identified_other_box(f: FlowCounts, lab: Mapping[str, str]) -> Box:
    """Other methods: websites, organisations, citation searching, experts…"""
    other = [r for r in f.identified if r.branch == "other"]
    items = [Item(lab["identified"])]
    for kind in KIND_LABEL_KEYS:
        rows = [r for r in other if r.kind == kind]
        if not rows:
            continue
        items.append(Item(cnt(lab[kind], sum(r.n for r in rows))))
        if len(rows) > 1 or rows[0].source.lower() != lab[kind].lower():
            items += [Item(cnt(r.source, r.n), 1) for r in rows]
    if len(items) == 1:
        items += [Item(cnt(lab[k], 0)) for k in ("website", "organisation", "citation")]
    return Box("identified_other", "main", items, "left")


def _screening_boxes(f: FlowCounts, lab: Mapping[str, str]) -> list[Box]:
    """Records screened (and those awaiting a final decision), excluded at title/abstract."""
    screened = _count_box(
        f, "records_screened", "records_screened", "main", lab["records_screened"],
        f.records_screened, [], lab,
    )  # fmt: skip
    screened.items += _awaiting_item(f.open.title_abstract, lab)
    screened.align = "left" if len(screened.items) > 1 else screened.align
    return [
        screened,
        _count_box(
            f,
            "records_excluded",
            "records_excluded",
            "side",
            lab["records_excluded"],
            f.records_excluded,
            _reason_items(f.records_excluded_by_reason),
            lab,
        ),
    ]


def _report_boxes(f: FlowCounts, r: ReportCounts, lab: Mapping[str, str], suffix: str) -> list[Box]:
    """One branch's full-text boxes: sought, not retrieved, assessed (and awaiting a final
    decision), excluded (per reason)."""
    prefix = "other_reports_" if suffix else "reports_"
    boxes = [
        _count_box(
            f, prefix + key, f"reports_{key}{suffix}", role, lab[f"reports_{key}"], value, [], lab
        )
        for key, role, value in (
            ("sought", "main", r.sought),
            ("not_retrieved", "side", r.not_retrieved),
            ("assessed", "main", r.assessed),
        )
    ]
    boxes[-1].items += _awaiting_item(r.awaiting, lab)
    boxes[-1].align = "left" if len(boxes[-1].items) > 1 else boxes[-1].align
    boxes.append(
        _count_box(
            f,
            prefix + "excluded",
            f"reports_excluded{suffix}",
            "side",
            lab["reports_excluded"],
            r.excluded,
            _reason_items(r.excluded_by_reason),
            lab,
        )
    )
    return boxes


def _included_box(f: FlowCounts, lab: Mapping[str, str], show_other: bool) -> Box:
    """Studies (or the units of the charting schema's further level) included, and the reports
    of included studies."""
    if f.units_included is not None and f.unit is not None:
        studies_label = lab["units_included"].replace("{units}", f.unit.plural)
    else:
        studies_label = lab["studies_included"]
    inc = [
        Item(count_text(f, "studies_included", studies_label, f.studies_included, lab)),
        Item(count_text(f, "reports_included", lab["reports_included"], f.reports_included, lab)),
    ]
    if f.reports_included_other or show_other:
        inc += [
            Item(count_text(f, key, lab[key], getattr(f, key), lab), 1)
            for key in ("reports_included_main", "reports_included_other")
        ]
    return Box("included", "main", inc, "left" if len(inc) > 2 else "center")


def _provisional_box(o: OpenCounts, lab: Mapping[str, str]) -> Box:
    """The note under a provisional diagram: what is still undecided."""
    parts = [
        f"{_records(o.title_abstract)} undecided at title/abstract" if o.title_abstract else "",
        f"{_records(o.full_text, 'report')} undecided at full text" if o.full_text else "",
        f"{_records(o.dedup_pairs)} in possible-duplicate pairs" if o.dedup_pairs else "",
    ]
    text = lab["provisional"].format(open="; ".join(p for p in parts if p))
    return Box("provisional", "note", [Item(text)], "left")
