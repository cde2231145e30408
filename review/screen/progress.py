"""What the screener's status bar says about progress (read by the TUI and the line mode).

- **The record counter counts records:** "Record 18 of 490" is the 18th record this reviewer
  screens at this stage (records decided + 1), whatever place a ranking gives it in the queue.
  A record already decided (found by search) reads "Screened record (17 of 490 screened)".
- **Includes left** (review/rank/estimate.py): in random order, and for the stopping test's
  random sample, the 90 % credible range of a Beta-binomial posterior on the records screened
  (a random sample, so the range is calibrated); in ranked order an upper bound from the last
  :data:`FRONTIER` decisions: they are the lowest-ranked records screened so far, and as long as
  the ranking does at least as well as chance on the rest, the share of includes among the
  rest is at most theirs. Both are within 0 … the records left, and narrow as excludes come in.
- **After a team stop** (review/rank/team.py) nothing is offered and the bar says why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from review.model import RELEVANT
from review.nextstep import Action, step
from review.rank.estimate import includes_left

if TYPE_CHECKING:
    from review.screen.session import Item, ScreeningSession

FRONTIER = 50  # ranked order: the includes left are bounded from the last 50 decisions


def _relevant(session: ScreeningSession, cid: str) -> bool:
    cur = session.current_of(cid)
    return cur is not None and cur.decision in RELEVANT


def ranking_status(session: ScreeningSession) -> str:
    """The status bar's ranking part: includes found, the includes left, the order's basis."""
    found = f"{session.relevant} includes found"
    if session.stop is not None:
        return f"{found} · {stop_note(session)}"
    if session.order in ("sample", "team-sample"):
        return _sample_status(session)
    text = f"{found} · {_left_text(session)}"
    return text if session.ranker is None else f"{text} · {session.ranker.status}"


def _sample_status(session: ScreeningSession) -> str:
    urn = session.queue[: session.sample_size]
    done = next((i for i, cid in enumerate(urn) if session.current_of(cid) is None), len(urn))
    found = sum(1 for cid in urn[:done] if _relevant(session, cid))
    left = includes_left(done, found, len(urn) - done)
    team = session.order == "team-sample"
    who = "team's " if team else ""
    see = session.command(step(Action.STOPPING, team=team))
    return (
        f"stopping test: {who}random sample {done}/{len(urn)} · {session.relevant} includes "
        f"found · includes left in the sample's records: {left.low}–{left.high} "
        f"({left.level:.0%} credible) · see {see}"
    )


def _left_text(session: ScreeningSession) -> str:
    """Includes left among the records this reviewer has not decided (module docstring)."""
    left = session.total - session.done
    if session.order == "relevance":
        window = frontier(session)
        found = sum(1 for cid in window if _relevant(session, cid))
        bound = includes_left(len(window), found, left)
        return f"includes left: at most {bound.high} ({found} in your last {len(window)})"
    est = includes_left(session.done, session.relevant, left)
    return f"includes left: {est.low}–{est.high} ({est.level:.0%} credible)"


def frontier(session: ScreeningSession) -> list[str]:
    """The last :data:`FRONTIER` records this reviewer decided (standing decisions, latest
    first): in ranked order the lowest-ranked records screened so far."""
    out: list[str] = []
    seen: set[str] = set()
    for cid in reversed(session.recent()):
        if cid not in seen and session.current_of(cid) is not None:
            seen.add(cid)
            out.append(cid)
            if len(out) == FRONTIER:
                break
    return out


def stop_note(session: ScreeningSession) -> str:
    """What the team's recorded stop means for this reviewer ('' when not stopped)."""
    stop = session.stop
    if stop is None:
        return ""
    who = f" by {stop.by}" if stop.by else ""
    return (
        f"{session.stage} was stopped for the whole team by the stopping rule on "
        f"{stop.at[:10]}{who}: the {session.total - session.done} records you have not "
        "screened are no longer offered"
    )


def counter(session: ScreeningSession, item: Item) -> str:
    """The counter: "Record 18 of 490" for the 18th record this reviewer screens."""
    if item.current is not None:
        return f"Screened record ({session.done} of {session.total} screened)"
    return f"Record {session.done + 1} of {session.total}"
