"""Scale benchmark: 10k / 100k / 1M generated records through every command, next to rispy and
bib-dedupe on the same records, in one run.

Per size it generates studies exported by 1-4 "databases" (about 40 % duplicates, corrupted the
way exports differ; the generator of ``benchmarks/dedup_speed.py``) with realistic abstracts,
written as one RIS file per database, then times each step as its own child process and reports
its wall time, CPU time and peak resident memory (``os.wait4``'s ``ru_maxrss`` of that child,
with its children: the largest single process; the generator runs in a child so that this
process stays at about 30 MB, the floor of every peak), and "tree MB": the peak of the summed
PSS of the child and every process under it (import, ranking and drawing workers), sampled
every 0.1 s, so a short spike between samples may be missed:

- ``import``: ``review import`` of every RIS file (one command per file, summed; peak = largest);
- ``dedup``: ``review dedup``;
- then two reviewers' complete title/abstract logs are written (about 10 % disagreements, 20 %
  includes, resolutions not needed for the counts) and a third reviewer's first 200 decisions;
- ``screen open``: a fresh process from start to the first record of ``review screen`` in
  relevance order (the default), twice: ``cold`` (no ranking cache: the features are built in the
  background after the record is shown) and ``warm`` (the next session: the last ranking and
  the features come from ``.review/rank/``); also when the worker's first ranking arrived;
- ``prisma``, ``report``, ``status``, ``screen export`` (one reviewer's sheet);
- ``rispy``: ``rispy.load`` of the same RIS files (summed; peak = largest);
- ``bib-dedupe``: prep + block + match + cluster on the same records (up to
  ``--bib-dedupe-max`` records: it needs about 10 minutes at 100k).

Prints one table with the load average before and after each size. Big runs: serialise them with
the other users of the machine, e.g.
``flock /tmp/bigrun.lock python benchmarks/scale.py --sizes 10000,100000``.

Usage: ``python benchmarks/scale.py [--sizes 10000,100000] [--tools review,rispy,bib-dedupe]
[--bib-dedupe-max 100000] [--dir D] [--json FILE]``
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from dedup_speed import generate  # noqa: E402 - the benchmarks' shared generator
from import_speed import WORDS  # noqa: E402

TA = "title-abstract"
REVIEWERS = ("Bench A", "Bench B")
THIRD = "Bench C"


# ---- data ------------------------------------------------------------------------------------
def write_exports(folder: Path, n: int) -> tuple[list[Path], Path]:
    """One RIS file per database and the same records as a bib-dedupe CSV."""
    records, _truth = generate(n)
    rng = random.Random(11)
    files: dict[str, list[str]] = {}
    rows = []
    for r in records:
        abstract = " ".join(rng.choice(WORDS) for _ in range(rng.randint(120, 220)))
        first, _, last = r.pages.partition("-")
        lines = ["TY  - JOUR", f"ID  - {r.record_id}", f"TI  - {r.title}"]
        lines += [f"AU  - {a}" for a in r.authors]
        lines += [f"PY  - {r.year}", f"T2  - {r.journal}", f"VL  - {r.volume}"]
        lines += [f"IS  - {r.issue}", f"SP  - {first}", f"EP  - {last}"]
        if r.doi:
            lines.append(f"DO  - {r.doi}")
        lines += [f"AB  - {abstract.capitalize()}.", "ER  - ", "", ""]
        files.setdefault(r.source, []).append("\n".join(lines))
        rows.append(
            {
                "ID": r.record_id,
                "ENTRYTYPE": "article",
                "title": r.title,
                "author": " and ".join(r.authors),
                "year": r.year,
                "journal": r.journal,
                "volume": r.volume,
                "number": r.issue,
                "pages": r.pages,
                "doi": r.doi,
                "abstract": abstract,
            }
        )
    paths = []
    for source, chunks in sorted(files.items()):
        path = folder / f"{source}.ris"
        path.write_text("".join(chunks), encoding="utf-8")
        paths.append(path)
    table = folder / "records.csv"
    with open(table, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return paths, table


def write_logs(proj: Path) -> int:
    """Two reviewers' complete title/abstract logs and a third one's first 200 decisions."""
    rng = random.Random(5)
    with open(proj / "outputs" / "dedup" / "clusters.csv", encoding="utf-8-sig") as fh:
        main = [
            r["record_id"]
            for r in csv.DictReader(fh)
            if r["record_id"] == r["cluster_id"] and r["branch"] == "main"
        ]
    folder = proj / "data" / "screening"
    folder.mkdir(parents=True, exist_ok=True)
    base = {c: ("include" if rng.random() < 0.2 else "exclude") for c in main}
    for who, flip, limit in ((REVIEWERS[0], 0.0, None), (REVIEWERS[1], 0.1, None), (THIRD, 0, 200)):
        with open(folder / f"{who.lower().replace(' ', '-')}.jsonl", "w", encoding="utf-8") as fh:
            for cid in main[:limit]:
                dec = base[cid]
                if rng.random() < flip:
                    dec = "exclude" if dec == "include" else "include"
                line = {
                    "op": "decide",
                    "record_id": cid,
                    "stage": TA,
                    "decision": dec,
                    "reason": "",
                    "note": "",
                    "reviewer": who,
                    "at": "2026-01-01T00:00:00.000000Z",
                    "tool_version": "bench",
                }
                fh.write(json.dumps(line, separators=(",", ":")) + "\n")
    return len(main)


# ---- running one step ------------------------------------------------------------------------
def _tree(pid: int) -> list[int]:
    """``pid`` and every process descended from it (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, ()))
    return out


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class TreeMemory:
    """The largest sum of the proportional set sizes (PSS: shared pages split between the
    processes sharing them) of a process and its descendants, sampled every 0.1 s in a thread:
    what a command with worker processes takes from the machine at once, where the peak RSS of
    ``wait4`` is that of its largest single process."""

    def __init__(self, pid: int) -> None:
        import threading

        self.pid, self.peak_kb = pid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            total = sum(_pss_kb(p) for p in _tree(self.pid))
            self.peak_kb = max(self.peak_kb, total)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return round(self.peak_kb / 1024)


def run(cmd: list[str], cwd: Path) -> dict:
    """Wall time, CPU time (user + sys) and peak RSS of one child process (its largest process,
    from ``wait4``), and the sampled peak PSS of its whole process tree (:class:`TreeMemory`)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    tree = TreeMemory(proc.pid)
    assert proc.stdout is not None
    out = proc.stdout.read()
    tree_mb = tree.stop()  # before the wait: the processes are still there to be read
    _pid, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{out.decode()[-3000:]}")
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(ru.ru_utime + ru.ru_stime, 2),
        "peak_mb": round(ru.ru_maxrss / 1024),
        "tree_mb": tree_mb,
        "out": out.decode("utf-8", "replace")[-400:],
    }


def combine(parts: list[dict]) -> dict:
    return {
        "wall_s": round(sum(p["wall_s"] for p in parts), 2),
        "cpu_s": round(sum(p["cpu_s"] for p in parts), 2),
        "peak_mb": max(p["peak_mb"] for p in parts),
        "tree_mb": max(p.get("tree_mb", 0) for p in parts),
    }


REVIEW = [sys.executable, "-m", "review"]

OPEN_SCRIPT = """
import sys, time
t0 = time.perf_counter()
from review.project import Project
from review.screen.session import ScreeningSession
def main():
    s = ScreeningSession(
        Project.open(sys.argv[1]), "title-abstract", sys.argv[2], order="relevance"
    )
    item = s.item()
    opened = time.perf_counter() - t0
    assert item is not None and item.record is not None
    r = s.ranker
    while r is not None and (r.latest is None or r.latest.version == 0) and r.error is None:
        time.sleep(0.05)
    ranked = time.perf_counter() - t0
    s.close()
    print("OPEN", round(opened, 2), round(ranked, 2), r.status if r else "", r.error if r else "")
if __name__ == "__main__":
    main()
"""


def screen_open(proj: Path, script: Path) -> dict:
    res = run([sys.executable, str(script), str(proj), THIRD], proj)
    fields = res.pop("out").split("OPEN", 1)[1].split()
    res["open_s"], res["first_ranking_s"] = float(fields[0]), float(fields[1])
    return res


def review_steps(work: Path, ris: list[Path]) -> dict:
    proj = work / "proj"
    shutil.rmtree(proj, ignore_errors=True)
    run([*REVIEW, "init", str(proj), "--title", "Scale benchmark"], work)
    steps: dict[str, dict] = {}
    steps["import"] = combine(
        [run([*REVIEW, "import", str(p), "--source", p.stem], proj) for p in ris]
    )
    steps["dedup"] = run([*REVIEW, "dedup"], proj)
    write_logs(proj)
    script = work / "open_screener.py"
    script.write_text(OPEN_SCRIPT, encoding="utf-8")
    shutil.rmtree(proj / ".review" / "rank", ignore_errors=True)
    steps["screen open (cold)"] = screen_open(proj, script)
    steps["screen open (warm)"] = screen_open(proj, script)
    steps["prisma"] = run([*REVIEW, "prisma"], proj)
    steps["report"] = run([*REVIEW, "report"], proj)
    steps["status"] = run([*REVIEW, "status"], proj)
    sheet = work / "sheet.xlsx"
    steps["screen export"] = run(
        [*REVIEW, "screen", "export", "--stage", TA, "--reviewer", REVIEWERS[0], "-o", str(sheet)],
        proj,
    )
    for s in steps.values():
        s.pop("out", None)
    return steps


RISPY = """
import sys, rispy
n = 0
for p in sys.argv[1:]:
    with open(p, encoding="utf-8-sig") as fh:
        n += len(rispy.load(fh))
print("RECORDS", n)
"""

BIB_DEDUPE = """
import io, sys, contextlib
import pandas as pd
from bib_dedupe.bib_dedupe import block, cluster, match, prep
df = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
with contextlib.redirect_stdout(io.StringIO()):
    groups = cluster(match(block(prep(df, verbosity_level=0), verbosity_level=0),
                           verbosity_level=0), verbosity_level=0)
print("GROUPS", len(groups))
"""


def load_avg() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def one_size(n: int, tools: set[str], bib_max: int, root: Path) -> dict:
    work = root / f"n{n}"
    work.mkdir(parents=True, exist_ok=True)
    # generated in a child process: a child's peak memory (ru_maxrss) starts from its parent's
    # size at fork, so this process stays small
    subprocess.run([sys.executable, __file__, "--generate", str(n), str(work)], check=True)
    ris = sorted(work.glob("db*.ris"))
    table = work / "records.csv"
    out: dict = {"records": n, "load_before": load_avg(), "steps": {}}
    if "review" in tools:
        out["steps"].update(review_steps(work, ris))
    if "rispy" in tools:
        res = run([sys.executable, "-c", RISPY, *map(str, ris)], work)
        res.pop("out")
        out["steps"]["rispy.load"] = res
    if "bib-dedupe" in tools and n <= bib_max:
        res = run([sys.executable, "-c", BIB_DEDUPE, str(table)], work)
        res.pop("out")
        out["steps"]["bib-dedupe"] = res
    out["load_after"] = load_avg()
    return out


def print_table(results: list[dict]) -> None:
    print(
        f"{'records':>9}  {'step':<20} {'wall s':>8} {'cpu s':>8} {'peak MB':>8} {'tree MB':>8}"
        "  notes"
    )
    for res in results:
        for name, s in res["steps"].items():
            note = ""
            if "open_s" in s:
                note = f"first record {s['open_s']} s, first ranking {s['first_ranking_s']} s"
            print(
                f"{res['records']:>9}  {name:<20} {s['wall_s']:>8} {s['cpu_s']:>8} "
                f"{s['peak_mb']:>8} {s.get('tree_mb', ''):>8}  {note}"
            )
        print(f"{'':>9}  load average (1/5/15 min) {res['load_before']} -> {res['load_after']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--tools", default="review,rispy,bib-dedupe")
    ap.add_argument("--bib-dedupe-max", type=int, default=100_000)
    ap.add_argument("--dir", type=Path, default=None, help="work here (kept) instead of a temp dir")
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    ap.add_argument("--generate", nargs=2, metavar=("N", "DIR"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.generate:
        write_exports(Path(args.generate[1]), int(args.generate[0]))
        return
    tools = {t.strip() for t in args.tools.split(",") if t.strip()}
    root = args.dir or Path(tempfile.mkdtemp(prefix="scale-bench-"))
    results = []
    for n in (int(s) for s in args.sizes.split(",")):
        results.append(one_size(n, tools, args.bib_dedupe_max, root))
        print_table(results[-1:])
        sys.stdout.flush()
    print()
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    if args.dir is None:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
