"""README.md is checked: its console transcripts are the demo's real output, and its claims hold."""

from __future__ import annotations

import re
import tomllib

import pytest

from tests.helpers.paths import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def _console_blocks(text: str) -> list[list[str]]:
    return [m.group(1).splitlines() for m in re.finditer(r"```console\n(.*?)```", text, re.S)]


@pytest.mark.slow  # CI runs it (pytest -m slow); the default loop stays fast
def test_every_console_transcript_is_the_demos_output(demo_run) -> None:
    """Every output line in a README console block is a line `review demo` printed or logged
    (outputs/demo/commands.md); commands (`$ …`) and comments may be shortened."""
    log = (demo_run.root / "outputs" / "demo" / "commands.md").read_text(encoding="utf-8")
    produced = {line.rstrip() for line in log.splitlines() + demo_run.stdout.splitlines()}
    blocks = _console_blocks(README)
    assert len(blocks) >= 5
    checked = 0
    for block in blocks:
        for line in block:
            if not line.strip() or line.startswith("$") or line.strip() in {"…", "..."}:
                continue
            assert line.rstrip() in produced, f"README line not printed by the demo: {line!r}"
            checked += 1
    assert checked >= 20


def test_library_table_matches_the_dependencies() -> None:
    """The README's "Libraries, and why" table names every package people chose (the .in files)."""
    table = README[README.index("## Libraries, and why") :]
    table = table[: table.index("\n## ", 5)]
    named = {m.lower() for m in re.findall(r"^\|\s*([^|]+?)\s*\|", table, re.M)}
    named_words = {w.strip(" ()").split(" ")[0] for cell in named for w in cell.split(",")}
    chosen = []
    for name in ("app", "dev", "bench"):
        for line in (REPO_ROOT / "requirements" / f"{name}.in").read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                chosen.append(re.split(r"[<>=!~ \[;]", line.strip(), maxsplit=1)[0].lower())
    missing = [c for c in chosen if c not in named_words and c.replace("-", "_") not in named_words]
    assert missing == [], f"README's library table does not mention {missing}"
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["dependencies"], "no locked dependencies"
