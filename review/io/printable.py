"""Text from data made safe to show: no terminal escapes, no bidi tricks, no live markup.

Record fields, notes, reason labels, source names and file names come from files that other
people write (exports, a teammate's protocol.yaml, a shared log). Printed raw, an ``ESC`` starts
a terminal escape sequence (``ESC[2J`` clears the screen, an OSC 8 sequence plants a link, an
OSC 52 sequence writes the clipboard), a C1 control (U+0080–U+009F) does the same on terminals
that honour 8-bit controls, and a bidi override (U+202A–U+202E, U+2066–U+2069) makes text read
differently from what it holds. :func:`printable` shows each such character as a visible escape
(``\\x1b``, ``\\u202e``) so nothing is hidden and nothing runs; tab and newline stay.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls, bidi embeddings/overrides/isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# The same without CR and the other C0 controls a CSV quotes safely (tab, CR, LF stay).
_UNSAFE_CELL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control, C1 and bidi-override character shown as an escape."""
    return _UNSAFE.sub(_visible, text) if _UNSAFE.search(text) else text


def cell_text(text: str) -> str:
    """A CSV cell's text: like :func:`printable`, but a cell keeps its CR (multi-line fields)."""
    return _UNSAFE_CELL.sub(_visible, text) if _UNSAFE_CELL.search(text) else text


def has_unsafe(text: str) -> bool:
    """Would :func:`printable` change ``text`` (a control, C1 or bidi-override character)?"""
    return bool(_UNSAFE.search(text))


def has_control(text: str) -> bool:
    """Does ``text`` hold a character :func:`printable` would escape (tab and newline too)?"""
    return bool(_UNSAFE.search(text)) or "\t" in text or "\n" in text


def json_safe(text: str) -> str:
    """JSON text (``ensure_ascii=False``) with C1 controls and bidi overrides as ``\\uXXXX``
    escapes: the same JSON value, nothing live on a terminal (C0 controls JSON escapes itself)."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) if _UNSAFE.search(text) else text


# Markdown: what would start raw HTML (a tag, a comment, a processing instruction), an entity,
# emphasis, code, a link or a table cell boundary. Word-internal underscores (snake_case) are
# inert in CommonMark and stay as they are, so normal text reads the same in the .md file.
_MD_ACTIVE = re.compile(r"[\\`*\[\]|]|<(?=[A-Za-z/!?])|&(?=#?\w+;)|(?<!\w)_|_(?!\w)")
_MD_HTML = {"<": "&lt;", "&": "&amp;"}


def md_text(value: object) -> str:
    """``value`` as literal text inside a Markdown paragraph or table cell (methods.md,
    summary.md, checklists): controls escaped (:func:`printable`), line breaks as spaces, raw
    HTML shown as text (``<script>`` → ``&lt;script>``), Markdown syntax backslash-escaped."""
    text = " ".join(printable(str(value)).split())
    return _MD_ACTIVE.sub(lambda m: _MD_HTML.get(m.group(), "\\" + m.group()), text)
