"""The ``summary:`` section of an extraction schema: which fields the summary tables use.

Crosstabs and the evidence-gap map take two categorical fields of one level — reports, or the
units of the schema's further level; the overview lists fields of the further level.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from review.chart.levels import REPORT, Level

if TYPE_CHECKING:
    from review.chart.schema import Field


@dataclass(frozen=True, slots=True)
class SummarySpec:
    """Which fields the summary tables use (the ``summary:`` section of the schema)."""

    overview: tuple[str, ...] = ()
    sample: tuple[str, ...] = ()
    crosstabs: tuple[tuple[str, str], ...] = ()
    gap_map: tuple[str, str] | None = None


def _as_str(value: Any) -> str:
    return "" if value is None else str(value).strip()


def parse_summary(
    raw: Any, by_id: dict[str, Field], levels: tuple[Level, ...], problems: list[str]
) -> SummarySpec:
    unit = levels[-1].name if len(levels) > 1 else None
    if raw is None:
        return _default_summary(by_id, unit)
    if not isinstance(raw, dict):
        problems.append("summary: must be a mapping (overview, sample, crosstabs, gap_map).")
        return SummarySpec()

    def ids(key: str, level: str | None = None) -> tuple[str, ...]:
        val = raw.get(key) or []
        if not isinstance(val, list):
            problems.append(f"summary.{key}: must be a list of field ids.")
            return ()
        out = []
        for fid in map(_as_str, val):
            f = by_id.get(fid)
            if f is None:
                problems.append(f"summary.{key}: unknown field {fid!r}.")
            elif level and f.level != level:
                problems.append(f"summary.{key}: field {fid!r} is not a {level}-level field.")
            else:
                out.append(fid)
        return tuple(out)

    def categorical_pair(where: str, a: str, b: str) -> bool:
        """Two categorical fields of one level (any level: reports are counted, or units)."""
        for fid in (a, b):
            f = by_id.get(fid)
            if f is None:
                problems.append(f"{where}: unknown field {fid!r}.")
                return False
            if not f.categorical:
                problems.append(f"{where}: field {fid!r} is not categorical.")
                return False
        if by_id[a].level != by_id[b].level:
            problems.append(f"{where}: fields {a!r} and {b!r} must be at the same level.")
            return False
        return True

    crosstabs: list[tuple[str, str]] = []
    for k, pair in enumerate(raw.get("crosstabs") or [], start=1):
        where = f"summary.crosstabs[{k}]"
        if not isinstance(pair, list) or len(pair) != 2:
            problems.append(f"{where}: must be a pair [ROW_FIELD, COLUMN_FIELD].")
            continue
        a, b = _as_str(pair[0]), _as_str(pair[1])
        if categorical_pair(where, a, b):
            crosstabs.append((a, b))
    gap = raw.get("gap_map")
    gap_map = None
    if gap is not None:
        if not isinstance(gap, dict) or "rows" not in gap or "columns" not in gap:
            problems.append("summary.gap_map: must be {rows: FIELD, columns: FIELD}.")
        else:
            r, c = _as_str(gap["rows"]), _as_str(gap["columns"])
            if categorical_pair("summary.gap_map", r, c):
                gap_map = (r, c)
    if unit is None and raw.get("overview"):
        problems.append(
            "summary.overview: the overview has one row per unit of a further level, and the "
            "schema declares none; list report-level fields under summary.sample."
        )
    return SummarySpec(
        overview=ids("overview", unit) if unit else (),
        sample=ids("sample", "report"),
        crosstabs=tuple(crosstabs),
        gap_map=gap_map,
    )


def _default_summary(by_id: dict[str, Field], unit: str | None) -> SummarySpec:
    """Overview: the further level's first fields; crosstab and gap map: the first two
    categorical fields of the further level (of the reports when there is none)."""
    units = [f for f in by_id.values() if unit is not None and f.level == unit]
    overview = tuple(f.id for f in units if f.categorical or f.type == "text")[:6]
    sample = tuple(f.id for f in by_id.values() if f.level == REPORT and f.categorical)
    cats = [
        f.id for f in (units or [f for f in by_id.values() if f.level == REPORT]) if f.categorical
    ]
    crosstabs = ((cats[0], cats[1]),) if len(cats) >= 2 else ()
    return SummarySpec(
        overview=overview,
        sample=sample,
        crosstabs=crosstabs,
        gap_map=crosstabs[0] if crosstabs else None,
    )
