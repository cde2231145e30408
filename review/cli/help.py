"""Command help pages, drawn with the standard library only (no Rich, no markdown-it).

Why: Typer's Rich help imports ``rich.markdown`` (markdown-it), ``rich.traceback`` (pygments)
and the rest of Rich on every ``--help``, and Rich's layout engine then measures every cell;
together that took ``review --help`` past 0.3 s. This renderer draws the same panels (usage,
description, arguments, options, commands; rounded boxes) with ``textwrap``, and keeps
docstrings literally: ``<stage>`` placeholders survive, indented example blocks keep their
lines, and ```code``` spans lose only their backticks. Colour (ANSI) only on a terminal and
never with ``NO_COLOR``. ``benchmarks/cli_speed.py`` times it; ``tests/test_cli_docs.py`` and
``tests/test_help.py`` check its content.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import textwrap
from typing import Any

from typer.core import TyperArgument, TyperGroup, TyperOption

_CODE = re.compile(r"``?([^`]+)``?")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")


def _paragraphs(text: str) -> list[tuple[bool, list[str]]]:
    """Split a cleaned docstring into (is_block, lines) paragraphs; indented ones are blocks."""
    out: list[tuple[bool, list[str]]] = []
    current: list[str] = []
    for line in [*text.replace("\x08", "").splitlines(), ""]:
        if line.strip():
            current.append(line)
            continue
        if current:
            block = all(ln.startswith("    ") for ln in current)
            out.append((block, current))
            current = []
    return out


def _plain(text: str) -> str:
    """Docstring markup removed: ```code``` and **bold** keep their text only."""
    return _CODE.sub(r"\1", _BOLD.sub(r"\1", text))


def short_help(command: Any) -> str:
    """The first paragraph of a command's help, on one line, without markup."""
    text = command.short_help or command.help or ""
    paragraphs = _paragraphs(text)
    first = " ".join(ln.strip() for ln in paragraphs[0][1]) if paragraphs else ""
    return _plain(first)


_TYPE_NAMES = {"str": "TEXT", "int": "INTEGER", "float": "FLOAT", "path": "PATH", "dir": "DIR"}


def _metavar(param: Any, ctx: Any) -> str:
    """How a value is written: TEXT, INTEGER, DIR, [a|b|c]; nothing for a flag."""
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return ""
    if getattr(param, "metavar", None):
        return str(param.metavar)
    if isinstance(param, TyperArgument):
        name = (param.name or "ARG").upper()
        return name + ("..." if param.nargs != 1 else "")
    display = getattr(param, "display_type_rich", None)
    raw = (display(ctx=ctx) if display else "") or ""
    raw = raw.strip("<>")
    many = raw.startswith("list[")
    raw = raw.removeprefix("list[").removesuffix("]")
    if "|" in raw:
        text = "CHOICE"
    else:
        text = _TYPE_NAMES.get(raw.lower(), raw.upper() or "VALUE")
    return text + ("..." if many else "")


def _extras(param: Any, ctx: Any) -> str:
    """[env var: X] [default: Y] [required], as Typer shows them."""
    bits = []
    envvar = getattr(param, "envvar", None)
    if envvar and getattr(param, "show_envvar", True):
        bits.append(f"[env var: {envvar if isinstance(envvar, str) else ', '.join(envvar)}]")
    show_default = getattr(param, "show_default", True)
    if isinstance(show_default, str):
        bits.append(f"[default: {show_default}]")
    elif show_default and not getattr(param, "is_flag", False):
        default = param.default
        if default not in (None, "", (), []) and not callable(default):
            shown = getattr(default, "value", default)
            if isinstance(shown, list | tuple):
                shown = ", ".join(str(getattr(x, "value", x)) for x in shown)
            bits.append(f"[default: {shown}]")
    if param.required:
        bits.append("[required]")
    display = getattr(param, "display_type_rich", None)
    raw = ((display(ctx=ctx) if display else "") or "").strip("<>")
    if "|" in raw and not getattr(param, "metavar", None):
        bits.insert(
            0, "[choices: " + raw.removeprefix("list[").removesuffix("]").replace("|", ", ") + "]"
        )
    return " ".join(bits)


def _usage(command: Any, ctx: Any) -> str:
    pieces = []
    params = [p for p in command.get_params(ctx) if not getattr(p, "hidden", False)]
    if any(isinstance(p, TyperOption) for p in params):
        pieces.append("[OPTIONS]")
    for p in params:
        if isinstance(p, TyperArgument):
            meta = _metavar(p, ctx)
            pieces.append(meta if p.required else f"[{meta}]")
    if isinstance(command, TyperGroup):
        pieces.append("COMMAND [ARGS]...")
    return f"{ctx.command_path} {' '.join(pieces)}".rstrip()


class _Style:
    """ANSI styles, or nothing when the output is not a colour terminal."""

    def __init__(self, on: bool) -> None:
        self.on = on

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.on and text else text


def _use_colour() -> bool:
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


def _panel(title: str, rows: list[tuple[str, str, str, str]], width: int, style: _Style) -> str:
    """A rounded box titled ``title``: name, short name, metavar and wrapped help per row."""
    inner = width - 4  # "│ " + content + " │"
    widths = [max((len(r[i]) for r in rows), default=0) for i in range(3)]
    widths = [w + 2 if w else 0 for w in widths]
    text_width = max(inner - sum(widths), 20)
    colours = ("1;36", "1;32", "33")
    out = [style("╭─ " + title + " " + "─" * max(width - len(title) - 5, 0) + "╮", "2")]
    for row in rows:
        help_lines = textwrap.wrap(_plain(row[3]), text_width, break_on_hyphens=False) or [""]
        for i, text in enumerate(help_lines):
            cells = [
                style(row[c].ljust(widths[c]), colours[c]) if i == 0 else " " * widths[c]
                for c in range(3)
            ]
            pad = inner - sum(widths) - len(text)
            line = "".join(cells) + text + " " * max(pad, 0)
            out.append(style("│", "2") + " " + line + " " + style("│", "2"))
    out.append(style("╰" + "─" * (width - 2) + "╯", "2"))
    return "\n".join(out)


def render_help(command: Any, ctx: Any) -> str:
    """The whole help page of ``command`` as text (ANSI-styled only on a colour terminal)."""
    columns = int(os.environ.get("COLUMNS", 0) or 0) or shutil.get_terminal_size().columns
    width = max(min(columns, 100), 60)
    style = _Style(_use_colour())
    out = ["", " " + style("Usage:", "33") + " " + _usage(command, ctx), ""]
    for block, lines in _paragraphs(command.help or ""):
        if block:
            for ln in lines:
                code = ln[4:] if ln.startswith("    ") else ln
                for part in textwrap.wrap(
                    code, width - 3, subsequent_indent="    ", break_on_hyphens=False
                ) or [""]:
                    out.append("   " + style(part, "32"))  # long example lines wrap, indented
        else:
            text = _plain(" ".join(ln.strip() for ln in lines))
            out.extend(
                textwrap.wrap(
                    text,
                    width - 2,
                    initial_indent=" ",
                    subsequent_indent=" ",
                    break_on_hyphens=False,
                )
            )
        out.append("")
    params = [p for p in command.get_params(ctx) if not getattr(p, "hidden", False)]
    args = [
        (_metavar(p, ctx), "", "", f"{getattr(p, 'help', '') or ''} {_extras(p, ctx)}".strip())
        for p in params
        if isinstance(p, TyperArgument)
    ]
    if args:
        out.append(_panel("Arguments", args, width, style))
    opts = []
    for p in params:
        if not isinstance(p, TyperOption):
            continue
        names = [o for o in (*p.opts, *p.secondary_opts) if o.startswith("--")]
        shorts = [o for o in p.opts if not o.startswith("--")]
        text = f"{p.help or ''} {_extras(p, ctx)}".strip()
        opts.append((", ".join(names), ", ".join(shorts), _metavar(p, ctx), text))
    if opts:
        out.append(_panel("Options", opts, width, style))
    if isinstance(command, TyperGroup):
        rows = []
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                rows.append((name, "", "", short_help(sub)))
        if rows:
            out.append(_panel("Commands", rows, width, style))
    return "\n".join(out) + "\n"
