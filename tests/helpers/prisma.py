"""Builders shared by the PRISMA tests: the worked example's numbers as plain PrismaInputs.

The example (Saar-Heiman et al. 2024, Figure 1): databases 7,219 over five databases, 75 grey
literature records screened with them, duplicates 3,314 automatic + 186 manual, screened 3,794,
excluded 3,644, assessed 150, excluded at full text 110, 40 included from the search + 5 from
experts = 45 reports describing 24 programmes. The split over databases and reasons is ours.
"""

from __future__ import annotations

from review.chart.schema import Level
from review.prisma.flow import Final, Identified, PrismaInputs

PROGRAMME = Level("programme", "programme", "programmes")

DATABASES = (
    ("Web of Science", 2311),
    ("PsycINFO", 1802),
    ("PsycARTICLES", 412),
    ("Social Work Abstracts", 1047),
    ("ScienceDirect", 1647),
)
REASONS = {
    "wrong-population": "Wrong population (not parents)",
    "not-cp-involved": "Parents not involved with child protection services",
    "no-lived-experience": "Advocates without lived CP experience (e.g. foster parents)",
    "not-programme": "Not about a peer advocacy or support programme",
    "outside-cp": "Parent advocacy outside CP services",
    "not-empirical": "Not empirical research (theoretical or conceptual)",
    "not-english": "Not in English",
    "outside-dates": "Published outside 1996-2021",
}
TA_SPLIT = (1200, 610, 95, 1020, 180, 420, 64, 55)  # sums to 3,644
FT_SPLIT = (9, 14, 21, 30, 11, 19, 2, 4)  # sums to 110


def example_inputs() -> PrismaInputs:
    assert sum(n for _, n in DATABASES) == 7219
    assert sum(TA_SPLIT) == 3644 and sum(FT_SPLIT) == 110
    identified = []
    main_ids: list[str] = []
    for i, (name, n) in enumerate(DATABASES):
        ids = tuple(f"db{i}-{k}" for k in range(1, n + 1))
        identified.append(Identified(name, "database", "main", ids))
        main_ids += ids
    grey = tuple(f"grey-{k}" for k in range(1, 76))
    identified.append(Identified("Grey literature", "website", "main", grey))
    main_ids += grey
    experts = tuple(f"expert-{k}" for k in range(1, 6))
    identified.append(Identified("Experts", "expert", "other", experts))

    # the last 3,500 database records are duplicates of the first ones
    dup = [r for r in main_ids if not r.startswith("grey")][-3500:]
    dup_auto, dup_manual = dup[:3314], dup[3314:]
    dup_set = set(dup)
    kept = [r for r in main_ids if r not in dup_set]
    assert len(kept) == 3794
    cluster_of = {d: kept[j % len(kept)] for j, d in enumerate(dup)}

    reasons = list(REASONS)
    ta: dict[str, Final] = {}
    pos = 0
    for reason, n in zip(reasons, TA_SPLIT, strict=True):
        for cid in kept[pos : pos + n]:
            ta[cid] = Final("exclude", reason, "agreement")
        pos += n
    sought = kept[pos:]
    assert len(sought) == 150
    for j, cid in enumerate(sought):
        ta[cid] = Final("include", "", "resolution" if j % 7 == 0 else "agreement")
    ft: dict[str, Final] = {}
    pos = 0
    for reason, n in zip(reasons, FT_SPLIT, strict=True):
        for cid in sought[pos : pos + n]:
            ft[cid] = Final("exclude", reason, "agreement")
        pos += n
    included = sought[pos:]
    assert len(included) == 40
    for cid in included:
        ft[cid] = Final("include", "", "agreement")
    for cid in experts:
        ft[cid] = Final("include", "", "agreement")
    reports = [*included, *experts]
    programmes = {rid: (f"P{(j % 24) + 1:02d}",) for j, rid in enumerate(reports)}
    titles = {r: f"Title of {r}" for r in [*main_ids, *experts]}
    return PrismaInputs(
        identified=tuple(identified),
        main_clusters=tuple(kept),
        other_clusters=experts,
        duplicates_automatic=tuple(dup_auto),
        duplicates_manual=tuple(dup_manual),
        title_abstract=ta,
        full_text=ft,
        maybe_to_fulltext=True,
        ta_reasons=REASONS,
        ft_reasons=REASONS,
        report_units=programmes,
        unit_names={f"P{k:02d}": f"Programme {k}" for k in range(1, 25)},
        unit=PROGRAMME,
        cluster_of=cluster_of,
        titles=titles,
    )


def _overlap(a, b) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom


def assert_clean_layout(layout) -> None:
    """No text overflows its box, no two boxes overlap, every box is on the page, and every
    arrow runs in straight segments from the edge of its source box to the edge of its target."""
    import itertools

    import pytest

    from review.prisma.diagram import Measurer

    m = Measurer(layout.font, layout.fontsize)
    boxed = [b for b in layout.boxes if b.role in ("main", "side", "header_main", "header_other")]
    for b in boxed:
        assert b.lines, b.id
        for text, xoff, bold in b.lines:
            assert xoff + m.width(text, bold) <= b.w - 2 * layout.pad + 0.01, (b.id, text)
        need = (len(b.lines) - 1) * layout.line_height + m.ascent + m.descent + 2 * layout.pad
        assert b.h >= need - 0.01, b.id
    for b in layout.boxes:
        assert 0 <= b.x and b.right <= layout.width + 0.01, b.id
        assert 0 <= b.y and b.bottom <= layout.height + 0.01, b.id
    for b in (b for b in layout.boxes if b.role == "phase"):
        assert m.width(b.lines[0][0], True) <= b.h, b.id  # the rotated label fits its bar
    drawn = [b for b in layout.boxes if b.role != "title"]
    for i, a in enumerate(drawn):
        for b in drawn[i + 1 :]:
            assert not _overlap(a, b), (a.id, b.id)
    by_id = {b.id: b for b in layout.boxes}
    assert len(layout.arrows) == len(layout.edges)
    for pts, (src, dst) in zip(layout.arrows, layout.edges, strict=True):
        a, z = by_id[src], by_id[dst]
        (x0, y0), (x1, y1) = pts[0], pts[-1]
        assert (y0 == pytest.approx(a.bottom) and a.x <= x0 <= a.right) or (
            x0 == pytest.approx(a.right) and a.y <= y0 <= a.bottom
        ), (src, dst)
        on_top = y1 == pytest.approx(z.y) and z.x <= x1 <= z.right
        on_side = (x1 == pytest.approx(z.x) or x1 == pytest.approx(z.right)) and (
            z.y <= y1 <= z.bottom
        )
        assert on_top or on_side, (src, dst)
        for (xa, ya), (xb, yb) in itertools.pairwise(pts):
            assert xa == pytest.approx(xb) or ya == pytest.approx(yb)  # straight segments only
