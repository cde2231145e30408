"""Stage 4: decide each scored pair: ``auto`` (certain, merged), ``maybe`` (queued), ``distinct``.

The rules are written out in docs/dedup.md; :func:`decide` returns the label together with the
reasons so that ``review dedup explain`` can show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from review.dedup.score import PairScore

AUTO, MAYBE, DISTINCT = "auto", "maybe", "distinct"
SHORT_TITLE = 20  # compact title length below which a title alone proves little


@dataclass(frozen=True, slots=True)
class DedupOptions:
    """Thresholds and limits of a dedup run (``review dedup --auto-threshold …``)."""

    auto_threshold: float = 0.95  # title similarity for an automatic merge on title+authors
    maybe_threshold: float = 0.80  # title similarity for queueing a pair for a person
    author_threshold: float = 0.80  # author similarity for an automatic merge
    max_block: int = 60  # a blocking key shared by more records pairs only near neighbours
    window: int = 8  # how many neighbours (in title order) inside an oversized block


@dataclass(frozen=True, slots=True)
class Decision:
    label: str  # auto | maybe | distinct
    rule: str  # the rule that decided, e.g. "A2 title+authors+2 fields"
    blockers: tuple[str, ...] = ()  # why it was not merged automatically (never-merge rules)
    conflicts: tuple[str, ...] = ()  # fields that contradict each other
    support: tuple[str, ...] = field(default=())  # fields that agree


def blockers_of(s: PairScore) -> list[str]:
    out = []
    if s.kind_differ:
        out.append("one is an erratum/retraction/comment/reply about the other")
    if s.protocol_differ:
        out.append("one is a protocol, the other is not")
    if s.parts_differ:
        out.append("different parts of a series")
    elif s.digits_differ:
        out.append("the numbers in the titles differ")
    if s.cochrane_versions:
        out.append("different versions of a Cochrane review")
    if s.doi_conflict:
        out.append("both have valid DOIs and they differ")
    if s.conference_differ:
        out.append("one is a conference paper/abstract, the other a journal article")
    return out


def conflicts_of(s: PairScore, author_min: float = 0.5) -> list[str]:
    out = []
    if s.year_diff is not None and s.year_diff > 1:
        out.append(f"years differ by {s.year_diff}")
    if s.same_volume is False:
        out.append("volumes differ")
    if s.same_pages is False and s.pages_overlap is not True:
        out.append("pages differ")
    if s.same_issue is False:
        out.append("issues differ")
    if s.authors is not None and s.authors < author_min:
        out.append("authors differ")
    if s.same_pmid is False:
        out.append("PubMed ids differ")
    return out


def support_of(s: PairScore) -> list[str]:
    out = []
    if s.same_doi:
        out.append("doi")
    if s.same_pmid:
        out.append("pmid")
    if s.year_diff == 0:
        out.append("year")
    if s.same_volume:
        out.append("volume")
    if s.same_issue:
        out.append("issue")
    if s.same_pages:
        out.append("pages")
    if s.journal is not None and s.journal >= 0.9:
        out.append("journal")
    if s.abstract is not None and s.abstract >= 0.9:
        out.append("abstract")
    return out


def decide(s: PairScore, o: DedupOptions, short_title: bool = False) -> Decision:
    blockers = blockers_of(s)
    conflicts = conflicts_of(s)
    support = support_of(s)
    t, a = s.title, s.authors
    id_match = bool(s.same_doi or s.same_pmid)
    n_support = len(support)

    def result(label: str, rule: str) -> Decision:
        return Decision(label, rule, tuple(blockers), tuple(conflicts), tuple(support))

    if not blockers:
        year_close = s.year_diff is None or s.year_diff <= 1
        if id_match and year_close and t >= 0.95 and (a is None or a >= 0.5):
            return result(AUTO, "A1 same DOI/PMID and the same title")
        if not conflicts:
            if id_match and t >= 0.9 and (a is None or a >= 0.5):
                return result(AUTO, "A1 same DOI/PMID and similar titles")
            if not short_title:
                if t >= o.auto_threshold and a is not None and a >= o.author_threshold:
                    if n_support >= 2:
                        return result(AUTO, "A2 same title and authors, two more fields agree")
                if t >= o.auto_threshold and a is None and n_support >= 3:
                    return result(AUTO, "A3 same title, no authors, three more fields agree")
                if (
                    t >= o.maybe_threshold
                    and a is not None
                    and a >= 0.95
                    and s.year_diff == 0
                    and n_support >= 4
                ):
                    return result(AUTO, "A4 close title, same authors, four more fields agree")
            elif (
                a is not None
                and a >= 0.9
                and t >= o.auto_threshold
                and s.same_pages
                and s.year_diff == 0
                and (s.same_volume or (s.journal or 0) >= 0.9)
            ):
                return result(AUTO, "A5 short title, same authors, year, pages and venue")
    if id_match:
        return result(MAYBE, "M1 same DOI/PMID but not certain")
    if t >= o.maybe_threshold and (a is None or a >= 0.5) and len(conflicts) <= 1:
        if blockers:
            return result(MAYBE, "M2 similar, but a never-merge rule applies")
        return result(MAYBE, "M3 similar, not certain")
    return result(DISTINCT, "distinct")
