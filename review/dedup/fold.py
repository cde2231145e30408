"""Text folded for comparison: the first step of every dedup key (normalize.py, ltwa.py).

Unicode NFKD with accents dropped, lower case, HTML entities and tags and LaTeX markup removed.
"""

from __future__ import annotations

import html
import re
import unicodedata

_TAG = re.compile(r"<[^>]{0,200}>")
# Inline markup inside a word ("CO<inf>2</inf>", "H<sub>2</sub>O") disappears without a space.
_INLINE_TAG = re.compile(r"(?i)</?(?:inf|sub|sup|i|b|em|strong|u|sc)>")
_LATEX_CMD = re.compile(r"\\[a-zA-Z]+\s*|\\.")


def fold(text: str) -> str:
    """Unicode NFKD, accents dropped, lower case; HTML entities/tags and LaTeX markup removed."""
    if not text:
        return ""
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _TAG.sub(" ", _INLINE_TAG.sub("", text))
    if "\\" in text or "{" in text:
        text = _LATEX_CMD.sub("", text).replace("{", "").replace("}", "").replace("$", "")
    text = unicodedata.normalize("NFKD", text).lower()
    if not text.isascii():
        text = "".join(c for c in text if not unicodedata.combining(c))
        text = text.replace("ß", "ss").replace("ø", "o").replace("æ", "ae").replace("œ", "oe")
        text = text.replace("ı", "i").replace("ł", "l").replace("đ", "d")
    return text
