"""Disagreements between reviewers and agreement statistics per stage and per reviewer pair.

Statistics are computed twice (see docs/screening.md):

- ``maybe_own_category`` — the top-level numbers: every decision is its own category
  (title/abstract: include, exclude, maybe; full text adds not-retrieved). This is how final
  status is derived: include vs maybe is a disagreement.
- ``maybe_collapsed_to_include`` — the same statistics with ``maybe`` counted as include
  (a maybe sends the record on, like an include), under that key.

Only records decided by two or more reviewers are compared. With two reviewers the top-level
κ is Cohen's κ with its 95% CI; with more, ``cohen_kappa`` is Light's κ (the mean of the
pairwise Cohen's κ; no CI) and the per-pair values are under ``pairs``.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from review.io.files import atomic_write_bytes, atomic_write_text
from review.io.sheetmeta import add_meta
from review.io.xlsx import csv_text, row_values
from review.model import Decision, Stage, Via
from review.people import screening_roster
from review.screen import stats
from review.screen.cache import no_gc
from review.screen.final import (
    VIAS,
    FinalDecision,
    StageState,
    Vote,
    stage_state,
    via_counts,
)
from review.screen.logs import ReviewerDecision, decisions_for
from review.screen.stats import RaterStats

if TYPE_CHECKING:
    from review.project import Project
    from review.screen.cache import ClusterIndex

ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class PairStats:
    """One pair of reviewers: their statistics and their confusion table."""

    reviewers: tuple[str, str]
    stats: RaterStats
    categories: tuple[str, ...]
    table: tuple[tuple[int, ...], ...]  # rows: the first reviewer, columns: the second

    def to_json(self) -> dict[str, Any]:
        a, b = self.reviewers
        return {
            "reviewers": [a, b],
            **self.stats.to_json(),
            "table": {
                "categories": list(self.categories),
                "rows": [list(row) for row in self.table],
                "note": f"rows: {a}, columns: {b}",
            },
        }


@dataclass(frozen=True, slots=True)
class AgreementStats:
    """The statistics of one treatment of ``maybe`` (its own category, or counted as include)."""

    categories: tuple[str, ...]
    records_compared: int
    agreements: int
    disagreements: int
    percent_agreement: float | None
    cohen_kappa: float | None  # Cohen's κ (two reviewers) or Light's κ (more)
    kappa_se: float | None
    kappa_ci95: tuple[float, float] | None
    kappa_method: str
    pabak: float | None
    gwet_ac1: float | None
    krippendorff_alpha: float | None
    pairs: tuple[PairStats, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            **stats.statistics_json(self, leave_out=("pairs",)),
            "pairs": [p.to_json() for p in self.pairs],
        }


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A reviewer whose decisions the statistics do not compare, and why."""

    reviewer: str
    screened: int
    why: str

    def to_json(self) -> dict[str, str | int]:
        return {"reviewer": self.reviewer, "screened": self.screened, "why": self.why}


FINAL_STATUSES = VIAS  # the ways a final decision comes about (review.model.Via)


@dataclass(frozen=True, slots=True)
class Agreement:
    """Agreement at one stage: ``disagreements --json`` is its :meth:`to_json`."""

    stage: Stage
    reviewers: tuple[str, ...]  # the panel compared
    reviewers_left_out: tuple[LeftOut, ...]
    panel_rule: str
    reviewers_per_record: int
    eligible: int
    screened_by_reviewer: Mapping[str, int]  # every reviewer, sorted by name
    records_screened_by_all: int
    stats: AgreementStats  # maybe as its own category (the top-level numbers)
    maybe_collapsed_to_include: AgreementStats
    unresolved: int
    resolved: int
    final_status: Mapping[str, int]  # via -> final decisions (FINAL_STATUSES, in order)
    log_problems: tuple[str, ...]
    # records decided by at least reviewers_per_record of the panel (complete under a split
    # stage, where records_screened_by_all stays 0: docs/team.md, "Assignment")
    records_screened_by_required: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "reviewers": list(self.reviewers),
            "reviewers_left_out": [x.to_json() for x in self.reviewers_left_out],
            "panel_rule": self.panel_rule,
            "reviewers_per_record": self.reviewers_per_record,
            "eligible": self.eligible,
            "screened_by_reviewer": dict(self.screened_by_reviewer),
            "records_screened_by_all": self.records_screened_by_all,
            "records_screened_by_required": self.records_screened_by_required,
            **self.stats.to_json(),
            "maybe_treatment": "maybe_own_category",
            "maybe_collapsed_to_include": self.maybe_collapsed_to_include.to_json(),
            "unresolved": self.unresolved,
            "resolved": self.resolved,
            "final_status": dict(self.final_status),
            "log_problems": list(self.log_problems),
        }


def _collapse(value: str) -> str:
    return "include" if value == "maybe" else value


def _reviewer_patterns(by_cluster: dict[str, list[ReviewerDecision]]) -> Counter[tuple]:
    """How many records share each ((reviewer, decision), ...) pattern (reviewers sorted)."""
    return Counter([tuple([(d.reviewer, d.decision) for d in ds]) for ds in by_cluster.values()])


def _block(
    named: Counter[tuple],
    reviewers: list[str],
    categories: tuple[str, ...],
    mapper: Callable[[str], str] | None,
) -> AgreementStats:
    """Statistics from the reviewer patterns (a handful of distinct keys, whatever N is)."""
    q = len(categories)
    allowed = set(categories)
    patterns: Counter[tuple[str, ...]] = Counter()
    pair_counts: dict[tuple[str, str], Counter[tuple[str, str]]] = {}
    for key, w in named.items():
        vals = []
        for reviewer, value in key:
            v = mapper(value) if mapper else value
            if v in allowed:  # skip a decision not allowed at this stage (hand-edited log)
                vals.append((reviewer, v))
        if len(vals) < 2:
            continue
        patterns[tuple(sorted(v for _r, v in vals))] += w
        for (ra, va), (rb, vb) in itertools.combinations(vals, 2):
            pair_counts.setdefault((ra, rb), Counter())[(va, vb)] += w
    units = [(Counter(p), w) for p, w in patterns.items()]
    compared = sum(patterns.values())
    agreements = sum(w for p, w in patterns.items() if len(set(p)) == 1)
    ac1 = stats.gwet_ac1(units, q)
    pairs = []
    for a, b in itertools.combinations(reviewers, 2):
        counts = pair_counts.get((a, b))
        if not counts:
            continue
        table = stats.confusion(counts.elements(), categories)
        rows = tuple(tuple(row) for row in table)
        pairs.append(PairStats((a, b), stats.two_rater_stats(table), categories, rows))
    po = agreements / compared if compared else None
    ci: tuple[float, float] | None = None
    se: float | None = None
    if len(reviewers) == 2 and pairs:
        first = pairs[0].stats
        kappa, se, ci = first.cohen_kappa, first.kappa_se, first.kappa_ci95
        kappa_method = "Cohen's kappa (two reviewers)"
        pab = first.pabak
    else:
        ks = [k for p in pairs if (k := p.stats.cohen_kappa) is not None]
        kappa = sum(ks) / len(ks) if ks else None
        kappa_method = "Light's kappa (mean of pairwise Cohen's kappa)"
        pab = stats.pabak(ac1.pa, q)
    return AgreementStats(
        categories=tuple(categories),
        records_compared=compared,
        agreements=agreements,
        disagreements=compared - agreements,
        percent_agreement=po,
        cohen_kappa=kappa,
        kappa_se=se,
        kappa_ci95=ci,
        kappa_method=kappa_method,
        pabak=pab,
        gwet_ac1=ac1.ac1,
        krippendorff_alpha=stats.krippendorff_alpha_nominal(units),
        pairs=tuple(pairs),
    )


def choose_panel(
    done: dict[str, int],
    eligible: int,
    roster: tuple[str, ...] = (),
    assigned: Mapping[str, int] | None = None,
) -> tuple[list[str], list[LeftOut], str]:
    """Whose decisions the agreement statistics compare: (panel, left out, rule).

    - with a roster (the protocol's reviewers for the stage), names not on it are left out;
    - reviewers with a complete assignment (every eligible record decided; on a split stage
      every record ``assigned`` to them) form the panel when there are two or more; the others
      are left out as partial;
    - otherwise (screening in progress) the panel is everyone who has decided at least half as
      many records as the busiest reviewer, so a one-decision typo name cannot drag κ down.

    ``left out`` lists a :class:`LeftOut` for every other reviewer; nobody is dropped silently.
    """
    left: list[LeftOut] = []
    names = sorted(done)
    if roster:
        for r in names:
            if r not in roster:
                left.append(LeftOut(r, done[r], "not on the roster"))
        names = [r for r in names if r in roster]

    def share(r: str) -> int:
        return eligible if assigned is None else assigned.get(r, eligible)

    complete = [r for r in names if share(r) and done[r] >= share(r)]
    if len(complete) >= 2:
        panel, rule = complete, "reviewers with a complete assignment"
    else:
        top = max((done[r] for r in names), default=0)
        panel = [r for r in names if top and 2 * done[r] >= top]
        rule = "screening in progress: reviewers with at least half the busiest one's decisions"
    for r in names:
        if r not in panel:
            left.append(LeftOut(r, done[r], f"partial ({done[r]}/{share(r)})"))
    left.sort(key=lambda d: d.reviewer)
    return panel, left, rule


def agreement_from_state(
    state: StageState,
    final: dict[str, FinalDecision] | None = None,
    roster: tuple[str, ...] = (),
    all_reviewers: bool = False,
) -> Agreement:
    """The stage's agreement; ``final`` (``final_from_state(state)``) is used when the caller has
    it already, otherwise only the counts per ``via`` are derived.

    Statistics compare the panel chosen by :func:`choose_panel` (``all_reviewers``: everyone);
    ``reviewers_left_out`` names the others and why.
    """
    by_all = state.by_cluster()
    elig = set(state.eligible)
    by_cluster = {cid: ds for cid, ds in by_all.items() if cid in elig}
    every = _reviewer_patterns(by_cluster)
    done_all: dict[str, int] = {}
    for key, w in every.items():
        for r, _v in key:
            done_all[r] = done_all.get(r, 0) + w
    left_out: list[LeftOut] = []
    if all_reviewers:
        panel, rule = sorted(done_all), "every reviewer (--all-reviewers)"
    else:
        panel, left_out, rule = choose_panel(done_all, len(state.eligible), roster, state.assigned)
    if left_out:
        keep = set(panel)
        named: Counter[tuple] = Counter()
        for key, w in every.items():
            sub = tuple([rv for rv in key if rv[0] in keep])
            if sub:
                named[sub] += w
    else:
        named = every
    reviewers = sorted(panel)
    own = decisions_for(state.stage)
    collapsed = tuple(c for c in own if c != "maybe")
    main = _block(named, reviewers, own, None)
    alt = _block(named, reviewers, collapsed, _collapse)
    nrev = len(reviewers)
    by_all_count = sum(w for key, w in named.items() if nrev and len(key) == nrev)
    by_required = sum(w for key, w in named.items() if len(key) >= state.required)
    vias = Counter(fd.via for fd in final.values()) if final is not None else via_counts(state)
    return Agreement(
        stage=state.stage,
        reviewers=tuple(reviewers),
        reviewers_left_out=tuple(left_out),
        panel_rule=rule,
        reviewers_per_record=state.required,
        eligible=len(state.eligible),
        screened_by_reviewer=dict(sorted(done_all.items())),
        records_screened_by_all=by_all_count,
        stats=main,
        maybe_collapsed_to_include=alt,
        unresolved=vias.get(Via.CONFLICT, 0),
        resolved=vias.get(Via.RESOLUTION, 0),
        final_status={v: vias.get(v, 0) for v in FINAL_STATUSES},
        log_problems=tuple(str(p) for p in state.problems),
        records_screened_by_required=by_required,
    )


@no_gc
def agreement(project: Project, stage: Stage, all_reviewers: bool = False) -> Agreement:
    """Agreement at ``stage`` (``disagreements --json`` is its ``to_json()``)."""
    project.protocol.stage(stage)
    state = stage_state(project, stage)
    roster = screening_roster(project.protocol, stage)
    return agreement_from_state(state, roster=roster, all_reviewers=all_reviewers)


class Settled(NamedTuple):
    """A disagreement's standing resolution, as the disagreements table lists it."""

    decision: Decision
    reason: str
    rationale: str
    resolver: str


@dataclass(frozen=True, slots=True)
class DisagreementRow:
    record_id: str
    title: str
    decisions: tuple[Vote, ...]  # each reviewer's, sorted by reviewer
    resolution: Settled | None


def _titles(project: Project, clusters: ClusterIndex, ids: list[str]) -> dict[str, str]:
    titles = {cid: clusters.titles.get(cid, "") for cid in ids}
    missing = [cid for cid in ids if not titles[cid]]
    if missing:
        from review.screen.cache import record_store

        try:
            store = record_store(project)
        except Exception:  # the import stage may be absent or broken; titles are a courtesy
            return titles
        for cid in missing:
            rec = store.get(cid)
            if rec is not None:
                titles[cid] = rec.title
        store.close()
    return titles


def disagreement_rows(
    project: Project, state: StageState, clusters: ClusterIndex
) -> list[DisagreementRow]:
    """Every eligible record on which reviewers disagree (resolved or not), in clusters order;
    after a recorded stop also each record fewer reviewers than required decided with anything
    but an exclude (a conflict to resolve: review.screen.final)."""
    by_cluster = state.by_cluster()
    required, stopped = state.required, state.stopped
    ids = [
        cid
        for cid in state.eligible
        if (ds := by_cluster.get(cid)) is not None
        and (
            any(d.decision != ds[0].decision for d in ds)
            or (stopped and len(ds) < required and any(d.decision != Decision.EXCLUDE for d in ds))
        )
    ]
    titles = _titles(project, clusters, ids)
    rows = []
    for cid in ids:
        res = state.resolutions.get(cid)
        rows.append(
            DisagreementRow(
                record_id=cid,
                title=titles.get(cid, ""),
                decisions=tuple(
                    Vote(d.reviewer, d.decision, d.reason, d.note) for d in by_cluster[cid]
                ),
                resolution=Settled(res.decision, res.reason, res.rationale, res.resolver)
                if res
                else None,
            )
        )
    return rows


def _table(rows: list[DisagreementRow], reviewers: list[str]) -> tuple[list[str], list[list]]:
    header = ["record_id", "title"]
    for r in reviewers:
        header += [f"{r} decision", f"{r} reason", f"{r} note"]
    header += ["resolution", "resolution reason", "rationale", "resolver"]
    body = []
    for row in rows:
        by_rev = {d.reviewer: d for d in row.decisions}
        line: list = [row.record_id, row.title]
        for r in reviewers:
            d = by_rev.get(r)
            line += [d.decision, d.reason, d.note] if d else ["", "", ""]
        line += list(row.resolution) if row.resolution else ["", "", "", ""]
        body.append(line)
    return header, body


def _agreement_sheet(st: Any, summary: Agreement) -> None:
    """The xlsx's Agreement sheet: each statistic with maybe as its own category and collapsed."""
    own, alt = summary.stats.to_json(), summary.maybe_collapsed_to_include.to_json()
    st.append(["statistic", "maybe as its own category", "maybe collapsed to include"])
    for key in (
        "records_compared",
        "agreements",
        "disagreements",
        "percent_agreement",
        "cohen_kappa",
        "kappa_se",
        "pabak",
        "gwet_ac1",
        "krippendorff_alpha",
    ):
        st.append([key, own[key], alt[key]])
    for key in ("kappa_ci95",):
        fmt = [", ".join(f"{x:.4f}" for x in v) if v else "" for v in (own[key], alt[key])]
        st.append([key, *fmt])
    st.append(["kappa_method", own["kappa_method"], alt["kappa_method"]])
    st.append(["unresolved", summary.unresolved, ""])


@no_gc
def write_disagreements(
    project: Project, stage: Stage, progress: ProgressFn | None = None, all_reviewers: bool = False
) -> tuple[Path, Path, Agreement]:
    """Write ``outputs/screening/<stage>-disagreements.csv`` and ``.xlsx``.

    Returns (csv path, xlsx path, the agreement).
    """
    import io

    from review.screen.cache import cluster_index

    project.protocol.stage(stage)
    clusters = cluster_index(project)
    state = stage_state(project, stage, clusters)
    if progress:
        progress(1, 3)

    roster = screening_roster(project.protocol, stage)
    summary = agreement_from_state(state, roster=roster, all_reviewers=all_reviewers)
    rows = disagreement_rows(project, state, clusters)
    header, body = _table(rows, list(summary.screened_by_reviewer))
    if progress:
        progress(2, 3)

    csv_path = project.output("screening", f"{stage}-disagreements.csv")
    xlsx_path = project.output("screening", f"{stage}-disagreements.xlsx")

    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Disagreements")
    ws.append(row_values(ws, header))
    for line in body:
        ws.append(row_values(ws, line))
    _agreement_sheet(wb.create_sheet("Agreement"), summary)

    add_meta(wb, project, "resolution", stage=stage)
    out = io.BytesIO()
    wb.save(out)
    atomic_write_text(csv_path, csv_text([header, *body]))
    atomic_write_bytes(xlsx_path, out.getvalue())
    if progress:
        progress(3, 3)
    return csv_path, xlsx_path, summary
