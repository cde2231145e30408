"""Figures authors can edit: one matplotlib setting for every figure the tool writes.

SVGs keep their text as real ``<text>`` elements (``svg.fonttype = "none"``) with a font
fallback list, so a journal's "please change this label" is a text edit, not a redraw; PNGs are
300 dpi. Matplotlib is imported only inside :func:`editable`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

PNG_DPI = 300
# The first font is the one text is measured with (DejaVu Sans ships with matplotlib); the
# others are what an SVG viewer uses when it is not installed.
FALLBACK_FONTS = ("Arial", "Helvetica", "Liberation Sans", "sans-serif")


def font_family(first: str = "DejaVu Sans") -> list[str]:
    """``[first, *FALLBACK_FONTS]`` without repeats: the ``family`` of every text artist."""
    return list(dict.fromkeys([first, *FALLBACK_FONTS]))


@contextlib.contextmanager
def editable(salt: str, first_font: str = "DejaVu Sans") -> Iterator[None]:
    """rcParams for deterministic, editable output: fixed SVG ids (``salt``), text as text,
    the font fallback list, TrueType in PDFs. Missing fallback fonts are not warned about (they
    are for the reader's machine, not ours)."""
    import logging

    import matplotlib

    log = logging.getLogger("matplotlib.font_manager")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        with matplotlib.rc_context(
            {
                "svg.hashsalt": salt,
                "svg.fonttype": "none",
                "pdf.fonttype": 42,
                "font.family": font_family(first_font),
            }
        ):
            yield
    finally:
        log.setLevel(level)
