"""Shared CLI plumbing: option aliases, the error boundary, consoles and progress bars.

Keep this module light: it is imported for ``review --help``. Heavy libraries (pandas, openpyxl,
matplotlib, textual, rapidfuzz) are imported inside command functions only.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer
from typer.core import TyperGroup

from review.errors import ReviewError
from review.model import Stage

if TYPE_CHECKING:
    from rich.console import RenderHook

    from review.project import Project

ProjectOpt = Annotated[
    Path | None,
    typer.Option(
        "--project",
        "-p",
        help="Review project folder (default: the current folder).",
        envvar="REVIEW_PROJECT",
        file_okay=False,
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")]
FromOtherReviewerOpt = Annotated[
    bool,
    typer.Option(
        "--from-other-reviewer",
        help="Import a sheet exported for another name under this name (its decisions become "
        "this name's).",
    ),
]
FromOtherProjectOpt = Annotated[
    bool,
    typer.Option("--from-other-project", help="Import a sheet exported from another project."),
]
StageOpt = Annotated[
    Stage,
    typer.Option("--stage", help="Screening stage: title-abstract or full-text."),
]


def err_console() -> Any:
    from rich.console import Console

    con = Console(stderr=True, highlight=False, soft_wrap=True)
    con.push_render_hook(cast("RenderHook", PrintableHook()))  # a RenderHook by duck typing
    return con


def out_console() -> Any:
    """The console of a command's output. Every print goes through :class:`PrintableHook`: a
    control character from data shows as ``\\x1b``, never reaches the terminal. Markup stays
    live, so every value from data is interpolated through ``escape`` (or ``plain``)."""
    from rich.console import Console

    con = Console(highlight=False, soft_wrap=True)
    con.push_render_hook(cast("RenderHook", PrintableHook()))  # a RenderHook by duck typing
    return con


class PrintableHook:
    """A Rich render hook: every text segment a console prints goes through
    :func:`~review.io.printable.printable` (tables, panels and progress bars too); the console's
    own control segments pass."""

    def process_renderables(self, renderables: list[Any]) -> list[Any]:
        return [_Printable(r) for r in renderables]


class _Printable:
    def __init__(self, renderable: Any) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Any, options: Any) -> Iterator[Any]:
        from rich.segment import Segment

        from review.io.printable import has_unsafe, printable

        for seg in console.render(self.renderable, options):
            if seg.control is None and has_unsafe(seg.text):
                yield Segment(printable(seg.text), seg.style)
            else:
                yield seg


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` as an error on stderr; return the Exit to raise."""
    from rich.markup import escape

    err_console().print(f"[bold red]Error:[/bold red] {escape(message)}")
    return typer.Exit(code=code)


class ReviewGroup(TyperGroup):
    """Root command group: turns every ReviewError into a short message and exit code 1."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except ReviewError as exc:
            from review.cli.commands import error_text

            raise fail(error_text(exc)) from None
        except OSError as exc:
            import errno

            # A write that did not go through review.io.files (a library saving a workbook…)
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG):
                raise
            from review.errors import WriteError

            raise fail(str(WriteError(exc.filename or "a file", exc))) from None
        except KeyboardInterrupt:
            err_console().print("Interrupted; everything decided so far is saved.")
            raise typer.Exit(code=130) from None


def open_project(path: Path | None) -> Project:
    """The project, after the explicit crash-recovery step (an import interrupted by a crash is
    finished or undone: ``review.importer.recover_imports``); reading it has no side effects."""
    from review.importer import recover_imports
    from review.project import Project

    project = Project.open(path)
    recover_imports(project)
    return project


def project_from(ctx: typer.Context, project: Path | None) -> Project:
    """The project of a sub-command: its own --project, else the group's, else the cwd."""
    if project is None and ctx.obj and ctx.obj.get("project"):
        project = ctx.obj["project"]
    return open_project(project)


def for_subcommand(ctx: typer.Context, project: Path | None) -> bool:
    """In a command group's callback: keep its --project for the sub-commands
    (:func:`project_from`); True when one of them is what runs."""
    ctx.ensure_object(dict)
    ctx.obj["project"] = project
    return ctx.invoked_subcommand is not None


def output_option(help_text: str) -> Any:
    """``--output/-o FILE`` for a command whose output file has a default place (no folder)."""
    return typer.Option("--output", "-o", help=help_text, dir_okay=False, show_default=False)


def checked_output(proj: Project, path: Path, folder: bool = False) -> Path:
    """The ``-o`` path of a command, checked before any work (review/io/outpath.py): never
    inside data/, protocols/ or .git/, never the schema, never over a link, FIFO or device."""
    from review.io.outpath import check_output

    return check_output(
        path, root=proj.root, protected_files=(proj.schema_path, proj.protocol_path), folder=folder
    )


def check_stage(stage: str) -> Stage:
    """The :class:`Stage` a stage name given as text names (the demo's steps); BadParameter
    otherwise (a command's ``--stage`` is parsed by Typer from the enum)."""
    from review.model import vocab

    found = vocab(Stage, stage)
    if found is None:
        raise typer.BadParameter(
            f"{stage!r} is not a stage; use one of: {', '.join(Stage)}.", param_hint="--stage"
        )
    return found


def print_json(obj: Any) -> None:
    """JSON on stdout; C1 controls and bidi overrides escaped too (``\\u202e``; still JSON)."""
    from review.io.printable import json_safe

    typer.echo(json_safe(json.dumps(obj, indent=2, ensure_ascii=False, default=str)))


@contextlib.contextmanager
def progress(description: str, quiet: bool = False) -> Iterator[Callable[[int, int], None]]:
    """A Rich progress bar on stderr; yields ``update(done, total)``. Silent with ``quiet``."""
    console = None if quiet else err_console()
    if console is None or not console.is_terminal:
        # no bar when silenced or when stderr is a file/pipe (logs stay clean)
        yield lambda done, total: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def interactive() -> bool:
    """Is a person at the keyboard (stdin is a terminal)?"""
    import sys

    return sys.stdin is not None and sys.stdin.isatty()


_PEOPLE_LOGS = {
    "screening": ("screening", "reviewer"),
    "resolving": ("resolutions", "resolver"),
    "dedup": ("dedup", "reviewer"),
}


def confirm_new_person(project: Any, name: str, activity: str) -> bool:
    """Without a team roster in the protocol, ask before a new name records its first decision.

    Only at a terminal (scripts and piped input are not asked; `review status` warns instead).
    True when the name may go on: it has a log already, the protocol lists the team (checked
    elsewhere), or the person confirms.
    """
    from review.people import known_people, team

    if team(project.protocol) or not interactive():
        return True
    folder, key = _PEOPLE_LOGS[activity]
    known = known_people(project.data_dir / folder, key)
    if name in known:
        return True
    so_far = ", ".join(repr(n) for n in sorted(known)) or "nobody yet"
    return typer.confirm(
        f"{name!r} has recorded nothing here yet (so far: {so_far}), and "
        "protocols/protocol.yaml lists no team (reviewers:). Start as a new person "
        f"{name!r}?",
        default=False,
        err=True,
    )
