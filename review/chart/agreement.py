"""Field-level agreement between charting reviewers: percent agreement, and Cohen's κ where the
field is categorical (``outputs/charting/agreement.csv``).

Units are the rows every reviewer charted (reports charted by all; units of the schema's further
level listed by all) on which at least one reviewer recorded a value for the field — the same units as
``chart compare``, so ``agreed/compared`` here equals its per-field counts.

- Single-valued categorical fields (single choice, yes/no, country): Cohen's κ over the values,
  a blank cell counting as one more category. κ uses :mod:`review.screen.stats` (the screening
  statistics); it needs exactly two reviewers (blank with three or more).
- Multiple-choice fields: percent agreement on the whole set of ticked options; κ is the pooled κ
  of De Vries et al. (2008, *Field Methods* 20(3)), ``(mean p_o − mean p_e)/(1 − mean p_e)``
  over the options' Yes/No ratings. One extra row per option gives that option's own κ.
- Text, number and date fields: percent agreement only (compared after trimming spaces and
  ignoring case).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from review.chart.compare import _same
from review.chart.model import Charting
from review.chart.schema import Field, Schema
from review.percent import percent
from review.screen.stats import cohen_kappa, confusion

BLANK = "(blank)"
COLUMNS = (
    "level",
    "field",
    "field_label",
    "type",
    "option",
    "reviewers",
    "compared",
    "agreed",
    "percent_agreement",
    "cohen_kappa",
)


@dataclass(frozen=True, slots=True)
class FieldStats:
    level: str
    field_id: str
    field_label: str
    type: str
    option: str  # multiple choice: one option's own row ("" for the field's row)
    reviewers: int
    compared: int
    agreed: int
    kappa: float | None

    @property
    def percent(self) -> float | None:
        return percent(self.agreed, self.compared)

    def row(self) -> list[Any]:
        return [
            self.level,
            self.field_id,
            self.field_label,
            self.type,
            self.option,
            self.reviewers,
            self.compared,
            self.agreed,
            "" if self.percent is None else self.percent,
            "" if self.kappa is None else round(self.kappa, 3),
        ]


def _blank(v: Any) -> bool:
    return v is None or v == "" or v == []


def _units(
    f: Field, charts: list[Charting], keys: list[str]
) -> list[list[Any]]:  # one list of values (one per reviewer) per unit
    rows_of = (lambda c: c.reports) if f.level == "report" else (lambda c: c.units)
    out = []
    for key in keys:
        vals = [rows_of(c)[key].get(f.id) for c in charts]
        if not all(_blank(v) for v in vals):
            out.append(vals)
    return out


def _kappa_parts(pairs: list[tuple[str, str]]) -> tuple[float, float, float | None]:
    """(p_o, p_e, κ) of two raters' labels via review.screen.stats."""
    cats = sorted({a for a, _ in pairs} | {b for _, b in pairs})
    table = confusion(pairs, cats)
    n = len(pairs)
    po = sum(table[i][i] for i in range(len(cats))) / n
    pe = sum(sum(table[i]) * sum(row[i] for row in table) for i in range(len(cats))) / (n * n)
    kappa, _ = cohen_kappa(table)
    return po, pe, kappa


def _label(v: Any) -> str:
    return BLANK if _blank(v) else str(v)


def field_stats(f: Field, charts: list[Charting], keys: list[str]) -> list[FieldStats]:
    """The field's row (and, for multiple choice, one row per option)."""
    units = _units(f, charts, keys)
    n_rev = len(charts)
    agreed = sum(all(_same(u[0], v) for v in u[1:]) for u in units)
    row = partial(
        FieldStats, level=f.level, field_id=f.id, field_label=f.label, type=f.type, reviewers=n_rev
    )
    if not f.categorical or n_rev != 2 or not units:
        return [row(option="", compared=len(units), agreed=agreed, kappa=None)]
    if not f.multi:
        _, _, kappa = _kappa_parts([(_label(a), _label(b)) for a, b in units])
        return [row(option="", compared=len(units), agreed=agreed, kappa=kappa)]
    options: list[FieldStats] = []
    pos, pes = [], []
    for opt in f.choices:
        pairs = [
            ("Yes" if opt in (a or []) else "No", "Yes" if opt in (b or []) else "No")
            for a, b in units
        ]
        po, pe, kappa = _kappa_parts(pairs)
        pos.append(po)
        pes.append(pe)
        same = sum(a == b for a, b in pairs)
        options.append(row(option=opt, compared=len(units), agreed=same, kappa=kappa))
    mean_po, mean_pe = sum(pos) / len(pos), sum(pes) / len(pes)
    pooled = None if mean_pe >= 1.0 - 1e-12 else (mean_po - mean_pe) / (1 - mean_pe)
    head = row(option="", compared=len(units), agreed=agreed, kappa=pooled)
    return [head, *options]


def agreement_stats(schema: Schema, chartings: dict[str, Charting]) -> list[FieldStats]:
    """Agreement per field (pure) over the rows every reviewer charted; fields never compared
    (all blank) are left out."""
    names = sorted(chartings)
    charts = [chartings[n] for n in names]
    if not charts:
        return []
    reports = sorted(set.intersection(*(set(c.reports) for c in charts)))
    units = sorted(set.intersection(*(set(c.units) for c in charts)))
    out: list[FieldStats] = []
    for f in schema.fields:
        if f.type == "link" or f.level == "report":
            keys = reports
        else:
            keys = units
        rows = field_stats(f, charts, keys)
        if rows[0].compared:
            out += rows
    return out


def agreement_csv(stats: list[FieldStats]) -> str:
    """agreement.csv text: UTF-8 with BOM, formula-like cells escaped."""
    from review.chart.outputs import csv_text

    return csv_text([list(COLUMNS), *(s.row() for s in stats)])
