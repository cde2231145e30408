"""Consensus charting: `review chart consensus` pre-fills exactly the agreeing cells, lists every
difference, and the filled form imports back as the final charting; agreement.csv per field."""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook

from review.chart import final_charting, summarise
from review.chart.agreement import field_stats
from review.chart.model import Charting
from review.chart.schema import parse_schema
from review.chart.store import project_schema
from tests.test_chart import chart_project, example, filled, run  # noqa: F401 (fixtures)
from tests.test_chart_example import PUBLISHED

EXTRA = "marina-only-prog"


def _marina(values, programmes):
    """Known differences from the example (= anat's charting)."""
    values["frame-2006"]["country"] = "Canada"  # single choice / country
    values["lalayants-baier-2015"]["sample_size"] = 30  # integer (29 in the example)
    persp = values["haight-2015"]["perspective"]
    values["haight-2015"]["perspective"] = persp[:-1]  # multiple choice: one option less
    del values["berrick-cohen-2011"]  # a report marina left blank (charted by anat only)
    programmes["ontario-pmao"]["theoretical_framework"] = ["Critical theories"]
    programmes[EXTRA] = dict(programmes["iowa-pp"], name="A programme only marina lists")


def _cells(wb, sheet: str):
    """{row key: {header: (value, cell)}} of a charting workbook sheet."""
    ws = wb[sheet]
    heads = [c.value for c in ws[1]]
    out = {}
    for row in ws.iter_rows(min_row=2):
        key = row[0].value
        if key is None:
            continue
        out[str(key)] = {h: (c.value, c) for h, c in zip(heads, row, strict=False) if h}
    return out


@pytest.mark.slow  # the whole consensus round trip on the example (~5 s); test_compare_two_reviewers_then_consensus stays fast
def test_consensus_round_trip(chart_project, tmp_path, example, monkeypatch):  # noqa: F811
    root = str(chart_project.root)
    a = filled(chart_project, tmp_path, example, "a.xlsx")
    b = filled(chart_project, tmp_path, example, "b.xlsx", edit=_marina, reviewer="marina")
    assert run("import", str(a), "--reviewer", "anat", "-p", root).exit_code == 0
    assert run("import", str(b), "--reviewer", "marina", "-p", root).exit_code == 0

    res = run("summary", "-p", root)  # no consensus yet: says which command comes next
    assert res.exit_code == 1
    assert "no consensus yet. Next: `review chart consensus -o charting-consensus.xlsx`" in (
        " ".join(res.stderr.split())
    )

    out = tmp_path / "consensus.xlsx"
    res = run("consensus", "-o", str(out), "-p", root)
    assert res.exit_code == 0, res.output
    assert "6 difference(s)" in res.stdout
    res = run("consensus", "-o", str(out), "-p", root)
    assert res.exit_code == 1 and "exists already" in res.stderr

    wb = load_workbook(out)
    assert wb.sheetnames[:4] == ["Reports", "Programmes", "Codebook", "Differences"]
    assert wb.sheetnames[-2:] == ["Lists", "Meta"]
    # Every data cell: pre-filled iff all charters of the row agree; otherwise blank, highlighted,
    # each charter's value in the comment.
    highlighted = set()
    wa, wb_ = load_workbook(a), load_workbook(b)
    for sheet in ("Reports", "Programmes"):
        ca, cb, cc = _cells(wa, sheet), _cells(wb_, sheet), _cells(wb, sheet)
        assert set(cc) == set(ca) | set(cb)
        for key, cells in cc.items():
            for head, (got, cell) in cells.items():
                if head in ("Record ID", "Citation", "Programme ID"):
                    if cell.fill.fgColor.rgb.endswith("FFD966"):
                        highlighted.add((sheet, key, head))
                    continue
                va = ca[key][head][0] if key in ca and _charted(ca[key]) else "<none>"
                vb = cb[key][head][0] if key in cb and _charted(cb[key]) else "<none>"
                known = [v for v in (va, vb) if v != "<none>"]
                if all(v == known[0] for v in known):
                    assert got == known[0], (sheet, key, head)
                    assert cell.comment is None, (sheet, key, head)
                else:
                    assert got is None, (sheet, key, head)
                    assert cell.fill.fgColor.rgb.endswith("FFD966")
                    text = cell.comment.text
                    assert f"anat: {va if va is not None else '(blank)'}" in text
                    assert f"marina: {vb if vb is not None else '(blank)'}" in text
                    highlighted.add((sheet, key, head))
    assert highlighted == {
        ("Reports", "frame-2006", "Country"),
        ("Reports", "lalayants-baier-2015", "Sample size"),
        ("Reports", "haight-2015", f"Perspective of participants: {_last_perspective(example)}"),
        ("Reports", "berrick-cohen-2011", "Record ID"),
        *{
            ("Programmes", "ontario-pmao", f"Theoretical framework: {v}")
            for v in _framework_diff(example)
        },
        ("Programmes", EXTRA, "Programme ID"),
    }
    diffs = [
        [c.value for c in row] for row in wb["Differences"].iter_rows(min_row=2) if row[0].value
    ]
    fields = sorted((d[3], d[5]) for d in diffs)
    assert fields == sorted(
        [
            ("frame-2006", "Country"),
            ("lalayants-baier-2015", "Sample size"),
            ("haight-2015", "Perspective of participants"),
            ("berrick-cohen-2011", "(report charted)"),
            ("ontario-pmao", "Theoretical framework"),
            (EXTRA, "(programme listed)"),
        ]
    )
    country = next(d for d in diffs if d[5] == "Country")
    assert country[6:] == ["United States", "Canada"]

    # agreement.csv: UTF-8 with BOM, per field; 44 reports charted by both
    raw = (chart_project.outputs_dir / "charting" / "agreement.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = {
        (r["field"], r["option"]): r for r in csv.DictReader(raw.decode("utf-8-sig").splitlines())
    }
    assert rows[("country", "")]["compared"] == "44" and rows[("country", "")]["agreed"] == "43"
    assert rows[("country", "")]["percent_agreement"] == "97.7"
    assert 0 < float(rows[("country", "")]["cohen_kappa"]) < 1
    assert rows[("sample_size", "")]["cohen_kappa"] == ""  # not categorical: percent only
    assert rows[("research_method", "")]["cohen_kappa"] == "1.0"

    from review.chart.consensus import undecided_cells

    assert set(undecided_cells(out)) == {
        f"Reports!{_ref(wb, 'Reports', 'frame-2006', 'Country')}",
        f"Reports!{_ref(wb, 'Reports', 'lalayants-baier-2015', 'Sample size')}",
    }
    assert undecided_cells(a) == []  # not a consensus form

    # The meeting decides: the example's values; the programme only marina listed is dropped.
    ws, pws = wb["Reports"], wb["Programmes"]
    truth = {r.key: r.values for r in example.reports}
    heads = {c.value: c.column for c in ws[1]}
    for sheet, key, head in sorted(highlighted):
        if sheet == "Reports" and head != "Record ID":
            r = next(c.row for c in ws["A"] if c.value == key)
            fid_value = _truth_cell(truth[key], head)
            ws.cell(row=r, column=heads[head]).value = fid_value
    r = next(c.row for c in pws["A"] if c.value == EXTRA)
    for c in pws[r]:
        c.value = None
    ontario = next(c.row for c in pws["A"] if c.value == "ontario-pmao")
    pheads = {c.value: c.column for c in pws[1]}
    for v in example.programmes["ontario-pmao"]["theoretical_framework"]:
        pws.cell(row=ontario, column=pheads[f"Theoretical framework: {v}"]).value = "Yes"
    wb.save(out)
    res = run("import", str(out), "--reviewer", "consensus", "-p", root)
    assert res.exit_code == 0, res.output
    final = final_charting(chart_project)
    assert final is not None and final.reviewer == "consensus"
    want = example.charting()
    assert final.reports == want.reports
    assert final.units == want.units
    drawn = []  # the gap map's rendering is tested in test_chart.py; skip matplotlib here
    monkeypatch.setattr(
        "review.chart.outputs.write_gap_map", lambda ct, svg, png: drawn.append(ct.row_field)
    )
    res = run("summary", "-p", root)
    assert res.exit_code == 0, res.output
    assert drawn == ["setting"]
    summary = summarise(project_schema(chart_project), final)
    assert {fid: summary.counts(fid) for fid in PUBLISHED} == PUBLISHED


def _ref(wb, sheet, key, head) -> str:
    ws = wb[sheet]
    col = next(c.column_letter for c in ws[1] if c.value == head)
    row = next(c.row for c in ws["A"] if c.value == key)
    return f"{col}{row}"


def _charted(cells) -> bool:
    return any(v is not None for h, (v, _) in cells.items() if h not in ("Record ID", "Citation"))


def _last_perspective(ex) -> str:
    rep = next(r for r in ex.reports if r.key == "haight-2015")
    return rep.values["perspective"][-1]


def _framework_diff(ex) -> set[str]:
    mine = set(ex.programmes["ontario-pmao"]["theoretical_framework"])
    return mine ^ {"Critical theories"}


def _truth_cell(values, head):
    if ": " in head:  # an option column of a multiple-choice field: the truth ticks it
        return "Yes"
    return {"Country": values.get("country"), "Sample size": values.get("sample_size")}[head]


def test_consensus_needs_two_charters(chart_project, tmp_path, example):  # noqa: F811
    root = str(chart_project.root)
    a = filled(chart_project, tmp_path, example, "a.xlsx")
    assert run("import", str(a), "--reviewer", "anat", "-p", root).exit_code == 0
    res = run("consensus", "-o", str(tmp_path / "c.xlsx"), "-p", root)
    assert res.exit_code == 1
    assert "consensus needs charting from at least two reviewers (found: anat)" in res.stderr
    assert not (tmp_path / "c.xlsx").exists()


SMALL = parse_schema(
    {
        "fields": [
            {"id": "ok", "label": "OK", "level": "report", "type": "yes_no"},
            {
                "id": "kinds",
                "label": "Kinds",
                "level": "report",
                "type": "multiple_choice",
                "values": ["A", "B"],
            },
            {"id": "note", "label": "Note", "level": "report", "type": "text"},
        ]
    }
)


@pytest.mark.parametrize(
    ("field_id", "pairs", "want"),
    [
        # p_o = .75, p_e = .5*.25 + .5*.75 = .5 -> κ = .5
        ("ok", [("Yes", "Yes"), ("Yes", "No"), ("No", "No"), ("No", "No")], [(4, 3, 0.5)]),
        # A: p_o 1, p_e .5 (κ 1); B: p_o .5, p_e .5 (κ 0); pooled (.75 - .5)/(1 - .5) = .5
        (
            "kinds",
            [(["A"], ["A"]), (["A", "B"], ["A"]), (["B"], ["B"]), (None, ["B"])],
            [(4, 2, 0.5), (4, 4, 1.0), (4, 2, 0.0)],
        ),
        ("note", [("x", " X "), ("x", "y"), (None, None)], [(2, 1, None)]),
    ],
)
def test_field_agreement_and_kappa(field_id, pairs, want):
    f = SMALL.field(field_id)
    charts = [Charting(), Charting()]
    for i, (va, vb) in enumerate(pairs):
        for c, v in zip(charts, (va, vb), strict=True):
            c.reports[f"r{i}"] = {} if v is None else {field_id: v}
    stats = field_stats(f, charts, [f"r{i}" for i in range(len(pairs))])
    got = [(s.compared, s.agreed, None if s.kappa is None else round(s.kappa, 6)) for s in stats]
    assert got == want


def test_consensus_plan_small_and_deterministic():
    """Pure: agreeing cells pre-filled, multiple choice merged option by option, the form's
    bytes the same on every run."""
    from review.chart.consensus import consensus_workbook, plan_consensus
    from review.chart.outputs import stable_xlsx_bytes

    anat = Charting(reviewer="anat")
    marina = Charting(reviewer="marina")
    anat.reports = {"r1": {"ok": "Yes", "kinds": ["A", "B"], "note": "same"}, "r2": {"ok": "No"}}
    marina.reports = {"r1": {"ok": "No", "kinds": ["A"], "note": " SAME "}}
    reports = [("r1", "One (2020)"), ("r2", "Two (2021)"), ("r3", "Three (2022)")]
    plan = plan_consensus(SMALL, reports, {"anat": anat, "marina": marina})
    # columns: Record ID, Citation, OK, Kinds: A, Kinds: B, Note
    assert plan.values == {
        ("Reports", 2, 4): "Yes",  # Kinds: A ticked by both
        ("Reports", 2, 6): "same",  # text equal up to case and spaces
        ("Reports", 3, 3): "No",  # r2 charted by anat only: pre-filled from anat
    }
    assert plan.notes[("Reports", 2, 3)] == "anat: Yes\nmarina: No"
    assert plan.notes[("Reports", 2, 5)] == "anat: Yes\nmarina: (blank)"
    assert plan.notes[("Reports", 3, 1)].startswith("Charted by anat only")
    assert set(plan.notes) == {("Reports", 2, 3), ("Reports", 2, 5), ("Reports", 3, 1)}
    assert [(d.key, d.field_label, d.values) for d in plan.differences] == [
        ("r1", "OK", ("Yes", "No")),
        ("r1", "Kinds", ("A; B", "A")),
        ("r2", "(report charted)", ("yes", "no")),
    ]
    one = stable_xlsx_bytes(consensus_workbook(SMALL, plan))
    two = stable_xlsx_bytes(
        consensus_workbook(SMALL, plan_consensus(SMALL, reports, {"marina": marina, "anat": anat}))
    )
    assert one == two
