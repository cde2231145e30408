"""prisma.csv (the PRISMA2020 R package / Shiny app template) and prisma.mmd (Mermaid).

The CSV keeps the rows of the package's ``inst/extdata/PRISMA.csv`` (Haddaway, Pritchard &
McGuinness, PRISMA2020 R package, tag v1.1.4: with ``database_specific_results``,
``register_specific_results``, ``total_studies_ma`` and ``total_reports_ma``) in their order,
with their ``node``, ``box``, ``description``, ``tooltips`` and ``url`` unchanged, and fills in
``n`` from the flow: never empty (``read.csv`` turns an empty cell into ``NA``, which the
package's Shiny app reads as "details given"). Reason lists use the package's
``Reason, n; Reason, n`` syntax, so commas and semicolons inside labels are replaced. A count
that is not final yet (a stage before it is open) gets "(so far)" or "(pending)" in its box
text: the package prints only the number.
"""

from __future__ import annotations

from collections.abc import Mapping

from review.io.xlsx import csv_text
from review.nextstep import Action, Render, step
from review.prisma.facts import Flow, ReasonRow

TEMPLATE_HEADER = ("data", "node", "box", "description", "boxtext", "tooltips", "url", "n")

# (data, node, box, description, boxtext, tooltips, url, n-as-in-template)
TEMPLATE_ROWS: tuple[tuple[str, ...], ...] = (
    (
        "NA",
        "node4",
        "prevstud",
        "Grey title box; Previous studies",
        "Previous studies",
        "Grey title box; Previous studies",
        "prevstud.html",
        "0",
    ),
    (
        "previous_studies",
        "node5",
        "box1",
        "Studies included in previous version of review",
        "Studies included in previous version of review",
        "Studies included in previous version of review",
        "previous_studies.html",
        "0",
    ),
    (
        "previous_reports",
        "NA",
        "box1",
        "Reports of studies included in previous version of review",
        "Reports of studies included in previous version of review",
        "NA",
        "previous_reports.html",
        "0",
    ),
    (
        "NA",
        "node6",
        "newstud",
        "Yellow title box; Identification of new studies via databases and registers",
        "Identification of new studies via databases and registers",
        "Yellow title box; Identification of new studies via databases and registers",
        "newstud.html",
        "0",
    ),
    (
        "database_results",
        "node7",
        "box2",
        "Records identified from: Databases",
        "Databases",
        "Records identified from: Databases and Registers",
        "database_results.html",
        "0",
    ),
    (
        "database_specific_results",
        "NA",
        "box2",
        "Records identified from: specific databases",
        "Specific Databases",
        "NA",
        "database_results.html",
        "Database 1, xxx; Database 2, xxx; Database 3, xxx",
    ),
    (
        "register_results",
        "NA",
        "box2",
        "Records identified from: Registers",
        "Registers",
        "NA",
        "NA",
        "0",
    ),
    (
        "register_specific_results",
        "NA",
        "box2",
        "Records identified from: specific registers",
        "Specific Registers",
        "NA",
        "database_results.html",
        "Register 1, xxx; Register 2, xxx; Register 3, xxx",
    ),
    (
        "NA",
        "node16",
        "othstud",
        "Grey title box; Identification of new studies via other methods",
        "Identification of new studies via other methods",
        "Grey title box; Identification of new studies via other methods",
        "othstud.html",
        "0",
    ),
    (
        "website_results",
        "node17",
        "box11",
        "Records identified from: Websites",
        "Websites",
        "Records identified from: Websites, Organisations and Citation Searching",
        "website_results.html",
        "0",
    ),
    (
        "organisation_results",
        "",
        "box11",
        "Records identified from: Organisations",
        "Organisations",
        "NA",
        "NA",
        "0",
    ),
    (
        "citations_results",
        "NA",
        "box11",
        "Records identified from: Citation searching",
        "Citation searching",
        "NA",
        "NA",
        "0",
    ),
    (
        "duplicates",
        "node8",
        "box3",
        "Duplicate records",
        "Duplicate records",
        "Duplicate records",
        "duplicates.html",
        "0",
    ),
    (
        "excluded_automatic",
        "NA",
        "box3",
        "Records marked as ineligible by automation tools",
        "Records marked as ineligible by automation tools",
        "NA",
        "NA",
        "0",
    ),
    (
        "excluded_other",
        "NA",
        "box3",
        "Records removed for other reasons",
        "Records removed for other reasons",
        "NA",
        "NA",
        "0",
    ),
    (
        "records_screened",
        "node9",
        "box4",
        "Records screened (databases and registers)",
        "Records screened",
        "Records screened (databases and registers)",
        "records_screened.html",
        "0",
    ),
    (
        "records_excluded",
        "node10",
        "box5",
        "Records excluded (databases and registers)",
        "Records excluded",
        "Records excluded (databases and registers)",
        "records_excluded.html",
        "0",
    ),
    (
        "dbr_sought_reports",
        "node11",
        "box6",
        "Reports sought for retrieval (databases and registers)",
        "Reports sought for retrieval",
        "Reports sought for retrieval (databases and registers)",
        "dbr_sought_reports.html",
        "0",
    ),
    (
        "dbr_notretrieved_reports",
        "node12",
        "box7",
        "Reports not retrieved (databases and registers)",
        "Reports not retrieved",
        "Reports not retrieved (databases and registers)",
        "dbr_notretrieved_reports.html",
        "0",
    ),
    (
        "other_sought_reports",
        "node18",
        "box12",
        "Reports sought for retrieval (other)",
        "Reports sought for retrieval",
        "Reports sought for retrieval (other)",
        "other_sought_reports.html",
        "0",
    ),
    (
        "other_notretrieved_reports",
        "node19",
        "box13",
        "Reports not retrieved (other)",
        "Reports not retrieved",
        "Reports not retrieved (other)",
        "other_notretrieved_reports.html",
        "0",
    ),
    (
        "dbr_assessed",
        "node13",
        "box8",
        "Reports assessed for eligibility (databases and registers)",
        "Reports assessed for eligibility",
        "Reports assessed for eligibility (databases and registers)",
        "dbr_assessed.html",
        "0",
    ),
    (
        "dbr_excluded",
        "node14",
        "box9",
        "Reports excluded (databases and registers): [separate reasons and numbers using ; e.g. "
        "Reason1, xxx; Reason2, xxx; Reason3, xxx]",
        "Reports excluded",
        "Reports excluded (databases and registers)",
        "dbrexcludedrecords.html",
        "Reason1, xxx; Reason2, xxx; Reason3, xxx",
    ),
    (
        "other_assessed",
        "node20",
        "box14",
        "Reports assessed for eligibility (other)",
        "Reports assessed for eligibility",
        "Reports assessed for eligibility (other)",
        "other_assessed.html",
        "0",
    ),
    (
        "other_excluded",
        "node21",
        "box15",
        "Reports excluded (other): [separate reasons and numbers using ; e.g. Reason1, xxx; "
        "Reason2, xxx; Reason3, xxx]",
        "Reports excluded",
        "Reports excluded (other)",
        "other_excluded.html",
        "Reason1, xxx; Reason2, xxx; Reason3, xxx",
    ),
    (
        "new_studies",
        "node15",
        "box10",
        "New studies included in review",
        "New studies included in review",
        "New studies included in review",
        "new_studies.html",
        "0",
    ),
    (
        "new_reports",
        "NA",
        "box10",
        "Reports of new included studies",
        "Reports of new included studies",
        "NA",
        "NA",
        "0",
    ),
    (
        "total_studies",
        "node22",
        "box16",
        "Total studies included in review",
        "Total studies included in review",
        "Total studies included in review",
        "total_studies.html",
        "0",
    ),
    (
        "total_reports",
        "NA",
        "box16",
        "Reports of total included studies",
        "Reports of total included studies",
        "NA",
        "NA",
        "0",
    ),
    (
        "identification",
        "node1",
        "identification",
        "Blue identification box",
        "Identification",
        "Blue identification box",
        "identification.html",
        "0",
    ),
    (
        "screening",
        "node2",
        "screening",
        "Blue screening box",
        "Screening",
        "Blue screening box",
        "screening.html",
        "0",
    ),
    (
        "included",
        "node3",
        "included",
        "Blue included box",
        "Included",
        "Blue included box",
        "included.html",
        "0",
    ),
    # the meta-analysis box (v1.1.4); "0" in both rows keeps it off in the app, as in the
    # template: this tool records no meta-analysis
    (
        "total_studies_ma",
        "node23",
        "box17",
        "Total studies included in meta-analysis",
        "Total studies included in meta-analysis",
        "Total studies included in meta-analysis",
        "total_studies_meta_analysis.html",
        "0",
    ),
    (
        "total_reports_ma",
        "NA",
        "box17",
        "Reports of total included studies in meta-analysis",
        "Reports of total included studies in meta-analysis",
        "NA",
        "NA",
        "0",
    ),
)

# The template's own ``n`` of the two "specific results" rows is the app's marker for "no
# per-source detail" (its upload code compares ``n`` with exactly this text): written when a
# review has no source of that kind, so the app does not switch the detail on for nothing.
NO_DETAIL = {
    "database_specific_results": "Database 1, xxx; Database 2, xxx; Database 3, xxx",
    "register_specific_results": "Register 1, xxx; Register 2, xxx; Register 3, xxx",
}

# our --label keys that name the same box text as a template row's boxtext
_BOXTEXT_LABELS = {
    "records_screened": "records_screened",
    "records_excluded": "records_excluded",
    "dbr_sought_reports": "reports_sought",
    "dbr_notretrieved_reports": "reports_not_retrieved",
    "dbr_assessed": "reports_assessed",
    "dbr_excluded": "reports_excluded",
    "other_sought_reports": "reports_sought",
    "other_notretrieved_reports": "reports_not_retrieved",
    "other_assessed": "reports_assessed",
    "other_excluded": "reports_excluded",
    "identification": "identification",
    "screening": "screening",
    "included": "included",
}
_HEADER_LABELS = {"newstud": "header_main", "othstud": "header_other"}


def _clean(label: str) -> str:
    """A label safe inside the package's ``Reason, n; Reason, n`` syntax."""
    return " ".join(label.replace(";", " -").replace(", ", " - ").replace(",", " ").split())


def _reason_list(rows: tuple[ReasonRow, ...]) -> str:
    parts = [f"{_clean(r.label)}, {r.n}" for r in rows if r.n]
    return "; ".join(parts) if parts else "0"


def prisma_csv(flow: Flow, labels: Mapping[str, str] | None = None) -> str:
    """The PRISMA2020 template with every ``n`` filled from ``flow``."""
    labels = labels or {}
    f = flow.counts
    p = flow.prisma2020
    specific = {
        "database_specific_results": [r for r in f.identified if r.kind == "database"],
        "register_specific_results": [r for r in f.identified if r.kind == "register"],
    }
    reasons = {
        "dbr_excluded": f.reports.excluded_by_reason,
        "other_excluded": f.other_reports.excluded_by_reason,
    }
    kinds_in_org = sorted({r.kind for r in f.identified if r.kind in ("expert", "other") and r.n})
    table: list[tuple[str, ...]] = [tuple(TEMPLATE_HEADER)]
    for row in TEMPLATE_ROWS:
        data, node, box, desc, boxtext, tips, url, n = row
        if data in specific:
            n = "; ".join(f"{_clean(r.source)}, {r.n}" for r in specific[data]) or NO_DETAIL[data]
        elif data in reasons:
            n = _reason_list(reasons[data])
        elif data in p:
            n = str(p[data])
        if data in _BOXTEXT_LABELS and labels.get(_BOXTEXT_LABELS[data]):
            boxtext = labels[_BOXTEXT_LABELS[data]]
        if box in _HEADER_LABELS and labels.get(_HEADER_LABELS[box]):
            boxtext = labels[_HEADER_LABELS[box]]
        if data in p and not f.is_final(data):
            boxtext += " (so far)" if p[data] else " (pending)"
        if data == "organisation_results" and kinds_in_org:
            extra = " and ".join(
                {"expert": "experts", "other": "other sources"}[k] for k in kinds_in_org
            )
            boxtext = f"Organisations and {extra}"
        table.append((data, node, box, desc, boxtext, tips, url, n))

    # No byte-order mark in this one CSV (every other CSV the tool writes has one): R's
    # read.csv under a non-UTF-8 locale keeps the BOM in the first column's name ("X...data"),
    # and then both PRISMA_data() (``data[i, ]$data``) and the Shiny app's upload fail.
    return csv_text(table, lineterminator="\n").removeprefix("\ufeff")


# ---- Mermaid ----------------------------------------------------------------------------------


def _mm(text: str) -> str:
    return (
        text.replace("&", "#amp;")
        .replace('"', "#quot;")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
        .replace("\u00a0", " ")
    )


def prisma_mmd(boxes: list, arrows: list[tuple[str, str]], command: Render = str) -> str:
    """A Mermaid ``flowchart TD`` of the same boxes (ids and texts) and arrows as the diagram
    (``command`` spells the command that made it, in the first comment)."""
    out = [f"%% PRISMA 2020 flow diagram, generated by {command(step(Action.PRISMA))}"]
    out.append("flowchart TD")
    side = []
    for b in boxes:
        if b.role not in ("main", "side"):
            continue
        lines = []
        for it in b.items:
            lines.append(("#160;#160;#160;#160;" * it.indent) + _mm(it.text))
        out.append(f'    {b.id}["{"<br/>".join(lines)}"]')
        if b.role == "side":
            side.append(b.id)
    for a, z in arrows:
        out.append(f"    {a} --> {z}")
    out.append("    classDef main fill:#ffffff,stroke:#000000,color:#000000,text-align:left")
    out.append("    classDef side fill:#ffffff,stroke:#000000,color:#000000,text-align:left")
    mains = [b.id for b in boxes if b.role == "main"]
    if mains:
        out.append(f"    class {','.join(mains)} main")
    if side:
        out.append(f"    class {','.join(side)} side")
    return "\n".join(out) + "\n"
