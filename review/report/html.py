"""Render :class:`~review.report.data.ReportData` as one self-contained HTML file (Jinja2).

CSS and the page script are inlined from ``review/report/assets``; figures are inline SVG; the
records behind every PRISMA count travel as gzipped JSON and are unpacked in the browser only
when a count is clicked. Nothing is fetched from the network.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from review.percent import RULE as PERCENT_RULE
from review.percent import share_text
from review.prisma.diagram import DiagramOptions, merged_labels
from review.prisma.search_text import APPENDIX_HEADING
from review.report import svg
from review.report.data import ReportData

ASSETS = Path(__file__).parent / "assets"


def _md_plain(text: str) -> str:
    """Undo :func:`review.io.printable.md_text` (the report shows text, escaped again below)."""
    text = re.sub(r"\\([\\`*\[\]|_])", r"\1", text)
    return text.replace("&lt;", "<").replace("&amp;", "&")


def _methods_html(markdown: str) -> str:
    """The methods paragraphs (headings and paragraphs only; the text is ours). The appendix of
    full search strategies is left out: the report shows it in its own section."""
    markdown = markdown.split("\n" + APPENDIX_HEADING + "\n", 1)[0]
    out = []
    for block in re.split(r"\n\s*\n", markdown.strip()):
        block = _md_plain(" ".join(block.split()))
        if not block:
            continue
        if block.startswith("#"):
            out.append(f"<h3>{html.escape(block.lstrip('#').strip())}</h3>")
        elif block.startswith(">"):  # the provisional note: **bold** and `code` of our own
            body = html.escape(block.lstrip(">").strip())
            body = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", body)
            body = re.sub(r"`([^`]+)`", r"<code>\1</code>", body)
            out.append(f'<p class="warn">{body}</p>')
        else:
            out.append(f"<p>{html.escape(block)}</p>")
    return "\n".join(out)


# Inside <script> the HTML parser ends the block at "</script" and enters an escaped state at
# "<!--"; JavaScript ends a line at U+2028/U+2029 in older engines. JSON may escape any character
# as \uXXXX, so these leave the block as escapes and JSON.parse reads the same value back.
_SCRIPT_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def _script_json(obj: Any) -> str:
    """JSON for a ``<script type="application/json">`` block: no ``<``, ``>`` or ``&`` in it at
    all (they occur only inside strings, where ``\\u003c`` means the same)."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.translate(_SCRIPT_ESCAPES)


def script_hash(script: str) -> str:
    """The CSP source (``'sha256-…'``) that lets exactly this inline script run."""
    import base64
    import hashlib

    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _pct(value: Any) -> str:
    if not isinstance(value, (int, float)):
        return "–"
    return f"{share_text(value)}%"


def _ci(value: Any) -> str:
    if (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and all(isinstance(x, (int, float)) for x in value)
    ):
        return f"{value[0]:.2f} to {value[1]:.2f}"
    return "–"


def _sentence(text: Any) -> str:
    """Capitalise a message's first word, unless it is a path or a name (has / or .)."""
    text = str(text)
    first = text.split(" ", 1)[0]
    return text if "/" in first or "." in first else text[:1].upper() + text[1:]


def _trusted(text: str) -> Any:
    """Mark our own, already escaped HTML/SVG/CSS/JS as safe for the template."""
    from markupsafe import Markup

    return Markup(text)  # noqa: S704 - built by this module and svg.py with every value escaped


def render(data: ReportData) -> str:
    """The report as one HTML string (deterministic for the same project files)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(ASSETS)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["fmt"] = _fmt
    env.filters["pct"] = _pct
    env.filters["ci"] = _ci
    env.filters["sentence"] = _sentence

    prisma_svg = ""
    if data.layout is not None and data.flow is not None:
        prisma_svg = svg.prisma_svg(data.layout, data.flow, merged_labels(DiagramOptions()))
    gap_svg = upset = ""
    charting = data.charting.data
    if charting is not None and charting.gap_map is not None:
        gap_svg = svg.gap_map_svg(charting.gap_map)
    if data.dedup.data is not None:
        upset = svg.upset_svg(data.dedup.data)

    page_data: dict[str, Any] = {"explain": data.explain_blob}
    if data.prisma.data is not None:
        page_data["prisma"] = data.prisma.data.as_json()
    if charting is not None:
        page_data["gap"] = charting.gap_map.page_json() if charting.gap_map else None
        page_data["units"] = {
            p.id: {"name": p.cells.get("name", p.id), "reports": list(p.reports)}
            for p in charting.overview
        }
        page_data["citations"] = {r.id: r.cells["citation"] for r in charting.reports}

    template = env.get_template("report.html.j2")
    # The page script runs because its hash is in the CSP, not because inline scripts may run:
    # a script element smuggled in by a missed escape would not.
    js = "\n" + (ASSETS / "report.js").read_text(encoding="utf-8") + "\n"
    return template.render(
        d=data,
        css=_trusted((ASSETS / "report.css").read_text(encoding="utf-8")),
        js=_trusted(js),
        script_src=_trusted(script_hash(js)),
        page_json=_trusted(_script_json(page_data)),
        prisma_svg=_trusted(prisma_svg),
        gap_svg=_trusted(gap_svg),
        upset_svg=_trusted(upset),
        methods=_trusted(_methods_html(data.methods)),
        percent_rule=PERCENT_RULE,
    )
