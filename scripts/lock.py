"""Refresh the lock: resolve exact versions for requirements/*.in, write requirements/lock.txt and
the pins of the `dev` and `bench` extras in pyproject.toml.

    pip install uv            # once
    python scripts/lock.py    # after editing requirements/*.in (keeps the other versions)
    python scripts/lock.py --upgrade   # take the newest versions the ranges allow

Declared like a package, locked like an application:

- ``[project] dependencies`` (what a wheel of review declares) are the *ranges* of
  ``requirements/app.in``, copied verbatim: ``pip install review`` resolves next to whatever else
  is installed (e.g. ``rich<15`` or ``packaging<26``), and a security fix anywhere in the closure
  needs no release of review.
- ``requirements/lock.txt`` is the *lock*: one universal resolution (``uv pip compile
  --universal``, environment markers for every platform, Python 3.11+) of app.in + dev.in +
  bench.in, every package of the closure pinned with ``==``. It is a pip constraints file: CI
  installs with ``pip install -e ".[dev]" -c requirements/lock.txt``.
- The ``dev`` extra carries the exact pins of the lock's app + dev closure, and ``bench`` the
  pins that only the benchmarks add. pip has no lock-file format it installs from by itself, so
  this is what keeps the README's one command, ``pip install -e ".[dev]"``, installing exactly
  the locked set on a fresh machine, while a plain ``pip install review`` sees only ranges.

Why a constraints file rather than uv.lock or pylock.toml: pip (the README's installer) reads it
with ``-c`` today, it keeps universal markers, and it diffs line by line in review. The ``dev``
list is resolved again from the .in files under ``-c lock.txt``, so it is exactly the subset of
the lock that app + dev need, never a version the lock does not hold.

Each generated list in pyproject.toml sits between ``# BEGIN LOCK <name>`` and ``# END LOCK
<name>`` lines (``app``: ranges; ``dev``, ``bench``: pins). ``tests/test_lock.py`` keeps the
three in step (ranges = app.in, every pin in the lock, every lock pin inside its range, every
package review/ imports declared) and, in CI only, checks the installed set against the lock.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQ = ROOT / "requirements"
LOCK = REQ / "lock.txt"
PYTHON = "3.11"
HEADER = """\
# The lock: every package of review's closure (app + dev + bench), pinned exactly, with
# environment markers for every platform and Python >= 3.11. A pip constraints file:
#     pip install -e ".[dev]" -c requirements/lock.txt
# Written by `python scripts/lock.py` from requirements/*.in; do not edit by hand.
"""


def requirement_lines(path: Path) -> list[str]:
    """The requirement strings of a .in file, comments and blank lines dropped."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
    return [line for line in lines if line]


def uv_compile(inputs: list[Path], *options: str) -> str:
    cmd = [
        "uv", "pip", "compile", *map(str, inputs), "--universal",
        "--python-version", PYTHON, "--no-header", "-q", *options,
    ]  # fmt: skip
    return subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT).stdout


def pins(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]


def replace_block(text: str, name: str, lines: list[str]) -> str:
    pattern = re.compile(
        rf"^([ \t]*)# BEGIN LOCK {name}\b[^\n]*\n(.*?)^[ \t]*# END LOCK {name}\b", re.S | re.M
    )
    match = pattern.search(text)
    if not match:
        sys.exit(f"pyproject.toml has no '# BEGIN LOCK {name}' … '# END LOCK {name}' block")
    indent = match.group(1)
    body = "".join(f'{indent}"{line}",\n' for line in lines)
    return text[: match.start(2)] + body + text[match.end(2) :]


def main() -> None:
    app_in, dev_in, bench_in = (REQ / f"{n}.in" for n in ("app", "dev", "bench"))
    # -o: uv keeps the versions already in the lock unless an .in range (or --upgrade) moves them
    uv_compile([app_in, dev_in, bench_in], "-o", str(LOCK), *sys.argv[1:])
    lock_text = LOCK.read_text(encoding="utf-8").removeprefix(HEADER)
    LOCK.write_text(HEADER + lock_text, encoding="utf-8")
    every = pins(lock_text)
    dev = pins(uv_compile([app_in, dev_in], "-c", str(LOCK), "--no-annotate"))
    outside = [p for p in dev if p not in every]
    if outside:
        sys.exit(f"the app + dev resolution left the lock: {outside}")
    bench = [p for p in every if p not in dev]
    path = ROOT / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    blocks = (("app", requirement_lines(app_in)), ("dev", dev), ("bench", bench))
    for name, lines in blocks:
        text = replace_block(text, name, lines)
    path.write_text(text, encoding="utf-8")
    print(f"locked {len(every)} packages in {LOCK.relative_to(ROOT)}; pyproject.toml: ", end="")
    print(f"{len(blocks[0][1])} ranges, {len(dev)} dev pins, {len(bench)} bench pins")


if __name__ == "__main__":
    main()
