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
    elif s.digits_differ and not (s.same_doi or s.same_pmid or s.page_range):
        # Same DOI or the same page range: one export lost a number ("100× speed-up").
        out.append("the numbers in the titles differ")
    if s.cochrane_versions:
        out.append("different versions of a Cochrane review")
    if s.doi_conflict:
        out.append("both have valid DOIs and they differ")
    if s.conference_differ:
        out.append("one is a conference paper/abstract, the other a journal article")
    if s.same_search_set:
        out.append("both come from the same already-deduplicated search_set")
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
    """Apply the rules of docs/dedup.md in order; the first that matches decides."""
    blockers = blockers_of(s)
    conflicts = conflicts_of(s)
    support = set(support_of(s))
    t, a = s.title, s.authors
    T = o.auto_threshold
    id_match = bool(s.same_doi or s.same_pmid)
    journal = s.journal or 0.0
    authors_ok = a is None or a >= 0.5
    long_title = not short_title

    def result(label: str, rule: str) -> Decision:
        return Decision(label, rule, tuple(blockers), tuple(conflicts), tuple(support_of(s)))

    if not blockers:
        year_close = s.year_diff is None or s.year_diff <= 1
        rules: list[tuple[bool, str]] = [
            (
                id_match and year_close and t >= 0.95 and authors_ok,
                "A1 same DOI/PMID and the same title",
            ),
            (
                id_match
                and year_close
                and a is not None
                and a >= 0.9
                and bool(s.first_author)
                and bool(s.same_pages or s.same_volume)
                and journal >= 0.9,
                "A2 same DOI/PMID, authors, journal and volume or pages (title translated)",
            ),
            (
                long_title
                and s.title_how == "exact"
                and s.year_diff == 0
                and bool(s.same_volume and s.same_pages)
                and journal >= 0.9
                and set(conflicts) <= {"authors differ"},
                "A3 same title, year, journal, volume and pages (authors ignored)",
            ),
            (
                long_title
                and t >= T
                and a is not None
                and a >= 0.95
                and s.year_diff == 0
                and journal >= 0.9
                and bool(s.same_volume)
                and (
                    (conflicts == ["issues differ"] and bool(s.same_pages))
                    or (conflicts == ["pages differ"] and bool(s.same_issue))
                ),
                "A4 same title, authors, year, journal and volume; only issue or pages differ",
            ),
            (
                long_title
                and t >= T
                and a is not None
                and a >= 0.95
                and bool(s.first_author)
                and s.online_first
                and s.year_diff is not None
                and s.year_diff <= 1
                and journal >= 0.9
                and set(conflicts) <= {"pages differ"}
                and s.same_doi is not False,
                "A15 online-first copy (no volume, pages from 1) of the issue version",
            ),
        ]
        if not conflicts:
            rules += [
                (
                    id_match and t >= 0.9 and authors_ok,
                    "A5 same DOI/PMID and similar titles",
                ),
                (
                    long_title
                    and t >= T
                    and a is not None
                    and a >= o.author_threshold
                    and len(support) >= 2,
                    "A6 same title and authors, two more fields agree",
                ),
                (
                    long_title
                    and t >= T
                    and authors_ok
                    and {"year", "volume", "pages", "journal"} <= support,
                    "A7 same title, year, journal, volume and pages",
                ),
                (
                    long_title and t >= T and a is None and len(support) >= 3,
                    "A8 same title, no authors, three more fields agree",
                ),
                (
                    long_title
                    and t >= o.maybe_threshold
                    and a is not None
                    and a >= 0.95
                    and s.year_diff == 0
                    and (len(support) >= 4 or (s.page_range and journal >= 0.9)),
                    "A9 close title, same authors, year, venue and pages",
                ),
                (
                    a is not None
                    and a >= 0.9
                    and bool(s.first_author)
                    and s.year_diff == 0
                    and s.same_volume is not False
                    and s.page_range
                    and journal >= 0.9
                    and s.same_doi is not False,
                    "A10 same authors, year, venue and page range (title differs)",
                ),
                (
                    long_title
                    and t >= T
                    and a is not None
                    and a >= 0.9
                    and s.year_diff == 0
                    and s.both_conference,
                    "A11 conference papers: same title, authors and year",
                ),
                (
                    long_title
                    and s.title_how == "exact"
                    and a is not None
                    and a >= 0.9
                    and bool(s.initials_agree)
                    and s.year_diff == 1
                    and s.both_conference
                    and journal >= 0.9
                    and s.same_pages is None
                    and s.same_doi is None,
                    "A13 conference paper and a listing of it without pages, dated a year apart",
                ),
                (
                    short_title
                    and t >= T
                    and a is not None
                    and a >= 0.9
                    and s.year_diff == 0
                    and bool(s.same_pages)
                    and bool(s.same_volume or journal >= 0.9),
                    "A12 short title: same authors, year, pages and venue",
                ),
                (
                    s.title_how == "exact"
                    and s.title_len >= 30
                    and s.exact_authors
                    and s.year_diff == 0
                    and (s.journal is None or journal >= 0.9)
                    and s.same_doi is not False,
                    "A16 the same long title, the same full author list and year, nothing else",
                ),
                (
                    s.title_how == "missing"
                    and a is not None
                    and a >= 0.95
                    and bool(s.first_author)
                    and s.year_diff == 0
                    and journal >= 0.9
                    and bool(s.same_volume)
                    and bool(s.same_pages)
                    and (s.page_range or bool(s.same_issue)),
                    "A14 no title on one side: same authors, year, journal, volume, issue/pages",
                ),
            ]
        for matched, rule in rules:
            if matched:
                return result(AUTO, rule)
    if id_match:
        return result(MAYBE, "M1 same DOI/PMID but not certain")
    if (
        s.title_how == "missing"
        and not blockers
        and not conflicts
        and a is not None
        and a >= 0.9
        and bool(s.first_author)
        and s.year_diff is not None
        and s.year_diff <= 1
        and len(support & {"journal", "volume", "issue", "pages"}) >= 2
    ):
        return result(MAYBE, "M4 no title on one side, the rest agrees")
    far_apart = s.year_diff is not None and s.year_diff > 3
    generic = short_title and (s.doi_conflict or a is None or a < 0.8)
    if t >= o.maybe_threshold and authors_ok and not far_apart and not generic:
        # An erratum, comment, protocol, review update or conference abstract has its own
        # pages/issue/year: queue it
        # however many fields differ. Other pairs: at most one contradicting field.
        about = s.kind_differ or s.protocol_differ or s.cochrane_versions or s.conference_differ
        # Two valid DOIs and another differing field: two items (editorials of two issues).
        limit = 0 if s.doi_conflict else 1
        if blockers:
            if about or len(conflicts) <= limit:
                return result(MAYBE, "M2 similar, but a never-merge rule applies")
        elif len(conflicts) <= 1:
            return result(MAYBE, "M3 similar, not certain")
    return result(DISTINCT, "distinct")
