"""``outputs/prisma/methods.md``: the selection-process paragraphs, from the same facts as the
diagram (protocol sources and dates, the flow counts, reviewers per record, agreement,
resolutions). Every number comes from the flow or the logs; nothing is typed in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

from review.io.printable import md_text
from review.model import ReviewType, Stage
from review.nextstep import Action, Render, step
from review.percent import share_text
from review.prisma.facts import MAYBE_STOPPED, Flow, FlowCounts, ReasonRow, ReportCounts
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
STAGE_IDS = {"title_abstract": Stage.TITLE_ABSTRACT, "full_text": Stage.FULL_TEXT}


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
        details.append(f"via {md_text(src['platform'])}")
    when = nice_date(src.get("searched", ""))
    details.append(f"searched {when}" if when else "search date not recorded")
    details.append(plural(n, "record") if n is not None else "no records imported")
    return f"{md_text(src['name'])} ({'; '.join(details)})"


def _lc(label: str) -> str:
    """Lower-case a reason label's first letter for use mid-sentence (not acronyms: "CP …")."""
    label = md_text(label)  # methods.md is Markdown: a label is text, never HTML
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def were(value: int) -> str:
    return "was" if value == 1 else "were"


def _percent(value: float) -> str:
    """A proportion (agreement below 1 % is not a real screening result) or a percentage, by
    the one rounding rule (review.percent)."""
    return f"{share_text(float(value))}%"


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
        text += f" (all {plural(total, 'record')})" if total > 1 else " (1 record)"
    if planned and most != planned:
        text += f"; the protocol planned {word(planned)}"
    return text


def methods_markdown(flow: Flow, facts: MethodsFacts, command: Render = str) -> str:
    """methods.md: the sources, the selection procedure and its results, as paragraphs
    (``command`` spells the step a provisional flow names)."""
    f = flow.counts
    paras = [
        _sources_paragraph(f, facts),
        _procedure_paragraph(f, facts),
        _results_paragraph(f, facts),
    ]
    paras += search_paragraphs(facts.searches, nice_date)  # PRISMA-S (review/prisma/search_text.py)
    # PRISMA-ScR's words for a scoping review, PRISMA 2020's (item 16a) for a systematic one
    title = (
        "Study selection"
        if facts.review_type == ReviewType.SYSTEMATIC
        else "Selection of sources of evidence"
    )
    head = [f"# {title}", ""]
    if f.provisional:
        o = f.open
        parts = [  # only the stages still open (no "0 records undecided at title/abstract")
            f"{plural(n, noun)} {where}"
            for n, noun, where in (
                (o.title_abstract, "record", "undecided at title/abstract"),
                (o.full_text, "report", "undecided at full text"),
                (o.dedup_pairs, "record", "in possible-duplicate pairs"),
            )
            if n
        ]
        head += [
            f"> **Provisional:** {join(parts)}. Re-run {command(step(Action.PRISMA))} when "
            "screening is complete.",
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
    # a stop is claimed only when records were left unscreened because of it (the flow's
    # excluded_automatic); a stop later overtaken by screening everything is not a result
    stopped = facts.stopping is not None and f.excluded_automatic > 0
    s = f"The searches identified {plural(main_total, 'record')}"
    if with_total:
        s += f" ({n_(db_total)} from databases and registers and {n_(with_total)} from other sources screened with them)"
    s += f". We removed {plural(dups, 'duplicate')}"
    s += f" ({n_(f.duplicates_automatic)} automatically and {n_(f.duplicates_manual)} after checking by a reviewer)"
    if f.excluded_other:
        s += f" and {plural(f.excluded_other, 'further record')} for other reasons"
    if f.excluded_automatic and not stopped:
        s += f"; {plural(f.excluded_automatic, 'record')} {were(f.excluded_automatic)} marked ineligible by automation tools"
    s += f", leaving {plural(f.records_screened, 'record')} to screen."
    proc = [s]
    if stopped and facts.stopping is not None:
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
    proc += _resolution_sentences(facts)
    maybes = sum(r.n for r in f.records_excluded_by_reason if r.reason == MAYBE_STOPPED)
    if maybes:
        proc.append(
            f"{plural(maybes, 'record')} marked as uncertain at title and abstract "
            f"{were(maybes)} not taken to full text."
        )
    return " ".join(proc)


RESOLVER_WORDS = {
    "consensus": "consensus between the reviewers",
    "third-reviewer": "a third reviewer who had not screened the record",
    "reviewer": "one of the reviewers who had screened the record",
}


def _resolution_sentences(facts: MethodsFacts) -> list[str]:
    """Who resolved the disagreements, per stage and kind of resolver, from the resolution logs
    (not the protocol's plan); early resolutions; disagreements still open."""
    stages = [st for st in STAGE_IDS if STAGE_IDS[st] in facts.resolved]
    got = {st: facts.resolved[STAGE_IDS[st]] for st in stages}
    clauses = []
    for kind, how in RESOLVER_WORDS.items():
        rows = [(st, b) for st in stages for b in got[st].by if b.kind == kind]
        if not rows:
            continue
        names = sorted({md_text(name) for _, b in rows for name in b.names})
        where = join([f"{plural(b.n, 'record')} at the {STAGE_WORDS[st]} stage" for st, b in rows])
        clauses.append(f"{how}{', ' + join(names) if names else ''} ({where})")
    out = [f"Disagreements were resolved {join([f'by {c}' for c in clauses])}."] if clauses else []
    early = [
        f"{n_(got[st].early)} at the {STAGE_WORDS[st]} stage" for st in stages if got[st].early
    ]
    if early:
        total = sum(got[st].early for st in stages)
        out.append(
            f"A resolver decided {plural(total, 'record')} before every planned reviewer had "
            f"screened {'it' if total == 1 else 'them'} ({join(early)})."
        )
    open_ = [
        f"{n_(got[st].open_conflicts)} at the {STAGE_WORDS[st]} stage"
        for st in stages
        if got[st].open_conflicts
    ]
    if open_:
        total = sum(got[st].open_conflicts for st in stages)
        out.append(
            f"{plural(total, 'disagreement')} {'awaits' if total == 1 else 'await'} "
            f"resolution ({join(open_)})."
        )
    fwd = sum(got[st].forwarded for st in stages)
    if fwd:  # include vs maybe where both go on (review.screen.final, maybe_conflicts)
        out.append(
            f"{plural(fwd, 'record')} on which one reviewer chose include and another maybe "
            f"went on to full-text assessment without resolution, as both decisions send a "
            "record on."
        )
    double = any(k > 1 for obs in facts.reviewers_observed.values() for k in obs)
    if double and not clauses and not open_ and not early:
        out.append("No disagreements between reviewers needed resolving.")
    return out


def _results_paragraph(f: FlowCounts, facts: MethodsFacts) -> str:
    """3. The results of the selection: exclusions per reason, reports and studies included.
    While a stage is open, what is known so far and what is still pending (never a 0 that
    reads as a result)."""
    r = [_title_abstract_results(f, facts)]
    r.append(_full_text_results(f.reports, f, facts, "databases and registers"))
    if f.other_reports.sought:
        r.append(_full_text_results(f.other_reports, f, facts, "other methods"))
    r.append(_included_sentence(f))
    return " ".join(x for x in r if x)


def _reasons(rows: tuple[ReasonRow, ...]) -> str:
    listed = [f"{_lc(x.label)}, {n_(x.n)}" for x in rows if x.n]
    return f" ({'; '.join(listed)})" if listed else ""


def _title_abstract_results(f: FlowCounts, facts: MethodsFacts) -> str:
    excluded = f"{n_(f.records_excluded)} {were(f.records_excluded)} excluded"
    reasons = _reasons(f.records_excluded_by_reason)
    if not f.open.title_abstract:
        return (
            f"Of the {plural(f.records_screened, 'record')} screened, {excluded} on title and "
            f"abstract{reasons}."
        )
    decided = f.records_screened - f.open.title_abstract
    if not decided:
        if not any(facts.reviewers_observed.get(Stage.TITLE_ABSTRACT, {}).values()):
            return "Title and abstract screening has not started."
        return "Title and abstract screening is in progress; no record has a final decision yet."
    return (
        f"Title and abstract screening is in progress: {n_(decided)} of the "
        f"{plural(f.records_screened, 'record')} {'has' if decided == 1 else 'have'} a final "
        f"decision so far and {n_(f.open.title_abstract)} "
        f"{'awaits' if f.open.title_abstract == 1 else 'await'} one. So far, {excluded}{reasons} and "
        f"{plural(f.reports.sought, 'report')} {were(f.reports.sought)} sought for retrieval."
    )


def _full_text_results(r: ReportCounts, f: FlowCounts, facts: MethodsFacts, branch: str) -> str:
    """One branch's full-text results: final, in progress, or not started."""
    main = branch == "databases and registers"
    if not r.awaiting and not (main and f.open.title_abstract):  # this stage is done
        missing = (
            f"could not retrieve {n_(r.not_retrieved)}"
            if r.not_retrieved
            else "retrieved all of them"
        )
        if main:
            return (
                f"We sought {plural(r.sought, 'report')} for retrieval, {missing}, and assessed "
                f"{n_(r.assessed)} in full text; {n_(r.excluded)} {were(r.excluded)} excluded"
                f"{_reasons(r.excluded_by_reason)}."
            )
        return (
            f"Other methods yielded {plural(r.sought, 'report')}; {n_(r.not_retrieved)} could "
            f"not be retrieved and {n_(r.excluded)} {were(r.excluded)} excluded"
            f"{_reasons(r.excluded_by_reason)}."
        )
    what = "" if main else " of reports from other methods"
    if not r.assessed and not r.not_retrieved:
        started = any(facts.reviewers_observed.get(Stage.FULL_TEXT, {}).values())
        if not started:
            return f"Full-text assessment{what} has not started."
        return f"Full-text assessment{what} is in progress; no report has a final decision yet."
    of = f"{n_(r.assessed)} of {plural(r.sought, 'report')}"
    so_far = [f"{n_(r.excluded)} excluded{_reasons(r.excluded_by_reason)}"]
    so_far.append(f"{n_(r.assessed - r.excluded)} included")
    if r.not_retrieved:
        so_far.append(f"{n_(r.not_retrieved)} not retrieved")
    return (
        f"Full-text assessment{what} is in progress ({of} assessed so far: {join(so_far)}; "
        f"{n_(r.awaiting)} awaiting a final decision)."
    )


def _included_sentence(f: FlowCounts) -> str:
    final = f.is_final("reports_included")
    if not final and not f.reports_included:
        return ""  # nothing included yet: no "0 reports were included"
    inc = f"In total, {plural(f.reports_included, 'report')} " if final else "So far, "
    if not final:
        inc += f"{plural(f.reports_included, 'report')} "
    if f.reports_included_other:
        inc += f"({n_(f.reports_included_main)} from the searches and {n_(f.reports_included_other)} from other methods) "
    inc += (
        f"{were(f.reports_included)} included"
        if final
        else ("has been included" if f.reports_included == 1 else "have been included")
    )
    if f.units_included is not None and f.unit is not None:
        word = f"distinct {f.unit.singular}"
        inc += f", describing {plural(f.units_included, word, f'distinct {f.unit.plural}')}"
        if f.studies_included != f.units_included:
            inc += f" ({plural(f.studies_included, 'study', 'studies')} in all)"
    elif f.studies_included != f.reports_included:
        inc += f", reporting {plural(f.studies_included, 'study', 'studies')}"
    return inc + "."


def _stopping_sentence(stop: StopDecision, n_auto: int) -> str:
    """How title/abstract screening stopped early (the team's recorded `stop` line)."""
    return (
        "Title and abstract screening was prioritised by a model retrained on each reviewer's "
        "own decisions and stopped early by the hypergeometric stopping rule of Callaghan and "
        f"Müller-Hansen (2020): after ranked screening, a random sample of {stop.sampled} "
        f"of the {stop.urn} records then unscreened held {stop.sample_relevant} "
        f"relevant records, rejecting the hypothesis that recall was below "
        f"{stop.recall_target:.0%} (confidence {stop.confidence:.0%}, p = {stop.p_value:.3f}). "
        f"The {plural(n_auto, 'record')} left unscreened because of the stop "
        f"{'is' if n_auto == 1 else 'are'} reported as excluded by automation tools "
        f"(decision recorded by {stop.by} on {stop.at[:10]})."
    )
