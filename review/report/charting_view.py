"""The report's charting section: the final charting's summary as the page shows it.

:func:`charting_view` reads the project's final charting and its summary
(:mod:`review.chart.summary`) into a frozen :class:`ChartingView`: the report table and the
overview of the schema's further level (when it declares one) with their cells as text, the
frequency tables, the crosstabs and the evidence-gap map with the units in each of its cells. The template reads it by attribute; nothing here
writes files or prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from review.chart import final_charting, project_summary
from review.chart.store import project_schema
from review.errors import ReviewError

if TYPE_CHECKING:
    from review.chart.model import Charting
    from review.chart.schema import Level
    from review.chart.summary import CrossTab, FreqRow, FrequencyTable
    from review.project import Project


@dataclass(frozen=True, slots=True)
class FrequencyView:
    """One frequency table: a categorical field's values counted over reports or units."""

    field_id: str
    label: str
    level: str  # "report" or the schema's further level
    multi: bool
    denominator: str  # e.g. "45 reports" (the summary's denominator_text)
    note: str
    rows: tuple[FreqRow, ...]
    per: str = "report"  # the singular of what is counted ("several values per site")

    @classmethod
    def of(cls, t: FrequencyTable, per: str) -> FrequencyView:
        return cls(t.field_id, t.label, t.level, t.multi, t.denominator_text, t.note, t.rows, per)


@dataclass(frozen=True, slots=True)
class CrossTabView:
    """Units (reports, or the further level's) counted by the values of two fields."""

    row_label: str
    col_label: str
    rows: tuple[str, ...]
    cols: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]  # counts[i][j]: units with rows[i] and cols[j]
    row_totals: tuple[int, ...]
    col_totals: tuple[int, ...]
    n: int  # units counted
    note: str
    level: Level  # what is counted (its words)
    blank_rows: int  # the last rows/columns: units with no value ("Not reported")
    blank_cols: int

    @classmethod
    def of(cls, ct: CrossTab, **more: Any) -> Self:
        """The summary's crosstab (``more``: a subclass's own fields)."""
        return cls(
            ct.row_label, ct.col_label, ct.rows, ct.cols, ct.counts, ct.row_totals,
            ct.col_totals, ct.n, ct.note, ct.level, ct.blank_rows, ct.blank_cols, **more,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class GapMapView(CrossTabView):
    """The evidence-gap map: a crosstab with the ids behind every cell (report ids when it
    counts reports, else the further level's unit ids)."""

    members: tuple[tuple[tuple[str, ...], ...], ...] = ()  # members[i][j]: ids
    # units without a value of either field: not drawn ("6 reports with no Continent")
    left_out: str = ""
    n_left_out: int = 0

    def page_json(self) -> dict[str, Any]:
        """What the page script reads to list a bubble's units and reports."""
        return {
            "rows": list(self.rows),
            "cols": list(self.cols),
            "row_label": self.row_label,
            "col_label": self.col_label,
            "members": [[list(cell) for cell in row] for row in self.members],
            "per_report": self.level.name == "report",
            "singular": self.level.singular,
            "plural": self.level.plural,
        }


@dataclass(frozen=True, slots=True)
class ReportRow:
    """An included report: its cells by column key, and the units it describes."""

    id: str
    units: tuple[str, ...]
    cells: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class UnitRow:
    """A unit of the overview: its cells by column key, and the reports describing it."""

    id: str
    cells: Mapping[str, str]
    reports: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ChartingView:
    """Everything the report's charting section shows."""

    n_reports: int
    n_units: int
    unit: Level | None  # the schema's further level (None: reports only)
    report_columns: tuple[tuple[str, str], ...]  # (key, header)
    reports: tuple[ReportRow, ...]
    overview_columns: tuple[tuple[str, str], ...]  # (key, header)
    overview: tuple[UnitRow, ...]
    frequencies: tuple[FrequencyView, ...]
    crosstabs: tuple[CrossTabView, ...]
    gap_map: GapMapView | None
    unlinked_reports: tuple[str, ...]


def charting_view(project: Project) -> ChartingView:
    """The report's view of the project's final charting (ReviewError when there is none)."""
    summary = project_summary(project)
    charting = final_charting(project)
    schema = project_schema(project)
    assert charting is not None  # project_summary raised otherwise
    cite = charting.citations
    names = {pid: str(row.get("name") or pid) for pid, row in charting.units.items()}
    links = {rid: tuple(charting.report_units.get(rid, [])) for rid in charting.reports}
    unit = schema.unit

    # report-level table: every report-level field that is not a link
    fields = [f for f in schema.report_fields if f.type != "link"]
    report_cols = (("citation", "Report"), *((f.id, f.label) for f in fields))
    if unit is not None:
        report_cols += (("units", f"{unit.title}(s)"),)
    reports = []
    for rid, row in sorted(
        charting.reports.items(), key=lambda kv: ((cite.get(kv[0]) or kv[0]).casefold(), kv[0])
    ):
        cells = {"citation": cite.get(rid) or rid}
        for f in fields:
            cells[f.id] = _text(row.get(f.id, ""))
        if unit is not None:
            cells["units"] = "; ".join(names.get(p, p) for p in links[rid])
        reports.append(ReportRow(rid, links[rid], cells))

    overview_cols = tuple(c for c in summary.overview_columns if c[0] not in ("reports",))
    overview = tuple(
        UnitRow(
            id=row["unit_id"],
            cells={k: _text(row.get(k, "")) for k, _ in overview_cols},
            reports=tuple(r for r, pids in links.items() if row["unit_id"] in pids),
        )
        for row in summary.overview
    )
    return ChartingView(
        n_reports=summary.n_reports,
        n_units=summary.n_units,
        unit=unit,
        report_columns=report_cols,
        reports=tuple(reports),
        overview_columns=overview_cols,
        overview=overview,
        frequencies=tuple(
            FrequencyView.of(t, schema.level(t.level).singular) for t in summary.frequencies
        ),
        crosstabs=tuple(CrossTabView.of(ct) for ct in summary.crosstabs),
        gap_map=_gap_map(summary.gap_map, charting) if summary.gap_map else None,
        unlinked_reports=summary.unlinked_reports,
    )


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


def cell_members(ct: CrossTab, units: dict[str, dict[str, Any]]) -> list[list[list[str]]]:
    """The ids in every cell of a crosstab over ``units`` (reports or the further level's
    units; same rule as the counts: a unit with several values is in each of its cells)."""

    def values(row: dict[str, Any], fid: str) -> set[str]:
        got = row.get(fid)
        if got is None or got == "" or got == []:
            return set()
        return {str(v) for v in got} if isinstance(got, list) else {str(got)}

    out: list[list[list[str]]] = [[[] for _ in ct.cols] for _ in ct.rows]
    for pid, row in sorted(units.items()):
        va, vb = values(row, ct.row_field), values(row, ct.col_field)
        for i, r in enumerate(ct.rows):
            if r in va:
                for j, c in enumerate(ct.cols):
                    if c in vb:
                        out[i][j].append(pid)
    return out


def _gap_map(ct: CrossTab, charting: Charting) -> GapMapView:
    """The gap map as drawn: the values reported (the crosstab's blank rows and columns left
    out, and said so)."""
    ct = ct.shown()
    members = cell_members(ct, charting.reports if ct.level.name == "report" else charting.units)
    got = tuple(tuple(len(c) for c in row) for row in members)
    if got != ct.counts:  # the same rule as the summary's counts, or the map would mislead
        raise ReviewError(
            "gap map: cell members do not match the summary's counts (please report)."
        )
    return GapMapView.of(
        ct,
        members=tuple(tuple(tuple(c) for c in row) for row in members),
        left_out=ct.left_out,
        n_left_out=ct.n_left_out,
    )
