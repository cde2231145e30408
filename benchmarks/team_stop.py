"""Team stopping rule benchmark: recall at the team stop and reading saved, per labelled review.

For each labelled file (default: ../shared/data/screening/*.csv) runs ``--runs`` simulated
teams (``review.rank.teamsim``: two blind reviewers answering from the labels with independent
errors, each ranking by their own answers, the team's random sample and the hypergeometric test,
the team-stop rule for records screened by one reviewer) and prints, per review: the runs whose
recall reached the target, mean and minimum recall, mean share of records nobody screened
(reading saved) and of screening decisions saved. ``review simulate FILE --reviewers 2
--error-rate 0.05 --runs N --stop`` runs the same simulation on one file.

Usage: ``python benchmarks/team_stop.py [FILES...] [--runs 100] [--error-rate 0.05 0.05]
[--recall 0.95] [--confidence 0.95] [--out DIR]``. Each review's result is written to
``DIR/<file stem>.json`` (the ``metrics.json`` "team" object) and reused when re-run with the
same settings.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from review.rank.simulate import read_labelled
from review.rank.teamsim import simulate_team

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data" / "screening"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--error-rate", type=float, nargs="+", default=[0.05, 0.05])
    ap.add_argument("--recall", type=float, default=0.95)
    ap.add_argument("--confidence", type=float, default=0.95)
    ap.add_argument("--out", type=Path, default=Path("/tmp/team-stop"))
    args = ap.parse_args()
    files = args.files or sorted(DATA.glob("*.csv"))
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for path in files:
        key = f"{path.stem}-r{args.runs}-s{args.seed}-e{'_'.join(map(str, args.error_rate))}"
        key += f"-t{args.recall}-c{args.confidence}"
        cache = args.out / f"{key}.json"
        if cache.exists():
            res = json.loads(cache.read_text())
        else:
            data = read_labelled(path)
            t = time.perf_counter()
            sim = simulate_team(
                data.texts, data.labels, args.error_rate, runs=args.runs, seed=args.seed,
                recall=args.recall, confidence=args.confidence,
            )  # fmt: skip
            res = sim.to_json()
            res["seconds"] = round(time.perf_counter() - t, 1)
            cache.write_text(json.dumps(res, indent=1) + "\n")
        rows.append((path.stem, res))
        print(f"{path.stem}: done ({res.get('seconds', '?')} s)", flush=True)
    print(
        "\n| review (records / includes) | runs | recall ≥ target | screened-recall ≥ target "
        "| mean recall (min) | records nobody screened (mean) | screening decisions saved (mean) "
        "| sample agreement (mean) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, r in rows:
        target = r["recall_target"] - 1e-12
        screened_met = sum(x["recall_screened"] >= target for x in r["runs"])
        agree = statistics.fmean(x["sample_agreement"] or 0 for x in r["runs"])
        print(
            f"| {name} ({r['n_records']} / {r['n_included']}) | {r['n_runs']} "
            f"| {r['runs_recall_met']} ({r['share_recall_met']:.0%}) | {screened_met} "
            f"| {r['recall_mean']:.3f} ({r['recall_min']:.3f}) | {r['saved_mean']:.1%} "
            f"| {r['decisions_saved_mean']:.1%} | {agree:.3f} |"
        )


if __name__ == "__main__":
    main()
