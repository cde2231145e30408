"""Charting: the extraction schema, Excel forms, validated import, dual charting and summaries.

Library API (pure where possible; the CLI in ``review/cli/chart_cmds.py`` is a thin skin):

- ``load_schema(path) -> Schema``: ``extraction_schema.yaml``, validated.
- ``build_template(schema, reports, reviewer) -> Workbook``; ``make_template(project, out, …)``.
- ``fill_template(template_path, values_by_record_id, programmes, out_path)``: a filled workbook
  from plain data (the example generator uses it).
- ``import_charting(project, workbook, reviewer) -> ImportResult``: validate and store a version.
- ``final_charting(project) -> Charting | None``; ``latest_chartings(project)``.
- ``summarise(schema, charting) -> Summary`` (pure); ``write_summary_outputs(project)``.
- ``compare(schema, chartings) -> Comparison`` (pure); ``write_compare_outputs(project)``.
- ``status_summary(project) -> dict`` for ``review status``.
"""

from __future__ import annotations

from pathlib import Path

from review.chart.compare import Comparison, compare
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
from review.project import Project


def project_summary(project: Project) -> Summary:
    """The summary of the project's final charting (ReviewError when there is none)."""
    charting = final_charting(project)
    if charting is None:
        latest = latest_chartings(project)
        if not latest:
            raise ReviewError(
                "no charting imported yet. Make the form with `review chart template -o FILE.xlsx`, "
                "fill it, then `review chart import FILE --reviewer NAME`."
            )
        raise ReviewError(
            f"{len(latest)} reviewers charted ({', '.join(sorted(latest))}) and there is no "
            "consensus yet: run `review chart compare`, agree, and import the agreed workbook "
            "with `review chart import FILE --reviewer consensus`."
        )
    return summarise(project_schema(project), charting)


def write_summary_outputs(project: Project) -> tuple[Summary, list[Path]]:
    """Write outputs/charting/summary.xlsx, summary.md, gap-map.svg/.png."""
    from review.chart.outputs import write_summary

    summary = project_summary(project)
    out_dir = project.outputs_dir / "charting"
    out_dir.mkdir(parents=True, exist_ok=True)
    return summary, write_summary(out_dir, summary, project.protocol.title)


def project_comparison(project: Project) -> Comparison:
    latest = {k: v for k, v in latest_chartings(project).items() if k != CONSENSUS}
    if len(latest) < 2:
        found = ", ".join(sorted(latest)) or "none"
        raise ReviewError(
            f"compare needs charting from at least two reviewers (found: {found}). Import each "
            "reviewer's workbook with `review chart import FILE --reviewer NAME`."
        )
    return compare(project_schema(project), latest)


def write_compare_outputs(project: Project) -> tuple[Comparison, list[Path]]:
    """Write outputs/charting/disagreements.xlsx and disagreements.csv."""
    from review.chart.outputs import write_comparison

    comparison = project_comparison(project)
    out_dir = project.outputs_dir / "charting"
    out_dir.mkdir(parents=True, exist_ok=True)
    return comparison, write_comparison(out_dir, comparison)


__all__ = [
    "CONSENSUS",
    "Charting",
    "Comparison",
    "Field",
    "ImportResult",
    "Schema",
    "Summary",
    "build_template",
    "compare",
    "fill_template",
    "final_charting",
    "import_charting",
    "latest_chartings",
    "load_schema",
    "make_template",
    "parse_schema",
    "project_comparison",
    "project_summary",
    "status_summary",
    "summarise",
    "write_compare_outputs",
    "write_summary_outputs",
]
