"""``status_summary(project)`` for `review status`: progress per stage and reviewer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from review.errors import ReviewError
from review.model import STAGES
from review.screen.cache import no_gc

if TYPE_CHECKING:
    from review.project import Project


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}"


@no_gc
def status_summary(project: Project) -> dict[str, Any]:
    """Progress per stage and reviewer, open disagreements and κ so far (JSON-able).

    ``"lines"`` is what `review status` prints.
    """
    from review.people import screening_roster, team
    from review.screen.cache import cluster_index
    from review.screen.disagreements import agreement_from_state
    from review.screen.final import final_from_state, stage_state

    try:
        clusters = cluster_index(project)
    except ReviewError as exc:
        return {"stages": {}, "lines": [f"Not started: {exc}"]}
    out: dict[str, Any] = {"stages": {}}
    lines: list[str] = []
    seen: set[str] = set()
    ta_final = None
    for stage in STAGES:
        state = stage_state(project, stage, clusters, _ta_final=ta_final)
        final = final_from_state(state)
        if stage == "title-abstract":
            ta_final = final
        roster = screening_roster(project.protocol, stage)
        agr = agreement_from_state(state, final, roster=roster).to_json()
        decided = sum(1 for fd in final.values() if fd.decision is not None)
        entry = {
            "eligible": len(state.eligible),
            "final_decided": decided,
            "final_status": agr["final_status"],
            "screened_by_reviewer": agr["screened_by_reviewer"],
            "open_disagreements": agr["unresolved"],
            "cohen_kappa": agr["cohen_kappa"],
            "kappa_ci95": agr["kappa_ci95"],
            "percent_agreement": agr["percent_agreement"],
            "log_problems": agr["log_problems"],
        }
        out["stages"][stage] = entry
        lines.append(
            f"{stage}: {len(state.eligible)} records, {decided} with a final decision, "
            f"{agr['unresolved']} open disagreements"
        )
        for reviewer, n in sorted(agr["screened_by_reviewer"].items()):
            pct = 100 * n / len(state.eligible) if state.eligible else 0.0
            lines.append(f"  {reviewer}: {n}/{len(state.eligible)} screened ({pct:.0f}%)")
        if agr["records_compared"]:
            ci = agr["kappa_ci95"]
            ci_text = f" (95% CI {ci[0]:.2f}–{ci[1]:.2f})" if ci else ""
            lines.append(
                f"  agreement on {agr['records_compared']} records: "
                f"{_fmt(agr['percent_agreement'])}, κ {_fmt(agr['cohen_kappa'])}{ci_text}"
            )
        for left in agr["reviewers_left_out"]:
            lines.append(
                f"  warning: {left['reviewer']} left out of the agreement statistics "
                f"({left['why']})"
            )
        entry["reviewers_left_out"] = agr["reviewers_left_out"]
        seen.update(agr["screened_by_reviewer"])
        for p in agr["log_problems"][:5]:
            lines.append(f"  warning: {p}")
    roster = team(project.protocol)
    if seen and not roster:
        lines.append(
            f"warning: protocols/protocol.yaml lists no team (reviewers:), so any name may "
            f"screen; decisions so far come from {len(seen)} name(s): "
            f"{', '.join(sorted(seen))}. List your team there so a typo cannot become a "
            "new reviewer."
        )
    elif roster and (stray := sorted(seen - set(roster))):
        lines.append(
            f"warning: decisions from names not on the team in protocols/protocol.yaml: "
            f"{', '.join(stray)}."
        )
    out["roster"] = list(roster)
    _fulltext_lines(project, clusters, out, lines)
    out["lines"] = lines
    return out


LIST_AT_MOST = 20


def _fulltext_lines(project: Project, clusters: Any, out: dict[str, Any], lines: list[str]) -> None:
    """Attached full texts by extraction status; scans and unreadable files by name."""
    from review.screen.fulltext import attachments
    from review.screen.fulltext_text import status_counts

    attached = attachments(project, clusters)
    if not attached:
        return
    ft = status_counts(project, attached)
    out["fulltexts"] = ft
    c = ft["counts"]
    parts = [f"{c['text']} with text"]
    labels = (
        ("no-text", "without a text layer"),
        ("error", "unreadable"),
        ("unsupported", "of a type not read"),
        ("missing", "missing"),
        ("pending", "not extracted yet (run `review fulltext extract`)"),
    )
    parts += [f"{c[k]} {label}" for k, label in labels if c.get(k)]
    lines.append(f"full texts: {ft['attached']} files attached; " + ", ".join(parts))
    for key, label in (
        ("no-text", "no text layer (scanned?)"),
        ("error", "unreadable"),
        ("missing", "missing"),
    ):
        files = ft["files"].get(key, [])
        for path in files[:LIST_AT_MOST]:
            lines.append(f"  {label}: {path}")
        if len(files) > LIST_AT_MOST:
            lines.append(f"  … and {len(files) - LIST_AT_MOST} more ({label})")
