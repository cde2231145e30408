"""Text folded for comparison: the first step of every dedup key (normalize.py, ltwa.py).

Unicode NFKD with accents dropped, lower case, HTML entities and tags and LaTeX markup removed.
"""

from __future__ import annotations

import html
import re
import unicodedata

_TAG = re.compile(r"<[^>]{0,200}>")
# Inline markup inside a word ("CO<inf>2</inf>", "H<sub>2</sub>O") disappears without a space.
_INLINE_TAG = re.compile(
    r"(?i)</?(?:inf|sub|sup|i|b|em|strong|u|sc|scp|italic|bold|span|small|tt|mml:\w+|m:\w+)"
    r"(?:\s[^>]{0,120})?>"
)
# UTF-8 read as cp1252/Latin-1 ("RevÃ­sta mÃ©dica", "Ã¼ber", "â€™"): a lead byte shown as one of
# these letters followed by a continuation byte shown as a Latin-1/cp1252 symbol.
_MOJIBAKE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152-\u0178\u0192\u02c6-\u02dc\u2013-\u2122]"
)
_LATEX_CMD = re.compile(r"\\[a-zA-Z]+\s*|\\.")


def fold(text: str) -> str:
    """Unicode NFKD, accents dropped, lower case; HTML entities/tags and LaTeX markup removed."""
    if not text:
        return ""
    if not text.isascii() and _MOJIBAKE.search(text):
        text = repair_mojibake(text)
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


def repair_mojibake(text: str) -> str:
    """UTF-8 bytes that an export decoded as cp1252 or Latin-1, decoded again (``RevÃ­sta`` ->
    ``Revísta``); the text unchanged when it does not round-trip."""
    for codec in ("cp1252", "latin-1"):
        try:
            return text.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
    return text
