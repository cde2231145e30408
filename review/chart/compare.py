"""Dual charting: field-level disagreements between charting reviewers (consensus excluded)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from review.chart.model import Charting
from review.chart.schema import Level, Schema
from review.percent import percent


def unit_present(unit: Level) -> str:
    """The pseudo-field of a unit listed by some charters only: "(site listed)"."""
    return f"({unit.singular} listed)"


@dataclass(frozen=True, slots=True)
class Disagreement:
    level: str  # "report" or the schema's further level
    key: str  # record id or unit id
    label: str  # citation or the unit's name
    field_id: str
    field_label: str
    values: tuple[str, ...]  # one per reviewer, display text ("" = blank)


@dataclass(slots=True)
class FieldAgreement:
    field_id: str
    field_label: str
    level: str
    compared: int = 0
    agreed: int = 0

    @property
    def percent(self) -> float | None:
        return percent(self.agreed, self.compared)


@dataclass(slots=True)
class Comparison:
    reviewers: list[str]
    reports_compared: int  # charted by every reviewer
    reports_partial: list[str]  # charted by some reviewers only
    units_compared: int  # units of the further level listed by every reviewer
    rows: list[Disagreement] = field(default_factory=list)
    fields: list[FieldAgreement] = field(default_factory=list)
    unit: Level | None = None  # the schema's further level (None when reports only)

    def to_json(self) -> dict[str, Any]:
        return {
            "reviewers": self.reviewers,
            "reports_compared": self.reports_compared,
            "reports_charted_by_some_only": len(self.reports_partial),
            **({f"{self.unit.name}s_compared": self.units_compared} if self.unit else {}),
            "disagreements": len(self.rows),
            "fields": [
                {
                    "field": f.field_id,
                    "level": f.level,
                    "compared": f.compared,
                    "agreed": f.agreed,
                    "percent_agreement": f.percent,
                }
                for f in self.fields
            ],
        }


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        return sorted(map(str, a or [])) == sorted(map(str, b or []))
    if isinstance(a, str) and isinstance(b, str):
        return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
    return (a if a != "" else None) == (b if b != "" else None)


def compare(schema: Schema, chartings: dict[str, Charting]) -> Comparison:
    """Compare the reviewers' chartings field by field (pure)."""
    names = sorted(chartings)
    charts = [chartings[n] for n in names]
    all_reports = sorted(set().union(*(c.reports for c in charts))) if charts else []
    common = [rid for rid in all_reports if all(rid in c.reports for c in charts)]
    partial = [rid for rid in all_reports if rid not in common]
    stats = {f.id: FieldAgreement(f.id, f.label, f.level) for f in schema.fields}
    rows: list[Disagreement] = []
    citations: dict[str, str] = {}
    for c in charts:
        citations.update(c.citations)
    for rid in common:
        for f in schema.report_fields:
            vals = [c.reports[rid].get(f.id) for c in charts]
            if all(v in (None, "", []) for v in vals):
                continue
            st = stats[f.id]
            st.compared += 1
            if all(_same(vals[0], v) for v in vals[1:]):
                st.agreed += 1
            else:
                rows.append(
                    Disagreement(
                        "report",
                        rid,
                        citations.get(rid, rid),
                        f.id,
                        f.label,
                        tuple(_text(v) for v in vals),
                    )
                )
    unit = schema.unit
    all_units = sorted(set().union(*(c.units for c in charts))) if charts and unit else []
    both = 0
    for pid in all_units:
        assert unit is not None
        present = [pid in c.units for c in charts]
        name = next((_text(c.units[pid].get("name")) for c in charts if pid in c.units), "")
        if not all(present):
            rows.append(
                Disagreement(
                    unit.name,
                    pid,
                    name,
                    "",
                    unit_present(unit),
                    tuple("yes" if p else "no" for p in present),
                )
            )
            continue
        both += 1
        for f in schema.unit_fields:
            vals = [c.units[pid].get(f.id) for c in charts]
            if all(v in (None, "", []) for v in vals):
                continue
            st = stats[f.id]
            st.compared += 1
            if all(_same(vals[0], v) for v in vals[1:]):
                st.agreed += 1
            else:
                rows.append(
                    Disagreement(unit.name, pid, name, f.id, f.label, tuple(_text(v) for v in vals))
                )
    return Comparison(
        reviewers=[c.reviewer or n for n, c in zip(names, charts, strict=True)],
        reports_compared=len(common),
        reports_partial=partial,
        units_compared=both,
        unit=unit,
        rows=rows,
        fields=[s for s in stats.values() if s.compared],
    )
