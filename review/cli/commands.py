"""The one table from a library :class:`~review.nextstep.Action` to the command a person types.

Every message, status line and generated document that shows a command gets its text from
:func:`command_text` (errors through :func:`error_text`); no module below ``review/cli/`` spells a
command. Renaming a command or an option means editing this table (and ../shared/CLI.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from review.errors import ReviewError
from review.nextstep import Action, NextStep, Part, plain

# action -> (command words, ((argument, how it is written), …)): "" writes the value alone (a
# positional argument), "--opt" writes "--opt VALUE" (or "--opt" alone for a flag given as True).
# Arguments are written in this order, whatever order the step lists them in.
COMMANDS: dict[Action, tuple[str, tuple[tuple[str, str], ...]]] = {
    Action.INIT: ("init", (("dir", ""),)),
    Action.STATUS: ("status", (("json", "--json"),)),
    Action.TEAM: ("team", ()),
    Action.DEMO: ("demo", ()),
    Action.IMPORT: (
        "import",
        (
            ("file", ""),
            ("source", "--source"),
            ("kind", "--kind"),
            ("screen", "--screen"),
            ("by", "--by"),
            ("platform", "--platform"),
            ("searched", "--searched"),
            ("query", "--query"),
            ("results", "--results"),
            ("quiet", "--quiet"),
        ),
    ),
    Action.EXPORT: ("export", ()),
    Action.DEDUP: ("dedup", (("quiet", "--quiet"),)),
    Action.DEDUP_REVIEW: ("dedup review", (("reviewer", "--reviewer"),)),
    Action.DEDUP_EXPORT: ("dedup export", (("reviewer", "--reviewer"),)),
    Action.DEDUP_IMPORT: (
        "dedup import",
        (("file", ""), ("reviewer", "--reviewer"), ("quiet", "--quiet")),
    ),
    Action.SCREEN: (
        "screen",
        (("stage", "--stage"), ("reviewer", "--reviewer"), ("label", "--label")),
    ),
    Action.SCREEN_EXPORT: ("screen export", (("reviewer", "--reviewer"),)),
    Action.SCREEN_IMPORT: (
        "screen import",
        (("file", ""), ("stage", "--stage"), ("reviewer", "--reviewer")),
    ),
    Action.DISAGREEMENTS: (
        "disagreements",
        (("stage", "--stage"), ("json", "--json"), ("quiet", "--quiet")),
    ),
    Action.RESOLVE: ("resolve", (("stage", "--stage"),)),
    Action.RESOLVE_IMPORT: (
        "resolve import",
        (("file", ""), ("stage", "--stage"), ("resolver", "--resolver")),
    ),
    Action.REOPEN: (
        "reopen",
        (("record", ""), ("stage", "--stage"), ("reason", "--reason")),
    ),
    Action.STOPPING: (
        "stopping",
        (
            ("team", "--team"),
            ("stage", "--stage"),
            ("reviewer", "--reviewer"),
            ("start_sample", "--start-sample"),
            ("record_stop", "--record-stop"),
            ("json", "--json"),
        ),
    ),
    Action.FULLTEXT_ATTACH: (
        "fulltext attach",
        (("dir", ""), ("by", "--by"), ("quiet", "--quiet")),
    ),
    Action.FULLTEXT_EXTRACT: ("fulltext extract", (("quiet", "--quiet"),)),
    Action.CHART_TEMPLATE: (
        "chart template",
        (("output", "-o"), ("reviewer", "--reviewer")),
    ),
    Action.CHART_IMPORT: ("chart import", (("file", ""), ("reviewer", "--reviewer"))),
    Action.CHART_COMPARE: ("chart compare", ()),
    Action.CHART_CONSENSUS: ("chart consensus", (("output", "-o"),)),
    Action.CHART_SUMMARY: ("chart summary", ()),
    Action.PRISMA: ("prisma", (("quiet", "--quiet"),)),
    Action.REPORT: ("report", (("quiet", "--quiet"),)),
    Action.REPORT_CHECKLIST: ("report checklist", ()),
}


def command_words(s: NextStep) -> str:
    """The command without its arguments: ``review chart import``."""
    return "review " + COMMANDS[s.action][0]


def command_argv(s: NextStep) -> list[str]:
    """The command's arguments after ``review``: ``["chart", "import", "FILE", "--reviewer",
    "NAME"]`` (each argument in the table's order; a flag given as True alone)."""
    words, params = COMMANDS[s.action]
    given = dict(s.args)
    unknown = set(given) - {name for name, _ in params}
    if unknown:
        raise ValueError(f"{s.action}: no argument {sorted(unknown)} in the command table")
    out = words.split()
    for name, how in params:
        value = given.get(name)
        if value is None or value is False:
            continue
        if value is True:
            out.append(how)
        else:
            values = value if isinstance(value, tuple) else (value,)
            out.extend(v for x in values for v in ((how, x) if how else (x,)))
    return out


def command_line(s: NextStep) -> str:
    """The command as typed: ``review chart import FILE --reviewer NAME``."""
    return " ".join(["review", *command_argv(s)])


def command_text(s: NextStep) -> str:
    """A step as messages show it: the command line, in backticks unless the step says not."""
    return f"`{command_line(s)}`" if s.quoted else command_line(s)


def render(parts: Iterable[Part] | str) -> str:
    """A library text with every step spelled as a backticked command."""
    return plain(parts, command_text)


def bare(parts: Iterable[Part] | str) -> str:
    """A library text with every step spelled as a command without backticks."""
    return plain(parts, command_line)


def error_text(exc: ReviewError) -> str:
    """What the CLI prints after ``Error:``."""
    return exc.render(command_text)
