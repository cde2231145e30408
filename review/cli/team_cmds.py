"""`review team`: the lead reviewer's view of the team's screening."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from review.cli.common import JsonOpt, ProjectOpt, open_project, out_console, print_json

if TYPE_CHECKING:
    from review.screen.team import StageTeam


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _num(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def _hours(h: float | None) -> str:
    if h is None:
        return "-"
    minutes = round(h * 60)
    return f"{minutes} min" if minutes < 90 else f"{h:.1f} h"


def team(project: ProjectOpt = None, as_json: JsonOpt = False) -> None:
    """Who has done what, per stage and reviewer: decided, remaining, pace, time left,
    agreement with each other reviewer, conflicts waiting and last activity.

    Pace is decisions per active hour (sessions split at gaps over 30 minutes); see
    docs/team.md.

    Example:

    \b
        review team
        review team --json | jq '.stages[0].reviewers'
    """
    from review.screen.team import team_view

    proj = open_project(project)
    view = team_view(proj)
    if as_json:
        print_json(view.to_json())
        return
    con = out_console()
    for st in view.stages:
        _print_stage(con, st)
    ch = view.charting
    if ch is not None:
        from rich.markup import escape

        total = "?" if ch.included_reports is None else str(ch.included_reports)
        done = ", ".join(f"{escape(name)} {n}/{total}" for name, n in ch.charted.items())
        final = f"; final: {escape(ch.final)}" if ch.final else ""
        con.print(f"charting (reports charted): {done}{final}")


def _print_stage(con: object, st: StageTeam) -> None:
    from rich.markup import escape
    from rich.table import Table

    split = (
        f", each record to {st.reviewers_per_record} of {len(st.reviewers)} reviewers"
        if st.assignment == "split"
        else ""
    )
    head = (
        f"{st.stage}: {st.eligible} records{split}; {st.final_decided} with a final "
        f"decision, {st.conflicts} conflicts waiting"
        + ("; stopped for the whole team (nothing left to screen)" if st.stopped else "")
    )
    if not st.reviewers:
        con.print(f"{escape(head)}; no decisions yet")  # type: ignore[attr-defined]
        return
    t = Table(title=escape(head), title_justify="left")
    for col in ("reviewer", "decided", "left", "per h", "time left", "conflicts", "last activity"):
        t.add_column(col, no_wrap=col != "reviewer")
    for r in st.reviewers:
        t.add_row(
            escape(r.reviewer),
            f"{r.decided}/{r.to_screen}",
            str(r.remaining),
            _num(r.pace.per_hour, 0),
            _hours(r.hours_left),
            str(r.conflicts_waiting),
            escape((r.last_activity or "-")[:16].replace("T", " ")),
        )
    con.print(t)  # type: ignore[attr-defined]
    seen: set[tuple[str, str]] = set()
    for r in st.reviewers:
        for p in r.agreement:
            pair = (min(r.reviewer, p.other), max(r.reviewer, p.other))
            if pair in seen:
                continue
            seen.add(pair)
            con.print(  # type: ignore[attr-defined]
                f"  agreement {escape(pair[0])} / {escape(pair[1])}: {p.records} records both "
                f"screened, {_pct(p.percent_agreement)} agree, κ {_num(p.cohen_kappa)}"
            )
    batched = [f"{r.reviewer} {r.pace.batched}" for r in st.reviewers if r.pace.batched]
    if batched:
        con.print(  # type: ignore[attr-defined]
            "  not timed (recorded in one go, e.g. a sheet import): "
            + escape(", ".join(batched))
            + " decisions"
        )


def register(app: typer.Typer) -> None:
    app.command("team")(team)
