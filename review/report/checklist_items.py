"""The checklists' items, as data: PRISMA-ScR (scoping reviews), PRISMA 2020 and PRISMA 2020
for Abstracts (systematic reviews). Item wording is the published checklists'.

Sources of the wording:
- PRISMA-ScR: Tricco AC et al. Ann Intern Med. 2018;169(7):467-473, Table 2 / the fillable
  checklist.
- PRISMA 2020 (27 items, with sub-items 10a-b, 13a-f, 16a-b, 20a-d, 23a-d, 24a-c) and PRISMA 2020
  for Abstracts (12 items): Page MJ, McKenzie JE, Bossuyt PM, et al. The PRISMA 2020 statement: an
  updated guideline for reporting systematic reviews. BMJ 2021;372:n71 (Table 1 and Table 2;
  CC BY 4.0). Checked word for word against public reproductions of the checklists: the
  Markdown copies in github.com/youkiti/reporting_guidelines_markdown
  (checklists/prisma/PRISMA_2020_checklist.md, PRISMA_2020_abstract_checklist.md) and the tables
  reproduced in PMC8392577 (Int J Environ Res Public Health 2021;18:8799, Table A1) and
  html.scirp.org/file/_21-1766704_3.htm.

Long module: data only (the three checklists' 76 items, word for word), no logic.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Item:
    section: str
    topic: str
    number: int
    text: str
    optional: bool = False
    sub: str = ""  # PRISMA 2020 sub-items: 10a, 10b, 13a … 27 has none

    @property
    def label(self) -> str:
        """``7``, ``10a``."""
        return f"{self.number}{self.sub}"

    @property
    def key(self) -> int | str:
        """The item in JSON: a number, or the label of a sub-item ("10a")."""
        return self.label if self.sub else self.number


# PRISMA-ScR (Tricco et al. 2018, Table 2).
SCR_ITEMS: tuple[Item, ...] = (
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

SCR_FOOTNOTES = (
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
SCR_CITATION = (
    "Tricco AC, Lillie E, Zarin W, et al. PRISMA Extension for Scoping Reviews (PRISMA-ScR): "
    "Checklist and Explanation. Ann Intern Med. 2018;169(7):467-473. doi:10.7326/M18-0850"
)


# PRISMA 2020 checklist (Page et al., BMJ 2021;372:n71, Table 1).
_M, _R, _D, _O = "Methods", "Results", "Discussion", "Other information"
PRISMA2020_ITEMS: tuple[Item, ...] = (
    Item("Title", "Title", 1, "Identify the report as a systematic review."),
    Item("Abstract", "Abstract", 2, "See the PRISMA 2020 for Abstracts checklist."),
    Item(
        "Introduction",
        "Rationale",
        3,
        "Describe the rationale for the review in the context of existing knowledge.",
    ),
    Item(
        "Introduction",
        "Objectives",
        4,
        "Provide an explicit statement of the objective(s) or question(s) the review addresses.",
    ),
    Item(
        _M,
        "Eligibility criteria",
        5,
        "Specify the inclusion and exclusion criteria for the review and how studies were "
        "grouped for the syntheses.",
    ),
    Item(
        _M,
        "Information sources",
        6,
        "Specify all databases, registers, websites, organisations, reference lists and other "
        "sources searched or consulted to identify studies. Specify the date when each source "
        "was last searched or consulted.",
    ),
    Item(
        _M,
        "Search strategy",
        7,
        "Present the full search strategies for all databases, registers and websites, "
        "including any filters and limits used.",
    ),
    Item(
        _M,
        "Selection process",
        8,
        "Specify the methods used to decide whether a study met the inclusion criteria of the "
        "review, including how many reviewers screened each record and each report retrieved, "
        "whether they worked independently, and if applicable, details of automation tools used "
        "in the process.",
    ),
    Item(
        _M,
        "Data collection process",
        9,
        "Specify the methods used to collect data from reports, including how many reviewers "
        "collected data from each report, whether they worked independently, any processes for "
        "obtaining or confirming data from study investigators, and if applicable, details of "
        "automation tools used in the process.",
    ),
    Item(
        _M,
        "Data items",
        10,
        "List and define all outcomes for which data were sought. Specify whether all results "
        "that were compatible with each outcome domain in each study were sought (e.g. for all "
        "measures, time points, analyses), and if not, the methods used to decide which results "
        "to collect.",
        sub="a",
    ),
    Item(
        _M,
        "Data items",
        10,
        "List and define all other variables for which data were sought (e.g. participant and "
        "intervention characteristics, funding sources). Describe any assumptions made about "
        "any missing or unclear information.",
        sub="b",
    ),
    Item(
        _M,
        "Study risk of bias assessment",
        11,
        "Specify the methods used to assess risk of bias in the included studies, including "
        "details of the tool(s) used, how many reviewers assessed each study and whether they "
        "worked independently, and if applicable, details of automation tools used in the "
        "process.",
    ),
    Item(
        _M,
        "Effect measures",
        12,
        "Specify for each outcome the effect measure(s) (e.g. risk ratio, mean difference) used "
        "in the synthesis or presentation of results.",
    ),
    Item(
        _M,
        "Synthesis methods",
        13,
        "Describe the processes used to decide which studies were eligible for each synthesis "
        "(e.g. tabulating the study intervention characteristics and comparing against the "
        "planned groups for each synthesis (item #5)).",
        sub="a",
    ),
    Item(
        _M,
        "Synthesis methods",
        13,
        "Describe any methods required to prepare the data for presentation or synthesis, such "
        "as handling of missing summary statistics, or data conversions.",
        sub="b",
    ),
    Item(
        _M,
        "Synthesis methods",
        13,
        "Describe any methods used to tabulate or visually display results of individual "
        "studies and syntheses.",
        sub="c",
    ),
    Item(
        _M,
        "Synthesis methods",
        13,
        "Describe any methods used to synthesize results and provide a rationale for the "
        "choice(s). If meta-analysis was performed, describe the model(s), method(s) to identify "
        "the presence and extent of statistical heterogeneity, and software package(s) used.",
        sub="d",
    ),
    Item(
        _M,
        "Synthesis methods",
        13,
        "Describe any methods used to explore possible causes of heterogeneity among study "
        "results (e.g. subgroup analysis, meta-regression).",
        sub="e",
    ),
    Item(
        _M,
        "Synthesis methods",
        13,
        "Describe any sensitivity analyses conducted to assess robustness of the synthesized "
        "results.",
        sub="f",
    ),
    Item(
        _M,
        "Reporting bias assessment",
        14,
        "Describe any methods used to assess risk of bias due to missing results in a "
        "synthesis (arising from reporting biases).",
    ),
    Item(
        _M,
        "Certainty assessment",
        15,
        "Describe any methods used to assess certainty (or confidence) in the body of evidence "
        "for an outcome.",
    ),
    Item(
        _R,
        "Study selection",
        16,
        "Describe the results of the search and selection process, from the number of records "
        "identified in the search to the number of studies included in the review, ideally "
        "using a flow diagram.",
        sub="a",
    ),
    Item(
        _R,
        "Study selection",
        16,
        "Cite studies that might appear to meet the inclusion criteria, but which were "
        "excluded, and explain why they were excluded.",
        sub="b",
    ),
    Item(
        _R, "Study characteristics", 17, "Cite each included study and present its characteristics."
    ),
    Item(
        _R,
        "Risk of bias in studies",
        18,
        "Present assessments of risk of bias for each included study.",
    ),
    Item(
        _R,
        "Results of individual studies",
        19,
        "For all outcomes, present, for each study: (a) summary statistics for each group "
        "(where appropriate) and (b) an effect estimate and its precision (e.g. "
        "confidence/credible interval), ideally using structured tables or plots.",
    ),
    Item(
        _R,
        "Results of syntheses",
        20,
        "For each synthesis, briefly summarise the characteristics and risk of bias among "
        "contributing studies.",
        sub="a",
    ),
    Item(
        _R,
        "Results of syntheses",
        20,
        "Present results of all statistical syntheses conducted. If meta-analysis was done, "
        "present for each the summary estimate and its precision (e.g. confidence/credible "
        "interval) and measures of statistical heterogeneity. If comparing groups, describe the "
        "direction of the effect.",
        sub="b",
    ),
    Item(
        _R,
        "Results of syntheses",
        20,
        "Present results of all investigations of possible causes of heterogeneity among study "
        "results.",
        sub="c",
    ),
    Item(
        _R,
        "Results of syntheses",
        20,
        "Present results of all sensitivity analyses conducted to assess the robustness of the "
        "synthesized results.",
        sub="d",
    ),
    Item(
        _R,
        "Reporting biases",
        21,
        "Present assessments of risk of bias due to missing results (arising from reporting "
        "biases) for each synthesis assessed.",
    ),
    Item(
        _R,
        "Certainty of evidence",
        22,
        "Present assessments of certainty (or confidence) in the body of evidence for each "
        "outcome assessed.",
    ),
    Item(
        _D,
        "Discussion",
        23,
        "Provide a general interpretation of the results in the context of other evidence.",
        sub="a",
    ),
    Item(
        _D,
        "Discussion",
        23,
        "Discuss any limitations of the evidence included in the review.",
        sub="b",
    ),
    Item(_D, "Discussion", 23, "Discuss any limitations of the review processes used.", sub="c"),
    Item(
        _D,
        "Discussion",
        23,
        "Discuss implications of the results for practice, policy, and future research.",
        sub="d",
    ),
    Item(
        _O,
        "Registration and protocol",
        24,
        "Provide registration information for the review, including register name and "
        "registration number, or state that the review was not registered.",
        sub="a",
    ),
    Item(
        _O,
        "Registration and protocol",
        24,
        "Indicate where the review protocol can be accessed, or state that a protocol was not "
        "prepared.",
        sub="b",
    ),
    Item(
        _O,
        "Registration and protocol",
        24,
        "Describe and explain any amendments to information provided at registration or in the "
        "protocol.",
        sub="c",
    ),
    Item(
        _O,
        "Support",
        25,
        "Describe sources of financial or non-financial support for the review, and the role of "
        "the funders or sponsors in the review.",
    ),
    Item(_O, "Competing interests", 26, "Declare any competing interests of review authors."),
    Item(
        _O,
        "Availability of data, code and other materials",
        27,
        "Report which of the following are publicly available and where they can be found: "
        "template data collection forms; data extracted from included studies; data used for "
        "all analyses; analytic code; any other materials used in the review.",
    ),
)

# PRISMA 2020 for Abstracts checklist (Page et al., BMJ 2021;372:n71, Table 2).
ABSTRACT_ITEMS: tuple[Item, ...] = (
    Item("Title", "Title", 1, "Identify the report as a systematic review."),
    Item(
        "Background",
        "Objectives",
        2,
        "Provide an explicit statement of the main objective(s) or question(s) the review "
        "addresses.",
    ),
    Item(
        "Methods",
        "Eligibility criteria",
        3,
        "Specify the inclusion and exclusion criteria for the review.",
    ),
    Item(
        "Methods",
        "Information sources",
        4,
        "Specify the information sources (e.g. databases, registers) used to identify studies "
        "and the date when each was last searched.",
    ),
    Item(
        "Methods",
        "Risk of bias",
        5,
        "Specify the methods used to assess risk of bias in the included studies.",
    ),
    Item(
        "Methods",
        "Synthesis of results",
        6,
        "Specify the methods used to present and synthesise results.",
    ),
    Item(
        "Results",
        "Included studies",
        7,
        "Give the total number of included studies and participants and summarise relevant "
        "characteristics of studies.",
    ),
    Item(
        "Results",
        "Synthesis of results",
        8,
        "Present results for main outcomes, preferably indicating the number of included "
        "studies and participants for each. If meta-analysis was done, report the summary "
        "estimate and confidence/credible interval. If comparing groups, indicate the direction "
        "of the effect (i.e. which group is favoured).",
    ),
    Item(
        "Discussion",
        "Limitations of evidence",
        9,
        "Provide a brief summary of the limitations of the evidence included in the review "
        "(e.g. study risk of bias, inconsistency and imprecision).",
    ),
    Item(
        "Discussion",
        "Interpretation",
        10,
        "Provide a general interpretation of the results and important implications.",
    ),
    Item("Other", "Funding", 11, "Specify the primary source of funding for the review."),
    Item("Other", "Registration", 12, "Provide the register name and registration number."),
)

PRISMA2020_CITATION = (
    "Page MJ, McKenzie JE, Bossuyt PM, Boutron I, Hoffmann TC, Mulrow CD, et al. The PRISMA "
    "2020 statement: an updated guideline for reporting systematic reviews. BMJ "
    "2021;372:n71. doi:10.1136/bmj.n71 (CC BY 4.0)"
)
