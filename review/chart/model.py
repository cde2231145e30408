"""Plain data for a charting: what one reviewer (or the consensus) recorded.

Values are normalised: single choice, country, yes/no and text as ``str``; integer as ``int``;
number as ``float`` (``int`` when whole); date as ISO ``YYYY-MM-DD``; multiple choice and links
as ``list[str]`` (multiple choice in schema order). Blank cells are absent keys.

The units of the schema's further level (``levels:``) are stored under the keys ``<level>s`` and
``report_<level>s`` (``sites``, ``report_sites``), the level's name in the schema; a schema of
reports only has neither.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FORMAT = "review-charting/1"


@dataclass(slots=True)
class Charting:
    """One charting: report rows, unit rows (the schema's further level) and the report -> unit
    links."""

    reports: dict[str, dict[str, Any]] = field(default_factory=dict)
    units: dict[str, dict[str, Any]] = field(default_factory=dict)
    report_units: dict[str, list[str]] = field(default_factory=dict)
    reviewer: str = ""
    imported_at: str = ""
    path: str = ""  # the stored version file, relative to the project root
    citations: dict[str, str] = field(default_factory=dict)  # record_id -> citation shown

    def to_json(self, unit: str = "") -> dict[str, Any]:
        """The stored form; ``unit``: the schema's further level ("" when reports only)."""
        units = {f"{unit}s": self.units, f"report_{unit}s": self.report_units} if unit else {}
        return {
            "format": FORMAT,
            "reviewer": self.reviewer,
            "imported_at": self.imported_at,
            "reports": self.reports,
            **units,
            "citations": self.citations,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], path: str = "", unit: str = "") -> Charting:
        units = (data.get(f"{unit}s") or {}) if unit else {}
        links = (data.get(f"report_{unit}s") or {}) if unit else {}
        return cls(
            reports={str(k): dict(v) for k, v in (data.get("reports") or {}).items()},
            units={str(k): dict(v) for k, v in units.items()},
            report_units={str(k): [str(p) for p in v] for k, v in links.items()},
            reviewer=str(data.get("reviewer", "")),
            imported_at=str(data.get("imported_at", "")),
            path=path,
            citations={str(k): str(v) for k, v in (data.get("citations") or {}).items()},
        )
