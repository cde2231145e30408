"""Full-text screener latency on 40-page articles, through Textual's pilot (headless).

Builds a project the real way (``review import``, ``review dedup``, both reviewers' title/abstract
decisions by ``review screen import``), writes one 40-page PDF per record (the worked example's
evaluation report from ../shared/reference/fulltexts when present, else generated prose), then
``review fulltext attach`` + ``review fulltext extract``, and measures in the full-text screener
the time from a key press to the first repaint of the text pane:

- ``i``: decision saved (fsync) -> next record's text loaded from the cache, laid out, painted;
- ``pagedown``, ``k`` (next keyword hit), ``]`` (next search match), Enter on a ``/`` search.

Usage: ``.venv/bin/python benchmarks/fulltext_latency.py [--records 6] [--pages 40]``
Target (issue 14): < 200 ms for a 40-page article.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
SOURCE = (
    REPO.parent
    / "shared"
    / "reference"
    / "fulltexts"
    / "contra-costa-parent-partner-evaluation-report.txt"
)
FT = "full-text"
WORDS = (
    "parent partners mentor families child welfare reunification peer advocacy lived "
    "experience services court caseworkers support programme outcomes evaluation"
).split()


def cli(*args: str) -> str:
    from typer.testing import CliRunner

    from review.cli import app

    res = CliRunner().invoke(app, list(args))
    if res.exit_code != 0:
        raise SystemExit(f"review {' '.join(args)} failed:\n{res.output}")
    return res.stdout


def article_text(pages: int, seed: int) -> str:
    from review.io.textpdf import LINES_PER_PAGE, WIDTH_CHARS

    need = pages * LINES_PER_PAGE * WIDTH_CHARS * 0.93
    if SOURCE.is_file():  # hard-wrapped at ~70 columns: join into paragraphs (full pages)
        import re

        raw = SOURCE.read_text(encoding="utf-8")
        text = "\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", raw))
        while len(text) < need:
            text += "\n" + text
    else:
        import random

        rng = random.Random(seed)
        text = "\n".join(
            " ".join(rng.choices(WORDS, k=120)).capitalize() + "." for _ in range(int(need // 900))
        )
    return f"Article {seed}\n" + text


def build(root: Path, records: int, pages: int) -> Path:
    import shutil

    from review.io.textpdf import paginate, write_text_pdf
    from review.project import Project

    proj = Project.init(root / "proj", title="Full-text latency").root
    shutil.copyfile(REPO / "protocols" / "protocol.yaml", proj / "protocols" / "protocol.yaml")
    export = root / "export.csv"
    with open(export, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["title", "abstract", "authors", "year", "journal", "doi"])
        for i in range(1, records + 1):
            w.writerow(
                [f"Parent partner programme evaluation {i}", "Peer mentors.", "A, B", 2010,
                 "Child Welfare", f"10.5555/ftbench.{i}"]
            )  # fmt: skip
    p = str(proj)
    cli("import", str(export), "--source", "Web of Science", "-q", "-p", p)
    cli("dedup", "-q", "-p", p)
    ids = [
        row["record_id"]
        for row in csv.DictReader(
            (proj / "outputs" / "dedup" / "clusters.csv").read_text("utf-8-sig").splitlines()
        )
    ]
    for who in ("anat", "marina"):
        sheet = root / f"{who}.csv"
        with open(sheet, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["record_id", "decision", "reason", "note"])
            w.writerows([[rid, "include", "", ""] for rid in ids])
        cli("screen", "import", str(sheet), "--stage", "title-abstract", "--reviewer", who, "-p", p)
    pdfs = root / "pdfs"
    t = time.perf_counter()
    for i in range(1, records + 1):
        text = article_text(pages, i)
        body = "\n".join(line for page in paginate(text)[:pages] for line in page)
        write_text_pdf(pdfs / f"10.5555_ftbench.{i}.pdf", body, fonttype=14)
    print(f"wrote {records} PDFs in {time.perf_counter() - t:.1f} s")
    cli("fulltext", "attach", str(pdfs), "-q", "-p", p)
    t = time.perf_counter()
    out = cli("fulltext", "extract", "-q", "-p", p)
    print(f"extract: {time.perf_counter() - t:.2f} s — {out.strip().splitlines()[0]}")
    return proj


async def measure(proj: Path, rounds: int) -> dict[str, list[float]]:
    from review.cli.ui.textview import FullTextView
    from review.cli.ui.tui import ScreenerApp
    from review.project import Project
    from review.screen.session import ScreeningSession

    session = ScreeningSession(Project.open(proj), FT, "bench")
    app = ScreenerApp(session)
    times: dict[str, list[float]] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(FullTextView)
        painted: list[float] = []
        original = view.render_line

        def spy(y: int):  # called by the compositor for every line it repaints
            painted.append(time.perf_counter())
            return original(y)

        view.render_line = spy  # type: ignore[method-assign]

        async def timed(label: str, *keys: str) -> None:
            painted.clear()
            t = time.perf_counter()
            await pilot.press(*keys)
            while not painted:
                await pilot.pause()
            times.setdefault(label, []).append(painted[0] - t)

        for _ in range(rounds):
            assert view.doc.n_pages >= 40, view.doc.n_pages
            await timed("pagedown", "pagedown")
            await timed("k (keyword hit)", "k")
            await pilot.press("slash", *"parent partner")
            await pilot.pause()
            await timed("/ search (Enter)", "enter")
            await timed("] next match", "right_square_bracket")
            await timed("i (decide, next record)", "i")
        await pilot.press("q")
    session.close()
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=6)
    ap.add_argument("--pages", type=int, default=40)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proj = build(Path(tmp), args.records + 1, args.pages)
        times = asyncio.run(measure(proj, args.records))
    print(f"| key ({args.pages}-page article) | n | median ms | max ms |")
    print("|---|---:|---:|---:|")
    for label, xs in times.items():
        print(
            f"| {label} | {len(xs)} | {statistics.median(xs) * 1000:.0f} | {max(xs) * 1000:.0f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
