"""Simulate the team stopping rule: several blind reviewers, each answering from the labels with
independent errors, dual screening in ranked order, then the team's random sample and test.

One run, for reviewers j = 1 … R (R = the required number of reviewers per record):

1. Reviewer j's answer on record i is the label, flipped with probability ``error_rates[j]``
   (independently per reviewer and record; drawn once, so a reviewer answers a record the same
   way whenever they see it).
2. Each reviewer screens in *their own* ranked order (:func:`~review.rank.simulate.rank_order`
   trained on their own answers, as the screener ranks by the reviewer's own decisions), side
   by side, one record per tick. A record is screened by the team when the last reviewer
   reaches it; its team label is the agreed answer, or the arbiter's when the reviewers
   disagree (the arbiter answers from the label: conflicts are resolved as they arise).
3. After :func:`~review.rank.stopping.switch_patience` consecutive team excludes among the
   records it completed (:func:`switch_tick`), the team starts its random sample: the urn is
   every record not screened by all R reviewers, screened in one seeded random order. After
   each sampled record the hypergeometric test (:func:`~review.rank.stopping.p_value`) runs on
   (the team's relevant records before the sample; urn; sample), as ``stopping --team``
   does; the team stops when it rejects "recall < target".
4. At the stop, a record some but not all reviewers screened goes forward if one of them
   included it (a conflict, resolved from the label) and is excluded otherwise; records nobody
   screened are excluded by the stop (the team-stop rule, docs/ranking.md).

``recall`` is the share of all true includes that go on to full text (lost: the records the
stop left unread, single excludes of includes at the stop, and includes every reviewer
excluded); ``recall_screened`` is the share screened by at least one reviewer.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from review.errors import InputError
from review.rank.model import DEFAULT_MODEL
from review.rank.simulate import rank_order
from review.rank.stopping import first_rejection, p_value, switch_patience

ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class TeamRun:
    """One simulated team: where it stopped and what it found."""

    seed: int
    n_records: int
    ranked_by_all: int  # records screened by every reviewer before the sample started
    urn: int  # records not screened by every reviewer when the sample started
    sampled: int  # random records screened by the team when the test rejected (or the urn)
    stopped: bool  # the test rejected before the urn ran out
    p_value: float | None
    screened: int  # records screened by the team (at least one reviewer, then finished)
    decisions: int  # screening decisions made (every screened record by every reviewer)
    recall: float  # true includes that go on to full text / all true includes
    recall_screened: float  # true includes screened by at least one reviewer / all
    sample_agreement: float | None  # share of sampled records the reviewers agreed on

    @property
    def saved(self) -> float:
        """Share of the records nobody screened (excluded by the stop)."""
        return 1 - self.screened / self.n_records

    def to_json(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "ranked_by_all": self.ranked_by_all,
            "urn": self.urn,
            "sampled": self.sampled,
            "stopped": self.stopped,
            "p_value": None if self.p_value is None else round(self.p_value, 6),
            "screened": self.screened,
            "decisions": self.decisions,
            "recall": round(self.recall, 4),
            "recall_screened": round(self.recall_screened, 4),
            "sample_agreement": (
                None if self.sample_agreement is None else round(self.sample_agreement, 4)
            ),
            "saved": round(self.saved, 4),
        }


@dataclass(frozen=True, slots=True)
class TeamSimulation:
    """Every run of a team simulation and its summary (``metrics.json`` "team")."""

    reviewers: int
    error_rates: tuple[float, ...]
    recall_target: float
    confidence: float
    n_records: int
    n_included: int
    runs: tuple[TeamRun, ...]

    @property
    def share_recall_met(self) -> float:
        """Share of runs whose recall reached the target."""
        return sum(r.recall >= self.recall_target - 1e-12 for r in self.runs) / len(self.runs)

    def to_json(self) -> dict[str, Any]:
        rec = [r.recall for r in self.runs]
        return {
            "reviewers": self.reviewers,
            "error_rates": list(self.error_rates),
            "recall_target": self.recall_target,
            "confidence": self.confidence,
            "n_records": self.n_records,
            "n_included": self.n_included,
            "n_runs": len(self.runs),
            "runs_recall_met": sum(r.recall >= self.recall_target - 1e-12 for r in self.runs),
            "share_recall_met": round(self.share_recall_met, 4),
            "runs_recall_screened_met": sum(
                r.recall_screened >= self.recall_target - 1e-12 for r in self.runs
            ),
            "recall_mean": round(statistics.fmean(rec), 4),
            "recall_min": round(min(rec), 4),
            "recall_screened_mean": round(
                statistics.fmean(r.recall_screened for r in self.runs), 4
            ),
            "saved_mean": round(statistics.fmean(r.saved for r in self.runs), 4),
            "decisions_saved_mean": round(
                statistics.fmean(
                    1 - r.decisions / (self.reviewers * self.n_records) for r in self.runs
                ),
                4,
            ),
            "stopped_runs": sum(r.stopped for r in self.runs),
            "runs": [r.to_json() for r in self.runs],
        }


def answers_of(labels: Sequence[int], error_rate: float, rng: random.Random) -> list[int]:
    """One simulated reviewer's answers: each label flipped with probability ``error_rate``."""
    return [x ^ (rng.random() < error_rate) for x in labels]


def ranked_prefix(order: Sequence[int], answers: Sequence[int], n_priors: int) -> int:
    """How many records of ``order`` a reviewer screens before ``switch_patience``
    consecutive excludes of their own (the whole order if that never happens)."""
    patience = switch_patience(len(order))
    run = 0
    for k in range(n_priors, len(order)):
        run = 0 if answers[order[k]] else run + 1
        if run >= patience:
            return k + 1
    return len(order)


def team_run(
    texts: Sequence[str],
    labels: Sequence[int],
    error_rates: Sequence[float],
    seed: int,
    *,
    recall: float = 0.95,
    confidence: float = 0.95,
    model: str = DEFAULT_MODEL,
) -> TeamRun:
    """One simulated team (module docstring)."""
    n = len(labels)
    answers = [
        answers_of(labels, e, random.Random(f"team-answers-{seed}-{j}"))
        for j, e in enumerate(error_rates)
    ]
    orders = [
        rank_order(list(texts), ans, seed=seed * 101 + j, model=model)[0]
        for j, ans in enumerate(answers)
    ]

    def team_label(i: int) -> int:
        first = answers[0][i]
        return first if all(a[i] == first for a in answers) else labels[i]  # the arbiter

    tick = switch_tick(orders, team_label, switch_patience(n))
    screened_by = [set(order[: tick + 1]) for order in orders]
    by_all = set.intersection(*screened_by)
    r_ranked = sum(team_label(i) for i in by_all)
    urn = [i for i in range(n) if i not in by_all]
    random.Random(f"team-sample-{seed}").shuffle(urn)
    m, p = sample_until_stop([team_label(i) for i in urn], r_ranked, recall, confidence)
    sample = set(urn[:m])
    forward = 0  # true includes that go on to full text
    for i in set.union(*screened_by) | sample:
        if i in by_all or i in sample:
            forward += labels[i] and team_label(i)
        elif any(a[i] for a, seen in zip(answers, screened_by, strict=True) if i in seen):
            forward += labels[i]  # a single include at the stop: a conflict, resolved
    total = sum(labels)
    seen_any = set.union(*screened_by) | sample
    agree = sum(all(a[i] == answers[0][i] for a in answers) for i in sample)
    return TeamRun(
        seed=seed,
        n_records=n,
        ranked_by_all=len(by_all),
        urn=len(urn),
        sampled=m,
        stopped=p is not None and p < 1 - confidence,
        p_value=p,
        screened=len(seen_any),
        decisions=sum(len(s) for s in screened_by)
        + sum(1 for i in sample for s in screened_by if i not in s),
        recall=forward / total,
        recall_screened=sum(labels[i] for i in seen_any) / total,
        sample_agreement=agree / m if m else None,
    )


def switch_tick(
    orders: Sequence[Sequence[int]], team_label: Callable[[int], int], patience: int
) -> int:
    """The reviewers screen their own orders side by side, one record per tick; a record is
    done when the last of them screens it, and then has its team label. The team starts the
    random sample after the tick at which ``patience`` consecutive done records were team
    excludes (the last tick when that never happens)."""
    n = len(orders[0])
    done_at = [0] * n
    for order in orders:
        for t, i in enumerate(order):
            done_at[i] = max(done_at[i], t)
    by_tick: list[list[int]] = [[] for _ in range(n)]
    for i, t in enumerate(done_at):
        by_tick[t].append(i)
    run = 0
    for t, done in enumerate(by_tick):
        for i in done:
            run = 0 if team_label(i) else run + 1
        if run >= patience:
            return t
    return n - 1


def sample_until_stop(
    sample: Sequence[int], r_ranked: int, recall: float, confidence: float
) -> tuple[int, float | None]:
    """Screen the team labels of the urn's random order until the test rejects: (records
    sampled, p-value there; None for an empty urn)."""
    if not sample:
        return 0, None
    rejected = first_rejection(len(sample), sample, r_ranked, recall, confidence)
    m = len(sample) if rejected is None else rejected
    return m, p_value(len(sample), m, sum(sample[:m]), r_ranked, recall)


def simulate_team(
    texts: Sequence[str],
    labels: Sequence[int],
    error_rates: Sequence[float],
    *,
    runs: int = 1,
    seed: int = 0,
    recall: float = 0.95,
    confidence: float = 0.95,
    model: str = DEFAULT_MODEL,
    progress: ProgressFn | None = None,
) -> TeamSimulation:
    """``runs`` simulated teams with seeds ``seed``, ``seed + 1``, …"""
    if len(error_rates) < 1:
        raise InputError("a team simulation needs at least one reviewer.")
    if any(not 0 <= e < 0.5 for e in error_rates):
        raise InputError("each error rate must be at least 0 and below 0.5.")
    if not sum(labels):
        raise InputError("no record is labelled included: a simulation needs included records.")
    out = []
    for r in range(runs):
        out.append(
            team_run(
                texts,
                labels,
                error_rates,
                seed + r,
                recall=recall,
                confidence=confidence,
                model=model,
            )
        )
        if progress is not None:
            progress(r + 1, runs)
    return TeamSimulation(
        reviewers=len(error_rates),
        error_rates=tuple(error_rates),
        recall_target=recall,
        confidence=confidence,
        n_records=len(labels),
        n_included=sum(labels),
        runs=tuple(out),
    )
