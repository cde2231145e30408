"""`review --help` start-up time, next to a bare `python -c pass` run the same way.

    python benchmarks/cli_speed.py [--runs 21]

Each command runs as a fresh process (as a user types it), interleaved, and the median wall time
is printed with the difference to the bare interpreter. This script imports nothing from
`review`; the goal is a `review --help` median under 0.3 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

GOAL = 0.3


def wall(cmd: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run; CPU time barely moves with load."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    review = shutil.which("review") or sys.exit("review is not on PATH: pip install -e .")
    commands = {
        "python -c pass (baseline)": [sys.executable, "-c", "pass"],
        "review --help": [review, "--help"],
        "review import --help": [review, "import", "--help"],
        "review screen --help": [review, "screen", "--help"],
    }
    # A first run writes review's .pyc files, as after any install; with PYTHONDONTWRITEBYTECODE
    # set (some shells and CI images set it) every run would compile the package from source.
    code = "import pathlib, review; print(pathlib.Path(review.__file__).parent)"
    package = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    subprocess.run([sys.executable, "-m", "compileall", "-q", package], check=True)
    for cmd in commands.values():  # warm the file cache
        wall(cmd)
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, cmd in commands.items():
            elapsed, used = wall(cmd)
            times[name].append(elapsed)
            cpu[name].append(used)
    base = statistics.median(times["python -c pass (baseline)"])
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores, {args.runs} runs each")
    print(f"{'command':<28} {'median s':>9} {'p90 s':>7} {'minus baseline':>15} {'CPU s':>7}")
    for name, values in times.items():
        med = statistics.median(values)
        p90 = sorted(values)[int(0.9 * (len(values) - 1))]
        used = statistics.median(cpu[name])
        print(f"{name:<28} {med:>9.3f} {p90:>7.3f} {med - base:>15.3f} {used:>7.3f}")
    help_median = statistics.median(times["review --help"])
    verdict = "met" if help_median < GOAL else "NOT met"
    print(f"goal: review --help median < {GOAL} s: {verdict} ({help_median:.3f} s)")


if __name__ == "__main__":
    main()
