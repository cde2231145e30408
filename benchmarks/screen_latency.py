"""Screening latency on a large project, measured through Textual's pilot (headless).

Builds an N-record project (default 100,000) the real way: one synthetic CSV export imported
with ``review.importer.import_files``, one cluster per record in ``outputs/dedup/clusters.csv``,
and two reviewers' complete title/abstract logs (about 10% disagreements). Then measures:

- screener open: from a fresh ``Project`` to the first record on screen (records come from the
  import cache, as after ``review import``);
- next record: key press -> decision appended + fsync'd -> next record rendered, per key;
- ``review disagreements`` for N records x 2 reviewers (statistics + csv + xlsx);
- the size of the screening caches (``.review/screening``) after all that;
- with ``--export``: ``review screen export`` of one reviewer's N-record sheet.

Usage: ``.venv/bin/python benchmarks/screen_latency.py [--n 100000] [--presses 200] [--dir D]
[--export] [--order random|relevance]`` (relevance: the ranker builds its features and retrains
in a background thread while the keys are pressed; the latency is measured all the same).
Targets (issue 4): open < 2 s, next record < 50 ms, disagreements < 2 s.

``--project P`` measures on a copy of an existing project instead (e.g. the ``proj`` folder
``benchmarks/scale.py --dir`` keeps: generated RIS records through ``review import`` and
``review dedup``, realistic abstracts), reviewer ``Bench C`` with three reviewers per record;
``--line`` also measures the line UI (``review screen --line``: read a command -> next record
written), which in relevance order retrains before every record (docs/ranking.md).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

TA = "title-abstract"
WORDS = (
    "parent peer support child protection programme advocacy lived experience family "
    "welfare services qualitative evaluation outcomes reunification mentoring"
).split()


def build(root: Path, n: int) -> None:
    from review.dedup.clusters import ClusterRow, clusters_path, write_clusters
    from review.importer import import_files
    from review.io.files import dumps_line
    from review.project import Project

    rng = random.Random(42)
    project = Project.init(root / "proj", title="Latency benchmark")
    # Bench C screens records Bench A and B already decided: with three reviewers per record
    # they are not finished yet, so no key asks to reopen one (docs/screening.md)
    proto = project.protocol_path.read_text(encoding="utf-8")
    project.protocol_path.write_text(
        proto.replace("reviewers_per_record: 2", "reviewers_per_record: 3", 1), encoding="utf-8"
    )
    export = root / "export.csv"
    t = time.perf_counter()
    with open(export, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["title", "abstract", "authors", "year", "journal", "doi"])
        for i in range(1, n + 1):
            title = " ".join(rng.choices(WORDS, k=10)).capitalize() + f" ({i})"
            abstract = " ".join(rng.choices(WORDS, k=220))
            w.writerow(
                [
                    title,
                    abstract,
                    f"Author{i}, A; Second, B; Third, C",
                    1990 + i % 35,
                    "Journal of Child Welfare",
                    f"10.5555/bench.{i}",
                ]
            )
    import_files(project, [export], source="Bench DB", kind="database")
    project.invalidate()
    recs = project.records()  # builds the import cache, as the first command after import does
    print(f"built {len(recs)} records in {time.perf_counter() - t:.1f} s")
    write_clusters(
        clusters_path(project),
        (
            ClusterRow(
                r.record_id, r.record_id, r.source, r.source_position, "", "unique", "main", r.title
            )
            for r in recs
        ),
    )
    folder = project.data_dir / "screening"
    folder.mkdir(parents=True, exist_ok=True)
    for reviewer, flip in (("Bench A", 0.0), ("Bench B", 0.10)):
        with open(
            folder / f"{reviewer.lower().replace(' ', '-')}.jsonl", "w", encoding="utf-8"
        ) as fh:
            for r in recs:
                base = "include" if hash(r.record_id) % 5 == 0 else "exclude"
                dec = base
                if rng.random() < flip:
                    dec = rng.choice([d for d in ("include", "exclude", "maybe") if d != base])
                line = {
                    "op": "decide",
                    "record_id": r.record_id,
                    "stage": TA,
                    "decision": dec,
                    "reason": "",
                    "note": "",
                    "reviewer": reviewer,
                    "at": "2026-01-01T00:00:00.000000Z",
                    "tool_version": "bench",
                }
                fh.write(dumps_line(line) + "\n")


async def measure_ui(
    root: Path, presses: int, order: str = "random", wait_ranking: float = 0.0
) -> dict:
    from review.cli.ui.tui import ScreenerApp
    from review.project import Project
    from review.screen.session import ScreeningSession

    t0, c0 = time.perf_counter(), time.process_time()
    project = Project.open(root / "proj")
    log = project.data_dir / "screening" / "bench-c.jsonl"
    lines_before = len(log.read_text().splitlines()) if log.exists() else 0
    session = ScreeningSession(project, TA, "Bench C", order=order)
    t_session = time.perf_counter() - t0
    app = ScreenerApp(session)
    adopted: list[int] = []  # key presses after which a new ranking was swapped in
    lat: list[float] = []  # key press -> next record rendered (painted by the compositor)
    trip: list[float] = []  # the pilot's whole round trip, including its idle detection
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        meta = app.screen.query_one("#meta")
        first = str(meta.render())
        t_ready = None
        if session.ranker is not None and wait_ranking:
            t_wait = time.perf_counter()
            while session.ranker.latest is None and time.perf_counter() - t_wait < wait_ranking:
                await asyncio.sleep(0.2)
            if session.ranker.latest is not None:
                t_ready = time.perf_counter() - t0
        t_open, c_open = time.perf_counter() - t0, time.process_time() - c0
        assert "Record " in first, first
        painted: list[tuple[float, str]] = []
        original = meta.render

        def spy():  # called by Textual when it paints the widget
            out = original()
            painted.append((time.perf_counter(), str(out)))
            return out

        meta.render = spy
        prev = first
        for k in range(presses):
            key = ("i", "e", "m", "1")[k % 4]
            painted.clear()
            t = time.perf_counter()
            await pilot.press(key)
            while not any(text != prev for _t, text in painted):
                await pilot.pause()
            trip.append(time.perf_counter() - t)
            t_paint, prev = next((pt, text) for pt, text in painted if text != prev)
            lat.append(t_paint - t)
            if session.ranker is not None and session._adopted is not None:
                if not adopted or adopted[-1] != id(session._adopted):
                    adopted.append(id(session._adopted))
        await pilot.press("q")
    session.close()
    lines = log.read_text().splitlines()
    assert len(lines) == lines_before + presses, len(lines)
    lat.sort()
    trip.sort()
    return {
        "pilot_round_trip_median_ms": statistics.median(trip) * 1000,
        "open_s": t_open,
        "open_cpu_s": c_open,
        "session_s": t_session,
        "next_median_ms": statistics.median(lat) * 1000,
        "next_p95_ms": lat[int(0.95 * (len(lat) - 1))] * 1000,
        "next_max_ms": lat[-1] * 1000,
        "presses": presses,
        "order": order,
        "rankings_adopted": len(adopted),
        "first_ranking_ready_s": t_ready,
        "ranker_status": session.ranker.status if session.ranker is not None else "",
        "ranker_error": session.ranker.error if session.ranker is not None else None,
    }


def measure_line(root: Path, presses: int, order: str) -> dict:
    """The line UI (``review screen --line``): a command read -> the next record written."""
    from review.cli.ui.lineui import run_line
    from review.project import Project
    from review.screen.session import ScreeningSession

    t0 = time.perf_counter()
    session = ScreeningSession(
        Project.open(root / "proj"), TA, "Bench C", order=order, background=False
    )
    t_open = time.perf_counter() - t0
    keys = iter(("i", "e", "m", "1")[k % 4] for k in range(presses))
    sent: list[float] = []
    lat: list[float] = []

    def read(_prompt: str) -> str | None:
        key = next(keys, None)
        sent.append(time.perf_counter())
        return key

    def write(text: str) -> None:
        if "\nTitle: " in text or "(record details not found" in text:  # a record shown
            if len(sent) > len(lat):
                lat.append(time.perf_counter() - sent[len(lat)])

    run_line(session, read, write)
    session.close()
    lat.sort()
    return {
        "line_open_s": t_open,
        "line_next_median_ms": statistics.median(lat) * 1000,
        "line_next_p95_ms": lat[int(0.95 * (len(lat) - 1))] * 1000,
        "line_keys": len(lat),
    }


def copy_project(source: Path, root: Path) -> None:
    """A copy of an existing project to press keys in, with three reviewers per record (Bench
    C screens records Bench A and B decided: no key asks to reopen one)."""
    import shutil

    shutil.rmtree(root / "proj", ignore_errors=True)
    shutil.copytree(source, root / "proj", symlinks=True)
    proto = root / "proj" / "protocols" / "protocol.yaml"
    text = proto.read_text(encoding="utf-8")
    proto.write_text(
        text.replace("reviewers_per_record: 2", "reviewers_per_record: 3", 1), encoding="utf-8"
    )


def measure_disagreements(root: Path) -> dict:
    from review.project import Project
    from review.screen import agreement
    from review.screen.disagreements import write_disagreements

    project = Project.open(root / "proj")
    t = time.perf_counter()
    agreement(project, TA)  # parses the logs once and caches them under .review/screening
    t_cold = time.perf_counter() - t
    project = Project.open(root / "proj")
    t = time.perf_counter()
    summary = agreement(project, TA)
    t_stats = time.perf_counter() - t
    project = Project.open(root / "proj")
    t, c = time.perf_counter(), time.process_time()
    _csv, _xlsx, s2 = write_disagreements(project, TA)
    t_write, c_write = time.perf_counter() - t, time.process_time() - c
    return {
        "agreement_cold_cache_s": t_cold,
        "agreement_s": t_stats,
        "disagreements_s": t_write,
        "disagreements_cpu_s": c_write,
        "records_compared": s2.stats.records_compared,
        "disagreements": s2.stats.disagreements,
        "cohen_kappa": round(summary.stats.cohen_kappa or 0.0, 4),
    }


def measure_cold_open(root: Path) -> float:
    """Open with no screening caches (the first `review screen` after an import or dedup)."""
    import shutil

    from review.project import Project
    from review.screen.session import ScreeningSession

    shutil.rmtree(root / "proj" / ".review" / "screening", ignore_errors=True)
    t = time.perf_counter()
    session = ScreeningSession(Project.open(root / "proj"), TA, "Bench C")
    item = session.item()
    elapsed = time.perf_counter() - t
    assert item is not None and item.record is not None
    session.close()
    return elapsed


def measure_export(root: Path) -> dict:
    from review.project import Project
    from review.screen.spreadsheet import export_sheet

    project = Project.open(root / "proj")
    out = root / "export-bench-a.xlsx"
    t = time.perf_counter()
    n = export_sheet(project, TA, "Bench A", out)
    return {"export_s": time.perf_counter() - t, "export_rows": n}


def cache_size_mb(root: Path) -> float:
    folder = root / "proj" / ".review" / "screening"
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--presses", type=int, default=200)
    ap.add_argument("--dir", type=Path, default=None, help="reuse/build the project here")
    ap.add_argument("--export", action="store_true", help="also time `review screen export`")
    ap.add_argument(
        "--order",
        choices=["random", "relevance"],
        default="random",
        help="screener order; relevance retrains in a background thread while keys are pressed",
    )
    ap.add_argument(
        "--wait-ranking",
        type=float,
        default=0.0,
        help="with --order relevance: wait up to this many seconds for the first ranking "
        "before pressing keys (so that presses meet retrains and ranking swaps)",
    )
    ap.add_argument("--project", type=Path, default=None, help="measure on a copy of this")
    ap.add_argument("--line", action="store_true", help="also measure the line UI")
    args = ap.parse_args()
    root = args.dir or Path(tempfile.mkdtemp(prefix="screen-bench-"))
    load_before = "/".join(f"{x:.2f}" for x in os.getloadavg())
    if args.project is not None:
        copy_project(args.project, root)
    elif not (root / "proj").is_dir():
        build(root, args.n)
    else:
        print(f"reusing {root / 'proj'}")
        log = root / "proj" / "data" / "screening" / "bench-c.jsonl"
        log.unlink(missing_ok=True)
    cold = measure_cold_open(root)
    ui = asyncio.run(measure_ui(root, args.presses, args.order, args.wait_ranking))
    line = measure_line(root, args.presses, args.order) if args.line else {}
    dis = measure_disagreements(root)
    cache_mb = cache_size_mb(root)
    exp = measure_export(root) if args.export else {}
    print(
        json.dumps(
            {"n": args.n, "cold_open_s": cold, **ui, **line, **dis, "cache_mb": cache_mb, **exp},
            indent=2,
        )
    )
    print(
        f"screener open {ui['open_s']:.2f} s (target < 2 s; first open after an import, "
        f"building caches: {cold:.2f} s); next record median "
        f"{ui['next_median_ms']:.1f} ms, p95 {ui['next_p95_ms']:.1f} ms, max "
        f"{ui['next_max_ms']:.1f} ms over {ui['presses']} keys (target < 50 ms); "
        f"disagreements {dis['disagreements_s']:.2f} s ({dis['disagreements_cpu_s']:.2f} s CPU) for {dis['records_compared']} records x 2 "
        f"reviewers (target < 2 s); .review/screening {cache_mb:.0f} MB"
        + (f"; export {exp['export_s']:.1f} s for {exp['export_rows']} rows" if exp else "")
    )
    if line:
        print(
            f"line UI: next record median {line['line_next_median_ms']:.1f} ms, p95 "
            f"{line['line_next_p95_ms']:.1f} ms over {line['line_keys']} keys ({args.order} order)"
        )
    load_after = "/".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average (1/5/15 min) {load_before} -> {load_after}")


if __name__ == "__main__":
    main()
