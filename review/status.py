"""`review status`: a summary assembled from each stage's own ``status_summary(project)``."""

from __future__ import annotations

import importlib
from typing import Any

from review.project import Project

# The stages that report on `review status`, each through its status_summary(project) -> dict
# (JSON-able; its "lines" are what the terminal shows). Imported when the command runs.
_STAGE_MODULES = (
    ("imports", "review.importer"),
    ("dedup", "review.dedup"),
    ("screening", "review.screen"),
    ("charting", "review.chart"),
)


def collect_status(project: Project) -> dict[str, Any]:
    out: dict[str, Any] = {"project": str(project.root), "title": project.protocol.title}
    for key, modname in _STAGE_MODULES:
        out[key] = importlib.import_module(modname).status_summary(project)
    return out


def render_status(summary: dict[str, Any], console: Any) -> None:
    from rich.markup import escape
    from rich.pretty import Pretty

    console.print(f"[bold]{escape(summary['title'])}[/bold]  ({escape(summary['project'])})")
    for key, _ in _STAGE_MODULES:
        if key in summary:
            section = summary[key]
            lines = section.get("lines") if isinstance(section, dict) else None
            console.print(f"\n[bold underline]{key.capitalize()}[/bold underline]")
            if lines:
                for line in lines:
                    console.print(escape(line))
            else:
                console.print(Pretty(section))
