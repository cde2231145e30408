"""Replay screening on a labelled file: the order one reviewer answering with the labels sees.

``simulate(file)`` reads any importable export with a 0/1 label column, draws the priors at
random with the seed (one include and one exclude by default, as ASReview's simulations do),
then repeats: train on the labels read so far, show the highest-scored unread record, read its
label. The model is retrained after every include, and after every record while fewer than 50 are read,
then after every 2 % of those read (the screener retrains in the background after every
decision; this schedule keeps simulations of large files tractable and can only make the
simulated ranking slightly worse, never better). Without an
include among the priors, records are ranked by the query (if one is given), else at random,
until the first include is read.

``--stop`` replays the stopping rule on that order: the reviewer follows the ranking until
:func:`~review.rank.stopping.switch_patience` consecutive excludes, then screens the rest in a
random order (seeded) and stops as soon as the hypergeometric test rejects "recall < target".
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from review.errors import InputError
from review.importer import load_file_records
from review.io.files import atomic_write_text
from review.io.xlsx import csv_text
from review.rank import metrics
from review.rank.model import (
    DEFAULT_MODEL,
    MODELS,
    build_features,
    query_scores,
    record_text,
    scores,
)
from review.rank.stopping import StopTest, first_rejection, stop_test, switch_patience

if TYPE_CHECKING:
    from review.rank.teamsim import TeamSimulation

ProgressFn = Callable[[int, int], None]
TRUE = {"1", "1.0", "true", "yes", "y", "include", "included"}
FALSE = {"0", "0.0", "false", "no", "n", "exclude", "excluded"}


@dataclass(frozen=True, slots=True)
class Labelled:
    """A labelled file: record ids, 1-based rows, texts and 0/1 labels, in file order."""

    record_ids: list[str]
    positions: list[int]
    texts: list[str]
    labels: list[int]


def read_labelled(path: Path, label_column: str = "label_included") -> Labelled:
    """Records of ``path`` (any format ``import`` reads) with their 0/1 label."""
    records = load_file_records(path, source="simulate")
    if not records:
        raise InputError("the file holds no records.", file=str(path))
    want = label_column.strip().lower()
    labels = []
    for r in records:
        value = next((v for k, v in r.raw if k.strip().lower() == want), None)
        if value is None:
            raise InputError(
                f"record {r.source_position} has no {label_column!r} column or field; give "
                "the label column with --label-column NAME.",
                file=str(path),
                line=r.source_line or None,
            )
        v = str(value).strip().lower()
        if v not in TRUE and v not in FALSE:
            raise InputError(
                f"record {r.source_position}: {label_column} is {value!r}; use 1 (included) "
                "or 0 (excluded).",
                file=str(path),
                line=r.source_line or None,
            )
        labels.append(1 if v in TRUE else 0)
    return Labelled(
        record_ids=[r.record_id for r in records],
        positions=[r.source_position for r in records],
        texts=[record_text(r.title, r.abstract, r.keywords) for r in records],
        labels=labels,
    )


@dataclass
class Simulation:
    order: list[int]  # row indices (0-based, file order) in screening order
    n_priors: int
    labels: list[int]
    stop: StopTest | None = None
    stop_screened: int | None = None
    stop_recall: float | None = None
    switched_at: int | None = None

    def ordered_labels(self) -> list[int]:
        return [self.labels[i] for i in self.order]


def _draw_priors(labels: list[int], n_inc: int, n_exc: int, rng: random.Random) -> list[int]:
    inc = [i for i, x in enumerate(labels) if x]
    exc = [i for i, x in enumerate(labels) if not x]
    if n_inc > len(inc) or n_exc > len(exc):
        raise InputError(
            f"cannot draw {n_inc} included and {n_exc} excluded priors: the file has "
            f"{len(inc)} included and {len(exc)} excluded records."
        )
    return rng.sample(inc, n_inc) + rng.sample(exc, n_exc)


def retrain_every(n_read: int) -> int:
    """Records read between retrains (unless an include is read: then at once): 1 while
    fewer than 50 are read, then 2 % of those read."""
    return max(1, math.ceil(n_read / 50))


def rank_order(
    texts: list[str],
    labels: list[int],
    *,
    seed: int = 0,
    prior_included: int = 1,
    prior_excluded: int = 1,
    model: str = DEFAULT_MODEL,
    query: str = "",
    progress: ProgressFn | None = None,
) -> tuple[list[int], int]:
    """The screening order (row indices) and the number of priors at its start."""
    import numpy as np

    if model not in MODELS:
        raise InputError(f"unknown model {model!r}; use one of: {', '.join(MODELS)}.")
    n = len(labels)
    rng = random.Random(seed)
    order = _draw_priors(labels, prior_included, prior_excluded, rng)
    n_priors = len(order)
    read = np.zeros(n, dtype=bool)
    read[order] = True
    y = np.asarray(labels, dtype=np.int8)
    feats = build_features(texts, model)
    fallback = query_scores(feats, query) if query else None
    if fallback is None:
        fallback = np.asarray([rng.random() for _ in range(n)])
    while len(order) < n:
        rows = np.asarray(order)
        got = y[rows]
        if 0 < got.sum() < len(got):
            s = scores(feats, rows, got, model, seed)
        else:
            s = fallback
        s = np.where(read, -np.inf, s)
        take = min(retrain_every(len(order)), n - len(order))
        # highest score first; ties by file order (stable sort of the negated scores)
        top = np.argsort(-s, kind="stable")[:take]
        for i in top.tolist():
            order.append(i)
            read[i] = True
            if y[i]:
                break  # a new include: retrain at once
        if progress is not None:
            progress(len(order), n)
    return order, n_priors


def replay_stop(
    ordered: list[int], n_priors: int, seed: int, recall: float, confidence: float
) -> tuple[int, float, StopTest | None, int]:
    """Follow the ranking until the switch rule, then a random sample until the test rejects.

    Returns (records screened, recall there, the test at that point, where the sample began).
    """
    n = len(ordered)
    total = sum(ordered)
    patience = switch_patience(n)
    run = 0
    switch = n
    for k in range(n_priors, n):
        run = 0 if ordered[k] else run + 1
        if run >= patience:
            switch = k + 1
            break
    ranked_found = sum(ordered[:switch])
    urn = ordered[switch:]
    rng = random.Random(f"stop-sample-{seed}")
    sample = urn[:]
    rng.shuffle(sample)
    rejected = first_rejection(len(urn), sample, ranked_found, recall, confidence)
    m = len(sample) if rejected is None else rejected
    screened = n if rejected is None else switch + m
    test = stop_test(len(urn), sample[:m], ranked_found, recall, confidence) if m else None
    found = ranked_found + (sum(sample[: screened - switch]) if screened < n else sum(sample))
    return screened, (found / total if total else 1.0), test, switch


def simulate(
    path: Path,
    *,
    label_column: str = "label_included",
    seed: int = 0,
    prior_included: int = 1,
    prior_excluded: int = 1,
    stop: bool = False,
    recall: float = 0.95,
    confidence: float = 0.95,
    model: str = DEFAULT_MODEL,
    query: str = "",
    progress: ProgressFn | None = None,
) -> tuple[Labelled, Simulation]:
    data = read_labelled(path, label_column)
    if sum(data.labels) == 0:
        raise InputError(
            f"no record has {label_column} = 1: a simulation needs included records.",
            file=str(path),
        )
    order, n_priors = rank_order(
        data.texts,
        data.labels,
        seed=seed,
        prior_included=prior_included,
        prior_excluded=prior_excluded,
        model=model,
        query=query,
        progress=progress,
    )
    sim = Simulation(order=order, n_priors=n_priors, labels=data.labels)
    if stop:
        screened, got, test, switch = replay_stop(
            sim.ordered_labels(), n_priors, seed, recall, confidence
        )
        sim.stop, sim.stop_screened, sim.stop_recall, sim.switched_at = test, screened, got, switch
    return data, sim


STOP_RULE = "hypergeometric (Callaghan & Müller-Hansen 2020)"


@dataclass(frozen=True, slots=True)
class SimulatedStop:
    """Where the stopping rule stopped the simulated reviewer (``metrics.json`` "stop")."""

    screened: int
    recall: float  # rounded to 4 decimals
    test: StopTest | None  # None: the ranking was followed to the end (no random sample)
    ranked_screened: int | None  # records screened in ranked order before the sample
    saved: float  # share of the records not screened, rounded to 4 decimals

    @property
    def p_value(self) -> float | None:
        """The test's p-value where it stopped, rounded to 6 decimals."""
        return None if self.test is None else round(self.test.p_value, 6)

    @property
    def sampled(self) -> int | None:
        """Records screened in the random sample."""
        return None if self.test is None else self.test.sampled

    def to_json(self) -> dict[str, Any]:
        """``metrics.json``'s "stop" object (the test's settings None when it never ran)."""
        t = self.test
        target, confidence = (None, None) if t is None else (t.recall_target, t.confidence)
        return {
            "screened": self.screened,
            "recall": self.recall,
            "p_value": self.p_value,
            "rule": STOP_RULE,
            "recall_target": target,
            "confidence": confidence,
            "ranked_screened": self.ranked_screened,
            "sampled": self.sampled,
            "saved": self.saved,
        }


@dataclass(frozen=True, slots=True)
class SimulationMetrics:
    """What ``simulate`` writes to ``metrics.json`` (and prints with ``--json``)."""

    order: metrics.OrderMetrics
    seed: int
    model: str
    n_priors: int
    stop: SimulatedStop | None  # None: run without --stop
    team: TeamSimulation | None = None  # --reviewers 2 or more (review/rank/teamsim.py)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = self.order.to_json()
        out.update({"seed": self.seed, "model": self.model, "n_priors": self.n_priors})
        if self.stop is not None:
            out["stop"] = self.stop.to_json()
        if self.team is not None:
            out["team"] = self.team.to_json()
        return out


def simulation_metrics(sim: Simulation, *, seed: int, model: str) -> SimulationMetrics:
    stop = None
    if sim.stop_screened is not None:
        stop = SimulatedStop(
            screened=sim.stop_screened,
            recall=round(sim.stop_recall or 0.0, 4),
            test=sim.stop,
            ranked_screened=sim.switched_at,
            saved=round(1 - sim.stop_screened / len(sim.order), 4),
        )
    order = metrics.summary(sim.ordered_labels())
    return SimulationMetrics(order, seed, model, sim.n_priors, stop)


def order_csv(data: Labelled, sim: Simulation) -> str:
    table: list[list[object]] = [["position", "record_id", "source_position", "label", "prior"]]
    for k, i in enumerate(sim.order, start=1):
        table.append(
            [k, data.record_ids[i], data.positions[i], data.labels[i], int(k <= sim.n_priors)]
        )
    return csv_text(table, lineterminator="\n")


def team_runs_csv(team: TeamSimulation) -> str:
    """One row per simulated team (``team-runs.csv``)."""
    rows = [r.to_json() for r in team.runs]
    table: list[list[object]] = [list(rows[0])]
    table += [["" if v is None else v for v in row.values()] for row in rows]
    return csv_text(table, lineterminator="\n")


def plot_recall(sim: Simulation, path: Path, title: str) -> None:
    """Recall against records screened, next to the random order's expected line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curve = metrics.recall_curve(sim.ordered_labels())
    n = len(curve)
    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    ax.plot(range(1, n + 1), curve, label="ranked (this simulation)")
    ax.plot([0, n], [0, 1], linestyle="--", color="grey", label="random order (expected)")
    if sim.stop_screened is not None and sim.stop_screened < n:
        ax.axvline(sim.stop_screened, color="red", linestyle=":", label="stopping rule fired")
    ax.set_xlabel("records screened")
    ax.set_ylabel("recall (includes found)")
    ax.set_title(title)
    ax.set_xlim(0, n)
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)


def write_outputs(
    data: Labelled,
    sim: Simulation,
    out: Path,
    *,
    seed: int,
    model: str,
    team: TeamSimulation | None = None,
) -> SimulationMetrics:
    """Write order.csv, metrics.json and recall.png to ``out`` (with a team simulation also
    team-runs.csv); return the metrics."""
    from dataclasses import replace

    out.mkdir(parents=True, exist_ok=True)
    result = replace(simulation_metrics(sim, seed=seed, model=model), team=team)
    if team is not None:
        atomic_write_text(out / "team-runs.csv", team_runs_csv(team))
    text = json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n"
    atomic_write_text(out / "order.csv", order_csv(data, sim))
    atomic_write_text(out / "metrics.json", text)
    plot_recall(sim, out / "recall.png", f"seed {seed}: WSS@95 {result.order.wss95:.3f}")
    return result
