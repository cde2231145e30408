"""The pairs waiting for a person: ``outputs/dedup/maybe-pairs.csv`` as the last ``dedup``
wrote it, read back as typed rows for ``dedup review``, ``dedup export`` and ``explain``."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import TYPE_CHECKING

from review.dedup.outputs import maybe_path
from review.io.tables import long_fields
from review.io.xlsx import csv_unsafe

if TYPE_CHECKING:
    from review.project import Project


@dataclass(frozen=True, slots=True)
class QueuedPair:
    """A pair waiting for a person: from ``maybe-pairs.csv`` (similarity, rule and reasons as
    written there), or a pair reviewers gave conflicting verdicts on (``conflict`` says who said
    what)."""

    record_id_a: str
    record_id_b: str
    title_similarity: str = ""
    rule: str = ""
    reasons: str = ""
    conflict: str = ""

    @property
    def ids(self) -> tuple[str, str]:
        return self.record_id_a, self.record_id_b


def read_queue(project: Project) -> list[QueuedPair]:
    """The pairs waiting for a person, as written by the last run."""
    path = maybe_path(project)
    if not path.is_file():
        return []

    long_fields()  # titles over 131,072 characters
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [
            QueuedPair(
                *(csv_unsafe(row.get(k) or "") for k in ("record_id_a", "record_id_b")),
                *(csv_unsafe(row.get(k) or "") for k in ("title_similarity", "rule", "reasons")),
            )
            for row in csv.DictReader(fh)
        ]
