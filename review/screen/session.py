"""One reviewer's screening session: the queue, their own decisions, undo, skip, search, pace.

Pure library code shared by the Textual app (``tui.py``) and the plain line mode
(``lineui.py``). Blind by construction: it reads only the reviewer's own log file; other
reviewers' logs are read only to derive which records are eligible at full text (a record enters
full text when the final title/abstract decision says so) and which records are in the team's
random sample (review/rank/team.py), never to show a decision. After the team's recorded stop
(data/stopping/) it offers no record the reviewer has not decided.

Every decision is appended and fsync'd by :class:`~review.screen.logs.ScreeningLog` before
:meth:`ScreeningSession.decide` returns, so the next record is shown only once the previous one
is safe on disk. The queue is built once; a keystroke costs a dict lookup and one fsync.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from review.errors import ReviewError
from review.io.files import JsonlProblem, command_text
from review.io.lock import acquire_log, release
from review.model import Decision, Order, Stage, vocab
from review.nextstep import NextStep
from review.people import check_roster, clean_name
from review.rank.featcache import last_ranking_file
from review.rank.live import LiveRanker
from review.rank.model import query_text, record_text
from review.rank.phase import has_sample_line, read_phase
from review.screen.alsoreported import also_reported, load_related_reports
from review.screen.assign import assigned_to
from review.screen.cache import cluster_index, no_gc, read_log, record_store
from review.screen.final import fulltext_eligible
from review.screen.fulltext import attachments
from review.screen.fulltext_text import load_text
from review.screen.logs import ScreeningLog, decisions_for, reviewer_log_path
from review.screen.order import queue_order
from review.screen.progress import counter, ranking_status
from review.screen.sessionmarks import FinishedAndLabels
from review.screen.sessionstop import TeamStop

if TYPE_CHECKING:
    from review.dedup.clusters import Clusters
    from review.dedup.related import Related
    from review.project import Project
    from review.rank.live import LiveRanker
    from review.screen.alsoreported import AlsoReportedAs
    from review.screen.cache import ClusterIndex, DisplayRecord, LogEntry, RecordStore
    from review.screen.fulltext_text import FullText


@dataclass(frozen=True, slots=True)
class Current:
    """What the reviewer has decided on one record (their own decision only)."""

    decision: Decision
    reason: str
    note: str


@dataclass(frozen=True, slots=True)
class Pace:
    """The reviewer's progress at this stage and this session's pace."""

    done: int
    total: int
    per_hour: float | None  # records per hour in this session (None before the first decision)
    seconds_left: float | None  # estimated time left at that pace

    @property
    def rate(self) -> str:
        """The pace as shown on screen, e.g. "120/h" ("–/h" before the first decision)."""
        return f"{self.per_hour:.0f}/h" if self.per_hour else "–/h"


@dataclass(frozen=True, slots=True)
class Item:
    """The record on screen."""

    cluster_id: str
    position: int  # 1-based place in the queue
    record: DisplayRecord | None
    current: Current | None  # this reviewer's own decision, if any
    fulltext_path: str  # attached full text (full-text stage), '' if none
    labels: tuple[str, ...] = ()  # this reviewer's own labels on the record
    also: tuple[AlsoReportedAs, ...] = ()  # other reports of the same study (related.csv)


class ScreeningSession(FinishedAndLabels, TeamStop):
    # How the status bar spells a next step (NextStep -> text); the CLI sets its command table.
    command: Callable[[NextStep], str] = staticmethod(str)

    @no_gc
    def __init__(
        self,
        project: Project,
        stage: Stage,
        reviewer: str,
        *,
        seed: int = 0,
        order: Order = Order.RANDOM,
        clusters: Clusters | ClusterIndex | None = None,
        records: RecordStore | None = None,
        clock: Callable[[], float] = time.monotonic,
        background: bool = True,
        label: str = "",
    ) -> None:
        self.project = project
        self.stage = stage

        self.reviewer = clean_name(reviewer, "--reviewer")
        self.cfg = project.protocol.stage(stage)

        check_roster(project.protocol, self.reviewer, "screening", stage)
        self.decisions = decisions_for(stage)
        self.clusters = clusters if clusters is not None else cluster_index(project)
        if stage == "title-abstract":
            elig = self.clusters.main_clusters()
        else:
            elig = fulltext_eligible(project, self.clusters)

        elig = assigned_to(project.protocol, stage, self.reviewer, elig)  # a split stage
        self.queue = queue_order(elig, self.reviewer, stage, seed)
        self._pos_of = {cid: i for i, cid in enumerate(self.queue)}
        self._records = records
        self.problems: list[JsonlProblem] = []

        # One session per reviewer: a second terminal would decide the same records again.
        self._lock: str | None = acquire_log(
            reviewer_log_path(project, self.reviewer), self.reviewer, command_text()
        )
        self._load_own()
        self._init_stop()
        self._init_marks(label)
        self.fulltext = {}
        if stage == "full-text":
            self.fulltext = attachments(project, self.clusters)
        self._texts: dict[str, FullText] = {}  # the last full text read (one at a time)
        self._related: Related | None = None  # related.csv over the clusters, read on first use
        self._log: ScreeningLog | None = None  # opened on the first write
        self._done = sum(1 for cid in self.queue if self._stack.get(cid))
        self.pos = self._first_open(0)
        self.pending_note = ""
        self._clock = clock
        self._started = clock()
        self.session_count = 0
        self.order = order
        self.ranker: LiveRanker | None = None
        self._adopted: object = None
        self._background = background
        self.sample_size = 0  # records in the stopping test's random sample (sample order)
        self._relevant = sum(1 for cid in self.queue if self._is_relevant(cid))
        try:
            self._set_order(order, seed, background)
        except BaseException:
            self.close()  # releases the log lock taken above
            raise

    # ---- order: random, relevance (ranked by this reviewer's decisions), stopping sample ----
    def _set_order(self, order: Order, seed: int, background: bool) -> None:
        if vocab(Order, order) is None:  # a library caller's plain string
            raise ReviewError(f"Unknown order {order!r}: use relevance or random.")
        if self.stop is not None:  # nothing is offered: no ranking, no sample
            self.order = "random"
            return
        if self._team_sample_first():
            return
        if has_sample_line(reviewer_log_path(self.project, self.reviewer)):
            ph = read_phase(self.project, self.stage, self.reviewer)
            if ph.started is not None:  # the stopping test's random sample comes first
                urn = set(ph.urn)
                self.queue = ph.urn + [c for c in self.queue if c not in urn]
                self._pos_of = {cid: i for i, cid in enumerate(self.queue)}
                self.order, self.sample_size = "sample", len(ph.urn)
                self.pos = self._first_open(0)
                return
        if order != Order.RELEVANCE:
            return
        if self.stage != "title-abstract":
            raise ReviewError("--order relevance is for title-abstract screening only.")

        log_id = reviewer_log_path(self.project, self.reviewer).stem  # the reviewer's file id

        decided: dict[str, str] = {}
        for cid in self._recent:
            cur = self.current_of(cid)
            decided.pop(cid, None)
            if cur is not None:
                decided[cid] = cur.decision
        rest = [c for c in self.queue if c not in decided]
        self.queue = [*decided, *rest]
        self._pos_of = {cid: i for i, cid in enumerate(self.queue)}
        self.pos = self._first_open(len(decided))
        proto = self.project.protocol
        records = self.records

        def text_of(cid: str) -> str:
            r = records.get(cid)
            return "" if r is None else record_text(r.title, r.abstract)

        self.ranker = LiveRanker(
            self.queue,
            text_of,
            decided,
            root=self.project.root,
            query=query_text(proto.keywords_include, proto.include_criteria, proto.questions),
            seed=seed,
            start=background,
            cache_dir=self.project.cache_dir,
            last=last_ranking_file(self.project, log_id, self.stage),
        )
        self._background = background
        if not background:  # line mode: rank before every record (deterministic for scripts)
            self.ranker.rank_once()
        start = self._adopt()  # the last session's ranking, when nothing changed since
        if start is not None or not background:
            self.pos = self._first_open(start or 0)

    def _is_relevant(self, cid: str) -> bool:
        cur = self.current_of(cid)
        return cur is not None and cur.decision in ("include", "maybe")

    def _adopt(self) -> int | None:
        """Swap in the ranker's latest queue (O(1)); where its undecided part starts, or None."""
        r = self.ranker.latest if self.ranker is not None else None
        if r is None or r is self._adopted:
            return None
        self._adopted = r
        self.queue, self._pos_of = r.queue, r.pos_of
        return r.n_decided

    def ranking_status(self) -> str:
        """The status bar's ranking part: includes found, the includes left (a credible range
        or a bound), what the order is based on (review/screen/progress.py)."""
        return ranking_status(self)

    def counter(self, item: Item) -> str:
        """The record counter: it counts records, not places in a queue (progress.py)."""
        return counter(self, item)

    def recent(self) -> list[str]:
        """Cluster ids in the order of this reviewer's decisions (re-decided ones repeat)."""
        return self._recent

    @property
    def relevant(self) -> int:
        """Records this reviewer included or marked maybe at this stage."""
        return self._relevant

    # ---- loading ----------------------------------------------------------------------------
    def _load_own(self) -> None:
        """This reviewer's standing decisions (own file only), as per-record stacks."""
        path = reviewer_log_path(self.project, self.reviewer)
        self._stack: dict[str, list[tuple[str, Current]]] = {}
        self._recent: list[str] = []  # cluster ids in the order of their standing decisions
        cluster_of = self.clusters.cluster_of
        state = read_log(self.project, path, "decide", self.problems)
        entries: list[LogEntry] = []
        for key, e in state.latest.items():
            if key[0] == self.stage:
                entries.extend(state.older.get(key, ()))
                entries.append(e)
        entries.sort()
        for e in entries:  # LogEntry tuples: in line order
            cid = cluster_of.get(e.record_id)
            if cid is None:
                continue
            current = Current(e.decision, e.reason, e.text)
            self._stack.setdefault(cid, []).append((e.record_id, current))
            self._recent.append(cid)

    @property
    def records(self) -> RecordStore:
        if self._records is None:
            self._records = record_store(self.project)
        return self._records

    # ---- queue ------------------------------------------------------------------------------
    def current_of(self, cid: str) -> Current | None:
        stack = self._stack.get(cid)
        return stack[-1][1] if stack else None

    def _first_open(self, start: int) -> int | None:
        """The first undecided record at or after ``start`` (wrapping), None when all done
        or when the team stopped the stage."""
        if self.stop is not None:
            return None
        n = len(self.queue)
        for k in range(n):
            i = (start + k) % n
            if not self._stack.get(self.queue[i]):
                return i
        return None

    @property
    def total(self) -> int:
        return len(self.queue)

    @property
    def done(self) -> int:
        return self._done

    @property
    def finished(self) -> bool:
        return self.pos is None

    def item(self) -> Item | None:
        if self.pos is None:
            return None
        cid = self.queue[self.pos]
        return Item(
            cluster_id=cid,
            position=self.pos + 1,
            record=self.records.get(cid),
            current=self.current_of(cid),
            fulltext_path=self.fulltext.get(cid, ""),
            labels=tuple(self._labels.get(cid, ())),
            also=self.also_reported(cid),
        )

    def also_reported(self, cid: str) -> tuple[AlsoReportedAs, ...]:
        """The other reports of the record's study, shown with it ("also reported as …")."""
        if self._related is None:
            self._related = load_related_reports(self.project, self.clusters.cluster_of)
        return also_reported(self._related, cid, self.records)

    def fulltext_of(self, cid: str) -> FullText | None:
        """The attached full text's extracted text (cache, or extracted now); None if no file."""
        path = self.fulltext.get(cid)
        if not path:
            return None
        ft = self._texts.get(path)
        if ft is None:
            ft = load_text(self.project, path)
            self._texts = {path: ft}
        return ft

    # ---- actions ----------------------------------------------------------------------------
    def reason_for_key(self, key: str) -> str:
        """The reason id for a digit key (1-based protocol order); ReviewError if none."""
        reasons = self.cfg.exclusion_reasons
        if not key.isdigit() or not 1 <= int(key) <= len(reasons):
            raise ReviewError(
                f"No exclusion reason {key}: the {self.stage} reasons are 1-{len(reasons)}."
                if reasons
                else f"The protocol lists no exclusion reasons for {self.stage}."
            )
        return reasons[int(key) - 1].id

    def decide(
        self,
        decision: Decision,
        reason: str = "",
        note: str | None = None,
        reopen: str | None = None,
    ) -> None:
        """Record a decision on the current record (appended + fsync'd), then move on.

        A decision that changes a finished record's final status needs ``reopen`` (the
        reviewer's reason, logged as a reopen line first); :meth:`undo_of` says when."""
        if self.pos is None:
            raise ReviewError("Every record is screened; nothing to decide.")
        cid = self.queue[self.pos]
        note = self.pending_note if note is None else note
        self._reopen(self.undo_of(decision), reopen)
        self._decided_here.add(cid)
        self.log.decide(cid, self.stage, decision, reason, note)
        was = self._is_relevant(cid)
        stack = self._stack.setdefault(cid, [])
        if not stack:
            self._done += 1
        stack.append((cid, Current(decision, reason, note)))
        self._relevant += self._is_relevant(cid) - was
        self._recent.append(cid)
        self.pending_note = ""
        self.session_count += 1
        if self.ranker is not None:
            self.ranker.update(cid, decision)
            if not self._background:
                self.ranker.rank_once()
        start = self._adopt()
        self._check_stop()
        self.pos = self._first_open(self.pos + 1 if start is None else start)

    def undo(self, reopen: str | None = None) -> str | None:
        """Retract this reviewer's latest standing decision (appends a retraction) and go back
        to that record. Returns its cluster id, or None when there is nothing to undo.
        Undoing a decision of an earlier session on a finished record needs ``reopen``."""
        self._reopen(self.undo_check(), reopen)
        while self._recent:
            cid = self._recent.pop()
            stack = self._stack.get(cid)
            if not stack:
                continue
            was = self._is_relevant(cid)
            rid, _cur = stack.pop()
            self.log.retract(rid, self.stage)
            self._relevant += self._is_relevant(cid) - was
            if self.ranker is not None:
                cur = self.current_of(cid)
                self.ranker.update(cid, cur.decision if cur else None)
                if not self._background:
                    self.ranker.rank_once()
                    self._adopt()
            if not stack and cid in self._pos_of:
                self._done -= 1
            self.session_count = max(0, self.session_count - 1)
            self.pos = self._pos_of.get(cid, self.pos)
            return cid
        return None

    def skip(self) -> None:
        """Leave the current record undecided and show the next undecided one (wraps around)."""
        if self.pos is None:
            return
        nxt = self._first_open(self.pos + 1)
        self.pos = nxt if nxt is not None else self.pos

    def search(self, text: str) -> str | None:
        """Jump to the next record (after the current one, wrapping) whose id, title, authors or
        journal contain ``text`` (case-insensitive). Decided records are found too."""
        needle = text.strip().lower()
        if not needle or not self.queue:
            return None
        start = (self.pos if self.pos is not None else -1) + 1
        n = len(self.queue)
        recs = self.records
        for k in range(n):
            i = (start + k) % n
            cid = self.queue[i]
            if needle in recs.search_text(cid):
                self.pos = i
                return cid
        return None

    def set_note(self, note: str) -> None:
        self.pending_note = note.strip()

    # ---- progress ---------------------------------------------------------------------------
    def pace(self) -> Pace:
        """done/total, this session's pace (records per hour) and estimated time left (s)."""
        done, total = self.done, self.total
        elapsed = max(self._clock() - self._started, 1e-9)
        per_hour = self.session_count / elapsed * 3600 if self.session_count else None
        left = (total - done) / per_hour * 3600 if per_hour else None
        return Pace(done, total, per_hour, left)

    @property
    def log(self) -> ScreeningLog:
        if self._log is None:
            self._log = ScreeningLog(self.project, self.reviewer)
        return self._log

    def close(self) -> None:
        if self.ranker is not None:
            self.ranker.close()
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._records is not None:
            self._records.close()
        if self._lock is not None:
            release(self._lock)
            self._lock = None

    def __enter__(self) -> ScreeningSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    minutes = int(seconds // 60)
    if minutes < 1:
        return "<1 min"
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"
