"""Stage 2: blocking — candidate pairs from several cheap keys, never all pairs.

A pair is a candidate when the two records share at least one key: the DOI, the PubMed id, the
first or last 24 letters of the title (stopwords and spaces removed), the title's three longest
words, first-author surname + year + first page, year + volume + first page, first-author
surname + the first 10 letters of the title, the first two authors' surnames, first-author
surname + journal, or the start/end of a bracketed translation or parallel title. A title/DOI/PMID key shared by more than
``max_block`` records (generic titles such as "Editorial"), or another key shared by more than a
third of that, only pairs each record with its ``window`` nearest neighbours in title order, so
cost stays near-linear; the two author keys are dropped altogether when shared that widely.
"""

from __future__ import annotations

from collections.abc import Iterable

from review.dedup.normalize import NormRecord

KEY_LEN = 24


def record_keys(n: NormRecord) -> Iterable[str]:
    if n.doi:
        yield "d:" + n.doi
    if n.pmid:
        yield "p:" + n.pmid
    c = n.title_compact
    first = n.authors[0][0] if n.authors else ""
    if len(c) >= 12:
        yield "t:" + c[:KEY_LEN]
        yield "e:" + c[-KEY_LEN:]
        long_words = sorted(
            {w for w in n.title.split() if len(w) >= 5}, key=lambda w: (-len(w), w)
        )[:3]
        if len(long_words) == 3:
            yield "w:" + " ".join(sorted(long_words))
    for alt in n.title_alts:  # a bracketed translation / parallel title
        if len(alt) >= 12:
            yield "t:" + alt[:KEY_LEN]
            yield "e:" + alt[-KEY_LEN:]
    if first and n.year and n.page_first:
        yield f"a:{first}|{n.year}|{n.page_first}"
    if n.year and n.volume and n.page_first:
        yield f"v:{n.year}|{n.volume}|{n.page_first}"
    if first and len(c) >= 6:
        yield f"f:{first}|{c[:10]}"
    if len(n.authors) >= 2 and n.authors[1][0]:
        # The first two authors: a reworded title (an online-first version) keeps its authors.
        yield f"n:{first}|{n.authors[1][0]}"
    if first and n.journal:
        # First author + journal: an online-first copy has neither its final title nor pages.
        yield f"j:{first}|{' '.join(n.journal[:3])}"


def candidate_pairs(
    norms: list[NormRecord], max_block: int = 60, window: int = 8
) -> set[tuple[int, int]]:
    """Index pairs ``(i, j)`` with ``i < j`` (positions in ``norms``) worth scoring."""
    # Most keys belong to one record: a key maps to that record's index until a second record
    # shares it (a list per key would cost ~90 bytes for each of ~8 keys a record).
    blocks: dict[str, int | list[int]] = {}
    for n in norms:
        i = n.index
        for key in record_keys(n):
            got = blocks.get(key)
            if got is None:
                blocks[key] = i
            elif isinstance(got, list):
                got.append(i)
            else:
                blocks[key] = [got, i]
    pairs: set[tuple[int, int]] = set()
    weak_limit = max(2, max_block // 3)
    for key, members in blocks.items():
        if not isinstance(members, list):
            continue
        m = len(members)
        # DOI, PMID and title keys are strong; author/volume/word keys are weak and get a lower
        # limit, so common surnames and words cannot make the pair count grow quadratically.
        limit = max_block if key[0] in "dpte" else weak_limit
        if m > limit and key[0] in "nj":
            continue  # author pair / author + journal shared that widely proves nothing
        if m <= limit:
            for x in range(m):
                a = members[x]
                for y in range(x + 1, m):
                    b = members[y]
                    pairs.add((a, b) if a < b else (b, a))
        else:
            ordered = sorted(members, key=lambda i: (norms[i].title_compact, norms[i].record_id))
            for x in range(m):
                a = ordered[x]
                for y in range(x + 1, min(m, x + 1 + window)):
                    b = ordered[y]
                    pairs.add((a, b) if a < b else (b, a))
    return pairs
