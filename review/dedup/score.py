"""Stage 3: field-by-field similarity of a candidate pair (rapidfuzz).

Every similarity is in [0, 1]; ``None`` means "cannot compare" (a field missing on either side).
Agreement flags (``same_*``) are True/False/None likewise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from review.dedup.normalize import NormRecord, journal_keys

_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class PairScore:
    a: int  # index into the normalised records
    b: int
    title: float
    title_how: str  # exact | contained | translated | fuzzy | missing
    digits_differ: bool
    parts_differ: bool
    authors: float | None
    first_author: bool | None
    journal: float | None
    year_diff: int | None
    same_volume: bool | None
    same_issue: bool | None
    same_pages: bool | None
    page_range: bool  # both give the same multi-page range (first and last page)
    pages_overlap: bool | None
    same_doi: bool | None
    doi_conflict: bool  # both DOIs look valid and differ
    same_pmid: bool | None
    abstract: float | None
    kind_differ: bool  # erratum/comment versus the article
    protocol_differ: bool
    conference_differ: bool
    both_conference: bool
    same_search_set: bool
    initials_agree: bool | None  # every compared author's first initial agrees
    cochrane_versions: bool
    online_first: bool = False  # one side has no volume and pages from 1 (an online-first copy)
    exact_authors: bool = False  # the same full author list (at least two names)
    title_len: int = 0  # letters of the shorter compact title
    translated: bool = False  # one title is a bracketed translation (the other may be original)


def title_similarity(x: NormRecord, y: NormRecord) -> tuple[float, str]:
    t, how = _title_similarity(x.title_compact, y.title_compact)
    if t < 1.0 and (x.title_alts or y.title_alts):
        # A bracketed English translation or a parallel title: compare every form with every
        # other and keep the best ("Titre [Title]" vs "Title").
        for a in (x.title_compact, *x.title_alts):
            for b in (y.title_compact, *y.title_alts):
                if a == x.title_compact and b == y.title_compact:
                    continue
                r, h = _title_similarity(a, b)
                if r > t:
                    t, how = r, ("translated" if h in ("exact", "contained") else h)
    return t, how


def _title_similarity(a: str, b: str) -> tuple[float, str]:
    if not a or not b:
        return 0.0, "missing"
    if a == b:
        return 1.0, "exact"
    la, lb = len(a), len(b)
    short, long_ = (a, b) if la <= lb else (b, a)
    if len(short) >= 30 and (long_.startswith(short) or long_.endswith(short)):
        return 1.0, "contained"
    r = Indel.normalized_similarity(a, b)
    if r < 0.8 and len(long_) >= 1.6 * len(short) and len(short) >= 30:
        # A translated title appended to the original: compare the shorter with its best match.
        p = fuzz.partial_ratio(short, long_) / 100
        if p >= 0.9:
            return p, "translated"
    return r, "fuzzy"


def author_similarity(x: NormRecord, y: NormRecord) -> float | None:
    if not x.authors or not y.authors:
        return None
    if x.surnames == y.surnames:
        return 1.0
    sx = [s for s, _ in x.authors]
    sy = [s for s, _ in y.authors]
    k = min(len(sx), len(sy))
    full = fuzz.token_sort_ratio(x.surnames, y.surnames) / 100
    for ax, ay in ((x.alt_surnames, y.surnames), (x.surnames, y.alt_surnames)):
        if ax and ay:
            full = max(full, fuzz.token_sort_ratio(ax, ay) / 100)
    # One list truncated ("et al.", 3 of 12 authors): compare the first k in order.
    head = Indel.normalized_similarity(" ".join(sx[:k]), " ".join(sy[:k]))
    if k < max(len(sx), len(sy)):
        head = min(head, 1.0 if k >= 3 else 0.95)
    return max(full, head)


def journal_similarity(x: NormRecord, y: NormRecord) -> float | None:
    if not x.journal or not y.journal:
        return None
    if x.journal == y.journal:
        return 1.0
    best = _words_similarity(x.journal, y.journal, x.journal_text, y.journal_text)
    if best < 1.0:
        # ISO 4 (LTWA) abbreviated keys, one per parallel title ("X za zhi = Chinese journal …").
        for kx in journal_keys(x.journal_raw):
            for ky in journal_keys(y.journal_raw):
                if kx == ky:
                    return 1.0
                best = max(best, _words_similarity(kx, ky, " ".join(kx), " ".join(ky)))
    if best < 0.9 and x.journal_native != y.journal_native:
        return None  # a transliterated native title versus (probably) its English name: unknown
    return best


def _words_similarity(jx: tuple[str, ...], jy: tuple[str, ...], tx: str, ty: str) -> float:
    if jx == jy:
        return 1.0
    # ISO abbreviations: every word of one is a prefix of the word at the same place.
    if len(jx) == len(jy) and all(
        a.startswith(b) or b.startswith(a) for a, b in zip(jx, jy, strict=True)
    ):
        return 1.0
    # Acronym ("jama" vs "journal american medical association").
    if len(jx) == 1 and len(jy) > 1 and jx[0] == "".join(w[0] for w in jy):
        return 1.0
    if len(jy) == 1 and len(jx) > 1 and jy[0] == "".join(w[0] for w in jx):
        return 1.0
    # A venue named by its acronym first ("icis transforming society …" vs "international
    # conference information systems").
    for a, b in ((jx, jy), (jy, jx)):
        if len(b) >= 3 and len(a[0]) >= 3 and a[0] == "".join(w[0] for w in b):
            return 0.95
    if len(jx) < 6 and len(jy) < 6 and (tx.startswith(ty) or ty.startswith(tx)):
        return 1.0
    # Abbreviations that drop words: every word of the shorter prefixes a word of the longer, in
    # order.
    short, long_ = (jx, jy) if len(jx) <= len(jy) else (jy, jx)
    pos = 0
    matched = 0
    for w in short:
        while pos < len(long_) and not long_[pos].startswith(w) and not w.startswith(long_[pos]):
            pos += 1
        if pos < len(long_):
            matched += 1
            pos += 1
    if matched == len(short) and len(short) >= 2:
        return 0.95
    return Indel.normalized_similarity(tx, ty)


def _initials_agree(x: NormRecord, y: NormRecord) -> bool | None:
    if not x.authors or not y.authors:
        return None
    for (_, ix), (_, iy) in zip(x.authors, y.authors, strict=False):
        if ix and iy and ix[0] != iy[0]:
            return False
    return True


def _digits_differ(x: NormRecord, y: NormRecord, how: str) -> bool:
    dx, dy = x.title_digits, y.title_digits
    if dx == dy or "".join(dx) == "".join(dy):
        return False
    if how == "contained":
        # A truncated title: its numbers must be the start of the full title's numbers.
        short, long_ = (dx, dy) if len(x.title_compact) <= len(y.title_compact) else (dy, dx)
        return tuple(long_[: len(short)]) != tuple(short)
    return True


def _eq(a: str, b: str) -> bool | None:
    if not a or not b:
        return None
    return a == b


def score_pair(x: NormRecord, y: NormRecord) -> PairScore:
    t, how = title_similarity(x, y)
    year_diff = abs(x.year - y.year) if x.year is not None and y.year is not None else None
    same_pages = _eq(x.page_first, y.page_first)
    if same_pages is False and _DIGIT.sub("", x.page_first) != _DIGIT.sub("", y.page_first):
        if x.page_digits and x.page_digits == y.page_digits:
            same_pages = True  # "S72" vs "72", "e0143396" vs "0143396": one article number
        else:
            same_pages = None  # "e12724" vs "1-6", "c1804" vs "1014": different numbering schemes
    overlap: bool | None = None
    if same_pages is False and x.page_first.isdigit() and y.page_first.isdigit():
        # The same article paginated from a different first page (e.g. 123-9 vs 124-9) is rare;
        # adjacent or disjoint ranges mean two articles.
        xl = int(x.page_last) if x.page_last.isdigit() else int(x.page_first)
        yl = int(y.page_last) if y.page_last.isdigit() else int(y.page_first)
        overlap = not (xl < int(y.page_first) or yl < int(x.page_first))
    same_doi = _eq(x.doi, y.doi)
    journal_sim = journal_similarity(x, y)
    abstract = None
    if x.abstract and y.abstract:
        if x.abstract == y.abstract:
            abstract = 1.0
        else:
            abstract = Indel.normalized_similarity(x.abstract, y.abstract)  # ABSTRACT_CHARS
    same_volume = _eq(x.volume, y.volume)
    same_issue = _eq(x.issue, y.issue)
    if x.supplement or y.supplement:
        # Supplements are numbered every which way ("64" + "SUPPL. 1" in one export, "1" + "NA"
        # in another): a differing volume or issue proves nothing there.
        same_volume = same_volume or None
        # Nor does an agreeing one: most supplements are "Suppl 1" (two abstracts of one meeting
        # printed in two journals' supplements agree on it).
        same_issue = None
    # The same item listed once under its journal and once under "… Conference: …" is one
    # record; a conference version and a journal version have different volume/pages.
    same_item = bool(
        same_pages and same_volume is not False and (same_volume or (journal_sim or 0) >= 0.9)
    )
    cochrane = x.cochrane and y.cochrane and (same_doi is False or (year_diff or 0) > 0)
    # A missing title is unknown: it cannot show an erratum, a protocol or another part.
    titled = bool(x.title_compact and y.title_compact)
    return PairScore(
        a=x.index,
        b=y.index,
        title=t,
        title_how=how,
        digits_differ=titled and _digits_differ(x, y, how),
        parts_differ=titled and x.parts != y.parts,
        authors=author_similarity(x, y),
        first_author=_eq(
            x.authors[0][0] if x.authors else "", y.authors[0][0] if y.authors else ""
        ),
        journal=journal_sim,
        year_diff=year_diff,
        same_volume=same_volume,
        same_issue=same_issue,
        same_pages=same_pages,
        page_range=bool(same_pages and x.page_last == y.page_last and x.page_first != x.page_last),
        pages_overlap=overlap,
        same_doi=same_doi,
        doi_conflict=bool(same_doi is False and x.doi_valid and y.doi_valid),
        same_pmid=_eq(x.pmid, y.pmid),
        abstract=abstract,
        kind_differ=titled and x.kind != y.kind,
        protocol_differ=titled and x.protocol != y.protocol,
        # A record without any venue is not known to be a journal article: unknown, no blocker.
        conference_differ=x.conference != y.conference
        and not same_item
        and bool(x.journal or x.type == "conference")
        and bool(y.journal or y.type == "conference"),
        both_conference=x.conference and y.conference,
        same_search_set=bool(x.search_set) and x.search_set == y.search_set,
        initials_agree=_initials_agree(x, y),
        cochrane_versions=bool(cochrane),
        online_first=_online_first(x, y) or _online_first(y, x),
        exact_authors=len(x.authors) >= 2 and x.authors == y.authors,
        title_len=min(len(x.title_compact), len(y.title_compact)),
        translated=x.translated != y.translated,
    )


def _online_first(x: NormRecord, y: NormRecord) -> bool:
    return not x.volume and not x.issue and x.page_first == "1" and bool(y.volume)
