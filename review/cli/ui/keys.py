"""The one table of the screener's keys: the full-screen app's bindings, the line mode's
commands and every legend (its help line, `review screen --help`) are built from it.

A command is a key, an action, the words a legend shows and where it applies: ``stage`` (a
command of the full-text pane) and ``needs`` (a decision the stage must offer, e.g.
``not-retrieved``). ``fronts`` says which front end has it: ``tui`` (Textual, one key press,
``action_<action>(*args)`` on the screening screen) and ``line`` (one command per line, an
argument after the key where ``takes`` names it). Light: no Rich or Textual here, so the CLI
can build its help from it at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass

TUI, LINE = "tui", "line"
BOTH = (TUI, LINE)
FULL_TEXT = "full-text"
REASON_KEYS = tuple(str(d) for d in range(1, 10))  # 1-9: the protocol's first nine reasons


@dataclass(frozen=True, slots=True)
class Command:
    key: str  # the character typed (the first word of a line in line mode)
    action: str  # the TUI's ``action_<action>``; the line mode dispatches on it too
    label: str  # the legend's words: "include", "exclude with reason"
    args: tuple[str | bool, ...] = ()  # the action's arguments
    stage: str = ""  # "" every stage, else the stage whose pane it works on
    needs: str = ""  # a decision the stage must offer ("not-retrieved"), else ""
    fronts: tuple[str, ...] = BOTH  # the front ends that have it
    takes: str = ""  # the line mode's argument after the key ("TEXT")
    footer: bool = False  # shown in the full-screen app's footer

    @property
    def binding_action(self) -> str:
        """The Textual action string: ``decide('include')``, ``match(True)``, ``undo``."""
        if not self.args:
            return self.action
        return f"{self.action}({', '.join(repr(a) for a in self.args)})"

    @property
    def title(self) -> str:
        """The footer's words: the label with a capital (``Not retrieved``)."""
        text = self.label.replace("-", " ")
        return text[:1].upper() + text[1:]


COMMANDS: tuple[Command, ...] = (
    Command("i", "decide", "include", ("include",), footer=True),
    Command("e", "decide", "exclude", ("exclude",), footer=True),
    Command("m", "decide", "maybe", ("maybe",), footer=True),
    Command("r", "decide", "not-retrieved", ("not-retrieved",), needs="not-retrieved"),
    *(Command(k, "reason", "exclude with reason", (k,)) for k in REASON_KEYS),
    Command("0", "pick_reason", "pick any reason", fronts=(TUI,)),
    Command("n", "note", "note", takes="TEXT", footer=True),
    Command("l", "labels", "labels", takes="TEXT", footer=True),
    Command("u", "undo", "undo", footer=True),
    Command("s", "skip", "skip", footer=True),
    Command("/", "search", "search", takes="TEXT", footer=True),
    Command("f", "find_record", "find a record", fronts=(TUI,)),
    Command("?", "help", "help", fronts=(LINE,)),
    Command("q", "quit", "quit", footer=True),
    Command(
        "t", "page", "next page of the full text (t N: page N)", stage=FULL_TEXT, fronts=(LINE,)
    ),
    Command("]", "match", "next match", (True,), stage=FULL_TEXT, fronts=(TUI,)),
    Command("[", "match", "previous match", (False,), stage=FULL_TEXT, fronts=(TUI,)),
    Command("k", "hit", "next keyword hit", (True,), stage=FULL_TEXT, fronts=(TUI,)),
    Command("K", "hit", "previous keyword hit", (False,), stage=FULL_TEXT, fronts=(TUI,)),
    Command("o", "open_file", "open the file", stage=FULL_TEXT),
)

# Textual's names of keys that are not letters or digits
TEXTUAL_KEY = {
    "/": "slash",
    "]": "right_square_bracket",
    "[": "left_square_bracket",
    "?": "question_mark",
}


def commands(
    front: str, stage: str | None = None, decisions: tuple[str, ...] | None = None
) -> list[Command]:
    """The commands of one front end, in table order; only those of ``stage`` and of the
    ``decisions`` it offers when they are given (None: every stage, every decision)."""
    return [
        c
        for c in COMMANDS
        if front in c.fronts
        and (stage is None or not c.stage or c.stage == stage)
        and (decisions is None or not c.needs or c.needs in decisions)
    ]


def line_command(key: str, stage: str, decisions: tuple[str, ...]) -> Command | None:
    """The line mode's command for a typed key; any number is an exclusion reason."""
    if key.isdigit():
        key = "1"  # the reason action takes the number typed
    for c in commands(LINE, stage, decisions):
        if c.key == key:
            return c
    return None


def _phrase(c: Command, front: str) -> str:
    takes = f" {c.takes}" if front == LINE and c.takes else ""
    return f"{c.key}{takes} {c.label}"


def legend(
    front: str,
    stage: str | None = None,
    decisions: tuple[str, ...] | None = None,
    reasons: int = 9,
) -> str:
    """``i include, e exclude, …, q quit; t next page …``: the keys of one front end, the
    full-text pane's after a semicolon. ``1-N`` stands for the reason keys (N = ``reasons``,
    at most 9; none without reasons)."""
    main: list[str] = []
    pane: list[str] = []
    for c in commands(front, stage, decisions):
        if c.action == "reason":
            if c.key == "1" and reasons:
                main.append(f"1-{min(reasons, 9)} {c.label}")
            continue
        if c.action == "pick_reason" and not reasons:
            continue
        (pane if c.stage else main).append(_phrase(c, front))
    return ", ".join(main) + (f"; {', '.join(pane)}" if pane else "")
