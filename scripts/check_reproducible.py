"""Two fresh installs from the lock give byte-identical derived outputs.

    python scripts/check_reproducible.py [--keep DIR]

Builds two independent virtual environments (each `pip install -c requirements/lock.txt .` of
this checkout: the exact versions of the lock, in a non-editable wheel install), runs
`review demo` with the first, copies that project (raw files and decision logs: the same inputs)
and rebuilds every derived output with the second (review.demo.DERIVED_STEPS), then compares
the digests of every derived output (review.demo.output_digests: JSON without run times, xlsx
without document dates, everything else byte for byte). Prints the digests that differ and exits 1 if any does. Takes a few minutes (two installs).
Run by `tests/test_reproducible.py` (marked slow: CI runs it).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def install(where: Path) -> Path:
    """A fresh virtual environment with this checkout installed from the lock; its bin/."""
    env_dir = where / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    pip = [str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    lock = ROOT / "requirements" / "lock.txt"  # [project] declares ranges; the lock pins them
    subprocess.run([*pip, "--disable-pip-version-check", "-c", str(lock), str(ROOT)], check=True)
    return env_dir / "bin"


def digests(bin_dir: Path, project: Path) -> dict[str, str]:
    code = (
        "import json, sys; from pathlib import Path; from review.demo import output_digests; "
        "print(json.dumps(output_digests(Path(sys.argv[1]))))"
    )
    out = subprocess.run(
        [str(bin_dir / "python"), "-c", code, str(project)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def rebuild(bin_dir: Path, project: Path) -> None:
    """Delete outputs/ and the cache, then run the commands that derive them again."""
    code = (
        "from review.demo import DERIVED_STEPS as D; from review.cli.demo_steps import step_argv; "
        "print('\\n'.join(' '.join(step_argv(s)) for s in D))"
    )
    commands = subprocess.run(
        [str(bin_dir / "python"), "-c", code], check=True, capture_output=True, text=True
    ).stdout.splitlines()
    shutil.rmtree(project / "outputs")
    shutil.rmtree(project / ".review", ignore_errors=True)
    for line in commands:
        argv = [str(bin_dir / "review"), *line.split(), "--project", str(project)]
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build in DIR and keep it (default: a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        bin_a = install(base / "install-a")
        bin_b = install(base / "install-b")
        demo_a = base / "install-a" / "demo"
        subprocess.run(
            [str(bin_a / "review"), "demo", str(demo_a), "--quiet"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        # the same inputs (the demo's raw files and decision logs) rebuilt by the other install
        demo_b = base / "install-b" / "demo"
        shutil.copytree(demo_a, demo_b)
        rebuild(bin_b, demo_b)
        runs = [digests(bin_a, demo_a), digests(bin_b, demo_b)]
    a, b = runs
    differ = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    print(f"{len(a)} derived outputs compared across two fresh installs; {len(differ)} differ")
    for key in differ:
        print(f"  differs: {key}")
    return 1 if differ or not a else 0


if __name__ == "__main__":
    sys.exit(main())
