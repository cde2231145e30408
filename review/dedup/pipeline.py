"""The pure dedup pipeline: records (+ human verdicts) in, clusters and queued pairs out.

``run_dedup`` never touches files. The order of the input does not matter: records are processed
sorted by ``record_id``, links in a fixed priority order, so the same records and verdicts always
give the same clusters.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from review.dedup.block import candidate_pairs
from review.dedup.cluster import ClusterResult, Link, build_clusters, split_statuses
from review.dedup.clusters import ClusterRow
from review.dedup.decide import AUTO, DISTINCT, MAYBE, SHORT_TITLE, Decision, DedupOptions, decide
from review.dedup.library import repair_lost_characters
from review.dedup.normalize import AbstractKey, NormRecord, normalize_record
from review.dedup.related import RelatedLink, find_related
from review.dedup.reliability import FieldReliability, estimate
from review.dedup.score import PairScore, score_pair
from review.gcpause import gc_paused
from review.model import Record

ProgressFn = Callable[[int, int], None]
EXTRA_COLUMNS = ("linked_to", "rule", "year", "first_author", "doi")


@dataclass(frozen=True, slots=True)
class QueuedPair:
    """A pair waiting for a person (one per pair of clusters): ``a < b``."""

    a: str
    b: str
    title: float
    authors: float | None
    rule: str
    reasons: str


@dataclass
class DedupResult:
    rows: list[ClusterRow]
    extra: dict[str, dict[str, str]]
    queued: list[QueuedPair]
    links: list[tuple[str, str, str, str]]  # (a, b, auto|confirmed, rule)
    refused_same: list[tuple[str, str]]  # `same` verdicts contradicted by a `different` verdict
    related: list[RelatedLink] = field(default_factory=list)  # related reports (related.py)
    scored: list[PairScore] = field(repr=False, default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    reliability: FieldReliability = field(default_factory=FieldReliability)


def short_title(x: NormRecord, y: NormRecord) -> bool:
    return min(len(x.title_compact), len(y.title_compact)) < SHORT_TITLE


def _rank(norms: list[NormRecord]) -> Callable[[int], tuple]:
    # Most complete metadata first; longer abstract; then record_id (deterministic).
    return lambda i: (-norms[i].completeness, -norms[i].abstract_length, norms[i].record_id)


def score_all(
    norms: list[NormRecord], options: DedupOptions, progress: ProgressFn | None = None
) -> list[PairScore]:
    pairs = sorted(candidate_pairs(norms, options.max_block, options.window), reverse=True)
    out: list[PairScore] = []
    total = len(pairs)
    step = max(1, total // 50)
    for k in range(total):
        i, j = pairs.pop()  # in order; each pair freed once scored
        out.append(score_pair(norms[i], norms[j]))
        if progress and k % step == 0:
            progress(k, total)
    if progress:
        progress(total, total)
    return out


def run_dedup(
    records: Iterable[Record],
    options: DedupOptions | None = None,
    verdicts: Mapping[tuple[str, str], str] | None = None,
    *,
    branch_of: Mapping[str, str] | None = None,
    scored: list[PairScore] | None = None,
    progress: ProgressFn | None = None,
    abstracts: Mapping[str, AbstractKey] | None = None,
) -> DedupResult:
    """Deduplicate the main-branch records; every other record becomes its own cluster.

    ``verdicts`` maps an unordered pair ``(a, b)`` with ``a < b`` to ``same`` or ``different``
    (see :func:`review.dedup.verdicts.standing_verdicts`). ``branch_of`` maps record_id to
    ``main``/``other`` (default: all main). ``scored`` reuses the scored pairs of an earlier run on
    the same records with the same blocking options (the project cache). ``abstracts``:
    when the records were loaded without their abstracts, each one's
    :func:`~review.dedup.normalize.abstract_key` by record_id (none: no abstract).
    """
    # Millions of small objects, none cyclic: the cyclic GC would rescan them over and over.
    with gc_paused():
        return _run(
            records,
            options or DedupOptions(),
            verdicts or {},
            branch_of or {},
            scored,
            progress,
            abstracts,
        )


@dataclass
class _Decisions:
    """The decision on every scored pair; a pair never scored (the cluster guard compares records
    that were not blocked together) is scored and decided when first asked about."""

    norms: list[NormRecord]
    options: DedupOptions
    pairs: dict[tuple[int, int], tuple[PairScore, Decision]]
    reliability: FieldReliability

    @classmethod
    def of(
        cls,
        norms: list[NormRecord],
        options: DedupOptions,
        scored: list[PairScore],
        reliability: FieldReliability,
    ) -> _Decisions:
        pairs: dict[tuple[int, int], tuple[PairScore, Decision]] = {}
        mask = reliability.mask
        one: dict[Decision, Decision] = {}  # a few hundred distinct decisions: one object each
        related_title = min(options.auto_threshold, 0.9)
        for s in scored:
            s = mask(s)
            d = decide(s, options, short_title(norms[s.a], norms[s.b]))
            # A distinct pair with a dissimilar title is neither linked, queued nor related:
            # not kept (most pairs at a million records); get() works it out again if asked.
            if d.label != DISTINCT or s.title >= related_title:
                pairs[(s.a, s.b)] = (s, one.setdefault(d, d))
        return cls(norms, options, pairs, reliability)

    def get(self, i: int, j: int) -> tuple[PairScore, Decision]:
        key = (i, j) if i < j else (j, i)
        got = self.pairs.get(key)
        if got is None:
            x, y = self.norms[key[0]], self.norms[key[1]]
            s = self.reliability.mask(score_pair(x, y))
            got = (s, decide(s, self.options, short_title(x, y)))
            self.pairs[key] = got
        return got

    def compatible(self, i: int, j: int) -> bool:
        s, d = self.get(i, j)
        if d.label == AUTO:
            return True
        return not d.blockers and not d.conflicts and s.title >= self.options.maybe_threshold

    def labelled(self, label: str) -> list[tuple[int, int]]:
        return [k for k, (_, d) in self.pairs.items() if d.label == label]

    def auto_edges(self) -> list[tuple[int, int]]:
        """The automatic links, strongest first (title similarity, agreeing fields)."""
        pairs = self.pairs
        return sorted(
            self.labelled(AUTO), key=lambda k: (-pairs[k][0].title, -len(pairs[k][1].support), k)
        )

    def link_rule(self, link: Link) -> str:
        return "person: same" if link.kind == "confirmed" else self.pairs[(link.a, link.b)][1].rule


def _run(
    records: Iterable[Record],
    options: DedupOptions,
    verdicts: Mapping[tuple[str, str], str],
    branch_of: Mapping[str, str],
    scored: list[PairScore] | None,
    progress: ProgressFn | None,
    abstracts: Mapping[str, AbstractKey] | None,
) -> DedupResult:
    t0 = time.perf_counter()
    all_records = list(records)
    main = sorted(
        (r for r in all_records if branch_of.get(r.record_id, "main") == "main"),
        key=lambda r: r.record_id,
    )
    main = repair_lost_characters(main)  # "Rev?sta" -> "revista" when the library knows the word
    shared: dict[object, object] = {}  # equal names, journals, numbers: one object
    if abstracts is None:
        norms = [normalize_record(r, i, shared) for i, r in enumerate(main)]
    else:
        none = ("", 0, False)
        norms = [
            normalize_record(r, i, shared, abstracts.get(r.record_id, none))
            for i, r in enumerate(main)
        ]
    del shared
    t1 = time.perf_counter()
    if scored is None:
        scored = score_all(norms, options, progress)
    t2 = time.perf_counter()
    pos = {n.record_id: n.index for n in norms}
    reliability = estimate(scored, [r.source for r in main])
    decisions = _Decisions.of(norms, options, scored, reliability)
    same, different, person = _verdict_pairs(verdicts, pos)
    cres = build_clusters(len(norms), same, decisions.auto_edges(), different, decisions.compatible)
    t3 = time.perf_counter()
    members, primary_of_root, status = _statuses(norms, cres)
    kept = decisions.pairs  # the only scored pairs that may be related (see _Decisions.of)
    pairs = ((s.a, s.b) for s in scored if (s.a, s.b) in kept)
    related, settled = find_related(norms, pairs, decisions.get, cres.root_of, person, options)
    best = _best_pairs(norms, decisions, cres, same, different)
    best = {rk: v for rk, v in best.items() if rk not in settled}  # a related report is decided
    queued, in_queue = _queue(norms, best, set(cres.guarded), reliability)
    for i in in_queue:
        if len(members[cres.root_of[i]]) == 1:
            status[i] = "maybe"
    rows, extra = _rows(all_records, pos, norms, decisions, cres, primary_of_root, status)
    links = [
        (norms[link.a].record_id, norms[link.b].record_id, link.kind, decisions.link_rule(link))
        for link in cres.accepted
    ]
    t4 = time.perf_counter()
    refused = [(norms[i].record_id, norms[j].record_id) for i, j in cres.refused_same]
    return DedupResult(
        rows=rows,
        extra=extra,
        queued=queued,
        links=links,
        refused_same=refused,
        related=related,
        scored=scored,
        counts={
            **_counts(len(all_records), len(main), scored, decisions, queued, cres, rows),
            "related_auto": sum(1 for x in related if x.status == "auto"),
            "related_confirmed": sum(1 for x in related if x.status == "confirmed"),
        },
        seconds={
            "normalise": t1 - t0,
            "block_score": t2 - t1,
            "decide_cluster": t3 - t2,
            "rows": t4 - t3,
        },
        reliability=reliability,
    )


def _verdict_pairs(
    verdicts: Mapping[tuple[str, str], str], pos: Mapping[str, int]
) -> tuple[list[tuple[int, int]], set[tuple[int, int]], dict[tuple[int, int], str]]:
    """The people's ``same`` and ``different`` verdicts as pairs of record indexes (``related``
    counts as ``different`` here: two reports, never merged), and the ``related``/``different``
    verdicts for the related links."""
    same: list[tuple[int, int]] = []
    different: set[tuple[int, int]] = set()
    person: dict[tuple[int, int], str] = {}
    for (a, b), verdict in sorted(verdicts.items()):
        if a not in pos or b not in pos or a == b:
            continue
        i, j = sorted((pos[a], pos[b]))
        if verdict == "same":
            same.append((i, j))
        elif verdict in ("different", "related"):
            different.add((i, j))
            person[(i, j)] = verdict
    return same, different, person


def _statuses(
    norms: list[NormRecord], cres: ClusterResult
) -> tuple[dict[int, list[int]], dict[int, int], dict[int, str]]:
    """Members per cluster root, each cluster's primary record and the merged records' status."""
    rank = _rank(norms)
    members: dict[int, list[int]] = {}
    for i, r in enumerate(cres.root_of):
        members.setdefault(r, []).append(i)
    primary_of_root = {r: min(ms, key=rank) for r, ms in members.items()}
    links_by_root: dict[int, list] = {}
    for link in cres.accepted:
        links_by_root.setdefault(cres.root_of[link.a], []).append(link)
    status: dict[int, str] = {}
    for r, ms in members.items():
        if len(ms) > 1:
            status.update(split_statuses(ms, primary_of_root[r], links_by_root.get(r, []), rank))
    return members, primary_of_root, status


def _queue(
    norms: list[NormRecord],
    best: dict[tuple[int, int], tuple[PairScore, Decision, int, int]],
    guarded: set[tuple[int, int]],
    reliability: FieldReliability,
) -> tuple[list[QueuedPair], set[int]]:
    """The queued pairs, likeliest duplicate first (the library's match weight, then title
    similarity), and the records in them."""
    queued: list[QueuedPair] = []
    in_queue: set[int] = set()
    weight: dict[tuple[str, str], float] = {}
    for s, d, i, j in best.values():
        rule = d.rule if (i, j) not in guarded else "G linking them would chain distinct records"
        reasons = "; ".join((*d.blockers, *d.conflicts))
        ida, idb = sorted((norms[i].record_id, norms[j].record_id))
        queued.append(QueuedPair(ida, idb, round(s.title, 3), s.authors, rule, reasons))
        weight[(ida, idb)] = round(reliability.weight(s), 6)
        in_queue.update((i, j))
    queued.sort(key=lambda q: (-weight[(q.a, q.b)], -q.title, q.a, q.b))
    return queued, in_queue


def _best_pairs(
    norms: list[NormRecord],
    decisions: _Decisions,
    cres: ClusterResult,
    same: list[tuple[int, int]],
    different: set[tuple[int, int]],
) -> dict[tuple[int, int], tuple[PairScore, Decision, int, int]]:
    """One queued pair per pair of clusters, the most similar; never for clusters a person
    already called different."""
    root_of = cres.root_of
    different_roots = {
        tuple(sorted((root_of[i], root_of[j]))) for i, j in different if root_of[i] != root_of[j]
    }
    decided = {(i, j) for i, j in same} | different
    best: dict[tuple[int, int], tuple[PairScore, Decision, int, int]] = {}
    for i, j in decisions.labelled(MAYBE) + cres.guarded:
        if (i, j) in decided or root_of[i] == root_of[j]:
            continue
        a, b = root_of[i], root_of[j]
        rk = (a, b) if a <= b else (b, a)
        if rk in different_roots:
            continue
        s, d = decisions.get(i, j)
        prev = best.get(rk)
        key = (-s.title, norms[i].record_id, norms[j].record_id)
        if prev is None or key < (
            -prev[0].title,
            norms[prev[2]].record_id,
            norms[prev[3]].record_id,
        ):
            best[rk] = (s, d, i, j)
    return best


def _rows(
    all_records: list[Record],
    pos: Mapping[str, int],
    norms: list[NormRecord],
    decisions: _Decisions,
    cres: ClusterResult,
    primary_of_root: Mapping[int, int],
    status: Mapping[int, str],
) -> tuple[list[ClusterRow], dict[str, dict[str, str]]]:
    """A row per record in input order, and its extra columns (the link that merged it)."""
    root_of = cres.root_of
    link_rule: dict[int, tuple[int, str]] = {}
    for link in cres.accepted:
        rule = decisions.link_rule(link)
        for x, y in ((link.a, link.b), (link.b, link.a)):
            link_rule.setdefault(x, (y, rule))
    rows: list[ClusterRow] = []
    extra: dict[str, dict[str, str]] = {}
    for rec in all_records:
        i = pos.get(rec.record_id)
        extra_row = {
            "year": str(rec.year) if rec.year is not None else "",
            "first_author": rec.first_author,
            "doi": rec.doi,
        }
        if i is None:
            rows.append(_row(rec, rec.record_id, "unique", "other"))
        else:
            p = primary_of_root[root_of[i]]
            rows.append(_row(rec, norms[p].record_id, status.get(i, "unique"), "main"))
            if i in link_rule:
                other, rule = link_rule[i]
                extra_row["linked_to"] = norms[other].record_id
                extra_row["rule"] = rule
        extra[rec.record_id] = extra_row
    return rows, extra


def _counts(
    records: int,
    main_records: int,
    scored: list[PairScore],
    decisions: _Decisions,
    queued: list[QueuedPair],
    cres: ClusterResult,
    rows: list[ClusterRow],
) -> dict[str, int]:
    labels = [d.label for _, d in decisions.pairs.values()]
    return {
        "records": records,
        "main_records": main_records,
        "candidate_pairs": len(scored),
        "auto_pairs": labels.count(AUTO),
        "maybe_pairs": labels.count(MAYBE),
        "queued": len(queued),
        "guarded": len(cres.guarded),
        "removed_automatic": sum(
            1 for r in rows if r.record_id != r.cluster_id and r.status == "auto"
        ),
        "removed_manual": sum(
            1 for r in rows if r.record_id != r.cluster_id and r.status == "confirmed"
        ),
    }


def _row(rec: Record, cluster_id: str, status: str, branch: str) -> ClusterRow:
    return ClusterRow(
        record_id=rec.record_id,
        cluster_id=cluster_id,
        source=rec.source,
        source_position=rec.source_position,
        original_id=rec.original_id,
        status=status,
        branch=branch,
        title=rec.title,
    )
