"""Dedup accuracy on the labelled sets in ../shared/data/dedup, next to bib-dedupe.

For every ``<set>/records_pre_merged.csv``: import it with the CSV importer (``ID`` becomes
``original_id``), run our dedup, and score the *automatic* clusters pairwise against
``merged_record_ids.csv`` (a predicted pair is a true positive when both ids share a true
cluster). bib-dedupe (prep/block/match/cluster) runs on the same file in the same process.
Then the 25 pairwise cases of ``pairwise_test_cases/test_cases.json`` (a queued pair counts as
right for a true duplicate, and as right for a non-duplicate since it is not merged).

Usage::

    .venv/bin/python benchmarks/dedup_accuracy.py [--sets stroke,...] [--no-bib-dedupe]
        [--errors N]   # print up to N false merges / missed pairs per set
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tempfile
import time
from contextlib import redirect_stdout
from itertools import combinations
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("REVIEW_SHARED_DIR", REPO.parent / "shared")) / "data" / "dedup"
SETS = ("stroke", "cytology_screening", "digital_work", "special_cases", "tests_small")


def true_pairs(path: Path) -> set[frozenset[str]]:
    pairs: set[frozenset[str]] = set()
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            ids = [x for x in row["merged_ids"].split(";") if x]
            pairs.update(frozenset(p) for p in combinations(sorted(ids), 2))
    return pairs


def cluster_pairs(groups: list[list[str]]) -> set[frozenset[str]]:
    out: set[frozenset[str]] = set()
    for g in groups:
        out.update(frozenset(p) for p in combinations(sorted(set(g)), 2))
    return out


def prf(pred: set[frozenset[str]], truth: set[frozenset[str]]) -> tuple[float, float, float]:
    tp = len(pred & truth)
    p = tp / len(pred) if pred else 1.0
    r = tp / len(truth) if truth else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def run_ours(
    path: Path, name: str
) -> tuple[list[list[str]], dict[frozenset[str], str], float, dict]:
    from review.dedup.pipeline import run_dedup
    from review.importer import load_file_records

    t0 = time.perf_counter()
    records = load_file_records(path, source=name)
    result = run_dedup(records)
    seconds = time.perf_counter() - t0
    orig = {r.record_id: r.original_id for r in records}
    groups: dict[str, list[str]] = {}
    for row in result.rows:
        # Automatic clusters only: a person has not confirmed anything here.
        groups.setdefault(row.cluster_id, []).append(orig[row.record_id])
    queued = {
        frozenset((orig[q.a], orig[q.b])): f"{q.rule}; {q.reasons}".strip("; ")
        for q in result.queued
    }
    return [g for g in groups.values() if len(g) > 1], queued, seconds, result.counts


def run_bib_dedupe(path: Path) -> tuple[list[list[str]], float]:
    import pandas as pd
    from bib_dedupe.bib_dedupe import block, cluster, match, prep

    t0 = time.perf_counter()
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    with redirect_stdout(io.StringIO()):
        prepared = prep(df, verbosity_level=0)
        blocked = block(prepared, verbosity_level=0)
        matched = match(blocked, verbosity_level=0)
        groups = cluster(matched, verbosity_level=0)
    return [list(g) for g in groups], time.perf_counter() - t0


def pairwise_cases(path: Path) -> list[tuple[str, bool, str, bool]]:
    """(case id, expected, our label, right?) for every shared pairwise case."""
    from review.dedup.pipeline import run_dedup
    from review.importer import load_file_records

    cases = json.loads(path.read_text(encoding="utf-8"))["cases"]
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            a, b = case["record_a"], case["record_b"]
            cols = sorted(set(a) | set(b))
            f = Path(tmp) / f"{case['id']}.csv"
            with open(f, "w", encoding="utf-8", newline="") as fh:
                w = csv.DictWriter(fh, fieldnames=cols)
                w.writeheader()
                w.writerow({**a, "ID": "a"})
                w.writerow({**b, "ID": "b"})
            records = load_file_records(f, source="case")
            result = run_dedup(records)
            merged = len({r.cluster_id for r in result.rows}) == 1
            label = "auto" if merged else ("maybe" if result.queued else "distinct")
            expected = bool(case["expected_duplicate"])
            right = label in ("auto", "maybe") if expected else label != "auto"
            out.append((case["id"], expected, label, right))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--no-bib-dedupe", action="store_true")
    ap.add_argument("--errors", type=int, default=0)
    args = ap.parse_args(argv)
    if not SHARED.is_dir():
        print(f"shared data not found: {SHARED}", file=sys.stderr)
        return 1
    sys.path.insert(0, str(REPO))
    header = (
        f"{'set':<20} {'records':>7} {'true':>6} | {'P':>6} {'R':>6} {'F1':>6} {'queued':>6} "
        f"{'time s':>7} | {'bd P':>6} {'bd R':>6} {'bd F1':>6} {'bd s':>7}"
        "   (true = true duplicate pairs; P/R/F1 pairwise, 4 decimals)"
    )
    print(header)
    print("-" * 104)
    ok = True
    for name in args.sets.split(","):
        d = SHARED / name
        if not (d / "records_pre_merged.csv").is_file():
            continue
        truth = true_pairs(d / "merged_record_ids.csv")
        groups, queued, secs, counts = run_ours(d / "records_pre_merged.csv", name)
        pred = cluster_pairs(groups)
        p, r, f = prf(pred, truth)
        bd = "     -      -      -       -"
        if not args.no_bib_dedupe:
            bgroups, bsecs = run_bib_dedupe(d / "records_pre_merged.csv")
            bp, br, bf = prf(cluster_pairs(bgroups), truth)
            bd = f"{bp:.4f} {br:.4f} {bf:.4f} {bsecs:7.1f}"
            ok = ok and r >= br - 1e-9
        ok = ok and p >= 0.998
        print(
            f"{name:<20} {counts['records']:>7} {len(truth):>6} | {p:.4f} {r:.4f} {f:.4f} "
            f"{len(queued):>6} {secs:7.2f} | {bd}"
        )
        if args.errors:
            _print_errors(d, pred, truth, queued, args.errors)
    cases_path = SHARED / "pairwise_test_cases" / "test_cases.json"
    if cases_path.is_file():
        results = pairwise_cases(cases_path)
        right = sum(1 for *_, r in results if r)
        print(f"\npairwise test cases: {right}/{len(results)} right")
        for cid, expected, label, r in results:
            if not r or args.errors:
                print(f"  {'ok ' if r else 'BAD'} {cid}: expected {expected}, got {label}")
        ok = ok and right == len(results)
    return 0 if ok else 2


def _print_errors(d: Path, pred, truth, queued, limit: int) -> None:
    rows = {}
    with open(d / "records_pre_merged.csv", encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            rows[row["ID"]] = row

    def show(pair: frozenset[str]) -> None:
        for i in sorted(pair):
            r = rows[i]
            print(
                f"      {i} | {r.get('author', '')[:60]} | {r.get('year')} | "
                f"{r.get('title', '')[:110]} | {(r.get('journal') or r.get('booktitle') or '')[:40]}"
                f" | v{r.get('volume', '')} n{r.get('number', r.get('issue', ''))} "
                f"p{r.get('pages', '')} | {r.get('doi', '')}"
            )

    fp = sorted(pred - truth, key=sorted)
    fn = sorted(truth - pred, key=sorted)
    print(f"    false merges: {len(fp)}")
    for pair in fp[:limit]:
        show(pair)
        print()
    print(f"    missed: {len(fn)} (of which queued: {len(set(fn) & set(queued))})")
    for pair in [p for p in fn if p not in queued][:limit]:
        show(pair)
        print()
    print("    missed but queued:")
    for pair in [p for p in fn if p in queued][:limit]:
        print(f"    -- {queued[pair]}")
        show(pair)
        print()


if __name__ == "__main__":
    sys.exit(main())
