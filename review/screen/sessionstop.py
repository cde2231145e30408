"""What a screening session does once the team has stopped, or started its random sample.

:class:`TeamStop` is a base of :class:`~review.screen.session.ScreeningSession`: a recorded team
stop (docs/ranking.md, "Team stop") means nobody is offered the records they have not screened,
and a started team sample is shown first, in the team's order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from review.model import Stage
from review.rank.stopline import stop_decision, stop_dir, team_sample_line
from review.rank.team import read_team_phase
from review.screen.progress import stop_note

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from review.project import Project
    from review.screen.session import ScreeningSession


class TeamStop:
    """Needs the session's project, stage, queue and position."""

    project: Project
    stage: Stage
    queue: Sequence[str]  # a list, or the ranker's RankedQueue view
    _pos_of: Mapping[str, int]
    pos: int | None
    order: str
    sample_size: int
    stop: Any
    _stop_seen: tuple[int, int] | None
    _first_open: Callable[[int], int | None]  # the session's

    def _init_stop(self) -> None:
        self.stop = None  # the team's recorded stop at this stage: then nothing is offered
        self._stop_seen = None
        self._check_stop()

    def _check_stop(self) -> None:
        """Read the stop lines again when data/stopping/ changed: a stop recorded while this
        screener is open takes effect at the next decision."""
        files = list(stop_dir(self.project).glob("*.jsonl"))
        seen = (len(files), max((f.stat().st_mtime_ns for f in files), default=0))
        if seen != self._stop_seen:
            self._stop_seen = seen
            self.stop = stop_decision(self.project, self.stage)

    def _team_sample_first(self) -> bool:
        """When the team started its random sample (review/rank/team.py), show its urn first,
        in the team's order (the same for every reviewer). True when it did."""
        if team_sample_line(self.project, self.stage) is None:
            return False

        mine = set(self.queue)  # on a split stage only this reviewer's assignment
        urn = [c for c in read_team_phase(self.project, self.stage).urn if c in mine]
        first = set(urn)
        self.queue = urn + [c for c in self.queue if c not in first]
        self._pos_of = {cid: i for i, cid in enumerate(self.queue)}
        self.order, self.sample_size = "team-sample", len(urn)
        self.pos = self._first_open(0)
        return True

    def stop_note(self) -> str:
        """What the team's recorded stop means for this reviewer ('' when not stopped)."""
        return stop_note(cast("ScreeningSession", self))  # TeamStop is only ever its base
