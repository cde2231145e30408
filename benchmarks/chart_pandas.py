"""Charting summaries: the hand-written tables of review/chart/summary.py next to pandas.

The pandas variant computes the same frequency tables (``explode`` + ``value_counts``, the
*Reports (n)* column with ``groupby().nunique()``) and crosstabs (``pd.crosstab``) and is
swapped into :func:`review.chart.summary.summarise`; the benchmark checks that both give an equal
:class:`Summary` and byte-identical ``summary.md`` / ``summary.xlsx``, then times both on the
worked example (45 reports, 24 programmes) and on the example repeated ``--scale`` times (ids
suffixed, so 100 → 4,500 reports, 2,400 programmes). pandas' import time is measured in a fresh
interpreter (a CLI command pays it once per run).

Usage::

    .venv/bin/python benchmarks/chart_pandas.py [--repeat 30] [--scale 100]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def load_example() -> Any:
    spec = importlib.util.spec_from_file_location(
        "example_charting", REPO / "scripts" / "example_charting.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["example_charting"] = module
    spec.loader.exec_module(module)
    return module.load_example(REPO / "scripts" / "example_charting.yaml")


# ---- the pandas variant ---------------------------------------------------------------------
def pd_frequency(schema, f, rows, unit, reports_of):
    import pandas as pd

    from review.chart import summary as S

    applicable = {key: row for key, row in rows.items() if S._applies(f, row)}
    den = len(applicable)
    values = pd.Series(
        {k: list(dict.fromkeys(S._values(r, f))) for k, r in applicable.items()}, dtype=object
    )
    blank = int((values.map(len) == 0).sum()) if den else 0
    long = values.explode().dropna()
    counts = long.value_counts().to_dict() if len(long) else {}
    reports: dict[str, int] = {}
    if reports_of is not None and len(long):
        pairs = long.rename("value").reset_index().rename(columns={"index": "key"})
        pairs["report"] = pairs["key"].map(lambda k: reports_of.get(k, []))
        pairs = pairs.explode("report").dropna(subset=["report"])
        reports = pairs.groupby("value")["report"].nunique().to_dict()
    if f.type == "country":
        order = sorted(counts, key=lambda v: (-counts[v], v))
    else:
        order = list(f.choices) + sorted(v for v in counts if v not in f.choices)
    labels = [*order, S.NOT_REPORTED] if blank else order
    ns = [int(counts.get(v, 0)) for v in order] + ([blank] if blank else [])
    pcts = [S._pct(n, den) for n in ns]
    table_rows = [
        S.FreqRow(
            value=v,
            n=n,
            pct=p,
            reports=(
                int(reports.get(v, 0)) if reports_of is not None and v != S.NOT_REPORTED else None
            ),
        )
        for v, n, p in zip(labels, ns, pcts, strict=True)
    ]
    units = unit.count(den)
    return S.FrequencyTable(
        field_id=f.id,
        label=f.label,
        level=f.level,
        multi=f.multi,
        denominator=den,
        denominator_text=units + S._condition_text(f, schema),
        rows=tuple(table_rows),
        note=S.MULTI_NOTE if f.multi else "",
    )


def pd_crosstab(schema, a, b, rows_by_level):
    import pandas as pd

    from review.chart import summary as S

    fa, fb = schema.field(a), schema.field(b)
    level = schema.level(fa.level)
    programmes = rows_by_level[fa.level]
    sa = pd.Series({k: sorted(set(S._values(r, fa))) for k, r in programmes.items()}, dtype=object)
    sb = pd.Series({k: sorted(set(S._values(r, fb))) for k, r in programmes.items()}, dtype=object)
    la, lb = sa.explode().dropna(), sb.explode().dropna()
    present_a, present_b = set(la), set(lb)
    rows = [v for v in fa.choices if v in present_a or fa.type != "country"]
    rows += sorted(present_a - set(rows))
    cols = [v for v in fb.choices if v in present_b or fb.type != "country"]
    cols += sorted(present_b - set(cols))
    joined = pd.merge(
        la.rename("a").rename_axis("key").reset_index(),
        lb.rename("b").rename_axis("key").reset_index(),
        on="key",
    )
    if len(joined):
        table = pd.crosstab(joined["a"], joined["b"]).reindex(index=rows, columns=cols)
        counts = table.fillna(0).astype(int).values.tolist()
    else:
        counts = [[0] * len(cols) for _ in rows]
    row_tot = [int(x) for x in la.value_counts().reindex(rows, fill_value=0)]
    col_tot = [int(x) for x in lb.value_counts().reindex(cols, fill_value=0)]
    note = (
        f"A {level.singular} with several values is counted in each of its cells."
        if (fa.multi or fb.multi)
        else ""
    )
    return S.CrossTab(
        row_field=a,
        col_field=b,
        row_label=fa.label,
        col_label=fb.label,
        rows=tuple(rows),
        cols=tuple(cols),
        counts=tuple(tuple(row) for row in counts),
        row_totals=tuple(row_tot),
        col_totals=tuple(col_tot),
        n=len(programmes),
        note=note,
        level=level,
    )


# ---- harness --------------------------------------------------------------------------------
def scaled(charting: Any, k: int) -> Any:
    from review.chart.model import Charting

    out = Charting()
    for i in range(k):
        for rid, row in charting.reports.items():
            out.reports[f"{rid}~{i}"] = dict(row)
            out.report_units[f"{rid}~{i}"] = [
                f"{p}~{i}" for p in charting.report_units.get(rid, [])
            ]
        for pid, row in charting.units.items():
            out.units[f"{pid}~{i}"] = dict(row)
    return out


def run(schema: Any, charting: Any, variant: str) -> Any:
    from review.chart import summary as S

    saved = S._frequency, S._crosstab
    if variant == "pandas":
        S._frequency, S._crosstab = pd_frequency, pd_crosstab
    try:
        return S.summarise(schema, charting)
    finally:
        S._frequency, S._crosstab = saved


def timed(schema: Any, charting: Any, variant: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run(schema, charting, variant)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def import_time(module: str, repeat: int = 5) -> float:
    code = f"import time; t=time.perf_counter(); import {module}; print(time.perf_counter()-t)"
    runs = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout)
        for _ in range(repeat)
    ]  # fmt: skip
    return statistics.median(runs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--scale", type=int, default=100)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(REPO))
    import pandas as pd

    from review.chart.outputs import stable_xlsx_bytes, summary_markdown, summary_workbook
    from review.chart.schema import load_schema

    schema = load_schema(REPO / "extraction_schema.yaml")
    example = load_example().charting()
    print(f"pandas {pd.__version__}; import pandas: {import_time('pandas') * 1000:.0f} ms "
          "(fresh interpreter, median of 5)")  # fmt: skip
    for name, charting in (("example", example), (f"example x{args.scale}", None)):
        if charting is None:
            charting = scaled(example, args.scale)
        hand, pand = run(schema, charting, "hand"), run(schema, charting, "pandas")
        same = hand == pand
        md_same = summary_markdown(hand) == summary_markdown(pand)
        xlsx_same = stable_xlsx_bytes(summary_workbook(hand)) == stable_xlsx_bytes(
            summary_workbook(pand)
        )
        repeat = args.repeat if name == "example" else max(3, args.repeat // 10)
        t_hand = timed(schema, charting, "hand", repeat)
        t_pd = timed(schema, charting, "pandas", repeat)
        print(
            f"{name}: {len(charting.reports)} reports, {len(charting.units)} programmes | "
            f"hand-written {t_hand * 1000:.2f} ms, pandas {t_pd * 1000:.2f} ms "
            f"({t_pd / t_hand:.1f}x) | equal Summary {same}, summary.md {md_same}, "
            f"summary.xlsx {xlsx_same}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
