"""Summaries of a charting: frequency tables, overview of units, sample table, crosstabs.

:func:`summarise` is pure (schema + charting in, :class:`Summary` out); the command writes it
with :mod:`review.chart.outputs`. Report-level fields are counted over reports, fields of the
schema's further level over its units — a unit described by three reports counts once (the
number of reports is shown beside it). Every percentage follows :mod:`review.percent`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from review.chart.model import Charting
from review.chart.schema import REPORT_LEVEL, Field, Level, Schema
from review.percent import percent

NOT_REPORTED = "Not reported"
NOT_APPLICABLE = "Not applicable"  # crosstabs: blank where the field's required_when fails
MULTI_NOTE = "multi-valued: percentages sum to more than 100%"


@dataclass(frozen=True, slots=True)
class FreqRow:
    value: str
    n: int
    pct: float  # of the table's denominator, one decimal
    reports: int | None = None  # tables of the further level: reports linked to those units


@dataclass(frozen=True, slots=True)
class FrequencyTable:
    field_id: str
    label: str
    level: str  # "report" or the schema's further level
    multi: bool
    denominator: int
    denominator_text: str  # e.g. "45 reports" or "25 reports with Research method: ..."
    rows: tuple[FreqRow, ...] = ()
    note: str = ""

    def counts(self) -> dict[str, int]:
        return {r.value: r.n for r in self.rows if r.value != NOT_REPORTED}


@dataclass(frozen=True, slots=True)
class CrossTab:
    row_field: str
    col_field: str
    row_label: str
    col_label: str
    rows: tuple[str, ...]
    cols: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]  # counts[i][j] = units with rows[i] and cols[j]
    row_totals: tuple[int, ...]  # units with rows[i]
    col_totals: tuple[int, ...]  # units with cols[j]
    n: int  # units counted (reports, or units of the further level)
    note: str = ""
    level: Level = REPORT_LEVEL  # what is counted
    # the last blank_rows rows / blank_cols columns are "Not reported" / "Not applicable":
    # the units without a value of the field, so every unit is in a row and a column
    blank_rows: int = 0
    blank_cols: int = 0
    # set by shown(): the units its table leaves out ("6 reports with no Continent")
    left_out: str = ""
    n_left_out: int = 0

    def shown(self) -> CrossTab:
        """The table without its blank rows and columns — what the gap map draws; totals and
        ``n`` stay those of every unit, ``left_out`` says which units no cell holds."""
        nr, nc = len(self.rows) - self.blank_rows, len(self.cols) - self.blank_cols
        no_row = sum(self.row_totals[nr:])  # each unit is in exactly one blank row or none
        no_col = sum(self.col_totals[nc:])
        both = sum(sum(row[nc:]) for row in self.counts[nr:])
        k = no_row + no_col - both
        if no_row and no_col:
            text = f"{self.level.count(k)} with no {self.row_label} or no {self.col_label}"
        elif k:
            text = f"{self.level.count(k)} with no {self.row_label if no_row else self.col_label}"
        else:
            text = ""
        return replace(
            self,
            rows=self.rows[:nr],
            cols=self.cols[:nc],
            counts=tuple(row[:nc] for row in self.counts[:nr]),
            row_totals=self.row_totals[:nr],
            col_totals=self.col_totals[:nc],
            blank_rows=0,
            blank_cols=0,
            left_out=text,
            n_left_out=k,
        )


@dataclass(frozen=True, slots=True)
class Summary:
    n_reports: int
    n_units: int  # units of the further level (0 when the schema has none)
    frequencies: tuple[FrequencyTable, ...]
    overview_columns: tuple[tuple[str, str], ...]  # (key, header)
    overview: tuple[Mapping[str, Any], ...]  # one row per unit, by column key
    sample_columns: tuple[tuple[str, str], ...]
    sample: tuple[Mapping[str, Any], ...]  # one row per report, by column key
    crosstabs: tuple[CrossTab, ...]
    gap_map: CrossTab | None
    unlinked_reports: tuple[str, ...]  # reports linked to no unit
    unused_units: tuple[str, ...]  # units no report links to
    unknown_links: tuple[tuple[str, str], ...]  # (record_id, unit id): no such unit
    unit: Level | None = None  # the schema's further level (None: reports only)

    def table(self, field_id: str, level: str | None = None) -> FrequencyTable:
        for t in self.frequencies:
            if t.field_id == field_id and (level is None or t.level == level):
                return t
        raise KeyError(field_id)

    def counts(self, field_id: str) -> dict[str, int]:
        """``{value: n}`` for one categorical field (zero counts included)."""
        return self.table(field_id).counts()


def _values(row: dict[str, Any], f: Field) -> list[str]:
    got = row.get(f.id)
    if got is None or got == "" or got == []:
        return []
    if isinstance(got, list):
        return [str(v) for v in got]
    return [str(got)]


def _pct(n: int, total: int) -> float:
    return percent(n, total) or 0.0


def _applies(f: Field, row: dict[str, Any]) -> bool:
    """Whether ``row`` belongs to the denominator of ``f``."""
    if f.required_when is None:
        return True
    return f.required_when.holds(row) or bool(_values(row, f))


def _condition_text(f: Field, schema: Schema) -> str:
    if f.required_when is None:
        return ""
    try:
        other = schema.field(f.required_when.field).label
    except KeyError:
        other = f.required_when.field
    return f" with {other}: {' or '.join(f.required_when.values)}"


def _frequency(
    schema: Schema,
    f: Field,
    rows: dict[str, dict[str, Any]],
    unit: Level,
    reports_of: dict[str, list[str]] | None,
) -> FrequencyTable:
    applicable = {key: row for key, row in rows.items() if _applies(f, row)}
    den = len(applicable)
    counts: dict[str, int] = {}
    reports: dict[str, set[str]] = {}
    blank = 0
    for key, row in applicable.items():
        vals = _values(row, f)
        if not vals:
            blank += 1
        for v in dict.fromkeys(vals):
            counts[v] = counts.get(v, 0) + 1
            if reports_of is not None:
                reports.setdefault(v, set()).update(reports_of.get(key, []))
    if f.type == "country":
        order = sorted(counts, key=lambda v: (-counts[v], v))
    else:
        order = list(f.choices) + sorted(v for v in counts if v not in f.choices)
    values = [*order, NOT_REPORTED] if blank else order
    ns = [counts.get(v, 0) for v in order] + ([blank] if blank else [])
    pcts = [_pct(n, den) for n in ns]
    table_rows = [
        FreqRow(
            value=v,
            n=n,
            pct=p,
            reports=(
                len(reports.get(v, ())) if reports_of is not None and v != NOT_REPORTED else None
            ),
        )
        for v, n, p in zip(values, ns, pcts, strict=True)
    ]
    units = unit.count(den)
    return FrequencyTable(
        field_id=f.id,
        label=f.label,
        level=f.level,
        multi=f.multi,
        denominator=den,
        denominator_text=units + _condition_text(f, schema),
        rows=tuple(table_rows),
        note=MULTI_NOTE if f.multi else "",
    )


def _blank(f: Field, row: dict[str, Any]) -> str:
    """Why ``row`` has no value of ``f``: not reported, or not applicable (its required_when
    fails)."""
    return NOT_REPORTED if f.required_when is None or _applies(f, row) else NOT_APPLICABLE


def _axis(f: Field, units: dict[str, dict[str, Any]]) -> tuple[list[str], list[str]]:
    """A crosstab's values of ``f`` (choices, then values beyond them; countries only when
    present) and the blank rows its units need after them."""
    present = {v for row in units.values() for v in _values(row, f)}
    values = [v for v in f.choices if v in present or f.type != "country"]
    values += sorted(present - set(values))
    needed = {_blank(f, row) for row in units.values() if not _values(row, f)}
    return values, [b for b in (NOT_REPORTED, NOT_APPLICABLE) if b in needed]


def _crosstab(
    schema: Schema, a: str, b: str, rows_by_level: Mapping[str, dict[str, dict[str, Any]]]
) -> CrossTab:
    """Units of the fields' level (reports, or the further level's) per pair of values; a unit
    without a value is in the "Not reported" (or "Not applicable") row or column, so each row's
    cells add up to its total (single-valued columns) and the column totals to n."""
    fa, fb = schema.field(a), schema.field(b)
    level = schema.level(fa.level)
    units = rows_by_level[fa.level]
    (va, ba), (vb, bb) = _axis(fa, units), _axis(fb, units)
    rows, cols = va + ba, vb + bb
    row_at, col_at = {v: i for i, v in enumerate(va)}, {v: j for j, v in enumerate(vb)}
    blank_row = {v: len(va) + k for k, v in enumerate(ba)}
    blank_col = {v: len(vb) + k for k, v in enumerate(bb)}
    counts = [[0] * len(cols) for _ in rows]
    row_tot = [0] * len(rows)
    col_tot = [0] * len(cols)
    for row in units.values():
        ia = [row_at[v] for v in dict.fromkeys(_values(row, fa))] or [blank_row[_blank(fa, row)]]
        jb = [col_at[v] for v in dict.fromkeys(_values(row, fb))] or [blank_col[_blank(fb, row)]]
        for i in ia:
            row_tot[i] += 1
            for j in jb:
                counts[i][j] += 1
        for j in jb:
            col_tot[j] += 1
    note = ""
    if fa.multi or fb.multi:
        note = f"A {level.singular} with several values is counted in each of its cells."
    return CrossTab(
        row_field=a,
        col_field=b,
        row_label=fa.label,
        col_label=fb.label,
        rows=tuple(rows),
        cols=tuple(cols),
        counts=tuple(tuple(row) for row in counts),
        row_totals=tuple(row_tot),
        col_totals=tuple(col_tot),
        n=len(units),
        note=note,
        level=level,
        blank_rows=len(ba),
        blank_cols=len(bb),
    )


def _cell_text(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return value


def _overview(
    schema: Schema,
    units: dict[str, dict[str, Any]],
    reports_of: dict[str, list[str]],
    citation: Any,
) -> tuple[tuple[tuple[str, str], ...], tuple[dict[str, Any], ...]]:
    """The overview of the further level: (columns, one row per unit), ordered by the first
    categorical overview field's value order, then name. Empty when reports only."""
    spec = schema.summary
    if schema.unit is None:
        return (), ()
    overview_cols = [("unit_id", schema.unit.id_header)]
    overview_cols += [(fid, schema.field(fid).label) for fid in spec.overview]
    overview_cols += [("n_reports", "Reports (n)"), ("reports", "Reports")]
    first_cat = next(
        (schema.field(fid) for fid in spec.overview if schema.field(fid).categorical), None
    )

    def overview_key(item: tuple[str, dict[str, Any]]) -> tuple[Any, ...]:
        pid, row = item
        rank = len(first_cat.choices) if first_cat else 0
        if first_cat is not None:
            vals = _values(row, first_cat)
            ranks = [first_cat.choices.index(v) for v in vals if v in first_cat.choices]
            rank = min(ranks) if ranks else len(first_cat.choices)
        return (rank, str(row.get("name", "")).casefold(), pid)

    overview: list[dict[str, Any]] = []
    for pid, row in sorted(units.items(), key=overview_key):
        cites = sorted(citation(r) for r in reports_of[pid])
        line: dict[str, Any] = {"unit_id": pid}
        for fid in spec.overview:
            line[fid] = _cell_text(row.get(fid, ""))
        line["n_reports"] = len(cites)
        line["reports"] = "; ".join(cites)
        overview.append(line)
    return tuple(overview_cols), tuple(overview)


def summarise(schema: Schema, charting: Charting) -> Summary:
    """Every table of the charting summary (pure: no files)."""
    reports = dict(sorted(charting.reports.items()))
    unit = schema.unit
    units = dict(sorted(charting.units.items())) if unit else {}
    links = {rid: list(charting.report_units.get(rid, [])) for rid in reports}
    reports_of: dict[str, list[str]] = {pid: [] for pid in units}
    unknown: list[tuple[str, str]] = []
    for rid, pids in links.items():
        for pid in pids:
            if pid in reports_of:
                if rid not in reports_of[pid]:
                    reports_of[pid].append(rid)
            else:
                unknown.append((rid, pid))
    freq: list[FrequencyTable] = []
    for f in schema.report_fields:
        if f.categorical:
            freq.append(_frequency(schema, f, reports, REPORT_LEVEL, None))
    for f in schema.unit_fields:
        if f.categorical and unit is not None:
            freq.append(_frequency(schema, f, units, unit, reports_of))

    cite = charting.citations

    def citation(rid: str) -> str:
        return cite.get(rid) or rid

    spec = schema.summary
    overview_cols, overview = _overview(schema, units, reports_of, citation)

    sample_cols = [("record_id", "Record ID"), ("citation", "Citation")]
    sample_cols += [(fid, schema.field(fid).label) for fid in spec.sample]
    if unit is not None:
        sample_cols += [("units", f"{unit.title}(s)")]
    sample: list[dict[str, Any]] = []
    for rid, row in sorted(reports.items(), key=lambda kv: (citation(kv[0]).casefold(), kv[0])):
        line = {"record_id": rid, "citation": citation(rid)}
        for fid in spec.sample:
            line[fid] = _cell_text(row.get(fid, ""))
        if unit is not None:
            line["units"] = "; ".join(links.get(rid, []))
        sample.append(line)

    by_level = {"report": reports, **({unit.name: units} if unit else {})}
    crosstabs = tuple(_crosstab(schema, a, b, by_level) for a, b in spec.crosstabs)
    gap = _crosstab(schema, *spec.gap_map, by_level) if spec.gap_map else None
    return Summary(
        n_reports=len(reports),
        n_units=len(units),
        frequencies=tuple(freq),
        overview_columns=overview_cols,
        overview=overview,
        sample_columns=tuple(sample_cols),
        sample=tuple(sample),
        crosstabs=crosstabs,
        gap_map=gap,
        unlinked_reports=(
            tuple(rid for rid, pids in links.items() if not pids) if schema.link_field else ()
        ),
        unused_units=tuple(pid for pid, rids in reports_of.items() if not rids),
        unknown_links=tuple(unknown),
        unit=unit,
    )
