"""The hidden ``Meta`` sheet of every workbook the tool exports to be filled in and imported back.

It records what the sheet is for (kind, project id, stage, reviewer), so importing a colleague's
sheet under your name, a title/abstract sheet at full text, or another project's sheet is refused
instead of silently replacing decisions. Sheets without a Meta sheet (CSV files, hand-made
workbooks) are accepted as before; the row checks still apply.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from review import __version__
from review.errors import InputError
from review.io.xlsx import set_cell
from review.model import Stage
from review.nextstep import Action, step
from review.people import clean_name

if TYPE_CHECKING:
    from review.project import Project

META = "Meta"
FORMAT = "review-sheet/1"


def meta_rows(project: Project, kind: str, **fields: str) -> list[tuple[str, str]]:
    rows = [("format", FORMAT), ("kind", kind), ("project_id", project.project_id)]
    rows += [(k, v) for k, v in fields.items()]
    rows.append(("tool_version", __version__))
    return rows


def add_meta(wb: Any, project: Project, kind: str, **fields: str) -> None:
    """Append a hidden Meta sheet (works for normal and write-only workbooks)."""
    from openpyxl.cell import WriteOnlyCell

    ws = wb.create_sheet(META)
    write_only = not hasattr(ws, "cell")
    for k, v in meta_rows(project, kind, **fields):
        if write_only:
            row = []
            for value in (k, v):
                c = WriteOnlyCell(ws)
                set_cell(c, value)
                row.append(c)
            ws.append(row)
        else:
            ws.append([None, None])
            r = ws.max_row
            set_cell(ws.cell(row=r, column=1), k)
            set_cell(ws.cell(row=r, column=2), v)
    ws.sheet_state = "hidden"


def read_meta(path: Path) -> dict[str, str] | None:
    """The Meta sheet of an .xlsx as a dict, or None (not a workbook, or no Meta sheet of ours)."""
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # the table reader reports unreadable workbooks with its own message
        return None
    try:
        if META not in wb.sheetnames:
            return None
        info: dict[str, str] = {}
        for row in wb[META].iter_rows(min_row=1, max_row=50, max_col=2, values_only=True):
            if row and row[0] is not None:
                info[str(row[0]).strip()] = "" if row[1] is None else str(row[1]).strip()
        return info if info.get("format") == FORMAT else None
    finally:
        wb.close()


def check_meta(
    project: Project,
    path: Path,
    kind: str,
    *,
    stage: Stage | None = None,
    person: tuple[str, str] | None = None,
    from_other_reviewer: bool = False,
    from_other_project: bool = False,
) -> dict[str, str] | None:
    """Refuse a sheet made for another kind, stage, person or project (InputError).

    ``person`` is ``(option, name)``, e.g. ``("--reviewer", "bob")``; the Meta key is the
    option's name without dashes.
    """
    meta = read_meta(path)
    if meta is None:
        return None
    what = {"screening": Action.SCREEN_EXPORT, "dedup": Action.DEDUP_EXPORT,
            "resolution": Action.DISAGREEMENTS}  # fmt: skip
    made = meta.get("kind", "")
    if made != kind:
        maker = what.get(made)
        raise InputError(
            (
                f"this is a {made or 'different'} sheet (made by ",
                step(maker) if maker else "`review`",
                f"), not a {kind} sheet (",
                step(what[kind], quoted=False),
                "). Import it with the matching command.",
            ),
            file=str(path),
        )
    theirs = meta.get("project_id", "")
    if theirs and theirs != project.project_id and not from_other_project:
        raise InputError(
            f"this sheet was exported from another project (project id {theirs}; this project "
            f"is {project.project_id}). Import it into the project it came from, or pass "
            "--from-other-project if you really mean to bring it here.",
            file=str(path),
        )
    if stage is not None and meta.get("stage") and meta["stage"] != stage:
        raise InputError(
            f"this sheet is for the {meta['stage']} stage; import it with --stage {meta['stage']}.",
            file=str(path),
        )
    if person is not None:
        option, name = person
        key = option.lstrip("-")
        made_for = meta.get(key, "")
        if made_for and clean_name(made_for) != clean_name(name) and not from_other_reviewer:
            import shlex

            maker_step = step(what[kind], quoted=False, **{key: shlex.quote(made_for)})
            raise InputError(
                (
                    f"this sheet was exported for {made_for!r} (",
                    maker_step,
                    f"), not {name!r}. Import it with {option} "
                    f"{shlex.quote(made_for)}; or, if {name!r} really made these decisions in "
                    f"{made_for!r}'s sheet, pass --from-other-reviewer.",
                ),
                file=str(path),
            )
    return meta
