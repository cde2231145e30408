"""The text of attached full texts, page by page, in a derived cache (``.review/fulltext/``).

``fulltext extract`` (and, lazily, the full-text screener) reads each attached file once:

- PDF with pypdfium2 (PDFium's text layer, page by page; BSD-3-Clause/Apache-2.0). A PDF whose
  pages carry no text (a scan without OCR) is recorded as ``no-text`` — reported by
  ``status``, shown as such in the screener, never an error. A damaged or encrypted PDF
  is recorded as ``error`` with PDFium's message.
- HTML (``.html``, ``.htm``, ``.xml``): the visible text (scripts and styles dropped, blocks on
  their own lines), one page.
- Plain text (``.txt``, ``.md``): as is; form feeds separate pages.
- Anything else (``.docx``, ``.epub``…) is ``unsupported``: open it in its own program (``o``).

Cache layout (all rebuildable; delete ``.review/`` at will):
``.review/fulltext/text/<sha256>.json`` — ``{"status", "message", "extractor", "pages": [...]}``
for the file with that content; ``.review/fulltext/index.json`` — per stored path, the file's
size, modification time and sha256, so an unchanged file is not read again.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from review.io.files import atomic_write_text, sha256_file
from review.screen.cache import cluster_index
from review.screen.fulltext import attachments
from review.screen.pdfworker import (
    extract_pdf,
    pdf_pages,  # noqa: F401 - where callers have found it
)

if TYPE_CHECKING:
    from review.project import Project

CACHE_VERSION = 1
PDF_SUFFIXES = (".pdf",)
HTML_SUFFIXES = (".html", ".htm", ".xml")
PLAIN_SUFFIXES = (".txt", ".md")
# A page "has text" with at least this many non-space characters (page numbers, a scanner's
# stamp or a running header alone do not make a text layer).
MIN_PAGE_CHARS = 40
STATUSES = ("text", "no-text", "error", "unsupported", "missing")


@dataclass
class FullText:
    """One file's extracted text. ``pages`` is empty unless ``status == "text"``."""

    path: str  # as stored in the attachment log
    status: str  # one of STATUSES
    pages: list[str] = field(default_factory=list)
    message: str = ""
    kind: str = ""  # pdf | html | text | other

    @property
    def chars(self) -> int:
        return sum(len(p) for p in self.pages)


def resolve(project: Project, stored: str) -> Path:
    """The file a stored attachment path points to (relative paths are under the project)."""
    p = Path(stored)
    return p if p.is_absolute() else project.root / p


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        return "pdf"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in PLAIN_SUFFIXES:
        return "text"
    return "other"


def extractor_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"pypdfium2 {version('pypdfium2')}"
    except PackageNotFoundError:  # pragma: no cover - a dependency
        return "pypdfium2"


# ---- extraction ------------------------------------------------------------------------------
class _HTMLText(HTMLParser):
    BLOCK = frozenset(
        "p div br li ul ol h1 h2 h3 h4 h5 h6 tr table section article header footer "
        "blockquote pre figcaption title dt dd".split()
    )
    SKIP = frozenset(("script", "style", "noscript", "template", "svg"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.SKIP:
            self.skip += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def html_text(raw: bytes) -> str:
    parser = _HTMLText()
    parser.feed(_decode(raw))
    parser.close()
    text = "".join(parser.parts)
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def extract_file(path: Path, stored: str = "") -> FullText:
    """Extract one file; never raises for a bad file (the status and message say what is wrong)."""
    stored = stored or path.as_posix()
    kind = _kind(path)
    if not path.is_file():
        return FullText(stored, "missing", message="file not found", kind=kind)
    if kind == "other":
        return FullText(
            stored, "unsupported", message=f"{path.suffix or 'this'} files are not read", kind=kind
        )
    try:
        if kind == "pdf":
            pages = extract_pdf(path)  # a child process with memory and time limits
        elif kind == "html":
            pages = [html_text(path.read_bytes())]
        else:
            text = _decode(path.read_bytes()).replace("\r\n", "\n")
            pages = [p.strip("\n") for p in text.split("\f")]
    except Exception as exc:  # PDFium errors, unreadable files: recorded, never raised
        reason = str(exc).strip() or type(exc).__name__
        return FullText(stored, "error", message=f"cannot read: {reason}", kind=kind)
    if not any(len(re.sub(r"\s", "", p)) >= MIN_PAGE_CHARS for p in pages):
        n = len(pages)
        what = (
            f"{n} page{'s' * (n != 1)} without a text layer (scanned?)"
            if kind == "pdf"
            else "no text"
        )
        return FullText(stored, "no-text", message=what, kind=kind)
    return FullText(stored, "text", pages=pages, kind=kind)


# ---- the cache -------------------------------------------------------------------------------
def _dir(project: Project) -> Path:
    return project.cache_dir / "fulltext"


def _index_path(project: Project) -> Path:
    return _dir(project) / "index.json"


def _load_index(project: Project) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(_index_path(project).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
        return {}
    files = data.get("files")
    return files if isinstance(files, dict) else {}


def _save_index(project: Project, files: dict[str, dict[str, Any]]) -> None:
    obj = {"version": CACHE_VERSION, "files": dict(sorted(files.items()))}
    try:
        atomic_write_text(_index_path(project), json.dumps(obj, ensure_ascii=False, indent=1))
    except OSError:
        pass  # read-only checkout: works, just re-extracts


def _stat_key(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def _text_path(project: Project, sha: str) -> Path:
    return _dir(project) / "text" / f"{sha}.json"


def _read_text(project: Project, sha: str, stored: str) -> FullText | None:
    try:
        obj = json.loads(_text_path(project, sha).read_text(encoding="utf-8"))
        return FullText(
            stored,
            str(obj["status"]),
            [str(p) for p in obj.get("pages", [])],
            str(obj.get("message", "")),
            str(obj.get("kind", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_text(project: Project, sha: str, ft: FullText) -> None:
    obj = {
        "version": CACHE_VERSION,
        "extractor": extractor_version() if ft.kind == "pdf" else ft.kind,
        "status": ft.status,
        "message": ft.message,
        "kind": ft.kind,
        "pages": ft.pages,
    }
    try:
        atomic_write_text(_text_path(project, sha), json.dumps(obj, ensure_ascii=False))
    except OSError:
        pass


def _entry(ft: FullText, sha: str, key: tuple[int, int]) -> dict[str, Any]:
    return {
        "size": key[0],
        "mtime_ns": key[1],
        "sha256": sha,
        "status": ft.status,
        "pages": len(ft.pages),
        "chars": ft.chars,
        "message": ft.message,
    }


def cached_entry(
    project: Project, stored: str, index: dict[str, dict[str, Any]] | None = None
) -> dict[str, Any] | None:
    """The index entry of an up-to-date extraction of ``stored``, or None (never reads the file)."""
    index = _load_index(project) if index is None else index
    entry = index.get(stored)
    if entry is None:
        return None
    key = _stat_key(resolve(project, stored))
    if key is None or [entry.get("size"), entry.get("mtime_ns")] != list(key):
        return None
    return entry


def load_text(project: Project, stored: str, *, extract: bool = True) -> FullText:
    """The text of an attached file: from the cache, else (``extract``) extracted and cached."""
    path = resolve(project, stored)
    key = _stat_key(path)
    if key is None:
        return FullText(stored, "missing", message="file not found", kind=_kind(path))
    index = _load_index(project)
    entry = cached_entry(project, stored, index)
    if entry is not None:
        ft = _read_text(project, str(entry.get("sha256", "")), stored)
        if ft is not None:
            return ft
    if not extract:
        return FullText(stored, "missing", message="not extracted yet", kind=_kind(path))
    ft, sha = _extract_cached(project, path, stored)
    index[stored] = _entry(ft, sha, key)
    _save_index(project, index)
    return ft


def _extract_cached(project: Project, path: Path, stored: str) -> tuple[FullText, str]:
    sha = sha256_file(path)
    ft = _read_text(project, sha, stored)  # same content under another name
    if ft is None:
        ft = extract_file(path, stored)
        if ft.status != "missing":
            _write_text(project, sha, ft)
    return ft, sha


@dataclass
class ExtractReport:
    files: list[tuple[str, str, int, str]] = field(default_factory=list)  # path,status,pages,msg
    extracted: int = 0  # read now (the rest came from the cache)

    def by_status(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for path, status, _pages, _msg in self.files:
            out.setdefault(status, []).append(path)
        return out


def extract_all(
    project: Project,
    *,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ExtractReport:
    """Extract every attached file not yet in the cache (all of them with ``force``)."""
    paths = sorted(set(attachments(project, cluster_index(project)).values()))
    index = _load_index(project)
    report = ExtractReport()
    if progress:
        progress(0, len(paths))
    for n, stored in enumerate(paths, start=1):
        path = resolve(project, stored)
        key = _stat_key(path)
        entry = None if force else cached_entry(project, stored, index)
        if key is None:
            report.files.append((stored, "missing", 0, "file not found"))
            index.pop(stored, None)
        elif entry is not None and _text_path(project, str(entry.get("sha256"))).is_file():
            report.files.append(
                (stored, str(entry["status"]), int(entry.get("pages", 0)), str(entry["message"]))
            )
        else:
            if force:
                ft = extract_file(path, stored)
                sha = sha256_file(path)
                _write_text(project, sha, ft)
            else:
                ft, sha = _extract_cached(project, path, stored)
            index[stored] = _entry(ft, sha, key)
            report.extracted += 1
            report.files.append((stored, ft.status, len(ft.pages), ft.message))
        if progress:
            progress(n, len(paths))
    _save_index(project, index)
    return report


@dataclass(frozen=True, slots=True)
class FulltextCounts:
    """Attached full texts by extraction status, for ``status``."""

    attached: int  # distinct attached files
    counts: Mapping[str, int]  # extraction status (or "missing", "pending") -> files
    files: Mapping[str, tuple[str, ...]]  # "no-text", "error", "missing", "unsupported" -> files

    def to_json(self) -> dict[str, Any]:
        """The ``screening.fulltexts`` object of ``status --json``."""
        return {
            "attached": self.attached,
            "counts": dict(self.counts),
            "files": {k: list(v) for k, v in self.files.items()},
        }


def status_counts(project: Project, attached: dict[str, str]) -> FulltextCounts:
    """For `status`: attached files by extraction status (from the index only)."""
    index = _load_index(project)
    counts = dict.fromkeys(("text", "no-text", "error", "unsupported", "missing", "pending"), 0)
    listed: dict[str, list[str]] = {"no-text": [], "error": [], "missing": [], "unsupported": []}
    for stored in sorted(set(attached.values())):
        if not os.path.exists(resolve(project, stored)):
            status = "missing"
        else:
            entry = cached_entry(project, stored, index)
            status = str(entry["status"]) if entry is not None else "pending"
        counts[status] = counts.get(status, 0) + 1
        if status in listed:
            listed[status].append(stored)
    return FulltextCounts(
        attached=len(set(attached.values())),
        counts=counts,
        files={k: tuple(v) for k, v in listed.items()},
    )


def viewer_command(path: Path) -> list[str] | None:
    """The system's "open this file" command for ``path``, or None when there is none."""
    import shutil
    import sys

    if sys.platform == "darwin":
        return ["open", str(path)]
    if sys.platform.startswith("win"):
        return ["cmd", "/c", "start", "", str(path)]
    for cmd in ("xdg-open", "gio", "wslview"):
        exe = shutil.which(cmd)
        if exe:
            return [exe, "open", str(path)] if cmd == "gio" else [exe, str(path)]
    return None


def has_display() -> bool:
    """False on a Linux/BSD machine without a graphical session (e.g. over ssh), where
    xdg-open would start a text browser inside the screener's terminal."""
    import sys

    if sys.platform == "darwin" or sys.platform.startswith("win"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def open_file(project: Project, stored: str, wait: float = 1.0) -> str:
    """Open an attached file in the system viewer, in the background. Returns what happened
    (a polite message, never an exception, when there is no viewer or it fails at once)."""
    import subprocess

    path = resolve(project, stored)
    if not path.is_file():
        return f"The attached file is missing: {path}"
    cmd = viewer_command(path)
    if cmd is None:
        return f"No system viewer found (xdg-open, open or start): open {path} yourself."
    if not has_display():
        return f"No graphical display here (DISPLAY is not set): open {path} on your desktop."
    try:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        return f"Could not start {cmd[0]} ({exc}): open {path} yourself."
    try:
        code = proc.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        code = 0  # still running: the viewer is up
    if code != 0:
        name = Path(cmd[0]).name
        return f"{name} could not open the file (exit code {code}): open {path} yourself."
    return f"Opened {path} in your viewer."
