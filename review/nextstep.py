"""What a person can do next, as data: the library names an :class:`Action` and its arguments;
only the front end knows how to spell it (the CLI renders it through the one command table in
``review/cli/commands.py``; a notebook could render it as a function call).

An error or a status line that points at a next step holds a :data:`Text`: plain words and
:class:`NextStep` values in reading order. :func:`plain` joins it for a reader with no front end
(each step shown as its action id and arguments); a front end passes its own ``render``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass


class Action(enum.Enum):
    """Everything a message may send a person to do next (the value is a stable id)."""

    INIT = "init"
    STATUS = "status"
    TEAM = "team"
    DEMO = "demo"
    IMPORT = "import"
    EXPORT = "export"
    DEDUP = "dedup"
    DEDUP_REVIEW = "dedup_review"
    DEDUP_EXPORT = "dedup_export"
    DEDUP_IMPORT = "dedup_import"
    SCREEN = "screen"
    SCREEN_EXPORT = "screen_export"
    SCREEN_IMPORT = "screen_import"
    DISAGREEMENTS = "disagreements"
    RESOLVE = "resolve"
    RESOLVE_IMPORT = "resolve_import"
    REOPEN = "reopen"
    STOPPING = "stopping"
    FULLTEXT_ATTACH = "fulltext_attach"
    FULLTEXT_EXTRACT = "fulltext_extract"
    CHART_TEMPLATE = "chart_template"
    CHART_IMPORT = "chart_import"
    CHART_COMPARE = "chart_compare"
    CHART_CONSENSUS = "chart_consensus"
    CHART_SUMMARY = "chart_summary"
    PRISMA = "prisma"
    REPORT = "report"
    REPORT_CHECKLIST = "report_checklist"


ArgValue = str | bool | tuple[str, ...]  # True: a flag without a value; a tuple: several values


@dataclass(frozen=True, slots=True)
class NextStep:
    """One thing to do: ``action`` with ``args`` (``(name, value)`` pairs, names as the
    action's parameters: ``file``, ``reviewer``, ``stage``, ``output``, …)."""

    action: Action
    args: tuple[tuple[str, ArgValue], ...] = ()
    quoted: bool = True  # shown as code (backticks) in running text; False in a line of its own

    def arg(self, name: str) -> ArgValue | None:
        return dict(self.args).get(name)

    def __str__(self) -> str:
        """The step without a front end: ``action_id name=value …`` in backticks."""
        words = [self.action.value]
        for name, value in self.args:
            if isinstance(value, tuple):
                value = ",".join(value)
            words.append(name if value is True else f"{name}={value}")
        return f"`{' '.join(words)}`" if self.quoted else " ".join(words)


def step(action: Action, *, quoted: bool = True, **args: ArgValue) -> NextStep:
    """``step(Action.CHART_IMPORT, file="FILE", reviewer="NAME")`` (upper-case values are
    placeholders the person fills in)."""
    return NextStep(action, tuple(args.items()), quoted)


Part = str | NextStep
Text = tuple[Part, ...]
Render = Callable[[NextStep], str]


def text(*parts: Part | Sequence[Part]) -> Text:
    """The parts in order; a nested sequence (another :data:`Text`) is spliced in."""
    out: list[Part] = []
    for p in parts:
        if isinstance(p, str | NextStep):
            out.append(p)
        else:
            out.extend(p)
    return tuple(out)


def plain(parts: Iterable[Part] | str, render: Render = str) -> str:
    """``parts`` as one string, each step rendered by ``render`` (default: :meth:`NextStep.__str__`)."""
    if isinstance(parts, str):
        return parts
    return "".join(p if isinstance(p, str) else render(p) for p in parts)


def steps_in(parts: Iterable[Part] | str) -> tuple[NextStep, ...]:
    """The steps a text points at, in reading order."""
    if isinstance(parts, str):
        return ()
    return tuple(p for p in parts if isinstance(p, NextStep))
