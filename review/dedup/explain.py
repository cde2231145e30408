"""Why records are (or are not) duplicates: ``dedup explain RECORD_ID``.

:func:`explain_pair` compares two records field by field and names the deciding rule;
:func:`explain_record` does that for one record against the other members of its cluster, its
queued partners and its nearest candidates that were not merged. Both return frozen dataclasses;
their ``to_json()`` is the ``--json`` output.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from review.errors import ReviewError

if TYPE_CHECKING:
    from review.dedup.clusters import Clusters
    from review.dedup.decide import Decision, DedupOptions
    from review.dedup.fusion import Fusion
    from review.dedup.normalize import NormRecord
    from review.dedup.related import RelatedLink
    from review.dedup.reliability import FieldReliability
    from review.dedup.score import PairScore
    from review.dedup.verdicts import Verdict
    from review.model import Record
    from review.project import Project


@dataclass(frozen=True, slots=True)
class FieldComparison:
    """One field of a pair: both records' values, what was compared and how it came out.

    A field is either scored (``similarity``; ``result`` None) or checked for agreement
    (``result``); the abstract shows its similarity only."""

    field: str
    a: str | int | None = None  # the records' own values
    b: str | int | None = None
    normalised_a: str | None = None  # the normalised values compared; None: compared as given
    normalised_b: str | None = None
    similarity: float | None = None  # 0-1, 3 decimals; None when a side is missing
    how: str | None = None  # title only: exact | contained | translated | fuzzy | missing
    result: str | None = None  # same | differs | missing (year: differ by N)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field}
        if self.field != "abstract":
            out.update(a=self.a, b=self.b)
        if self.normalised_a is not None:
            out.update(normalised_a=self.normalised_a, normalised_b=self.normalised_b)
        if self.result is None:
            out["similarity"] = self.similarity
        if self.how is not None:
            out["how"] = self.how
        if self.result is not None:
            out["result"] = self.result
        return out


@dataclass(frozen=True, slots=True)
class PairExplanation:
    """Two records compared: the decision, the rule that made it and every field."""

    a: str  # record ids
    b: str
    decision: str  # auto | maybe | distinct
    rule: str
    never_merge: tuple[str, ...]  # the never-merge rules that apply
    conflicts: tuple[str, ...]  # fields that contradict each other
    agreeing_fields: tuple[str, ...]
    blocking_keys_shared: tuple[str, ...]
    fields: tuple[FieldComparison, ...]
    options: DedupOptions
    # another report of the same study? (relation, auto|queued, rule) by the rules of related.py
    related: tuple[str, str, str] | None = None

    @classmethod
    def of(
        cls,
        a: str,
        b: str,
        d: Decision,
        keys: tuple[str, ...],
        fields: tuple[FieldComparison, ...],
        options: DedupOptions,
        related: tuple[str, str, str] | None = None,
    ) -> PairExplanation:
        """From the decision on the pair (label, rule, never-merge rules, conflicts, support)."""
        return cls(
            a,
            b,
            d.label,
            d.rule,
            d.blockers,
            d.conflicts,
            d.support,
            keys,
            fields,
            options,
            related,
        )

    def to_json(self) -> dict[str, Any]:
        o = self.options
        return {
            "a": self.a,
            "b": self.b,
            "decision": self.decision,
            "rule": self.rule,
            "never_merge": list(self.never_merge),
            "conflicts": list(self.conflicts),
            "agreeing_fields": list(self.agreeing_fields),
            "blocking_keys_shared": list(self.blocking_keys_shared),
            "fields": [f.to_json() for f in self.fields],
            "related": None
            if self.related is None
            else dict(zip(("relation", "status", "rule"), self.related, strict=True)),
            "options": {
                "auto_threshold": o.auto_threshold,
                "maybe_threshold": o.maybe_threshold,
                "author_threshold": o.author_threshold,
            },
        }


@dataclass(frozen=True, slots=True)
class Comparison:
    """A record of a project compared with another one (``b``), with that one's citation and the
    people's standing verdict on the pair."""

    pair: PairExplanation
    citation: str  # of the other record
    source: str
    verdict: Verdict | None

    def to_json(self) -> dict[str, Any]:
        v = self.verdict
        return {
            **self.pair.to_json(),
            "verdict": None
            if v is None
            else {"verdict": v.verdict, "reviewer": v.reviewer, "at": v.at},
            "citation": self.citation,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class RelatedReport:
    """Another report of the same study as the record's cluster (a row of related.csv): the
    relation, its status (auto | queued | confirmed | rejected) and rule, and the comparison."""

    relation: str
    status: str
    rule: str
    comparison: Comparison

    def to_json(self) -> dict[str, Any]:
        link = {"relation": self.relation, "status": self.status, "rule": self.rule}
        return {**self.comparison.to_json(), "link": link}


@dataclass(frozen=True, slots=True)
class RecordExplanation:
    """A record's cluster and status, compared with its cluster, its queued partners and its
    nearest candidates that were not merged."""

    record_id: str
    citation: str
    source: str
    branch: str  # main | other
    cluster_id: str
    status: str
    primary: bool
    members: tuple[Comparison, ...] = ()
    queued: tuple[Comparison, ...] = ()
    nearest: tuple[Comparison, ...] = ()
    related: tuple[RelatedReport, ...] = ()  # other reports of the same study (related.csv)
    note: str | None = None  # why nothing was compared
    fusion: Fusion | None = None  # the cluster's fused record, when it has several copies

    def to_json(self) -> dict[str, Any]:
        head = ("record_id", "citation", "source", "branch", "cluster_id", "status", "primary")
        out: dict[str, Any] = {name: getattr(self, name) for name in head}
        for name in ("members", "queued", "related", "nearest"):
            out[name] = [c.to_json() for c in getattr(self, name)]
        if self.note is not None:
            out["note"] = self.note
        if self.fusion is not None:
            out["fusion"] = self.fusion.to_json()
        return out


def explain_pair(
    a: Record,
    b: Record,
    options: DedupOptions | None = None,
    reliability: FieldReliability | None = None,
) -> PairExplanation:
    """Why two records are (or are not) duplicates: field by field, with the deciding rule.
    ``reliability``: what the library's run learned of its fields (a disagreement read as
    unknown there is read so here too)."""
    from review.dedup.block import record_keys
    from review.dedup.decide import DedupOptions, decide
    from review.dedup.normalize import normalize_record
    from review.dedup.pipeline import short_title
    from review.dedup.related import classify
    from review.dedup.score import score_pair

    options = options or DedupOptions()
    x, y = normalize_record(a, 0), normalize_record(b, 1)
    s = score_pair(x, y)
    if reliability is not None:
        s = reliability.mask_between(s, a.source, b.source)
    d = decide(s, options, short_title(x, y))
    keys = tuple(sorted(set(record_keys(x)) & set(record_keys(y))))
    fields = _field_comparisons(a, b, x, y, s)
    related = classify(s, d, x, y, options)
    return PairExplanation.of(a.record_id, b.record_id, d, keys, fields, options, related)


def _agree(flag: bool | None) -> str:
    return "missing" if flag is None else ("same" if flag else "differs")


def _years(diff: int | None) -> str:
    return "missing" if diff is None else ("same" if diff == 0 else f"differ by {diff}")


def _sim(v: float | None) -> float | None:
    return None if v is None else round(v, 3)


def _field_comparisons(
    a: Record, b: Record, x: NormRecord, y: NormRecord, s: PairScore
) -> tuple[FieldComparison, ...]:
    """Every compared field: the records' values, the normalised ones and the outcome."""
    return (
        FieldComparison("title", a.title, b.title, x.title, y.title, _sim(s.title), s.title_how),
        FieldComparison(
            "authors",
            "; ".join(a.authors),
            "; ".join(b.authors),
            " ".join(f"{sn} {i}".strip() for sn, i in x.authors),
            " ".join(f"{sn} {i}".strip() for sn, i in y.authors),
            _sim(s.authors),
        ),
        FieldComparison("year", a.year, b.year, result=_years(s.year_diff)),
        FieldComparison(
            "journal", a.journal, b.journal, x.journal_text, y.journal_text, _sim(s.journal)
        ),
        FieldComparison("volume", a.volume, b.volume, result=_agree(s.same_volume)),
        FieldComparison("issue", a.issue, b.issue, result=_agree(s.same_issue)),
        FieldComparison(
            "pages",
            a.pages,
            b.pages,
            f"{x.page_first}-{x.page_last}".strip("-"),
            f"{y.page_first}-{y.page_last}".strip("-"),
            result=_agree(s.same_pages),
        ),
        FieldComparison("doi", a.doi, b.doi, x.doi, y.doi, result=_agree(s.same_doi)),
        FieldComparison("pmid", a.pmid, b.pmid, result=_agree(s.same_pmid)),
        FieldComparison("abstract", similarity=_sim(s.abstract)),
    )


def last_reliability(project: Project) -> FieldReliability:
    """The field reliability the last dedup run learned (``summary.json``)."""
    import json

    from review.dedup.reliability import FieldReliability
    from review.dedup.run import summary_path

    try:
        data = json.loads(summary_path(project).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return FieldReliability()
    got = data.get("field_reliability") if isinstance(data, dict) else None
    return FieldReliability.from_json(got)


def explain_record(project: Project, record_id: str, nearest: int = 3) -> RecordExplanation:
    """The record's cluster and status; a field-by-field comparison with every other member,
    every queued partner and the ``nearest`` most similar candidates that were not merged."""
    from review.dedup.clusters import load_clusters
    from review.dedup.options import last_options
    from review.dedup.verdicts import load_verdicts, pair_key

    clusters = load_clusters(project)
    index = project.record_index()
    rec = index.get(record_id)
    if rec is None:
        raise ReviewError(
            f"{record_id}: no such record. Record ids are in outputs/dedup/clusters.csv "
            "(column record_id)."
        )
    options = last_options(project)
    reliability = last_reliability(project)
    verdicts = load_verdicts(project)
    cid = clusters.cluster_of.get(record_id, record_id)
    members = [m for m in clusters.members(cid) if m != record_id]
    head = RecordExplanation(
        record_id=record_id,
        citation=rec.citation(),
        source=rec.source,
        branch=clusters.branch.get(record_id, "main"),
        cluster_id=cid,
        status=clusters.status.get(record_id, "unique"),
        primary=cid == record_id,
    )
    if head.branch != "main":
        note = "Other-methods records are not deduplicated (they go straight to full text)."
        return replace(head, note=note)

    def compare(other_id: str) -> Comparison:
        other = index[other_id]
        pair = explain_pair(rec, other, options, reliability)
        verdict = verdicts.get(pair_key(record_id, other_id))
        return Comparison(pair, other.citation(), other.source, verdict)

    compared = tuple(compare(m) for m in members if m in index)
    queued = tuple(compare(other) for other in _queued_partners(project, record_id, index))
    related = tuple(
        RelatedReport(x.relation, x.status, x.rule, compare(other))
        for x, other in _related_partners(project, clusters, cid, index)
    )
    seen = {
        record_id,
        *members,
        *(c.pair.b for c in queued),
        *(r.comparison.pair.b for r in related),
    }
    closest = _nearest(rec, index, clusters, seen, nearest)
    fusion = None
    copies = [m for m in clusters.members(cid) if m != cid and m in index]
    if copies and cid in index:
        from review.dedup.fusion import fuse_record

        fusion = fuse_record(index[cid], [index[m] for m in copies])[1]
    return replace(
        head,
        members=compared,
        queued=queued,
        related=related,
        nearest=tuple(compare(oid) for oid in closest),
        fusion=fusion,
    )


def _queued_partners(project: Project, record_id: str, index: dict[str, Record]) -> list[str]:
    """The records queued for a person together with ``record_id``, in queue order."""
    from review.dedup.queue import read_queue

    out = []
    for q in read_queue(project):
        if record_id in q.ids:
            other = q.record_id_b if q.record_id_a == record_id else q.record_id_a
            if other in index:
                out.append(other)
    return out


def _related_partners(
    project: Project, clusters: Clusters, cluster_id: str, index: dict[str, Record]
) -> list[tuple[RelatedLink, str]]:
    """The links of related.csv that touch ``cluster_id``, each with the record of the other
    cluster it names."""
    from review.dedup.related import read_related, related_path

    out = []
    for x in read_related(related_path(project)):
        ca, cb = clusters.cluster_of.get(x.a, x.a), clusters.cluster_of.get(x.b, x.b)
        if cluster_id in (ca, cb) and ca != cb:
            other = x.b if ca == cluster_id else x.a
            if other in index:
                out.append((x, other))
    return out


def _nearest(
    rec: Record, index: dict[str, Record], clusters: Clusters, seen: set[str], n: int
) -> list[str]:
    """The ``n`` main-branch records most similar in title that share a blocking key with
    ``rec`` and are not in ``seen``."""
    from review.dedup.block import record_keys
    from review.dedup.normalize import normalize_record
    from review.dedup.score import title_similarity

    me = normalize_record(rec)
    keys = set(record_keys(me))
    scored = []
    for other in index.values():
        if other.record_id in seen or clusters.branch.get(other.record_id) != "main":
            continue
        o = normalize_record(other)
        if keys & set(record_keys(o)):
            scored.append((-title_similarity(me, o)[0], other.record_id))
    return [oid for _, oid in sorted(scored)[:n]]
