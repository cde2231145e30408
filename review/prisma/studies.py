"""PRISMA 2020 "studies included": the included reports grouped into studies.

By the charting schema's further level when charting links reports to its units; else by dedup's
related reports (an erratum, a conference abstract, a version … linked to its article in
outputs/dedup/related.csv) when they join included reports; else one study per report.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from review.prisma.facts import Member, units_key

if TYPE_CHECKING:
    from review.prisma.steps import Tally


def studies(tally: Tally) -> int | None:
    """Studies included: the units of the charting schema's further level (with unlinked
    reports as their own study) when charting links reports to units, else one study per
    report. Returns the unit count (None without links)."""
    inp, members = tally.inp, tally.members
    unit = inp.unit
    included_ids = [m.id for m in members["reports_included"]]
    units: dict[str, list[str]] = {}
    unlinked: list[str] = []
    if inp.report_units is not None and unit is not None:
        for rid in included_ids:
            links = tuple(dict.fromkeys(inp.report_units.get(rid, ())))
            if not links:
                unlinked.append(rid)
            for pid in links:
                units.setdefault(pid, []).append(rid)
    if not units or unit is None:
        if len(_by_study(included_ids, inp.study_of)) < len(included_ids):
            # Dedup linked included reports of one study (related reports): count studies.
            members["studies_included"] = _related_studies(included_ids, inp.study_of)
            return None
        what = f"no {unit.singular} links" if unit else "no links"
        members["studies_included"] = [
            Member(m.id, f"included report ({what}: one report, one study)")
            for m in members["reports_included"]
        ]
        return None
    key = units_key(unit)
    members[key] = [
        Member(pid, _unit_why(unit.singular, pid, rids, inp.unit_names))
        for pid, rids in sorted(units.items())
    ]
    members["studies_included"] = members[key] + [
        Member(r, f"included report linked to no {unit.singular}: counted as its own study")
        for r in unlinked
    ]
    return len(units)


def _by_study(ids: list[str], study_of: Mapping[str, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for rid in ids:
        out.setdefault(study_of.get(rid, rid), []).append(rid)
    return out


def _related_studies(ids: list[str], study_of: Mapping[str, str]) -> list[Member]:
    """One member per study the included reports belong to, by dedup's related reports (an
    erratum, a conference abstract, a version … linked to its article: one study)."""
    return [
        Member(
            rids[0],
            f"study of {len(rids)} included reports linked as related reports: {', '.join(rids)}"
            if len(rids) > 1
            else "included report (no related report included: one report, one study)",
        )
        for _, rids in sorted(_by_study(ids, study_of).items())
    ]


def _unit_why(word: str, pid: str, rids: list[str], names: Mapping[str, str]) -> str:
    name = names.get(pid, "")
    label = f"{word} {name!r}" if name else word
    return f"{label} described by {len(rids)} included report(s): {', '.join(rids)}"
