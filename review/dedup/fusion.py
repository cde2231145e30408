"""A merged record is the best of its copies: one fused record per duplicate cluster.

Dedup keeps one copy of each cluster as its *primary* (the most complete copy; its
``record_id`` is the ``cluster_id`` every decision is keyed by). The primary can still lack a
field another copy has: a PubMed copy without abstract beside a Scopus copy with one. Fusion
fills such fields from the other copies, field by field, and records where each value came from.
The raw records and imports are never changed; the fused record is derived from them and
``outputs/dedup/clusters.csv`` every time it is needed (and listed in
``outputs/dedup/fused.csv`` by ``dedup``).

Each field has one rule (:data:`RULES`, documented in docs/dedup.md); a rule looks only at that
field's values in the copies, so any subset of fields fuses the same way (the screener fuses its
display fields, exports the whole record). Ties go to the primary, then to the smallest record
id, so the result never depends on input order.

- ``abstract``: the longest abstract that is not a placeholder ("No abstract available");
- ``doi``, ``pmid``: the value most copies agree on (DOIs compared in lower case);
- ``authors``: the longest author list (a copy may truncate it to "et al.");
- ``keywords``: the union, the primary's first, without repeats (compared case-insensitively);
- every other field (title, year, journal, volume, issue, pages, ISSN, ISBN, URL, language,
  type): the primary's value; when it has none (or a placeholder), the value most of the other
  copies agree on.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from review.model import FIELDS

if TYPE_CHECKING:
    from review.model import Record
    from review.project import Project

RULES: dict[str, str] = {
    "abstract": "longest",
    "doi": "majority",
    "pmid": "majority",
    "authors": "most-names",
    "keywords": "union",
}
DEFAULT_RULE = "primary-else-majority"

_PLACEHOLDER = re.compile(
    r"(?i)^\W*(?:no abstract(?: available)?|abstract (?:not )?available|abstract missing"
    r"|not available|n/?a|none|no title(?: available)?|untitled|title not available"
    r"|\[?no title available\]?|null)\W*$"
)


def is_empty(name: str, value: Any) -> bool:
    """A value that counts as missing: blank, a placeholder text, the default type ``other``."""
    if not value:
        return value != 0  # the year 0 is a value; None, "", () are not
    if value.__class__ is str:
        if name == "type":
            return value == "other"
        # placeholders are short: a long text is never one (keeps 100k records fast)
        return len(value) < 40 and (not value.strip() or bool(_PLACEHOLDER.match(value)))
    return False


@dataclass(frozen=True, slots=True)
class FieldSource:
    """Where one fused field came from: the copies (record ids) that gave the value, the rule."""

    field: str
    records: tuple[str, ...]  # empty: no copy has a value
    rule: str
    changed: bool = False  # the fused value is not the primary's own

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "records": list(self.records),
            "rule": self.rule,
            "changed": self.changed,
        }


@dataclass(frozen=True, slots=True)
class Fusion:
    """One cluster fused: the values (by field) and, per field, where they came from."""

    cluster_id: str  # the primary's record id
    members: tuple[str, ...]  # every copy, the primary first
    values: Mapping[str, Any]
    sources: tuple[FieldSource, ...]

    def filled(self) -> tuple[FieldSource, ...]:
        """The fields whose fused value is not the primary's own (taken from, or added by, the
        other copies)."""
        return tuple(s for s in self.sources if s.changed)

    def to_json(self) -> dict[str, Any]:
        return {
            "cluster_id": self.cluster_id,
            "members": list(self.members),
            "sources": [s.to_json() for s in self.sources],
        }


def _key(name: str, value: Any) -> Any:
    if name == "doi" and isinstance(value, str):
        return value.strip().lower()
    if isinstance(value, str):
        return value.strip()
    return value


def _majority(name: str, copies: Sequence[tuple[str, Any]]) -> tuple[Any, tuple[str, ...]]:
    """The value most copies give (ties: the earliest in ``copies``) and the copies giving it."""
    given = [(rid, v) for rid, v in copies if not is_empty(name, v)]
    if not given:
        return None, ()
    counts = Counter(_key(name, v) for _, v in given)
    top = max(counts.values())
    for _rid, v in given:
        k = _key(name, v)
        if counts[k] == top:
            return v, tuple(r for r, w in given if _key(name, w) == k)
    raise AssertionError("unreachable")


def _longest(name: str, copies: Sequence[tuple[str, Any]]) -> tuple[Any, tuple[str, ...]]:
    best: tuple[str, Any] | None = None
    for rid, v in copies:
        if not is_empty(name, v) and (best is None or len(v) > len(best[1])):
            best = (rid, v)
    return (None, ()) if best is None else (best[1], (best[0],))


def _union(name: str, copies: Sequence[tuple[str, Any]]) -> tuple[Any, tuple[str, ...]]:
    seen: set[str] = set()
    out: list[str] = []
    who: list[str] = []
    for rid, values in copies:
        added = False
        for v in values or ():
            k = v.strip().casefold()
            if k and k not in seen:
                seen.add(k)
                out.append(v)
                added = True
        if added:
            who.append(rid)
    return (tuple(out), tuple(who)) if out else (None, ())


def fuse_field(name: str, copies: Sequence[tuple[str, Any]]) -> tuple[Any, FieldSource]:
    """One field fused from ``(record_id, value)`` of every copy, the primary first and the
    others in record-id order. Returns the value (the primary's when no copy has one) and its
    source."""
    value, who, rule = _fuse_value(name, RULES.get(name, DEFAULT_RULE), copies)
    if value is None:
        return copies[0][1], FieldSource(name, (), rule)
    return value, FieldSource(name, who, rule, value != copies[0][1])


def _fuse_value(
    name: str, rule: str, copies: Sequence[tuple[str, Any]]
) -> tuple[Any, tuple[str, ...], str]:
    """(value or None when no copy has one, the copies giving it, the rule applied)."""
    if rule == "majority":
        value, who = _majority(name, copies)
    elif rule in ("longest", "most-names"):
        value, who = _longest(name, copies)
    elif rule == "union":
        value, who = _union(name, copies)
    else:
        primary = copies[0]
        if not is_empty(name, primary[1]):
            value, who = primary[1], (primary[0],)
        else:
            value, who = _majority(name, copies[1:])
            rule = "filled-by-majority"
    return value, who, rule


def fuse(
    cluster_id: str, copies: Mapping[str, Mapping[str, Any]], names: Iterable[str] = FIELDS
) -> Fusion:
    """Fuse the ``names`` fields of a cluster's copies (``record_id -> {field: value}``; the
    primary ``cluster_id`` must be one of them)."""
    order = [cluster_id, *sorted(r for r in copies if r != cluster_id)]
    values: dict[str, Any] = {}
    sources = []
    for name in names:
        value, src = fuse_field(name, [(rid, copies[rid].get(name)) for rid in order])
        values[name] = value
        sources.append(src)
    return Fusion(cluster_id, tuple(order), values, tuple(sources))


def merged_groups(cluster_of: Mapping[str, str]) -> dict[str, list[str]]:
    """``cluster_id -> other members`` for the clusters with more than one record (one pass)."""
    groups: dict[str, list[str]] = {}
    for rid, cid in cluster_of.items():
        if rid != cid:
            groups.setdefault(cid, []).append(rid)
    return groups


def fuse_rows(
    rows: dict[str, tuple[Any, ...]], names: Sequence[str], cluster_of: Mapping[str, str]
) -> dict[str, tuple[Any, ...]]:
    """``rows`` (``record_id -> values of names``) with each merged cluster's primary row
    replaced by the fused row; names that are not record fields (``original_id``) stay the
    primary's. Per cluster, so linear in the number of records."""
    fusable = [(i, n, RULES.get(n, DEFAULT_RULE)) for i, n in enumerate(names) if n in FIELDS]
    out = dict(rows)
    for cid, others in merged_groups(cluster_of).items():
        primary = rows.get(cid)
        if primary is None:
            continue
        order = [cid, *sorted(r for r in others if r in rows)]
        if len(order) == 1:
            continue
        fused = list(primary)
        for i, name, rule in fusable:
            pv = primary[i]
            if rule == DEFAULT_RULE and not is_empty(name, pv):
                continue  # the primary's own value (the common case: no list built)
            vals = [rows[rid][i] for rid in order]
            if rule in ("longest", "most-names"):
                best = None
                for v in vals:  # the same choice as _longest, without the record ids
                    if v and (best is None or len(v) > len(best)) and not is_empty(name, v):
                        best = v
                value = best
            elif rule == "majority":
                given = [v for v in vals if v and not is_empty(name, v)]
                if not given:
                    continue
                first = given[0]
                if all(v == first for v in given):
                    value = first  # every copy that has one agrees
                else:
                    value = _fuse_value(name, rule, list(zip(order, vals, strict=True)))[0]
            else:
                value = _fuse_value(name, rule, list(zip(order, vals, strict=True)))[0]
            if value is not None:
                fused[i] = value
        out[cid] = tuple(fused)
    return out


def fuse_record(primary: Record, others: Sequence[Record]) -> tuple[Record, Fusion]:
    """The primary record with every field fused from its copies (provenance and raw stay the
    primary's), and the fusion."""
    copies = {r.record_id: r.fields_dict() for r in (primary, *others)}
    fusion = fuse(primary.record_id, copies)
    changed = {k: v for k, v in fusion.values.items() if v != getattr(primary, k)}
    return (replace(primary, **changed) if changed else primary), fusion


def fused_record_index(project: Project) -> dict[str, Record]:
    """``Project.record_index()`` with each merged cluster's primary replaced by its fused
    record: what exports by stage and charting forms show for a cluster."""
    index = project.record_index()
    cluster_of = _cluster_of(project)
    if not cluster_of:
        return index
    out = dict(index)
    for cid, others in merged_groups(cluster_of).items():
        if cid in index:
            out[cid] = fuse_record(index[cid], [index[r] for r in others if r in index])[0]
    return out


def _cluster_of(project: Project) -> Mapping[str, str]:
    """The current ``record_id -> cluster_id`` (empty when dedup has not run)."""
    from review.dedup.clusters import clusters_path, load_clusters

    if not clusters_path(project).is_file():
        return {}
    return load_clusters(project).cluster_of
