"""Dedup accuracy on the labelled sets in ../shared/data/dedup, next to bib-dedupe.

For every ``<set>/records_pre_merged.csv``: import it with the CSV importer (``ID`` becomes
``original_id``), run our dedup, and score it pairwise against ``merged_record_ids.csv`` (a
predicted pair is a true positive when both ids share a true cluster). A pair counts as found
when it is merged as a duplicate **or** linked as a related report of one study (the labelled
sets, built for "same study" dedup, put a conference abstract, an erratum, a version … in one
cluster): records joined by automatic or confirmed links of related.csv form one predicted group,
so a false related link costs precision as a false merge does. Per set:

- **automatic** P/R: the clusters the rules merge on their own;
- **after the person's queue** P/R: a simulated person answers every queued pair with the truth
  (``same``/``different`` verdicts fed back into the pipeline, repeated until the queue is empty
  or asks nothing new), so a queued true pair counts as found and a queued false pair costs
  nothing but the person's time; ``queue %`` = pairs the person was asked / records;
- bib-dedupe 0.11 (prep/block/match/cluster) on the same file in the same process.

**Leave-one-set-out.** The rules have a few options (``auto_threshold``, ``maybe_threshold``).
For each set we choose them on the *other* sets (a small grid; the choice maximises the worst
automatic recall among the others whose automatic precision stays ≥ 0.998, ties to the default),
then report the held-out set with that choice, next to the default options. A rule that only
helps the set it was written for shows up as a gap between the two.

**Stress test** (``--stress``): noisy duplicates synthesised from real records of the three large
sets, one noise class per planted duplicate (supplement numbering, pages as "no pagination" or
article numbers, unseparated authors, truncated/"et al." authors, a bracketed translated title
with an ISO 4 abbreviated journal made by ``pyiso4``'s own abbreviator — not our lookup —,
title annotations, a missing journal, a missing title). The planted records join the real file,
so precision is measured against every real record too. Recall is reported per class, automatic
and after the queue, next to bib-dedupe on the same file. The generator was written from the
issue's list of classes and is not used to choose options.

Then the 25 pairwise cases of ``pairwise_test_cases/test_cases.json``, each reported as merged /
queued / kept apart. A true duplicate counts as right only when merged — or queued when a
never-merge rule applies to it (an erratum, conference abstract vs paper, two valid DOIs, Cochrane
versions), where a person must decide; a non-duplicate is right when not merged.

Usage::

    .venv/bin/python benchmarks/dedup_accuracy.py [--sets stroke,...] [--no-bib-dedupe]
        [--no-loso] [--stress] [--errors N]   # N: print false merges / missed pairs per set
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import re
import sys
import tempfile
import time
from contextlib import redirect_stdout
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("REVIEW_SHARED_DIR", REPO.parent / "shared")) / "data" / "dedup"
SETS = ("stroke", "cytology_screening", "digital_work", "special_cases", "tests_small")
GRID = [(a, m) for a in (0.93, 0.95, 0.97) for m in (0.75, 0.80, 0.85)]
DEFAULT = (0.95, 0.80)
MIN_PRECISION = 0.998

Pair = frozenset


def true_pairs(path: Path) -> set[Pair]:
    pairs: set[Pair] = set()
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            ids = [x for x in row["merged_ids"].split(";") if x]
            pairs.update(frozenset(p) for p in combinations(sorted(ids), 2))
    return pairs


def cluster_pairs(groups) -> set[Pair]:
    out: set[Pair] = set()
    for g in groups:
        out.update(frozenset(p) for p in combinations(sorted(set(g)), 2))
    return out


def prf(pred: set[Pair], truth: set[Pair]) -> tuple[float, float, float]:
    tp = len(pred & truth)
    p = tp / len(pred) if pred else 1.0
    r = tp / len(truth) if truth else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


@dataclass
class Outcome:
    auto_p: float
    auto_r: float
    queue_p: float
    queue_r: float
    asked: int  # pairs the simulated person was asked (all rounds)
    records: int
    auto_pred: set
    final_pred: set
    queued: dict

    @property
    def queue_share(self) -> float:
        return self.asked / self.records if self.records else 0.0


class Prepared:
    """One file imported, normalised and scored once; decide+cluster re-run per option."""

    def __init__(self, path: Path, name: str, other: Path | None = None) -> None:
        from review.dedup.pipeline import run_dedup
        from review.importer import load_file_records

        t0 = time.perf_counter()
        self.records = load_file_records(path, source=name)
        if other is not None:  # records exported by another database (a second source)
            self.records += load_file_records(other, source=f"{name} (other database)")
        first = run_dedup(self.records)
        self.seconds = time.perf_counter() - t0
        self.scored = first.scored
        self.first = first
        self.orig = {r.record_id: r.original_id for r in self.records}
        self.memo: dict[tuple, Outcome] = {}

    def evaluate(self, truth: set[Pair], auto: float, maybe: float, queue: bool = True) -> Outcome:
        from review.dedup.decide import DedupOptions
        from review.dedup.pipeline import run_dedup

        key = (auto, maybe, queue)
        if key in self.memo:
            return self.memo[key]
        options = DedupOptions(auto_threshold=auto, maybe_threshold=maybe)
        result = run_dedup(self.records, options, scored=self.scored)
        auto_pred = self._pred(result)
        queued = {
            frozenset((self.orig[q.a], self.orig[q.b])): f"{q.rule}; {q.reasons}".strip("; ")
            for q in result.queued
        }
        verdicts: dict[tuple[str, str], str] = {}
        asked = 0
        for _ in range(6 if queue else 0):  # a person works through the queue; new pairs may appear
            new = [q for q in result.queued if (q.a, q.b) not in verdicts]
            if not new:
                break
            asked += len(new)
            for q in new:
                same = frozenset((self.orig[q.a], self.orig[q.b])) in truth
                verdicts[(q.a, q.b)] = "same" if same else "different"
            result = run_dedup(self.records, options, verdicts, scored=self.scored)
        final_pred = self._pred(result)
        ap, ar, _ = prf(auto_pred, truth)
        qp, qr, _ = prf(final_pred, truth)
        out = Outcome(ap, ar, qp, qr, asked, len(self.records), auto_pred, final_pred, queued)
        self.memo[key] = out
        return out

    def _pred(self, result) -> set[Pair]:
        """Pairs found as duplicate (one cluster) or as related report (one study: clusters
        joined by an automatic or confirmed link of related.csv, review/dedup/related.py), as
        the labelled sets put a conference abstract, an erratum, a version … in one cluster. A
        false related link counts against precision like a false merge."""
        from review.dedup.related import group_studies

        cluster_of = {row.record_id: row.cluster_id for row in result.rows}
        studies = group_studies(getattr(result, "related", ()), cluster_of)
        groups: dict[str, list[str]] = {}
        for row in result.rows:
            groups.setdefault(studies.study(row.cluster_id), []).append(self.orig[row.record_id])
        return cluster_pairs(g for g in groups.values() if len(g) > 1)


def run_bib_dedupe(path: Path, other: Path | None = None) -> tuple[set[Pair], float]:
    import pandas as pd
    from bib_dedupe.bib_dedupe import block, cluster, match, prep

    t0 = time.perf_counter()
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    if other is not None:
        df = pd.concat([df, pd.read_csv(other, dtype=str, keep_default_na=False)])
    with redirect_stdout(io.StringIO()):
        prepared = prep(df, verbosity_level=0)
        blocked = block(prepared, verbosity_level=0)
        matched = match(blocked, verbosity_level=0)
        groups = cluster(matched, verbosity_level=0)
    return cluster_pairs(list(g) for g in groups), time.perf_counter() - t0


# ---- the 25 pairwise cases -------------------------------------------------------------------


def pairwise_cases(path: Path) -> list[tuple[str, bool, str, str, bool]]:
    """(case id, expected, merged|queued|kept apart, rule, right?) for every shared case."""
    from review.dedup.pipeline import run_dedup
    from review.importer import load_file_records

    cases = json.loads(path.read_text(encoding="utf-8"))["cases"]
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            f = Path(tmp) / f"{case['id']}.csv"
            write_pair_csv(f, case["record_a"], case["record_b"])
            records = load_file_records(f, source="case")
            result = run_dedup(records)
            out.append((case["id"], bool(case["expected_duplicate"]), *judge_case(result)))
    return out


def write_pair_csv(f: Path, a: dict, b: dict) -> None:
    cols = sorted(set(a) | set(b))
    with open(f, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerow({**a, "ID": "a"})
        w.writerow({**b, "ID": "b"})


def judge_case(result) -> tuple[str, str, bool | None]:
    """(label, rule, protected): ``protected`` is True when a never-merge rule applies, so a queue
    is the right answer for a true duplicate. ``related``: linked automatically as another report
    of the same study (found, as a duplicate is, by the issue's count)."""
    if len({r.cluster_id for r in result.rows}) == 1:
        rule = next((x[3] for x in result.links), "")
        return "merged", rule, False
    related = [x for x in getattr(result, "related", ()) if x.status == "auto"]
    if related:
        return "related", related[0].rule, True
    if result.queued:
        q = result.queued[0]
        return "queued", q.rule, q.rule.startswith(("M2", "G"))
    return "kept apart", "", False


def case_right(expected: bool, label: str, protected: bool) -> bool:
    if not expected:
        return label != "merged"
    return label in ("merged", "related") or (label == "queued" and protected)


# ---- stress test: planted noisy duplicates of real records -----------------------------------

NOISE = (
    "supplement",
    "pagination",
    "authors_unseparated",
    "authors_truncated",
    "translated_title",
    "title_annotations",
    "no_journal",
    "no_title",
    # issue 22's noise classes
    "missing_strings",
    "record_number_issue",
    "volume_issue_junk",
    "markup",
    "lost_characters",
    "mojibake",
    "journal_abbreviated",
    "original_vs_translated",
)
# Classes whose noisy copy comes from another database's export (a second file and source).
OTHER_SOURCE = frozenset({"record_number_issue"})
_ACCENT = {"a": "á", "e": "é", "i": "í", "o": "ó", "u": "ü", "n": "ñ", "c": "ç"}


def _initials(given: str) -> str:
    return " ".join(f"{p[0]}." for p in re.split(r"[\s.\-]+", given) if p)


def _names(author: str) -> list[tuple[str, str]]:
    out = []
    for a in author.split(" and "):
        sur, _, given = a.partition(",")
        if sur.strip():
            out.append((sur.strip(), given.strip()))
    return out


def _rot(word: str) -> str:
    return "".join(chr((ord(c) - 97 + 7) % 26 + 97) if "a" <= c <= "z" else c for c in word.lower())


def plant(row: dict, noise: str, rng: random.Random, abbreviate) -> tuple[dict, dict] | None:
    """(the original, possibly re-exported, and its noisy duplicate) or None when the record
    lacks what the noise class needs."""
    a, b = dict(row), dict(row)
    issue_col = "number"
    names = _names(row.get("author", ""))
    if noise == "supplement":
        if not row.get("volume"):
            return None
        k = rng.choice(["1", "2", "3"])
        a[issue_col] = rng.choice([f"SUPPL. {k}", f"Suppl {k}", f"Supplement {k}"])
        b["volume"], b[issue_col] = k, rng.choice(["NA", ""])
    elif noise == "pagination":
        if not row.get("pages") or not row.get("volume"):
            return None
        if rng.random() < 0.5:
            b["pages"] = f"{row['volume']} ({row.get(issue_col) or 1}) (no pagination)"
        else:
            first = re.split(r"[-\s]", row["pages"])[0]
            if not first.isdigit():
                return None
            a["pages"] = f"e{int(first):07d}"
            b["pages"] = f"{int(first):07d}"
    elif noise == "authors_unseparated":
        if len(names) < 2 or not all(g for _, g in names):
            return None
        b["author"] = "".join(f"{s} {_initials(g)}" for s, g in names)
    elif noise == "authors_truncated":
        if len(names) < 4:
            return None
        k = rng.choice([1, 2, 3])
        b["author"] = " and ".join(f"{s}, {g}" for s, g in names[:k]) + " and et al."
    elif noise == "translated_title":
        if not row.get("journal") or len(row.get("title", "").split()) < 4:
            return None
        # MEDLINE brackets the bare English title (its own notes such as "[Review]" dropped).
        title = re.sub(r"(\s*\[[^\]]*\])+\W*$", "", row["title"]).rstrip(".")
        if rng.random() < 0.5:
            b["title"] = f"[{title}]."
        else:
            b["title"] = " ".join(_rot(w) for w in title.split()) + f" [{title}]"
        b["journal"] = abbreviate(row["journal"]).replace(".", "")
    elif noise == "title_annotations":
        t = row.get("title", "")
        if len(t.split()) < 4:
            return None
        words = t.split()
        k = rng.randrange(1, len(words))
        choice = rng.randrange(4)
        if choice == 0:
            b["title"] = " ".join([*words[:k], "[corrected]", *words[k:]])
        elif choice == 1:
            b["title"] = t.upper() + "."
        elif choice == 2:
            b["title"] = t.rstrip(".") + ". [Abstract]"
        else:
            b["title"] = " ".join([*words[:k], f"<i>{words[k]}</i>", *words[k + 1 :]])
    elif noise == "no_journal":
        if not row.get("journal"):
            return None
        b["journal"] = ""
    elif noise == "no_title":
        if not (row.get("pages") and row.get("volume") and row.get("journal") and names):
            return None
        if "-" not in row["pages"]:
            return None
        b["title"] = ""
    else:
        return _plant_issue22(row, a, b, noise, rng, abbreviate)
    return a, b


def _plant_issue22(row, a, b, noise, rng, abbreviate):
    """Issue 22's noise classes (see the module docstring)."""
    issue_col = "number"
    words = row.get("title", "").split()
    names = _names(row.get("author", ""))
    if noise == "missing_strings":
        # Literal missing-value strings where the other export has nothing or the value.
        if not row.get("volume"):
            return None
        b[issue_col] = rng.choice(["NA", "N/A", "null"])
        b["pages"] = rng.choice(["NA", "N/A", "null", "-"])
        if len(names) >= 2:  # (a single "Surname, Given Given" would be re-split by the importer)
            b["author"] = row.get("author", "") + " and NA"
        if "abstract" in b:
            a["abstract"] = rng.choice(["[No abstract available]", "[no abstract]", "NA"])
            b["abstract"] = rng.choice(["No abstract available", "N/A", "null"])
    elif noise == "record_number_issue":
        # Another database exports its record number in the issue field (and no pages).
        if not row.get("volume") or not row.get("pages"):
            return None
        b[issue_col] = str(rng.randrange(10**7, 10**8))
        b["pages"] = ""
    elif noise == "volume_issue_junk":
        v, n = row.get("volume", ""), row.get(issue_col, "")
        if not v.isdigit() or not n.isdigit():
            return None
        b["volume"], b[issue_col] = rng.choice(
            [
                (f"{v} ({n})", ""),
                (v, f"{n})"),
                (f"{v} ({n}) (no pagination)", n),
                (f"Vol. {v}", f"No. {n}"),
            ]
        )
    elif noise == "markup":
        long_ = [k for k, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        if len(words) < 4 or not long_:
            return None
        k = rng.choice(long_)
        w = words[k]
        tag = rng.choice(["sub", "sup", "inf", "scp"])
        marked = f"{w[:2]}<{tag}>{w[2]}</{tag}>{w[3:]}"
        if rng.random() < 0.5:
            marked = marked.replace("<", "&lt;").replace(">", "&gt;")
        b["title"] = " ".join([*words[:k], marked, *words[k + 1 :]])
    elif noise == "lost_characters":
        # Both copies carry accents in one export, which the other export lost as "?".
        accented = _accent_title(words, rng)
        if accented is None or not names:
            return None
        a["title"] = " ".join(accented)
        b["title"] = " ".join("".join("?" if ord(c) > 127 else c for c in w) for w in accented)
        sur = names[0][0]
        acc = "".join(_ACCENT.get(c, c) if i == 1 else c for i, c in enumerate(sur))
        a["author"] = row["author"].replace(sur, acc, 1)
        b["author"] = row["author"].replace(sur, acc.encode("ascii", "replace").decode(), 1)
    elif noise == "mojibake":
        accented = _accent_title(words, rng)
        if accented is None or not row.get("journal"):
            return None
        a["title"] = " ".join(accented)
        b["title"] = a["title"].encode("utf-8").decode("cp1252", errors="replace")
        b["journal"] = row["journal"].replace("e", "é").encode("utf-8").decode("latin-1")
    elif noise == "journal_abbreviated":
        if not row.get("journal") or len(row["journal"].split()) < 2:
            return None
        b["journal"] = abbreviate(row["journal"]).replace(".", "")
    elif noise == "original_vs_translated":
        # MEDLINE's "[English title]. [Article in German]" vs the original-language title.
        numbered = row.get("volume", "").isdigit() and row.get("pages", "")[:1].isdigit()
        if not (numbered and names and len(words) >= 4):
            return None
        title = re.sub(r"(\s*\[[^\]]*\])+\W*$", "", row["title"]).rstrip(".")
        a["title"] = " ".join(_rot(w) for w in title.split())
        b["title"] = f"[{title}]. [Article in {rng.choice(['German', 'French', 'Spanish'])}]"
    return a, b


def _accent_title(words: list[str], rng: random.Random) -> list[str] | None:
    """The title with one or two letters of two long words accented, or None (too short)."""
    long_ = [k for k, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if len(long_) < 2:
        return None
    out = list(words)
    for k in rng.sample(long_, 2):
        w = out[k]
        spots = [i for i, c in enumerate(w) if c in _ACCENT and i > 0]
        if not spots:
            return None
        i = rng.choice(spots)
        out[k] = w[:i] + _ACCENT[w[i]] + w[i + 1 :]
    return out


def other_path(out: Path) -> Path:
    """The second file of a stress test: the planted copies another database exported."""
    return out.with_name(out.stem + "_other.csv")


def stress_file(src: Path, truth: set[Pair], out: Path, n: int, seed: int):
    """Write ``out`` (src with planted duplicates) and return (truth, planted pairs by class)."""
    from pyiso4.ltwa import Abbreviate

    abbreviate = Abbreviate.create()
    rng = random.Random(seed)
    with open(src, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        cols = list(reader.fieldnames or [])
        rows = list(reader)
    in_cluster = {i for p in truth for i in p}
    candidates = [r for r in rows if r["ID"] not in in_cluster and r.get("author")]
    rng.shuffle(candidates)
    replaced: dict[str, dict] = {}
    extra: list[dict] = []
    planted: dict[str, set[Pair]] = {k: set() for k in NOISE}
    other_ids: set[str] = set()
    # Round robin over the classes; a record that does not suit the next class is offered to
    # the following ones (a set without issues cannot give a volume/issue-junk copy).
    turn = 0
    for row in candidates:
        open_ = [c for c in NOISE if len(planted[c]) < n]
        if not open_:
            break
        for step in range(len(open_)):
            noise = open_[(turn + step) % len(open_)]
            got = plant(row, noise, rng, lambda j: abbreviate(j, remove_part=True))
            if got is not None:
                break
        else:
            continue
        turn += 1
        a, b = got
        b["ID"] = f"{row['ID']}_dup"
        replaced[row["ID"]] = a
        extra.append(b)
        planted[noise].add(frozenset((row["ID"], b["ID"])))
        if noise in OTHER_SOURCE:
            other_ids.add(b["ID"])
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        for r in rows:
            w.writerow(replaced.get(r["ID"], r))
        w.writerows(x for x in extra if x["ID"] not in other_ids)
    with open(other_path(out), "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerows(x for x in extra if x["ID"] in other_ids)
    new_truth = set(truth)
    for pairs in planted.values():
        new_truth |= pairs
    return new_truth, planted


# ---- reporting ---------------------------------------------------------------------------------


def choose_on(others: list[tuple[Prepared, set[Pair]]]) -> tuple[float, float]:
    """The grid option with the best worst automatic recall on ``others`` (precision kept)."""
    best, best_key = DEFAULT, None
    for opt in GRID:
        outs = [p.evaluate(t, *opt, queue=False) for p, t in others]
        if any(o.auto_p < MIN_PRECISION for o in outs):
            continue
        key = (min(o.auto_r for o in outs), sum(o.auto_r for o in outs), opt == DEFAULT)
        if best_key is None or key > best_key:
            best, best_key = opt, key
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--no-bib-dedupe", action="store_true")
    ap.add_argument("--no-loso", action="store_true", help="skip leave-one-set-out")
    ap.add_argument("--stress", action="store_true", help="also run the planted-noise test")
    ap.add_argument("--stress-n", type=int, default=40, help="planted duplicates per class/set")
    ap.add_argument("--errors", type=int, default=0)
    args = ap.parse_args(argv)
    if not SHARED.is_dir():
        print(f"shared data not found: {SHARED}", file=sys.stderr)
        return 1
    sys.path.insert(0, str(REPO))
    ok = True
    data: dict[str, tuple[Prepared, set[Pair]]] = {}
    for name in args.sets.split(","):
        d = SHARED / name
        if (d / "records_pre_merged.csv").is_file():
            data[name] = (
                Prepared(d / "records_pre_merged.csv", name),
                true_pairs(d / "merged_record_ids.csv"),
            )

    print(
        "automatic = merged by the rules; after queue = a person answered every queued pair "
        "(P/R pairwise, 4 decimals)\n"
    )
    print(
        f"{'set':<19} {'records':>7} {'true':>5} | {'auto P':>6} {'auto R':>6} | {'q P':>6} "
        f"{'q R':>6} {'asked':>5} {'queue%':>6} | {'ours s':>6} | {'bd P':>6} {'bd R':>6} "
        f"{'bd s':>6} | LOSO option -> auto P / R"
    )
    print("-" * 132)
    for name, (prep, truth) in data.items():
        o = prep.evaluate(truth, *DEFAULT)
        bd = f"{'-':>6} {'-':>6} {'-':>6}"
        br = None
        if not args.no_bib_dedupe:
            bpred, bsecs = run_bib_dedupe(SHARED / name / "records_pre_merged.csv")
            bp, br, _ = prf(bpred, truth)
            bd = f"{bp:.4f} {br:.4f} {bsecs:6.1f}"
            ok = ok and o.auto_r >= br - 1e-9
        loso = ""
        if not args.no_loso and len(data) > 1:
            others = [v for k, v in data.items() if k != name]
            opt = choose_on(others)
            lo = prep.evaluate(truth, *opt)
            loso = f"{opt[0]:.2f}/{opt[1]:.2f} -> {lo.auto_p:.4f} / {lo.auto_r:.4f}"
        ok = ok and o.auto_p >= MIN_PRECISION and o.queue_r >= 0.97 and o.queue_share <= 0.05
        print(
            f"{name:<19} {o.records:>7} {len(truth):>5} | {o.auto_p:.4f} {o.auto_r:.4f} | "
            f"{o.queue_p:.4f} {o.queue_r:.4f} {o.asked:>5} {100 * o.queue_share:5.2f}% | "
            f"{prep.seconds:6.2f} | {bd} | {loso}"
        )
        if args.errors:
            _print_errors(SHARED / name, o.auto_pred, truth, o.queued, args.errors)

    if args.stress:
        ok = _stress(data, args) and ok

    cases_path = SHARED / "pairwise_test_cases" / "test_cases.json"
    if cases_path.is_file():
        results = pairwise_cases(cases_path)
        labels = ("merged", "related", "queued", "kept apart")
        counts = {k: sum(1 for r in results if r[2] == k) for k in labels}
        right = 0
        print(
            f"\npairwise test cases: {counts['merged']} merged, {counts['related']} linked as "
            f"related reports, {counts['queued']} queued, {counts['kept apart']} kept apart"
        )
        for cid, expected, label, rule, prot in results:
            good = case_right(expected, label, prot)
            right += good
            print(
                f"  {'ok ' if good else 'BAD'} {label:<10} expected "
                f"{'duplicate' if expected else 'distinct ':<9} {cid}  {rule}"
            )
        print(f"  {right}/{len(results)} right")
        ok = ok and right == len(results)
    return 0 if ok else 2


def _stress(data, args) -> bool:
    print(
        f"\nstress test: {args.stress_n} planted duplicates per noise class and set "
        "(recall per class: automatic / after queue; bib-dedupe automatic)"
    )
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("stroke", "cytology_screening", "digital_work"):
            if name not in data:
                continue
            src = SHARED / name / "records_pre_merged.csv"
            out = Path(tmp) / f"{name}_stress.csv"
            truth, planted = stress_file(src, data[name][1], out, args.stress_n, seed=12)
            prep = Prepared(out, name, other_path(out))
            o = prep.evaluate(truth, *DEFAULT)
            bpred = None
            line = ""
            if not args.no_bib_dedupe:
                bpred, _ = run_bib_dedupe(out, other_path(out))
                bp, br, _ = prf(bpred, truth)
                line = f" | bib-dedupe P {bp:.4f} R {br:.4f}"
            print(
                f"  {name}: {o.records} records, auto P {o.auto_p:.4f} R {o.auto_r:.4f}, after "
                f"queue P {o.queue_p:.4f} R {o.queue_r:.4f}, queue {100 * o.queue_share:.2f}%{line}"
            )
            ok = ok and o.auto_p >= MIN_PRECISION
            for noise, pairs in planted.items():
                if not pairs:
                    continue
                ra = len(pairs & o.auto_pred) / len(pairs)
                rq = len(pairs & o.final_pred) / len(pairs)
                rb = f"  bd {len(pairs & bpred) / len(pairs):.3f}" if bpred is not None else ""
                print(f"    {noise:<20} n={len(pairs):>3}  auto {ra:.3f}  queue {rq:.3f}{rb}")
                if args.errors and ra < 1.0:
                    for p in sorted(pairs - o.auto_pred, key=sorted)[: args.errors]:
                        print(f"      missed {sorted(p)} {o.queued.get(p, '')}")
    return ok


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
