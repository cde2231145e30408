"""What ``demo`` produced: the PRISMA numbers, agreement per stage, the units of the
example schema's further level (its words come from its schema) and the output files, read back from the demo folder once its commands have run
(:func:`review.demo.run_steps`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from review.chart import final_charting
from review.chart.store import project_schema
from review.errors import ReviewError
from review.example import UNIT_DETAIL_FIELD
from review.model import Stage
from review.project import Project
from review.screen import agreement

if TYPE_CHECKING:
    from review.chart.schema import Level
    from review.project import Project

OUTPUTS = (
    "outputs/dedup/clusters.csv",
    "outputs/dedup/overlap.csv",
    "outputs/screening/title-abstract-disagreements.csv",
    "outputs/screening/title-abstract-disagreements.xlsx",
    "outputs/screening/full-text-disagreements.csv",
    "outputs/screening/full-text-disagreements.xlsx",
    "outputs/charting/disagreements.xlsx",
    "outputs/charting/summary.xlsx",
    "outputs/charting/summary.md",
    "outputs/charting/gap-map.svg",
    "outputs/charting/gap-map.png",
    "outputs/charting/gap-map.csv",
    "outputs/prisma/prisma.json",
    "outputs/prisma/prisma.csv",
    "outputs/prisma/prisma.svg",
    "outputs/prisma/prisma.png",
    "outputs/prisma/prisma.pdf",
    "outputs/prisma/prisma.mmd",
    "outputs/report/prisma-scr.xlsx",
    "outputs/report/prisma-scr.md",
)
REPORT = "outputs/report.html"


@dataclass(frozen=True, slots=True)
class DemoFlow:
    """The PRISMA 2020 numbers the demo prints, read from ``outputs/prisma/prisma.json``
    (None where that file has no such number)."""

    identified: tuple[Mapping[str, str | int], ...]  # {"source", "kind", "branch", "n"}
    duplicates_automatic: int | None
    duplicates_manual: int | None
    records_screened: int | None
    records_excluded: int | None
    reports_assessed: int | None
    reports_excluded: int | None
    other_reports_assessed: int | None
    reports_included: int | None
    studies_included: int | None
    units_included: int | None  # the ``<level>s_included`` of the schema's further level
    unit: str = ""  # that level's name ("" when the schema has none)

    @classmethod
    def from_json(cls, flow: Mapping[str, Any], unit: str = "") -> DemoFlow:
        """From the ``flow`` object of prisma.json."""
        names = [f.name for f in fields(cls) if f.name not in ("identified", "unit")]
        keys = [f"{unit}s_included" if n == "units_included" else n for n in names]
        values = {
            n: None if k == "s_included" else flow.get(k) for n, k in zip(names, keys, strict=True)
        }
        return cls(identified=tuple(flow.get("identified", [])), unit=unit, **values)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"identified": list(self.identified)}
        for f in fields(self):
            if f.name in ("identified", "unit"):
                continue
            if f.name == "units_included":
                if self.unit:
                    out[f"{self.unit}s_included"] = self.units_included
                continue
            out[f.name] = getattr(self, f.name)
        return out


@dataclass(frozen=True, slots=True)
class DemoAgreement:
    """Agreement between the two reviewers at one stage (from ``review.screen.agreement``)."""

    records_screened_by_all: int
    agreements: int
    disagreements: int
    percent_agreement: float | None
    cohen_kappa: float | None
    kappa_ci95: tuple[float, float] | None
    unresolved: int

    def to_json(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["kappa_ci95"] = None if self.kappa_ci95 is None else list(self.kappa_ci95)
        return out


@dataclass(frozen=True, slots=True)
class DemoUnit:
    """A unit of the final charting's further level and how many included reports describe it."""

    id: str
    name: str
    detail: str  # the value(s) of the example's UNIT_DETAIL_FIELD, joined with "; "
    reports: int

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, UNIT_DETAIL_FIELD: self.detail,
                "reports": self.reports}  # fmt: skip


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What the demo produced: PRISMA flow, agreement per stage, units, output files."""

    project: str  # the demo folder
    flow: DemoFlow
    agreement: Mapping[str, DemoAgreement]  # stage -> agreement
    units: tuple[DemoUnit, ...]  # most reports first
    outputs: tuple[str, ...]  # the files of OUTPUTS that exist, relative to the project
    missing_outputs: tuple[str, ...]
    report: str | None  # REPORT when it was written
    unit: Level | None = None  # the schema's further level

    def to_json(self) -> dict[str, Any]:
        """The start of ``demo --json`` (the CLI adds run times and the steps)."""
        return {
            "project": self.project,
            "flow": self.flow.to_json(),
            "agreement": {stage: a.to_json() for stage, a in self.agreement.items()},
            **({f"{self.unit.name}s": [p.to_json() for p in self.units]} if self.unit else {}),
            "outputs": list(self.outputs),
            "missing_outputs": list(self.missing_outputs),
            "report": self.report,
        }


def summarise(project_dir: Path) -> DemoSummary:
    """What the demo produced: PRISMA flow, agreement per stage, units, output files."""
    import json

    project = Project.open(project_dir)
    prisma_path = project.root / "outputs" / "prisma" / "prisma.json"
    if not prisma_path.is_file():
        raise ReviewError(f"{prisma_path}: missing; the PRISMA step did not run.")
    prisma = json.loads(prisma_path.read_text(encoding="utf-8"))
    agreements: dict[str, DemoAgreement] = {}
    for stage in Stage:
        a = agreement(project, stage)
        agreements[stage] = DemoAgreement(
            records_screened_by_all=a.records_screened_by_all,
            agreements=a.stats.agreements,
            disagreements=a.stats.disagreements,
            percent_agreement=a.stats.percent_agreement,
            cohen_kappa=a.stats.cohen_kappa,
            kappa_ci95=a.stats.kappa_ci95,
            unresolved=a.unresolved,
        )
    outputs = tuple(p for p in OUTPUTS if (project.root / p).is_file())
    unit = project_schema(project).unit
    return DemoSummary(
        project=str(project.root),
        flow=DemoFlow.from_json(prisma.get("flow", {}), unit.name if unit else ""),
        agreement=agreements,
        units=_units(project) if unit else (),
        outputs=outputs,
        missing_outputs=tuple(p for p in OUTPUTS if p not in outputs),
        report=REPORT if (project.root / REPORT).is_file() else None,
        unit=unit,
    )


def _units(project: Project) -> tuple[DemoUnit, ...]:
    """The final charting's units with their number of reports, most reports first."""
    charting = final_charting(project)
    if charting is None:
        return ()
    reports_of: dict[str, int] = {}
    for progs in charting.report_units.values():
        for pid in progs:
            reports_of[pid] = reports_of.get(pid, 0) + 1
    units = []
    for pid, row in charting.units.items():
        detail = row.get(UNIT_DETAIL_FIELD) or []
        units.append(
            DemoUnit(
                id=pid,
                name=str(row.get("name") or pid),
                detail="; ".join(detail) if isinstance(detail, list) else str(detail),
                reports=reports_of.get(pid, 0),
            )
        )
    units.sort(key=lambda p: (-p.reports, p.name.casefold()))
    return tuple(units)
