"""The review report: one self-contained HTML page and the PRISMA-ScR checklist. See docs/report.md.

- :mod:`review.report.data` — :func:`collect` reads the project into plain data.
- :mod:`review.report.svg` — the PRISMA diagram, gap map and overlap figure as inline SVG.
- :mod:`review.report.html` — :func:`render` fills the Jinja2 template (inline CSS and JS).
- :mod:`review.report.checklist` — the PRISMA-ScR checklist with where each item is addressed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from review.io.files import atomic_write_text
from review.nextstep import Render

if TYPE_CHECKING:
    from review.project import Project

DEFAULT_OUTPUT = Path("outputs") / "report.html"


def build_report(project: Project, command: Render = str) -> str:
    """The report's HTML for the project's current state (``command`` spells the next steps
    it names: the CLI passes its command table's)."""
    from review.report.data import collect
    from review.report.html import render

    return render(collect(project, command))


def write_report(project: Project, output: Path | None = None, command: Render = str) -> Path:
    """Write the report (atomically) to ``output`` (default outputs/report.html)."""
    path = Path(output) if output is not None else project.root / DEFAULT_OUTPUT
    atomic_write_text(path, build_report(project, command))
    return path
