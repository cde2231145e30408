"""The import stage: read exports, keep byte-identical copies, log each import.

``import_files`` validates *every* file before writing anything, so an error in the third file
leaves the project exactly as it was. Each file is parsed straight into its record store
(:mod:`review.recordcache`, in bounded memory: :func:`review.io.readers.parse_into`), then
copied unchanged to ``data/imports/<source-slug>-<sha8>/<original name>`` next to its log entry
(the :class:`~review.model.ImportEntry`). Records are derived from those copies: a missing
store is rebuilt by :func:`build_record_store`. :func:`recover_imports` is the explicit crash
recovery.

Long module: reading the exports and the all-or-nothing write protocol (staging, commit, roll
forward after a crash) are the one writer of ``data/imports/``; they change together.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from review import __version__
from review.errors import InputError, ProjectError
from review.importlog import read_import_log
from review.io.files import atomic_write_text, command_text, now_iso, safe_name
from review.io.lock import LockedError, project_lock
from review.io.printable import printable
from review.io.readers import (
    Entry,
    EntrySink,
    ParseResult,
    Problem,
    gc_paused,
    parse_into,
    parse_owned,
    read_bytes,
)
from review.model import (
    SEARCH_FIELDS,
    ImportEntry,
    Kind,
    Record,
    make_record_id,
    record_from_values,
    vocab,
)
from review.nextstep import Action, Text, plain, step
from review.people import whoami
from review.search import source_searches

if TYPE_CHECKING:
    from review.project import Project
    from review.search import Search

ProgressFn = Callable[[int, int], None]


@dataclass
class ImportReport:
    """What happened to one file: the summary line ``import`` prints."""

    file: str  # the path as given
    source: str
    kind: Kind
    format: str
    encoding: str
    found: int
    imported: int
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    import_id: str = ""
    sha256: str = ""
    stored_as: str = ""  # raw copy, relative to the project root

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_IMPORT_EXAMPLE = step(Action.IMPORT, quoted=False, file="results.ris", source="Scopus")


def entry_to_record(
    entry: Entry, *, sha256: str, source: str, kind: Kind, source_file: str
) -> Record:
    """A :class:`Record` for one parsed entry (ids from the file hash and position)."""
    return Record(
        record_id=make_record_id(sha256, entry.position),
        source=source,
        kind=kind,
        source_file=source_file,
        source_position=entry.position,
        source_line=entry.line,
        original_id=entry.original_id,
        raw=entry.raw,
        **entry.fields,
    )


def load_file_records(
    path: Path | str,
    *,
    source: str = "file",
    kind: Kind = Kind.DATABASE,
    fmt: str = "auto",
    encoding: str | None = None,
    column_map: dict[str, str] | None = None,
) -> list[Record]:
    """Every record of one export file, without a project (benchmarks, quick looks).

    ``source_file`` is the path as given; record ids derive from the file's SHA-256, exactly
    as they would after ``import``. Raises :class:`InputError` on an unreadable file.
    """
    path = Path(path)
    holder = [read_bytes(path)]
    sha = hashlib.sha256(holder[0]).hexdigest()
    with gc_paused():
        result = parse_owned(holder, str(path), fmt, encoding, column_map)
        _refuse_unparsed(result, str(path))
        return _to_records(result, sha, source, kind, path.as_posix())


def _refuse_unparsed(result: ParseResult, name: str) -> None:
    """A record that cannot be parsed stops the import: never fewer records than the file has."""
    fatal = [p for p in result.problems if p.position is None and not result.records]
    if fatal:
        raise InputError(_problem_text(fatal[0]), file=name, line=fatal[0].line or None)
    unparsed = [p for p in result.problems if p.position is not None]
    if unparsed:
        first = unparsed[0]
        more = f" (and {len(unparsed) - 1} more)" if len(unparsed) > 1 else ""
        raise InputError(
            f"record {first.position} cannot be parsed: {first.message}{more}. Nothing was "
            "imported; fix or remove that record in the file and import it again.",
            file=name,
            line=first.line or None,
        )


def _to_records(
    result: ParseResult, sha: str, source: str, kind: Kind, source_file: str
) -> list[Record]:
    """Records for the parsed entries (as :func:`entry_to_record` makes them, faster);
    entries are released as they are converted."""
    entries = result.entries
    records = [
        record_from_values(
            (
                make_record_id(sha, e.position),
                source,
                kind,
                source_file,
                e.position,
                e.line,
                e.original_id,
                *e.fields.values(),  # normalize_fields gives them in FIELDS order
                e.raw,
            )
        )
        for e in entries
    ]
    entries.clear()
    return records


def build_record_store(project: Project, entry: ImportEntry, sink: EntrySink) -> None:
    """Read one logged import's records again from its raw copy under ``data/imports`` into
    ``sink`` (the record store, :mod:`review.recordcache`), in bounded memory."""
    path = project.root / entry.file
    if not path.is_file():
        raise ProjectError(
            f"{entry.file}: raw copy of import {entry.import_id} is missing. Restore it from git "
            "(data/ is the project's truth)."
        )
    holder = [read_bytes(path)]
    sha = hashlib.sha256(holder[0]).hexdigest()
    if sha != entry.sha256:
        raise ProjectError(
            f"{entry.file}: the raw copy has changed since it was imported (SHA-256 differs from "
            "import.json). Restore the original from git; raw exports must not be edited."
        )
    result = parse_into(
        holder, str(path), entry.format, entry.encoding or None, entry.column_map or None, sink
    )
    _refuse_unparsed(result, entry.file)
    if result.records != entry.records:
        raise ProjectError(
            f"{entry.file}: now reads as {result.records} records, but {entry.records} "
            f"were imported (review {entry.tool_version} then, {__version__} now). Please "
            "report this; record ids would shift."
        )


def _source_name(source: str) -> str:
    """The source name as stored: spaces collapsed; refused when empty or when it holds a
    control or bidi-override character (it is printed, charted and written to every output)."""
    source = " ".join(str(source).split())
    if not source:
        raise InputError("--source must name the database or source, e.g. --source Scopus.")
    if printable(source) != source:
        raise InputError(
            f"--source {printable(source)!r} contains a control or bidi-override character; "
            "pass a plain name, e.g. --source Scopus."
        )
    return source


def import_files(
    project: Project,
    paths: Iterable[Path | str],
    *,
    source: str,
    kind: Kind = Kind.DATABASE,
    fmt: str = "auto",
    encoding: str | None = None,
    screen: bool = False,
    column_map: dict[str, str] | None = None,
    who: str | None = None,
    progress: ProgressFn | None = None,
    search: Search | None = None,
) -> list[ImportReport]:
    """Import export files into ``project`` under one source name (``search``: the search
    strategy given, :mod:`review.search`, stored in each file's log entry). Every file is read
    and validated first; if any fails (unreadable, empty, unknown format, a record that cannot be
    parsed, already imported), :class:`InputError` is raised and nothing is written. Returns one
    :class:`ImportReport` per file.
    """
    files = [Path(p) for p in paths]
    if not files:
        raise InputError(("no files given. Example: ", _IMPORT_EXAMPLE))
    source = _source_name(source)
    found = vocab(Kind, kind)  # a library caller may pass the plain string
    if found is None:
        raise InputError(f"--kind {kind!r} is not a kind; use one of: {', '.join(Kind)}.")
    kind = found
    who = who or whoami()
    batch = _Batch(project, source, fmt, encoding, column_map)
    try:
        for i, path in enumerate(files, start=1):
            batch.read(path)
            if progress:
                progress(i, len(files) * 2)
        # Everything is valid: write the batch, all of it or nothing (see _commit_batch).
        with project_lock(project.root, command_text(), who):
            recover_imports(project)  # an interrupted import is finished or undone first
            batch.assign_ids()  # another importer may have finished meanwhile: checked again
            logged = [
                p.entry(kind, screen, who, now_iso(), column_map, search) for p in batch.parsed
            ]
            staged = [
                (log.import_id, log.original_name, p.copy.finish(), _log_dict(log))
                for p, log in zip(batch.parsed, logged, strict=True)
            ]
            _commit_batch(project, staged, progress, len(files))
            batch.place_stores()
    except BaseException:
        batch.discard()
        raise
    project.invalidate()
    return [_report(project, p, log, encoding) for p, log in zip(batch.parsed, logged, strict=True)]


def _log_dict(log: ImportEntry) -> dict[str, Any]:
    """The entry as written: search fields only when given (older entries never had them)."""
    return {
        k: v for k, v in asdict(log).items() if k not in SEARCH_FIELDS or v not in ("", [], None)
    }


@dataclass
class _Parsed:
    """One file of a batch, read and checked; its records are in its (pending) record store."""

    path: Path
    copy: _RawCopy  # the raw copy, written while the file is read
    sha: str
    source: str
    result: ParseResult
    store: Path  # the pending record store, moved into place once imported
    import_id: str = ""  # given under the project lock (_Batch.assign_ids)
    rel: str = ""  # where the raw copy goes, relative to the project root

    def entry(
        self,
        kind: Kind,
        screen: bool,
        who: str,
        now: str,
        column_map: dict[str, str] | None,
        search: Search | None,
    ) -> ImportEntry:
        result = self.result
        return ImportEntry(
            import_id=self.import_id,
            source=self.source,
            kind=kind,
            format=result.format,
            encoding=result.encoding,
            file=self.rel,
            original_name=self.path.name,
            sha256=self.sha,
            records=result.records,
            found=result.found,
            problems=len(result.problems),
            screen=bool(screen),
            imported_by=who,
            imported_at=now,
            tool_version=__version__,
            column_map=dict(column_map or {}),
            **(search.to_log() if search is not None else {}),
        )


class _Batch:
    """The files of one ``import``, read one after another before anything is written: each is
    hashed, refused if imported before or given twice, and parsed straight into a pending record
    store (never all its records in memory); :class:`InputError` on the first problem."""

    def __init__(
        self,
        project: Project,
        source: str,
        fmt: str,
        encoding: str | None,
        column_map: dict[str, str] | None,
    ) -> None:
        self.project = project
        self.source = source
        self.fmt, self.encoding, self.column_map = fmt, encoding, column_map
        self.existing = read_import_log(project).by_sha256()
        self.parsed: list[_Parsed] = []
        self.placed: list[Path] = []

    def read(self, path: Path) -> None:
        import secrets

        from review.recordcache import StoreWriter

        data = read_bytes(path)
        sha = hashlib.sha256(data).hexdigest()
        _refuse_known(self.existing, sha, path)
        for p in self.parsed:
            if p.sha == sha:
                raise InputError(
                    f"is the same file as {p.path} (identical bytes). Give each file once.",
                    file=str(path),
                )
        for p in self.parsed:
            p.copy.wait()  # no thread of this process writes while the next file forks workers
        folder = self.project.cache_dir / "records"
        pending = folder / f".{sha[:16]}.{secrets.token_hex(4)}"
        writer = StoreWriter(pending.with_name(f"{pending.name}.pending.tmp"))
        copy = _RawCopy(pending.with_name(f"{pending.name}.raw.tmp"), data)
        sink = _CopyingSink(writer, copy)
        try:
            result = parse_into([data], str(path), self.fmt, self.encoding, self.column_map, sink)
            del data
            _refuse_unparsed(result, str(path))
            store = writer.finish(sha)
            copy.wait()
        except OSError as exc:
            writer.discard()
            copy.discard()
            raise ProjectError(
                f"cannot write the records of {path} to {self.project.rel(folder)}/ "
                f"({exc}). Nothing was imported; free some disk space (or fix the cause) and "
                "run the same command again."
            ) from None
        except BaseException:
            writer.discard()
            copy.discard()
            raise
        self.parsed.append(_Parsed(path, copy, sha, self.source, result, store))

    def assign_ids(self) -> None:
        """Under the project lock: refuse a file imported meanwhile; name each import."""
        project = self.project
        existing = read_import_log(project).by_sha256()
        folder = project.imports_dir
        taken = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
        slug = safe_name(self.source)[:60]
        for p in self.parsed:
            _refuse_known(existing, p.sha, p.path)
            import_id = f"{slug}-{p.sha[:8]}"
            if import_id in taken and not _orphan(folder / import_id):
                import_id = f"{slug}-{p.sha[:16]}"  # same 8-hex prefix
            taken.add(import_id)
            p.import_id = import_id
            p.rel = f"{project.rel(folder)}/{import_id}/{p.path.name}"

    def place_stores(self) -> None:
        """Move each import's record store to its place (a cache: a failure costs a rebuild)."""
        import os

        from review.recordcache import store_path

        for p in self.parsed:
            target = store_path(self.project, p.import_id)
            try:
                os.replace(p.store, target)
                self.placed.append(target)
            except OSError:
                pass

    def discard(self) -> None:
        """Delete the pending record stores and raw copies of a batch that was not imported."""
        for p in self.parsed:
            p.store.unlink(missing_ok=True)
            p.copy.discard()


class _RawCopy:
    """The byte-for-byte copy of an export (the very bytes hashed and read), written and
    fsync'd in a thread while the export is read (file writes let the reading go on), beside
    the pending record store; the commit moves it into the transaction (:func:`_commit_batch`).
    A copy an interrupted import left behind is deleted as the pending stores are
    (:func:`recover_imports`)."""

    def __init__(self, path: Path, data: bytes) -> None:
        self.path = path
        self._data: bytes | None = data
        self._error: BaseException | None = None
        self._thread: Any = None

    def start(self) -> None:
        if self._thread is None and self._data is not None:
            import threading

            self._thread = threading.Thread(target=self._write, name="raw copy", daemon=True)
            self._thread.start()

    def _write(self) -> None:
        data, self._data = self._data, None
        try:
            _write_new(self.path, data)  # type: ignore[arg-type]
        except BaseException as exc:  # raised by wait()
            self._error = exc

    def wait(self) -> None:
        """Write the copy (if not begun) and wait until it is on disk; the write's error."""
        if self._thread is None and self._data is not None:
            self._write()
        elif self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error

    def finish(self) -> Path:
        self.wait()
        return self.path

    def discard(self) -> None:
        if self._thread is not None:
            self._thread.join()
        self._data = None
        self.path.unlink(missing_ok=True)


class _CopyingSink:
    """The record-store writer, which starts the raw copy when the first records arrive: by
    then any worker process reading the file is forked (a process is not forked while another
    of its threads writes)."""

    def __init__(self, writer: Any, copy: _RawCopy) -> None:
        self.writer, self.copy = writer, copy

    def __getattr__(self, name: str) -> Any:  # encode, reset: the writer's
        return getattr(self.writer, name)

    def add(self, entries: list[Entry]) -> None:
        self.copy.start()
        self.writer.add(entries)

    def add_encoded(self, lines: Any, blobs: Any) -> None:
        self.copy.start()
        self.writer.add_encoded(lines, blobs)


def _report(
    project: Project, parsed: _Parsed, log: ImportEntry, encoding: str | None
) -> ImportReport:
    """What ``import`` prints about one file."""
    path, result = parsed.path, parsed.result
    warnings = list(result.warnings)
    if result.encoding and not result.encoding.startswith("utf") and not encoding:
        warnings.append(
            f"{path}: guessed encoding {result.encoding}; to import it again with "
            f"another --encoding, delete {project.rel(project.imports_dir)}/{log.import_id}/ "
            "first (a file is imported once)."
        )
    return ImportReport(
        file=str(path),
        source=log.source,
        kind=log.kind,
        format=result.format,
        encoding=result.encoding,
        found=result.found,
        imported=result.records,
        problems=[_problem_text(p) for p in result.problems],
        warnings=warnings,
        import_id=log.import_id,
        sha256=log.sha256,
        stored_as=log.file,
    )


def _refuse_known(existing: dict[str, ImportEntry], sha: str, path: Path) -> None:
    if sha in existing:
        prev = existing[sha]
        raise InputError(
            f"already imported (byte-identical to {prev.file}, imported as source "
            f"{prev.source!r} on {prev.imported_at[:10]}). Nothing was imported; "
            "a re-run of the same search should be exported again as a new file.",
            file=str(path),
        )


# ---- all-or-nothing writes ---------------------------------------------------------------------
#
# A batch is written to .review/staging/<txn>/ (outside data/, so git never sees it), one folder
# per import holding the raw copy and its log entry, every file fsync'd. Then one atomic step
# commits it: COMMIT (the list of import folders) is written into the transaction folder. Only
# after that are the folders renamed into data/imports/. A crash before COMMIT leaves nothing in
# data/ and the transaction is deleted by the next recovery; a crash after it is finished
# (rolled forward) by the next recovery (recover_imports: the next import, or the next command
# that opens the project; reading the import log never does). Either all files of a batch are
# imported or none. The record stores (.review/records/, a cache) are written while the files
# are read, before the commit, and deleted if the batch is not imported.

_LOG_PREFIX = "import-"


def staging_dir(project: Project) -> Path:
    return project.cache_dir / "staging"


def _fsync_dir(path: Path) -> None:
    import os

    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_new(path: Path, data: bytes) -> None:
    import os

    with open(path, "xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def log_entry_name(entry: dict[str, Any]) -> str:
    """``import-<UTC time>-<nonce>.json``: unique per import, so clones never collide."""
    import secrets

    stamp = "".join(c for c in str(entry.get("imported_at", "")) if c.isalnum())[:15]
    return f"{_LOG_PREFIX}{stamp}-{secrets.token_hex(3)}.json"


def _orphan(folder: Path) -> bool:
    """An import folder without any log entry (left by an interrupted older version)."""
    return folder.is_dir() and not any(
        p.name == "import.json" or (p.name.startswith(_LOG_PREFIX) and p.suffix == ".json")
        for p in folder.iterdir()
    )


def _commit_batch(
    project: Project,
    staged: list[tuple[str, str, Path, dict[str, Any]]],
    progress: ProgressFn | None,
    total: int,
) -> None:
    import json
    import os
    import secrets
    import shutil

    stamp = "".join(c for c in now_iso() if c.isalnum())[:15]
    txn = staging_dir(project) / f"{stamp}-{secrets.token_hex(4)}"
    try:
        txn.mkdir(parents=True)
        for import_id, name, copy, log in staged:
            folder = txn / import_id
            folder.mkdir()
            os.replace(copy, folder / name)  # written and fsync'd while the file was read
            text = json.dumps(log, indent=2, ensure_ascii=False) + "\n"
            _write_new(folder / log_entry_name(log), text.encode("utf-8"))
            _fsync_dir(folder)
        _fsync_dir(txn)
        atomic_write_text(txn / "COMMIT", json.dumps([s[0] for s in staged]) + "\n")
    except BaseException as exc:
        shutil.rmtree(txn, ignore_errors=True)
        if isinstance(exc, OSError):
            raise ProjectError(
                f"cannot write the import into the project ({exc.strerror or exc}: "
                f"{exc.filename or txn}). Nothing was imported; fix the cause and run the same "
                "command again."
            ) from None
        raise
    _roll_forward(project, txn, progress, total)


def _roll_forward(
    project: Project, txn: Path, progress: ProgressFn | None = None, total: int = 0
) -> list[str]:
    """Move a committed transaction's folders into data/imports/ (idempotent)."""
    import json
    import os
    import shutil

    ids = json.loads((txn / "COMMIT").read_text(encoding="utf-8"))
    moved: list[str] = []
    project.imports_dir.mkdir(parents=True, exist_ok=True)
    for i, import_id in enumerate(ids, start=1):
        src = txn / import_id
        dst = project.imports_dir / import_id
        if src.is_dir():
            if dst.exists():
                if _orphan(dst):
                    trash = project.cache_dir / "trash" / f"{txn.name}-{import_id}"
                    trash.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(dst, trash)
                else:
                    # The same export reached this folder another way (a git pull): add our
                    # log entry next to its raw copy; the earliest entry stands.
                    for f in src.iterdir():
                        if not (dst / f.name).exists():
                            os.replace(f, dst / f.name)
                    shutil.rmtree(src, ignore_errors=True)
                    moved.append(import_id)
                    continue
            os.replace(src, dst)
            moved.append(import_id)
        if progress:
            progress(total + i, total * 2)
    _fsync_dir(project.imports_dir)
    shutil.rmtree(txn, ignore_errors=True)
    return moved


def recover_imports(project: Project) -> list[str]:
    """Finish or undo imports interrupted by a crash; returns what was done.

    The explicit recovery step: ``import_files`` calls it under its lock before reading, and
    the command line calls it when it opens a project (``cli/common.open_project``); reading
    the import log never does. A transaction is only touched under the project lock, so an
    import running right now in another process is left alone. Also deletes record-store
    files an interrupted import or rebuild left (``.review/records/.*.tmp``, a day old).
    """
    import shutil
    import time

    root = staging_dir(project)
    stale = time.time() - 86400
    temps = list((project.cache_dir / "records").glob(".*.tmp"))
    if (not root.is_dir() or not any(root.iterdir())) and not temps:
        return []
    done: list[str] = []
    try:
        with project_lock(project.root, "recovering an interrupted import", whoami(), wait=0.0):
            for txn in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else ():
                if (txn / "COMMIT").is_file():
                    try:
                        ids = _roll_forward(project, txn)
                    except (OSError, ValueError):
                        continue  # reported by leftovers()
                    done.append(f"finished an interrupted import: {', '.join(ids)}")
                else:
                    shutil.rmtree(txn, ignore_errors=True)
                    done.append(f"removed an interrupted, uncommitted import ({txn.name})")
            for tmp in temps:
                if tmp.stat().st_mtime < stale:
                    tmp.unlink(missing_ok=True)
    except (LockedError, OSError):
        return done  # an import is running (or the project is read-only): leave it
    return done


def leftovers(project: Project) -> list[str]:
    """Things an interrupted import left behind, with what to do about each."""
    out: list[str] = []
    root = staging_dir(project)
    if root.is_dir():
        for txn in sorted(p for p in root.iterdir() if p.is_dir()):
            if (txn / "COMMIT").is_file():
                out.append(
                    f"{project.rel(txn)}/: an import that was interrupted after it was "
                    "committed; the next command that opens the project finishes it."
                )
                continue
            out.append(
                f"{project.rel(txn)}/: an import that could not be finished; delete the folder "
                "and import the files again."
            )
    if project.imports_dir.is_dir():
        for folder in sorted(project.imports_dir.iterdir()):
            if folder.is_dir() and _orphan(folder):
                out.append(
                    f"{project.rel(folder)}/: no import log entry (left by an interrupted "
                    "import); it is not part of the project. Delete it (it is not imported)."
                )
            elif folder.is_file() or folder.name.endswith(".tmp"):
                out.append(f"{project.rel(folder)}: not an import folder; delete it.")
            else:
                for tmp in folder.glob(".*.tmp"):
                    out.append(
                        f"{project.rel(tmp)}: temporary file of an interrupted write; delete it."
                    )

    for dup in read_import_log(project).duplicates:
        later, first = dup.later, dup.first
        out.append(
            f"{later.file} was imported again by {later.imported_by} on {later.imported_at[:10]} "
            f"(first imported by {first.imported_by} on {first.imported_at[:10]}); counted once."
        )
    return out


def _problem_text(p: Problem) -> str:
    return str(p)


@dataclass(frozen=True, slots=True)
class SourceImports:
    """One source's imports: how many files and records (``status``)."""

    source: str
    kind: Kind
    files: int
    records: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ImportStatus:
    """The import stage on the project status: records per source and branch, leftovers of
    interrupted imports and the search-count warnings (the CLI words them)."""

    leftovers: tuple[str, ...]
    files: int
    records: int
    by_source: tuple[SourceImports, ...]
    by_branch: Mapping[str, int]  # "main" and "other": records per branch
    # sources whose database reported another number of results than were imported, or whose
    # import log and protocol disagree about the search
    search_warnings: tuple[Text, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The ``imports`` object of ``status --json``."""
        return {
            "leftovers": list(self.leftovers),
            "files": self.files,
            "records": self.records,
            "by_source": [s.to_json() for s in self.by_source],
            "by_branch": dict(self.by_branch),
            "search_warnings": [plain(w) for w in self.search_warnings],
        }


def status_summary(project: Project) -> ImportStatus:
    """Records per source, kind and branch, with a warning per source whose database reported
    another number of results than were imported."""
    entries = project.imports()
    by_source: dict[str, SourceImports] = {}
    branches = {"main": 0, "other": 0}
    for e in entries:
        s = by_source.get(e.source) or SourceImports(e.source, e.kind, 0, 0)
        by_source[e.source] = replace(s, files=s.files + 1, records=s.records + e.records)
        branches[e.branch] += e.records
    total = sum(s.records for s in by_source.values())
    left = leftovers(project)
    searches = source_searches(project.protocol.sources, entries)
    counts = tuple(w for s in searches for w in (s.override_warning(), s.count_warning()) if w)
    return ImportStatus(
        leftovers=tuple(left),
        files=len(entries),
        records=total,
        by_source=tuple(by_source.values()),
        by_branch=branches,
        search_warnings=counts,
    )
