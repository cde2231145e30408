"""The stopping phase of one reviewer, read from the plain files.

1. The reviewer screens in ranked order (``screen --order relevance``).
2. When they decide to test whether they may stop, ``stopping --start-sample`` appends a
   ``stop-sample`` line to *their own* log: stage, seed, and how many records they had not
   decided (the urn). From then on the screener shows the urn in a random order fixed by a hash
   of (reviewer, stage, seed, record id), so the sample is reproducible from the log alone.
3. ``stopping`` replays the log: the urn is every eligible record the reviewer had not
   decided before that line; the sample is the longest prefix of the urn's random order that
   the reviewer has decided (a prefix of a random permutation is a simple random sample; a
   skipped record ends the prefix). Include and maybe count as relevant.
4. When the test says it is safe, the team records its decision with ``stopping
   --record-stop --by NAME``: a ``stop`` line in ``data/stopping/<name>.jsonl`` (who, when, rule,
   target, confidence, p-value). From then on the records *no* reviewer has decided at that stage
   are reported by PRISMA as excluded by automation tools.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from review.errors import ReviewError
from review.io.files import JsonlAppender, command_text, iter_jsonl
from review.io.lock import log_lock
from review.io.logline import SCREENING_LOG, screening_line_problem
from review.model import RELEVANT, Decision, Stage
from review.nextstep import Action, Render, Text, plain, step
from review.rank.stopline import (
    StopDecision,
    append_stopping,
    stop_decision,
    stop_line,
)
from review.rank.stopping import Heuristics, StopTest, heuristics, stop_test
from review.screen import eligible
from review.screen.cache import cluster_index, protocol_reasons
from review.screen.logs import reviewer_log_path
from review.screen.order import queue_order

if TYPE_CHECKING:
    from review.project import Project

SAMPLE_OP = "stop-sample"
RULE = "hypergeometric stopping test (Callaghan & Müller-Hansen 2020, Syst Rev 9:273)"


@dataclass(frozen=True, slots=True)
class SampleStart:
    """A reviewer's ``stop-sample`` line: the random sample of their unscreened records began."""

    stage: Stage
    seed: int
    urn: int  # records the reviewer had not decided
    ranked_screened: int
    ranked_relevant: int
    reviewer: str
    at: str
    tool_version: str

    def to_json(self) -> dict[str, str | int]:
        """The line as written to the reviewer's log."""
        return {
            "op": SAMPLE_OP,
            "stage": self.stage,
            "seed": self.seed,
            "urn": self.urn,
            "ranked_screened": self.ranked_screened,
            "ranked_relevant": self.ranked_relevant,
            "reviewer": self.reviewer,
            "at": self.at,
            "tool_version": self.tool_version,
        }


@dataclass(frozen=True, slots=True)
class SampleLine:
    """A ``stop-sample`` line read back from a reviewer's log. A hand-edited line may lack keys:
    no seed is seed 0; no urn or time is None (the test then skips the urn check)."""

    seed: int
    urn: int | None  # records the reviewer had not decided, as logged
    at: str | None

    @classmethod
    def from_line(cls, line: Mapping[str, Any]) -> SampleLine:
        urn, at = line.get("urn"), line.get("at")
        return cls(
            seed=int(line.get("seed", 0)),
            urn=None if urn is None else int(urn),
            at=None if at is None else str(at),
        )


@dataclass(frozen=True, slots=True)
class SampleTest:
    """The stopping test on a started random sample, and what may undermine it."""

    test: StopTest
    rule: str
    started_at: str | None
    urn_at_start_logged: int | None
    urn_now: int
    decided_out_of_order: int
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StoppingReport:
    """What `stopping` prints: the test (when a sample was started) and the heuristics."""

    stage: Stage
    reviewer: str
    eligible: int
    screened: int
    relevant_found: int
    heuristics: Heuristics
    sample: SampleTest | None  # None: no random sample started yet

    @property
    def safe_to_stop(self) -> bool:
        return self.sample is not None and self.sample.test.safe_to_stop

    @property
    def next_step(self) -> Text:
        return (
            "start the random sample when the ranked records look exhausted: ",
            step(
                Action.STOPPING,
                quoted=False,
                stage=self.stage,
                reviewer=repr(self.reviewer),
                start_sample=True,
            ),
        )

    def to_json(self, command: Render = str) -> dict[str, Any]:
        """The stopping command's ``--json`` (``command`` spells ``next_step``)."""
        out: dict[str, Any] = {
            "stage": self.stage,
            "reviewer": self.reviewer,
            "eligible": self.eligible,
            "screened": self.screened,
            "relevant_found": self.relevant_found,
            "sample_started": self.sample is not None,
            "heuristics": self.heuristics.to_json(),
        }
        t = self.sample
        if t is None:
            return {
                **out,
                "test": None,
                "safe_to_stop": False,
                "next_step": plain(self.next_step, command),
            }
        return {
            **out,
            "test": t.test.to_dict(),
            "rule": t.rule,
            "sample_started_at": t.started_at,
            "urn_at_start_logged": t.urn_at_start_logged,
            "urn_now": t.urn_now,
            "decided_out_of_order": t.decided_out_of_order,
            "safe_to_stop": t.test.safe_to_stop,
            "more_to_screen": t.test.more_to_screen,
            "warnings": list(t.warnings),
        }


def sample_order(urn: list[str], reviewer: str, stage: Stage, seed: int) -> list[str]:
    """The urn's random order (fixed by reviewer, stage, seed and record ids)."""
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

    stage: Stage
    reviewer: str
    eligible: int
    sequence: list[tuple[str, Decision]]  # (cluster id, decision) of standing decisions, log order
    started: SampleLine | None = None  # the first stop-sample line at this stage
    urn: list[str] = field(default_factory=list)  # in the sample's random order
    ranked_relevant: int = 0
    sample: list[int] = field(default_factory=list)  # 0/1 per sampled record, in order
    out_of_order: int = 0  # urn records decided beyond the sample prefix (not counted)
    current: dict[str, Decision] = field(default_factory=dict)  # cluster id -> standing decision


def read_phase(project: Project, stage: Stage, reviewer: str) -> Phase:
    """Replay the reviewer's own log (decide, retract, stop-sample lines in file order)."""
    clusters = cluster_index(project)
    elig = eligible(project, stage)
    elig_set = set(elig)
    path = reviewer_log_path(project, reviewer)
    stacks: dict[str, list[tuple[str, Decision]]] = {}  # record id -> [(cluster, decision)]
    started: SampleLine | None = None
    before: dict[str, Decision] | None = None

    reasons = protocol_reasons(project)
    for obj in iter_jsonl(path, check=lambda o: screening_line_problem(o, "decide", reasons)):
        if obj.get("stage") != stage:
            continue
        op = obj.get("op")
        rid = str(obj.get("record_id", ""))
        if op == "decide":
            cid = clusters.cluster_of.get(rid)
            if cid is not None:
                stacks.setdefault(rid, []).append((cid, Decision(obj["decision"])))  # valid line
        elif op == "retract" and stacks.get(rid):
            stacks[rid].pop()
        elif op == SAMPLE_OP and started is None:
            started = SampleLine.from_line(obj)
            before = _standing(stacks)
    current = _standing(stacks)
    sequence = [(cid, dec) for cid, dec in current.items() if cid in elig_set]
    phase = Phase(stage, reviewer, len(elig), sequence, started, current=current)
    if started is None or before is None:
        return phase
    urn = [cid for cid in elig if cid not in before]
    phase.urn = sample_order(urn, reviewer, stage, started.seed)
    phase.ranked_relevant = sum(1 for cid, d in before.items() if cid in elig_set and d in RELEVANT)
    for cid in phase.urn:
        dec = current.get(cid)
        if dec is None:
            break
        phase.sample.append(1 if dec in RELEVANT else 0)
    prefix = set(phase.urn[: len(phase.sample)])
    phase.out_of_order = sum(1 for cid in phase.urn if cid in current and cid not in prefix)
    return phase


def _standing(stacks: dict[str, list[tuple[str, Decision]]]) -> dict[str, Decision]:
    """Cluster id -> standing decision, in the order the decisions were first made."""
    out: dict[str, Decision] = {}
    for st in stacks.values():
        if st:
            cid, dec = st[-1]
            out[cid] = dec
    return out


def start_sample(project: Project, stage: Stage, reviewer: str, seed: int = 0) -> SampleStart:
    """Append the stop-sample line to the reviewer's own log (once per stage)."""
    phase = read_phase(project, stage, reviewer)
    if phase.started is not None:
        when = "?" if phase.started.at is None else phase.started.at
        raise ReviewError(
            (
                f"{reviewer} already started the random sample at {stage} "
                f"({when}); screen on with ",
                step(Action.SCREEN),
                ".",
            )
        )
    urn = phase.eligible - len(phase.sequence)
    if urn == 0:
        raise ReviewError(f"{reviewer} has decided every record at {stage}: nothing to sample.")
    line = SCREENING_LOG[SAMPLE_OP].line(
        stage=stage,
        seed=seed,
        urn=urn,
        ranked_screened=len(phase.sequence),
        ranked_relevant=sum(1 for _c, d in phase.sequence if d in RELEVANT),
        reviewer=reviewer,
    )

    path = reviewer_log_path(project, reviewer)
    with log_lock(path, reviewer, command_text()), JsonlAppender(path) as app:
        app.append(line)  # one writer per log: refused while the reviewer's screener is open
    return SampleStart(
        stage, seed, urn, line["ranked_screened"], line["ranked_relevant"], reviewer,
        line["at"], line["tool_version"],
    )  # fmt: skip


def report(
    project: Project, stage: Stage, reviewer: str, recall: float = 0.95, confidence: float = 0.95
) -> StoppingReport:
    """What `stopping` prints: the test (when a sample was started) and the heuristics."""
    phase = read_phase(project, stage, reviewer)
    seq_labels = [1 if d in RELEVANT else 0 for _c, d in phase.sequence]
    sample = None
    if phase.started is not None:
        test = stop_test(len(phase.urn), phase.sample, phase.ranked_relevant, recall, confidence)
        urn_logged = phase.started.urn
        warnings = []
        if urn_logged is not None and urn_logged != len(phase.urn):
            warnings.append(
                f"the urn had {urn_logged} records when the sample started and has "
                f"{len(phase.urn)} now (records were imported or deduplicated since): the test "
                "uses the current urn"
            )
        if phase.out_of_order:
            warnings.append(
                f"{phase.out_of_order} records of the urn were decided out of the sample's order "
                "(a skip or a search): only the unbroken prefix counts as the random sample"
            )
        sample = SampleTest(
            test, RULE, phase.started.at, urn_logged, len(phase.urn), phase.out_of_order,
            tuple(warnings),
        )  # fmt: skip
    return StoppingReport(
        stage=stage,
        reviewer=reviewer,
        eligible=phase.eligible,
        screened=len(phase.sequence),
        relevant_found=sum(seq_labels),
        heuristics=heuristics(seq_labels, phase.eligible),
        sample=sample,
    )


def record_stop(
    project: Project,
    stage: Stage,
    reviewer: str,
    by: str,
    recall: float = 0.95,
    confidence: float = 0.95,
) -> StopDecision:
    """Append the team's decision to stop screening ``stage`` (refused unless the test says so)."""

    if not by.strip():
        raise ReviewError("Say who records the decision: --by NAME.")
    required = project.protocol.stage(stage).reviewers_per_record
    if required > 1:
        raise ReviewError(
            f"The protocol asks for {required} reviewers per record at {stage}: one reviewer's "
            "random sample says nothing about the records the others have not screened, so it "
            "cannot stop the stage; nothing recorded. Use the team's test (--team; "
            'docs/ranking.md, "Team stop").'
        )
    rep = report(project, stage, reviewer, recall, confidence)
    test = rep.sample.test if rep.sample is not None else None
    if test is None or not rep.safe_to_stop:
        p = "no random sample yet" if test is None else f"p = {test.p_value:.4f}"
        raise ReviewError(
            (
                f"The stopping test does not allow stopping {stage} yet ({p}); nothing recorded. "
                "Screen more of the random sample (see ",
                step(Action.STOPPING),
                ").",
            )
        )
    line = stop_line(stage, RULE, "reviewer", test, recall, confidence, by, test_reviewer=reviewer)
    append_stopping(project, by, line)
    return StopDecision.from_line(line)


def not_screened_after_stop(
    project: Project, stage: Stage
) -> tuple[StopDecision | None, list[str]]:
    """The team's stop decision at ``stage`` and the eligible clusters no reviewer decided
    (in eligibility order); (None, []) when the team has not stopped by the rule."""
    line = stop_decision(project, stage)
    if line is None:
        return None, []
    from review.screen import final_decisions

    ids = [
        cid
        for cid, fd in final_decisions(project, stage).items()
        if fd.decision is None and not fd.decisions
    ]
    return line, ids
