"""Checking an imported decision sheet row by row: screening decisions and resolutions alike.

`screen import` (:mod:`review.screen.spreadsheet`) and `resolve import`
(:mod:`review.screen.resolve`) read a .csv/.xlsx, check every row, and write nothing when any
row has a problem. :class:`SheetCheck` holds what the two share: the row's record id mapped
through the dedup clusters, a record given twice, the decision and reason, the problem list
with row numbers, the blank/unchanged counts, and the all-or-nothing append at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from review.errors import ValidationError
from review.io.files import append_jsonl
from review.model import Decision, Stage, vocab
from review.nextstep import Text
from review.screen.cache import cluster_index
from review.screen.logs import decisions_for, parse_decision, reopen_line

if TYPE_CHECKING:
    from review.project import Project
    from review.screen.finished import Undo


MAX_LISTED = 10  # problems listed in the message; the count says how many there are in all


class SheetCheck:
    """The rows of one imported sheet: problems found so far, the log lines to append, counts.

    A subclass checks one row in :meth:`check_row`; :meth:`run` checks them all, then saves.
    """

    def __init__(
        self,
        project: Project,
        path: Path,
        stage: Stage,
        person: str,
        log_path: Callable[[Project, str], Path],
    ) -> None:
        self.project = project
        self.stage = stage
        self.person = person  # the reviewer or resolver whose log the lines go to
        self._log_path = log_path
        self.name = Path(path).name
        self.allowed = decisions_for(stage)
        self.problems: list[Text] = []  # the first MAX_LISTED problems
        self.problem_count = 0  # all of them
        self.lines: list[dict[str, Any]] = []
        self.blank = 0  # rows without a decision, reason or note/rationale
        self.unchanged = 0  # rows equal to the standing decision
        self._seen: dict[str, int] = {}
        self.reopen = ""  # the reason given to reopen finished records (--reopen --reason)
        self.clusters = cluster_index(project)
        self.prepare()

    def prepare(self) -> None:
        """What a subclass reads before any row is checked (after the clusters)."""

    def check_row(self, rowno: int, row: dict[str, str]) -> None:
        """Count the row as blank or unchanged, note its problems, or add its log line."""
        raise NotImplementedError

    def run(self, rows: Iterable[tuple[int, dict[str, str]]]) -> tuple[int, int, int]:
        """Check every row, then :meth:`save`; returns (imported, unchanged, blank)."""
        for rowno, row in rows:
            self.check_row(rowno, row)
        return self.save(), self.unchanged, self.blank

    def problem(self, rowno: int, text: str | Text) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_LISTED:  # a sheet of a million bad rows: a short message
            said = (text,) if isinstance(text, str) else text
            self.problems.append((f"{self.name} row {rowno}: ", *said))

    def cluster(self, rowno: int, rid: str) -> str | None:
        """The cluster of the row's record id; None (a problem noted) when blank or unknown."""
        if not rid:
            self.problem(rowno, "record_id is blank")
            return None
        cid = self.clusters.resolve(rid)
        if cid is None:
            self.problem(rowno, f"unknown record_id {rid!r}")
        return cid

    def first_time(self, rowno: int, rid: str, cid: str) -> bool:
        """True the first time a record comes up; later rows naming it are problems."""
        if cid in self._seen:
            self.problem(rowno, f"record {rid} already given in row {self._seen[cid]}")
            return False
        self._seen[cid] = rowno
        return True

    def reopened(self, rowno: int, undo: Undo | None) -> bool:
        """True when the row may be written: it undoes nothing, or ``reopen`` gives the reason
        (a reopen line goes first); otherwise the problem is noted (a locked stage always)."""
        if undo is None:
            return True
        if undo.locked:
            self.problem(rowno, (f"record {undo.record_id}: ", *undo.text))
            return False
        if not self.reopen:
            self.problem(
                rowno,
                f"record {undo.record_id}: {undo.message}; to change it on purpose import "
                'again with --reopen --reason "why"',
            )
            return False
        self.lines.append(
            reopen_line(self.person, undo.record_id, self.stage, self.reopen, undo.message)
        )
        return True

    def decided(self, rowno: int, text: str, reason_text: str) -> tuple[Decision, str] | None:
        """(decision, reason id) of a row's valid decision and reason; None (a problem noted)
        otherwise."""
        reason, problem = parse_decision(self.project, self.stage, text, reason_text, self.allowed)
        decision = vocab(Decision, text)
        if problem or decision is None:
            self.problem(rowno, problem or f"decision {text!r} is not a decision")
            return None
        return decision, reason

    def save(self) -> int:
        """Append the lines to the person's log (nothing when a row has a problem:
        ValidationError lists them all); returns how many lines were appended."""
        if self.problem_count:
            more = self.problem_count - len(self.problems)
            raise ValidationError(
                f"{self.name}: {self.problem_count:,} problem(s); nothing was imported. "
                "Fix them and import again:",
                [*self.problems, *([(f"… and {more:,} more",)] if more else [])],
            )
        if self.lines:  # decisions, with the reopens and labels that go with them
            append_jsonl(self._log_path(self.project, self.person), self.lines)
        return sum(1 for line in self.lines if line["op"] not in ("reopen", "label"))
