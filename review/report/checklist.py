"""The reporting checklist of the review's type, with a column saying where the project's own
files address each item:

- ``review_type: scoping`` (the default): PRISMA-ScR (Tricco et al., 2018; 20 essential items
  and 2 optional ones, 12 and 16) → ``outputs/report/prisma-scr.xlsx`` and ``.md``;
- ``review_type: systematic``: PRISMA 2020 (Page et al., 2021; 27 items with their sub-items)
  and, as a second sheet / section, PRISMA 2020 for Abstracts (12 items) →
  ``outputs/report/prisma-2020.xlsx`` and ``.md``.

The items are data (:mod:`review.report.checklist_items`, with the sources of their wording).
A "where" cell is filled only when the tool knows the answer and the file it points to exists
(an ``#anchor`` must exist in the file too); the search-strategy item only when a source has a
recorded query. Everything else is left blank for the authors (page numbers of the manuscript,
the rationale, the discussion …).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from review.chart.outputs import stable_xlsx_bytes
from review.io.files import atomic_write_bytes, atomic_write_text
from review.io.printable import md_text
from review.io.xlsx import set_cell
from review.nextstep import Action, Render, step
from review.prisma.search_text import APPENDIX_HEADING
from review.report.checklist_items import (
    ABSTRACT_ITEMS,
    PRISMA2020_CITATION,
    PRISMA2020_ITEMS,
    SCR_CITATION,
    SCR_FOOTNOTES,
    SCR_ITEMS,
    Item,
)
from review.search import project_searches

if TYPE_CHECKING:
    from review.project import Project

# The names earlier versions exported (the PRISMA-ScR checklist).
ITEMS, FOOTNOTES, CITATION = SCR_ITEMS, SCR_FOOTNOTES, SCR_CITATION


@dataclass(frozen=True, slots=True)
class Where:
    """The files that address an item and what they show; ``needs_query``: only when a source
    has a recorded search query (the search-strategy items), and a file without an ``#anchor``
    counts only when it holds ``contains`` (a methods.md written before the query was not)."""

    files: tuple[str, ...]
    what: str
    needs_query: bool = False
    contains: str = ""
    # (file, phrase): "and <phrase>" joins ``what`` only when that file exists (a comparison of
    # two charters is claimed only when the chart compare command wrote it)
    also: tuple[tuple[str, str], ...] = ()


_METHODS = "outputs/prisma/methods.md"
_PROTOCOL = "protocols/protocol.yaml"
_SCHEMA = "extraction_schema.yaml"
_SEARCH = Where(
    (_METHODS, "outputs/report.html#search"),
    "the full search strategy (query, limits and filters, date, results reported) of",
    needs_query=True,
    contains="\n" + APPENDIX_HEADING + "\n",
)
_SOURCES = Where((_METHODS, _PROTOCOL), "sources, platforms and search dates")
_SELECTION = Where(
    (
        _METHODS,
        "outputs/screening/title-abstract-disagreements.xlsx",
        "outputs/screening/full-text-disagreements.xlsx",
        "outputs/report.html#screening",
    ),
    "screening process, reviewers per record, agreement, resolution",
)
_FLOW = Where(
    (
        "outputs/prisma/prisma.svg",
        "outputs/prisma/prisma.pdf",
        "outputs/prisma/prisma.json",
        "outputs/report.html#flow",
    ),
    "PRISMA 2020 flow diagram with reasons for exclusion",
)
_COMPARISON = "outputs/charting/disagreements.xlsx"
_CHARTING_FORM = Where(
    (_SCHEMA, _COMPARISON, "outputs/report.html#charting"),
    "charting form (schema)",
    also=((_COMPARISON, "dual-charting comparison"),),
)

# PRISMA-ScR item -> where (keys are item labels: "8", "10a").
SCR_WHERE: dict[str, Where] = {
    "5": Where((_PROTOCOL,), "the review protocol (registration: add it)"),
    "6": Where((_PROTOCOL,), "eligibility criteria and exclusion reasons"),
    "7": _SOURCES,
    "8": _SEARCH,
    "9": _SELECTION,
    "10": _CHARTING_FORM,
    "11": Where((_SCHEMA,), "every charted variable with its definition"),
    "13": Where(
        ("outputs/charting/summary.md", "outputs/charting/summary.xlsx"),
        "frequency tables, crosstabs and gap map (how charted data were summarised)",
    ),
    "14": _FLOW,
    "15": Where(
        ("outputs/charting/summary.xlsx", "outputs/report.html#reports"),
        "one row per included report with its citation (Sample sheet)",
    ),
    "17": Where(
        ("outputs/charting/summary.xlsx", "outputs/report.html#overview"),
        "charted data per report (Sample sheet) and per unit of the schema's further level, if any "
        "(its overview sheet)",
    ),
    "18": Where(
        (
            "outputs/charting/summary.md",
            "outputs/charting/gap-map.svg",
            "outputs/report.html#charting",
        ),
        "frequencies, crosstabs and the evidence-gap map",
    ),
}

# PRISMA 2020 item -> where: only what the project's files really hold (no risk of bias, effect
# measures or syntheses: the tool does not record them).
PRISMA2020_WHERE: dict[str, Where] = {
    "5": Where((_PROTOCOL,), "inclusion and exclusion criteria and exclusion reasons"),
    "6": _SOURCES,
    "7": _SEARCH,
    "8": _SELECTION,
    "9": Where(
        (_SCHEMA, _COMPARISON, "outputs/report.html#charting"),
        "data collection form (schema)",
        also=((_COMPARISON, "the comparison of independent data collection"),),
    ),
    "10b": Where((_SCHEMA,), "every variable collected, with its definition"),
    "16a": _FLOW,
    "17": Where(
        ("outputs/charting/summary.xlsx", "outputs/report.html#reports"),
        "one row per included report with its citation and characteristics",
    ),
    "24b": Where((_PROTOCOL,), "the review protocol"),
}


@dataclass(frozen=True, slots=True)
class Checklist:
    """One checklist: its items, where the project addresses them, and how it is printed."""

    name: str  # "PRISMA-ScR"
    items: tuple[Item, ...]
    where: dict[str, Where]
    citation: str
    footnotes: tuple[str, ...] = ()
    item_column: str = "Checklist item"
    essential_column: bool = False  # PRISMA-ScR marks items 12 and 16 optional
    intro: str = ""
    sections: tuple[Checklist, ...] = field(default=())  # further checklists in the same file


SCR = Checklist(
    "PRISMA-ScR",
    SCR_ITEMS,
    SCR_WHERE,
    SCR_CITATION,
    SCR_FOOTNOTES,
    item_column="PRISMA-ScR checklist item",
    essential_column=True,
    intro="Where each item of the PRISMA extension for scoping reviews is addressed.",
)
PRISMA2020_ABSTRACTS = Checklist(
    "PRISMA 2020 for Abstracts",
    ABSTRACT_ITEMS,
    {},  # the abstract is the authors' text: nothing in the project's files addresses it
    PRISMA2020_CITATION,
    intro="Each item is about the abstract of the manuscript; fill in where it is reported.",
)
PRISMA2020 = Checklist(
    "PRISMA 2020",
    PRISMA2020_ITEMS,
    PRISMA2020_WHERE,
    PRISMA2020_CITATION,
    item_column="PRISMA 2020 checklist item",
    intro="Where each item of the PRISMA 2020 statement for systematic reviews is addressed.",
    sections=(PRISMA2020_ABSTRACTS,),
)
# review_type -> (checklist, default file stem under outputs/report/)
BY_TYPE: dict[str, tuple[Checklist, str]] = {
    "scoping": (SCR, "prisma-scr"),
    "systematic": (PRISMA2020, "prisma-2020"),
}


@dataclass(frozen=True, slots=True)
class Row:
    item: Item
    where: str  # "" when the tool does not know
    files: tuple[str, ...]


def checklist_for(project: Project) -> Checklist:
    """The checklist of the protocol's ``review_type``."""
    return BY_TYPE[project.protocol.review_type][0]


def _with_query(project: Project) -> list[str]:
    """The sources with a recorded search query."""
    return [s.name for s in project_searches(project) if s.has_query]


def _present(root: Path, ref: str, texts: dict[str, str], contains: str = "") -> bool:
    """Whether ``file`` (holding ``contains``) or ``file#anchor`` exists in the project (the
    anchor as an HTML id)."""
    rel, _, anchor = ref.partition("#")
    path = root / rel
    if not path.is_file():
        return False
    if not anchor and not contains:
        return True
    if rel not in texts:
        texts[rel] = path.read_text(encoding="utf-8", errors="replace")
    return f'id="{anchor}"' in texts[rel] if anchor else contains in texts[rel]


def checklist_rows(project: Project, checklist: Checklist | None = None) -> list[Row]:
    """Every item of ``checklist`` (default: the review type's), with where the project's
    existing files address it."""
    checklist = checklist or checklist_for(project)
    root = project.root
    texts: dict[str, str] = {}
    queried: list[str] | None = None
    rows = []
    for item in checklist.items:
        files: tuple[str, ...] = ()
        where = ""
        spec = checklist.where.get(item.label)
        if spec is not None and spec.needs_query and queried is None:
            queried = _with_query(project)
        if spec is not None and (queried or not spec.needs_query):
            files = tuple(f for f in spec.files if _present(root, f, texts, spec.contains))
            what = f"{spec.what} {', '.join(queried or ())}" if spec.needs_query else spec.what
            what += "".join(f" and {phrase}" for f, phrase in spec.also if f in files)
            if files:
                where = f"{'; '.join(files)} ({what})"
        rows.append(Row(item, where, files))
    return rows


def _header(checklist: Checklist) -> tuple[str, ...]:
    essential = ("Essential/optional",) if checklist.essential_column else ()
    return (
        "Section",
        "Item",
        "Topic",
        checklist.item_column,
        *essential,
        "Where addressed (project files)",
        "Reported on page #",
    )


def _table(rows: list[Row], checklist: Checklist) -> list[list[str]]:
    out = []
    for r in rows:
        essential = ["optional" if r.item.optional else "essential"]
        out.append(
            [
                r.item.section.upper(),
                r.item.label,
                r.item.topic,
                r.item.text,
                *(essential if checklist.essential_column else []),
                r.where,
                "",
            ]
        )
    return out


def _markdown_table(rows: list[Row], checklist: Checklist) -> list[str]:
    def cell(v: str) -> str:
        return v.replace("|", "\\|")

    header = _header(checklist)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in _table(rows, checklist):
        # the published wording as typed; "where" names sources, which are the user's text
        cells = [*(cell(v) for v in row[:-2]), md_text(row[-2]), cell(row[-1])]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def checklist_markdown(
    rows: list[Row],
    title: str,
    checklist: Checklist = SCR,
    extra: list[list[Row]] | None = None,
    command: Render = str,
) -> str:
    """The checklist as Markdown; ``extra``: the rows of ``checklist.sections`` (one each);
    ``command`` spells the command that fills it in."""
    lines = [
        f"# {checklist.name} checklist: {md_text(title)}",
        "",
        f"{checklist.intro} *Where addressed* is filled in by "
        f"{command(step(Action.REPORT_CHECKLIST))} from the project's files (only files that exist are named); fill in the page numbers of your "
        "manuscript and the blank rows.",
        "",
        *_markdown_table(rows, checklist),
    ]
    for section, section_rows in zip(checklist.sections, extra or [], strict=False):
        lines += ["", f"## {section.name} checklist", "", section.intro, ""]
        lines += _markdown_table(section_rows, section)
    if checklist.footnotes:
        notes = [n.replace("*", "\\*", 1) for n in checklist.footnotes]
        lines += ["", *(f"{n}  " for n in notes[:-1]), notes[-1]]
    lines += ["", f"Source: {checklist.citation}."]
    return "\n".join(lines) + "\n"


def _sheet(ws: Any, rows: list[Row], title: str, checklist: Checklist) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    ws.title = checklist.name[:31]  # Excel's limit on sheet names
    ws.append([None])
    set_cell(ws["A1"], f"{checklist.name} checklist: {title}")  # a title is text, never a formula
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(list(_header(checklist)))
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE5F0")
    for values in _table(rows, checklist):
        ws.append([None] * len(values))
        for c, v in enumerate(values, start=1):
            cell = ws.cell(row=ws.max_row, column=c)
            set_cell(cell, int(v) if c == 2 and v.isdigit() else v)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = (13, 6, 30, 60, *((11,) if checklist.essential_column else ()), 60, 16)
    for col, width in zip("ABCDEFG", widths, strict=False):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A3"
    r = ws.max_row + 2
    for note in (*checklist.footnotes, f"Source: {checklist.citation}."):
        ws.cell(row=r, column=1, value=note)
        r += 1


def checklist_workbook(
    rows: list[Row], title: str, checklist: Checklist = SCR, extra: list[list[Row]] | None = None
) -> bytes:
    """The checklist as a workbook: one sheet, plus one per ``checklist.sections``."""
    from openpyxl import Workbook

    wb = Workbook()
    _sheet(wb.active, rows, title, checklist)
    for section, section_rows in zip(checklist.sections, extra or [], strict=False):
        _sheet(wb.create_sheet(), section_rows, title, section)
    return stable_xlsx_bytes(wb)


def default_output(project: Project) -> Path:
    """``outputs/report/prisma-scr.xlsx`` or ``prisma-2020.xlsx`` (by ``review_type``)."""
    return project.output("report", BY_TYPE[project.protocol.review_type][1] + ".xlsx")


def write_checklist(
    project: Project, output: Path | None = None, command: Render = str
) -> tuple[Path, Path]:
    """Write the review type's checklist as .xlsx and .md (same stem); return both paths."""
    xlsx = Path(output) if output is not None else default_output(project)
    if xlsx.suffix.lower() != ".xlsx":
        xlsx = xlsx.with_suffix(".xlsx")
    md = xlsx.with_suffix(".md")
    checklist = checklist_for(project)
    rows = checklist_rows(project, checklist)
    extra = [checklist_rows(project, s) for s in checklist.sections]
    title = project.protocol.title
    atomic_write_bytes(xlsx, checklist_workbook(rows, title, checklist, extra))
    atomic_write_text(md, checklist_markdown(rows, title, checklist, extra, command))
    return xlsx, md
