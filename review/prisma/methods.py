"""``outputs/prisma/methods.md``: the selection-process paragraphs, from the same facts as the
diagram (protocol sources and dates, the flow counts, reviewers per record, agreement,
resolutions). Every number comes from the flow or the logs; nothing is typed in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

from review.prisma.facts import Flow, FlowCounts
from review.prisma.inputs import AgreementFacts, MethodsFacts
from review.prisma.search_text import search_paragraphs

if TYPE_CHECKING:
    from review.rank.phase import StopDecision

WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
KIND_WORDS = {
    "database": "bibliographic database",
    "register": "study register",
    "website": "website",
    "organisation": "organisation",
    "citation": "citation searching",
    "expert": "contact with experts",
    "other": "other source",
}
STAGE_WORDS = {"title_abstract": "title and abstract", "full_text": "full-text"}
STAGE_IDS = {"title_abstract": "title-abstract", "full_text": "full-text"}


def n_(value: int) -> str:
    return f"{int(value):,}"


def word(value: int) -> str:
    return WORDS[value] if 0 <= value < len(WORDS) else n_(value)


def plural(value: int, one: str, many: str | None = None) -> str:
    return f"{n_(value)} {one if value == 1 else (many or one + 's')}"


def join(items: list[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def nice_date(text: str) -> str:
    """``2022-01-10`` -> ``10 January 2022``; free text stays; placeholders become ''."""
    text = text.strip()
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    if m:
        try:
            d = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return text
        return f"{d.day} {d.strftime('%B')} {d.year}"
    if not text or "YYYY" in text.upper():
        return ""
    return text


def _source_phrase(src: Mapping[str, str], n: int | None, with_kind: bool = False) -> str:
    details = []
    if with_kind:
        details.append(KIND_WORDS.get(src.get("kind", ""), src.get("kind", "")))
    if src.get("platform"):
        details.append(f"via {src['platform']}")
    when = nice_date(src.get("searched", ""))
    details.append(f"searched {when}" if when else "search date not recorded")
    details.append(plural(n, "record") if n is not None else "no records imported")
    return f"{src['name']} ({'; '.join(details)})"


def _lc(label: str) -> str:
    """Lower-case a reason label's first letter for use mid-sentence (not acronyms: "CP …")."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def were(value: int) -> str:
    return "was" if value == 1 else "were"


def _percent(value: float) -> str:
    v = float(value)
    if v <= 1.0:  # a proportion; agreement below 1 % is not a real screening result
        v *= 100
    return f"{v:.1f}%"


def _agreement_phrase(agr: AgreementFacts | None) -> str:
    if agr is None:
        return ""
    parts = []
    if agr.percent_agreement is not None:
        parts.append(f"agreement was {_percent(agr.percent_agreement)}")
    kappa = agr.cohen_kappa
    if kappa is not None:
        name = "Light's κ" if "light" in agr.kappa_method.lower() else "Cohen's κ"
        text = f"{name} = {float(kappa):.2f}"
        ci = agr.kappa_ci95
        if ci is not None:
            lo, hi = max(-1.0, float(ci[0])), min(1.0, float(ci[1]))  # kappa lies in [-1, 1]
            text += f", 95% CI {lo:.2f} to {hi:.2f}"
        parts.append(text)
    if len(parts) == 2:
        return f"{parts[0]} ({parts[1]})"
    return "; ".join(parts)


def _reviewers_phrase(observed: Mapping[int, int], planned: int) -> str:
    if not observed:
        return ""
    total = sum(observed.values())
    most = max(observed.items(), key=lambda kv: (kv[1], kv[0]))[0]
    text = f"{word(most)} reviewer{'s' if most != 1 else ''}"
    text += " independently" if most > 1 else ""
    others = [
        f"{plural(c, 'record')} by {word(k)}" for k, c in sorted(observed.items()) if k != most
    ]
    if others:
        text += f" ({plural(observed[most], 'record')}; {join(others)} so far)"
    elif total:
        text += f" (all {plural(total, 'record')})"
    if planned and most != planned:
        text += f"; the protocol planned {word(planned)}"
    return text


def methods_markdown(flow: Flow, facts: MethodsFacts) -> str:
    """methods.md: the sources, the selection procedure and its results, as paragraphs."""
    f = flow.counts
    paras = [_sources_paragraph(f, facts), _procedure_paragraph(f, facts), _results_paragraph(f)]
    paras += search_paragraphs(facts.searches, nice_date)  # PRISMA-S (review/prisma/search_text.py)
    head = ["# Selection of sources of evidence", ""]
    if f.provisional:
        o = f.open
        head += [
            f"> **Provisional:** {plural(o.title_abstract, 'record')} undecided at "
            f"title/abstract, {n_(o.full_text)} at full text and {n_(o.dedup_pairs)} in "
            "possible-duplicate pairs. Re-run `review prisma` when screening is complete.",
            "",
        ]
    return "\n".join(head) + "\n" + "\n\n".join(p for p in paras if p) + "\n"


def _sources_paragraph(f: FlowCounts, facts: MethodsFacts) -> str:
    """1. The sources searched (with platforms and dates) and the other methods."""
    ident = f.identified
    n_by_source: dict[str, int] = {}
    for row in ident:
        n_by_source[row.source.lower()] = n_by_source.get(row.source.lower(), 0) + row.n
    main_sources = {r.source.lower() for r in ident if r.branch == "main"}
    specs = list(facts.sources)
    named = {s["name"].lower() for s in specs}
    for row in ident:  # imported sources the protocol does not list still appear
        if row.source.lower() not in named:
            specs.append(
                {
                    "name": row.source,
                    "kind": row.kind,
                    "platform": "",
                    "searched": "",
                    "notes": "",
                }
            )
            named.add(row.source.lower())
    dbs = [s for s in specs if s["kind"] in ("database", "register")]
    rest = [s for s in specs if s["kind"] not in ("database", "register")]
    sentences = []
    searched = []
    for kind, noun in (("database", "bibliographic database"), ("register", "study register")):
        group = [s for s in dbs if s["kind"] == kind]
        if group:
            phrases = [_source_phrase(s, n_by_source.get(s["name"].lower())) for s in group]
            plural_noun = noun + ("s" if len(group) != 1 else "")
            searched.append((f"{word(len(group))} {plural_noun}", join(phrases)))
    if len(searched) == 1:
        sentences.append(f"We searched {searched[0][0]}: {searched[0][1]}.")
    elif searched:
        parts = [f"{what}, {which}" for what, which in searched]
        sentences.append(f"We searched {', and '.join(parts)}.")
    with_db = [s for s in rest if s["name"].lower() in main_sources]
    separate = [s for s in rest if s["name"].lower() not in main_sources]
    if with_db:
        phrases = [_source_phrase(s, n_by_source.get(s["name"].lower()), True) for s in with_db]
        sentences.append(
            f"Records from {join(phrases)} were screened together with the database records."
        )
    if separate:
        phrases = [_source_phrase(s, n_by_source.get(s["name"].lower()), True) for s in separate]
        sentences.append(
            f"We also identified records through other methods: {join(phrases)}; these went "
            "straight to full-text assessment."
        )
    return " ".join(sentences)


def _procedure_paragraph(f: FlowCounts, facts: MethodsFacts) -> str:
    """2. Identification, deduplication and the screening procedure (reviewers, agreement)."""
    ident = f.identified
    main_total = sum(r.n for r in ident if r.branch == "main")
    db_total = sum(r.n for r in ident if r.branch == "main" and r.kind in ("database", "register"))
    with_total = main_total - db_total
    dups = f.duplicates_automatic + f.duplicates_manual
    s = f"The searches identified {plural(main_total, 'record')}"
    if with_total:
        s += f" ({n_(db_total)} from databases and registers and {n_(with_total)} from other sources screened with them)"
    s += f". We removed {plural(dups, 'duplicate')}"
    s += f" ({n_(f.duplicates_automatic)} automatically and {n_(f.duplicates_manual)} after checking by a reviewer)"
    if f.excluded_other:
        s += f" and {plural(f.excluded_other, 'further record')} for other reasons"
    if f.excluded_automatic and facts.stopping is None:
        s += (
            f"; {plural(f.excluded_automatic, 'record')} were marked ineligible by automation tools"
        )
    s += f", leaving {plural(f.records_screened, 'record')} to screen."
    proc = [s]
    if facts.stopping is not None:
        proc.append(_stopping_sentence(facts.stopping, f.excluded_automatic))
    for stage in ("title_abstract", "full_text"):
        who = _reviewers_phrase(
            facts.reviewers_observed.get(STAGE_IDS[stage], {}),
            facts.reviewers_per_record.get(STAGE_IDS[stage], 0),
        )
        agr = _agreement_phrase(facts.agreement.get(STAGE_IDS[stage]))
        if who:
            verb = "screened" if stage == "title_abstract" else "assessed"
            text = f"At the {STAGE_WORDS[stage]} stage, each record was {verb} by {who}"
            text += f"; {agr}." if agr else "."
            proc.append(text)
    how = "discussion until consensus" if facts.resolution == "consensus" else "a third reviewer"
    res = [
        f"{plural(facts.resolutions.get(STAGE_IDS[st], 0), 'record')} at the {STAGE_WORDS[st]} stage"
        for st in ("title_abstract", "full_text")
    ]
    n_resolved = sum(facts.resolutions.get(STAGE_IDS[st], 0) for st in STAGE_IDS)
    screened_any = any(facts.reviewers_observed.get(STAGE_IDS[st]) for st in STAGE_IDS)
    if n_resolved:
        proc.append(f"Disagreements were resolved by {how} ({join(res)}).")
    elif screened_any:
        proc.append(f"Disagreements were to be resolved by {how}; none needed resolving.")
    if not facts.maybe_to_fulltext:
        proc.append(
            "Records marked as uncertain at title and abstract were not taken to full text."
        )
    return " ".join(proc)


def _results_paragraph(f: FlowCounts) -> str:
    """3. The results of the selection: exclusions per reason, reports and studies included."""
    r = [
        f"Of the {plural(f.records_screened, 'record')} screened, {n_(f.records_excluded)} "
        f"{were(f.records_excluded)} excluded on title and abstract"
    ]
    ta_reasons = [f"{_lc(x.label)}, {n_(x.n)}" for x in f.records_excluded_by_reason if x.n]
    r[0] += f" ({'; '.join(ta_reasons)})." if ta_reasons else "."
    missing = (
        f"could not retrieve {n_(f.reports.not_retrieved)}"
        if f.reports.not_retrieved
        else "retrieved all of them"
    )
    r.append(
        f"We sought {plural(f.reports.sought, 'report')} for retrieval, {missing}, and "
        f"assessed {n_(f.reports.assessed)} in full text; "
        f"{n_(f.reports.excluded)} {were(f.reports.excluded)} excluded"
    )
    ft_reasons = [f"{_lc(x.label)}, {n_(x.n)}" for x in f.reports.excluded_by_reason if x.n]
    r[-1] += f" ({'; '.join(ft_reasons)})." if ft_reasons else "."
    if f.other_reports.sought:
        other = (
            f"Other methods yielded {plural(f.other_reports.sought, 'report')}; "
            f"{n_(f.other_reports.not_retrieved)} could not be retrieved and "
            f"{n_(f.other_reports.excluded)} {were(f.other_reports.excluded)} excluded"
        )
        oth_reasons = [
            f"{_lc(x.label)}, {n_(x.n)}" for x in f.other_reports.excluded_by_reason if x.n
        ]
        other += f" ({'; '.join(oth_reasons)})." if oth_reasons else "."
        r.append(other)
    inc = f"In total, {plural(f.reports_included, 'report')} "
    verb_inc = were(f.reports_included)
    if f.reports_included_other:
        inc += f"({n_(f.reports_included_main)} from the searches and {n_(f.reports_included_other)} from other methods) "
    inc += f"{verb_inc} included"
    if f.programmes_included is not None:
        inc += f", describing {plural(f.programmes_included, 'distinct programme')}"
        if f.studies_included != f.programmes_included:
            inc += f" ({plural(f.studies_included, 'study', 'studies')} in all)"
    elif f.studies_included != f.reports_included:
        inc += f", reporting {plural(f.studies_included, 'study', 'studies')}"
    r.append(inc + ".")
    return " ".join(r)


def _stopping_sentence(stop: StopDecision, n_auto: int) -> str:
    """How title/abstract screening stopped early (the team's recorded `stop` line)."""
    return (
        "Title and abstract screening was prioritised by a model retrained on each reviewer's "
        "own decisions and stopped early by the hypergeometric stopping rule of Callaghan and "
        f"Müller-Hansen (2020): after ranked screening, a random sample of {stop.sampled} "
        f"of the {stop.urn} records then unscreened held {stop.sample_relevant} "
        f"relevant records, rejecting the hypothesis that recall was below "
        f"{stop.recall_target:.0%} (confidence {stop.confidence:.0%}, p = {stop.p_value:.3f}). "
        f"The {plural(n_auto, 'record')} no reviewer screened are reported as excluded by "
        f"automation tools (decision recorded by {stop.by} on {stop.at[:10]})."
    )
