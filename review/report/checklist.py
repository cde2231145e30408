"""The PRISMA-ScR checklist (Tricco et al., 2018, Ann Intern Med 169:467-473, Table 2 / the
fillable checklist): 20 essential items and 2 optional ones (12 and 16, critical appraisal),
with a column saying where the project's own files address each item.

A "where" cell is filled only when the tool knows the answer and the file it points to exists;
everything else is left blank for the authors (page numbers of the manuscript, the rationale,
the discussion …). Item wording is the published checklist's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from review.project import Project


@dataclass(frozen=True, slots=True)
class Item:
    section: str
    topic: str
    number: int
    text: str
    optional: bool = False


ITEMS: tuple[Item, ...] = (
    Item("Title", "Title", 1, "Identify the report as a scoping review."),
    Item(
        "Abstract",
        "Structured summary",
        2,
        "Provide a structured summary that includes (as applicable): background, objectives, "
        "eligibility criteria, sources of evidence, charting methods, results, and conclusions "
        "that relate to the review questions and objectives.",
    ),
    Item(
        "Introduction",
        "Rationale",
        3,
        "Describe the rationale for the review in the context of what is already known. "
        "Explain why the review questions/objectives lend themselves to a scoping review "
        "approach.",
    ),
    Item(
        "Introduction",
        "Objectives",
        4,
        "Provide an explicit statement of the questions and objectives being addressed with "
        "reference to their key elements (e.g., population or participants, concepts, and "
        "context) or other relevant key elements used to conceptualize the review questions "
        "and/or objectives.",
    ),
    Item(
        "Methods",
        "Protocol and registration",
        5,
        "Indicate whether a review protocol exists; state if and where it can be accessed "
        "(e.g., a Web address); and if available, provide registration information, including "
        "the registration number.",
    ),
    Item(
        "Methods",
        "Eligibility criteria",
        6,
        "Specify characteristics of the sources of evidence used as eligibility criteria (e.g., "
        "years considered, language, and publication status), and provide a rationale.",
    ),
    Item(
        "Methods",
        "Information sources*",
        7,
        "Describe all information sources in the search (e.g., databases with dates of coverage "
        "and contact with authors to identify additional sources), as well as the date the most "
        "recent search was executed.",
    ),
    Item(
        "Methods",
        "Search",
        8,
        "Present the full electronic search strategy for at least 1 database, including any "
        "limits used, such that it could be repeated.",
    ),
    Item(
        "Methods",
        "Selection of sources of evidence†",
        9,
        "State the process for selecting sources of evidence (i.e., screening and eligibility) "
        "included in the scoping review.",
    ),
    Item(
        "Methods",
        "Data charting process‡",
        10,
        "Describe the methods of charting data from the included sources of evidence (e.g., "
        "calibrated forms or forms that have been tested by the team before their use, and "
        "whether data charting was done independently or in duplicate) and any processes for "
        "obtaining and confirming data from investigators.",
    ),
    Item(
        "Methods",
        "Data items",
        11,
        "List and define all variables for which data were sought and any assumptions and "
        "simplifications made.",
    ),
    Item(
        "Methods",
        "Critical appraisal of individual sources of evidence§",
        12,
        "If done, provide a rationale for conducting a critical appraisal of included sources of "
        "evidence; describe the methods used and how this information was used in any data "
        "synthesis (if appropriate).",
        optional=True,
    ),
    Item(
        "Methods",
        "Synthesis of results",
        13,
        "Describe the methods of handling and summarizing the data that were charted.",
    ),
    Item(
        "Results",
        "Selection of sources of evidence",
        14,
        "Give numbers of sources of evidence screened, assessed for eligibility, and included "
        "in the review, with reasons for exclusions at each stage, ideally using a flow diagram.",
    ),
    Item(
        "Results",
        "Characteristics of sources of evidence",
        15,
        "For each source of evidence, present characteristics for which data were charted and "
        "provide the citations.",
    ),
    Item(
        "Results",
        "Critical appraisal within sources of evidence",
        16,
        "If done, present data on critical appraisal of included sources of evidence (see "
        "item 12).",
        optional=True,
    ),
    Item(
        "Results",
        "Results of individual sources of evidence",
        17,
        "For each included source of evidence, present the relevant data that were charted "
        "that relate to the review questions and objectives.",
    ),
    Item(
        "Results",
        "Synthesis of results",
        18,
        "Summarize and/or present the charting results as they relate to the review questions "
        "and objectives.",
    ),
    Item(
        "Discussion",
        "Summary of evidence",
        19,
        "Summarize the main results (including an overview of concepts, themes, and types of "
        "evidence available), link to the review questions and objectives, and consider the "
        "relevance to key groups.",
    ),
    Item(
        "Discussion",
        "Limitations",
        20,
        "Discuss the limitations of the scoping review process.",
    ),
    Item(
        "Discussion",
        "Conclusions",
        21,
        "Provide a general interpretation of the results with respect to the review questions "
        "and objectives, as well as potential implications and/or next steps.",
    ),
    Item(
        "Funding",
        "Funding",
        22,
        "Describe sources of funding for the included sources of evidence, as well as sources "
        "of funding for the scoping review. Describe the role of the funders of the scoping "
        "review.",
    ),
)

FOOTNOTES = (
    "* Where sources of evidence are compiled from, such as bibliographic databases, social "
    "media platforms, and Web sites.",
    "† A more inclusive term than 'studies' for the kinds of evidence a scoping review may "
    "include (e.g. quantitative and/or qualitative research, expert opinion, policy "
    "documents); not to be confused with information sources.",
    "‡ Data charting is what the scoping-review frameworks (Arksey and O'Malley; Levac and "
    "colleagues; JBI) call data extraction.",
    "§ Critical appraisal: systematically examining evidence for its validity, results and "
    "relevance; used instead of 'risk of bias' (items 12 and 16 are optional).",
)
CITATION = (
    "Tricco AC, Lillie E, Zarin W, et al. PRISMA Extension for Scoping Reviews (PRISMA-ScR): "
    "Checklist and Explanation. Ann Intern Med. 2018;169(7):467-473. doi:10.7326/M18-0850"
)

# Item number -> (files that address it, what they show). A file is named only if it exists.
Where = tuple[tuple[str, ...], str]
WHERE: dict[int, Where] = {
    5: (("protocols/protocol.yaml",), "the review protocol (registration: add it)"),
    6: (("protocols/protocol.yaml",), "eligibility criteria and exclusion reasons"),
    7: (
        ("outputs/prisma/methods.md", "protocols/protocol.yaml"),
        "sources, platforms and search dates",
    ),
    9: (
        (
            "outputs/prisma/methods.md",
            "outputs/screening/title-abstract-disagreements.xlsx",
            "outputs/screening/full-text-disagreements.xlsx",
            "outputs/report.html#screening",
        ),
        "screening process, reviewers per record, agreement, resolution",
    ),
    10: (
        (
            "extraction_schema.yaml",
            "outputs/charting/disagreements.xlsx",
            "outputs/report.html#charting",
        ),
        "charting form (schema) and dual-charting comparison",
    ),
    11: (("extraction_schema.yaml",), "every charted variable with its definition"),
    13: (
        ("outputs/charting/summary.md", "outputs/charting/summary.xlsx"),
        "frequency tables, crosstabs and gap map (how charted data were summarised)",
    ),
    14: (
        (
            "outputs/prisma/prisma.svg",
            "outputs/prisma/prisma.pdf",
            "outputs/prisma/prisma.json",
            "outputs/report.html#flow",
        ),
        "PRISMA 2020 flow diagram with reasons for exclusion",
    ),
    15: (
        ("outputs/charting/summary.xlsx", "outputs/report.html#reports"),
        "one row per included report with its citation (Sample sheet)",
    ),
    17: (
        ("outputs/charting/summary.xlsx", "outputs/report.html#overview"),
        "charted data per report (Sample sheet) and per unit of the schema's further level, if any "
        "(its overview sheet)",
    ),
    18: (
        (
            "outputs/charting/summary.md",
            "outputs/charting/gap-map.svg",
            "outputs/report.html#charting",
        ),
        "frequencies, crosstabs and the evidence-gap map",
    ),
}


@dataclass(frozen=True, slots=True)
class Row:
    item: Item
    where: str  # "" when the tool does not know
    files: tuple[str, ...]


def checklist_rows(project: Project) -> list[Row]:
    """Every item, with where the project's existing files address it."""
    root = project.root
    rows = []
    for item in ITEMS:
        files: tuple[str, ...] = ()
        where = ""
        if item.number in WHERE:
            candidates, what = WHERE[item.number]
            files = tuple(f for f in candidates if (root / f.split("#", 1)[0]).is_file())
            if files:
                where = f"{'; '.join(files)} ({what})"
        rows.append(Row(item, where, files))
    return rows


HEADER = (
    "Section",
    "Item",
    "Topic",
    "PRISMA-ScR checklist item",
    "Essential/optional",
    "Where addressed (project files)",
    "Reported on page #",
)


def _table(rows: list[Row]) -> list[list[str]]:
    return [
        [
            r.item.section.upper(),
            str(r.item.number),
            r.item.topic,
            r.item.text,
            "optional" if r.item.optional else "essential",
            r.where,
            "",
        ]
        for r in rows
    ]


def checklist_markdown(rows: list[Row], title: str) -> str:
    from review.io.printable import md_text

    def cell(v: str) -> str:
        return v.replace("|", "\\|")

    lines = [
        f"# PRISMA-ScR checklist: {md_text(title)}",
        "",
        "Where each item of the PRISMA extension for scoping reviews is addressed. *Where "
        "addressed* is filled in by `review report checklist` from the project's files (only "
        "files that exist are named); fill in the page numbers of your manuscript and the "
        "blank rows.",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "|".join("---" for _ in HEADER) + "|",
    ]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in _table(rows)]
    notes = [n.replace("*", "\\*", 1) for n in FOOTNOTES]
    lines += ["", *(f"{n}  " for n in notes[:-1]), notes[-1], "", f"Source: {CITATION}."]
    return "\n".join(lines) + "\n"


def checklist_workbook(rows: list[Row], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    from review.chart.outputs import stable_xlsx_bytes
    from review.io.xlsx import set_cell

    wb = Workbook()
    ws = wb.active
    ws.title = "PRISMA-ScR"
    ws.append([None])
    set_cell(ws["A1"], f"PRISMA-ScR checklist: {title}")  # a title is text, never a formula
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(list(HEADER))
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE5F0")
    for values in _table(rows):
        ws.append([None] * len(values))
        for c, v in enumerate(values, start=1):
            cell = ws.cell(row=ws.max_row, column=c)
            set_cell(cell, int(v) if c == 2 else v)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for col, width in zip("ABCDEFG", (13, 6, 30, 60, 11, 60, 16), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A3"
    r = ws.max_row + 2
    for note in (*FOOTNOTES, f"Source: {CITATION}."):
        ws.cell(row=r, column=1, value=note)
        r += 1
    return stable_xlsx_bytes(wb)


def write_checklist(project: Project, output: Path | None = None) -> tuple[Path, Path]:
    """Write the checklist as .xlsx and .md (same stem); return both paths."""
    from review.io.files import atomic_write_bytes, atomic_write_text

    xlsx = Path(output) if output is not None else project.output("report", "prisma-scr.xlsx")
    if xlsx.suffix.lower() != ".xlsx":
        xlsx = xlsx.with_suffix(".xlsx")
    md = xlsx.with_suffix(".md")
    rows = checklist_rows(project)
    title = project.protocol.title
    atomic_write_bytes(xlsx, checklist_workbook(rows, title))
    atomic_write_text(md, checklist_markdown(rows, title))
    return xlsx, md
