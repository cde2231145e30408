"""The scored candidate pairs cached in ``.review/dedup/pairs.pickle``, keyed by the tool
version, the scoring code, the blocking options and the set of main-branch record ids, so
applying verdicts only re-runs decide + cluster."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from review import __version__
from review.io.files import atomic_write_with

if TYPE_CHECKING:
    from review.dedup.decide import DedupOptions
    from review.model import Record
    from review.project import Project

CACHE_VERSION = "3"  # 2: issue 22 (missing-value strings, lost letters, translated titles)
# 3: written in pieces (a header, then PIECE pairs per pickle)
PIECE = 100_000  # pairs per pickle: the pickler's memo of a million-record library stays small


def fingerprint(records: list[Record], branches: dict[str, str], options: DedupOptions) -> str:
    h = hashlib.sha256()
    h.update(f"{CACHE_VERSION}|{__version__}|{options.max_block}|{options.window}\n".encode())
    # The scoring code itself: a changed normaliser/scorer must never reuse old scores.
    here = Path(__file__).parent
    for name in ("fold.py", "ltwa.py", "normalize.py", "block.py", "score.py"):
        h.update((here / name).read_bytes())
    for rid in sorted(r.record_id for r in records if branches.get(r.record_id) == "main"):
        h.update(rid.encode() + b"\n")
    return h.hexdigest()


def load_cache(project: Project, key: str) -> list | None:
    path = project.cache_dir / "dedup" / "pairs.pickle"
    if not path.is_file():
        return None
    try:
        with open(path, "rb") as fh:
            head = pickle.load(fh)  # noqa: S301 - our own cache file
            if not isinstance(head, dict) or head.get("fingerprint") != key:
                return None
            scored: list = []
            for _ in range(head["pieces"]):
                scored.extend(pickle.load(fh))  # noqa: S301
            if len(scored) != head["pairs"]:
                return None
            return scored
    except Exception:  # a stale or torn cache is simply rebuilt
        return None


def save_cache(project: Project, key: str, scored: list) -> None:
    """The scored pairs, a header and then one pickle per PIECE pairs, written into the file
    as they are made: millions of pairs are never held as bytes, and the pickler's memo (an
    entry per object it wrote) only ever holds one piece."""
    pieces = range(0, len(scored), PIECE)

    def write(fh: BinaryIO) -> None:
        header = {"fingerprint": key, "pieces": len(pieces), "pairs": len(scored)}
        pickle.dump(header, fh, protocol=pickle.HIGHEST_PROTOCOL)
        for start in pieces:
            pickle.dump(scored[start : start + PIECE], fh, protocol=pickle.HIGHEST_PROTOCOL)

    try:
        atomic_write_with(project.cache_dir / "dedup" / "pairs.pickle", write)
    except OSError:
        pass  # read-only checkout: works, just slower next time
