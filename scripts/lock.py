"""Refresh the lock: resolve exact versions for requirements/*.in and write them into pyproject.

    pip install uv            # once
    python scripts/lock.py    # after editing requirements/*.in, or to take newer versions

Why the pins live in pyproject.toml: the README's install is `pip install -e ".[dev]"`, and pip
has no lock-file format it installs from. With every package of the closure pinned (`==`, with
environment markers from a universal resolution), that one command installs exactly the locked
set on any machine, so results and speed do not depend on what the resolver picks on the day.

Each list in pyproject.toml sits between `# BEGIN LOCK <name>` and `# END LOCK <name>` lines:
`app` (the project's dependencies), `dev` and `bench` (extras; they hold only what the app list
does not already pin). The .in files hold the ranges people choose; `tests/test_lock.py` checks
that every name in them is pinned.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQ = ROOT / "requirements"
PYTHON = "3.11"


def compile_pins(inputs: list[Path], constraints: list[str]) -> list[str]:
    """Exact pins for ``inputs`` under ``constraints`` (universal markers, Python 3.11+)."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(constraints) + "\n")
        constraint_file = handle.name
    cmd = [
        "uv", "pip", "compile", *map(str, inputs), "-c", constraint_file, "--universal",
        "--python-version", PYTHON, "--no-header", "--no-annotate", "-q",
    ]  # fmt: skip
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    Path(constraint_file).unlink()
    return [line.strip() for line in out.splitlines() if line.strip() and not line.startswith("#")]


def replace_block(text: str, name: str, pins: list[str]) -> str:
    pattern = re.compile(
        rf"^([ \t]*)# BEGIN LOCK {name}\b[^\n]*\n(.*?)^[ \t]*# END LOCK {name}\b", re.S | re.M
    )
    match = pattern.search(text)
    if not match:
        sys.exit(f"pyproject.toml has no '# BEGIN LOCK {name}' … '# END LOCK {name}' block")
    indent = match.group(1)
    body = "".join(f'{indent}"{pin}",\n' for pin in pins)
    return text[: match.start(2)] + body + text[match.end(2) :]


def main() -> None:
    app = compile_pins([REQ / "app.in"], [])
    dev_all = compile_pins([REQ / "app.in", REQ / "dev.in"], app)
    bench_all = compile_pins([REQ / "app.in", REQ / "dev.in", REQ / "bench.in"], dev_all)
    dev = [p for p in dev_all if p not in app]
    bench = [p for p in bench_all if p not in dev_all]
    path = ROOT / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    for name, pins in (("app", app), ("dev", dev), ("bench", bench)):
        text = replace_block(text, name, pins)
    path.write_text(text, encoding="utf-8")
    print(f"locked {len(app)} app, {len(dev)} dev, {len(bench)} bench pins into pyproject.toml")


if __name__ == "__main__":
    main()
