"""Reader for ``scripts/example_charting.yaml``: the worked example's 45 reports / 24 programmes.

Example-only code (not part of the ``review`` library): ``scripts/make_example.py`` and the tests
import it from this folder.

The file uses short codes for the report-level categories (``method: qual``); :func:`load_example`
expands them to the schema's values, so callers get rows ready for
:func:`review.chart.fill_template` or :func:`review.chart.summarise`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from review.chart.model import Charting
from review.errors import InputError

PUBLICATION_TYPES = {
    "journal": "Peer-reviewed journal article",
    "report": "Evaluation report",
    "phd": "PhD dissertation",
    "nonacademic": "Non-academic journal",
}
RECORD_TYPES = {"journal": "article", "report": "report", "phd": "thesis", "nonacademic": "article"}
METHODS = {"qual": "Qualitative", "quant": "Quantitative", "mixed": "Mixed methods"}
COLLECTION = {
    "interviews": "Semi-structured interviews",
    "focus": "Focus groups",
    "ethno": "Ethnographic observation",
    "discourse": "Discourse or document analysis",
}
DESIGNS = {
    "rct": "Randomised controlled trial",
    "comparison": "Comparison design",
    "cross": "Cross-sectional",
    "long": "Longitudinal",
    "quasi": "Quasi-experimental",
    "matched": "Matched-control trial",
}
DATA_SOURCES = {
    "admin": "Administrative case files",
    "measures": "Standardised measures",
    "surveys": "Surveys",
}
PERSPECTIVES = {
    "parents": "Parents receiving services",
    "advocates": "Parent peer advocates",
    "staff": "Non-peer professional staff",
    "community": "Community stakeholders",
}
REVIEWS = {
    "acri": "Acri et al. 2021 only",
    "both": "Both Acri 2021 and Saeteurn 2022",
    "neither": "Neither",
}
_PROGRAMME_META = {"id", "invented", "note"}


@dataclass(frozen=True, slots=True)
class ExampleReport:
    key: str  # stable key, e.g. "berrick-cohen-2011"
    authors: tuple[str, ...]
    year: int
    title: str
    journal: str  # journal, publisher or "PhD dissertation"
    record_type: str  # review.model.RECORD_TYPES value
    source: str  # "search" (database/grey search) or "expert"
    programmes: tuple[str, ...]
    values: dict[str, Any]  # report-level field id -> value (schema vocabulary)
    invented: bool = False
    note: str = ""


@dataclass(slots=True)
class ExampleCharting:
    reports: list[ExampleReport] = field(default_factory=list)
    programmes: dict[str, dict[str, Any]] = field(default_factory=dict)
    programme_notes: dict[str, str] = field(default_factory=dict)
    invented_programmes: tuple[str, ...] = ()

    def charting(self, record_ids: dict[str, str] | None = None, reviewer: str = "") -> Charting:
        """The example as a :class:`Charting`, keyed by ``record_ids[key]`` (default: the key)."""
        ids = record_ids or {}
        out = Charting(reviewer=reviewer)
        for rep in self.reports:
            rid = ids.get(rep.key, rep.key)
            out.reports[rid] = dict(rep.values)
            out.report_units[rid] = list(rep.programmes)
        out.units = {pid: dict(v) for pid, v in self.programmes.items()}
        return out


def _authors(value: Any) -> tuple[str, ...]:
    """``"Surname, Given; Surname, Given"`` (or a list of such strings) -> one per author."""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    return tuple(a.strip() for a in str(value or "").split(";") if a.strip())


def _expand(code_map: dict[str, str], value: Any, where: str) -> Any:
    if isinstance(value, list):
        return [_expand(code_map, v, where) for v in value]
    if value not in code_map:
        raise InputError(f"{where}: unknown code {value!r}; use one of: {', '.join(code_map)}.")
    return code_map[value]


def _report_values(chart: dict[str, Any], where: str) -> dict[str, Any]:
    from review.chart.countries import canonical_country

    vals: dict[str, Any] = {
        "publication_type": _expand(PUBLICATION_TYPES, chart["type"], where),
        "research_method": _expand(METHODS, chart["method"], where),
        "earlier_reviews": _expand(REVIEWS, chart["reviews"], where),
    }
    country = canonical_country(str(chart["country"]))
    if country is None:
        raise InputError(f"{where}: unknown country {chart['country']!r}.")
    vals["country"] = country
    for key, fid, code_map in (
        ("collection", "qualitative_data_collection", COLLECTION),
        ("data", "quantitative_data_sources", DATA_SOURCES),
        ("perspective", "perspective", PERSPECTIVES),
    ):
        got = chart.get(key) or []
        if got:
            order = list(code_map.values())
            vals[fid] = sorted(_expand(code_map, got, where), key=order.index)
    if chart.get("design"):
        vals["quantitative_design"] = _expand(DESIGNS, chart["design"], where)
    for key, fid in (
        ("sample_size", "sample_size"),
        ("sample", "sample_characteristics"),
        ("findings", "main_findings"),
        ("aims", "study_aims"),
    ):
        if chart.get(key) not in (None, ""):
            vals[fid] = chart[key]
    return vals


def load_example(path: Path) -> ExampleCharting:
    """Read ``scripts/example_charting.yaml`` (expanding the short codes)."""
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read the example charting ({exc}).", file=str(path)) from None
    out = ExampleCharting()
    invented: list[str] = []
    for prog in data.get("programmes") or []:
        pid = str(prog["id"])
        out.programmes[pid] = {
            k: v for k, v in prog.items() if k not in _PROGRAMME_META and v not in (None, "", [])
        }
        if prog.get("note"):
            out.programme_notes[pid] = str(prog["note"])
        if prog.get("invented"):
            invented.append(pid)
    out.invented_programmes = tuple(invented)
    for rep in data.get("reports") or []:
        key = str(rep["key"])
        where = f"{path.name}: report {key}"
        chart = rep.get("chart") or {}
        values = _report_values(chart, where)
        progs = tuple(str(p) for p in rep.get("programme") or [])
        unknown = [p for p in progs if p not in out.programmes]
        if unknown:
            raise InputError(f"{where}: unknown programme(s) {', '.join(unknown)}.")
        values["programme"] = list(progs)
        out.reports.append(
            ExampleReport(
                key=key,
                authors=_authors(rep.get("authors")),
                year=int(rep["year"]),
                title=str(rep["title"]),
                journal=str(rep.get("journal", "")),
                record_type=RECORD_TYPES[chart["type"]],
                source=str(rep.get("source", "search")),
                programmes=progs,
                values=values,
                invented=bool(rep.get("invented", False)),
                note=str(rep.get("note", "")),
            )
        )
    return out
