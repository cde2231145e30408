"""Ranking benchmark: WSS@95, RRF@10 and records to find all includes, per dataset and seed.

For each labelled file (default: ../shared/data/screening/*.csv) and seed, runs

- our models (``review.rank.model.MODELS``; default the shipped model and the ensemble),
- random order (the same priors first, then a seeded shuffle),
- ASReview LAB's default model (``asreview simulate``, ELAS u4) with the *same* priors
  (``--prior-idx``: one included and one excluded record drawn with the seed, exactly ours) when
  an ``asreview`` executable is found (``--asreview PATH``, ``$ASREVIEW`` or on PATH); otherwise
  the reference figures measured on this machine (../shared/data/README.md) are printed,
  labelled as such.

Every metric is computed by ``review.rank.metrics`` on the screening order, for every method
alike (priors count as screened). Also replays the stopping rule (``--stop``) on our order.
Leave-one-dataset-out: for each dataset, the model with the best mean WSS@95 on the *other*
datasets is named, with its figure on the held-out one.

Usage: ``.venv/bin/python benchmarks/screen_ranking.py [FILES...] [--seeds 1 2 3]
[--models svm ensemble] [--cache DIR] [--markdown]``. Results are cached per run in --cache
(default /tmp/screen-ranking) so re-printing the table is instant.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time
import zipfile
from functools import partial
from pathlib import Path

from review.rank import metrics
from review.rank.simulate import _draw_priors, read_labelled, replay_stop

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data" / "screening"
# ../shared/data/README.md: ASReview LAB 3.0.8, elas_u4, 1+1 random priors, seeds 1-3 (means)
REFERENCE = {
    "cohen2006_adhd": {"wss95": 0.583, "rrf10": 0.667},
    "cohen2006_nsaids": {"wss95": 0.728, "rrf10": 0.585},
    "synergy_donners2021": {"wss95": 0.571, "rrf10": 0.689},
}


def figures(ordered: list[int]) -> dict:
    return {
        "wss95": metrics.wss(ordered, 0.95),
        "rrf10": metrics.rrf(ordered, 10),
        "to_find_all": metrics.records_to_recall(ordered, 1.0),
    }


def run_ours(path: Path, seed: int, model: str, data) -> dict:
    from review.rank.simulate import rank_order

    t = time.perf_counter()
    order, n_priors = rank_order(data.texts, data.labels, seed=seed, model=model)
    ordered = [data.labels[i] for i in order]
    out = figures(ordered)
    screened, got, test, switch = replay_stop(ordered, n_priors, seed, 0.95, 0.95)
    out.update(
        {
            "seconds": time.perf_counter() - t,
            "stop_screened": screened,
            "stop_recall": got,
            "stop_p": None if test is None else test.p_value,
            "stop_switch": switch,
            "n": len(ordered),
        }
    )
    return out


def run_random(data, seed: int) -> dict:
    rng = random.Random(seed)
    priors = _draw_priors(data.labels, 1, 1, rng)
    rest = [i for i in range(len(data.labels)) if i not in set(priors)]
    random.Random(f"random-order-{seed}").shuffle(rest)
    return figures([data.labels[i] for i in priors + rest])


def find_asreview(given: str | None) -> str | None:
    for cand in (given, os.environ.get("ASREVIEW"), shutil.which("asreview")):
        if cand and Path(cand).exists():
            return cand
    return None


def run_asreview(exe: str, path: Path, seed: int, data) -> dict:
    priors = _draw_priors(data.labels, 1, 1, random.Random(seed))  # the same priors as ours
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sim.asreview"
        t = time.perf_counter()
        subprocess.run(
            [exe, "simulate", str(path), "--prior-idx", *map(str, priors), "--seed", str(seed),
             "-o", str(out)],
            check=True,
            capture_output=True,
            cwd=tmp,  # asreview leaves a cache file in its working folder
        )  # fmt: skip
        seconds = time.perf_counter() - t
        with zipfile.ZipFile(out) as z:
            z.extract("results.db", tmp)
        con = sqlite3.connect(Path(tmp) / "results.db")
        row_of = dict(con.execute("SELECT record_id, dataset_row FROM record"))
        done = [row_of[r] for (r,) in con.execute("SELECT record_id FROM results ORDER BY rowid")]
        con.close()
    seen = set(done)
    rest = [i for i in range(len(data.labels)) if i not in seen]  # never read: no includes left
    ordered = [data.labels[i] for i in done + rest]
    out_fig = figures(ordered)
    out_fig["seconds"] = seconds
    out_fig["priors_first"] = done[:2] == priors
    return out_fig


def cached(cache: Path, key: str, fn) -> dict:
    path = cache / f"{key}.json"
    if path.exists():
        return json.loads(path.read_text())
    res = fn()
    path.write_text(json.dumps(res))
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3])
    ap.add_argument("--models", nargs="+", default=["svm", "ensemble"])
    ap.add_argument("--asreview", default=None, help="path to the asreview executable")
    ap.add_argument("--no-asreview", action="store_true")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/screen-ranking"))
    ap.add_argument("--markdown", action="store_true", help="print the docs table")
    args = ap.parse_args()
    files = args.files or sorted(DATA.glob("*.csv"))
    if not files:
        raise SystemExit(f"no labelled files given and none in {DATA}")
    args.cache.mkdir(parents=True, exist_ok=True)
    exe = None if args.no_asreview else find_asreview(args.asreview)
    rows: dict[tuple[str, str], list[dict]] = {}
    for path in files:
        data = read_labelled(path)
        name = path.stem
        for seed in args.seeds:
            for model in args.models:
                res = cached(
                    args.cache, f"{name}-{model}-{seed}", partial(run_ours, path, seed, model, data)
                )
                rows.setdefault((name, model), []).append(res)
                print(f"{name} seed {seed} {model}: WSS@95 {res['wss95']:.3f} RRF@10 "
                      f"{res['rrf10']:.3f} all found at {res['to_find_all']} "
                      f"({res['seconds']:.0f} s); stop at {res['stop_screened']} recall "
                      f"{res['stop_recall']:.3f}", flush=True)  # fmt: skip
            res = run_random(data, seed)
            rows.setdefault((name, "random"), []).append(res)
            print(f"{name} seed {seed} random: WSS@95 {res['wss95']:.3f} RRF@10 {res['rrf10']:.3f} "
                  f"all found at {res['to_find_all']}", flush=True)  # fmt: skip
            if exe:
                res = cached(
                    args.cache,
                    f"{name}-asreview-{seed}",
                    partial(run_asreview, exe, path, seed, data),
                )
                rows.setdefault((name, "asreview"), []).append(res)
                print(f"{name} seed {seed} ASReview LAB (elas_u4): WSS@95 {res['wss95']:.3f} "
                      f"RRF@10 {res['rrf10']:.3f} all found at {res['to_find_all']}", flush=True)  # fmt: skip
    report(rows, files, args.models, exe is not None, args.markdown)


def _mean(rs: list[dict], key: str) -> float:
    return statistics.fmean(r[key] for r in rs)


def report(rows, files, models, have_asreview: bool, markdown: bool) -> None:
    names = [p.stem for p in files]
    methods = [*models, "random"] + (["asreview"] if have_asreview else [])
    print()
    print(
        "| dataset | method | seeds | WSS@95 mean (min–max) | RRF@10 mean | records to find all (mean) |"
    )
    print("|---|---|---|---|---|---|")
    for name in names:
        for m in methods:
            rs = rows.get((name, m), [])
            if not rs:
                continue
            w = [r["wss95"] for r in rs]
            label = "ASReview LAB 3 elas_u4 (same priors)" if m == "asreview" else m
            print(f"| {name} | {label} | {len(rs)} | {statistics.fmean(w):.3f} ({min(w):.3f}–{max(w):.3f}) "
                  f"| {_mean(rs, 'rrf10'):.3f} | {_mean(rs, 'to_find_all'):.0f} |")  # fmt: skip
        if not have_asreview and name in REFERENCE:
            ref = REFERENCE[name]
            print(f"| {name} | ASReview LAB 3 reference (data/README, not run here) | 3 | "
                  f"{ref['wss95']:.3f} | {ref['rrf10']:.3f} | – |")  # fmt: skip
    print()
    for m in models:
        means = [_mean(rows[(n, m)], "wss95") for n in names if (n, m) in rows]
        print(f"{m}: mean WSS@95 across datasets {statistics.fmean(means):.3f}")
    if have_asreview:
        means = [_mean(rows[(n, "asreview")], "wss95") for n in names if (n, "asreview") in rows]
        print(
            f"ASReview LAB 3 (same priors): mean WSS@95 across datasets {statistics.fmean(means):.3f}"
        )
    print("\nLeave-one-dataset-out (model chosen on the other datasets' mean WSS@95):")
    for held in names:
        others = [n for n in names if n != held]
        if not others:
            break
        best = max(
            models, key=lambda m: statistics.fmean(_mean(rows[(n, m)], "wss95") for n in others)
        )
        print(f"  {held}: chosen {best}, WSS@95 {_mean(rows[(held, best)], 'wss95'):.3f}")
    stops = [r for n in names for m in models[:1] for r in rows[(n, m)]]
    ok = sum(1 for r in stops if r["stop_recall"] >= 0.95)
    saved = [1 - r["stop_screened"] / r["n"] for r in stops]
    print(f"\nStopping rule ({models[0]}, recall target 0.95, confidence 0.95): recall >= 0.95 in "
          f"{ok}/{len(stops)} runs; reading saved mean {statistics.fmean(saved):.1%} "
          f"(min {min(saved):.1%}, max {max(saved):.1%})")  # fmt: skip


if __name__ == "__main__":
    main()
