"""Dual blind screening: decision logs, final status, agreement statistics, resolution.

Library API other stages call (see docs/CONTRACTS.md and docs/screening.md)::

    eligible(project, stage) -> list[cluster_id]
    final_decisions(project, stage) -> dict[cluster_id, FinalDecision]
    included_reports(project) -> list[cluster_id]
    agreement(project, stage) -> Agreement     # to_json(): `disagreements --json`
    status_summary(project) -> ScreeningStatus # "lines" for `status`

Light to import: no pandas, openpyxl or textual at module level.
"""

from review.screen.disagreements import agreement
from review.screen.final import FinalDecision, eligible, final_decisions, included_reports
from review.screen.summary import status_summary

__all__ = [
    "FinalDecision",
    "agreement",
    "eligible",
    "final_decisions",
    "included_reports",
    "status_summary",
]
