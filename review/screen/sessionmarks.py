"""What a screening session adds to deciding: finished records and labels.

:class:`FinishedAndLabels` is a base of :class:`~review.screen.session.ScreeningSession`: the
finished-record guard (a decision or an undo that changes a record's final status needs a reason,
logged as a reopen; a locked stage refuses it; docs/screening.md, "Finished means finished") and
the reviewer's own labels on the record on screen (never decisions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from review.errors import ReviewError
from review.model import Decision, Stage
from review.screen.finished import Guard
from review.screen.logs import reviewer_log_path
from review.screen.marks import clean_label, own_labels, parse_labels

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from threading import Lock

    from review.dedup.clusters import Clusters
    from review.project import Project
    from review.screen.cache import ClusterIndex
    from review.screen.finished import Guard, Undo
    from review.screen.logs import ScreeningLog
    from review.screen.session import Current


class FinishedAndLabels:
    """Needs the session's queue, position, stacks, log, project, stage and reviewer."""

    project: Project
    stage: Stage
    reviewer: str
    queue: Sequence[str]  # a list, or the ranker's RankedQueue view
    pos: int | None
    clusters: Clusters | ClusterIndex
    _guard: Guard | None
    _guard_lock: Lock
    _decided_here: set[str]
    _labels: dict[str, list[str]]
    _pos_of: Mapping[str, int]
    _recent: list[str]
    _stack: dict

    if TYPE_CHECKING:  # the session's property

        @property
        def log(self) -> ScreeningLog: ...

    current_of: Callable[[str], Current | None]

    # ---- finished records (docs/screening.md, "Finished means finished") --------------------
    def _init_marks(self, label: str) -> None:
        """The finished-record guard (read on first need) and this reviewer's own labels."""
        import threading

        self._guard = None  # finished records and stage lock, read on first need
        self._guard_lock = threading.Lock()
        self._decided_here = set()  # records decided in this session (undo is no reopen)
        log = reviewer_log_path(self.project, self.reviewer)
        self._labels = own_labels(self.project, log, self.clusters)
        if label:
            self._only_labelled(label)

    @property
    def guard(self) -> Guard:
        """Built once, on the first key (or ahead of it by :meth:`warm_guard` in a thread)."""
        with self._guard_lock:
            if self._guard is None:
                self._guard = Guard(
                    self.project, self.stage, self.reviewer, self.clusters, eligible=self.queue
                )
                self._guard.command = getattr(self, "command", str)  # the session's spelling
            return self._guard

    def warm_guard(self) -> None:
        """Read what the guard needs now (the full-screen app calls this in a worker thread, so
        the first key press does not wait for it); errors surface on that key instead."""
        try:
            self.guard  # noqa: B018 - built for its side effect
        except Exception:  # reported again when a key needs the guard
            return

    def undo_of(self, decision: Decision | None) -> Undo | None:
        """What deciding ``decision`` on the current record would undo (None: nothing)."""
        if self.pos is None:
            return None
        cid = self.queue[self.pos]
        cur = self.current_of(cid)
        return self.guard.decision_undo(cid, cur.decision if cur else None, decision)

    def _reopen(self, undo: Undo | None, reopen: str | None) -> None:
        """Refuse a locked record; log a confirmed reopen; refuse an unconfirmed one."""
        if undo is None:
            return
        if undo.locked:
            raise ReviewError(undo.sentence())
        reason = (reopen or "").strip()
        if not reason:
            raise ReviewError(
                f"Record {undo.record_id}: {undo.message}. Confirm with a reason to reopen it."
            )
        self.log.reopen(undo.record_id, self.stage, reason, undo.message)

    def undo_check(self) -> Undo | None:
        """What :meth:`undo` would undo on a finished record decided before this session."""
        for cid in reversed(self._recent):
            stack = self._stack.get(cid)
            if not stack:
                continue
            lock = self.guard.locked_undo(cid)
            if lock is not None or cid in self._decided_here:
                return lock
            prev = stack[-2][1].decision if len(stack) > 1 else None
            return self.guard.decision_undo(cid, stack[-1][1].decision, prev)
        return None

    # ---- labels (never decisions) -----------------------------------------------------------
    def _only_labelled(self, label: str) -> None:
        """Keep only the records this reviewer labelled ``label`` (`screen --label`)."""
        want = clean_label(label).casefold()
        self.queue = [
            c for c in self.queue if any(k.casefold() == want for k in self._labels.get(c, ()))
        ]
        self._pos_of = {cid: i for i, cid in enumerate(self.queue)}

    def labels_of(self, cid: str) -> tuple[str, ...]:
        return tuple(self._labels.get(cid, ()))

    def set_labels(self, text: str) -> str:
        """Make the current record's labels (this reviewer's) exactly the comma-separated
        ``text``: label lines add the new ones and remove the dropped ones. Returns a message."""
        if self.pos is None:
            raise ReviewError("No record on screen to label.")
        cid = self.queue[self.pos]
        want = parse_labels(text)
        have = list(self._labels.get(cid, ()))
        keys = {w.casefold() for w in want}
        gone = [h for h in have if h.casefold() not in keys]
        old = {h.casefold() for h in have}
        new = [w for w in want if w.casefold() not in old]
        for label in gone:
            self.log.label(cid, self.stage, label, remove=True)
        for label in new:
            self.log.label(cid, self.stage, label, remove=False)
        kept = [h for h in have if h.casefold() in keys] + new
        if kept:
            self._labels[cid] = kept
        else:
            self._labels.pop(cid, None)
        if not new and not gone:
            return "Labels unchanged."
        return "Labels: " + (", ".join(kept) if kept else "(none)")
