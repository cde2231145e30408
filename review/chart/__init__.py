"""Charting: the extraction schema, Excel forms, validated import, dual charting and summaries.

Library API (pure where possible; the CLI in ``review/cli/chart_cmds.py`` is a thin skin):

- ``load_schema(path) -> Schema``: ``extraction_schema.yaml``, validated.
- ``build_template(schema, reports, reviewer) -> Workbook``; ``make_template(project, out, …)``.
- ``fill_template(template_path, values_by_record_id, units, out_path)``: a filled workbook
  from plain data (the example generator uses it).
- ``import_charting(project, workbook, reviewer) -> ImportResult``: validate and store a version.
- ``final_charting(project) -> Charting | None``; ``latest_chartings(project)``.
- ``summarise(schema, charting) -> Summary`` (pure); ``write_summary_outputs(project)``.
- ``compare(schema, chartings) -> Comparison`` (pure); ``write_compare_outputs(project)``.
- ``plan_consensus(schema, reports, chartings) -> ConsensusPlan`` (pure);
  ``write_consensus_outputs(project, out)``: the consensus workbook (agreeing cells pre-filled).
- ``agreement_stats(schema, chartings)``: percent agreement and κ per field (agreement.csv).
- ``status_summary(project) -> ChartingStatus`` for the project status.
"""

from __future__ import annotations

from pathlib import Path

from review.chart.agreement import FieldStats, agreement_stats
from review.chart.compare import Comparison, compare
from review.chart.consensus import ConsensusPlan, plan_consensus
from review.chart.model import Charting
from review.chart.schema import Field, Schema, load_schema, parse_schema
from review.chart.store import (
    CONSENSUS,
    ImportResult,
    final_charting,
    import_charting,
    latest_chartings,
    make_template,
    project_schema,
    status_summary,
)
from review.chart.summary import Summary, summarise
from review.chart.template import build_template, fill_template
from review.errors import ReviewError
from review.io.files import atomic_write_text
from review.nextstep import Action, step
from review.project import Project

NEXT_CONSENSUS = (
    step(Action.CHART_CONSENSUS, output="charting-consensus.xlsx"),
    " (agreeing cells pre-filled, differences highlighted), decide the highlighted cells, then ",
    step(Action.CHART_IMPORT, file="charting-consensus.xlsx", reviewer="consensus"),
    ".",
)


def project_summary(project: Project) -> Summary:
    """The summary of the project's final charting (ReviewError when there is none)."""
    charting = final_charting(project)
    if charting is None:
        latest = latest_chartings(project)
        if not latest:
            raise ReviewError(
                (
                    "no charting imported yet. Make the form with ",
                    step(Action.CHART_TEMPLATE, output="FILE.xlsx"),
                    ", fill it, then ",
                    step(Action.CHART_IMPORT, file="FILE", reviewer="NAME"),
                    ".",
                )
            )
        raise ReviewError(
            (
                f"{len(latest)} reviewers charted ({', '.join(sorted(latest))}) and there is no "
                "consensus yet. Next: ",
                *NEXT_CONSENSUS,
            )
        )
    return summarise(project_schema(project), charting)


def write_summary_outputs(project: Project) -> tuple[Summary, list[Path]]:
    """Write outputs/charting/summary.xlsx, summary.md, gap-map.svg/.png."""
    from review.chart.outputs import write_summary

    summary = project_summary(project)
    out_dir = project.outputs_dir / "charting"
    out_dir.mkdir(parents=True, exist_ok=True)
    return summary, write_summary(out_dir, summary, project.protocol.title)


def charters(project: Project, command: str = "compare") -> dict[str, Charting]:
    """The charting reviewers' latest chartings (consensus excluded); at least two."""
    latest = {k: v for k, v in latest_chartings(project).items() if k != CONSENSUS}
    if len(latest) < 2:
        found = ", ".join(sorted(latest)) or "none"
        raise ReviewError(
            (
                f"{command} needs charting from at least two reviewers (found: {found}). Import "
                "each reviewer's workbook with ",
                step(Action.CHART_IMPORT, file="FILE", reviewer="NAME"),
                ".",
            )
        )
    return latest


def project_comparison(project: Project) -> Comparison:
    return compare(project_schema(project), charters(project))


def write_agreement(project: Project, stats: list[FieldStats]) -> Path:
    """Write outputs/charting/agreement.csv (percent agreement and κ per field)."""
    from review.chart.agreement import agreement_csv

    path = project.outputs_dir / "charting" / "agreement.csv"
    atomic_write_text(path, agreement_csv(stats))
    return path


def write_compare_outputs(project: Project) -> tuple[Comparison, list[Path]]:
    """Write outputs/charting/disagreements.xlsx, disagreements.csv and agreement.csv."""
    from review.chart.outputs import write_comparison

    schema = project_schema(project)
    latest = charters(project)
    comparison = compare(schema, latest)
    out_dir = project.outputs_dir / "charting"
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = write_comparison(out_dir, comparison)
    paths.append(write_agreement(project, agreement_stats(schema, latest)))
    return comparison, paths


def project_consensus(project: Project) -> ConsensusPlan:
    """The consensus plan for the project's included reports and its charters' latest chartings."""
    from review.chart.store import _resolver, included_ids, template_reports

    latest = charters(project, "consensus")
    reports = template_reports(project)
    resolve = _resolver(project, set(included_ids(project)))
    if resolve is not None:  # dedup may have been re-run since a charting was imported
        for c in latest.values():
            c.reports = {resolve(rid): v for rid, v in c.reports.items()}
    return plan_consensus(project_schema(project), reports, latest)


def write_consensus_outputs(project: Project, out: Path) -> tuple[ConsensusPlan, list[Path]]:
    """Write the consensus workbook ``out`` and outputs/charting/agreement.csv."""
    from review.chart.consensus import write_consensus

    plan = project_consensus(project)
    if not plan.reports:
        raise ReviewError(
            (
                "no included reports: the consensus form has one row per included report. Record "
                "the full-text decisions first; ",
                step(Action.STATUS),
                " shows progress.",
            )
        )
    write_consensus(project_schema(project), plan, out)
    return plan, [Path(out), write_agreement(project, plan.agreement)]


__all__ = [
    "CONSENSUS",
    "NEXT_CONSENSUS",
    "Charting",
    "Comparison",
    "ConsensusPlan",
    "Field",
    "FieldStats",
    "ImportResult",
    "Schema",
    "Summary",
    "agreement_stats",
    "build_template",
    "charters",
    "compare",
    "fill_template",
    "final_charting",
    "import_charting",
    "latest_chartings",
    "load_schema",
    "make_template",
    "parse_schema",
    "plan_consensus",
    "project_comparison",
    "project_consensus",
    "project_summary",
    "status_summary",
    "summarise",
    "write_agreement",
    "write_compare_outputs",
    "write_consensus_outputs",
    "write_summary_outputs",
]
