"""The demo's steps, run in this process: each step of :func:`review.demo.plan` (a
:class:`~review.nextstep.NextStep`) calls the library function of its command and prints what
that command prints, through the same ``show_*`` functions the command uses. No command is
parsed or re-entered; the transcript spells each step through the command table.
"""

from __future__ import annotations

import contextlib
import io
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from review.cli.commands import COMMANDS, command_argv, command_text, error_text
from review.errors import ReviewError
from review.nextstep import Action, NextStep

if TYPE_CHECKING:
    from review.project import Project


def _quiet(done: int, total: int) -> None:
    """The progress callback of a step run with --quiet."""


def _text(s: NextStep, name: str) -> str:
    value = s.arg(name)
    return value if isinstance(value, str) else ""


def _import(proj: Project, s: NextStep) -> None:
    from review.cli.import_cmds import _print_reports, _search_given
    from review.importer import import_files
    from review.model import Kind, parse_vocab
    from review.people import check_roster

    by = _text(s, "by") or None
    if by:
        check_roster(proj.protocol, by, "importing")
    files = s.arg("file")
    reports = import_files(
        proj,
        [Path(f) for f in (files if isinstance(files, tuple) else (_text(s, "file"),))],
        source=_text(s, "source"),
        kind=parse_vocab(Kind, _text(s, "kind") or "database", "kind", "--kind"),
        screen=s.arg("screen") is True,
        who=by,
        progress=_quiet,
        search=_search_given(proj, None, None, None, None, None, None),
    )
    _print_reports(reports)


def _dedup(proj: Project, s: NextStep) -> None:
    from review.cli.dedup_cmds import _print_dedup
    from review.dedup.run import dedup_project, project_options, save_options

    options = project_options(proj)
    saved = save_options(proj, {})
    _print_dedup(proj, dedup_project(proj, options, progress=_quiet), saved)


def _dedup_import(proj: Project, s: NextStep) -> None:
    from review.cli.dedup_cmds import show_verdicts_import
    from review.dedup.exchange import import_verdicts

    summary = import_verdicts(proj, Path(_text(s, "file")), _text(s, "reviewer"))
    show_verdicts_import(proj, summary, quiet=True)


def _fulltext_attach(proj: Project, s: NextStep) -> None:
    from review.cli.screen_cmds import show_attach
    from review.people import check_roster, whoami
    from review.screen.fulltext import attach_dir
    from review.screen.fulltext_text import extract_all

    by = _text(s, "by")
    if by:
        check_roster(proj.protocol, by, "attaching")
    rep = attach_dir(proj, Path(_text(s, "dir")), by or whoami(), progress=_quiet)
    show_attach(proj, rep, extract_all(proj, progress=_quiet) if rep.matched else None)


def _fulltext_extract(proj: Project, s: NextStep) -> None:
    from review.cli.screen_cmds import show_extract
    from review.screen.fulltext_text import extract_all

    show_extract(extract_all(proj, progress=_quiet))


def _screen_import(proj: Project, s: NextStep) -> None:
    from review.cli.common import check_stage
    from review.cli.screen_cmds import show_sheet_import
    from review.screen.spreadsheet import import_sheet

    stage, reviewer = check_stage(_text(s, "stage")), _text(s, "reviewer")
    res = import_sheet(proj, Path(_text(s, "file")), stage, reviewer)
    show_sheet_import(res, stage, reviewer)


def _disagreements(proj: Project, s: NextStep) -> None:
    from review.cli.common import check_stage
    from review.cli.screen_cmds import _print_agreement
    from review.screen.disagreements import write_disagreements

    stage = check_stage(_text(s, "stage"))
    csv_path, xlsx_path, summary = write_disagreements(proj, stage, progress=_quiet)
    _print_agreement(summary, proj.rel(csv_path), proj.rel(xlsx_path))


def _resolve_import(proj: Project, s: NextStep) -> None:
    from review.cli.common import check_stage
    from review.cli.screen_cmds import show_resolve_import
    from review.screen.resolve import import_resolutions

    stage = check_stage(_text(s, "stage"))
    res = import_resolutions(proj, Path(_text(s, "file")), stage, _text(s, "resolver"))
    show_resolve_import(res, stage)


def _chart_import(proj: Project, s: NextStep) -> None:
    from review.chart import import_charting
    from review.cli.chart_cmds import show_chart_import

    file = Path(_text(s, "file"))
    show_chart_import(file, import_charting(proj, file, _text(s, "reviewer")))


def _chart_compare(proj: Project, s: NextStep) -> None:
    from review.chart import write_compare_outputs
    from review.cli.chart_cmds import show_compare

    show_compare(proj, *write_compare_outputs(proj))


def _chart_consensus(proj: Project, s: NextStep) -> None:
    from review.chart import write_consensus_outputs
    from review.cli.chart_cmds import check_consensus_out, show_consensus

    out = Path(_text(s, "output"))
    check_consensus_out(proj, out, force=False)
    show_consensus(proj, out, *write_consensus_outputs(proj, out))


def _chart_summary(proj: Project, s: NextStep) -> None:
    from review.chart import write_summary_outputs
    from review.cli.chart_cmds import show_summary

    show_summary(proj, *write_summary_outputs(proj))


def _prisma(proj: Project, s: NextStep) -> None:
    from review.cli.prisma_cmds import show_prisma
    from review.prisma import build_prisma, write_prisma

    build = build_prisma(proj, progress=_quiet, command=command_text)
    show_prisma(proj, build, write_prisma(proj, build))


def _report(proj: Project, s: NextStep) -> None:
    from review.cli.report_cmds import show_report
    from review.report import write_report

    show_report(proj, write_report(proj, None, command_text))


def _checklist(proj: Project, s: NextStep) -> None:
    from review.cli.report_cmds import show_checklist
    from review.report.checklist import checklist_for, checklist_rows, write_checklist

    xlsx, md = write_checklist(proj, None, command_text)
    checklist = checklist_for(proj)
    show_checklist(proj, xlsx, md, checklist, checklist_rows(proj, checklist))


def _status(proj: Project, s: NextStep) -> None:
    from review.cli.common import out_console
    from review.cli.status_view import render_status
    from review.status import collect_status

    render_status(collect_status(proj), out_console())


# What each step of the demo does: the library call of its command, then the command's output.
RUNS: dict[Action, Callable[[Project, NextStep], None]] = {
    Action.IMPORT: _import,
    Action.DEDUP: _dedup,
    Action.DEDUP_IMPORT: _dedup_import,
    Action.FULLTEXT_ATTACH: _fulltext_attach,
    Action.FULLTEXT_EXTRACT: _fulltext_extract,
    Action.SCREEN_IMPORT: _screen_import,
    Action.DISAGREEMENTS: _disagreements,
    Action.RESOLVE_IMPORT: _resolve_import,
    Action.CHART_IMPORT: _chart_import,
    Action.CHART_COMPARE: _chart_compare,
    Action.CHART_CONSENSUS: _chart_consensus,
    Action.CHART_SUMMARY: _chart_summary,
    Action.PRISMA: _prisma,
    Action.REPORT: _report,
    Action.REPORT_CHECKLIST: _checklist,
    Action.STATUS: _status,
}


def quiet(s: NextStep) -> NextStep:
    """``s`` with ``--quiet`` when its command has that option (the demo runs without bars)."""
    if any(name == "quiet" for name, _ in COMMANDS[s.action][1]) and s.arg("quiet") is None:
        return NextStep(s.action, (*s.args, ("quiet", True)), s.quoted)
    return s


def step_argv(s: NextStep) -> tuple[str, ...]:
    """The step's command line after ``review`` (file paths as given), as the demo runs it."""
    return tuple(command_argv(quiet(s)))


def typed_in(root: Path) -> Callable[[NextStep], str]:
    """How the transcript spells a step: the command as a person types it in ``root``."""
    prefix = f"{Path(root).as_posix()}/"

    def spell(s: NextStep) -> str:
        if s.action is Action.DEMO:
            return command_text(s)
        args = [a[len(prefix) :] if a.startswith(prefix) else a for a in step_argv(s)]
        return "review " + " ".join(shlex.quote(a) for a in args)

    return spell


def runner(root: Path) -> Callable[[NextStep], tuple[int, str, str]]:
    """Runs one step in the project at ``root``: (exit code, stdout, stderr), as the command
    would exit and print (an error as ``Error: …`` and exit code 1)."""
    from review.cli.common import fail
    from review.project import Project

    def run(s: NextStep) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = 0
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                RUNS[s.action](Project.open(root), s)
            except ReviewError as exc:
                code = fail(error_text(exc)).exit_code
            except typer.Exit as exc:
                code = exc.exit_code
        return code, out.getvalue(), err.getvalue()

    return run
