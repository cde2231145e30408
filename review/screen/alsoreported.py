""" "Also reported as …": the other reports of the same study as the record on screen.

Related reports (an erratum, a conference abstract, a preprint, a registration … of the same
study; ``outputs/dedup/related.csv``, docs/dedup.md "Related reports") are never removed as
duplicates, so each is screened on its own. The screener shows them together: beside the record,
each other report of its study with the relation and a short citation. Data only; the TUI and the
line UI format it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from review.dedup.related import Related
    from review.project import Project
    from review.screen.cache import RecordStore


@dataclass(frozen=True, slots=True)
class AlsoReportedAs:
    """Another report of the same study as the record on screen."""

    cluster_id: str
    relation: str  # conference-abstract | erratum | comment-reply | version | registration | …
    status: str  # auto | confirmed (linked) or queued (a person has not said yet)
    citation: str  # "First author (year) Title"

    @property
    def text(self) -> str:
        """One line: ``erratum: Smith (2019) Erratum: … [3f9c1a2b-4]`` (``?`` when queued)."""
        mark = "?" if self.status == "queued" else ""
        return f"{self.relation}{mark}: {self.citation} [{self.cluster_id}]"


def load_related_reports(project: Project, cluster_of: Mapping[str, str]) -> Related:
    """The related links of the last dedup run over the screener's clusters (none before)."""
    from review.dedup.related import EMPTY, group_studies, read_related, related_path

    links = read_related(related_path(project))
    return group_studies(links, cluster_of) if links else EMPTY


def also_reported(
    related: Related, cluster_id: str, records: RecordStore
) -> tuple[AlsoReportedAs, ...]:
    """The other reports of ``cluster_id``'s study (and those queued as possibly so)."""
    out = []
    for other in related.also.get(cluster_id, ()):
        rec = records.get(other.cluster_id)
        if rec is None:
            continue
        first = rec.authors[0].split(",")[0].strip() if rec.authors else "Anon."
        year = rec.year if rec.year is not None else "n.d."
        title = rec.title if len(rec.title) <= 90 else rec.title[:89] + "…"
        citation = f"{first} ({year}) {title}"
        out.append(AlsoReportedAs(other.cluster_id, other.relation, other.status, citation))
    return tuple(out)
