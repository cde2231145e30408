"""Command help, rendered with a few light Rich pieces instead of Typer's ``rich_utils``.

Why: Typer's Rich help imports ``rich.markdown`` (markdown-it), ``rich.traceback`` (pygments)
and more on every ``--help``; that alone took ``review --help`` past 0.3 s. This renderer draws
the same panels (usage, description, arguments, options, commands) with ``rich.console``,
``rich.panel`` and ``rich.table`` only, and keeps docstrings literally: ``<stage>`` placeholders
survive, indented example blocks keep their lines, and ```code``` spans are shown bold without
backticks. ``benchmarks/cli_speed.py`` times it; ``tests/test_cli_docs.py`` checks its content.
"""

from __future__ import annotations

import os
import re
import shutil
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


def _inline(text: str) -> Any:
    """Rich Text for one paragraph: code spans and **bold** styled, everything else literal."""
    from rich.text import Text

    result = Text()
    pos = 0
    spans = sorted(
        [(m.start(), m.end(), m.group(1), "bold cyan") for m in _CODE.finditer(text)]
        + [(m.start(), m.end(), m.group(1), "bold") for m in _BOLD.finditer(text)]
    )
    for start, end, inner, style in spans:
        if start < pos:
            continue
        result.append(text[pos:start])
        result.append(inner, style=style)
        pos = end
    result.append(text[pos:])
    return result


def short_help(command: Any) -> str:
    """The first paragraph of a command's help, on one line, without markup."""
    text = command.short_help or command.help or ""
    paragraphs = _paragraphs(text)
    first = " ".join(ln.strip() for ln in paragraphs[0][1]) if paragraphs else ""
    return _CODE.sub(r"\1", _BOLD.sub(r"\1", first))


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


def _panel(title: str, rows: list[tuple[str, str, str, str]]) -> Any:
    from rich import box
    from rich.panel import Panel
    from rich.table import Table

    table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 2, 0, 0))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column(style="bold green", no_wrap=True)
    table.add_column(style="yellow", overflow="fold")
    table.add_column(ratio=1)
    for name, short, meta, text in rows:
        table.add_row(name, short, meta, _inline(text))
    return Panel(table, title=title, title_align="left", box=box.ROUNDED, border_style="dim")


def render_help(command: Any, ctx: Any) -> str:
    """The whole help page of ``command`` as text (ANSI-styled only on a terminal)."""
    from rich.console import Console
    from rich.padding import Padding
    from rich.text import Text

    width = min(int(os.environ.get("COLUMNS", 0) or 0) or shutil.get_terminal_size().columns, 100)
    console = Console(width=max(width, 60), highlight=False, soft_wrap=False, record=False)
    with console.capture() as captured:
        console.print(Padding(Text("Usage: ", style="yellow") + Text(_usage(command, ctx)), (1, 1)))
        for block, lines in _paragraphs(command.help or ""):
            if block:
                code = "\n".join(ln[4:] if ln.startswith("    ") else ln for ln in lines)
                console.print(Padding(Text(code, style="green"), (0, 1, 1, 3)))
            else:
                console.print(Padding(_inline(" ".join(ln.strip() for ln in lines)), (0, 1, 1, 1)))
        params = [p for p in command.get_params(ctx) if not getattr(p, "hidden", False)]
        args = [
            (_metavar(p, ctx), "", "", (getattr(p, "help", "") or "") + " " + _extras(p, ctx))
            for p in params
            if isinstance(p, TyperArgument)
        ]
        if args:
            console.print(_panel("Arguments", args))
        opts = []
        for p in params:
            if not isinstance(p, TyperOption):
                continue
            longs = [o for o in p.opts if o.startswith("--")] + [
                o for o in p.secondary_opts if o.startswith("--")
            ]
            shorts = [o for o in p.opts if not o.startswith("--")]
            text = f"{p.help or ''} {_extras(p, ctx)}".strip()
            opts.append((", ".join(longs), ", ".join(shorts), _metavar(p, ctx), text))
        if opts:
            console.print(_panel("Options", opts))
        if isinstance(command, TyperGroup):
            rows = []
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None and not sub.hidden:
                    rows.append((name, "", "", short_help(sub)))
            if rows:
                console.print(_panel("Commands", rows))
    return captured.get()
