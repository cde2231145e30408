"""`review status`: a summary assembled from each stage's own ``status_summary(project)``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from review.screen.cache import no_gc

if TYPE_CHECKING:
    from review.chart.store import ChartingStatus
    from review.dedup.run import DedupStatus
    from review.importer import ImportStatus
    from review.project import Project
    from review.screen.summary import ScreeningStatus


class StageSummary(Protocol):
    """What every stage's ``status_summary(project)`` returns (a frozen dataclass)."""

    @property
    def lines(self) -> tuple[str, ...]:
        """What the terminal shows."""
        ...

    def to_json(self) -> dict[str, Any]:
        """The stage's object in ``review status --json``."""
        ...


@dataclass(frozen=True, slots=True)
class ProjectStatus:
    """Where the review stands: each stage's own status summary."""

    project: str  # the project folder
    title: str
    imports: ImportStatus
    dedup: DedupStatus
    screening: ScreeningStatus
    charting: ChartingStatus

    def sections(self) -> tuple[tuple[str, StageSummary], ...]:
        """``(key, stage status)`` in the order `review status` shows them."""
        return (
            ("imports", self.imports),
            ("dedup", self.dedup),
            ("screening", self.screening),
            ("charting", self.charting),
        )

    def to_json(self) -> dict[str, Any]:
        """The ``review status --json`` object."""
        out: dict[str, Any] = {"project": self.project, "title": self.title}
        out.update((key, section.to_json()) for key, section in self.sections())
        return out


@no_gc  # 100k records: millions of small objects, no cycles (screen/cache.py)
def collect_status(project: Project) -> ProjectStatus:
    """Every stage's ``status_summary(project)`` (the stage modules load when the command runs)."""
    from review.chart import status_summary as charting
    from review.dedup import status_summary as dedup
    from review.importer import status_summary as imports
    from review.screen import status_summary as screening

    return ProjectStatus(
        project=str(project.root),
        title=project.protocol.title,
        imports=imports(project),
        dedup=dedup(project),
        screening=screening(project),
        charting=charting(project),
    )


def render_status(summary: ProjectStatus, console: Any) -> None:
    from rich.markup import escape
    from rich.pretty import Pretty

    console.print(f"[bold]{escape(summary.title)}[/bold]  ({escape(summary.project)})")
    for key, section in summary.sections():
        console.print(f"\n[bold underline]{key.capitalize()}[/bold underline]")
        if section.lines:
            for line in section.lines:
                console.print(escape(line))
        else:
            console.print(Pretty(section.to_json()))
