"""Dedup on a project: read records and verdicts, run the pipeline, write ``outputs/dedup/``.

Files written (all derived, rebuilt by every run):

- ``outputs/dedup/clusters.csv``: one row per imported record (see clusters.py), plus
  ``linked_to, rule, year, first_author, doi``.
- ``outputs/dedup/maybe-pairs.csv``: the pairs waiting for a person, side by side.
- ``outputs/dedup/overlap.csv``: per source: records, duplicates within the source, overlap with
  every other source, unique contributions.
- ``outputs/dedup/summary.json``: options and counts of the last run (``dedup`` refreshes
  after verdicts with the same options).

The scored candidate pairs are cached in ``.review/dedup/pairs.pickle`` (keyed by the tool
version, the blocking options and the set of main-branch record ids), so applying verdicts only
re-runs decide + cluster.
"""

from __future__ import annotations

import csv
import hashlib
import pickle
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from review.dedup.clusters import Clusters, clusters_path, load_clusters, write_clusters
from review.dedup.decide import DedupOptions
from review.errors import ReviewError
from review.model import MAIN_KINDS, Record

if TYPE_CHECKING:
    from review.dedup.pipeline import DedupResult, ProgressFn
    from review.project import Project

CACHE_VERSION = "1"
# maybe-pairs.csv: the pair, then each field of the two records side by side (a file format)
MAYBE_SIDES = ("source", "title", "authors", "year", "journal", "volume", "pages", "doi")
MAYBE_COLUMNS = (
    *("record_id_a", "record_id_b", "title_similarity", "authors_similarity", "rule", "reasons"),
    *(f"{f}_{side}" for f in MAYBE_SIDES for side in "ab"),
)


def branch_map(project: Project, records: list[Record]) -> dict[str, str]:
    """record_id -> ``main``/``other`` from the import log (``ImportEntry.branch``)."""
    by_file: dict[str, str] = {}
    by_folder: dict[str, str] = {}
    for e in project.imports():
        by_file[e.file] = e.branch
        by_folder[f"data/imports/{e.import_id}"] = e.branch
    out: dict[str, str] = {}
    for r in records:
        b = by_file.get(r.source_file)
        if b is None:
            b = by_folder.get(r.source_file.rsplit("/", 1)[0])
        if b is None:
            b = "main" if r.kind in MAIN_KINDS else "other"
        out[r.record_id] = b
    return out


def summary_path(project: Project) -> Path:
    return project.outputs_dir / "dedup" / "summary.json"


def maybe_path(project: Project) -> Path:
    return project.outputs_dir / "dedup" / "maybe-pairs.csv"


def overlap_path(project: Project) -> Path:
    return project.outputs_dir / "dedup" / "overlap.csv"


def project_options(project: Project) -> DedupOptions:
    """The project's dedup options: the defaults, overridden by the ``dedup:`` section of
    protocols/protocol.yaml (never by outputs/, which is derived and may be deleted)."""
    settings = project.protocol.dedup
    names = {f.name for f in fields(DedupOptions)}
    return DedupOptions(**{k: v for k, v in settings.items() if k in names})


last_options = project_options  # the options `dedup review/import/split/explain` re-cluster with


_DEDUP_LINE = re.compile(r"^dedup\s*:\s*(?P<rest>[^#]*?)\s*(?P<comment>#.*)?$")
_KEY_LINE = re.compile(
    r"^(?P<indent>\s+)(?P<key>[A-Za-z_]+)\s*:\s*(?P<value>[^#]*?)(?P<tail>\s*#.*)?$"
)


def save_options(project: Project, changes: dict[str, float | int]) -> list[str]:
    """Write ``changes`` into the ``dedup:`` section of protocols/protocol.yaml, keeping every
    other line (and comment) as it is. Returns ``key = value`` for each value that changed."""
    from review.io.files import atomic_write_text
    from review.protocol import parse_dedup_settings

    path = project.protocol_path
    current = project.protocol.dedup
    todo = {k: v for k, v in changes.items() if current.get(k) != v}
    if not todo:
        return []
    parse_dedup_settings({**current, **todo}, path)  # refuse before writing anything
    text = path.read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if _DEDUP_LINE.match(line)), None)
    if start is not None and _DEDUP_LINE.match(lines[start]).group("rest") not in ("", "{}"):
        # A flow mapping ("dedup: {auto_threshold: 0.9}"): rewrite it as a block.
        lines[start : start + 1] = ["dedup:"] + [f"  {k}: {v}" for k, v in current.items()]
    if start is None:
        if lines and lines[-1].strip():
            lines.append("")
        lines.append("dedup:  # dedup settings (docs/dedup.md)")
        start = len(lines) - 1
    elif _DEDUP_LINE.match(lines[start]).group("rest") == "{}":
        lines[start] = "dedup:"
    end = start + 1
    indent = "  "
    found: dict[str, int] = {}
    while end < len(lines) and (not lines[end].strip() or lines[end][:1] in " \t"):
        m = _KEY_LINE.match(lines[end])
        if m:
            indent = m.group("indent")
            found[m.group("key")] = end
        end += 1
    insert_at = max(found.values(), default=start) + 1
    for key, value in todo.items():
        if key in found:
            m = _KEY_LINE.match(lines[found[key]])
            lines[found[key]] = f"{m.group('indent')}{key}: {value}{m.group('tail') or ''}"
        else:
            lines.insert(insert_at, f"{indent}{key}: {value}")
            insert_at += 1
    new_text = "\n".join(lines) + "\n"
    if _settings_of(new_text, path) != {**current, **todo}:
        wanted = ", ".join(f"dedup.{k}: {v}" for k, v in todo.items())
        raise ReviewError(
            f"{path}: could not rewrite the dedup section safely; write {wanted} there by hand."
        )
    atomic_write_text(path, new_text)
    project.__dict__.pop("protocol", None)  # cached_property: read the new file next time
    return [f"dedup.{k} = {v}" for k, v in todo.items()]


def _settings_of(text: str, path: Path) -> dict:
    """The dedup settings ``text`` would give (parsed exactly as the project will parse it)."""
    from review.io.yamlfile import load_yaml
    from review.protocol import parse_protocol

    return parse_protocol(load_yaml(text, path), path).dedup


def _fingerprint(records: list[Record], branches: dict[str, str], options: DedupOptions) -> str:
    from review import __version__

    h = hashlib.sha256()
    h.update(f"{CACHE_VERSION}|{__version__}|{options.max_block}|{options.window}\n".encode())
    # The scoring code itself: a changed normaliser/scorer must never reuse old scores.
    here = Path(__file__).parent
    for name in ("fold.py", "ltwa.py", "normalize.py", "block.py", "score.py"):
        h.update((here / name).read_bytes())
    for rid in sorted(r.record_id for r in records if branches.get(r.record_id) == "main"):
        h.update(rid.encode() + b"\n")
    return h.hexdigest()


def _load_cache(project: Project, fingerprint: str) -> list | None:
    path = project.cache_dir / "dedup" / "pairs.pickle"
    if not path.is_file():
        return None
    try:
        with open(path, "rb") as fh:
            data = pickle.load(fh)  # noqa: S301 - our own cache file
        if data.get("fingerprint") == fingerprint:
            return data["scored"]
    except Exception:  # a stale or torn cache is simply rebuilt
        return None
    return None


def _save_cache(project: Project, fingerprint: str, scored: list) -> None:
    from review.io.files import atomic_write_bytes

    try:
        blob = pickle.dumps(
            {"fingerprint": fingerprint, "scored": scored}, protocol=pickle.HIGHEST_PROTOCOL
        )
        atomic_write_bytes(project.cache_dir / "dedup" / "pairs.pickle", blob)
    except OSError:
        pass  # read-only checkout: works, just slower next time


def dedup_project(
    project: Project,
    options: DedupOptions | None = None,
    progress: ProgressFn | None = None,
) -> DedupResult:
    """Run dedup on every imported record and write the outputs. Returns the result."""
    from review.dedup.pipeline import run_dedup
    from review.dedup.verdicts import standing_verdicts

    options = options or last_options(project)
    records = project.records()
    branches = branch_map(project, records)
    fp = _fingerprint(records, branches, options)
    cached = _load_cache(project, fp)
    result = run_dedup(
        records,
        options,
        standing_verdicts(project),
        branch_of=branches,
        scored=cached,
        progress=progress,
    )
    if cached is None:
        _save_cache(project, fp, result.scored)
    write_outputs(project, records, result, options)
    return result


def write_outputs(
    project: Project, records: list[Record], result: DedupResult, options: DedupOptions
) -> None:
    """Write ``outputs/dedup/``: clusters.csv, fused.csv, maybe-pairs.csv, overlap.csv and
    summary.json."""
    from review.dedup.pipeline import EXTRA_COLUMNS

    write_clusters(clusters_path(project), result.rows, result.extra, EXTRA_COLUMNS)
    _write_fused(project, records, result)
    _write_maybe_pairs(project, records, result)
    _write_overlap(project, result)
    _write_summary(project, result, options)


FUSED_COLUMNS = ("cluster_id", "field", "rule", "from_records", "value")


def _write_fused(project: Project, records: list[Record], result: DedupResult) -> None:
    """``fused.csv``: for every merged cluster, each field its fused record takes from a copy
    other than the primary (the rest is the primary's), with the rule and the copies."""
    from review.dedup.fusion import fuse_record, merged_groups
    from review.io.files import atomic_write_text
    from review.io.xlsx import csv_text

    by_id = {r.record_id: r for r in records}
    cluster_of = {r.record_id: r.cluster_id for r in result.rows}
    table: list[list[object]] = [list(FUSED_COLUMNS)]
    groups = merged_groups(cluster_of)
    for cid in sorted(groups):
        fused, fusion = fuse_record(by_id[cid], [by_id[r] for r in groups[cid]])
        for src in fusion.filled():
            value = getattr(fused, src.field)
            if isinstance(value, tuple):
                value = "; ".join(value)
            table.append([cid, src.field, src.rule, "; ".join(src.records), value])
    atomic_write_text(project.outputs_dir / "dedup" / "fused.csv", csv_text(table))


def _write_maybe_pairs(project: Project, records: list[Record], result: DedupResult) -> None:
    """The queued pairs side by side (MAYBE_COLUMNS)."""
    from review.io.files import atomic_write_text
    from review.io.xlsx import csv_text

    by_id = {r.record_id: r for r in records}
    maybe: list[list[object]] = [list(MAYBE_COLUMNS)]
    for q in result.queued:
        a, b = by_id[q.a], by_id[q.b]
        authors = "" if q.authors is None else round(q.authors, 3)
        row: list[object] = [q.a, q.b, q.title, authors, q.rule, q.reasons]
        for f in MAYBE_SIDES:
            row += [_side_value(a, f), _side_value(b, f)]
        maybe.append(row)
    atomic_write_text(maybe_path(project), csv_text(maybe))


def _side_value(rec: Record, name: str) -> object:
    v = getattr(rec, name)
    if name == "authors":
        return "; ".join(v)
    return (v or "") if name == "year" else v  # no year: an empty cell


def _write_overlap(project: Project, result: DedupResult) -> None:
    """Per source: records, duplicates within it, clusters, unique ones, overlap with each other."""
    from review.io.files import atomic_write_text
    from review.io.xlsx import csv_text

    table = overlap_table(Clusters(result.rows))
    sources = [row.source for row in table]
    overlap: list[list[object]] = [
        [
            "source",
            "branch",
            "records",
            "duplicates_within_source",
            "clusters",
            "unique_clusters",
            *[f"overlap_with:{s}" for s in sources],
        ]
    ]
    for row in table:
        overlap.append(
            [
                row.source,
                row.branch,
                row.records,
                row.duplicates_within_source,
                row.clusters,
                row.unique_clusters,
                *[row.overlap.get(s, "") for s in sources],
            ]
        )
    atomic_write_text(overlap_path(project), csv_text(overlap))


def _write_summary(project: Project, result: DedupResult, options: DedupOptions) -> None:
    from review import __version__
    from review.io.files import atomic_write_json, now_iso

    atomic_write_json(
        summary_path(project),
        {
            "at": now_iso(),
            "tool_version": __version__,
            "options": asdict(options),
            "counts": result.counts,
            "refused_same": [list(p) for p in result.refused_same],
            "verdict_conflicts": [list(p) for p in _conflicts(project)],
            "seconds": {k: round(v, 3) for k, v in result.seconds.items()},
        },
    )


def _conflicts(project: Project) -> list[tuple[str, str]]:
    from review.dedup.verdicts import verdict_conflicts

    return list(verdict_conflicts(project))


@dataclass(frozen=True, slots=True)
class SourceOverlap:
    """One row of :func:`overlap_table`: a source's records, duplicates inside it, clusters it
    shares with each other source and clusters found only there (its unique contribution)."""

    source: str
    branch: str
    records: int
    duplicates_within_source: int
    clusters: int
    unique_clusters: int
    overlap: Mapping[str, int]  # other source -> clusters shared with it

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def overlap_table(clusters: Clusters) -> tuple[SourceOverlap, ...]:
    """Per source, in name order: records, duplicates inside the source, clusters shared with
    each other source and clusters found only in this source (its unique contribution)."""
    sources_of: dict[str, Counter[str]] = defaultdict(Counter)
    branch_of_source: dict[str, str] = {}
    records: Counter[str] = Counter()
    for r in clusters.rows:
        sources_of[r.cluster_id][r.source] += 1
        records[r.source] += 1
        branch_of_source.setdefault(r.source, r.branch)
    within: Counter[str] = Counter()
    n_clusters: Counter[str] = Counter()
    unique: Counter[str] = Counter()
    shared: dict[str, dict[str, int]] = {s: {} for s in records}
    for counter in sources_of.values():
        for s, n in counter.items():
            n_clusters[s] += 1
            within[s] += n - 1
            if len(counter) == 1:
                unique[s] += 1
            for other in counter:
                if other != s:
                    shared[s][other] = shared[s].get(other, 0) + 1
    return tuple(
        SourceOverlap(
            source=s,
            branch=branch_of_source[s],
            records=records[s],
            duplicates_within_source=within[s],
            clusters=n_clusters[s],
            unique_clusters=unique[s],
            overlap=shared[s],
        )
        for s in sorted(records)
    )


@dataclass(frozen=True, slots=True)
class DedupCounts:
    """What the last ``dedup`` left: records, clusters, duplicates removed, pairs queued
    for a person, verdict conflicts and the overlap between sources."""

    main_records: int
    clusters: int
    removed_automatic: int
    removed_manual: int
    queued: int
    verdict_conflicts: tuple[tuple[str, str], ...]
    overlap: tuple[SourceOverlap, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "main_records": self.main_records,
            "clusters": self.clusters,
            "removed_automatic": self.removed_automatic,
            "removed_manual": self.removed_manual,
            "queued": self.queued,
            "verdict_conflicts": [list(p) for p in self.verdict_conflicts],
            "overlap": [row.to_json() for row in self.overlap],
        }


@dataclass(frozen=True, slots=True)
class DedupStatus:
    """The dedup stage on the project status: ``counts`` is None until dedup has run;
    ``warnings``: damaged lines of the verdict logs (the CLI words the rest)."""

    counts: DedupCounts | None = None
    warnings: tuple[str, ...] = ()

    @property
    def done(self) -> bool:
        return self.counts is not None

    def to_json(self) -> dict[str, Any]:
        """The ``dedup`` object of ``status --json``."""
        counts = self.counts.to_json() if self.counts is not None else {}
        return {"done": self.done, **counts}


def status_summary(project: Project) -> DedupStatus:
    """Dedup progress for the project status."""
    path = clusters_path(project)
    if not path.is_file():
        return DedupStatus()
    clusters = load_clusters(project)
    counts = DedupCounts(
        main_records=sum(1 for r in clusters.rows if r.branch == "main"),
        clusters=len(clusters.main_clusters()),
        removed_automatic=len(clusters.removed_automatic()),
        removed_manual=len(clusters.removed_manual()),
        queued=_queued(project),
        verdict_conflicts=tuple(_conflicts(project)),
        overlap=overlap_table(clusters),
    )
    from review.dedup.verdicts import log_problems

    return DedupStatus(counts, tuple(log_problems(project)))


def _queued(project: Project) -> int:
    """The pairs waiting for a person in the last run's maybe-pairs.csv."""
    mp = maybe_path(project)
    if not mp.is_file():
        return 0
    from review.io.tables import long_fields

    long_fields()  # titles over 131,072 characters
    with open(mp, encoding="utf-8-sig", newline="") as fh:
        return sum(1 for _ in csv.DictReader(fh))
