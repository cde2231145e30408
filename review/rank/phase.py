"""The stopping phase of one reviewer, read from the plain files.

1. The reviewer screens in ranked order (``review screen --order relevance``).
2. When they decide to test whether they may stop, ``review stopping --start-sample`` appends a
   ``stop-sample`` line to *their own* log: stage, seed, and how many records they had not
   decided (the urn). From then on the screener shows the urn in a random order fixed by a hash
   of (reviewer, stage, seed, record id), so the sample is reproducible from the log alone.
3. ``review stopping`` replays the log: the urn is every eligible record the reviewer had not
   decided before that line; the sample is the longest prefix of the urn's random order that
   the reviewer has decided (a prefix of a random permutation is a simple random sample; a
   skipped record ends the prefix). Include and maybe count as relevant.
4. When the test says it is safe, the team records its decision with ``review stopping
   --record-stop --by NAME``: a ``stop`` line in ``data/stopping/<name>.jsonl`` (who, when, rule,
   target, confidence, p-value). From then on the records *no* reviewer has decided at that stage
   are reported by PRISMA as excluded by automation tools.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from review.errors import ReviewError
from review.io.files import JsonlAppender, iter_jsonl, safe_name
from review.io.logline import log_line
from review.rank.stopping import StopTest, heuristics, stop_test

if TYPE_CHECKING:
    from review.project import Project

SAMPLE_OP = "stop-sample"
STOP_OP = "stop"
RELEVANT = ("include", "maybe")
RULE = "hypergeometric stopping test (Callaghan & Müller-Hansen 2020, Syst Rev 9:273)"


def sample_order(urn: list[str], reviewer: str, stage: str, seed: int) -> list[str]:
    """The urn's random order (fixed by reviewer, stage, seed and record ids)."""
    from review.screen.order import queue_order

    return queue_order(urn, reviewer, f"{stage}/stop-sample", seed)


def has_sample_line(path: Path) -> bool:
    """Cheap check before parsing a large log: does it mention a stop-sample line at all?"""
    try:
        return f'"op":"{SAMPLE_OP}"'.encode() in path.read_bytes()
    except FileNotFoundError:
        return False


@dataclass
class Phase:
    """A reviewer's screening at one stage, in log order, and their random sample if any."""

    stage: str
    reviewer: str
    eligible: int
    sequence: list[tuple[str, str]]  # (cluster id, decision) of standing decisions, log order
    started: dict[str, Any] | None = None  # the stop-sample line
    urn: list[str] = field(default_factory=list)  # in the sample's random order
    ranked_relevant: int = 0
    sample: list[int] = field(default_factory=list)  # 0/1 per sampled record, in order
    out_of_order: int = 0  # urn records decided beyond the sample prefix (not counted)
    current: dict[str, str] = field(default_factory=dict)  # cluster id -> standing decision


def read_phase(project: Project, stage: str, reviewer: str) -> Phase:
    """Replay the reviewer's own log (decide, retract, stop-sample lines in file order)."""
    from review.screen import eligible
    from review.screen.cache import cluster_index
    from review.screen.logs import reviewer_log_path

    clusters = cluster_index(project)
    elig = eligible(project, stage)
    elig_set = set(elig)
    path = reviewer_log_path(project, reviewer)
    stacks: dict[str, list[tuple[str, str]]] = {}  # record id -> [(cluster, decision)]
    started: dict[str, Any] | None = None
    before: dict[str, str] | None = None
    for obj in iter_jsonl(path):
        if obj.get("stage") != stage:
            continue
        op = obj.get("op")
        rid = str(obj.get("record_id", ""))
        if op == "decide":
            cid = clusters.cluster_of.get(rid)
            if cid is not None:
                stacks.setdefault(rid, []).append((cid, str(obj.get("decision", ""))))
        elif op == "retract" and stacks.get(rid):
            stacks[rid].pop()
        elif op == SAMPLE_OP and started is None:
            started = obj
            before = _standing(stacks)
    current = _standing(stacks)
    sequence = [(cid, dec) for cid, dec in current.items() if cid in elig_set]
    phase = Phase(stage, reviewer, len(elig), sequence, started, current=current)
    if started is None or before is None:
        return phase
    urn = [cid for cid in elig if cid not in before]
    phase.urn = sample_order(urn, reviewer, stage, int(started.get("seed", 0)))
    phase.ranked_relevant = sum(1 for cid, d in before.items() if cid in elig_set and d in RELEVANT)
    for cid in phase.urn:
        dec = current.get(cid)
        if dec is None:
            break
        phase.sample.append(1 if dec in RELEVANT else 0)
    prefix = set(phase.urn[: len(phase.sample)])
    phase.out_of_order = sum(1 for cid in phase.urn if cid in current and cid not in prefix)
    return phase


def _standing(stacks: dict[str, list[tuple[str, str]]]) -> dict[str, str]:
    """Cluster id -> standing decision, in the order the decisions were first made."""
    out: dict[str, str] = {}
    for st in stacks.values():
        if st:
            cid, dec = st[-1]
            out[cid] = dec
    return out


def start_sample(project: Project, stage: str, reviewer: str, seed: int = 0) -> dict[str, Any]:
    """Append the stop-sample line to the reviewer's own log (once per stage)."""
    from review.screen.logs import reviewer_log_path

    phase = read_phase(project, stage, reviewer)
    if phase.started is not None:
        raise ReviewError(
            f"{reviewer} already started the random sample at {stage} "
            f"({phase.started.get('at', '?')}); screen on with `review screen`."
        )
    urn = phase.eligible - len(phase.sequence)
    if urn == 0:
        raise ReviewError(f"{reviewer} has decided every record at {stage}: nothing to sample.")
    line = log_line(
        SAMPLE_OP,
        stage=stage,
        seed=seed,
        urn=urn,
        ranked_screened=len(phase.sequence),
        ranked_relevant=sum(1 for _c, d in phase.sequence if d in RELEVANT),
        reviewer=reviewer,
    )
    with JsonlAppender(reviewer_log_path(project, reviewer)) as app:
        app.append(line)
    return line


def report(
    project: Project, stage: str, reviewer: str, recall: float = 0.95, confidence: float = 0.95
) -> dict[str, Any]:
    """What `review stopping` prints: the test (when a sample was started) and the heuristics."""
    phase = read_phase(project, stage, reviewer)
    seq_labels = [1 if d in RELEVANT else 0 for _c, d in phase.sequence]
    out: dict[str, Any] = {
        "stage": stage,
        "reviewer": reviewer,
        "eligible": phase.eligible,
        "screened": len(phase.sequence),
        "relevant_found": sum(seq_labels),
        "sample_started": phase.started is not None,
        "heuristics": heuristics(seq_labels, phase.eligible),
    }
    if phase.started is None:
        out["test"] = None
        out["safe_to_stop"] = False
        out["next_step"] = (
            "start the random sample when the ranked records look exhausted: review stopping "
            f"--stage {stage} --reviewer {reviewer!r} --start-sample"
        )
        return out
    test = stop_test(len(phase.urn), phase.sample, phase.ranked_relevant, recall, confidence)
    urn_logged = phase.started.get("urn")
    out["test"] = test.to_dict()
    out["rule"] = RULE
    out["sample_started_at"] = phase.started.get("at")
    out["urn_at_start_logged"] = urn_logged
    out["urn_now"] = len(phase.urn)
    out["decided_out_of_order"] = phase.out_of_order
    out["safe_to_stop"] = test.safe_to_stop
    out["more_to_screen"] = test.more_to_screen
    warnings = []
    if urn_logged is not None and urn_logged != len(phase.urn):
        warnings.append(
            f"the urn had {urn_logged} records when the sample started and has {len(phase.urn)} "
            "now (records were imported or deduplicated since): the test uses the current urn"
        )
    if phase.out_of_order:
        warnings.append(
            f"{phase.out_of_order} records of the urn were decided out of the sample's order "
            "(a skip or a search): only the unbroken prefix counts as the random sample"
        )
    out["warnings"] = warnings
    return out


def stop_dir(project: Project) -> Path:
    return project.data_dir / "stopping"


def record_stop(
    project: Project,
    stage: str,
    reviewer: str,
    by: str,
    recall: float = 0.95,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Append the team's decision to stop screening ``stage`` (refused unless the test says so)."""

    if not by.strip():
        raise ReviewError("Say who records the decision: --by NAME.")
    rep = report(project, stage, reviewer, recall, confidence)
    test: dict[str, Any] | None = rep["test"]
    if test is None or not rep["safe_to_stop"]:
        p = "no random sample yet" if test is None else f"p = {test['p_value']:.4f}"
        raise ReviewError(
            f"The stopping test does not allow stopping {stage} yet ({p}); nothing recorded. "
            "Screen more of the random sample (see `review stopping`)."
        )
    line = log_line(
        STOP_OP,
        stage=stage,
        rule=RULE,
        test_reviewer=reviewer,
        recall_target=recall,
        confidence=confidence,
        p_value=test["p_value"],
        urn=test["urn"],
        sampled=test["sampled"],
        sample_relevant=test["sample_includes"],
        ranked_relevant=test["ranked_includes"],
        by=by,
    )
    with JsonlAppender(stop_dir(project) / f"{safe_name(by)}.jsonl") as app:
        app.append(line)
    return line


def stop_decision(project: Project, stage: str) -> dict[str, Any] | None:
    """The team's recorded decision to stop ``stage`` (the earliest), or None."""
    folder = stop_dir(project)
    found = []
    if folder.is_dir():
        for path in sorted(folder.glob("*.jsonl")):
            found.extend(
                o for o in iter_jsonl(path) if o.get("op") == STOP_OP and o.get("stage") == stage
            )
    return min(found, key=lambda o: str(o.get("at", ""))) if found else None


def test_from_line(line: dict[str, Any]) -> StopTest:
    """The test as recorded (for reports)."""
    return StopTest(
        recall_target=float(line["recall_target"]),
        confidence=float(line["confidence"]),
        urn=int(line["urn"]),
        ranked_includes=int(line["ranked_relevant"]),
        sampled=int(line["sampled"]),
        sample_includes=int(line["sample_relevant"]),
        p_value=float(line["p_value"]),
        safe_to_stop=True,
        more_to_screen=0,
    )
