"""PDF text extraction in a child process with a memory and a time limit (issue 21).

PDFium is C++: a hostile PDF (one page holding 18 million text operators in a 389 KB file) makes
it allocate until the process is killed by SIGABRT, which no ``try`` can catch. So every PDF is
read by one worker process (started once, reused for every file of a run, restarted after a
failure) whose address space is capped (``RLIMIT_AS``), and the caller waits at most a set time
per file. A file that breaks either limit becomes an ``error`` line in the report; the worker is
replaced and the next file is read as usual.

Limits: ``REVIEW_PDF_MEMORY_MB`` (default 2048) and ``REVIEW_PDF_SECONDS`` (default 120).

The worker's protocol: one JSON line ``{"path": …}`` in, one JSON line ``{"pages": […]}`` or
``{"error": …}`` out.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import selectors
import subprocess
import sys
import threading
import time
from pathlib import Path

DEFAULT_MEMORY_MB = 2048
DEFAULT_SECONDS = 120.0


class PdfFailed(Exception):
    """The file could not be read within the limits (the message says which)."""


def memory_mb() -> int:
    try:
        return max(64, int(os.environ.get("REVIEW_PDF_MEMORY_MB", DEFAULT_MEMORY_MB)))
    except ValueError:
        return DEFAULT_MEMORY_MB


def seconds() -> float:
    try:
        return max(0.1, float(os.environ.get("REVIEW_PDF_SECONDS", DEFAULT_SECONDS)))
    except ValueError:
        return DEFAULT_SECONDS


class _Worker:
    def __init__(self, limit_mb: int) -> None:
        self.limit_mb = limit_mb

        def cap() -> None:  # runs in the child before Python starts
            import resource

            limit = limit_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file of a bomb

        self.proc = subprocess.Popen(
            [sys.executable, "-m", "review.screen.pdfworker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            preexec_fn=cap,
        )
        self.buffer = b""

    def ask(self, path: Path, timeout: float) -> list[str]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write(json.dumps({"path": str(path)}).encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise PdfFailed(self._death()) from None
        line = self._read_line(timeout)
        reply = json.loads(line)
        if "error" in reply:
            raise PdfFailed(str(reply["error"]))
        return [str(p) for p in reply["pages"]]

    def _read_line(self, timeout: float) -> bytes:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while b"\n" not in self.buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    self.close()
                    raise PdfFailed(
                        f"reading the PDF took longer than {timeout:g} s (a content bomb?); "
                        "REVIEW_PDF_SECONDS raises the limit"
                    )
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    raise PdfFailed(self._death())
                self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line

    def _death(self) -> str:
        code = self.proc.wait()
        self.close()
        return (
            f"PDF reader ran out of memory (limit {self.limit_mb} MB; a content bomb?), "
            f"exit {code}; REVIEW_PDF_MEMORY_MB raises the limit"
        )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass


_lock = threading.Lock()
_worker: _Worker | None = None


def extract_pdf(path: Path) -> list[str]:
    """Each page's text of ``path``, read by the worker; PdfFailed when a limit is hit."""
    global _worker
    with _lock:
        limit = memory_mb()
        if _worker is None or not _worker.alive() or _worker.limit_mb != limit:
            if _worker is not None:
                _worker.close()
            _worker = _Worker(limit)
        worker = _worker
        try:
            return worker.ask(Path(path).resolve(), seconds())
        finally:
            if not worker.alive():
                _worker = None


def pdf_pages(path: Path) -> list[str]:
    """Each page's text (PDFium's reading order), ``\\r\\n`` normalised to ``\\n``.

    In-process and unlimited: the pipeline calls it only inside the worker process."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        out = []
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            try:
                text = textpage.get_text_bounded()
            finally:
                textpage.close()
                page.close()
            out.append(_clean(text))
        return out
    finally:
        pdf.close()


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    # PDFium marks a word hyphenated across a line end with \x02 and joins its halves:
    # dropping the mark gives the whole word back (searchable: "manipulation", not "manip-")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x02", "")
    return _CONTROL.sub("", text).strip("\n")


@atexit.register
def shutdown() -> None:
    """Stop the worker (it also ends by itself when its input closes)."""
    global _worker
    with _lock:
        if _worker is not None:
            _worker.close()
            _worker = None


def _serve() -> None:
    out = sys.stdout.buffer
    for raw in sys.stdin.buffer:
        try:
            reply: dict[str, object] = {"pages": pdf_pages(Path(json.loads(raw)["path"]))}
        except MemoryError:
            reply = {"error": "PDF reader ran out of memory (a content bomb?)"}
        except Exception as exc:  # PDFium errors: the caller records them
            reply = {"error": str(exc).strip() or type(exc).__name__}
        out.write(json.dumps(reply).encode() + b"\n")
        out.flush()


if __name__ == "__main__":
    _serve()
