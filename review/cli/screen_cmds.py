"""CLI commands for screening: screen (+ export/import), disagreements, resolve, fulltext.

Long module: the screening stage has the most commands (screen, its spreadsheet round trip,
disagreements, resolve and its import, full-text attach); each command is short.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from review.cli.commands import command_text
from review.cli.common import (
    FromOtherProjectOpt,
    FromOtherReviewerOpt,
    JsonOpt,
    ProjectOpt,
    QuietOpt,
    StageOpt,
    confirm_new_person,
    err_console,
    open_project,
    out_console,
    print_json,
    progress,
)
from review.cli.ui.keys import TUI, legend
from review.model import Decision, Order, Stage

if TYPE_CHECKING:
    from collections.abc import Callable

    from review.project import Project
    from review.screen.disagreements import Agreement, DisagreementRow
    from review.screen.fulltext_text import ExtractReport
    from review.screen.session import ScreeningSession

# --stage of a command group's callback (screen, resolve): optional there because the group's
# sub-commands run without it, then required by _stage_and_name.
GroupStageOpt = Annotated[
    Stage | None, typer.Option("--stage", help="title-abstract or full-text.")
]


ReviewerReq = Annotated[str, typer.Option("--reviewer", help="Your name, as in your log file.")]
ResolverReq = Annotated[str, typer.Option("--resolver", help="Who records the resolution.")]
ReopenOpt = Annotated[
    bool,
    typer.Option("--reopen", help="Change finished records on purpose (needs --reason; logged)."),
]
ReasonOpt = Annotated[
    str | None, typer.Option("--reason", help="Why finished records are reopened (with --reopen).")
]


def _reopen_reason(reopen: bool, reason: str | None) -> str | None:
    """The --reopen reason, None without --reopen; ReviewError when one comes without the other."""
    from review.errors import ReviewError

    if reopen and not (reason or "").strip():
        raise ReviewError('--reopen needs --reason "why" (it is logged with each reopened record).')
    if reason and not reopen:
        raise ReviewError("--reason goes with --reopen (to change finished records on purpose).")
    return reason.strip() if reopen and reason else None


LineOpt = Annotated[
    bool,
    typer.Option(
        "--line", help="Plain line mode (screen readers, scripts). Automatic without a TTY."
    ),
]

screen_app = typer.Typer(invoke_without_command=True, no_args_is_help=False, rich_markup_mode=None)
resolve_app = typer.Typer(invoke_without_command=True, rich_markup_mode=None)
fulltext_app = typer.Typer(
    no_args_is_help=True, help="Full-text files for the full-text stage.", rich_markup_mode=None
)


def _stage_and_name(
    stage: Stage | None, option: str, name: str | None, command: str, example: str
) -> tuple[Stage, str]:
    """An interactive command's --stage and person (``option``), both required and checked."""
    if stage is None or name is None:
        raise typer.BadParameter(
            f"give --stage and {option}, e.g. review {command} --stage title-abstract "
            f"{option} {example}",
            param_hint=f"--stage/{option}",
        )
    return stage, name


def _read_line(prompt: str) -> str | None:
    """Print ``prompt`` and read one line from stdin (None at the end of input)."""
    from review.io.printable import printable

    typer.echo(printable(prompt), nl=False)
    text = sys.stdin.readline()
    return text if text else None


def _ask(prompt: str) -> str | None:
    """:func:`_read_line`, stripped."""
    text = _read_line(prompt)
    return text.strip() if text is not None else None


def _use_line_mode(line: bool) -> bool:
    if line:
        return True
    if os.environ.get("TERM", "") in ("dumb", ""):
        return True
    return not (sys.stdin.isatty() and sys.stdout.isatty())


@screen_app.callback()
def screen(
    ctx: typer.Context,
    stage: GroupStageOpt = None,
    reviewer: Annotated[str | None, typer.Option("--reviewer", help="Your name.")] = None,
    line: LineOpt = False,
    seed: Annotated[int, typer.Option("--seed", help="Change your fixed random record order.")] = 0,
    label: Annotated[
        str | None,
        typer.Option(
            "--label", help="Only the records you labelled so (key l), in your fixed order."
        ),
    ] = None,
    order: Annotated[
        Order | None,
        typer.Option(
            "--order",
            help="relevance: ranked by a model of your own decisions (default at "
            "title-abstract); random: your fixed random order (default at full-text).",
        ),
    ] = None,
    project: ProjectOpt = None,
) -> None:
    """Screen records one by one, blind to other reviewers; every key press is saved at once.

    Keys: {keys} (the 1-9 reasons in protocol order; r and the keys after the semicolon at
    full text). You resume where you left off. A key that changes a finished record
    (agreed, resolved, charted) asks for a reason and is logged as a reopen; a locked stage
    refuses it until `review reopen`. At title-abstract the records most likely to be
    included come first, ranked by a model retrained on your own decisions only (--order random
    for your fixed random order). After `review stopping --start-sample` you see the stopping
    test's sample. At full text the attached file's text is shown (run `review fulltext
    extract`): / searches it; in line mode t pages through it, and n, l and / take their text
    after the key.

    Example:

    \b
        review screen --stage title-abstract --reviewer "Ana Silva"
        review screen --stage title-abstract --reviewer Ana --order random
        printf 'i\\ne\\n2\\nq\\n' | review screen --stage title-abstract \\
            --reviewer Ana --line
    """
    if ctx.invoked_subcommand is not None:
        return
    stage, reviewer = _stage_and_name(stage, "--reviewer", reviewer, "screen", "Ana")
    from review.screen.session import ScreeningSession

    proj = open_project(project)
    if order is None or label:  # a labelled subset is revisited in your fixed order
        order = Order.RELEVANCE if stage == Stage.TITLE_ABSTRACT and not label else Order.RANDOM
    line_mode = _use_line_mode(line)
    session = ScreeningSession(
        proj, stage, reviewer, seed=seed, order=order, background=not line_mode,
        label=label or "",
    )  # fmt: skip
    session.command = command_text
    if not confirm_new_person(proj, session.reviewer, "screening"):
        session.close()
        raise typer.Exit(code=1)
    if session.total == 0:
        session.close()
        why = (
            "no record has a final title/abstract decision of include yet (see "
            "`review status`, `review disagreements`, `review resolve`)"
            if stage == "full-text"
            else "there are no main-branch records (import database exports, then `review dedup`)"
        )
        if label:
            why = f"none of your records at {stage} carries the label {label!r}"
        out_console().print(f"Nothing to screen at {stage}: {why}.")
        return
    try:
        _run_session(session, line_mode, stage, reviewer)
    finally:
        session.close()


# the keys of the help above come from the one key table (review/cli/ui/keys.py)
screen.__doc__ = (screen.__doc__ or "").replace("{keys}", legend(TUI))


def _run_session(session: ScreeningSession, line_mode: bool, stage: Stage, reviewer: str) -> None:
    """The line mode (stdin/stdout) or the full-screen app, until the reviewer quits."""
    if line_mode:
        from review.cli.ui.lineui import run_line

        run_line(session, _read_line, typer.echo)
    else:
        from review.cli.ui.tui import ScreenerApp

        ScreenerApp(session).run()
        p = session.pace()
        from rich.markup import escape

        err_console().print(f"Saved. {p.done}/{p.total} screened at {stage} by {escape(reviewer)}.")


@screen_app.command("export")
def screen_export(
    stage: StageOpt,
    reviewer: ReviewerReq,
    output: Annotated[Path, typer.Option("--output", "-o", help="The .xlsx file to write.")],
    seed: Annotated[int, typer.Option("--seed", help="Same as `review screen --seed`.")] = 0,
    project: ProjectOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Write your records to an Excel sheet (your current decisions filled in, others blank).

    Columns record_id, decision, reason, note (drop-down lists), then title, authors, year,
    journal, abstract for reading. Fill in and bring it back with `review screen import`.

    Example:

    \b
        review screen export --stage title-abstract --reviewer Ana -o ana.xlsx
    """
    from rich.markup import escape

    from review.cli.common import checked_output
    from review.screen.spreadsheet import export_sheet

    proj = open_project(project)
    checked_output(proj, output)
    with progress("Writing sheet", quiet) as update:
        n = export_sheet(proj, stage, reviewer, output, seed=seed, progress=update)
    out_console().print(f"Wrote {n} records to {escape(str(output))}")


@screen_app.command("import")
def screen_import(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The .xlsx or .csv sheet.")],
    stage: StageOpt,
    reviewer: ReviewerReq,
    from_other_reviewer: FromOtherReviewerOpt = False,
    from_other_project: FromOtherProjectOpt = False,
    reopen: ReopenOpt = False,
    reason: ReasonOpt = None,
    project: ProjectOpt = None,
) -> None:
    """Import your decisions from a sheet (.xlsx or .csv: record_id, decision, reason, note).

    Every row is checked first; if any row has a problem nothing is imported and each problem
    is listed with its row number. Blank rows and unchanged decisions add nothing. A reason may
    be given as its id, its label or its number. Rows that change a finished record (agreed,
    resolved, charted) are listed and refused unless --reopen --reason TEXT (logged as reopens);
    a locked stage takes only records `review reopen` reopened.

    Example:

    \b
        review screen import ana.xlsx --stage title-abstract --reviewer Ana
        review screen import ana.xlsx --stage title-abstract --reviewer Ana \\
            --reopen --reason "typo"
    """
    from review.screen.spreadsheet import import_sheet

    proj = open_project(project)
    res = import_sheet(
        proj,
        file,
        stage,
        reviewer,
        from_other_reviewer=from_other_reviewer,
        from_other_project=from_other_project,
        reopen=_reopen_reason(reopen, reason),
    )
    show_sheet_import(res, stage, reviewer)


def show_sheet_import(res: Any, stage: str, reviewer: str) -> None:
    """What ``review screen import`` prints."""
    from rich.markup import escape

    _encoding_note(res.note)
    out_console().print(
        f"Imported {res.imported} decisions for {escape(reviewer)} at {stage} "
        f"({res.unchanged} unchanged, {res.blank} blank rows)"
        + (f"; labels changed on {res.labelled} records." if res.labelled else ".")
    )


def disagreements(
    stage: StageOpt,
    all_reviewers: Annotated[
        bool,
        typer.Option(
            "--all-reviewers",
            help="Compare every reviewer, also partial ones (default: a complete assignment).",
        ),
    ] = False,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """List disagreements and agreement statistics (κ with 95% CI, PABAK, AC1, Krippendorff's α).

    Writes outputs/screening/<stage>-disagreements.csv and .xlsx. Statistics treat maybe as its
    own category; the same statistics with maybe counted as include are under
    "maybe_collapsed_to_include" in --json.

    Example:

    \b
        review disagreements --stage title-abstract
        review disagreements --stage full-text --json
    """
    from review.screen.disagreements import write_disagreements

    proj = open_project(project)
    with progress("Comparing decisions", quiet) as update:
        csv_path, xlsx_path, summary = write_disagreements(
            proj, stage, progress=update, all_reviewers=all_reviewers
        )
    if as_json:
        print_json(summary.to_json())
        return
    _print_agreement(summary, proj.rel(csv_path), proj.rel(xlsx_path))


def _fmt(x: float | None, digits: int = 2) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def _print_agreement(s: Agreement, csv_path: str, xlsx_path: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    con = out_console()
    own, alt = s.stats, s.maybe_collapsed_to_include
    con.print(
        f"[bold]{escape(s.stage)}[/bold]: {s.eligible} records, reviewers "
        f"{escape(', '.join(s.reviewers) or '(none yet)')}; {own.records_compared} compared, "
        f"{own.agreements} agreements, {own.disagreements} disagreements, "
        f"{s.unresolved} unresolved."
    )
    if s.final_status.get("forwarded"):
        con.print(
            f"{s.final_status['forwarded']} include-vs-maybe records went on without an arbiter "
            "(both send a record on; protocol maybe_conflicts: false)."
        )
    t = Table("statistic", "maybe as own category", "maybe counted as include")
    t.add_row("percent agreement", _fmt(own.percent_agreement, 3), _fmt(alt.percent_agreement, 3))
    for label, a, b in (("κ", own.cohen_kappa, alt.cohen_kappa), ("PABAK", own.pabak, alt.pabak),
                        ("Gwet's AC1", own.gwet_ac1, alt.gwet_ac1),
                        ("Krippendorff's α", own.krippendorff_alpha, alt.krippendorff_alpha)):  # fmt: skip
        t.add_row(label, _fmt(a, 3), _fmt(b, 3))
    ci, ci2 = own.kappa_ci95, alt.kappa_ci95
    t.add_row(
        "κ 95% CI",
        f"{ci[0]:.3f} to {ci[1]:.3f}" if ci else "n/a",
        f"{ci2[0]:.3f} to {ci2[1]:.3f}" if ci2 else "n/a",
    )
    con.print(t)
    for left in s.reviewers_left_out:
        con.print(
            f"Left out of the statistics: {escape(left.reviewer)} ({escape(left.why)}); "
            "--all-reviewers compares everyone."
        )
    if len(own.pairs) > 1:
        pt = Table("pair", "n", "agreement", "κ", "95% CI", "PABAK", "AC1", "α")
        for pair in own.pairs:
            p, c = pair.stats, pair.stats.kappa_ci95
            pt.add_row(
                escape(" × ".join(pair.reviewers)),
                str(p.n),
                _fmt(p.percent_agreement, 3),
                _fmt(p.cohen_kappa, 3),
                f"{c[0]:.2f}–{c[1]:.2f}" if c else "n/a",
                _fmt(p.pabak, 3),
                _fmt(p.gwet_ac1, 3),
                _fmt(p.krippendorff_alpha, 3),
            )
        con.print(pt)
    con.print(f"Wrote {escape(csv_path)} and {escape(xlsx_path)}")
    for problem in s.log_problems:
        err_console().print(f"Warning: {escape(problem)}")


@resolve_app.callback()
def resolve(
    ctx: typer.Context,
    stage: GroupStageOpt = None,
    resolver: Annotated[str | None, typer.Option("--resolver", help="Your name.")] = None,
    project: ProjectOpt = None,
) -> None:
    """Resolve disagreements one by one: both decisions side by side, then the final call.

    For each open disagreement you see the record and every reviewer's decision, reason and
    note; type the final decision (include, exclude, maybe; full text also not-retrieved), a
    reason for exclude (id, label or number) and a rationale. Empty decision skips; q quits.

    Example:

    \b
        review resolve --stage title-abstract --resolver "Cleo"
        review resolve import resolutions.xlsx --stage title-abstract \\
            --resolver Cleo
    """
    if ctx.invoked_subcommand is not None:
        return
    stage, resolver = _stage_and_name(stage, "--resolver", resolver, "resolve", "Cleo")
    from review.people import check_roster, clean_name
    from review.screen.resolve import disagreements_to_resolve

    proj = open_project(project)
    resolver = clean_name(resolver, "--resolver")
    check_roster(proj.protocol, resolver, "resolving")
    if not confirm_new_person(proj, resolver, "resolving"):
        raise typer.Exit(code=1)
    rows = disagreements_to_resolve(proj, stage, resolver)
    con = out_console()
    if not rows:
        con.print(f"No open disagreements at {stage}.")
        return
    done = _resolve_rows(proj, stage, resolver, rows, con)
    con.print(f"Saved {done} resolutions.")


def _resolve_rows(
    proj: Project, stage: Stage, resolver: str, rows: list[DisagreementRow], con: Any
) -> int:
    """Show each disagreement and record the answer, until the last one or q; the count saved."""
    from review.screen.cache import record_store
    from review.screen.logs import DECISION_KEYS, decisions_for
    from review.screen.resolve import ResolutionLog

    index = record_store(proj)
    allowed = decisions_for(stage)
    keys = ", ".join(f"{k} {d}" for k, d in DECISION_KEYS.items() if d in allowed)
    done = 0
    with ResolutionLog(proj, resolver) as log:
        for n, row in enumerate(rows, start=1):
            _show_disagreement(con, f"{n}/{len(rows)}", row, index.get(row.record_id))
            answer = _ask_resolution(proj, stage, allowed, keys, con)
            if answer is None:
                break
            if answer:
                log.resolve(row.record_id, stage, *answer)
                done += 1
    return done


def _ask_resolution(
    proj: Project, stage: Stage, allowed: tuple[Decision, ...], keys: str, con: Any
) -> tuple[Decision, str, str] | tuple[()] | None:
    """Ask for one final call until it is valid: (decision, reason, rationale); () when the
    resolver skips the record (empty answer); None when they quit (q or end of input)."""
    from rich.markup import escape

    from review.screen.logs import decision_from_text, parse_reason

    while True:
        text = _ask(
            f"Final decision ({keys}, 1-9 exclude with that reason; empty skips, q quits): "
        )
        if text is None or text.lower() == "q":
            return None
        if not text:
            return ()
        reason = ""
        if text.isdigit():  # as in the screener: exclude with reason N
            reason, problem = parse_reason(proj, stage, text)
            if problem is not None:
                con.print(escape(problem))
                continue
            dec: Decision | None = Decision.EXCLUDE
        else:
            dec = decision_from_text(text, allowed)
        if dec is None:
            con.print(f"Use one of: {', '.join(allowed)} (or {keys}).")
            continue
        if dec == Decision.EXCLUDE and not reason and proj.protocol.stage(stage).exclusion_reasons:
            reason = _ask_reason(proj, stage, _ask, con)
        return dec, reason, _ask("Rationale: ") or ""


def _show_disagreement(con: Any, where: str, row: DisagreementRow, rec: Any) -> None:
    """The record and every reviewer's decision, reason and note, as a table."""
    from rich.markup import escape
    from rich.table import Table

    con.print(f"\n[bold]{where}[/bold] {escape(row.record_id)}")
    con.print(f"[bold]{escape(row.title or (rec.title if rec else ''))}[/bold]")
    if rec is not None:
        con.print(escape("; ".join(rec.authors)) + f" ({rec.year or 'n.d.'})")
        con.print(escape(rec.abstract or "(no abstract)"))
    t = Table("reviewer", "decision", "reason", "note")
    for who, dec, reason, note in row.decisions:
        t.add_row(escape(who), escape(dec), escape(reason), escape(note))
    con.print(t)


def _ask_reason(proj: Project, stage: Stage, ask: Callable[[str], str | None], con: Any) -> str:
    """Ask until the answer is a reason of the protocol (or empty: none)."""
    from rich.markup import escape

    from review.screen.logs import parse_reason

    while True:
        rtext = ask("Reason (id, label or number; empty for none): ") or ""
        reason, problem = parse_reason(proj, stage, rtext)
        if problem is None:
            return reason
        con.print(escape(problem))


@resolve_app.command("import")
def resolve_import(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A .xlsx or .csv sheet.")],
    stage: StageOpt,
    resolver: ResolverReq,
    from_other_project: FromOtherProjectOpt = False,
    reopen: ReopenOpt = False,
    reason: ReasonOpt = None,
    project: ProjectOpt = None,
) -> None:
    """Import resolutions (record_id, decision, reason, rationale) from .xlsx or .csv.

    Only records the reviewers disagree on can be resolved. Every row is checked first; on any
    problem nothing is imported. Changing a standing resolution's decision is refused unless
    --reopen --reason TEXT (logged as a reopen).

    Example:

    \b
        review resolve import resolutions.csv --stage title-abstract \\
            --resolver Cleo
    """
    from review.screen.resolve import import_resolutions

    proj = open_project(project)
    res = import_resolutions(
        proj,
        file,
        stage,
        resolver,
        from_other_project=from_other_project,
        reopen=_reopen_reason(reopen, reason),
    )
    show_resolve_import(res, stage)


def show_resolve_import(res: Any, stage: str) -> None:
    """What ``review resolve import`` prints."""
    _encoding_note(res.note)
    out_console().print(
        f"Imported {res.imported} resolutions at {stage} ({res.unchanged} unchanged, "
        f"{res.blank} blank rows)."
    )


def _encoding_note(note: str) -> None:
    """The sheet reader's note on an inferred encoding (cp1252 …), as a warning on stderr."""
    if note:
        from rich.markup import escape

        err_console().print(f"[yellow]Warning:[/yellow] {escape(note)}")


@fulltext_app.command("attach")
def fulltext_attach(
    directory: Annotated[
        Path, typer.Argument(metavar="DIRECTORY", help="Folder with PDFs or text files.")
    ],
    by: Annotated[str | None, typer.Option("--by", help="Who attaches (default: you).")] = None,
    extract: Annotated[
        bool,
        typer.Option("--extract/--no-extract", help="Also extract the new files' text (default)."),
    ] = True,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Link full-text files to records by DOI (name or content), file name, or title.

    Only records eligible at full text are matched. Reports what matched how, which files
    matched nothing and which records still have no file. Then extracts the text of the files
    not yet extracted, as `review fulltext extract` does (--no-extract to skip).

    Example:

    \b
        review fulltext attach pdfs/ --by Ana
    """
    from review.people import whoami
    from review.screen.fulltext import attach_dir

    proj = open_project(project)
    if by:
        from review.people import check_roster

        check_roster(proj.protocol, by, "attaching")
    with progress("Matching files", quiet) as update:
        rep = attach_dir(proj, directory, by or whoami(), progress=update)
    ext = None
    if extract and rep.matched:
        from review.screen.fulltext_text import extract_all

        with progress("Extracting text", quiet) as update:
            ext = extract_all(proj, progress=update)
    if as_json:
        print_json(
            {
                "matched": [
                    {"file": f, "record_id": c, "matched_by": h} for f, c, h in rep.matched
                ],
                "already_attached": [{"file": f, "record_id": c} for f, c in rep.already],
                "unmatched": rep.unmatched,
                "ambiguous": [{"file": f, "candidates": c} for f, c in rep.ambiguous],
                "records_without_file": rep.without_file,
                "extracted": _extract_json(ext) if ext is not None else None,
            }
        )
        return
    show_attach(proj, rep, ext)


def show_attach(proj: Project, rep: Any, ext: ExtractReport | None) -> None:
    """What ``review fulltext attach`` prints (``ext``: the extraction that followed, if any)."""
    from rich.markup import escape

    con = out_console()
    counts = rep.counts()
    how = ", ".join(f"{n} by {k}" for k, n in sorted(counts.items())) or "none new"
    con.print(f"Attached {len(rep.matched)} files ({how}); {len(rep.already)} already attached.")
    for f, c, h in rep.matched:
        con.print(f"  {escape(proj.rel(Path(f)))} -> {escape(c)} ({h})")
    if rep.ambiguous:
        con.print(f"{len(rep.ambiguous)} files match more than one record (not attached):")
        for f, cands in rep.ambiguous:
            con.print(f"  {escape(proj.rel(Path(f)))}: {escape(', '.join(cands))}")
    if rep.unmatched:
        con.print(f"{len(rep.unmatched)} files matched no record:")
        for f in rep.unmatched:
            con.print(f"  {escape(proj.rel(Path(f)))}")
    con.print(f"{len(rep.without_file)} full-text records still have no file.")
    if ext is not None:
        _print_extract(ext)
    elif rep.matched:
        con.print("Next: `review fulltext extract` reads their text for the full-text screener.")


@fulltext_app.command("extract")
def fulltext_extract(
    force: Annotated[
        bool, typer.Option("--force", help="Read every file again, even when cached.")
    ] = False,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Extract the text of every attached full text once, page by page, for the screener.

    PDFs are read with pypdfium2, HTML and plain text as they are. The text goes to a derived
    cache under .review/fulltext/ (rebuildable; unchanged files are not read again). PDFs
    without a text layer (scans) and unreadable files are listed, never fatal.

    Example:

    \b
        review fulltext attach pdfs/ --by Ana
        review fulltext extract
    """
    from review.screen.fulltext_text import extract_all

    proj = open_project(project)
    with progress("Extracting text", quiet) as update:
        rep = extract_all(proj, force=force, progress=update)
    if as_json:
        print_json(_extract_json(rep))
        return
    show_extract(rep)


def show_extract(rep: ExtractReport) -> None:
    """What ``review fulltext extract`` prints."""
    if not rep.files:
        out_console().print(
            "No full texts are attached yet: run `review fulltext attach DIR` first."
        )
        return
    _print_extract(rep)


def _extract_json(rep: ExtractReport) -> dict[str, Any]:
    return {
        "files": [{"path": p, "status": s, "pages": n, "message": m} for p, s, n, m in rep.files],
        "extracted_now": rep.extracted,
        "counts": {k: len(v) for k, v in sorted(rep.by_status().items())},
    }


def _print_extract(rep: ExtractReport) -> None:
    from rich.markup import escape

    con = out_console()
    groups = rep.by_status()
    pages = sum(n for _p, s, n, _m in rep.files if s == "text")
    con.print(
        f"{len(rep.files)} attached files: {len(groups.get('text', []))} with text "
        f"({pages} pages), {rep.extracted} read now, the rest from the cache."
    )
    labels = {
        "no-text": "without a text layer (scanned? open them with o in the screener)",
        "error": "could not be read",
        "unsupported": "are of a type that is not read (open them with o in the screener)",
        "missing": "are missing (moved or deleted? attach them again)",
    }
    for status, label in labels.items():
        files = [(p, m) for p, s, _n, m in rep.files if s == status]
        if files:
            con.print(f"{len(files)} files {label}:")
            for p, m in files:
                con.print(f"  {escape(p)}: {escape(m)}")


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root app."""
    app.add_typer(screen_app, name="screen")
    app.command("disagreements")(disagreements)
    app.add_typer(resolve_app, name="resolve")
    app.command("reopen")(reopen_cmd)
    app.add_typer(fulltext_app, name="fulltext")


def reopen_cmd(
    record: Annotated[
        str, typer.Argument(metavar="RECORD_ID", help="The record_id (any member of its cluster).")
    ],
    stage: StageOpt,
    reason: Annotated[str, typer.Option("--reason", help="Why the record is reopened (logged).")],
    reviewer: Annotated[
        str | None, typer.Option("--reviewer", help="Who reopens it (default: you).")
    ] = None,
    project: ProjectOpt = None,
) -> None:
    """Reopen one record at a stage: the only way to change a record in a locked stage; logged.

    Appends a reopen line (who, when, why, the record's final status then) to your own log.
    A stage is locked by `locked: true` under its name in protocols/protocol.yaml; the records
    reopened are listed by `review status` and in the report.

    Example:

    \b
        review reopen 1a2b3c4d-17 --stage title-abstract \\
            --reason "wrong exclusion, see email"
    """
    from rich.markup import escape

    from review.people import whoami
    from review.screen.finished import reopen_record

    proj = open_project(project)
    who = reviewer or whoami()
    if not confirm_new_person(proj, who, "screening"):
        raise typer.Exit(code=1)
    done = reopen_record(proj, record, stage, reason, who)
    state = f" (it was {done.status})" if done.status else ""
    lock = (
        f"; the {stage} stage is locked, and this record may now be changed"
        if done.locked
        else f"; the {stage} stage is not locked"
    )
    out_console().print(
        f"Record {escape(done.record_id)} reopened at {stage} by {escape(done.who)}{escape(state)}"
        f"{lock}. Logged in {escape(done.log)}."
    )
