"""Charting on disk: ``data/charting/<reviewer-slug>/<timestamp>-<sha8>.json``.

Every import writes a new version file (never overwritten); a reviewer's latest version counts.
The final charting is the latest version of the reviewer ``consensus``, or — when only one
person charted — that person's latest version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from review import __version__, screen
from review.chart.model import Charting
from review.chart.schema import Level, Schema, load_schema
from review.errors import ProjectError, ReviewError
from review.io.files import atomic_write_json, command_text, now_iso
from review.io.lock import writer_lock
from review.io.logline import bad_time
from review.nextstep import Action, step
from review.people import check_roster, clean_name, own_path
from review.project import Project

CONSENSUS = "consensus"


def charting_dir(project: Project) -> Path:
    return project.data_dir / "charting"


def project_schema(project: Project) -> Schema:
    return load_schema(project.schema_path)


def versions(project: Project, reviewer_slug: str) -> list[Path]:
    """A reviewer's version files, oldest first."""
    folder = charting_dir(project) / reviewer_slug
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.json") if not p.name.startswith("."))


def _folder_owner(folder: Path) -> str | None:
    """The reviewer named in a charting folder's latest version (None when it has none)."""
    files = sorted(p for p in folder.glob("*.json") if not p.name.startswith("."))
    if not files:
        return None
    try:
        who = json.loads(files[-1].read_text(encoding="utf-8")).get("reviewer")
    except (OSError, ValueError, AttributeError):
        return None
    return who.strip() if isinstance(who, str) else None


def reviewer_folder(project: Project, reviewer: str) -> Path:
    """``data/charting/<file id>/`` of ``reviewer``; ReviewError when another name owns it."""
    return own_path(charting_dir(project), reviewer, "", _folder_owner, "--reviewer", project.rel)


def unit_name(project: Project) -> str:
    """The name of the schema's further level ("" when it charts reports only)."""
    unit = project_schema(project).unit
    return unit.name if unit else ""


def _load(project: Project, path: Path, unit: str) -> Charting:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ProjectError(
            f"{project.rel(path)}: unreadable charting file ({exc}). Restore it from git or "
            "delete it and import the workbook again."
        ) from None
    bad = _version_problem(data, unit)
    if bad:
        raise ProjectError(
            f"{project.rel(path)}: damaged charting file ({bad}). Restore it from git or delete "
            "it and import the workbook again."
        )
    return Charting.from_json(data, path=project.rel(path), unit=unit)


def _version_problem(data: Any, unit: str) -> str | None:
    """What is wrong with the shape of a charting version file (issue 21), or None."""
    if not isinstance(data, dict):
        return "not a JSON object"
    kinds = {"reports": dict, "citations": str}
    if unit:
        kinds.update({f"{unit}s": dict, f"report_{unit}s": list})
    for key, inner in kinds.items():
        value = data.get(key) or {}
        if not isinstance(value, dict):
            return f"{key} is not an object"
        if not all(isinstance(v, inner) for v in value.values()):
            return f"a value of {key} has the wrong type"
    if not isinstance(data.get("reviewer", ""), str):
        return "reviewer is not text"
    return bad_time(data["at"]) if "at" in data else None  # versions are ordered by file name


def latest_chartings(project: Project, unit: str | None = None) -> dict[str, Charting]:
    """reviewer slug -> that reviewer's latest charting, sorted by slug (``unit``: the schema's
    further level, read from the schema when not given)."""
    out: dict[str, Charting] = {}
    root = charting_dir(project)
    if not root.is_dir():
        return out
    folders = sorted(p for p in root.iterdir() if p.is_dir())
    if unit is None and folders:
        unit = unit_name(project)
    for folder in folders:
        files = versions(project, folder.name)
        if files:
            out[folder.name] = _load(project, files[-1], unit or "")
    return out


def final_charting(project: Project, unit: str | None = None) -> Charting | None:
    """The final charting: consensus if imported, else the only reviewer's; None otherwise."""
    latest = latest_chartings(project, unit)
    if CONSENSUS in latest:
        return latest[CONSENSUS]
    if len(latest) == 1:
        return next(iter(latest.values()))
    return None


def included_ids(project: Project) -> list[str]:
    """The included reports (final full-text include), via review.screen."""
    return list(screen.included_reports(project))


def _resolver(project: Project, included: set[str]) -> Any:
    """Map a record id to the included cluster it belongs to (dedup may have been re-run)."""
    try:
        from review.dedup import load_clusters

        clusters = load_clusters(project)
    except (ImportError, ReviewError):
        return None

    def resolve(rid: str) -> str:
        if rid in included:
            return rid
        return clusters.cluster_of.get(rid, rid)

    return resolve


def template_reports(project: Project) -> list[tuple[str, str]]:
    """(record_id, citation) of every included report, sorted by citation."""
    from review.dedup.fusion import fused_record_index

    ids = included_ids(project)
    index = fused_record_index(project)  # a merged cluster: the best of its copies
    rows = []
    for rid in ids:
        rec = index.get(rid)
        rows.append((rid, rec.citation() if rec is not None else rid))
    rows.sort(key=lambda t: (t[1].casefold(), t[0]))
    return rows


def report_studies(project: Project, ids: list[str]) -> dict[str, str]:
    """Included report -> its study (the first of its reports' ids) when dedup's related reports
    (outputs/dedup/related.csv) join two or more of ``ids`` into one study; else empty."""
    from review.dedup.related import load_related

    related = load_related(project)
    by_study: dict[str, list[str]] = {}
    for rid in ids:
        by_study.setdefault(related.study(rid), []).append(rid)
    if all(len(v) == 1 for v in by_study.values()):
        return {}
    return {rid: min(v) for v in by_study.values() for rid in v}


def make_template(project: Project, out: Path, reviewer: str = "", progress: Any = None) -> int:
    """Write the charting template for the included reports; return the number of reports."""
    from review.chart.template import build_template, save_workbook

    schema = project_schema(project)
    reports = template_reports(project)
    if not reports:
        raise ReviewError(
            (
                "no included reports yet: charting starts after full-text screening. Record the "
                "full-text decisions (and resolve disagreements) first; ",
                step(Action.STATUS),
                " shows progress.",
            )
        )
    studies = report_studies(project, [rid for rid, _ in reports])
    if studies:  # the reports of one study next to each other
        first: dict[str, tuple[str, str]] = {}
        for rid, cite in reports:
            first.setdefault(studies[rid], (cite.casefold(), rid))
        reports.sort(key=lambda t: (first[studies[t[0]]], t[1].casefold(), t[0]))
    wb = build_template(
        schema,
        reports,
        reviewer=reviewer,
        progress=progress,
        project_id=project.project_id,
        studies=studies,
    )
    save_workbook(wb, out)
    return len(reports)


@dataclass(frozen=True, slots=True)
class ImportResult:
    reviewer: str
    path: str  # version file, relative to the project
    reports_charted: int
    reports_included: int
    units: int  # units of the schema's further level (0 when it has none)
    unchanged: bool  # the same workbook was already this reviewer's latest version
    unit: Level | None = None  # the schema's further level (None when reports only)


def import_charting(
    project: Project,
    workbook: Path,
    reviewer: str,
    from_other_reviewer: bool = False,
    from_other_project: bool = False,
) -> ImportResult:
    """Validate a filled workbook and store it as the reviewer's new charting version.

    A form made for another reviewer or in another project is refused unless
    ``from_other_reviewer`` / ``from_other_project``.
    """
    from review.chart.importer import read_charting

    reviewer = clean_name(reviewer, "--reviewer")
    check_roster(project.protocol, reviewer, "charting")
    folder = reviewer_folder(project, reviewer)
    workbook = Path(workbook)
    if not workbook.is_file():
        raise ReviewError(f"{workbook}: no such file.")
    schema = project_schema(project)
    included = set(included_ids(project))
    charting = read_charting(
        workbook,
        schema,
        included,
        _resolver(project, included),
        reviewer=reviewer,
        project_id=project.project_id,
        from_other_reviewer=from_other_reviewer,
        from_other_project=from_other_project,
    )

    sha = hashlib.sha256(workbook.read_bytes()).hexdigest()
    # "already imported?" and the write are one step: two imports of one workbook at once
    # write one version, the second sees it (issue 21).
    with writer_lock(folder, reviewer, command_text()):
        return _save_version(
            project, folder, workbook, reviewer, charting, sha, schema, len(included)
        )


def _save_version(
    project: Project,
    folder: Path,
    workbook: Path,
    reviewer: str,
    charting: Charting,
    sha: str,
    schema: Schema,
    n_included: int,
) -> ImportResult:
    slug = folder.name
    previous = versions(project, slug)
    if previous and previous[-1].stem.endswith(sha[:8]):
        return ImportResult(
            reviewer,
            project.rel(previous[-1]),
            len(charting.reports),
            n_included,
            len(charting.units),
            unchanged=True,
            unit=schema.unit,
        )
    at = now_iso()
    stamp = at.replace("-", "").replace(":", "").replace(".", "")  # 20261123T105619123456Z
    path = charting_dir(project) / slug / f"{stamp}-{sha[:8]}.json"
    n = 2
    while path.exists():
        path = charting_dir(project) / slug / f"{stamp}-{sha[:8]}-{n}.json"
        n += 1
    charting.reviewer = reviewer
    charting.imported_at = at
    data = charting.to_json(schema.unit.name if schema.unit else "")
    data.update(
        {
            "at": at,
            "tool_version": __version__,
            "workbook": workbook.name,
            "workbook_sha256": sha,
            "schema_sha256": schema.sha256,
        }
    )
    atomic_write_json(path, data)
    return ImportResult(
        reviewer,
        project.rel(path),
        len(charting.reports),
        n_included,
        len(charting.units),
        unchanged=False,
        unit=schema.unit,
    )


@dataclass(frozen=True, slots=True)
class ReviewerCharting:
    """A reviewer's latest charting on the project status."""

    reports_charted: int
    units: int
    version: str  # the version file, relative to the project root
    unit: str = ""  # the schema's further level ("" when reports only)

    def to_json(self) -> dict[str, Any]:
        units = {f"{self.unit}s": self.units} if self.unit else {}
        return {"reports_charted": self.reports_charted, **units, "version": self.version}


@dataclass(frozen=True, slots=True)
class ChartingStatus:
    """Charting on the project status: reports to chart, each reviewer's latest charting and whose
    charting is final (the CLI words it)."""

    included_reports: int | None  # None while full-text screening cannot say
    reviewers: Mapping[str, ReviewerCharting]  # reviewer -> their latest charting
    final: str | None  # the reviewer of the final charting; None when there is none yet
    unit: Level | None = None  # the schema's further level (None: reports only, or no schema)

    def to_json(self) -> dict[str, Any]:
        """The ``charting`` object of the project status as JSON."""
        return {
            "included_reports": self.included_reports,
            "reviewers": {name: r.to_json() for name, r in self.reviewers.items()},
            "final": self.final,
        }


def status_summary(project: Project) -> ChartingStatus:
    """Charting progress for the project status."""
    try:
        unit = project_schema(project).unit
    except ReviewError:
        unit = None  # a broken schema: the charting commands say what is wrong
    latest = latest_chartings(project, unit.name if unit else "")
    try:
        n_included: int | None = len(included_ids(project))
    except (ReviewError, ImportError):
        n_included = None
    reviewers = {
        c.reviewer or slug: ReviewerCharting(
            len(c.reports), len(c.units), c.path, unit.name if unit else ""
        )
        for slug, c in latest.items()
    }
    final = final_charting(project, unit.name if unit else "")
    return ChartingStatus(
        included_reports=n_included,
        reviewers=reviewers,
        final=final.reviewer if final is not None else None,
        unit=unit,
    )
