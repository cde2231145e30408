"""Full-text files: link PDFs / text files to records eligible at full text.

``data/fulltext/<who-slug>.jsonl`` holds ``attach`` lines
(``record_id, path, matched_by: doi|filename|title|manual``); the latest attachment of a cluster
wins. Matching, in order of trust:

1. ``doi`` — a record's DOI appears in the file name (``/`` may be written as ``_`` or ``-``), or
   in the file's content (text files; for PDFs, the uncompressed metadata at the start);
2. ``filename`` — the file name (without extension) is a record id, the record's own id in its
   export (``original_id``) or its PMID;
3. ``title`` — the file name, a text file's first line, or a PDF's title (its metadata or the
   first line of its first page) is close to a record's title (rapidfuzz ``token_sort_ratio``
   ≥ 90, a clear winner by 3 points).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from review.doi import find_dois
from review.errors import InputError
from review.io.files import JsonlProblem, append_jsonl, iter_jsonl, safe_name
from review.io.logline import FULLTEXT_LOG, bad_time
from review.screen.cache import cluster_index, record_store
from review.screen.final import fulltext_eligible

if TYPE_CHECKING:
    from review.dedup.clusters import Clusters
    from review.project import Project
    from review.screen.cache import ClusterIndex, DisplayRecord

FILE_SUFFIXES = (".pdf", ".txt", ".md", ".html", ".htm", ".xml", ".docx", ".doc", ".rtf", ".epub")
TEXT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".xml")
TITLE_THRESHOLD = 90.0


def fulltext_dir(project: Project) -> Path:
    return project.data_dir / "fulltext"


def attachments(
    project: Project, clusters: Clusters | ClusterIndex, problems: list[JsonlProblem] | None = None
) -> dict[str, str]:
    """``{cluster_id: path}``: the latest attached file per cluster (paths as logged)."""
    folder = fulltext_dir(project)
    found: list[tuple[str, int, str, str]] = []
    if folder.is_dir():
        for path in sorted(folder.glob("*.jsonl")):
            for seq, obj in enumerate(iter_jsonl(path, problems, _check_attach)):
                if obj.get("op") != "attach":
                    continue
                cid = clusters.cluster_of.get(str(obj.get("record_id", "")))
                if cid is not None:
                    found.append((str(obj.get("at", "")), seq, cid, str(obj.get("path", ""))))
    found.sort()
    return {cid: p for _at, _seq, cid, p in found}


def _check_attach(obj: dict[str, Any]) -> str | None:
    """What is wrong with an ``attach`` line's values (its log's only op), or None."""
    if obj.get("op") != "attach":
        return f"unknown op {str(obj.get('op'))[:40]!r}"
    for key in ("record_id", "path"):
        if not isinstance(obj.get(key), str) or not obj.get(key):
            return f"no {key}"
    return bad_time(obj.get("at"))


@dataclass
class AttachReport:
    matched: list[tuple[str, str, str]] = field(default_factory=list)  # (file, cluster, how)
    already: list[tuple[str, str]] = field(default_factory=list)  # (file, cluster)
    unmatched: list[str] = field(default_factory=list)  # files
    ambiguous: list[tuple[str, list[str]]] = field(default_factory=list)
    without_file: list[str] = field(default_factory=list)  # eligible clusters still without

    def counts(self) -> dict[str, int]:
        by_how: dict[str, int] = {}
        for _f, _c, how in self.matched:
            by_how[how] = by_how.get(how, 0) + 1
        return by_how


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _content_dois(path: Path) -> set[str]:
    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 20)
    except OSError:
        return set()
    return set(find_dois(head))


def _first_line(path: Path) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                text = re.sub(r"<[^>]+>", " ", line).strip(" #\t\r\n")
                if len(text) >= 10:
                    return text[:300]
    except OSError:
        pass
    return ""


def _pdf_titles(path: Path) -> list[str]:
    """A PDF's metadata title and the first line of its first page ('' when unreadable)."""
    try:
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path))
    except Exception:
        return []
    try:
        out = [str(pdf.get_metadata_dict().get("Title") or "")]
        if len(pdf):
            page = pdf[0]
            textpage = page.get_textpage()
            text = textpage.get_text_bounded()
            textpage.close()
            page.close()
            out += [line.strip() for line in text.splitlines() if len(line.strip()) >= 10][:1]
        return out
    except Exception:
        return []
    finally:
        pdf.close()


def match_files(
    files: list[Path], records: dict[str, DisplayRecord]
) -> tuple[dict[Path, tuple[str, str]], list[Path], list[tuple[Path, list[str]]]]:
    """Match files to cluster ids. Returns ({file: (cluster, how)}, unmatched, ambiguous)."""
    from rapidfuzz import fuzz, process

    by_doi: dict[str, str] = {}
    by_norm_doi: dict[str, str] = {}
    by_name: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    for cid, rec in records.items():
        if rec.doi:
            by_doi[rec.doi.lower()] = cid
            by_norm_doi[_norm(rec.doi)] = cid
        for key in {cid, rec.original_id, rec.pmid}:
            if key:
                by_name.setdefault(key.lower(), []).append(cid)
        if rec.title:
            titles[cid] = _words(rec.title)
    matched: dict[Path, tuple[str, str]] = {}
    unmatched: list[Path] = []
    ambiguous: list[tuple[Path, list[str]]] = []
    for f in files:
        stem = f.stem
        nstem = _norm(stem)
        # 1. DOI in the name
        hits = {cid for nd, cid in by_norm_doi.items() if len(nd) >= 8 and nd in nstem}
        if not hits:
            hits = {by_doi[d] for d in _content_dois(f) if d in by_doi}
        if len(hits) == 1:
            matched[f] = (hits.pop(), "doi")
            continue
        if len(hits) > 1:
            ambiguous.append((f, sorted(hits)))
            continue
        # 2. file name is an id
        ids = sorted(set(by_name.get(stem.lower(), [])))
        if len(ids) == 1:
            matched[f] = (ids[0], "filename")
            continue
        if len(ids) > 1:
            ambiguous.append((f, ids))
            continue
        # 3. fuzzy title
        candidates = [_words(stem)]
        if f.suffix.lower() in TEXT_SUFFIXES:
            candidates.append(_words(_first_line(f)))
        elif f.suffix.lower() == ".pdf":
            candidates += [_words(t) for t in _pdf_titles(f)]
        best: tuple[float, str] | None = None
        second = 0.0
        for cand in candidates:
            if len(cand) < 10:
                continue
            res = process.extract(cand, titles, scorer=fuzz.token_sort_ratio, limit=2)
            if res and (best is None or res[0][1] > best[0]):
                best = (res[0][1], res[0][2])
                second = res[1][1] if len(res) > 1 else 0.0
        if best and best[0] >= TITLE_THRESHOLD and best[0] - second >= 3:
            matched[f] = (best[1], "title")
        elif best and best[0] >= TITLE_THRESHOLD:
            ambiguous.append((f, [best[1]]))
        else:
            unmatched.append(f)
    return matched, unmatched, ambiguous


def _refuse_links_out(folder: Path, files: list[Path]) -> None:
    """InputError listing every file that is (or sits under) a symlink leading out of ``folder``:
    its target could be any file the user can read, copied into the cache and shown."""
    base = folder.resolve()
    out = [f for f in files if not f.resolve().is_relative_to(base)]
    if out:
        shown = "\n".join(f"  {f} -> {f.resolve()}" for f in out[:20])
        more = f"\n  … and {len(out) - 20} more" if len(out) > 20 else ""
        raise InputError(
            f"{len(out)} file(s) are links that lead out of the folder; nothing was attached. "
            f"Copy the files into the folder or remove the links:\n{shown}{more}",
            file=str(folder),
        )


def attach_dir(
    project: Project,
    folder: Path,
    by: str,
    progress: Callable[[int, int], None] | None = None,
) -> AttachReport:
    """Link the files under ``folder`` to full-text-eligible records; log new links."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(
            "not a folder. Give the folder that holds the full-text files.", file=str(folder)
        )
    clusters = cluster_index(project)
    elig = fulltext_eligible(project, clusters)

    store = record_store(project)
    records = {cid: rec for cid in elig if (rec := store.get(cid)) is not None}
    store.close()
    files = sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in FILE_SUFFIXES
    )
    _refuse_links_out(folder, files)
    if progress:
        progress(0, len(files))
    matched, unmatched, ambiguous = match_files(files, records)
    current = attachments(project, clusters)
    report = AttachReport()
    lines = []
    for f in files:
        if f not in matched:
            continue
        cid, how = matched[f]
        stored = project.log_path(f)
        if current.get(cid) == stored:
            report.already.append((str(f), cid))
            continue
        report.matched.append((str(f), cid, how))
        lines.append(FULLTEXT_LOG["attach"].line(record_id=cid, path=stored, matched_by=how, by=by))
        current[cid] = stored
    report.unmatched = [str(f) for f in unmatched]
    report.ambiguous = [(str(f), c) for f, c in ambiguous]
    report.without_file = [cid for cid in elig if cid not in current]
    if lines:
        append_jsonl(fulltext_dir(project) / f"{safe_name(by)}.jsonl", lines)
    if progress:
        progress(len(files), len(files))
    return report
