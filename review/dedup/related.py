"""Related reports: another report of the same study, linked and never removed as a duplicate.

Two relations are kept apart. A *duplicate* is the same report retrieved twice: it is merged into
one cluster and counted as removed (PRISMA 2020 "duplicate records removed"). A *related report*
is another report of the same study: a conference abstract and the article, an erratum or a
correction notice and the article, a comment or letter and the reply, successive versions (a
Cochrane review's ``.pub2``/``.pub3``, a preprint and its journal version), a trial registration
and its publication, a translation. The never-merge rules of decide.py refuse to merge such pairs;
this module says which relation the pair has, and whether the evidence that both are about one
study is strong enough to link them automatically (``auto``) or a person should say (``queued``).

``outputs/dedup/related.csv`` (columns ``record_id_a, record_id_b, relation, status, rule``, one
row per linked pair of clusters, ``a < b``, sorted) is written from the result of every run:
``auto`` (linked by a rule), ``queued`` (waiting for a person in maybe-pairs.csv), ``confirmed``
(a person's ``related`` verdict) and ``rejected`` (a person's ``different`` verdict on a pair the
rules linked). Readers (the screener, PRISMA, charting) take :func:`load_related`: linked reports
grouped into studies (only ``auto`` and ``confirmed`` links join reports).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from review.dedup.decide import AUTO, MAYBE, Decision, DedupOptions
from review.io.files import atomic_write_text
from review.io.xlsx import csv_text

if TYPE_CHECKING:
    from review.dedup.clusters import Clusters
    from review.dedup.normalize import NormRecord
    from review.dedup.score import PairScore
    from review.project import Project

RELATIONS = (
    "conference-abstract",
    "erratum",
    "comment-reply",
    "version",
    "registration",
    "translation",
    "other",
)
STATUSES = ("auto", "queued", "confirmed", "rejected")
LINKING = ("auto", "confirmed")  # the statuses that join two reports into one study
COLUMNS = ("record_id_a", "record_id_b", "relation", "status", "rule")

# A preprint server (by DOI prefix or venue words): a preprint and its journal article are two
# versions of one report of the study.
_PREPRINT_DOI = (
    "10.1101/",  # bioRxiv, medRxiv
    "10.48550/",  # arXiv
    "10.2139/",  # SSRN
    "10.21203/",  # Research Square
    "10.20944/",  # Preprints.org
    "10.31219/",  # OSF Preprints
    "10.31234/",  # PsyArXiv
    "10.31235/",  # SocArXiv
    "10.1590/scielopreprints",
)
_PREPRINT_VENUE = re.compile(
    r"\b(?:biorxiv|medrxiv|arxiv|ssrn|research square|preprints?|psyarxiv|socarxiv|chemrxiv"
    r"|techrxiv|eartharxiv)\b"
)
# A trial or review register: the registration and the publication of one study.
_REGISTRY_VENUE = re.compile(
    r"\b(?:clinicaltrials gov|clinical ?trials ?gov|isrctn|prospero|anzctr|chictr|drks|ictrp"
    r"|ctri|euctr|eu clinical trials register|trials? regist(?:er|ry)|jrct|umin ctr|pactr"
    r"|irct|netherlands trial register|who international clinical trials)\b"
)
_REGISTRY_DOI = ("10.1186/isrctn",)

# The relations a rule may link without a person: versions of one report (a Cochrane update, a
# preprint and its article), a registration and its publication, a translation. Measured on the
# labelled sets (benchmarks/dedup_accuracy.py): their truths keep an erratum, a reply and a
# conference paper apart from the article (stroke, digital_work, special_cases and the pairwise
# cases) but put Cochrane versions together (tests_small); linking the former automatically cost
# up to 1.7 points of precision for no recall. So those are only *queued* with their relation
# (as the never-merge rules queued them before), and a person links them with `related`.
AUTOMATIC = ("version", "registration", "translation")
# Evidence that two reports describe one study, by relation: the most years allowed between them.
_MAX_YEARS = {"registration": 8, "translation": 2}


@dataclass(frozen=True, slots=True, order=True)
class RelatedLink:
    """One row of related.csv: two records of two clusters that report one study (``a < b``)."""

    a: str
    b: str
    relation: str  # one of RELATIONS
    status: str  # one of STATUSES
    rule: str  # why: the relation rule, or "person: related"/"person: different"


def _preprint(n: NormRecord) -> bool:
    return n.doi.startswith(_PREPRINT_DOI) or bool(_PREPRINT_VENUE.search(n.journal_text))


def _registry(n: NormRecord) -> bool:
    return n.doi.startswith(_REGISTRY_DOI) or bool(_REGISTRY_VENUE.search(n.journal_text))


def relation_of(s: PairScore, x: NormRecord, y: NormRecord) -> tuple[str, str] | None:
    """``(relation, rule)`` when the pair looks like two reports of one study, else None: what
    the never-merge markers say each record is (an erratum, a comment, a version, a
    registration, a conference abstract, a translation)."""
    kinds = {x.kind, y.kind}
    if s.kind_differ and "erratum" in kinds:
        return "erratum", "R1 an erratum/correction/retraction notice and the article"
    if s.kind_differ and "comment" in kinds:
        return "comment-reply", "R2 a comment/letter/reply and the article it answers"
    if s.cochrane_versions and s.same_doi is not True:  # one DOI: one version, years aside
        return "version", "R3 two versions of a Cochrane review"
    if _preprint(x) != _preprint(y):
        return "version", "R4 a preprint and its journal version"
    if _registry(x) != _registry(y):
        return "registration", "R5 a trial/review registration and its publication"
    if s.protocol_differ:
        return "other", "R6 a protocol and the report of its study"
    if s.conference_differ:
        return "conference-abstract", "R7 a conference paper/abstract and the journal article"
    if s.title_how == "translated" and (s.journal is None or s.journal < 0.9):
        return "translation", "R8 a translation published elsewhere"
    return None


def _strong(relation: str, s: PairScore, o: DedupOptions) -> bool:
    """Is the evidence that both report one study strong enough to link them without a person?
    A relation of :data:`AUTOMATIC`, the same (or the translated) title and the same authors,
    within the relation's years (versions: any years, authors may change)."""
    # (Each report has its own DOI: two different valid DOIs are expected here, not a conflict.)
    title_ok = s.title >= o.auto_threshold or (s.title_how == "translated" and s.title >= 0.9)
    if relation not in AUTOMATIC or not title_ok:
        return False
    if relation == "version":
        # Each version has its own DOI: without two differing DOIs it may be one version exported
        # twice (an online-first year), which a person should see.
        return s.same_doi is False and (s.authors is None or s.authors >= 0.5)
    if s.authors is None or s.authors < o.author_threshold or s.first_author is False:
        return False
    return s.year_diff is None or s.year_diff <= _MAX_YEARS[relation]


def classify(
    s: PairScore, d: Decision, x: NormRecord, y: NormRecord, o: DedupOptions
) -> tuple[str, str, str] | None:
    """``(relation, status, rule)`` of a pair the rules did not merge: ``auto`` when the evidence
    is strong, ``queued`` when the pair is queued for a person anyway, else None."""
    if d.label == AUTO or (d.label != MAYBE and s.title < min(o.auto_threshold, 0.9)):
        return None  # merged, or neither queued nor similar enough to be linked by a rule
    found = relation_of(s, x, y)
    if found is None:
        return None
    relation, rule = found
    if _strong(relation, s, o):
        return relation, "auto", rule
    if d.label == MAYBE:
        return relation, "queued", rule
    return None


PairGetter = Callable[[int, int], "tuple[PairScore, Decision]"]
_RANK = {"confirmed": 0, "rejected": 0, "auto": 1, "queued": 2}


def find_related(
    norms: list[NormRecord],
    scored: Iterable[tuple[int, int]],
    get: PairGetter,
    root_of: list[int],
    verdicts: Mapping[tuple[int, int], str],
    options: DedupOptions,
) -> tuple[list[RelatedLink], set[tuple[int, int]]]:
    """The related links between clusters, one per pair of clusters (a person's verdict first,
    then an automatic link, then a queued one; then the most similar titles, then record ids),
    and the pairs of cluster roots they settle (auto, confirmed, rejected: no longer queued).

    ``scored``: the candidate pairs (record indexes, ``i < j``); ``get(i, j)``: their score and
    decision; ``verdicts``: a person's ``related`` or ``different`` on a pair of indexes."""
    best: dict[tuple[int, int], tuple[tuple, RelatedLink]] = {}

    def offer(i: int, j: int, relation: str, status: str, rule: str, title: float) -> None:
        ri, rj = root_of[i], root_of[j]
        if ri == rj:
            return  # one cluster: merged as duplicates (a person's `same` or the rules)
        a, b = sorted((norms[i].record_id, norms[j].record_id))
        key = (ri, rj) if ri < rj else (rj, ri)
        rank = (_RANK[status], -title, a, b)
        if key not in best or rank < best[key][0]:
            best[key] = (rank, RelatedLink(a, b, relation, status, rule))

    for i, j in scored:
        if (i, j) in verdicts:
            continue
        s, d = get(i, j)
        got = classify(s, d, norms[i], norms[j], options)
        if got is not None:
            offer(i, j, *got, s.title)
    for (i, j), verdict in sorted(verdicts.items()):
        s, d = get(i, j)
        if verdict == "related":
            found = relation_of(s, norms[i], norms[j])
            offer(i, j, found[0] if found else "other", "confirmed", "person: related", s.title)
        elif verdict == "different":
            got = classify(s, d, norms[i], norms[j], options)
            if got is not None:
                offer(i, j, got[0], "rejected", "person: different", s.title)
    settled = {key for key, (_, link) in best.items() if link.status != "queued"}
    return sorted(link for _, link in best.values()), settled


# ---- the file: outputs/dedup/related.csv --------------------------------------------------------


def related_path(project: Project) -> Path:
    return project.outputs_dir / "dedup" / "related.csv"


def write_related(project: Project, links: Iterable[RelatedLink]) -> None:
    """``related.csv``: one row per link, sorted (byte-identical for the same inputs)."""
    table: list[list[object]] = [list(COLUMNS)]
    table += [[x.a, x.b, x.relation, x.status, x.rule] for x in sorted(links)]
    atomic_write_text(related_path(project), csv_text(table))


@dataclass(frozen=True, slots=True, order=True)
class AlsoReported:
    """Another report of the same study as a cluster: its cluster id and the relation."""

    cluster_id: str
    relation: str
    status: str  # auto | confirmed (a link that joins the reports) or queued


@dataclass(frozen=True, slots=True)
class Related:
    """The related links of the last dedup run, mapped onto the current clusters.

    ``links``: every row of related.csv; ``study_of``: cluster id -> study id (the smallest
    cluster id of the reports that ``auto``/``confirmed`` links join; a cluster with no link is
    its own study); ``also``: cluster id -> the other reports of its study, and queued ones."""

    links: tuple[RelatedLink, ...]
    study_of: Mapping[str, str]
    also: Mapping[str, tuple[AlsoReported, ...]]

    def study(self, cluster_id: str) -> str:
        return self.study_of.get(cluster_id, cluster_id)

    @property
    def linked(self) -> bool:
        """Do the logs join any two reports into one study?"""
        return any(x.status in LINKING for x in self.links)


EMPTY = Related((), {}, {})


def group_studies(links: Iterable[RelatedLink], cluster_of: Mapping[str, str]) -> Related:
    """Group clusters into studies along the ``auto``/``confirmed`` links (union-find; the study
    id is the group's smallest cluster id)."""
    links = tuple(sorted(links))
    parent: dict[str, str] = {}

    def find(c: str) -> str:
        parent.setdefault(c, c)
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    also: dict[str, list[AlsoReported]] = {}
    for x in links:
        ca, cb = cluster_of.get(x.a, x.a), cluster_of.get(x.b, x.b)
        if ca == cb or x.status == "rejected":
            continue
        also.setdefault(ca, []).append(AlsoReported(cb, x.relation, x.status))
        also.setdefault(cb, []).append(AlsoReported(ca, x.relation, x.status))
        if x.status in LINKING:
            ra, rb = find(ca), find(cb)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    study_of = {c: find(c) for c in list(parent)}
    return Related(links, study_of, {c: tuple(sorted(set(v))) for c, v in sorted(also.items())})


def read_related(path: Path) -> tuple[RelatedLink, ...]:
    """The rows of a related.csv (an older project without the file: none)."""
    if not path.is_file():
        return ()
    out: list[RelatedLink] = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            relation, status = row.get("relation", ""), row.get("status", "")
            if relation in RELATIONS and status in STATUSES:
                a, b = row.get("record_id_a", ""), row.get("record_id_b", "")
                out.append(RelatedLink(a, b, relation, status, row.get("rule", "")))
    return tuple(out)


def load_related(project: Project, clusters: Clusters | None = None) -> Related:
    """The related reports of the last dedup run grouped into studies over the
    current clusters (:class:`Related`); no links (``EMPTY``) before the first run."""
    links = read_related(related_path(project))
    if not links:
        return EMPTY
    if clusters is None:
        from review.dedup.clusters import load_clusters

        clusters = load_clusters(project)
    return group_studies(links, clusters.cluster_of)
