"""`review team`: the lead reviewer's view of the team's screening."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from review.cli.common import JsonOpt, ProjectOpt, open_project, out_console, print_json

if TYPE_CHECKING:
    from review.screen.team import StageTeam


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


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
    )
    if not st.reviewers:
        con.print(f"{escape(head)}; no decisions yet")  # type: ignore[attr-defined]
        return
    t = Table(title=escape(head), title_justify="left")
    for col in ("reviewer", "decided", "remaining", "per hour", "time left", "conflicts",
                "last activity", "agreement (records, %, κ)"):  # fmt: skip
        t.add_column(col)
    for r in st.reviewers:
        agree = "; ".join(
            f"{escape(p.other)}: {p.records}, {_pct(p.percent_agreement)}, κ {_num(p.cohen_kappa)}"
            for p in r.agreement
        )
        t.add_row(
            escape(r.reviewer),
            f"{r.decided}/{r.to_screen}",
            str(r.remaining),
            _num(r.pace.per_hour, 0),
            _hours(r.hours_left),
            str(r.conflicts_waiting),
            escape((r.last_activity or "-")[:16].replace("T", " ")),
            agree or "-",
        )
    con.print(t)  # type: ignore[attr-defined]


def register(app: typer.Typer) -> None:
    app.command("team")(team)
