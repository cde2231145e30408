"""The full-screen screener (Textual). Imported only by `review screen`, never at CLI start-up.

Keys (the table in :mod:`review.cli.ui.keys`): ``i`` include, ``e`` exclude, ``m`` maybe,
``1``-``9`` exclude with that reason (protocol order), ``0`` pick any reason from a list, ``r``
not-retrieved (full text), ``n`` note, ``l`` your labels for the record, ``u`` undo, ``s`` skip,
``/`` search, ``f`` find a record, ``q`` quit. A decision (or an undo) that changes a finished record's final status opens a
confirmation that names what it undoes and asks for a reason (logged as a reopen). The keys live on the screening
screen, so typing a note or a search in the pop-up never triggers a decision.

At the full-text stage the attached file's text fills a scrollable pane (page markers, keyword
hits highlighted): ``/`` searches inside it, ``]``/``[`` next/previous match, ``k``/``K``
next/previous keyword hit, ``o`` opens the file in the system viewer; arrows, PgUp/PgDn, space
and Home/End scroll.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any, ClassVar

from rich.markup import escape
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from review.cli.commands import error_text
from review.cli.ui.keys import TEXTUAL_KEY, TUI, commands
from review.cli.ui.textview import FullTextView
from review.cli.ui.tui_dialogs import PromptScreen, ReasonScreen, ReopenScreen
from review.errors import ReviewError
from review.io.printable import printable
from review.model import Decision, vocab
from review.screen.session import ScreeningSession, format_eta
from review.screen.textdoc import TextDocument

INCLUDE_STYLE = "bold black on green3"
EXCLUDE_STYLE = "bold white on red3"


def keyword_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """One case-insensitive regex for a keyword list (``*`` at a word's end = any ending)."""
    parts = []
    for w in words:
        w = w.strip()
        if not w:
            continue
        stem = w.rstrip("*")
        body = re.escape(stem) + (r"\w*" if w.endswith("*") else "")
        parts.append(body)
    if not parts:
        return None
    parts.sort(key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(parts) + r")\b", re.IGNORECASE)


def highlight(text: str, include: re.Pattern[str] | None, exclude: re.Pattern[str] | None) -> Text:
    out = Text(text)
    if include is not None:
        out.highlight_regex(include, INCLUDE_STYLE)
    if exclude is not None:
        out.highlight_regex(exclude, EXCLUDE_STYLE)
    return out


class ScreeningScreen(Screen[None]):
    # every key from the one table (review/cli/ui/keys.py); the actions check the stage
    BINDINGS: ClassVar = [
        Binding(TEXTUAL_KEY.get(c.key, c.key), c.binding_action, c.title, show=c.footer)
        for c in commands(TUI)
    ]
    DEFAULT_CSS = """
    #progress { background: $primary; color: $text; padding: 0 1; height: 1; }
    #meta { padding: 0 1; height: auto; }
    #abstract-box { padding: 0 1; height: 1fr; border: round $panel; }
    #reasons { padding: 0 1; height: auto; color: $text-muted; }
    #message { padding: 0 1; height: 1; background: $boost; }
    #help { padding: 0 1; height: 1; color: $text-muted; }
    """

    def __init__(self, session: ScreeningSession) -> None:
        super().__init__()
        self.session = session
        proto = session.project.protocol
        self.inc = keyword_pattern(proto.keywords_include)
        self.exc = keyword_pattern(proto.keywords_exclude)
        self.full_text = session.stage == "full-text"
        self._shown: str | None = None  # the record whose full text is in the pane

    def compose(self) -> ComposeResult:
        yield Static(id="progress")
        yield Static(id="meta")
        if self.full_text:
            yield FullTextView(id="fulltext")
            yield Static(
                "/ search text  ] [ next/prev match  k K keyword hits  o open file  "
                "f find record  ↑↓ PgUp PgDn scroll",
                id="help",
            )
        else:
            with VerticalScroll(id="abstract-box"):
                yield Static(id="abstract")
        yield Static(self._reasons_text(), id="reasons")
        yield Static(id="message")
        yield Footer()

    def _reasons_text(self) -> str:
        rs = self.session.cfg.exclusion_reasons
        if not rs:
            return "No exclusion reasons in the protocol."
        parts = [f"[b]{i}[/b] {escape(printable(r.label))}" for i, r in enumerate(rs[:9], 1)]
        more = "  [b]0[/b] more…" if len(rs) > 9 else ""
        extra = "  [b]r[/b] not retrieved" if "not-retrieved" in self.session.decisions else ""
        return "Exclude: " + "  ".join(parts) + more + extra

    def on_mount(self) -> None:
        for p in self.session.problems:
            self.notify(
                escape(printable(str(p))), title="Log warning", severity="warning", timeout=10
            )
        self.refresh_record()
        if self.full_text:
            self.query_one(FullTextView).focus()
        # read who else decided what (finished records) while the reviewer reads the first one
        self.run_worker(self.session.warm_guard, thread=True, exit_on_error=False)

    # ---- display ----------------------------------------------------------------------------
    def refresh_record(self, message: str = "") -> None:
        s = self.session
        p = s.pace()
        rank = s.ranking_status()
        self.query_one("#progress", Static).update(
            f"{escape(s.stage)} · {escape(s.reviewer)} · {p.done}/{p.total} screened · "
            f"{p.rate} · {format_eta(p.seconds_left)} left" + (f" · {escape(rank)}" if rank else "")
        )
        item = s.item()
        meta = self.query_one("#meta", Static)
        if item is None:
            done = (
                f"[b]{escape(s.stop_note())}.[/b]"
                if s.stop is not None
                else f"[b]All {s.total} records are screened.[/b]"
            )
            meta.update(f"{done} Press q to quit.")
            self._show_body(None, Text(""), "")
            self.query_one("#message", Static).update(message)
            return
        rec = item.record
        head = Text()
        head.append(f"{s.counter(item)}  ", style="dim")
        head.append(item.cluster_id + "\n", style="dim")
        if rec is None:
            head.append("(record details not found in the imports)")
            body = Text("")
        else:
            title = printable(rec.title or "(no title)")
            head.append_text(highlight(title, self.inc, self.exc))
            head.stylize("bold", len(head) - len(title))
            head.append("\n" + printable("; ".join(rec.authors) or "(no authors)"), style="italic")
            year = rec.year if rec.year is not None else "n.d."
            head.append(printable(f"\n{year} · {rec.journal or '(no journal)'}"))
            body = highlight(printable(rec.abstract or "(no abstract)"), self.inc, self.exc)
        if s.stage == "full-text":
            path = printable(str(item.fulltext_path or "(no file attached)"))
            head.append(f"\nFull text: {path}", style="cyan")
        if item.current is not None:
            reason = f" — {item.current.reason}" if item.current.reason else ""
            head.append(
                printable(f"\nYour decision: {item.current.decision}{reason}"), style="bold yellow"
            )
        if item.labels:
            head.append(printable(f"\nYour labels: {', '.join(item.labels)}"), style="green")
        for also in item.also:
            head.append(printable(f"\nAlso reported as {also.text}"), style="cyan")
        if s.pending_note:
            head.append(f"\nNote: {printable(s.pending_note)}", style="magenta")
        meta.update(head)
        self._show_body(item.cluster_id, body, rec.abstract if rec is not None else "")
        self.query_one("#message", Static).update(message)

    def _show_body(self, cid: str | None, body: Text, abstract: str) -> None:
        if not self.full_text:
            self.query_one("#abstract", Static).update(body)
            self.query_one("#abstract-box", VerticalScroll).scroll_home(animate=False)
            return
        if cid == self._shown:
            return  # same record: keep the reader's place in the text
        self._shown = cid
        view = self.query_one(FullTextView)
        view.set_document(self._document(cid, abstract))

    def _document(self, cid: str | None, abstract: str) -> TextDocument:
        sections = (("Abstract (from the record)", printable(abstract or "(no abstract)")),)
        doc = partial(TextDocument, include=self.inc, exclude=self.exc)
        if cid is None:
            return doc([])
        ft = self.session.fulltext_of(cid)
        if ft is None:
            notice = (
                "No full text attached. Attach files with `review fulltext attach DIR`; "
                "press r if the report cannot be retrieved."
            )
        elif ft.status == "text":
            return doc([printable(p) for p in ft.pages], sections=sections)
        elif ft.status == "no-text":
            notice = f"This file has no text layer ({ft.message}): press o to open it."
        elif ft.status == "missing":
            notice = f"The attached file is missing: {ft.path}. Attach it again."
        else:
            notice = f"Cannot show this file's text ({ft.message}): press o to open it."
        return doc([], sections=sections, notice=printable(notice))

    def _act(self, fn: Any, *args: Any) -> None:
        try:
            msg = fn(*args)
        except ReviewError as exc:
            self.refresh_record(f"[red]{escape(printable(error_text(exc)))}[/red]")
            return
        self.refresh_record(msg or "")

    # ---- actions ----------------------------------------------------------------------------
    def _decide(self, decision: Decision, reason: str = "", why: str | None = None) -> str:
        if self.session.finished:
            return "Every record is screened."
        cid = self.session.queue[self.session.pos or 0]
        self.session.decide(decision, reason, reopen=why)
        return f"Saved {cid}: {decision}" + (f" ({reason})" if reason else "")

    def _guarded(self, check: Any, act: Any, *args: Any) -> None:
        """Run ``act(*args, why)`` at once, or after the reopen confirmation when ``check()``
        says what it undoes (a locked record is refused)."""
        try:
            undo = check()
        except ReviewError as exc:
            self.refresh_record(f"[red]{escape(printable(error_text(exc)))}[/red]")
            return
        if undo is None:
            self._act(act, *args, None)
            return
        if undo.locked:
            self.refresh_record(f"[red]Refused: {escape(printable(undo.message))}.[/red]")
            return

        def done(why: str | None) -> None:
            if why:
                self._act(act, *args, why)
            else:
                self.refresh_record("Not changed.")

        self.app.push_screen(ReopenScreen(undo.message), done)

    def _decide_checked(self, decision: Decision, reason: str = "") -> None:
        self._guarded(lambda: self.session.undo_of(decision), self._decide, decision, reason)

    def action_decide(self, value: str) -> None:
        decision = vocab(Decision, value)  # from a key binding: decide('include')
        if decision is None or decision not in self.session.decisions:
            return
        self._decide_checked(decision)

    def action_reason(self, key: str) -> None:
        try:
            reason = self.session.reason_for_key(key)
        except ReviewError as exc:
            self.refresh_record(f"[red]{escape(printable(error_text(exc)))}[/red]")
            return
        self._decide_checked(Decision.EXCLUDE, reason)

    def action_pick_reason(self) -> None:
        reasons = [(r.id, r.label) for r in self.session.cfg.exclusion_reasons]
        if not reasons:
            return

        def picked(reason: str | None) -> None:
            if reason:
                self._decide_checked(Decision.EXCLUDE, reason)

        self.app.push_screen(ReasonScreen(reasons), picked)

    def action_note(self) -> None:
        def done(text: str | None) -> None:
            if text is not None:
                self.session.set_note(text)
                self.refresh_record("Note kept; it is saved with your decision on this record.")

        self.app.push_screen(PromptScreen("Note for this record:", self.session.pending_note), done)

    def action_labels(self) -> None:
        item = self.session.item()
        if item is None:
            return

        def done(text: str | None) -> None:
            if text is not None:
                self._act(lambda t: escape(printable(self.session.set_labels(t))), text)

        self.app.push_screen(
            PromptScreen(
                "Your labels for this record, comma-separated (e.g. background, ask author); "
                "never a decision:",
                ", ".join(item.labels),
            ),
            done,
        )

    def action_undo(self) -> None:
        def undo(why: str | None) -> str:
            cid = self.session.undo(reopen=why)
            return f"Undone: {cid}" if cid else "Nothing to undo."

        self._guarded(self.session.undo_check, undo)

    def action_skip(self) -> None:
        self._act(self.session.skip)

    def action_search(self) -> None:
        if self.full_text and self.session.item() is not None:
            self._search_text()
            return
        self.action_find_record()

    def _search_text(self) -> None:
        view = self.query_one(FullTextView)

        def done(text: str | None) -> None:
            if text is None:
                return
            n = view.search(text)
            if not text.strip():
                msg = "Search cleared."
            elif n:
                msg = f"{self._match_text(view)} — ] next, [ previous"
            else:
                msg = f"{escape(text)!r} is not in this text."
            self.query_one("#message", Static).update(msg)

        self.app.push_screen(PromptScreen("Search in this full text:", view.doc.query), done)

    def _match_text(self, view: FullTextView) -> str:
        doc = view.doc
        i = doc.matches.index(view.current) + 1 if view.current in doc.matches else 0
        return f"Match {i} of {len(doc.matches)} for {escape(doc.query)!r}{self._page(view)}"

    @staticmethod
    def _page(view: FullTextView) -> str:
        if view.current is None or not view.doc.n_pages:
            return ""
        page = view.doc.page_at_line(view.doc.line_of(view.current.start))
        return f" (page {page})" if page else " (abstract)"

    def action_match(self, forward: bool) -> None:
        if not self.full_text:
            return
        view = self.query_one(FullTextView)
        if not view.doc.matches:
            msg = (
                "No search yet: press / to search the text."
                if not view.doc.query
                else (f"{escape(view.doc.query)!r} is not in this text.")
            )
        else:
            view.jump(view.doc.matches, forward)
            msg = self._match_text(view)
        self.query_one("#message", Static).update(msg)

    def action_hit(self, forward: bool) -> None:
        if not self.full_text:
            return
        view = self.query_one(FullTextView)
        hits = view.doc.hits
        if not hits:
            msg = "No protocol keywords in this text."
        else:
            i = view.jump(hits, forward)
            hit = hits[i or 0]
            word = view.doc.text[hit.start : hit.end].replace("\n", " ")
            msg = (
                f"Keyword hit {(i or 0) + 1} of {len(hits)}: {escape(word)!r} ({hit.kind})"
                f"{self._page(view)}"
            )
        self.query_one("#message", Static).update(msg)

    def action_open_file(self) -> None:
        from review.screen.fulltext_text import open_file

        item = self.session.item()
        if item is None or not item.fulltext_path:
            msg = "No file attached to this record."
        else:
            msg = open_file(self.session.project, item.fulltext_path)
        self.query_one("#message", Static).update(escape(printable(msg)))

    def action_find_record(self) -> None:
        def done(text: str | None) -> None:
            if text:
                found = self.session.search(text)
                self.refresh_record("" if found else f"No record matches {escape(text)!r}.")

        self.app.push_screen(PromptScreen("Search title, authors, journal or id:"), done)

    def action_quit(self) -> None:
        self.app.exit()


class ScreenerApp(App[None]):
    TITLE = "review screen"

    def __init__(self, session: ScreeningSession) -> None:
        super().__init__()
        self.session = session

    def on_mount(self) -> None:
        self.push_screen(ScreeningScreen(self.session))
