"""Plain line mode for `review screen --line`: one record per block of text, one command per line.

For screen readers, dumb terminals and scripts (``printf 'i\\ne\\n2\\nq\\n' | review screen ...``).
Commands (one per line): ``i`` include, ``e`` exclude, ``m`` maybe, ``1``-``9`` (or any reason number) exclude
with that reason, ``r`` not-retrieved (full text), ``n TEXT`` note for this record, ``l TEXT``
your labels for this record (comma-separated; ``l -`` removes them), ``u`` undo,
``s`` skip, ``/ TEXT`` search, ``?`` help, ``q`` quit (end of input quits too). A decision that
changes a finished record's final status asks for a reason first (an empty answer cancels). At the full-text
stage also ``t`` (the attached text's next page; ``t N`` page N) and ``o`` (open the file in the
system viewer).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from review.cli.commands import error_text
from review.cli.ui.keys import LINE, Command, legend, line_command
from review.errors import ReviewError, WriteError
from review.io.printable import printable
from review.model import Decision
from review.screen.session import Item, ScreeningSession, format_eta

if TYPE_CHECKING:
    from review.screen.finished import Undo


def help_text(session: ScreeningSession) -> str:
    """The commands of this stage, from the one key table (:mod:`review.cli.ui.keys`)."""
    reasons = session.cfg.exclusion_reasons
    keys = legend(LINE, session.stage, tuple(session.decisions), len(reasons))
    lines = [f"Commands: {keys}."]
    if reasons:
        lines.append("Reasons: " + "; ".join(f"{i} {r.label}" for i, r in enumerate(reasons, 1)))
    return "\n".join(lines)


def _end_text(session: ScreeningSession) -> str:
    """Nothing left to offer: every record screened, or the team stopped the stage."""
    stopped = session.stop_note()
    if stopped:
        return f"{stopped[:1].upper()}{stopped[1:]}. Thank you!"
    return f"All {session.total} records are screened. Thank you!"


def render_item(session: ScreeningSession, item: Item) -> str:
    p = session.pace()
    out = [
        "",
        f"{session.counter(item)} ({item.cluster_id}); "
        f"screened {p.done}/{p.total}, {p.rate}, about {format_eta(p.seconds_left)} left",
    ]
    rank = session.ranking_status()
    if rank:
        out.append(rank)
    rec = item.record
    if rec is None:
        out.append("(record details not found in the imports)")
    else:
        out.append(f"Title: {rec.title or '(no title)'}")
        if rec.authors:
            out.append(f"Authors: {'; '.join(rec.authors)}")
        out.append(f"Year: {rec.year if rec.year is not None else 'n.d.'}  Journal: {rec.journal}")
        out.append(f"Abstract: {rec.abstract or '(no abstract)'}")
    if session.stage == "full-text":
        out.append(
            f"Full text: {item.fulltext_path or '(no file attached)'}{_text_note(session, item)}"
        )
    if item.current:
        reason = f" ({item.current.reason})" if item.current.reason else ""
        out.append(f"Your decision: {item.current.decision}{reason}")
    if item.labels:
        out.append(f"Your labels: {', '.join(item.labels)}")
    out += [f"Also reported as {also.text}" for also in item.also]
    if session.pending_note:
        out.append(f"Note: {session.pending_note}")
    return "\n".join(out)


def _text_note(session: ScreeningSession, item: Item) -> str:
    ft = session.fulltext_of(item.cluster_id)
    if ft is None:
        return ""
    if ft.status == "text":
        n = len(ft.pages)
        return f" ({n} page{'s' * (n != 1)}; t shows page 1, o opens the file)"
    return f" ({ft.message}; o opens the file)"


def show_page(session: ScreeningSession, item: Item, arg: str, last: int) -> tuple[str, int]:
    """The text of page ``arg`` (or the page after ``last``) of the record's full text."""
    ft = session.fulltext_of(item.cluster_id)
    if ft is None:
        return "No full text attached to this record.", last
    if ft.status != "text":
        return f"No text to show: {ft.message}. o opens the file.", last
    n = len(ft.pages)
    if arg.strip():
        if not arg.strip().isdigit() or not 1 <= int(arg) <= n:
            return f"Give a page from 1 to {n} (t N).", last
        page = int(arg)
    else:
        page = last + 1 if last < n else 1
    more = "t for the next page" if page < n else "last page; t starts again"
    return f"--- page {page} of {n} ---\n{ft.pages[page - 1]}\n--- ({more}) ---", page


def confirm_reopen(
    undo: Undo | None, read: Callable[[str], str | None], write: Callable[[str], None]
) -> str | None:
    """ "" when nothing is undone, the reason typed to reopen, or None (refused or cancelled)."""
    if undo is None:
        return ""
    if undo.locked:
        write(f"Refused: {undo.message}.")
        return None
    write(f"Careful: {undo.message}.")
    reason = (read("Reason to reopen it (empty cancels): ") or "").strip()
    if not reason:
        write("Not changed.")
        return None
    return reason


def _decide(
    session: ScreeningSession,
    decision: Decision,
    reason: str,
    read: Callable[[str], str | None],
    write: Callable[[str], None],
) -> None:
    why = confirm_reopen(session.undo_of(decision), read, write)
    if why is not None:
        session.decide(decision, reason, reopen=why or None)


def _labels(
    session: ScreeningSession, item: Item, arg: str, read: Callable[[str], str | None]
) -> str:
    text = arg.strip()
    if not text:
        now = ", ".join(item.labels) or "(none)"
        text = (
            read(f"Labels now {now}; new list (comma-separated, - removes all): ") or ""
        ).strip()
        if not text:
            return "Labels unchanged."
    return session.set_labels("" if text == "-" else text)


def _printable_writer(write: Callable[[str], None]) -> Callable[[str], None]:
    return lambda text: write(printable(text))


def _act(
    session: ScreeningSession,
    item: Item,
    command: Command,
    key: str,
    arg: str,
    read: Callable[[str], str | None],
    write: Callable[[str], None],
) -> bool:
    """Do one command of the table; True when the record is to be shown again."""
    action = command.action
    if action == "help":
        write(help_text(session))
    elif action == "decide":
        _decide(session, Decision(str(command.args[0])), "", read, write)
    elif action == "reason":
        _decide(session, Decision.EXCLUDE, session.reason_for_key(key), read, write)
    elif action == "labels":
        write(_labels(session, item, arg, read))
    elif action == "note":
        text = arg.strip() or (read("Note: ") or "")
        session.set_note(text)
        write(f"Note kept for this record: {session.pending_note}")
    elif action == "open_file":
        from review.screen.fulltext_text import open_file

        msg = "No file attached to this record."
        write(open_file(session.project, item.fulltext_path) if item.fulltext_path else msg)
    elif action == "undo":
        why = confirm_reopen(session.undo_check(), read, write)
        if why is not None:
            cid = session.undo(reopen=why or None)
            write(f"Undone: {cid}" if cid else "Nothing to undo.")
            return True
    elif action == "skip":
        session.skip()
    elif action == "search":
        text = arg.strip() or (read("Search: ") or "")
        found = session.search(text)
        if found is None:
            write(f"No record matches {text!r}.")
        return bool(found)
    return False


def run_line(
    session: ScreeningSession,
    read: Callable[[str], str | None],
    write: Callable[[str], None],
) -> None:
    """Loop: show the record, read a command, act (``read`` gives None at end of input).
    Written text goes through :func:`printable` (``\\x1b``, never a live escape)."""
    write = _printable_writer(write)
    for p in session.problems:
        write(f"Warning: {p}")
    write(f"Screening {session.stage} as {session.reviewer}. " + help_text(session))
    shown: str | None = None
    page = 0  # the full-text page shown last (t)
    while True:
        item = session.item()
        if item is None:
            write(_end_text(session))
            return
        if item.cluster_id != shown:
            write(render_item(session, item))
            shown = item.cluster_id
            page = 0
        line = read("> ")
        if line is None:
            write("End of input: everything decided so far is saved.")
            return
        cmd = line.strip()
        if not cmd:
            continue
        if cmd.startswith("/"):
            key, arg = "/", cmd[1:]
        else:
            key, _, arg = cmd.partition(" ")
            key = key.lower()
        command = line_command(key, session.stage, tuple(session.decisions))
        try:
            if command is None:
                write(f"Unknown command {cmd!r}. " + help_text(session))
            elif command.action == "quit":
                write("Saved. Bye.")
                return
            elif command.action == "page":
                text, page = show_page(session, item, arg, page)
                write(text)
            elif _act(session, item, command, key, arg, read, write):
                shown = None  # show the record again (after an undo or a search)
        except WriteError:
            raise  # the log cannot be written (disk full): stop with the message, exit 1
        except ReviewError as exc:
            write(f"Error: {error_text(exc)}")
