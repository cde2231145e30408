"""The review project on disk.

Layout (the plain files are the truth; everything else is derived)::

    protocols/protocol.yaml        the protocol (stages, reasons, sources, keywords)
    extraction_schema.yaml         the charting framework
    data/imports/<import_id>/      one folder per imported export: the raw file, unchanged,
                                   and its log entry import-<when>-<nonce>.json (import.json in
                                   older projects): who, when, source, kind, format, hash, counts
    data/dedup/<reviewer>.jsonl    dedup verdicts, append-only, one file per reviewer
    data/screening/<reviewer>.jsonl  screening decisions, append-only, one file per reviewer
    data/resolutions/<resolver>.jsonl  resolutions of disagreements, append-only
    data/fulltext/<who>.jsonl      full-text attachments (record -> file)
    data/charting/<reviewer>/      charting imports, one versioned file per import
    outputs/                       derived: clusters, conflicts, summaries, PRISMA (rebuildable)
    .review/                       derived cache (never committed; rebuildable from data/)

Because each writer appends only to its own files and every import is a new folder, two
reviewers who keep the project in git merge without conflicts.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from review.errors import ProjectError
from review.importlog import ImportLog, read_import_log
from review.io.files import atomic_write_text
from review.io.root import PROTOCOL_PATH, find_root
from review.model import ImportEntry, Record, ReviewType, vocab
from review.nextstep import Action, Render, step
from review.people import whoami  # noqa: F401 - where callers have found it
from review.protocol import DEFAULT_PROTOCOL, Protocol, load_protocol

if TYPE_CHECKING:
    from review.recordcache import RecordCache


# Derived files stay out of git: each clone rebuilds them (`dedup`, `prisma`, …) from
# data/, so two reviewers' commits never touch the same file and always merge cleanly.
def gitignore(command: Render = str) -> str:
    """The project's .gitignore (``command`` spells the dedup step its comment names)."""
    rebuild = command(step(Action.DEDUP, quoted=False))
    return f"# derived: rebuild with {rebuild} / disagreements / chart summary / prisma\n.review/\noutputs/\n"


SCHEMA_PATH = Path("extraction_schema.yaml")

ProgressFn = Callable[[int, int], None]  # (done, total)


class Project:
    """A review project folder: its paths and its protocol (loaded on first use). The import
    log (:mod:`review.importlog`) and the records (:mod:`review.recordcache`) are read through
    it; opening or reading changes nothing (crash recovery is
    :func:`review.importer.recover_imports`, called by the commands that write)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    # ---- locating -------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path | str | None = None) -> Project:
        """The project at ``path``; without one, the current folder or the nearest folder above
        it that holds protocols/protocol.yaml (as git finds its repository from a subfolder)."""
        if not path:
            found = find_root(Path.cwd())
            if found is not None:
                return cls(found)
        root = Path(path) if path else Path.cwd()
        if not root.is_dir():
            raise ProjectError(
                (
                    f"{root}: no such folder. Pass --project DIR or run ",
                    step(Action.INIT, dir="DIR"),
                    ".",
                )
            )
        if not (root / PROTOCOL_PATH).is_file():
            raise ProjectError(
                (
                    f"{root}: not a review project (no {PROTOCOL_PATH.as_posix()}"
                    + ("" if path else ", here or in a folder above")
                    + "). Run ",
                    step(Action.INIT, dir="DIR"),
                    " to create one, or pass --project DIR.",
                )
            )
        return cls(root)

    @classmethod
    def init(
        cls,
        path: Path | str,
        title: str | None = None,
        review_type: ReviewType = ReviewType.SCOPING,
        command: Render = str,
    ) -> Project:
        """A new project at ``path`` (``command`` spells the steps its files' comments name)."""
        root = Path(path)
        if vocab(ReviewType, review_type) is None:  # a library caller's plain string
            raise ProjectError(f"review type {review_type!r}: use scoping or systematic.")
        if root.exists() and not root.is_dir():
            raise ProjectError(f"{root}: exists and is not a folder.")
        if root.exists() and any(p.name != ".git" for p in root.iterdir()):
            raise ProjectError(
                f"{root}: folder is not empty. Choose a new folder, or delete its contents first."
            )

        title = title or root.resolve().name.replace("-", " ").replace("_", " ").strip() or "Review"
        (root / "protocols").mkdir(parents=True, exist_ok=True)
        import uuid

        text = DEFAULT_PROTOCOL.format(
            title=json.dumps(title),
            project_id=uuid.uuid4().hex[:16],
            review_type=review_type,
            screen=command(step(Action.SCREEN)),
            dedup=command(step(Action.DEDUP)),
        )
        atomic_write_text(root / PROTOCOL_PATH, text)
        atomic_write_text(root / SCHEMA_PATH, default_schema_text())
        for sub in ("data", "outputs"):
            (root / sub).mkdir(exist_ok=True)
        atomic_write_text(root / ".gitignore", gitignore(command))
        return cls(root)

    # ---- paths ----------------------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def imports_dir(self) -> Path:
        return self.data_dir / "imports"

    @property
    def outputs_dir(self) -> Path:
        return self.root / "outputs"

    @property
    def cache_dir(self) -> Path:
        return self.root / ".review"

    @property
    def protocol_path(self) -> Path:
        return self.root / PROTOCOL_PATH

    @property
    def schema_path(self) -> Path:
        return self.root / SCHEMA_PATH

    def rel(self, path: Path) -> str:
        """Path relative to the project root, POSIX separators (as stored in logs)."""
        try:
            return Path(path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return Path(path).as_posix()

    def log_path(self, path: Path) -> str:
        """A file's path as a log stores it: relative to the project root even when the file is
        outside the project (``../pdfs/a.pdf``), never to the current folder; POSIX separators.
        Absolute only when no relative path exists (another drive on Windows)."""
        target = Path(path).resolve()
        try:
            return Path(os.path.relpath(target, self.root)).as_posix()
        except ValueError:
            return target.as_posix()

    def output(self, *parts: str) -> Path:
        """A path under outputs/, its folder created."""
        p = self.outputs_dir.joinpath(*parts)
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    # ---- protocol -------------------------------------------------------------------------
    @cached_property
    def protocol(self) -> Protocol:
        return load_protocol(self.protocol_path)

    @property
    def project_id(self) -> str:
        """The protocol's ``project_id`` (written by `init`); projects made before it
        existed are known by a hash of their title. Exported sheets carry it."""
        if self.protocol.project_id:
            return self.protocol.project_id
        import hashlib

        return "title-" + hashlib.sha256(self.protocol.title.encode("utf-8")).hexdigest()[:12]

    # ---- import log and records (thin: see review/importlog.py, review/recordcache.py) ----
    def import_log(self) -> ImportLog:
        """The import log as a value (entries, duplicates); reading it changes nothing."""
        return read_import_log(self)

    def imports(self) -> list[ImportEntry]:
        """The import log's entries that count, oldest first (:meth:`import_log`)."""
        return list(read_import_log(self).entries)

    @cached_property
    def record_cache(self) -> RecordCache:
        """The on-disk record store (``.review/records/``) and the records it holds in memory."""
        from review.importer import build_record_store
        from review.recordcache import RecordCache

        return RecordCache(
            self.cache_dir / "records", lambda entry, sink: build_record_store(self, entry, sink)
        )

    def records(
        self,
        progress: ProgressFn | None = None,
        raw_tags: frozenset[str] | None = None,
        abstracts: bool = True,
    ) -> list[Record]:
        """Every imported record, in import order then file order (:class:`RecordCache`);
        ``raw_tags``: only these raw tags kept; ``abstracts=False``: abstracts left empty
        (see :meth:`RecordCache.records`)."""
        return self.record_cache.records(self.imports(), progress, raw_tags, abstracts)

    def record_cache_path(self, entry: ImportEntry) -> Path:
        """``.review/records/<import_id>-<reader key>.sqlite``: one import's record store."""
        return self.record_cache.path(entry)

    def record_fields(self, names: Sequence[str]) -> dict[str, tuple[Any, ...]]:
        """``record_id -> (the values of the fields names)`` for every imported record, read
        column by column from the record stores without building :class:`Record` objects."""
        return self.record_cache.fields(self.imports(), names)

    def cached_record_fields(self, names: Sequence[str]) -> dict[str, tuple[Any, ...]] | None:
        """:meth:`record_fields` (kept for callers that expected None when a cache was missing:
        the record stores rebuild themselves)."""
        return self.record_fields(names)

    def record_index(self) -> dict[str, Record]:
        return {r.record_id: r for r in self.records()}

    def invalidate(self) -> None:
        """Forget loaded records (after an import)."""
        if "record_cache" in self.__dict__:
            self.record_cache.invalidate()


def default_schema_text() -> str:
    """The extraction schema a new project starts with: the JBI scoping-review charting items
    (review/chart/scoping_schema.yaml). The worked example keeps its own framework."""
    return (Path(__file__).parent / "chart" / "scoping_schema.yaml").read_text(encoding="utf-8")
