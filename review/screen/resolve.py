"""Resolving disagreements: the resolver's final decision, reason and rationale, append-only.

The protocol's ``resolution`` says who resolves: ``consensus`` (the reviewers together; any
name may record the agreed outcome) or ``third-reviewer`` (someone who did not screen the
record: a reviewer cannot resolve a disagreement they are part of).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from review.errors import ReviewError
from review.io.files import JsonlAppender
from review.io.sheetmeta import check_meta
from review.io.tables import read_table
from review.model import Decision, ResolutionMethod, Stage, Via
from review.nextstep import Action, step
from review.people import check_roster, clean_name
from review.screen.cache import cluster_index
from review.screen.disagreements import disagreement_rows
from review.screen.final import final_from_state, stage_state
from review.screen.finished import Guard
from review.screen.logs import (
    OwnLog,
    parse_reason,  # noqa: F401 - where callers have found it
    resolve_line,
    resolver_log_path,
    validate_decision,
)
from review.screen.sheetcheck import SheetCheck

if TYPE_CHECKING:
    from review.project import Project
    from review.screen.disagreements import DisagreementRow


@dataclass(frozen=True, slots=True)
class ResolveImport:
    imported: int
    unchanged: int
    blank: int
    note: str = ""  # how the file's encoding was inferred, when not certain (tables.Table.note)


def disagreements_to_resolve(
    project: Project, stage: Stage, resolver: str, include_resolved: bool = False
) -> list[DisagreementRow]:
    """Records on which the reviewers disagree and that this resolver may resolve.

    In third-reviewer mode a resolver who screened the record is refused (ReviewError when
    that leaves every open disagreement out).
    """
    project.protocol.stage(stage)
    clusters = cluster_index(project)
    state = stage_state(project, stage, clusters)
    rows = disagreement_rows(project, state, clusters)
    if not include_resolved:
        # include vs maybe that goes on needs no arbiter (it may still be resolved by import)
        final = final_from_state(state)
        rows = [r for r in rows if r.resolution is None and final[r.record_id].via == Via.CONFLICT]
    if project.protocol.resolution == ResolutionMethod.THIRD_REVIEWER:
        mine = [r for r in rows if any(d.reviewer == resolver for d in r.decisions)]
        rows = [r for r in rows if not any(d.reviewer == resolver for d in r.decisions)]
        if mine and not rows:
            raise ReviewError(
                (
                    f"The protocol asks for a third reviewer, and {resolver} screened all "
                    f"{len(mine)} open disagreements. Ask someone else to run ",
                    step(Action.RESOLVE),
                    ".",
                )
            )
    return rows


class ResolutionLog(OwnLog):
    """A resolver's own log, opened for appending (fsync'd per line)."""

    def __init__(self, project: Project, resolver: str) -> None:
        self.project = project
        self.resolver = clean_name(resolver, "--resolver")
        check_roster(project.protocol, self.resolver, "resolving")
        self._app = JsonlAppender(resolver_log_path(project, self.resolver))

    def resolve(
        self,
        record_id: str,
        stage: Stage,
        decision: Decision,
        reason: str = "",
        rationale: str = "",
    ) -> dict[str, Any]:
        """Append a resolution line to the resolver's log; return the line as written."""
        problem = validate_decision(self.project.protocol, stage, decision, reason)
        if problem:
            raise ReviewError(f"Record {record_id}: {problem}.")
        if self.project.protocol.stage(stage).locked:
            clusters = cluster_index(self.project)
            cid = clusters.cluster_of.get(record_id, record_id)
            lock = Guard(self.project, stage, self.resolver, clusters).locked_undo(cid)
            if lock is not None:
                raise ReviewError(lock.sentence())
        line = resolve_line(self.resolver, record_id, stage, decision, reason, rationale)
        self._app.append(line)
        return line


# The tool's own disagreements sheet (outputs/screening/<stage>-disagreements.xlsx/.csv) names
# the columns to fill "resolution" and "resolution reason"; it imports as it is.
SHEET_ALIASES = {"resolution": "decision", "resolution reason": "reason"}


def import_resolutions(
    project: Project,
    path: Path,
    stage: Stage,
    resolver: str,
    from_other_project: bool = False,
    reopen: str | None = None,
) -> ResolveImport:
    """Import resolutions from a .csv/.xlsx with ``record_id, decision, reason, rationale``.

    The disagreements sheet `disagreements` writes is accepted as it is: fill its
    ``resolution``, ``resolution reason`` and ``rationale`` columns. A row that changes a
    standing resolution's decision is refused unless ``reopen`` gives the reason (logged as a
    reopen); a locked stage takes only records `reopen` reopened.

    Every row is validated first; on any problem nothing is written and
    :class:`ValidationError` lists each problem with its row number.
    """
    resolver = clean_name(resolver, "--resolver")
    project.protocol.stage(stage)
    check_roster(project.protocol, resolver, "resolving")
    rows = read_table(Path(path), required=("record_id", "decision"), aliases=SHEET_ALIASES)

    check_meta(
        project, Path(path), "resolution", stage=stage, from_other_project=from_other_project
    )
    check = _ResolutionRows(project, path, stage, resolver, resolver_log_path)
    check.reopen = (reopen or "").strip()
    return ResolveImport(*check.run(rows), note=rows.note)


class _ResolutionRows(SheetCheck):
    """The rows of a resolutions sheet: only open disagreements this resolver may resolve."""

    def prepare(self) -> None:
        rows = disagreements_to_resolve(
            self.project, self.stage, self.person, include_resolved=True
        )
        self.open_rows = {r.record_id: r for r in rows}
        self.guard = Guard(self.project, self.stage, self.person, self.clusters)

    def check_row(self, rowno: int, row: dict[str, str]) -> None:
        rid = row.get("record_id", "").strip()
        text = row.get("decision", "").strip().lower()
        reason_text = row.get("reason", "")
        rationale = row.get("rationale", "").strip()
        if not text and not reason_text.strip() and not rationale:
            self.blank += 1
            return
        cid = self.cluster(rowno, rid)
        if cid is None or not self.first_time(rowno, rid, cid):
            return
        if cid not in self.open_rows:
            third = self.project.protocol.resolution == ResolutionMethod.THIRD_REVIEWER
            self.problem(
                rowno,
                f"record {rid} has no disagreement at {self.stage} to resolve"
                + (
                    " (or you screened it yourself; the protocol asks for a third reviewer)"
                    if third
                    else ""
                ),
            )
            return
        checked = self.decided(rowno, text, reason_text)
        if checked is None:
            return
        decision, reason = checked
        current = self.open_rows[cid].resolution
        if current is not None and current[:3] == (decision, reason, rationale):
            self.unchanged += 1
            return
        if not self.reopened(rowno, self.guard.resolution_undo(cid, decision)):
            return
        self.lines.append(resolve_line(self.person, cid, self.stage, decision, reason, rationale))
