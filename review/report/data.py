"""Everything the report shows, read from the project into frozen, typed views.

:func:`collect` reads the project once (the PRISMA inputs, the screening logs, the dedup
clusters, the final charting) and returns a :class:`ReportData`: the :class:`Flow`, a
:class:`ScreeningView`, a :class:`DedupView` and a
:class:`~review.report.charting_view.ChartingView`, each in a :class:`Section`. Each section is
independent: a project without charting (or without screening) still gets a report, with that
section saying what to run. Nothing here writes files or prints.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from review import __version__
from review.errors import ReviewError
from review.io.files import sha256_file
from review.io.jsonline import loads
from review.io.logline import bad_time
from review.model import Decision, Stage
from review.nextstep import Action, Render, Text, plain, step
from review.prisma import compute_flow, explain
from review.prisma.diagram import DiagramOptions, compute_layout
from review.prisma.inputs import gather
from review.prisma.methods import methods_markdown
from review.report.charting_view import charting_view
from review.screen.cache import cluster_index, no_gc
from review.screen.disagreements import agreement_from_state, disagreement_rows
from review.screen.final import final_from_state, stage_state
from review.screen.marks import read_marks
from review.screen.team import team_view
from review.search import project_searches

if TYPE_CHECKING:
    from review.dedup.status import DedupCounts
    from review.prisma.diagram import Layout
    from review.prisma.flow import Flow, PrismaInputs
    from review.project import Project
    from review.report.charting_view import ChartingView
    from review.screen.disagreements import Agreement
    from review.screen.marks import Reopen
    from review.screen.team import TeamView
    from review.search import SourceSearch

# Project files whose hashes the provenance lists (what the outputs are derived from).
PROVENANCE_GLOBS = (
    "protocols/*.yaml",
    "extraction_schema.yaml",
    "data/imports/*/*",
    "data/dedup/*.jsonl",
    "data/screening/*.jsonl",
    "data/resolutions/*.jsonl",
    "data/charting/*/*.json",
)
# disagreements listed per stage; a 100k-record review can have 10,000 (the report stays
# readable and small; every one is in outputs/screening/<stage>-disagreements.csv and .xlsx)
DISAGREEMENTS_SHOWN = 500
UPSET_MAX = 15  # intersections drawn in the overlap figure (the rest are summed in the table)
T = TypeVar("T")


@dataclass(frozen=True)
class Section(Generic[T]):
    """One part of the report: its data, or why it is missing (what to run)."""

    data: T | None
    missing: str | Text = ""  # a front end spells its next steps (collect does)

    def spelled(self, command: Render) -> Section[T]:
        """The section with ``missing`` as plain text, each step spelled by ``command``."""
        if isinstance(self.missing, str):
            return self
        return Section(self.data, plain(self.missing, command))


@dataclass(frozen=True)
class ReportData:
    title: str
    prisma: Section[Flow]  # the PRISMA counts and the records behind each
    screening: Section[ScreeningView]
    dedup: Section[DedupView]
    charting: Section[ChartingView]
    methods: str  # markdown paragraphs (outputs/prisma/methods.md's text)
    provenance: Provenance
    layout: Layout | None = field(default=None, repr=False)
    explain_blob: str = ""  # base64 of gzipped JSON: records behind every PRISMA count
    team: Section[TeamView] = field(default_factory=lambda: Section(None, "not collected"))
    # sources with a recorded search strategy (query, limits or reported count; review.search)
    searches: tuple[SourceSearch, ...] = ()

    @property
    def flow(self) -> Flow | None:
        """The counts the diagram's links need (None when the flow could not be computed)."""
        return self.prisma.data


@no_gc  # 100k records: millions of small objects, no cycles (screen/cache.py)
def collect(project: Project, command: Render = str) -> ReportData:
    """Read every section of the report from ``project`` (``command`` spells the next steps
    a missing section names)."""
    prisma, layout, blob, methods = _prisma_section(project, command)
    return ReportData(
        title=project.protocol.title,
        prisma=prisma.spelled(command),
        screening=_guard(_screening_section, project).spelled(command),
        dedup=_guard(_dedup_section, project).spelled(command),
        charting=_guard(_charting_section, project).spelled(command),
        methods=methods,
        provenance=provenance(project),
        layout=layout,
        explain_blob=blob,
        team=_guard(_team_section, project).spelled(command),
        searches=_searches(project),
    )


def _searches(project: Project) -> tuple[SourceSearch, ...]:
    return tuple(s for s in project_searches(project) if s.documented)


def _team_section(project: Project) -> Section[TeamView]:
    """The lead reviewer's view (the team command's): per stage and reviewer."""
    view = team_view(project)
    if not any(s.reviewers for s in view.stages):
        return Section(None, ("no screening decisions yet: run ", step(Action.SCREEN), "."))
    return Section(view)


def _guard(fn: Callable[[Project], Section[T]], project: Project) -> Section[T]:
    try:
        return fn(project)
    except ReviewError as exc:
        return Section(None, exc.parts)


def _charting_section(project: Project) -> Section[ChartingView]:
    return Section(charting_view(project))


# ---- PRISMA ----------------------------------------------------------------------------------


def _prisma_section(
    project: Project, command: Render = str
) -> tuple[Section[Flow], Layout | None, str, str]:
    try:
        inputs, facts = gather(project)
        flow = compute_flow(inputs)
    except ReviewError as exc:
        return Section(None, exc.parts), None, "", ""
    layout = compute_layout(flow, DiagramOptions())
    blob, methods = explain_blob(flow, inputs), methods_markdown(flow, facts, command)
    return Section(flow), layout, blob, methods


@dataclass(frozen=True, slots=True)
class ExplainTable:
    """The rows of ``prisma explain KEY`` for every key, dictionary-encoded: records
    (id, source index, title) and reasons ("why") once each, every key a list of
    (record index, why index), or the name of an earlier key holding the same rows."""

    records: tuple[tuple[str, int, str], ...]
    sources: tuple[str, ...]
    whys: tuple[str, ...]
    keys: Mapping[str, str | tuple[tuple[int, int], ...]]

    def to_json(self) -> dict[str, Any]:
        """The page's embedded form (lists, in the same order)."""
        return {
            "records": [list(r) for r in self.records],
            "sources": list(self.sources),
            "whys": list(self.whys),
            "keys": {
                k: v if isinstance(v, str) else [list(pair) for pair in v]
                for k, v in self.keys.items()
            },
        }


def explain_table(flow: Flow, inputs: PrismaInputs) -> ExplainTable:
    """The rows of ``prisma explain KEY`` for every key (see :class:`ExplainTable`)."""
    records: dict[str, int] = {}
    rows_out: list[tuple[str, int, str]] = []
    whys: dict[str, int] = {}
    sources: dict[str, int] = {}
    keys: dict[str, str | tuple[tuple[int, int], ...]] = {}
    seen: dict[str, str] = {}  # identical member lists are stored once (prisma2020 aliases)
    for key in flow.keys():
        rows = explain(flow, inputs, key)
        encoded = []
        for r in rows:
            if r.record_id not in records:
                records[r.record_id] = len(rows_out)
                src = sources.setdefault(r.source, len(sources))
                rows_out.append((r.record_id, src, r.title))
            encoded.append((records[r.record_id], whys.setdefault(r.why, len(whys))))
        sig = json.dumps(encoded, separators=(",", ":"))
        if sig in seen:
            keys[key] = seen[sig]  # a string: the key holding the same rows
        else:
            seen[sig] = key
            keys[key] = tuple(encoded)
    return ExplainTable(tuple(rows_out), tuple(sources), tuple(whys), keys)


def explain_blob(flow: Flow, inputs: PrismaInputs) -> str:
    """:func:`explain_table` as base64 gzip (deterministic: no file name, mtime 0)."""
    table = explain_table(flow, inputs).to_json()
    text = json.dumps(table, ensure_ascii=False, separators=(",", ":"))
    return base64.b64encode(gzip.compress(text.encode("utf-8"), 9, mtime=0)).decode("ascii")


# ---- screening -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScreenerDecision:
    """One reviewer's decision on a record the reviewers disagree on (reason as its label)."""

    reviewer: str
    decision: Decision
    reason: str
    note: str


@dataclass(frozen=True, slots=True)
class ResolutionView:
    """How a disagreement was resolved (reason as its label)."""

    decision: Decision
    reason: str
    rationale: str
    resolver: str


@dataclass(frozen=True, slots=True)
class DisagreementView:
    """A record the reviewers disagree on: their decisions and the resolution, if any."""

    record_id: str
    title: str
    decisions: tuple[ScreenerDecision, ...]
    resolution: ResolutionView | None  # None: unresolved
    forwarded: bool = False  # include vs maybe sent on without an arbiter (maybe_conflicts)


@dataclass(frozen=True, slots=True)
class StageView:
    """One screening stage: agreement and disagreements (``agreement`` None: not screened)."""

    stage: Stage
    agreement: Agreement | None
    disagreements: tuple[DisagreementView, ...] = ()  # the first DISAGREEMENTS_SHOWN
    not_shown: int = 0  # disagreements beyond those (all of them are in the csv/xlsx)

    @property
    def screened(self) -> bool:
        return self.agreement is not None

    @property
    def csv(self) -> str:
        return f"outputs/screening/{self.stage}-disagreements.csv"


@dataclass(frozen=True, slots=True)
class ScreeningView:
    """The report's screening section: every stage, screened or not; reopened records and
    labels (never decisions)."""

    stages: tuple[StageView, ...]
    reopens: tuple[Reopen, ...] = ()
    labels: tuple[LabelView, ...] = ()


@dataclass(frozen=True, slots=True)
class LabelView:
    """One label: the records carrying it (any reviewer)."""

    label: str
    records: tuple[str, ...]


def _screening_section(project: Project) -> Section[ScreeningView]:
    try:
        clusters = cluster_index(project)
    except ReviewError as exc:
        return Section(None, exc.parts)
    stages = []
    for stage in Stage:
        cfg = project.protocol.stage(stage)
        state = stage_state(project, stage, clusters)
        agr = agreement_from_state(state)
        if not agr.reviewers:
            stages.append(StageView(stage, None))
            continue
        labels = {r.id: r.label for r in cfg.exclusion_reasons}
        rows = []
        final = final_from_state(state) if state.forward else {}
        all_rows = disagreement_rows(project, state, clusters)
        for row in all_rows[:DISAGREEMENTS_SHOWN]:
            decisions = tuple(
                ScreenerDecision(who, dec, labels.get(reason, reason), note)
                for who, dec, reason, note in row.decisions
            )
            res = None
            if row.resolution is not None:
                dec, reason, rationale, resolver = row.resolution
                res = ResolutionView(dec, labels.get(reason, reason), rationale, resolver)
            fwd = row.record_id in final and final[row.record_id].via == "forwarded"
            rows.append(DisagreementView(row.record_id, row.title, decisions, res, fwd))
        stages.append(StageView(stage, agr, tuple(rows), len(all_rows) - len(rows)))
    if not any(s.screened for s in stages):
        return Section(
            None,
            (
                "no screening decisions yet: run ",
                step(Action.SCREEN),
                " or ",
                step(Action.SCREEN_IMPORT),
                ".",
            ),
        )

    marks = read_marks(project, clusters)
    by_label: dict[str, list[str]] = {}
    for cid in clusters.main_clusters() + clusters.other_clusters():
        for label in marks.labels.get(cid, {}):
            by_label.setdefault(label, []).append(cid)
    views = tuple(
        LabelView(k, tuple(by_label[k])) for k, _n in marks.label_counts() if k in by_label
    )
    return Section(ScreeningView(tuple(stages), marks.reopens, views))


# ---- dedup -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceSet:
    """Records after deduplication found by exactly this combination of sources."""

    sources: tuple[str, ...]
    n: int


@dataclass(frozen=True, slots=True)
class DedupView:
    """The report's duplicates section: what dedup removed and the overlap between sources."""

    counts: DedupCounts  # records, clusters, duplicates removed, pairs queued, overlap.csv's rows
    sources: tuple[str, ...]  # the main branch's sources, sorted
    source_clusters: Mapping[str, int]  # source -> records after dedup that it found
    intersections: tuple[SourceSet, ...]  # the UPSET_MAX largest combinations
    intersections_rest: int  # records in the smaller combinations
    intersections_rest_count: int  # how many smaller combinations
    # related reports of one study (outputs/dedup/related.csv), linked and kept: never removed
    related: tuple[RelatedRow, ...] = ()


@dataclass(frozen=True, slots=True)
class RelatedRow:
    """One link of related.csv that joins two reports of one study (auto or confirmed)."""

    relation: str
    status: str
    record_id_a: str
    record_id_b: str
    title_a: str
    title_b: str


def _related_rows(project: Project, titles: Mapping[str, str]) -> tuple[RelatedRow, ...]:
    from review.dedup.related import LINKING, read_related, related_path

    return tuple(
        RelatedRow(x.relation, x.status, x.a, x.b, titles.get(x.a, ""), titles.get(x.b, ""))
        for x in read_related(related_path(project))
        if x.status in LINKING
    )


def _dedup_section(project: Project) -> Section[DedupView]:
    from review.dedup import load_clusters, status_summary

    summary = status_summary(project).counts
    if summary is None:
        return Section(None, ("not deduplicated yet: run ", step(Action.DEDUP), "."))
    clusters = load_clusters(project)
    sets: Counter[tuple[str, ...]] = Counter()
    sources_of: dict[str, set[str]] = {}
    for r in clusters.rows:
        if r.branch != "main":
            continue
        sources_of.setdefault(r.cluster_id, set()).add(r.source)
    for srcs in sources_of.values():
        sets[tuple(sorted(srcs))] += 1
    main_sources = sorted({s for srcs in sources_of.values() for s in srcs})
    size = Counter(s for srcs in sources_of.values() for s in srcs)
    intersections = sorted(sets.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))
    return Section(
        DedupView(
            counts=summary,
            sources=tuple(main_sources),
            source_clusters={s: size[s] for s in main_sources},
            intersections=tuple(SourceSet(k, n) for k, n in intersections[:UPSET_MAX]),
            intersections_rest=sum(n for _, n in intersections[UPSET_MAX:]),
            intersections_rest_count=max(0, len(intersections) - UPSET_MAX),
            related=_related_rows(project, {r.record_id: r.title for r in clusters.rows}),
        )
    )


# ---- provenance ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A project file the outputs derive from, with its size and SHA-256."""

    path: str  # relative to the project, with forward slashes
    bytes: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Provenance:
    """What the report was made with and from."""

    version: str  # review's version
    files: tuple[SourceFile, ...]
    as_of: str  # the latest time recorded in the project's logs ('' when none)
    tool: str = "review"


def provenance(project: Project) -> Provenance:
    """Tool version, SHA-256 of every project file the outputs derive from, and the date of the
    latest recorded event (deterministic: no clock is read)."""
    root = project.root
    files = []
    seen: set[Path] = set()
    for pattern in PROVENANCE_GLOBS:
        for path in sorted(root.glob(pattern)):
            if path.is_file() and path not in seen:
                seen.add(path)
                rel = path.relative_to(root).as_posix()
                files.append(SourceFile(rel, path.stat().st_size, sha256_file(path)))
    return Provenance(__version__, tuple(files), _latest(root))


def _latest(root: Path) -> str:
    """The latest ``at``/``imported_at`` time in the project's logs ('' when none)."""
    latest = ""
    for pattern in ("data/*/*.jsonl", "data/imports/*/import.json", "data/charting/*/*.json"):
        for path in root.glob(pattern):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if path.suffix == ".jsonl":
                objs = []
                for line in text.splitlines():
                    try:
                        objs.append(loads(line))
                    except ValueError:
                        continue
            else:
                try:
                    objs = [json.loads(text)]
                except ValueError:
                    continue
            for obj in objs:
                if isinstance(obj, dict):
                    for key in ("at", "imported_at"):
                        v = obj.get(key)
                        if isinstance(v, str) and v > latest and bad_time(v) is None:
                            latest = v  # "yesterday" sorts after every real time
    return latest
