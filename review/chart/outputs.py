"""Write charting outputs: summary.xlsx/.md, gap-map.svg/.png, disagreements.xlsx/.csv.

Outputs are deterministic: sorted tables, xlsx zipped with fixed timestamps and fixed document
dates, SVG with a fixed hash salt and no date, PNG without a timestamp — re-runs are
byte-identical.
"""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path
from typing import Any

from review.chart.compare import Comparison
from review.chart.summary import CrossTab, Summary
from review.figures import PNG_DPI, editable
from review.io.files import atomic_write_bytes, atomic_write_text
from review.io.printable import md_text
from review.io.xlsx import csv_text as text
from review.io.xlsx import first_sheet, set_cell
from review.percent import RULE

_FIXED_DOC_DATE = "2000-01-01T00:00:00Z"


def stable_xlsx_bytes(wb: Any) -> bytes:
    """Serialise an openpyxl workbook reproducibly (fixed zip times and document dates)."""
    import zipfile

    buf = BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(BytesIO(buf.getvalue()))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    lambda m: m.group(1) + _FIXED_DOC_DATE + m.group(3),
                    text,
                )
                data = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            dst.writestr(zi, data)
    return out.getvalue()


def _write_rows(ws: Any, start_row: int, rows: list[list[Any]], bold_first: bool = True) -> int:
    from openpyxl.styles import Font

    r = start_row
    for i, row in enumerate(rows):
        for c, v in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            set_cell(cell, v)
            if bold_first and i == 0:
                cell.font = Font(bold=True)
        r += 1
    return r


def _crosstab_rows(ct: CrossTab) -> list[list[Any]]:
    total = f"{ct.level.titles} (n)"
    rows: list[list[Any]] = [[f"{ct.row_label} \\ {ct.col_label}", *ct.cols, total]]
    for i, r in enumerate(ct.rows):
        rows.append([r, *ct.counts[i], ct.row_totals[i]])
    rows.append([total, *ct.col_totals, ct.n])
    return rows


def frequency_rows(summary: Summary) -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["Level", "Field", "Value", "n", "%", "Reports (n)", "Denominator", "Note"]
    ]
    for t in summary.frequencies:
        for r in t.rows:
            rows.append(
                [
                    t.level,
                    t.label,
                    r.value,
                    r.n,
                    r.pct,
                    "" if r.reports is None else r.reports,
                    t.denominator_text,
                    t.note,
                ]
            )
    return rows


def summary_workbook(summary: Summary) -> Any:
    from openpyxl import Workbook

    wb = Workbook()
    ws = first_sheet(wb)
    ws.title = "Frequencies"
    _write_rows(ws, 1, frequency_rows(summary))
    for col, width in zip("ABCDEFGH", (11, 34, 52, 7, 7, 12, 60, 46), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"

    if summary.unit is not None:
        ov = wb.create_sheet(f"{summary.unit.title} overview"[:31])
        head = [h for _, h in summary.overview_columns]
        rows = [[row[k] for k, _ in summary.overview_columns] for row in summary.overview]
        _write_rows(ov, 1, [head, *rows])
        ov.freeze_panes = "B2"
        for i in range(1, len(head) + 1):
            ov.column_dimensions[ov.cell(row=1, column=i).column_letter].width = 36

    sm = wb.create_sheet("Sample")
    head = [h for _, h in summary.sample_columns]
    _write_rows(
        sm, 1, [head] + [[row[k] for k, _ in summary.sample_columns] for row in summary.sample]
    )
    sm.freeze_panes = "C2"
    for i in range(1, len(head) + 1):
        sm.column_dimensions[sm.cell(row=1, column=i).column_letter].width = 28

    ct_ws = wb.create_sheet("Crosstabs")
    r = 1
    tables = list(summary.crosstabs)
    for ct in tables:
        r = _write_rows(ct_ws, r, [[f"{ct.row_label} × {ct.col_label} ({ct.level.plural})"]])
        r = _write_rows(ct_ws, r, _crosstab_rows(ct))
        if ct.note:
            r = _write_rows(ct_ws, r, [[ct.note]], bold_first=False)
        r += 1
    ct_ws.column_dimensions["A"].width = 48
    if summary.gap_map is not None:
        gm = wb.create_sheet("Gap map")
        _write_rows(gm, 1, _crosstab_rows(summary.gap_map))
        gm.column_dimensions["A"].width = 48
    return wb


def _md_escape(value: Any) -> str:
    return md_text(value)


def _md_table(rows: list[list[Any]]) -> str:
    head, *body = rows
    lines = ["| " + " | ".join(_md_escape(h) for h in head) + " |"]
    lines.append("|" + "|".join("---" for _ in head) + "|")
    lines += ["| " + " | ".join(_md_escape(v) for v in row) + " |" for row in body]
    return "\n".join(lines)


def _introduction(summary: Summary) -> list[str]:
    """What is counted over what, the rounding rule, and reports or units left unlinked."""
    unit = summary.unit
    if unit is None:
        counted = f"{summary.n_reports} reports; every field is counted over reports."
    else:
        counted = (
            f"{summary.n_reports} reports describing {unit.count(summary.n_units)}. Report-level "
            f"fields are counted over reports; {unit.singular}-level fields over {unit.plural} "
            f"(a {unit.singular} described by several reports counts once; *Reports (n)* shows "
            f"how many reports describe the {unit.plural} counted)."
        )
    out = [
        f"{counted} Each table gives its denominator (n); {RULE[0].lower()}{RULE[1:]} "
        "Fields with several values per row say so: their percentages sum to more than 100."
    ]
    if unit is not None and summary.unlinked_reports:
        out.append(
            f"\nReports linked to no {unit.singular} ({len(summary.unlinked_reports)}): "
            + ", ".join(map(_md_escape, summary.unlinked_reports))
            + "."
        )
    if unit is not None and summary.unused_units:
        out.append(
            f"\n{unit.titles} no report links to ({len(summary.unused_units)}, counted all the "
            "same): " + ", ".join(map(_md_escape, summary.unused_units)) + "."
        )
    return out


def _frequency_sections(summary: Summary) -> list[str]:
    out: list[str] = []
    levels = [("report", "Report-level fields")]
    if summary.unit is not None:
        levels.append((summary.unit.name, f"{summary.unit.title}-level fields"))
    for level, heading in levels:
        per_unit = level != "report"
        out += ["", f"## {heading}"]
        for t in summary.frequencies:
            if t.level != level:
                continue
            out += ["", f"### {_md_escape(t.label)}", "", f"Denominator: n = {t.denominator_text}."]
            if t.note:
                out.append(f"*{t.note[0].upper() + t.note[1:]}.*")
            head = ["Value", "n", "%"] + (["Reports (n)"] if per_unit else [])
            rows: list[list[Any]] = [head]
            for r in t.rows:
                line: list[Any] = [r.value, r.n, f"{r.pct:.1f}"]
                if per_unit:
                    line.append("" if r.reports is None else r.reports)
                rows.append(line)
            out += ["", _md_table(rows)]
    return out


def summary_markdown(summary: Summary, title: str = "") -> str:
    out = [f"# Charting summary{': ' + _md_escape(title) if title else ''}", ""]
    out += _introduction(summary)
    out += _frequency_sections(summary)
    if summary.unit is not None:
        out += ["", f"## {summary.unit.title} overview", ""]
        out.append(
            _md_table(
                [[h for _, h in summary.overview_columns]]
                + [[row[k] for k, _ in summary.overview_columns] for row in summary.overview]
            )
        )
    out += ["", "## Sample characteristics", ""]
    out.append(
        _md_table(
            [[h for _, h in summary.sample_columns]]
            + [[row[k] for k, _ in summary.sample_columns] for row in summary.sample]
        )
    )
    for ct in summary.crosstabs:
        out += ["", f"## {ct.row_label} × {ct.col_label}", "", f"Number of {ct.level.plural}."]
        if ct.note:
            out.append(ct.note)
        out += ["", _md_table(_crosstab_rows(ct))]
    if summary.gap_map is not None:
        g = summary.gap_map
        out += [
            "",
            "## Evidence-gap map",
            "",
            f"Rows: {g.row_label}; columns: {g.col_label}; cells: number of {g.level.plural} "
            "(gap-map.svg, gap-map.png).",
        ]
        shown = g.shown()
        if shown.n_left_out:
            verb = "is" if shown.n_left_out == 1 else "are"
            out[-1] += (
                f" {_md_escape(shown.left_out)} {verb} not shown in the map (gap-map.csv and "
                "the Gap map sheet of summary.xlsx include them)."
            )
    return "\n".join(out) + "\n"


def _wrap(text: str, width: int = 18) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


def gap_map_title(ct: CrossTab) -> tuple[str, str]:
    """The gap map's title and what it counts: ("Evidence-gap map: A × B", "number of reports,
    n = 36; 6 reports with no Continent not shown") — ``ct`` as drawn (:meth:`CrossTab.shown`)."""
    counted = f"number of {ct.level.plural}, n = {ct.n}"
    if ct.n_left_out:
        counted += f"; {ct.left_out} not shown"
    return f"Evidence-gap map: {ct.row_label} × {ct.col_label}", counted


# The SVG ids of the gap map's artists, by which the report finds each cell in the drawing
# (review/report/svg.py): the bubbles (one collection, a path per non-empty cell in row-major
# order) and each cell's count.
GAP_BUBBLES = "gap-bubbles"


def gap_count_id(i: int, j: int) -> str:
    """The SVG id of the count printed in cell (row i, column j)."""
    return f"gap-n-{i}-{j}"


def gap_map_figure(ct: CrossTab) -> Any:
    """A bubble chart: rows x columns, bubble area ~ number of units, counts printed; units
    without a value of either field are left out, and the title says how many."""
    return draw_gap_map(ct.shown())


def draw_gap_map(ct: CrossTab) -> Any:
    """The figure of :func:`gap_map_figure` for a crosstab already :meth:`~CrossTab.shown`:
    the one drawing of the gap map (gap-map.svg/.png and the report's)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    n_rows, n_cols = len(ct.rows), len(ct.cols)
    fig = Figure(figsize=(2.0 + 1.25 * n_cols, 1.2 + 0.75 * n_rows))
    ax = fig.add_subplot(1, 1, 1)
    biggest = max((max(r) for r in ct.counts if r), default=0) or 1
    xs, ys, sizes, labels = [], [], [], []
    for i in range(n_rows):
        for j in range(n_cols):
            n = ct.counts[i][j]
            if n:
                xs.append(j)
                ys.append(i)
                sizes.append(1400 * n / biggest)
                labels.append((j, i, n))
    ax.scatter(
        xs, ys, s=sizes, color="#4C72B0", alpha=0.55, edgecolors="#2F4B7C", linewidths=0.8,
        gid=GAP_BUBBLES,
    )  # fmt: skip
    for j, i, n in labels:
        ax.annotate(
            str(n), (j, i), ha="center", va="center", fontsize=9, fontweight="bold",
            gid=gap_count_id(i, j),
        )  # fmt: skip
    ax.set_xticks(range(n_cols))
    ax.set_xticklabels(
        [f"{_wrap(c, 16)}\n({ct.col_totals[j]})" for j, c in enumerate(ct.cols)], fontsize=8
    )
    ax.set_yticks(range(n_rows))
    ax.set_yticklabels(
        [f"{_wrap(r, 34)} ({ct.row_totals[i]})" for i, r in enumerate(ct.rows)], fontsize=8
    )
    ax.set_xlim(-0.6, n_cols - 0.4)
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.grid(True, color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    title, counted = gap_map_title(ct)
    one_line = f"{title} ({counted})"
    width = int(fig.get_figwidth() * 12)  # characters at 10 pt
    if len(one_line) > width:  # the title, then what it counts, wrapped to the figure
        one_line = f"{_wrap(title, width)}\n{_wrap(f'({counted})', width)}"
    fig.suptitle(one_line, fontsize=10)  # centred on the figure: the whole width for it
    fig.tight_layout()
    return fig


def write_gap_map(ct: CrossTab, svg_path: Path, png_path: Path) -> None:
    """gap-map.svg (text as text), gap-map.png (300 dpi) and, beside them, gap-map.csv with the
    numbers: the whole table, its Not reported row/column (not drawn) included."""
    images = render_gap_map(ct.shown())
    atomic_write_bytes(svg_path, images["svg"])
    atomic_write_bytes(png_path, images["png"])
    atomic_write_text(svg_path.with_suffix(".csv"), _csv_text(_crosstab_rows(ct)))


def render_gap_map(shown: CrossTab, formats: tuple[str, ...] = ("svg", "png")) -> dict[str, bytes]:
    """The gap map of a crosstab already :meth:`~CrossTab.shown` as SVG (text as text) and PNG
    (300 dpi) bytes, or only ``formats``; deterministic."""
    out: dict[str, bytes] = {}
    with editable("review-gap-map"):
        fig = draw_gap_map(shown)
        for fmt, kwargs in (
            ("svg", {"metadata": {"Date": None, "Creator": None}}),
            ("png", {"dpi": PNG_DPI, "metadata": {"Software": None}}),
        ):
            if fmt in formats:
                buf = BytesIO()
                fig.savefig(buf, format=fmt, **kwargs)
                out[fmt] = buf.getvalue()
    return out


def _csv_text(rows: list[list[Any]]) -> str:
    from review.io.xlsx import csv_text

    return csv_text(rows, lineterminator="\r\n")


def write_summary(out_dir: Path, summary: Summary, title: str = "") -> list[Path]:
    """Write summary.xlsx, summary.md and (when configured) gap-map.svg/.png/.csv; return paths."""
    out_dir = Path(out_dir)
    paths = [out_dir / "summary.xlsx", out_dir / "summary.md"]
    atomic_write_bytes(paths[0], stable_xlsx_bytes(summary_workbook(summary)))
    atomic_write_text(paths[1], summary_markdown(summary, title))
    if summary.gap_map is not None:
        svg, png = out_dir / "gap-map.svg", out_dir / "gap-map.png"
        write_gap_map(summary.gap_map, svg, png)
        paths += [svg, png, svg.with_suffix(".csv")]
    return paths


def comparison_rows(comparison: Comparison) -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["level", "id", "citation_or_name", "field", "field_label", *comparison.reviewers]
    ]
    for d in comparison.rows:
        rows.append([d.level, d.key, d.label, d.field_id, d.field_label, *d.values])
    return rows


def write_comparison(out_dir: Path, comparison: Comparison) -> list[Path]:
    """Write disagreements.xlsx (+ per-field agreement sheet) and disagreements.csv."""
    from openpyxl import Workbook

    out_dir = Path(out_dir)
    rows = comparison_rows(comparison)
    wb = Workbook()
    ws = first_sheet(wb)
    ws.title = "Disagreements"
    _write_rows(ws, 1, rows)
    ws.freeze_panes = "C2"
    for col, width in zip("ABCDE", (10, 24, 48, 26, 34), strict=True):
        ws.column_dimensions[col].width = width
    ag = wb.create_sheet("Agreement by field")
    stats: list[list[Any]] = [
        ["level", "field", "field_label", "compared", "agreed", "percent_agreement"]
    ]
    for f in comparison.fields:
        stats.append([f.level, f.field_id, f.field_label, f.compared, f.agreed, f.percent])
    _write_rows(ag, 1, stats)
    xlsx = out_dir / "disagreements.xlsx"
    atomic_write_bytes(xlsx, stable_xlsx_bytes(wb))
    csv_path = out_dir / "disagreements.csv"
    atomic_write_text(csv_path, csv_text(rows))
    return [xlsx, csv_path]


def csv_text(rows: list[list[Any]]) -> str:
    """A CSV file's text: UTF-8 BOM first (Excel then reads accents right), one row per line,
    text a spreadsheet would run as a formula escaped (:func:`review.io.xlsx.csv_safe`)."""
    return text(rows, lineterminator="\n")
