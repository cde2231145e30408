"""Plain data for a charting: what one reviewer (or the consensus) recorded.

Values are normalised: single choice, country, yes/no and text as ``str``; integer as ``int``;
number as ``float`` (``int`` when whole); date as ISO ``YYYY-MM-DD``; multiple choice and programme
links as ``list[str]`` (multiple choice in schema order). Blank cells are absent keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FORMAT = "review-charting/1"


@dataclass(slots=True)
class Charting:
    """One charting: report rows, programme rows and the report -> programme links."""

    reports: dict[str, dict[str, Any]] = field(default_factory=dict)
    programmes: dict[str, dict[str, Any]] = field(default_factory=dict)
    report_programmes: dict[str, list[str]] = field(default_factory=dict)
    reviewer: str = ""
    imported_at: str = ""
    path: str = ""  # the stored version file, relative to the project root
    citations: dict[str, str] = field(default_factory=dict)  # record_id -> citation shown

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "reviewer": self.reviewer,
            "imported_at": self.imported_at,
            "reports": self.reports,
            "programmes": self.programmes,
            "report_programmes": self.report_programmes,
            "citations": self.citations,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], path: str = "") -> Charting:
        return cls(
            reports={str(k): dict(v) for k, v in (data.get("reports") or {}).items()},
            programmes={str(k): dict(v) for k, v in (data.get("programmes") or {}).items()},
            report_programmes={
                str(k): [str(p) for p in v]
                for k, v in (data.get("report_programmes") or {}).items()
            },
            reviewer=str(data.get("reviewer", "")),
            imported_at=str(data.get("imported_at", "")),
            path=path,
            citations={str(k): str(v) for k, v in (data.get("citations") or {}).items()},
        )
