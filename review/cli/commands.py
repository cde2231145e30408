"""The one table from a library :class:`~review.nextstep.Action` to the command a person types.

Every message, status line and generated document that shows a command gets its text from
:func:`command_text` (errors through :func:`error_text`); no module below ``review/cli/`` spells a
command. Renaming a command or an option means editing this table (and ../shared/CLI.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from review.errors import ReviewError
from review.nextstep import Action, NextStep, Part, plain, step

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
            ("platform", "--platform"),
            ("searched", "--searched"),
            ("query", "--query"),
            ("results", "--results"),
        ),
    ),
    Action.EXPORT: ("export", ()),
    Action.DEDUP: ("dedup", ()),
    Action.DEDUP_REVIEW: ("dedup review", (("reviewer", "--reviewer"),)),
    Action.DEDUP_EXPORT: ("dedup export", ()),
    Action.SCREEN: (
        "screen",
        (("stage", "--stage"), ("reviewer", "--reviewer"), ("label", "--label")),
    ),
    Action.SCREEN_EXPORT: ("screen export", ()),
    Action.SCREEN_IMPORT: ("screen import", ()),
    Action.DISAGREEMENTS: ("disagreements", (("json", "--json"),)),
    Action.RESOLVE: ("resolve", (("stage", "--stage"),)),
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
    Action.FULLTEXT_ATTACH: ("fulltext attach", (("dir", ""),)),
    Action.FULLTEXT_EXTRACT: ("fulltext extract", ()),
    Action.CHART_TEMPLATE: (
        "chart template",
        (("output", "-o"), ("reviewer", "--reviewer")),
    ),
    Action.CHART_IMPORT: ("chart import", (("file", ""), ("reviewer", "--reviewer"))),
    Action.CHART_COMPARE: ("chart compare", ()),
    Action.CHART_CONSENSUS: ("chart consensus", (("output", "-o"),)),
    Action.PRISMA: ("prisma", ()),
    Action.REPORT_CHECKLIST: ("report checklist", ()),
}


def command_words(s: NextStep) -> str:
    """The command without its arguments: ``review chart import``."""
    return "review " + COMMANDS[s.action][0]


def command_line(s: NextStep) -> str:
    """The command as typed: ``review chart import FILE --reviewer NAME``."""
    words, params = COMMANDS[s.action]
    given = dict(s.args)
    unknown = set(given) - {name for name, _ in params}
    if unknown:
        raise ValueError(f"{s.action}: no argument {sorted(unknown)} in the command table")
    out = ["review", words]
    for name, how in params:
        value = given.get(name)
        if value is None or value is False:
            continue
        if value is True:
            out.append(how)
        else:
            out.extend((how, str(value)) if how else (str(value),))
    return " ".join(out)


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


def cmd(action: Action, **args: str | bool) -> str:
    """The backticked command of ``action`` (for a CLI module that shows one directly)."""
    return command_text(step(action, **args))
