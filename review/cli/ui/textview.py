"""The full-text pane of the screener: a Textual line-API scroll view over a :class:`TextDocument`.

Only the lines in view are styled and rendered (``render_line``), so showing, scrolling or
searching a 40-page article costs the same as a one-page one. Keyword hits are highlighted like
title/abstract screening; search matches in yellow, the current one reversed.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from review.screen.textdoc import Span, TextDocument

STYLES = {
    "include": Style.parse("bold black on green3"),
    "exclude": Style.parse("bold white on red3"),
    "match": Style.parse("black on yellow"),
    "current": Style.parse("bold black on bright_yellow reverse"),
    "marker": Style.parse("bold cyan"),
}


class FullTextView(ScrollView, can_focus=True):
    """Scrollable full text with page markers; ``k``/``K`` and search move ``cursor``."""

    BINDINGS: ClassVar = [
        Binding("space", "page_down", "Page down", show=False),
        Binding("b", "page_up", "Page up", show=False),
    ]
    DEFAULT_CSS = """
    FullTextView { height: 1fr; border: round $panel; padding: 0 1; }
    FullTextView:focus { border: round $accent; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.doc = TextDocument([])
        self.cursor = 0  # offset of the last hit/match jumped to
        self.current: Span | None = None

    # ---- content ----------------------------------------------------------------------------
    def set_document(self, doc: TextDocument) -> None:
        self.doc = doc
        self.cursor = 0
        self.current = None
        self._layout()
        self.scroll_to(0, 0, animate=False, immediate=True)
        self._update_title()
        self.refresh()

    def _text_width(self) -> int:
        width = self.scrollable_content_region.width or self.size.width or 80
        if not self.show_vertical_scrollbar:  # a long text will need one: leave it room
            width -= self.styles.scrollbar_size_vertical
        return max(10, width)

    def _layout(self) -> None:
        lines = self.doc.wrap(self._text_width())
        self.virtual_size = Size(self.doc.width, len(lines))

    def on_resize(self) -> None:
        lines = self.doc.lines
        top = lines[min(int(self.scroll_y), len(lines) - 1)][0] if lines else 0
        self._layout()
        self.scroll_to(0, self.doc.line_of(top), animate=False, immediate=True)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._update_title()

    def _update_title(self) -> None:
        doc = self.doc
        if doc.n_pages:
            page = doc.page_at_line(int(self.scroll_y))
            where = f"page {page} of {doc.n_pages}" if page else f"{doc.n_pages} pages"
            self.border_title = f"Full text · {where}"
        else:
            self.border_title = "Full text"
        hits = len(doc.hits)
        found = f" · {len(doc.matches)} × {doc.query!r}" if doc.query else ""
        self.border_subtitle = f"{hits} keyword hits{found}"

    # ---- rendering --------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        n = y + scroll_y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if n >= len(self.doc.lines):
            return Strip.blank(width, base)
        start, end = self.doc.lines[n]
        text = self.doc.text[start:end]
        if self.doc.is_marker(start):
            segments = [Segment(text, base + STYLES["marker"])]
        else:
            segments = self._segments(text, start, end, base)
        strip = Strip(segments).extend_cell_length(width, base)
        return strip.crop(scroll_x, scroll_x + width)

    def _segments(self, text: str, start: int, end: int, base: Style) -> list[Segment]:
        spans = TextDocument.spans_in(start, end, self.doc.hits)
        spans += TextDocument.spans_in(start, end, self.doc.matches)
        if not spans:
            return [Segment(text, base)]
        styles: list[Style | None] = [None] * len(text)
        for sp in spans:
            key = "current" if sp == self.current else sp.kind
            style = STYLES[key]
            for i in range(max(sp.start, start) - start, min(sp.end, end) - start):
                styles[i] = style
        out: list[Segment] = []
        i = 0
        while i < len(text):
            j = i
            while j < len(text) and styles[j] is styles[i]:
                j += 1
            st = styles[i]
            out.append(Segment(text[i:j], base + st if st is not None else base))
            i = j
        return out

    # ---- moving -----------------------------------------------------------------------------
    def show_span(self, span: Span) -> None:
        """Scroll so ``span`` sits a third of the way down the pane, and mark it current."""
        self.current = span
        self.cursor = span.start
        line = self.doc.line_of(span.start)
        target = max(0, line - self.scrollable_content_region.height // 3)
        self.scroll_to(0, target, animate=False, immediate=True)
        self._update_title()
        self.refresh()

    def _from(self) -> int:
        """Where the next jump starts: the current hit/match while it is in view, else just
        before the top line in view (after scrolling away, jumps start from what you see)."""
        top = int(self.scroll_y)
        if self.current is not None:
            line = self.doc.line_of(self.current.start)
            if top <= line < top + max(1, self.scrollable_content_region.height):
                return self.cursor
        return self.doc.lines[top][0] - 1 if self.doc.lines and top else -1

    def jump(self, spans: list[Span], forward: bool = True) -> int | None:
        """Go to the next (or previous) span after the cursor; returns its index or None."""
        i = TextDocument.next_index(spans, self._from(), forward)
        if i is None:
            return None
        self.show_span(spans[i])
        return i

    def search(self, query: str) -> int:
        """Find ``query``; jump to the first match from the top line in view. Returns count."""
        self.current = None
        n = self.doc.search(query)
        if n:
            self.jump(self.doc.matches, True)
        else:
            self._update_title()
            self.refresh()
        return n
