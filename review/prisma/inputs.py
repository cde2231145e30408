"""Gather the PRISMA facts from a project: import log, dedup clusters, screening, charting.

:func:`gather` is the only place that reads the project; everything it returns is plain data
(:class:`~review.prisma.flow.PrismaInputs` for the counts, :class:`MethodsFacts` for the methods
paragraph). The stage modules are imported inside the functions (``prisma --help`` stays
light); PRISMA works as soon as dedup has run, and counts are provisional until screening is
complete.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from review.chart import final_charting, latest_chartings
from review.chart.store import project_schema
from review.errors import ProjectError, ReviewError
from review.model import Kind, ReviewType, Stage
from review.people import CONSENSUS
from review.prisma.facts import Final, Identified, PrismaInputs
from review.rank.phase import not_screened_after_stop
from review.screen import agreement
from review.screen.final import FORWARD, stage_state
from review.search import project_searches

if TYPE_CHECKING:
    from review.chart.schema import Level
    from review.dedup.clusters import Clusters
    from review.project import Project
    from review.protocol import Protocol as ReviewProtocol
    from review.rank.phase import StopDecision
    from review.screen.final import StageState
    from review.search import SourceSearch

STAGE_KEYS = {Stage.TITLE_ABSTRACT: "title_abstract", Stage.FULL_TEXT: "full_text"}


@dataclass(frozen=True, slots=True)
class AgreementFacts:
    """What the methods paragraph says about agreement at one stage."""

    percent_agreement: float | None = None
    cohen_kappa: float | None = None
    kappa_ci95: tuple[float, float] | None = None
    kappa_method: str = ""  # Cohen's kappa (two reviewers) or Light's kappa (more)


RESOLVER_KINDS = ("consensus", "third-reviewer", "reviewer")


@dataclass(frozen=True, slots=True)
class ResolvedBy:
    """Records whose final decision at one stage came from a resolution, by who resolved them
    (read from the resolution logs, not the protocol's plan): ``consensus`` (the agreed outcome,
    recorded as ``--resolver consensus``), ``third-reviewer`` (a person who had not screened
    the record), ``reviewer`` (one of the reviewers who had screened it)."""

    kind: str  # one of RESOLVER_KINDS
    n: int  # disagreements this kind resolved
    names: tuple[str, ...] = ()  # the resolvers (none for consensus)


@dataclass(frozen=True, slots=True)
class ResolutionFacts:
    """What the logs say about resolving at one stage."""

    by: tuple[ResolvedBy, ...] = ()  # disagreements resolved, per kind of resolver
    early: int = 0  # records a resolver decided before every planned reviewer had
    open_conflicts: int = 0  # disagreements no one has resolved yet
    forwarded: int = 0  # include vs maybe sent on without an arbiter (maybe_conflicts: false)

    @property
    def resolved(self) -> int:
        return sum(b.n for b in self.by)


@dataclass(frozen=True)
class MethodsFacts:
    """What the methods paragraph says besides the counts (all plain data)."""

    title: str = ""
    sources: tuple[dict[str, str], ...] = ()  # name, kind, platform, searched, notes
    reviewers_per_record: dict[str, int] = field(default_factory=dict)  # protocol, per stage
    # stage -> {number of distinct reviewers with a standing decision: number of records}
    reviewers_observed: dict[str, dict[int, int]] = field(default_factory=dict)
    reviewer_names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    agreement: Mapping[str, AgreementFacts | None] = field(default_factory=dict)
    maybe_to_fulltext: bool = True
    # the team's recorded decision to stop title/abstract screening by the stopping rule
    # (a `stop` line of data/stopping/, see review.rank.phase), or None
    stopping: StopDecision | None = None
    resolved: dict[str, ResolutionFacts] = field(default_factory=dict)  # stage -> who resolved
    # per source: the search strategy (protocol + import log, review.search), for PRISMA-S
    searches: tuple[SourceSearch, ...] = ()
    review_type: ReviewType = ReviewType.SCOPING  # protocol.yaml's: names the methods heading
    # title/abstract records a stop left with fewer decisions than reviewers_per_record and only
    # excludes: excluded on those decisions (docs/ranking.md "Team stop"); 0 without a stop
    stop_fewer_reviewers_excluded: int = 0


def gather(
    project: Project, progress: Callable[[int, int], None] | None = None
) -> tuple[PrismaInputs, MethodsFacts]:
    """Read the project's logs into plain facts. Raises ProjectError when dedup has not run."""
    from review.dedup import load_clusters

    clusters = load_clusters(project)
    entries = {e.file: e for e in project.imports()}
    # the five fields needed, without building every Record (Project.record_fields)
    rows = project.record_fields(("source_file", "source", "kind", "title"))
    if progress:
        progress(1, 1)

    groups: dict[tuple[str, Kind, str], list[str]] = {}
    titles: dict[str, str] = {}
    for rid, (source_file, source, kind, title) in rows.items():
        entry = entries.get(source_file)
        branch = entry.branch if entry is not None else clusters.branch.get(rid, "main")
        groups.setdefault((source, kind, branch), []).append(rid)
        titles[rid] = title
    for row in clusters.rows:  # records the import log no longer has still get a title
        titles.setdefault(row.record_id, row.title)
    identified = tuple(Identified(s, k, b, tuple(ids)) for (s, k, b), ids in groups.items())

    protocol = project.protocol
    ta_cfg = protocol.stage(Stage.TITLE_ABSTRACT)
    ft_cfg = protocol.stage(Stage.FULL_TEXT)

    finals = {stage: _final_decisions(project, stage) for stage in STAGE_KEYS}
    unit, report_units, unit_names = _charting(project, clusters)

    removed_auto = clusters.removed_automatic()
    removed_manual = clusters.removed_manual()
    cluster_of = {r: clusters.cluster_of[r] for r in (*removed_auto, *removed_manual)}
    stopping, not_screened = _stopped_early(project)
    inputs = PrismaInputs(
        identified=identified,
        main_clusters=tuple(c for c in clusters.main_clusters() if c not in not_screened),
        other_clusters=tuple(clusters.other_clusters()),
        duplicates_automatic=tuple(removed_auto),
        duplicates_manual=tuple(removed_manual),
        excluded_automatic=tuple(not_screened),
        title_abstract={
            c: f for c, f in finals[Stage.TITLE_ABSTRACT].items() if c not in not_screened
        },
        full_text=finals[Stage.FULL_TEXT],
        maybe_to_fulltext=ta_cfg.maybe_to_fulltext,
        ta_reasons={r.id: r.label for r in ta_cfg.exclusion_reasons},
        ft_reasons={r.id: r.label for r in ft_cfg.exclusion_reasons},
        report_units=report_units,
        unit_names=unit_names,
        study_of=_study_of(project, clusters),
        unit=unit,
        cluster_of=cluster_of,
        titles=titles,
        dedup_pending=tuple(
            r.record_id for r in clusters.rows if r.status == "maybe" and r.branch == "main"
        ),
    )

    observed, names, resolved_by = _reviewers_and_resolutions(project)
    searches = _searches(project)
    facts = MethodsFacts(
        title=protocol.title,
        sources=_source_facts(protocol, searches),
        reviewers_per_record={s: protocol.stage(s).reviewers_per_record for s in STAGE_KEYS},
        reviewers_observed=observed,
        reviewer_names=names,
        agreement={s: _agreement(project, s) for s in STAGE_KEYS},
        resolved=resolved_by,
        maybe_to_fulltext=ta_cfg.maybe_to_fulltext,
        stopping=stopping,
        searches=searches,
        review_type=protocol.review_type,
        stop_fewer_reviewers_excluded=_fewer_reviewers_excluded(
            finals[Stage.TITLE_ABSTRACT], ta_cfg.reviewers_per_record, stopping
        ),
    )
    return inputs, facts


def _source_facts(
    protocol: ReviewProtocol, searches: tuple[SourceSearch, ...]
) -> tuple[dict[str, str], ...]:
    """The sources the methods name: the protocol's, then imported ones it does not list; the
    platform and date are the import log's when it records them, else the protocol's."""
    by_name = {s.name.lower(): s for s in searches}
    listed = tuple(
        {
            "name": s.name,
            "kind": s.kind,
            "platform": by_name[s.name.lower()].platform or s.platform,
            "searched": by_name[s.name.lower()].last_searched or s.searched,
            "notes": s.notes,
        }
        for s in protocol.sources
    )
    extra = tuple(
        {"name": s.name, "kind": s.kind, "platform": s.platform, "searched": s.last_searched}
        for s in searches
        if protocol.source(s.name) is None
    )
    return listed + tuple({**e, "notes": ""} for e in extra)


def _searches(project: Project) -> tuple[SourceSearch, ...]:
    return project_searches(project)


def _stopped_early(project: Project) -> tuple[StopDecision | None, dict[str, None]]:
    """The recorded stop decision at title/abstract and the clusters no reviewer screened
    (they are counted as excluded by automation tools), or (None, {})."""
    line, ids = not_screened_after_stop(project, Stage.TITLE_ABSTRACT)
    return line, dict.fromkeys(ids)


def _fewer_reviewers_excluded(
    finals: dict[str, Final], required: int, stopping: StopDecision | None
) -> int:
    """After a stop: records excluded on fewer decisions than the protocol asks for."""
    if stopping is None or required < 2:
        return 0
    return sum(1 for f in finals.values() if f.via == "single" and f.decision == "exclude")


def _final_decisions(project: Project, stage: Stage) -> dict[str, Final]:
    from review.screen import final_decisions

    return {
        cid: Final(decision=fd.decision, reason=fd.reason or "", via=fd.via or "")
        for cid, fd in final_decisions(project, stage).items()
    }


def _agreement(project: Project, stage: Stage) -> AgreementFacts | None:
    try:
        stats = agreement(project, stage).stats
    except ProjectError:
        return None
    return AgreementFacts(
        stats.percent_agreement, stats.cohen_kappa, stats.kappa_ci95, stats.kappa_method
    )


def _charting(
    project: Project, clusters: Clusters
) -> tuple[Level | None, dict[str, tuple[str, ...]] | None, dict[str, str]]:
    """The schema's further level, the included reports' links to its units and their names."""
    try:
        unit = project_schema(project).unit
    except ReviewError:
        if latest_chartings(project, ""):  # charting exists: its schema must be readable
            raise
        unit = None  # no (valid) schema and no charting yet: `chart` says what is wrong
    charting = final_charting(project, unit.name if unit else "")
    if charting is None or unit is None:
        return unit, None, {}
    links: dict[str, list[str]] = defaultdict(list)
    for rid, pids in charting.report_units.items():
        cid = clusters.resolve(rid) or rid  # charting may name any member of a cluster
        for pid in pids or ():
            if pid not in links[cid]:
                links[cid].append(str(pid))
    names: dict[str, str] = {}
    for pid, info in charting.units.items():
        name = ""
        if isinstance(info, dict):
            for key in ("name", f"{unit.name}_name", unit.name, "label", "title"):
                if info.get(key):
                    name = str(info[key])
                    break
        names[str(pid)] = name
    return unit, {k: tuple(v) for k, v in links.items()}, names


def _reviewers_and_resolutions(
    project: Project,
) -> tuple[
    dict[str, dict[int, int]],
    dict[str, tuple[str, ...]],
    dict[str, ResolutionFacts],
]:
    """Per stage: how many distinct reviewers hold a standing decision on each eligible cluster
    ({reviewers: clusters}), who they are, and who resolved what (:func:`_resolution_facts`)."""
    observed: dict[str, dict[int, int]] = {s: {} for s in STAGE_KEYS}
    names: dict[str, tuple[str, ...]] = {s: () for s in STAGE_KEYS}
    resolved_by: dict[str, ResolutionFacts] = {}

    for stage in STAGE_KEYS:
        state = stage_state(project, stage)
        elig = set(state.eligible)
        per = {cid: ds for cid, ds in state.by_cluster().items() if cid in elig}
        observed[stage] = dict(
            sorted(Counter(len({d.reviewer for d in ds}) for ds in per.values()).items())
        )
        names[stage] = tuple(sorted({d.reviewer for ds in per.values() for d in ds}))
        resolved_by[stage] = _resolution_facts(state)
    return observed, names, resolved_by


def _resolution_facts(state: StageState) -> ResolutionFacts:
    """The disagreements whose final decision a resolution gave, counted by who resolved them;
    resolutions of records fewer reviewers than planned had decided; open disagreements. The
    same rules as the final decisions (review.screen.final)."""
    by_cluster = state.by_cluster()
    kinds: dict[str, list[str]] = {k: [] for k in RESOLVER_KINDS}

    early = conflicts = forwarded = 0
    for cid in state.eligible:
        ds = by_cluster.get(cid, [])
        differ = len({d.decision for d in ds}) > 1
        if not differ and len(ds) >= state.required:
            continue  # agreement (a resolution there only refines the reason)
        res = state.resolutions.get(cid)
        if res is None and differ and state.forward and all(d.decision in FORWARD for d in ds):
            forwarded += len(ds) >= state.required
        elif res is None:
            conflicts += differ and len(ds) >= state.required
        elif not differ:
            early += 1
        elif res.resolver == CONSENSUS:
            kinds["consensus"].append(res.resolver)
        elif res.resolver in {d.reviewer for d in ds}:
            kinds["reviewer"].append(res.resolver)
        else:
            kinds["third-reviewer"].append(res.resolver)
    by = tuple(
        ResolvedBy(k, len(who), () if k == "consensus" else tuple(sorted(set(who))))
        for k, who in kinds.items()
        if who
    )
    return ResolutionFacts(by, early, conflicts, forwarded)


def _study_of(project: Project, clusters: Clusters) -> dict[str, str]:
    """Report (cluster id) -> study id from dedup's related reports (outputs/dedup/related.csv:
    only links the rules made or a person confirmed); empty when there are none."""
    from review.dedup.related import load_related

    return dict(load_related(project, clusters).study_of)
