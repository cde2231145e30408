"""How ``review status`` shows a :class:`~review.status.ProjectStatus`: the terminal view (Rich)
and the ``--json`` object, each next step a stage's status names spelled through the command
table (``review/cli/commands.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from review.cli.commands import render

if TYPE_CHECKING:
    from review.status import ProjectStatus


def status_json(summary: ProjectStatus) -> dict[str, Any]:
    """The ``review status --json`` object: each section's ``lines`` and ``search_warnings``
    with the commands spelled out (the library's ``to_json`` cannot spell them)."""
    out = summary.to_json()
    for key, section in summary.sections():
        obj = out[key]
        if "lines" in obj:
            obj["lines"] = [render(line) for line in section.lines]
    warnings = getattr(summary.imports, "search_warnings", ())
    out["imports"]["search_warnings"] = [render(w) for w in warnings]
    return out


def render_status(summary: ProjectStatus, console: Any) -> None:
    """The terminal view: the title, then each stage's lines (its JSON when it has none)."""
    from rich.markup import escape
    from rich.pretty import Pretty

    console.print(f"[bold]{escape(summary.title)}[/bold]  ({escape(summary.project)})")
    for key, section in summary.sections():
        console.print(f"\n[bold underline]{key.capitalize()}[/bold underline]")
        if section.lines:
            for line in section.lines:
                console.print(escape(render(line)))
        else:
            console.print(Pretty(section.to_json()))
