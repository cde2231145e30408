"""Write plain text as a simple multi-page PDF with a real text layer (matplotlib's PDF backend).

Used by the example generator (``scripts/make_example.py``), the tests and the extraction
benchmark; the pipeline itself only reads PDFs. Byte-deterministic: no creation date, producer
or creator in the metadata, fonts subset the same way every time. ``scanned=True`` draws each
page as an image instead (a PDF without a text layer, like a scan).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

_LATIN1 = str.maketrans(
    {
        "\u2014": "--",
        "\u2013": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
        "\u2022": "*",
    }
)
PAGE_SIZE = (8.27, 11.69)  # A4, inches
LINES_PER_PAGE = 56
WIDTH_CHARS = 88


def paginate(
    text: str, width: int = WIDTH_CHARS, lines_per_page: int = LINES_PER_PAGE
) -> list[list[str]]:
    """Wrap ``text`` (paragraphs separated by newlines) into pages of lines."""
    lines: list[str] = []
    for para in text.splitlines():
        if not para.strip():
            lines.append("")
            continue
        lines.extend(textwrap.wrap(para, width=width, break_on_hyphens=False) or [""])
    pages = [lines[i : i + lines_per_page] for i in range(0, len(lines), lines_per_page)]
    return pages or [[]]


def write_text_pdf(
    path: Path,
    text: str,
    *,
    title: str = "",
    keywords: str = "",
    scanned: bool = False,
    fonttype: int = 3,
) -> int:
    """Write ``text`` to ``path`` as A4 pages of wrapped lines; returns the page count.

    ``title``/``keywords`` go into the PDF's (uncompressed) document information, where
    ``fulltext attach`` finds a DOI. ``fonttype`` is matplotlib's ``pdf.fonttype``
    (3: Type 3 subsets, 42: embedded TrueType), or 14 for the standard Times font (not
    embedded; several times faster to write; text outside Latin-1 is transliterated).
    """
    metadata: dict[str, str | None] = dict.fromkeys(
        ("Creator", "Producer", "CreationDate", "ModDate")
    )
    if title:
        metadata["Title"] = title
    if keywords:
        metadata["Keywords"] = keywords
    rc: dict[str, object] = {"pdf.fonttype": fonttype, "pdf.compression": 6}
    family = "DejaVu Serif"
    if fonttype == 14:  # the 14 standard PDF fonts: nothing embedded, Latin-1 text only
        rc = {"pdf.use14corefonts": True, "pdf.compression": 6}
        family = "serif"
        text = text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")
    pages = paginate(text)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    import logging

    fm_log = logging.getLogger("matplotlib.font_manager")
    level = fm_log.level
    fm_log.setLevel(logging.ERROR)  # "Failed to find font weight normal for Times": harmless
    try:
        _write(path, pages, rc, family, metadata, scanned)
    finally:
        fm_log.setLevel(level)
    return len(pages)


def _write(path: Path, pages: list[list[str]], rc: dict, family: str, metadata: dict,
           scanned: bool) -> None:  # fmt: skip
    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    with matplotlib.rc_context(rc), PdfPages(path, metadata=metadata) as pdf:
        for number, lines in enumerate(pages, start=1):
            fig = Figure(figsize=PAGE_SIZE)
            top = 0.95
            if scanned:
                _draw_scanned(fig, lines)
            else:
                fig.text(
                    0.08,
                    top,
                    "\n".join(lines),
                    fontsize=9.5,
                    family=family,
                    va="top",
                    linespacing=1.32,
                )
                fig.text(0.5, 0.03, str(number), fontsize=9, ha="center", family=family)
            pdf.savefig(fig)


def _draw_scanned(fig: Any, lines: list[str]) -> None:
    """The page as a grey raster (lines of 'ink'), no text objects: what a scan looks like."""
    import numpy as np

    height, width = 700, 500
    img = np.full((height, width), 245, dtype=np.uint8)
    for i, line in enumerate(lines):
        y = 40 + i * 11
        if y + 4 >= height or not line:
            continue
        img[y : y + 4, 40 : 40 + min(len(line) * 5, width - 80)] = 60
    ax = fig.add_axes((0, 0, 1, 1))
    ax.imshow(img, cmap="gray", vmin=0, vmax=255, aspect="auto", interpolation="nearest")
    ax.set_axis_off()
