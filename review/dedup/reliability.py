"""How much each field says *in this library*: Fellegi–Sunter m/u probabilities estimated on the
library's own candidate pairs, before the rules decide.

Each scored pair is a comparison vector: per field an agreement level (title, authors and year
have three levels, journal and the identifiers two) or *missing*. ``m[f][level]`` = P(level |
duplicate), ``u[f][level]`` = P(level | not a duplicate). As Splink does when it trains ``m``
with a blocking rule that leaves the field out, each field's ``m`` is counted on *anchor* pairs
that are certain without it: for volume, issue, pages, year, journal, DOI and PMID a long
(≥ 30 letters) close title by the same authors; for title and authors the same DOI, or the
same page range, volume, year and journal. ``u`` is counted on the other candidate pairs.
(A plain EM fit was tried first: on digital_work its "duplicate" class became "papers in the
same issue of one journal", so it is not used.)

What the rules use of it:

- **A disagreement that is no evidence.** For volume, issue, first page and PubMed id: when a
  disagreement is not at least twice as likely among the non-anchor pairs as among the anchor
  pairs (``m[f][differ] / u[f][differ] > 0.5``), with at least 20 anchor pairs showing the field,
  "differs" is read as unknown in this library — and the same per pair of imports (sources),
  so that one database exporting its record number as the issue (unique per record: it
  disagrees among certain duplicates as often as among strangers) silences only its own pairs.
- **An agreement that is no evidence**: when agreeing is not at least twice as likely among the
  anchor pairs (``m[f][same] / u[f][same] < 2``), "same" is read as unknown (a field filled with
  one value for every record).
- **The queue order**: the match weight (log2 odds) of a pair orders the queue, likeliest first.

The never-merge rules are not touched (DOIs, erratum/protocol/part markers, conference vs
journal). Everything is computed from the scored pairs, so the same records give the same
estimates, and a cached scoring run re-derives them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from operator import attrgetter

from review.dedup.score import PairScore

FIELDS = ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid")
LEVELS = (3, 3, 3, 2, 2, 2, 2, 2, 2)
# Fields whose disagreement/agreement the estimate may declare uninformative (the rules' other
# fields and the never-merge rules stay as they are).
MASKABLE = {
    "volume": "same_volume",
    "issue": "same_issue",
    "pages": "same_pages",
    "pmid": "same_pmid",
}
MIN_EXPECTED = 20.0  # expected duplicate pairs showing a field before its estimate is used
LONG_TITLE = 30  # compact-title letters for a title to anchor the other fields' estimates


def levels(s: PairScore) -> tuple[int, ...]:
    """The comparison vector of a scored pair: one level per field of FIELDS, -1 when missing."""
    t = -1 if s.title_how == "missing" else (2 if s.title >= 0.95 else 1 if s.title >= 0.8 else 0)
    a = s.authors
    au = -1 if a is None else (2 if a >= 0.9 else 1 if a >= 0.5 else 0)
    y = s.year_diff
    yr = -1 if y is None else (2 if y == 0 else 1 if y == 1 else 0)
    j = -1 if s.journal is None else int(s.journal >= 0.9)
    return (
        t,
        au,
        yr,
        j,
        _flag(s.same_volume),
        _flag(s.same_issue),
        _flag(s.same_pages),
        _flag(s.same_doi),
        _flag(s.same_pmid),
    )


def _flag(v: bool | None) -> int:
    return -1 if v is None else int(v)


@dataclass(frozen=True, slots=True)
class FieldReliability:
    """The library's m/u estimates and what the rules make of them (see the module docstring)."""

    m: tuple[tuple[float, ...], ...] = ()
    u: tuple[tuple[float, ...], ...] = ()
    prior: float = 0.0  # estimated share of duplicates among the candidate pairs
    expected: tuple[float, ...] = ()  # expected duplicate pairs showing each field
    ignore_disagreement: frozenset[str] = frozenset()
    ignore_agreement: frozenset[str] = frozenset()
    # (field, source, source) with the two sources sorted: a disagreement between records of
    # these two imports is no evidence; ``source_of`` gives each normalised record's source.
    ignore_between: frozenset[tuple[str, str, str]] = frozenset()
    source_of: tuple[str, ...] = ()

    def mask(self, s: PairScore) -> PairScore:
        """``s`` (a pair of the library's records) with the uninformative agreements and
        disagreements read as unknown."""
        if not (self.ignore_disagreement or self.ignore_agreement or self.ignore_between):
            return s
        if self.ignore_between:
            return self.mask_between(s, self.source_of[s.a], self.source_of[s.b])
        return self.mask_between(s, "", "")

    def mask_between(self, s: PairScore, source_a: str, source_b: str) -> PairScore:
        """``s`` masked as for a pair of records imported from ``source_a`` and ``source_b``."""
        changes: dict[str, object] = {}
        between: tuple[str, ...] = ()
        if self.ignore_between:
            sa, sb = sorted((source_a, source_b))
            between = tuple(f for f, x, y in self.ignore_between if (x, y) == (sa, sb))
        for name, attr in MASKABLE.items():
            v = getattr(s, attr)
            if (v is False and (name in self.ignore_disagreement or name in between)) or (
                v is True and name in self.ignore_agreement
            ):
                changes[attr] = None
        if "pages" in changes:
            changes["pages_overlap"] = None
        return replace(s, **changes) if changes else s  # type: ignore[arg-type]

    def weight(self, s: PairScore) -> float:
        """The Fellegi–Sunter match weight (log2 odds of a duplicate) of a scored pair."""
        if not self.m:
            return 0.0
        w = math.log2(self.prior / (1 - self.prior)) if 0 < self.prior < 1 else 0.0
        for f, level in enumerate(levels(s)):
            if level >= 0:
                w += math.log2(self.m[f][level] / self.u[f][level])
        return w

    def to_json(self) -> dict[str, object]:
        return {
            "prior": round(self.prior, 6),
            "fields": {
                f: {
                    "m": [round(x, 4) for x in self.m[k]],
                    "u": [round(x, 4) for x in self.u[k]],
                    "expected_duplicate_pairs": round(self.expected[k], 1),
                }
                for k, f in enumerate(FIELDS)
            }
            if self.m
            else {},
            "ignore_disagreement": sorted(self.ignore_disagreement),
            "ignore_agreement": sorted(self.ignore_agreement),
            "ignore_disagreement_between": [list(x) for x in sorted(self.ignore_between)],
        }

    @classmethod
    def from_json(cls, data: object) -> FieldReliability:
        """What :meth:`to_json` wrote (``summary.json``), enough to mask and weigh a pair again;
        an empty estimate for anything else (an older summary)."""
        if not isinstance(data, dict) or not isinstance(data.get("fields"), dict):
            return cls()
        try:
            fields = data["fields"]
            return cls(
                m=tuple(tuple(float(x) for x in fields[f]["m"]) for f in FIELDS),
                u=tuple(tuple(float(x) for x in fields[f]["u"]) for f in FIELDS),
                prior=float(data.get("prior", 0.0)),
                expected=tuple(float(fields[f]["expected_duplicate_pairs"]) for f in FIELDS),
                ignore_disagreement=frozenset(str(x) for x in data.get("ignore_disagreement", [])),
                ignore_agreement=frozenset(str(x) for x in data.get("ignore_agreement", [])),
                ignore_between=frozenset(
                    (str(f), str(x), str(y))
                    for f, x, y in data.get("ignore_disagreement_between", [])
                ),
            )
        except (KeyError, TypeError, ValueError):
            return cls()


def estimate(scored: list[PairScore], sources: list[str] | None = None) -> FieldReliability:
    """m/u per field from the library's candidate pairs (numpy, linear in pairs); ``sources``
    gives each normalised record's import (its ``source``), for the estimates per pair of
    imports."""
    if len(scored) < 50:
        return FieldReliability()
    import numpy as np

    g, long_title, marked, ids, pairs = _columns(scored)
    # Anchor for every field but title and authors: a long close title by the same authors.
    by_names = (g[:, 0] == 2) & (g[:, 1] == 2) & long_title & ~marked
    # Anchor for title and authors: the same DOI/PMID, or the same page range, volume, year and
    # journal.
    by_place = (ids & (g[:, 2] == 2) & (g[:, 3] == 1) & (g[:, 4] != 0) & (g[:, 6] == 1)) | (
        g[:, 7] == 1
    )
    by_place &= ~marked
    m, u, expected = [], [], []
    for f, k in enumerate(LEVELS):
        anchor = by_place if FIELDS[f] in ("title", "authors") else by_names
        col = g[:, f]
        mc = np.bincount(col[anchor & (col >= 0)], minlength=k)[:k] + 0.5
        uc = np.bincount(col[~anchor & (col >= 0)], minlength=k)[:k] + 0.5
        m.append(tuple(float(x) for x in mc / mc.sum()))
        u.append(tuple(float(x) for x in uc / uc.sum()))
        expected.append(float(mc.sum() - 0.5 * k))
    prior = float(np.clip((by_names | by_place).mean(), 1e-6, 1 - 1e-6))
    ignore_dis, ignore_agree = set(), set()
    for name in MASKABLE:
        f = FIELDS.index(name)
        if expected[f] < MIN_EXPECTED:
            continue
        if m[f][0] / u[f][0] > 0.5:
            ignore_dis.add(name)
        if m[f][1] / u[f][1] < 2:
            ignore_agree.add(name)
    between: set[tuple[str, str, str]] = set()
    if sources and len(set(sources)) > 1:
        between = _between(pairs, g, by_names, sources, ignore_dis)
    return FieldReliability(
        m=tuple(m),
        u=tuple(u),
        prior=prior,
        expected=tuple(expected),
        ignore_disagreement=frozenset(ignore_dis),
        ignore_agreement=frozenset(ignore_agree),
        ignore_between=frozenset(between),
        source_of=tuple(sources) if between and sources else (),
    )


_COLUMNS = (
    "title", "title_how", "authors", "year_diff", "journal", "same_volume", "same_issue",
    "same_pages", "same_doi", "same_pmid", "title_len", "kind_differ", "protocol_differ",
    "parts_differ", "page_range", "a", "b",
)  # fmt: skip


def _columns(scored: list[PairScore]):
    """The comparison vectors of all pairs as an int8 matrix (what :func:`levels` gives one
    pair), the long-title, marker and identifier flags and the pairs' record indexes —
    column-wise in numpy (one C-level pass per attribute), so 200,000 pairs take a fraction of
    a second."""
    import numpy as np

    c = [list(map(attrgetter(name), scored)) for name in _COLUMNS]

    def num(k: int) -> np.ndarray:
        return np.array(c[k], dtype=float)  # None -> nan

    def flag(k: int) -> np.ndarray:
        v = num(k)
        return np.where(np.isnan(v), -1, v).astype(np.int8)

    def three(v: np.ndarray, hi: float, lo: float) -> np.ndarray:
        return np.where(np.isnan(v), -1, np.where(v >= hi, 2, np.where(v >= lo, 1, 0)))

    title = num(0)
    title[np.array(c[1]) == "missing"] = np.nan
    year = num(3)
    year_level = np.where(np.isnan(year), -1, np.where(year == 0, 2, np.where(year == 1, 1, 0)))
    journal = num(4)
    g = np.stack(
        [
            three(title, 0.95, 0.8),
            three(num(2), 0.9, 0.5),
            year_level,
            np.where(np.isnan(journal), -1, journal >= 0.9),
            *(flag(k) for k in range(5, 10)),
        ],
        axis=1,
    ).astype(np.int8)
    long_title = num(10) >= LONG_TITLE
    marked = (num(11) + num(12) + num(13)) > 0
    ids = (np.nan_to_num(num(8)) + np.nan_to_num(num(9)) + num(14)) > 0
    pairs = np.array(c[15], dtype=np.int64), np.array(c[16], dtype=np.int64)
    return g, long_title, marked, ids, pairs


def _between(pairs, g, anchor, sources, ignored) -> set[tuple[str, str, str]]:
    """(field, source, source) whose disagreement is no evidence between those two imports:
    among the anchor pairs of the two, the field disagrees at least half as often as among all
    the library's non-anchor pairs."""
    import numpy as np

    names = sorted(set(sources))
    index = {x: k for k, x in enumerate(names)}
    source_of = np.array([index[x] for x in sources], dtype=np.int64)
    n = len(names)
    sa, sb = source_of[pairs[0]], source_of[pairs[1]]
    key = np.minimum(sa, sb) * n + np.maximum(sa, sb)
    out: set[tuple[str, str, str]] = set()
    for name in MASKABLE:
        if name in ignored:
            continue
        col = g[:, FIELDS.index(name)]
        seen = col >= 0
        u_dis = (np.sum(~anchor & seen & (col == 0)) + 0.5) / (np.sum(~anchor & seen) + 1.0)
        shown = np.bincount(key[anchor & seen], minlength=n * n)
        differ = np.bincount(key[anchor & seen & (col == 0)], minlength=n * n)
        for k in np.nonzero(shown >= MIN_EXPECTED)[0]:
            if (differ[k] + 0.5) / (shown[k] + 1.0) / u_dis > 0.5:
                out.add((name, names[int(k // n)], names[int(k % n)]))
    return out
