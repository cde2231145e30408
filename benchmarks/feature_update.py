"""Records added to a large project: time to the screener's first ranking with the ranking
features updated incrementally (review/rank/termcounts.py) against a full rebuild.

Takes a project built by ``benchmarks/scale.py --dir`` (its ``proj`` folder, with the third
reviewer's 200 decisions), copies it, opens the screener once (the features are built and
cached), then imports ``--add`` more generated records as a second search (``review import`` of
one RIS file, then ``review dedup``) and opens the screener again in relevance order in a fresh
process, as ``benchmarks/scale.py`` does: the time to the first record and to the worker's first
ranking. With ``--old DIR`` (a checkout of the code before, e.g. ``git archive main``) the same
open runs with that code on a copy of the same project: the full rebuild. Then a second open
(nothing changed) and the size of ``.review/rank``. ``--verify`` also checks that the features
read from the updated cache are bit for bit a fresh build's (about a minute more at 100k).

Big runs: ``flock /tmp/bigrun.lock python benchmarks/feature_update.py --project
/tmp/featinc-100k/n100000/proj --add 5000 --old /tmp/old-featinc``
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from dedup_speed import generate  # noqa: E402 - the benchmarks' shared generator
from import_speed import WORDS  # noqa: E402
from scale import OPEN_SCRIPT, THIRD, load_avg, run  # noqa: E402


def write_update(path: Path, n: int) -> None:
    """``n`` more records (another seed: new studies) as one RIS file."""
    records, _truth = generate(n, seed=8)
    rng = random.Random(12)
    chunks = []
    for r in records:
        abstract = " ".join(rng.choice(WORDS) for _ in range(rng.randint(120, 220)))
        lines = ["TY  - JOUR", f"ID  - {r.record_id}", f"TI  - {r.title}"]
        lines += [f"AU  - {a}" for a in r.authors]
        lines += [f"PY  - {r.year}", f"T2  - {r.journal}", f"VL  - {r.volume}"]
        if r.doi:
            lines.append(f"DO  - {r.doi}")
        lines += [f"AB  - {abstract.capitalize()}.", "ER  - ", "", ""]
        chunks.append("\n".join(lines))
    path.write_text("".join(chunks), encoding="utf-8")


def open_screener(proj: Path, code: Path, script: Path) -> dict:
    env_path = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = str(code)
    try:
        res = run([sys.executable, str(script), str(proj), THIRD], proj)
    finally:
        os.environ["PYTHONPATH"] = env_path
    fields = res.pop("out").split("OPEN", 1)[1].split()
    res["first_record_s"], res["first_ranking_s"] = float(fields[0]), float(fields[1])
    res["status"] = " ".join(fields[2:])
    res["load"] = load_avg()
    return res


def rank_cache_mb(proj: Path) -> dict[str, float]:
    folder = proj / ".review" / "rank"
    return {p.name: round(p.stat().st_size / 1e6, 1) for p in sorted(folder.glob("*"))}


VERIFY = """
import sys
import numpy as np
from review.project import Project
from review.rank.featcache import cached_features
from review.rank.model import DEFAULT_MODEL, build_features, record_text
from review.screen.cache import cluster_index, record_store
project = Project.open(sys.argv[1])
ids = sorted(cluster_index(project).main_clusters())
store = record_store(project)
texts = [record_text(r.title, r.abstract) if (r := store.get(c)) else "" for c in ids]
got, _q = cached_features(project.cache_dir, texts, DEFAULT_MODEL, "")
fresh = build_features(texts, DEFAULT_MODEL)
for a, b, va, vb in zip(got.matrices, fresh.matrices, got.vectorizers, fresh.vectorizers):
    assert (a != b).nnz == 0 and a.shape == b.shape, "features differ"
    assert np.array_equal(a.data, b.data) and np.array_equal(a.indices, b.indices)
    assert va.vocabulary_ == vb.vocabulary_, "vocabularies differ"
print("VERIFIED", len(ids), "records,", got.matrices[0].shape[1], "terms,", got.matrices[0].nnz, "nnz")
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--project", type=Path, required=True, help="a scale.py project (proj)")
    ap.add_argument("--add", type=int, default=5000)
    ap.add_argument("--old", type=Path, default=None, help="the code before, for the rebuild")
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--verify", action="store_true")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="feature-update-"))
    script = work / "open_screener.py"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(OPEN_SCRIPT, encoding="utf-8")
    base = work / "base"
    shutil.rmtree(base, ignore_errors=True)
    shutil.copytree(args.project, base, symlinks=True)
    shutil.rmtree(base / ".review" / "rank", ignore_errors=True)
    out: dict[str, dict] = {"build (no cache)": open_screener(base, REPO, script)}
    out["reopen (cached)"] = open_screener(base, REPO, script)
    sizes = rank_cache_mb(base)
    update = work / "update.ris"
    write_update(update, args.add)
    review = [sys.executable, "-m", "review"]
    out["import"] = run([*review, "import", str(update), "--source", "update"], base)
    out["dedup"] = run([*review, "dedup"], base)
    for name, code in (("incremental", REPO), ("rebuild", args.old)):
        if code is None:
            continue
        proj = work / name
        shutil.rmtree(proj, ignore_errors=True)
        shutil.copytree(base, proj, symlinks=True)
        out[f"after +{args.add}: {name}"] = open_screener(proj, code, script)
    after = work / "incremental"
    out["reopen after the update"] = open_screener(after, REPO, script)
    for name, res in out.items():
        res.pop("out", None)
        extra = ""
        if "first_ranking_s" in res:
            extra = (
                f"first record {res['first_record_s']} s, first ranking {res['first_ranking_s']} s"
            )
        print(
            f"{name:<28} {res['wall_s']:>7} s wall {res['cpu_s']:>7} s cpu {res['peak_mb']:>6} MB  "
            f"{extra} (load {res.get('load', load_avg())})"
        )
    print("rank cache at the first build (MB):", sizes)
    print("rank cache after the update (MB):", rank_cache_mb(after))
    if args.verify:
        os.environ["PYTHONPATH"] = str(REPO)
        print(
            subprocess.run(
                [sys.executable, "-c", VERIFY, str(after)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
        )
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
