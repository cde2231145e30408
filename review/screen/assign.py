"""Which reviewers screen which record: the protocol's ``assignment`` of a stage.

``assignment: all`` (the default): every reviewer of the stage screens every record.
``assignment: split``: each record goes to ``reviewers_per_record`` (*k*) of the stage's *n*
reviewers (``stages.<stage>.reviewers``, else the team), chosen by rendezvous hashing: every
reviewer gets the score ``blake2b(seed, record id, reviewer)`` and the *k* highest scores screen
the record. So the assignment

- is reproducible (the same protocol and record ids give the same assignment on every machine);
- is stable when records are added (a record's reviewers depend on its own id only, so a new
  import never moves an existing record to someone else), and when a reviewer joins only the
  records that reviewer now wins move;
- is balanced in expectation: each reviewer gets *k/n* of the records and each pair of
  reviewers shares the same expected number (the spread is binomial: for 1,000 records and
  2 of 3, 667 ± 15 per reviewer).

A record is complete when *k* reviewers decided it (``review.screen.final`` already asks for
``reviewers_per_record`` decisions), so agreement, conflicts, final decisions and PRISMA work
unchanged; the screener and the screening sheet show each reviewer only their records. A
decision a reviewer made outside their assignment (before the split, or by sheet) still counts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from review.errors import ProjectError
from review.model import Stage
from review.people import screening_roster

if TYPE_CHECKING:
    from review.protocol import Protocol


@dataclass(frozen=True, slots=True)
class Assignment:
    """A stage split among its reviewers: each record to ``per_record`` of ``reviewers``."""

    stage: Stage
    reviewers: tuple[str, ...]
    per_record: int
    seed: int = 0
    # record id -> its reviewers, filled as asked (one command asks for the same ids repeatedly)
    _memo: dict[str, tuple[str, ...]] = field(
        default_factory=dict, compare=False, repr=False, hash=False
    )

    def reviewers_of(self, record_id: str) -> tuple[str, ...]:
        """The reviewers who screen ``record_id`` (sorted by name)."""
        got = self._memo.get(record_id)
        if got is None:
            b2 = hashlib.blake2b
            head = b2(f"{self.seed}\0{record_id}\0".encode(), digest_size=16)
            scored = []
            for r in self.reviewers:
                h = head.copy()
                h.update(r.encode())
                scored.append((h.digest(), r))
            scored.sort()
            got = tuple(sorted([r for _, r in scored[-self.per_record :]]))
            self._memo[record_id] = got
        return got

    def records_for(self, reviewer: str, record_ids: Iterable[str]) -> list[str]:
        """The records of ``record_ids`` assigned to ``reviewer``, in the given order."""
        if reviewer not in self.reviewers:
            return []
        return [cid for cid in record_ids if reviewer in self.reviewers_of(cid)]

    def counts(self, record_ids: Sequence[str]) -> dict[str, int]:
        """Records assigned to each reviewer (every reviewer listed, sorted by name)."""
        out = dict.fromkeys(sorted(self.reviewers), 0)
        for cid in record_ids:
            for r in self.reviewers_of(cid):
                out[r] += 1
        return out


def stage_assignment(protocol: Protocol, stage: Stage) -> Assignment | None:
    """The stage's split among its reviewers, or None when everyone screens everything."""
    cfg = protocol.stages.get(stage)
    if cfg is None or cfg.assignment != "split":
        return None
    names = screening_roster(protocol, stage)
    k = cfg.reviewers_per_record
    if len(names) <= k:
        raise ProjectError(
            f"protocols/protocol.yaml: stages.{stage}.assignment is split, so each record goes "
            f"to {k} (reviewers_per_record) of the stage's reviewers; list more than {k} names "
            f"under stages.{stage}.reviewers (or the team's reviewers:), or set assignment: all."
        )
    return Assignment(stage, tuple(names), k, cfg.assignment_seed)


def assigned_to(
    protocol: Protocol, stage: Stage, reviewer: str, record_ids: list[str]
) -> list[str]:
    """What ``reviewer`` is to screen of ``record_ids`` at ``stage`` (all of them without a
    split)."""
    split = stage_assignment(protocol, stage)
    return list(record_ids) if split is None else split.records_for(reviewer, record_ids)
