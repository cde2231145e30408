"""Import speed: a generated 100,000-record RIS file (~200 MB) through our reader vs rispy.

Not a test. Run:  .venv/bin/python benchmarks/import_speed.py [--records N] [--keep DIR]
                                                             [--file FILE] [--runs N]
                                                             [--import-only]
(``--keep DIR`` keeps the generated file; ``--file`` times an existing RIS file instead;
``--runs`` how many interleaved runs each loader gets (best taken; 3); ``--import-only`` times
just ``rispy.load`` and ``review import`` (``import_files`` into a fresh project: parse into the
on-disk record store, copy the raw file, write the log), each in a fresh process with its peak
memory: the issue-23 targets, 1M records <= 4 GB and <= 1.2x rispy, 100k <= 600 MB.)

Prints, in one run: the file size; the time of ``review.io.readers.read_file`` (parse and
normalise into entries) and of ``review.importer.load_file_records`` (the same, plus Record
objects), of ``import_files`` into a fresh project (validate, hash,
copy the raw file, write the log) and of ``rispy.load`` on the same file, all in this process;
the ratio ours / rispy (each the best of three interleaved runs); and the peak resident memory of each loader,
measured in a fresh Python process so one does not inflate the other (``resource.getrusage``
max RSS: growth over the process's size after imports, and absolute).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = (
    "peer support parents child protection family group conference outcomes randomised trial "
    "qualitative study systematic review intervention foster care kinship placement stability "
    "wellbeing mental health social work practice evaluation cohort adolescents services policy "
    "community engagement participation reunification neglect abuse prevention home visiting"
).split()
SURNAMES = "Smith Jones Garcia Müller Nguyen Okafor Rossi Kowalski Tanaka Silva Dubois".split()
TYPES = ("JOUR", "JOUR", "JOUR", "BOOK", "CHAP", "CONF", "RPRT", "THES")


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()


def make_record(rng: random.Random, i: int) -> str:
    lines = [f"TY  - {rng.choice(TYPES)}", f"ID  - rec{i}", f"TI  - {_sentence(rng, 14)}"]
    for _ in range(rng.randint(2, 12)):
        lines.append(f"AU  - {rng.choice(SURNAMES)}, {rng.choice('ABCDEFGHJK')}.")
    lines += [
        f"PY  - {rng.randint(1990, 2024)}",
        f"T2  - Journal of {_sentence(rng, 3)}",
        f"VL  - {rng.randint(1, 80)}",
        f"IS  - {rng.randint(1, 12)}",
        f"SP  - {(sp := rng.randint(1, 900))}",
        f"EP  - {sp + rng.randint(5, 30)}",
        f"DO  - 10.{rng.randint(1000, 9999)}/j.x.{i}",
        f"SN  - {rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
        f"AB  - {_sentence(rng, 190)}.",
        f"UR  - https://example.org/record/{i}",
        "LA  - English",
    ]
    lines += [f"KW  - {rng.choice(WORDS)} {rng.choice(WORDS)}" for _ in range(rng.randint(3, 8))]
    lines.append("ER  - ")
    return "\n".join(lines) + "\n\n"


def generate(path: Path, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        chunk: list[str] = []
        for i in range(1, n + 1):
            chunk.append(make_record(rng, i))
            if len(chunk) == 2000:
                fh.write("".join(chunk))
                chunk.clear()
        fh.write("".join(chunk))


def load_ours(path: Path) -> int:
    from review.importer import load_file_records

    return len(load_file_records(path, source="bench"))


def parse_only(path: Path) -> int:
    from review.io.readers import read_file

    return len(read_file(path).entries)


def load_rispy(path: Path) -> int:
    import rispy

    with open(path, encoding="utf-8-sig") as fh:
        return len(rispy.load(fh))


def import_into_project(path: Path, root: Path | None = None) -> int:
    import shutil

    from review.importer import import_files
    from review.project import Project

    os.environ.setdefault("REVIEW_MAX_IMPORT_MB", str(path.stat().st_size // (1 << 20) + 1))
    folder = Path(tempfile.mkdtemp(dir=root or path.parent))
    try:
        project = Project.init(folder / "proj", title="bench")
        reports = import_files(project, [path], source="Bench", who="bench")
        return reports[0].imported
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def timed(fn, *args) -> tuple[float, int]:
    """Wall-clock seconds of one run and its result."""
    gc.collect()
    t0 = time.perf_counter()
    n = fn(*args)
    return time.perf_counter() - t0, n


def _rss_mb() -> float:
    """Peak resident memory of this process in MB.

    Linux's VmHWM (per address space, so it starts afresh after exec); elsewhere ru_maxrss,
    which on Linux would also count the parent's peak before the fork.
    """
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale / (1024 if scale == 1 else 1)


LOADERS = {"ours": load_ours, "rispy": load_rispy, "import": import_into_project}


def peak_in_child(which: str, path: Path) -> tuple[float, float, float, float]:
    """(peak RSS growth MB, absolute peak RSS MB, seconds, CPU seconds) of one loader in a
    fresh process (CPU time: what a busy machine distorts least). The import may read in
    worker processes: its CPU time is theirs and its own, its peak the larger of its own peak
    RSS and the largest sum of its and their PSS (``--workers 0`` reads in one process)."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", which, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    growth, peak, seconds, cpu = (float(x) for x in out.stdout.split())
    return growth, peak, seconds, cpu


class _TreePeak:
    """The largest sum of the proportional set size (PSS: resident memory, each page shared by
    several processes divided among them) of this process and its children (the import's worker
    processes, forked: they share the export's bytes with this process, which their RSS would
    count again), sampled every 50 ms in a thread. Linux only (0 elsewhere)."""

    def __init__(self) -> None:
        import threading

        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @staticmethod
    def _pss_kb(pid: int | str) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.wait(0.05):
            total = self._pss_kb(me)
            try:
                pids = [p for p in os.listdir("/proc") if p.isdigit()]
            except OSError:
                pids = []
            for pid in pids:
                try:
                    with open(f"/proc/{pid}/stat") as fh:
                        ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
                if ppid == me:
                    total += self._pss_kb(pid)
            self.peak_kb = max(self.peak_kb, total)

    def stop(self) -> float:
        """The peak in MB."""
        self._stop.set()
        self._thread.join()
        return self.peak_kb / 1024


def child(which: str, path: Path) -> None:
    import rispy  # noqa: F401

    import review.importer
    import review.io.readers.ris
    import review.project
    import review.recordcache  # noqa: F401

    base = _rss_mb()
    tree = _TreePeak()
    t0, c0 = time.perf_counter(), os.times()
    LOADERS[which](path)
    seconds, c1 = time.perf_counter() - t0, os.times()
    # CPU time of this process and of its (reaped) worker processes
    cpu = sum(c1[:4]) - sum(c0[:4])
    peak = max(_rss_mb(), tree.stop())
    print(peak - base, peak, seconds, cpu)


def import_only(path: Path, runs: int) -> int:
    """``rispy.load`` vs ``review import``, interleaved, each run in a fresh process."""
    best: dict[str, tuple[float, float, float, float]] = {}
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"cores: {cores}, REVIEW_WORKERS={os.environ.get('REVIEW_WORKERS', '(auto)')}")
    for _ in range(runs):
        for which in ("rispy", "import"):
            got = peak_in_child(which, path)
            if which not in best or got[2] < best[which][2]:
                best[which] = got
            load = " ".join(f"{x:.2f}" for x in os.getloadavg())
            print(
                f"  {which:7s} {got[2]:7.1f} s (CPU {got[3]:6.1f} s)  peak {got[1]:6.0f} MB  "
                f"(load {load})"
            )
    (_, p_rispy, t_rispy, c_rispy), (_, p_imp, t_imp, c_imp) = best["rispy"], best["import"]
    print(f"rispy.load:    {t_rispy:6.1f} s, CPU {c_rispy:6.1f} s, peak {p_rispy:6.0f} MB")
    print(f"review import: {t_imp:6.1f} s, CPU {c_imp:6.1f} s, peak {p_imp:6.0f} MB")
    print(
        f"ratio import / rispy: {t_imp / t_rispy:.2f} wall, {c_imp / c_rispy:.2f} CPU "
        f"(best of {runs}; goal <= 1.2)"
    )
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="write the generated file here and keep it")
    parser.add_argument("--file", type=Path, help="time this RIS file instead of generating one")
    parser.add_argument("--runs", type=int, default=3, help="interleaved runs per loader")
    parser.add_argument("--import-only", action="store_true", help="rispy vs review import")
    parser.add_argument(
        "--workers",
        help="REVIEW_WORKERS for the import (0: one process; default: one per core, at most 4)",
    )
    parser.add_argument("--child", nargs=2, metavar=("LOADER", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.workers is not None:
        os.environ["REVIEW_WORKERS"] = args.workers  # inherited by the child processes
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        if args.file:
            path = args.file
            print(f"{path}: {path.stat().st_size / 1e6:.0f} MB")
        else:
            path = (args.keep or Path(tmp)) / f"bench-{args.records}.ris"
            path.parent.mkdir(parents=True, exist_ok=True)
            t0 = time.perf_counter()
            generate(path, args.records)
            size = path.stat().st_size / 1e6
            took = time.perf_counter() - t0
            print(f"generated {args.records:,} records, {size:.0f} MB in {took:.1f} s")

        if args.import_only:
            return import_only(path, args.runs)
        # Warm imports (module loading is not what we measure).
        import rispy  # noqa: F401

        import review.importer
        import review.io.readers.ris  # noqa: F401

        # Interleaved, best of three each: the machine may be shared, so take each loader's
        # quietest run and let both see the same conditions.
        t_rispy = t_ours = t_parse = float("inf")
        for _ in range(args.runs):
            t, n_rispy = timed(load_rispy, path)
            t_rispy = min(t_rispy, t)
            t, n_ours = timed(load_ours, path)
            t_ours = min(t_ours, t)
            t, _ = timed(parse_only, path)
            t_parse = min(t_parse, t)
        t_import, n_import = timed(import_into_project, path, Path(tmp))
        print(f"rispy.load:                    {t_rispy:6.1f} s  ({n_rispy:,} records)")
        print(f"review read_file (entries):    {t_parse:6.1f} s  (parse + normalise)")
        print(f"review load_file_records:      {t_ours:6.1f} s  ({n_ours:,} records)")
        print(f"review import_files (project): {t_import:6.1f} s  ({n_import:,} records)")
        print(f"ratio ours / rispy:            {t_ours / t_rispy:6.2f}  (goal <= 1.0; Records)")
        print(f"ratio read_file / rispy:       {t_parse / t_rispy:6.2f}  (entries, no Records)")
        g_ours, p_ours, *_ = peak_in_child("ours", path)
        g_rispy, p_rispy, *_ = peak_in_child("rispy", path)
        g_imp, p_imp, *_ = peak_in_child("import", path)
        print(f"peak memory, import: +{g_imp:5.0f} MB (process peak {p_imp:.0f} MB)")
        print(f"peak memory, ours:  +{g_ours:5.0f} MB (process peak {p_ours:.0f} MB; goal <= 1000)")
        print(f"peak memory, rispy: +{g_rispy:5.0f} MB (process peak {p_rispy:.0f} MB)")
        print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if n_ours < n_rispy:
            print("WARNING: we read fewer records than rispy", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
