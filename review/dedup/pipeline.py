"""The pure dedup pipeline: records (+ human verdicts) in, clusters and queued pairs out.

``run_dedup`` never touches files. The order of the input does not matter: records are processed
sorted by ``record_id``, links in a fixed priority order, so the same records and verdicts always
give the same clusters.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from review.dedup.block import candidate_pairs, record_keys
from review.dedup.cluster import build_clusters, split_statuses
from review.dedup.clusters import ClusterRow
from review.dedup.decide import AUTO, MAYBE, SHORT_TITLE, Decision, DedupOptions, decide
from review.dedup.normalize import NormRecord, normalize_record
from review.dedup.score import PairScore, score_pair
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
    scored: list[PairScore] = field(repr=False, default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def short_title(x: NormRecord, y: NormRecord) -> bool:
    return min(len(x.title_compact), len(y.title_compact)) < SHORT_TITLE


def _rank(norms: list[NormRecord]) -> Callable[[int], tuple]:
    # Most complete metadata first; longer abstract; then record_id (deterministic).
    return lambda i: (-norms[i].completeness, -len(norms[i].abstract), norms[i].record_id)


def score_all(
    norms: list[NormRecord], options: DedupOptions, progress: ProgressFn | None = None
) -> list[PairScore]:
    pairs = sorted(candidate_pairs(norms, options.max_block, options.window))
    out: list[PairScore] = []
    total = len(pairs)
    step = max(1, total // 50)
    for k, (i, j) in enumerate(pairs):
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
) -> DedupResult:
    """Deduplicate the main-branch records; every other record becomes its own cluster.

    ``verdicts`` maps an unordered pair ``(a, b)`` with ``a < b`` to ``same`` or ``different``
    (see :func:`review.dedup.verdicts.standing_verdicts`). ``branch_of`` maps record_id to
    ``main``/``other`` (default: all main). ``scored`` reuses the scored pairs of an earlier run on
    the same records with the same blocking options (the project cache).
    """
    # Millions of small objects, none cyclic: the cyclic GC would rescan them over and over.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _run(
            records, options or DedupOptions(), verdicts or {}, branch_of or {}, scored, progress
        )
    finally:
        if was_enabled:
            gc.enable()


def _run(
    records: Iterable[Record],
    options: DedupOptions,
    verdicts: Mapping[tuple[str, str], str],
    branch_of: Mapping[str, str],
    scored: list[PairScore] | None,
    progress: ProgressFn | None,
) -> DedupResult:
    t0 = time.perf_counter()
    all_records = list(records)
    main = sorted(
        (r for r in all_records if branch_of.get(r.record_id, "main") == "main"),
        key=lambda r: r.record_id,
    )
    norms = [normalize_record(r, i) for i, r in enumerate(main)]
    t1 = time.perf_counter()
    if scored is None:
        scored = score_all(norms, options, progress)
    t2 = time.perf_counter()
    pos = {n.record_id: n.index for n in norms}

    decisions: dict[tuple[int, int], tuple[PairScore, Decision]] = {}
    for s in scored:
        decisions[(s.a, s.b)] = (s, decide(s, options, short_title(norms[s.a], norms[s.b])))

    def pair_decision(i: int, j: int) -> tuple[PairScore, Decision]:
        key = (i, j) if i < j else (j, i)
        got = decisions.get(key)
        if got is None:
            s = score_pair(norms[key[0]], norms[key[1]])
            got = (s, decide(s, options, short_title(norms[key[0]], norms[key[1]])))
            decisions[key] = got
        return got

    def compatible(i: int, j: int) -> bool:
        s, d = pair_decision(i, j)
        if d.label == AUTO:
            return True
        return not d.blockers and not d.conflicts and s.title >= options.maybe_threshold

    same: list[tuple[int, int]] = []
    different: set[tuple[int, int]] = set()
    for (a, b), verdict in sorted(verdicts.items()):
        if a not in pos or b not in pos or a == b:
            continue
        i, j = sorted((pos[a], pos[b]))
        if verdict == "same":
            same.append((i, j))
        elif verdict == "different":
            different.add((i, j))
    auto_edges = sorted(
        (k for k, (s, d) in decisions.items() if d.label == AUTO),
        key=lambda k: (-decisions[k][0].title, -len(decisions[k][1].support), k),
    )
    cres = build_clusters(len(norms), same, auto_edges, different, compatible)
    root_of = cres.root_of
    t3 = time.perf_counter()

    # Members, primaries and statuses.
    rank = _rank(norms)
    members: dict[int, list[int]] = {}
    for i, r in enumerate(root_of):
        members.setdefault(r, []).append(i)
    primary_of_root = {r: min(ms, key=rank) for r, ms in members.items()}
    links_by_root: dict[int, list] = {}
    for link in cres.accepted:
        links_by_root.setdefault(root_of[link.a], []).append(link)
    status: dict[int, str] = {}
    for r, ms in members.items():
        if len(ms) > 1:
            status.update(split_statuses(ms, primary_of_root[r], links_by_root.get(r, []), rank))

    # Queued pairs: one per pair of clusters, the most similar; never for clusters a person
    # already called different.
    different_roots = {
        tuple(sorted((root_of[i], root_of[j]))) for i, j in different if root_of[i] != root_of[j]
    }
    decided = {(i, j) for i, j in same} | different
    best: dict[tuple[int, int], tuple[PairScore, Decision, int, int]] = {}
    maybe_keys = [k for k, (_, d) in decisions.items() if d.label == MAYBE] + cres.guarded
    for i, j in maybe_keys:
        if (i, j) in decided or root_of[i] == root_of[j]:
            continue
        rk = tuple(sorted((root_of[i], root_of[j])))
        if rk in different_roots:
            continue
        s, d = pair_decision(i, j)
        prev = best.get(rk)
        key = (-s.title, norms[i].record_id, norms[j].record_id)
        if prev is None or key < (
            -prev[0].title,
            norms[prev[2]].record_id,
            norms[prev[3]].record_id,
        ):
            best[rk] = (s, d, i, j)
    guarded = set(cres.guarded)
    queued: list[QueuedPair] = []
    in_queue: set[int] = set()
    for s, d, i, j in best.values():
        rule = d.rule if (i, j) not in guarded else "G linking them would chain distinct records"
        reasons = "; ".join((*d.blockers, *d.conflicts))
        ida, idb = sorted((norms[i].record_id, norms[j].record_id))
        queued.append(QueuedPair(ida, idb, round(s.title, 3), s.authors, rule, reasons))
        in_queue.update((i, j))
    queued.sort(key=lambda q: (-q.title, q.a, q.b))
    for i in in_queue:
        if len(members[root_of[i]]) == 1:
            status[i] = "maybe"

    # Rows in input order.
    link_rule: dict[int, tuple[int, str]] = {}
    for link in cres.accepted:
        rule = "person: same" if link.kind == "confirmed" else decisions[(link.a, link.b)][1].rule
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
    links = [
        (
            norms[link.a].record_id,
            norms[link.b].record_id,
            link.kind,
            "person: same" if link.kind == "confirmed" else decisions[(link.a, link.b)][1].rule,
        )
        for link in cres.accepted
    ]
    t4 = time.perf_counter()
    counts = {
        "records": len(all_records),
        "main_records": len(main),
        "candidate_pairs": len(scored),
        "auto_pairs": sum(1 for _, d in decisions.values() if d.label == AUTO),
        "maybe_pairs": sum(1 for _, d in decisions.values() if d.label == MAYBE),
        "queued": len(queued),
        "guarded": len(cres.guarded),
        "removed_automatic": sum(
            1 for r in rows if r.record_id != r.cluster_id and r.status == "auto"
        ),
        "removed_manual": sum(
            1 for r in rows if r.record_id != r.cluster_id and r.status == "confirmed"
        ),
    }
    refused = [(norms[i].record_id, norms[j].record_id) for i, j in cres.refused_same]
    return DedupResult(
        rows=rows,
        extra=extra,
        queued=queued,
        links=links,
        refused_same=refused,
        scored=scored,
        counts=counts,
        seconds={
            "normalise": t1 - t0,
            "block_score": t2 - t1,
            "decide_cluster": t3 - t2,
            "rows": t4 - t3,
        },
    )


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


def explain_pair(a: Record, b: Record, options: DedupOptions | None = None) -> dict[str, Any]:
    """Why two records are (or are not) duplicates: field by field, with the deciding rule."""
    options = options or DedupOptions()
    x, y = normalize_record(a, 0), normalize_record(b, 1)
    s = score_pair(x, y)
    d = decide(s, options, short_title(x, y))
    shared_keys = sorted(set(record_keys(x)) & set(record_keys(y)))

    def agree(flag: bool | None) -> str:
        return "missing" if flag is None else ("same" if flag else "differs")

    def sim(v: float | None) -> float | None:
        return None if v is None else round(v, 3)

    fields = [
        {
            "field": "title",
            "a": a.title,
            "b": b.title,
            "normalised_a": x.title,
            "normalised_b": y.title,
            "similarity": sim(s.title),
            "how": s.title_how,
        },
        {
            "field": "authors",
            "a": "; ".join(a.authors),
            "b": "; ".join(b.authors),
            "normalised_a": " ".join(f"{sn} {i}".strip() for sn, i in x.authors),
            "normalised_b": " ".join(f"{sn} {i}".strip() for sn, i in y.authors),
            "similarity": sim(s.authors),
        },
        {
            "field": "year",
            "a": a.year,
            "b": b.year,
            "result": "missing"
            if s.year_diff is None
            else ("same" if s.year_diff == 0 else f"differ by {s.year_diff}"),
        },
        {
            "field": "journal",
            "a": a.journal,
            "b": b.journal,
            "normalised_a": x.journal_text,
            "normalised_b": y.journal_text,
            "similarity": sim(s.journal),
        },
        {"field": "volume", "a": a.volume, "b": b.volume, "result": agree(s.same_volume)},
        {"field": "issue", "a": a.issue, "b": b.issue, "result": agree(s.same_issue)},
        {
            "field": "pages",
            "a": a.pages,
            "b": b.pages,
            "normalised_a": f"{x.page_first}-{x.page_last}".strip("-"),
            "normalised_b": f"{y.page_first}-{y.page_last}".strip("-"),
            "result": agree(s.same_pages),
        },
        {
            "field": "doi",
            "a": a.doi,
            "b": b.doi,
            "normalised_a": x.doi,
            "normalised_b": y.doi,
            "result": agree(s.same_doi),
        },
        {"field": "pmid", "a": a.pmid, "b": b.pmid, "result": agree(s.same_pmid)},
        {"field": "abstract", "similarity": sim(s.abstract)},
    ]
    return {
        "a": a.record_id,
        "b": b.record_id,
        "decision": d.label,
        "rule": d.rule,
        "never_merge": list(d.blockers),
        "conflicts": list(d.conflicts),
        "agreeing_fields": list(d.support),
        "blocking_keys_shared": shared_keys,
        "fields": fields,
        "options": {
            "auto_threshold": options.auto_threshold,
            "maybe_threshold": options.maybe_threshold,
            "author_threshold": options.author_threshold,
        },
    }
