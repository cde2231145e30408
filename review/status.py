"""The project status: a summary assembled from each stage's own ``status_summary(project)``.

Each stage's status is data (counts, names, problems found in the logs), never sentences: the
CLI words it (``review/cli/status_view.py``), a notebook may show ``to_json()``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from review.chart import status_summary as charting
from review.importer import status_summary as imports
from review.screen import status_summary as screening
from review.screen.cache import no_gc

if TYPE_CHECKING:
    from review.chart.store import ChartingStatus
    from review.dedup.status import DedupStatus
    from review.importer import ImportStatus
    from review.project import Project
    from review.screen.summary import ScreeningStatus


class StageSummary(Protocol):
    """What every stage's ``status_summary(project)`` returns (a frozen dataclass)."""

    def to_json(self) -> dict[str, Any]:
        """The stage's object in the status JSON."""
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
        """``(key, stage status)`` in the order the status shows them."""
        return (
            ("imports", self.imports),
            ("dedup", self.dedup),
            ("screening", self.screening),
            ("charting", self.charting),
        )

    def to_json(self) -> dict[str, Any]:
        """The status as one JSON object (next steps without a front end's spelling)."""
        out: dict[str, Any] = {"project": self.project, "title": self.title}
        out.update((key, section.to_json()) for key, section in self.sections())
        return out


@no_gc  # 100k records: millions of small objects, no cycles (screen/cache.py)
def collect_status(project: Project) -> ProjectStatus:
    """Every stage's ``status_summary(project)`` (the stage modules load when the command runs)."""
    from review.dedup import status_summary as dedup

    return ProjectStatus(
        project=str(project.root),
        title=project.protocol.title,
        imports=imports(project),
        dedup=dedup(project),
        screening=screening(project),
        charting=charting(project),
    )
