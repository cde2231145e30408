"""PDF text extraction: pypdfium2 vs pypdf, speed and quality on real PDFs.

Corpus:
- the worked example's full texts (``../shared/reference/fulltexts/*.txt``: a review, two
  articles, an evaluation report and a conference abstract), rendered to PDF with matplotlib
  (``review.io.textpdf``) in three font set-ups: Type 3 subsets (matplotlib's default), embedded
  TrueType (Type 42) and the standard Times font (not embedded). The source text is the ground
  truth: **word recall** = share of the source's words (as a multiset) found in the extracted
  text; **order** = normalised Indel similarity (rapidfuzz) of the whitespace-normalised texts;
- PDFs found on this machine made by other tools (``--pdf FILE``, default: the pdfTeX and
  DocBook manuals under /usr/share/doc when present). No ground truth there: we report the two
  libraries' agreement with each other and "glued" tokens (longer than 25 letters: missing
  spaces), ligature characters (ﬁ, ﬂ) and words split by a line-end hyphen ("manip-" /
  "ulation"): words a search would miss.

``pypdfium2 worker`` is the pipeline's path since issue 21: the same call in the child process
with memory and time limits (``review/screen/pdfworker.py``), best of ``--repeat`` runs (the
worker is started before the first file and reused).

Usage: ``.venv/bin/python benchmarks/fulltext_extract.py [--dir /tmp/ft-bench] [--repeat 3]``
(pypdf is not a dependency of review: ``uv pip install pypdf`` to include it).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared" / "reference" / "fulltexts"
DEFAULT_REAL = (
    Path("/usr/share/doc/libtasn1-doc/libtasn1.pdf"),
    Path("/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf"),
)
FONTS = {3: "Type 3", 42: "TrueType", 14: "Times (std 14)"}


def pdfium_pages(path: Path) -> list[str]:
    from review.screen.pdfworker import pdf_pages

    return pdf_pages(path)


def worker_pages(path: Path) -> list[str]:
    """The pipeline's path: the same PDFium call in the capped worker process (issue 21)."""
    from review.screen.pdfworker import extract_pdf

    return extract_pdf(path)


def pypdf_pages(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [p.extract_text() or "" for p in PdfReader(str(path)).pages]


def words(text: str) -> list[str]:
    """Lower-case words; a word hyphenated across a line end counts as one (the source texts
    are hard-wrapped with such hyphens, and PDFium joins them: compare like with like)."""
    return re.findall(r"\w+", re.sub(r"-[ \t]*\r?\n\s*", "", text).lower())


def norm(text: str) -> str:
    return " ".join(words(text))


def recall(truth: str, got: str) -> float:
    t, g = Counter(words(truth)), Counter(words(got))
    return sum(min(n, g[w]) for w, n in t.items()) / max(1, sum(t.values()))


def order_similarity(a: str, b: str) -> float:
    from rapidfuzz.distance import Indel

    return Indel.normalized_similarity(norm(a), norm(b))


def oddities(text: str) -> tuple[int, int, int]:
    toks = re.findall(r"\S+", text)
    glued = sum(1 for t in toks if len(re.sub(r"[^A-Za-z]", "", t)) > 25)
    lig = len(re.findall("[\ufb00-\ufb06]", text))
    split = len(re.findall(r"[a-z]-\n[a-z]", text))  # a word cut by a line-end hyphen
    return glued, lig, split


def timed(fn, path: Path, repeat: int) -> tuple[list[str], float]:
    best = float("inf")
    pages: list[str] = []
    for _ in range(repeat):
        t = time.perf_counter()
        pages = fn(path)
        best = min(best, time.perf_counter() - t)
    return pages, best


def corpus(folder: Path, extra: list[Path]) -> list[tuple[str, Path, str | None]]:
    from review.io.textpdf import write_text_pdf

    out: list[tuple[str, Path, str | None]] = []
    for src in sorted(SHARED.glob("*.txt")):
        text = src.read_text(encoding="utf-8")
        for ft, label in FONTS.items():
            pdf = folder / f"{src.stem}-{ft}.pdf"
            if not pdf.is_file():
                write_text_pdf(pdf, text, title=src.stem, fonttype=ft)
            truth = text if ft != 14 else pdf_truth(text)
            out.append((f"{src.stem[:28]} ({label})", pdf, truth))
        if src.stem.startswith(("saar-heiman", "berrick")):  # journal layout: two columns
            pdf = folder / f"{src.stem}-2col.pdf"
            if not pdf.is_file():
                two_column_pdf(pdf, pdf_truth(text))
            out.append((f"{src.stem[:28]} (2 columns)", pdf, pdf_truth(text)))
    for p in extra:
        if p.is_file():
            out.append((p.name, p, None))
    return out


def two_column_pdf(path: Path, text: str) -> None:
    """Two columns of 44 characters per A4 page (standard Times), like a journal article."""
    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    from review.io.textpdf import LINES_PER_PAGE, PAGE_SIZE, paginate

    lines = [line for page in paginate(text, width=44, lines_per_page=10**9) for line in page]
    per_page = 2 * LINES_PER_PAGE
    meta = {"Creator": None, "Producer": None, "CreationDate": None}
    with (
        matplotlib.rc_context({"pdf.use14corefonts": True}),
        PdfPages(path, metadata=meta) as pdf,
    ):
        for start in range(0, len(lines), per_page):
            fig = Figure(figsize=PAGE_SIZE)
            chunk = lines[start : start + per_page]
            for x, col in ((0.06, chunk[:LINES_PER_PAGE]), (0.52, chunk[LINES_PER_PAGE:])):
                if col:
                    fig.text(x, 0.95, "\n".join(col), fontsize=9, family="serif", va="top",
                             linespacing=1.32)  # fmt: skip
            pdf.savefig(fig)


def pdf_truth(text: str) -> str:
    from review.io.textpdf import _LATIN1

    return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", type=Path, default=Path("/tmp/ft-bench"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pdf", type=Path, action="append", default=None)
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    try:
        import pypdf  # noqa: F401

        libs = {"pypdfium2": pdfium_pages, "pypdfium2 worker": worker_pages, "pypdf": pypdf_pages}
    except ImportError:
        libs = {"pypdfium2": pdfium_pages, "pypdfium2 worker": worker_pages}
    items = corpus(args.dir, args.pdf if args.pdf is not None else list(DEFAULT_REAL))
    print("| PDF | pages | library | ms/page | word recall | order | glued | ligatures | split |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    totals: dict[str, list[float]] = {k: [] for k in libs}
    for label, path, truth in items:
        texts = {}
        for name, fn in libs.items():
            pages, secs = timed(fn, path, args.repeat)
            text = "\n".join(pages)
            texts[name] = text
            totals[name].append(secs / max(1, len(pages)) * 1000)
            glued, lig, split = oddities(text)
            if truth is not None:
                r, o = f"{recall(truth, text):.4f}", f"{order_similarity(truth, text):.4f}"
            else:
                r, o = "–", "–"
            print(
                f"| {label} | {len(pages)} | {name} | {secs / max(1, len(pages)) * 1000:.1f} "
                f"| {r} | {o} | {glued} | {lig} | {split} |"
            )
        if truth is None and "pypdf" in texts:
            a, b = texts["pypdfium2"], texts["pypdf"]
            print(f"|  |  | agreement pypdfium2~pypdf | | | {order_similarity(a, b):.4f} | | | |")
    for name, per_page in totals.items():
        print(f"{name}: median {statistics.median(per_page):.1f} ms/page over {len(per_page)} PDFs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
