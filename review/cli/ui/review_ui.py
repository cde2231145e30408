"""Interactive review of queued pairs: two records side by side, differences highlighted.

Keys: ``y`` same (one report twice: merged), ``r`` related (another report of the same study:
kept and linked), ``n`` different, ``s`` skip, ``u`` undo (retracts your last verdict of this
session and shows that pair again), ``q`` quit. Pairs on which two reviewers' verdicts conflict
come first, with who said what; the verdict given there resolves the conflict. Each verdict is appended to the reviewer's log at
once (fsync'd), so quitting or a crash loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from review.model import CITATION_FIELDS

if TYPE_CHECKING:
    from review.dedup.queue import QueuedPair
    from review.model import Record
    from review.project import Project

KEYS = {"y": "same", "r": "related", "n": "different"}
FIELDS = ("source", *CITATION_FIELDS)  # the rows of the side-by-side comparison


@dataclass
class SessionResult:
    same: int = 0
    different: int = 0
    related: int = 0
    skipped: int = 0
    undone: int = 0
    remaining: int = 0


def _text(rec: Record, name: str) -> str:
    v = getattr(rec, name)
    if name == "authors":
        return "; ".join(v)
    return "" if v is None else str(v)


def pair_table(a: Record, b: Record, heading: str) -> Any:
    """A Rich table: field | record A | record B, differing fields highlighted."""
    from rich.markup import escape
    from rich.table import Table

    from review.dedup.normalize import words

    table = Table(title=heading, show_lines=True, expand=True)
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column(f"A  {a.record_id}", ratio=1)
    table.add_column(f"B  {b.record_id}", ratio=1)
    for f in FIELDS:
        va, vb = _text(a, f), _text(b, f)
        if not va and not vb:
            continue
        if words(va) == words(vb):
            table.add_row(f, escape(va), escape(vb))
        elif not va or not vb:
            table.add_row(f, escape(va) or "[dim]-[/dim]", escape(vb) or "[dim]-[/dim]")
        else:
            table.add_row(
                f"[yellow]{f}[/yellow]",
                f"[yellow]{escape(va)}[/yellow]",
                f"[yellow]{escape(vb)}[/yellow]",
            )
    if a.abstract or b.abstract:
        table.add_row("abstract", escape(a.abstract[:400]), escape(b.abstract[:400]))
    return table


def review_session(
    project: Project,
    reviewer: str,
    console: Any,
    read_key: Callable[[], str],
) -> SessionResult:
    """Walk the queued pairs the reviewer has not decided yet; returns what was done."""
    from review.people import check_roster

    check_roster(project.protocol, reviewer, "dedup")
    queue = _session_queue(project, reviewer)
    walk = _Walk(project, reviewer, console, queue)
    if not queue:
        from rich.markup import escape

        console.print(f"No pairs waiting for {escape(reviewer)}.")
        return walk.result
    index = project.record_index()
    pos = 0
    while pos < len(queue):
        q = queue[pos]
        a, b = index.get(q.record_id_a), index.get(q.record_id_b)
        if a is None or b is None:
            pos += 1
            continue
        conflict = _show(console, a, b, q, f"Pair {pos + 1} of {len(queue)}")
        key = read_key()
        if key in KEYS:
            pos = walk.give(pos, a, b, KEYS[key], conflict)
        elif key == "s":
            walk.result.skipped += 1
            pos += 1
        elif key == "u":
            pos = walk.undo(pos)
        elif key in ("q", ""):
            break
        else:
            console.print(f"Unknown key {key!r}: use y, r, n, s, u or q.", markup=False)
    walk.result.remaining = max(0, len(queue) - pos)
    return walk.result


def _session_queue(project: Project, reviewer: str) -> list[QueuedPair]:
    """Pairs on which reviewers conflict (with who said what), then the queued pairs this reviewer
    has no standing verdict on."""
    from review.dedup.queue import QueuedPair, read_queue
    from review.dedup.verdicts import check_line, reviewer_stacks, verdict_conflicts, verdict_file
    from review.io.files import read_jsonl

    stacks = reviewer_stacks(read_jsonl(verdict_file(project, reviewer), check=check_line))
    conflicts = verdict_conflicts(project)
    queue = [
        QueuedPair(a, b, conflict="; ".join(f"{v.reviewer} said {v.verdict}" for v in vs))
        for (a, b), vs in conflicts.items()
    ]
    queue += [q for q in read_queue(project) if not stacks.get(q.ids) and q.ids not in conflicts]
    return queue


def _show(console: Any, a: Record, b: Record, q: QueuedPair, where: str) -> str:
    """Print the pair, why it is asked and the keys; returns the conflict it resolves ("" none)."""
    conflict = q.conflict
    if conflict:
        heading = f"{where}  CONFLICT between reviewers"
        from rich.markup import escape

        why = f"[bold red]Conflict:[/bold red] {escape(conflict)}. Your verdict resolves it."
    else:
        heading = f"{where}  (title similarity {q.title_similarity})"
        from rich.markup import escape

        why = "[dim]" + escape(q.rule + (f" — {q.reasons}" if q.reasons else "")) + "[/dim]"
    console.print(pair_table(a, b, heading))
    console.print(why)
    console.print(
        "[bold]y[/bold] same  [bold]r[/bold] related report  [bold]n[/bold] different  "
        "[bold]s[/bold] skip  "
        "[bold]u[/bold] undo  [bold]q[/bold] quit"
    )
    return conflict


@dataclass
class _Walk:
    """A session's verdicts as they are given, and their undo."""

    project: Project
    reviewer: str
    console: Any
    queue: list[QueuedPair]
    result: SessionResult = field(default_factory=SessionResult)
    history: list[tuple[int, str]] = field(default_factory=list)  # (position in queue, verdict)

    def give(self, pos: int, a: Record, b: Record, verdict: str, conflict: str) -> int:
        """Append the verdict to the reviewer's log; returns the next position."""
        from review.dedup.verdicts import append_lines, verdict_line

        line = verdict_line(
            a.record_id, b.record_id, verdict, self.reviewer, resolves=bool(conflict)
        )
        append_lines(self.project, self.reviewer, [line])
        self.history.append((pos, verdict))
        setattr(self.result, verdict, getattr(self.result, verdict) + 1)
        self.console.print(f"-> {verdict}")
        return pos + 1

    def undo(self, pos: int) -> int:
        """Retract this session's last verdict; returns the position to show next (its pair)."""
        from review.dedup.verdicts import append_lines, retract_line

        if not self.history:
            self.console.print("Nothing to undo in this session.")
            return pos
        last, verdict = self.history.pop()
        lq = self.queue[last]
        append_lines(
            self.project,
            self.reviewer,
            [retract_line(lq.record_id_a, lq.record_id_b, self.reviewer)],
        )
        setattr(self.result, verdict, getattr(self.result, verdict) - 1)
        self.result.undone += 1
        self.console.print(f"Undone: {verdict} for pair {last + 1}.")
        return last
