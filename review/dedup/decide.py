"""Stage 4: decide each scored pair: ``auto`` (certain, merged), ``maybe`` (queued), ``distinct``.

The rules are written out in docs/dedup.md; :func:`decide` returns the label together with the
reasons so that ``dedup explain`` can show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from review.dedup.score import PairScore

AUTO, MAYBE, DISTINCT = "auto", "maybe", "distinct"
SHORT_TITLE = 20  # compact title length below which a title alone proves little


@dataclass(frozen=True, slots=True)
class DedupOptions:
    """Thresholds and limits of a dedup run (``dedup --auto-threshold …``)."""

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


def _holding(checks: tuple[tuple[object, str], ...]) -> list[str]:
    """The texts whose condition holds, in the order given."""
    return [text for holds, text in checks if holds]


def blockers_of(s: PairScore) -> list[str]:
    # Numbers in the titles: same DOI or the same page range means one export lost a number
    # ("100× speed-up"); different parts of a series already say so.
    digits = (
        not s.parts_differ and s.digits_differ and not (s.same_doi or s.same_pmid or s.page_range)
    )
    return _holding(
        (
            (s.kind_differ, "one is an erratum/retraction/comment/reply about the other"),
            (s.protocol_differ, "one is a protocol, the other is not"),
            (s.parts_differ, "different parts of a series"),
            (digits, "the numbers in the titles differ"),
            (s.cochrane_versions, "different versions of a Cochrane review"),
            (s.doi_conflict, "both have valid DOIs and they differ"),
            (
                s.conference_differ,
                "one is a conference paper/abstract, the other a journal article",
            ),
            (s.same_search_set, "both come from the same already-deduplicated search_set"),
        )
    )


def conflicts_of(s: PairScore, author_min: float = 0.5) -> list[str]:
    return _holding(
        (
            (s.year_diff is not None and s.year_diff > 1, f"years differ by {s.year_diff}"),
            (s.same_volume is False, "volumes differ"),
            (s.same_pages is False and s.pages_overlap is not True, "pages differ"),
            (s.same_issue is False, "issues differ"),
            (s.authors is not None and s.authors < author_min, "authors differ"),
            (s.same_pmid is False, "PubMed ids differ"),
        )
    )


def support_of(s: PairScore) -> list[str]:
    return _holding(
        (
            (s.same_doi, "doi"),
            (s.same_pmid, "pmid"),
            (s.year_diff == 0, "year"),
            (s.same_volume, "volume"),
            (s.same_issue, "issue"),
            (s.same_pages, "pages"),
            (s.journal is not None and s.journal >= 0.9, "journal"),
            (s.abstract is not None and s.abstract >= 0.9, "abstract"),
        )
    )


@dataclass(frozen=True, slots=True)
class _Pair:
    """What the rules read of one scored pair, worked out once."""

    s: PairScore
    o: DedupOptions
    short_title: bool
    conflicts: list[str]
    support: set[str]
    id_match: bool  # the same DOI or PubMed id
    journal: float  # journal similarity, 0 when missing
    authors_ok: bool  # authors missing on one side or at least half similar


def decide(s: PairScore, o: DedupOptions, short_title: bool = False) -> Decision:
    """Apply the rules of docs/dedup.md in order; the first that matches decides."""
    blockers = blockers_of(s)
    support = support_of(s)
    a = s.authors
    p = _Pair(
        s,
        o,
        short_title,
        conflicts_of(s),
        set(support),
        id_match=bool(s.same_doi or s.same_pmid),
        journal=s.journal or 0.0,
        authors_ok=a is None or a >= 0.5,
    )
    label, rule = DISTINCT, "distinct"
    automatic = None if blockers else _automatic_rule(p)
    if automatic is not None:
        label, rule = AUTO, automatic
    else:
        queued = _queue_rule(p, blockers)
        if queued is not None:
            label, rule = MAYBE, queued
    return Decision(label, rule, tuple(blockers), tuple(p.conflicts), tuple(support))


def _automatic_rule(p: _Pair) -> str | None:
    """The first automatic-merge rule (A…) that matches; only asked when no never-merge rule
    applies. A1–A4 and A15 allow a contradicting field, the others none."""
    rules = _identifier_and_one_field_rules(p)
    if not p.conflicts:
        rules += _title_rules(p) + _venue_rules(p) + _translation_rules(p)
    return next((rule for matched, rule in rules if matched), None)


def _identifier_and_one_field_rules(p: _Pair) -> list[tuple[bool, str]]:
    """A1, A2: the same DOI/PMID; A3, A4, A15: the same article with one field told differently."""
    s, t, a, T = p.s, p.s.title, p.s.authors, p.o.auto_threshold
    id_match, journal, authors_ok, conflicts = p.id_match, p.journal, p.authors_ok, p.conflicts
    long_title = not p.short_title
    year_close = s.year_diff is None or s.year_diff <= 1
    return [
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


def _title_rules(p: _Pair) -> list[tuple[bool, str]]:
    """A5–A9: the same or a close title, and enough other fields agree."""
    s, t, a, o, T = p.s, p.s.title, p.s.authors, p.o, p.o.auto_threshold
    id_match, journal, authors_ok, support = p.id_match, p.journal, p.authors_ok, p.support
    long_title = not p.short_title
    return [
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
    ]


def _venue_rules(p: _Pair) -> list[tuple[bool, str]]:
    """A10–A14, A16: authors, year and venue carry it (title differs, short, missing, or alone)."""
    s, t, a, T = p.s, p.s.title, p.s.authors, p.o.auto_threshold
    journal, short_title, long_title = p.journal, p.short_title, not p.short_title
    return [
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


def _translation_rules(p: _Pair) -> list[tuple[bool, str]]:
    """A17: a MEDLINE bracketed English title against the original-language title."""
    s, a, journal = p.s, p.s.authors, p.journal
    return [
        (
            s.translated
            and a is not None
            and a >= 0.9
            and bool(s.first_author)
            and s.year_diff == 0
            and bool(s.same_volume)
            and bool(s.same_pages)
            and (s.journal is None or journal >= 0.9)
            and s.same_doi is not False,
            "A17 a bracketed translated title and the original: same authors, year, volume, pages",
        ),
    ]


def _queue_rule(p: _Pair, blockers: list[str]) -> str | None:
    """The rule that queues the pair for a person (M…), or None: the pair stays distinct."""
    s, t, a, o, short_title = p.s, p.s.title, p.s.authors, p.o, p.short_title
    conflicts, support, authors_ok = p.conflicts, p.support, p.authors_ok
    if s.same_search_set:
        return None  # the set was deduplicated already: its records are distinct by definition
    if p.id_match:
        return "M1 same DOI/PMID but not certain"
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
        return "M4 no title on one side, the rest agrees"
    far_apart = s.year_diff is not None and s.year_diff > 3
    generic = short_title and (s.doi_conflict or a is None or a < 0.8)
    if t >= o.maybe_threshold and authors_ok and not far_apart and not generic:
        # An erratum, comment, protocol, review update or conference abstract has its own
        # pages/issue/year: queue it however many fields differ. Other pairs: at most one contradicting field.
        about = s.kind_differ or s.protocol_differ or s.cochrane_versions or s.conference_differ
        # Two valid DOIs and another differing field: two items (editorials of two issues).
        limit = 0 if s.doi_conflict else 1
        if blockers:
            if about or len(conflicts) <= limit:
                return "M2 similar, but a never-merge rule applies"
        elif len(conflicts) <= 1:
            return "M3 similar, not certain"
    return None
