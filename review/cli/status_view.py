"""How ``review status`` words a :class:`~review.status.ProjectStatus`: one line per finding of
each stage (the library's status values carry data, never sentences), the terminal view (Rich)
and the ``--json`` object (the library's ``to_json`` with these ``lines`` added). Every next step
a line names is spelled through the command table (``review/cli/commands.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from review.cli.commands import render
from review.nextstep import Action, Text, step
from review.percent import percent_text

if TYPE_CHECKING:
    from review.chart.store import ChartingStatus
    from review.dedup.run import DedupCounts, DedupStatus
    from review.importer import ImportStatus
    from review.screen.summary import ScreeningStatus, StageStatus
    from review.status import ProjectStatus, StageSummary

LIST_AT_MOST = 20  # reopens, files and problems listed by name (the rest counted)


def import_lines(s: ImportStatus) -> list[str | Text]:
    """Records per source and in all, then the leftovers and search-count warnings."""
    lines: list[str | Text] = [
        f"{x.source} ({x.kind}): {x.records} records from {x.files} file(s)" for x in s.by_source
    ]
    if s.files:
        lines.append(
            f"Total: {s.records} records ({s.by_branch['main']} main branch, "
            f"{s.by_branch['other']} other methods)"
        )
    else:
        new = step(Action.IMPORT, quoted=False, file="FILE", source="NAME")
        lines.append(("No records imported yet: ", new))
    lines.extend(f"Warning: {w}" for w in s.leftovers)
    lines.extend(("Warning: ", *w) for w in s.search_warnings)
    return lines


def dedup_lines(s: DedupStatus) -> list[str | Text]:
    """Records and clusters after the last run, the pairs waiting, the sources' overlap."""
    if s.counts is None:
        return [("Not deduplicated yet: run ", step(Action.DEDUP), ".")]
    return [*_dedup_counts(s.counts), *(f"warning: {p}" for p in s.warnings)]


def _dedup_counts(c: DedupCounts) -> list[str | Text]:
    auto, manual = c.removed_automatic, c.removed_manual
    review = step(Action.DEDUP_REVIEW, quoted=False, reviewer="NAME")
    lines: list[str | Text] = [
        f"{c.main_records} main-branch records -> {c.clusters} after removing "
        f"{auto + manual} duplicates ({auto} automatically, {manual} confirmed by a person)",
        (f"{c.queued} pair(s) waiting for a person: ", review)
        if c.queued
        else "No pairs waiting for a person.",
    ]
    if c.verdict_conflicts:
        lines.insert(
            1,
            (
                f"{len(c.verdict_conflicts)} pair(s) with conflicting verdicts (same vs "
                "different) from two reviewers, applied neither way: resolve them with ",
                review,
            ),
        )
    parts = [
        f"{row.source} {row.unique_clusters}/{row.clusters}"
        for row in c.overlap
        if row.branch == "main"
    ]
    if parts:
        lines.append("Unique contribution per source (unique/total): " + ", ".join(parts))
    return lines


def screening_lines(s: ScreeningStatus) -> list[str | Text]:
    """Each stage, the team, the full texts, the reopens and labels, the log problems."""
    if s.not_started:
        return [("Not started: ", *s.not_started)]
    lines: list[str | Text] = []
    for stage, st in s.stages.items():
        lines += _stage_lines(stage, st, stage in s.locked)
    seen = {name for st in s.stages.values() for name in st.screened_by_reviewer}
    if seen and not s.roster:
        lines.append(
            f"warning: protocols/protocol.yaml lists no team (reviewers:), so any name may "
            f"screen; decisions so far come from {len(seen)} name(s): "
            f"{', '.join(sorted(seen))}. List your team there so a typo cannot become a "
            "new reviewer."
        )
    elif s.roster and (stray := sorted(seen - set(s.roster))):
        lines.append(
            f"warning: decisions from names not on the team in protocols/protocol.yaml: "
            f"{', '.join(stray)}."
        )
    lines += [f"  warning: {p}" for p in s.attach_problems[:5]]
    lines += _fulltext_lines(s)
    lines += _marks_lines(s)
    lines += [f"warning: {p}" for p in s.stop_problems[:LIST_AT_MOST]]
    return lines


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}"


def _stage_lines(stage: str, st: StageStatus, locked: bool) -> list[str | Text]:
    """One stage: records, the lock, a team stop, each reviewer, agreement, warnings."""
    n = st.eligible
    lines: list[str | Text] = [
        f"{stage}: {n} records, {st.final_decided} with a final decision, "
        f"{st.open_disagreements} open disagreements"
    ]
    if locked:
        reopen = step(Action.REOPEN, record="RECORD", stage=stage)
        lines.append(("  locked (protocol): a change needs ", reopen))
    if st.stopped is not None:
        x = st.stopped
        lines.append(
            f"  stopped for the whole team by the stopping rule ({x['scope']} test, "
            f"p = {x['p_value']:.4f}) on {str(x['at'])[:10]} by {x['by']}: nobody is offered "
            f"the records they have not screened; the {x['not_screened']} records nobody "
            "screened are excluded by automation tools"
        )
    assigned = st.assigned_by_reviewer
    for reviewer, done in sorted(st.screened_by_reviewer.items()):
        share = n if assigned is None else assigned.get(reviewer, 0)
        mine = "" if assigned is None else " assigned"
        lines.append(f"  {reviewer}: {done}/{share}{mine} screened ({percent_text(done, share)}%)")
    if st.records_compared:
        ci = st.kappa_ci95
        ci_text = f" (95% CI {ci[0]:.2f}–{ci[1]:.2f})" if ci else ""
        lines.append(
            f"  agreement on {st.records_compared} records: "
            f"{_fmt(st.percent_agreement)}, κ {_fmt(st.cohen_kappa)}{ci_text}"
        )
    for left in st.reviewers_left_out:
        lines.append(
            f"  warning: {left.reviewer} left out of the agreement statistics ({left.why})"
        )
    lines.extend(f"  warning: {p}" for p in st.log_problems[:5])
    return lines


def _fulltext_lines(s: ScreeningStatus) -> list[str | Text]:
    """Attached full texts by extraction status; scans and unreadable files by name."""
    ft = s.fulltexts
    if ft is None:
        return []
    c = ft.counts
    parts = [f"{c['text']} with text"]
    labels = (
        ("no-text", "without a text layer"),
        ("error", "unreadable"),
        ("unsupported", "of a type not read"),
        ("missing", "missing"),
    )
    parts += [f"{c[k]} {label}" for k, label in labels if c.get(k)]
    said = f"full texts: {ft.attached} files attached; " + ", ".join(parts)
    lines: list[str | Text] = [said]
    if c.get("pending"):  # last, with the step that extracts them
        pending = f"{said}, {c['pending']} not extracted yet (run "
        lines = [(pending, step(Action.FULLTEXT_EXTRACT), ")")]
    for key, label in (
        ("no-text", "no text layer (scanned?)"),
        ("error", "unreadable"),
        ("missing", "missing"),
    ):
        files = ft.files.get(key, ())
        lines.extend(f"  {label}: {path}" for path in files[:LIST_AT_MOST])
        if len(files) > LIST_AT_MOST:
            lines.append(f"  … and {len(files) - LIST_AT_MOST} more ({label})")
    return lines


def _marks_lines(s: ScreeningStatus) -> list[str | Text]:
    """The reopened records (who, when, why, what it undid) and the labels in use."""
    lines: list[str | Text] = []
    if s.reopened:
        n = len({(r.record_id, r.stage) for r in s.reopened})
        lines.append(
            f"reopened: {n} record(s) at a finished or locked stage ({len(s.reopened)} reopens)"
        )
        for r in s.reopened[-LIST_AT_MOST:]:
            undid = f"; it was {r.undoes}" if r.undoes else ""
            how: Text = (" with ", step(Action.REOPEN)) if r.unlock else ()
            lines.append(
                (
                    f"  {r.record_id} at {r.stage} by {r.who}",
                    *how,
                    f" ({r.at[:10]}): {r.reason}{undid}",
                )
            )
        if len(s.reopened) > LIST_AT_MOST:
            more = step(Action.STATUS, quoted=False, json=True)
            lines.append((f"  … and {len(s.reopened) - LIST_AT_MOST} earlier (", more, ")"))
    lines.extend(f"warning: {p}" for p in s.mark_problems[:LIST_AT_MOST])
    if s.labels:
        lines.append("labels: " + ", ".join(f"{k} ({n})" for k, n in s.labels[:LIST_AT_MOST]))
    return lines


def charting_lines(s: ChartingStatus) -> list[str | Text]:
    """Each charter's reports (and units) charted, then whose charting is final."""
    total = "?" if s.included_reports is None else str(s.included_reports)
    unit = s.unit
    lines: list[str | Text] = [
        f"{name}: {info.reports_charted} / {total} reports charted"
        + (f", {unit.count(info.units)}" if unit else "")
        for name, info in s.reviewers.items()
    ]
    if not s.reviewers:
        lines.append(
            "No charting imported yet "
            + (
                f"({total} included reports to chart)."
                if s.included_reports is not None
                else "(charting starts after full-text screening)."
            )
        )
    elif s.final is None:
        lines.append(
            (
                "Final charting: none yet — make the consensus form (",
                step(Action.CHART_CONSENSUS, output="charting-consensus.xlsx"),
                "), decide the highlighted cells and import it with --reviewer consensus.",
            )
        )
    else:
        lines.append(f"Final charting: {s.final or 'consensus'}.")
    return lines


def section_lines(section: StageSummary) -> list[str]:
    """A stage's lines as the terminal shows them (each step spelled as its command)."""
    from review.chart.store import ChartingStatus
    from review.dedup.run import DedupStatus
    from review.importer import ImportStatus
    from review.screen.summary import ScreeningStatus

    lines: list[str | Text] = []
    if isinstance(section, ImportStatus):
        lines = import_lines(section)
    elif isinstance(section, DedupStatus):
        lines = dedup_lines(section)
    elif isinstance(section, ScreeningStatus):
        lines = screening_lines(section)
    elif isinstance(section, ChartingStatus):
        lines = charting_lines(section)
    return [render(line) for line in lines]


def status_json(summary: ProjectStatus) -> dict[str, Any]:
    """The ``review status --json`` object: each stage's ``to_json()`` with its ``lines``, and
    the search warnings with their commands spelled."""
    out = summary.to_json()
    for key, section in summary.sections():
        out[key]["lines"] = section_lines(section)
    out["imports"]["search_warnings"] = [render(w) for w in summary.imports.search_warnings]
    return out


def render_status(summary: ProjectStatus, console: Any) -> None:
    """The terminal view: the title, then each stage's lines (its JSON when it has none)."""
    from rich.markup import escape

    console.print(f"[bold]{escape(summary.title)}[/bold]  ({escape(summary.project)})")
    for key, section in summary.sections():
        console.print(f"\n[bold underline]{key.capitalize()}[/bold underline]")
        lines = section_lines(section)
        if lines:
            for line in lines:
                console.print(escape(line))
        else:
            from rich.pretty import Pretty  # imports attrs (67 ms): only when it is used

            console.print(Pretty(section.to_json()))
