"""The on-disk record store: every imported record, by import, under ``.review/records/``.

One SQLite file per import, ``<import_id>-<reader key>.sqlite``, written while the import reads
the export (:class:`StoreWriter` is the reader's sink, so the records are never all in memory)
and rebuilt from the raw copy under ``data/imports/`` when missing, unreadable or made by other
reader code (the key). It is a cache: deleting ``.review/`` loses nothing.

Layout: table ``chunks``, one row per :data:`BATCH` consecutive records, one column per field
(:data:`COLUMNS`), each a ``marshal``-ed tuple of that field's values. Columnar, so a caller
that needs three fields (the screener's display rows, dedup's keys) reads and decodes three
columns, never the abstracts or the raw tag lines; whole :class:`Record` objects are built only
for :meth:`RecordCache.records`. ``record_id``, ``source``, ``kind`` and ``source_file`` are the
import's (the log entry's), not stored per record.

Chosen by measurement on 100,000 generated RIS records (225 MB; docs/import.md): written in
about the time pickling the records takes, a 4-field read in 0.3 s; stdlib only (sqlite3,
marshal), one file per import, and a torn or foreign file is detected (a SQLite error or a
wrong record count) and rebuilt. Parquet (pyarrow) or DuckDB would add a dependency for no
gain here: the records are read whole per column, never queried.
"""

from __future__ import annotations

import marshal
import os
import secrets
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from review import __version__
from review.model import FIELDS, RECORD_FIELD_NAMES, ImportEntry, Record, record_from_values

if TYPE_CHECKING:
    from review.io.readers.base import Entry
    from review.project import Project

ProgressFn = Callable[[int, int], None]  # (done, total)

# Stored per record, in RECORD_FIELD_NAMES order (the first four come from the import).
COLUMNS = ("source_position", "source_line", "original_id", *FIELDS, "raw")
_PER_IMPORT = RECORD_FIELD_NAMES[:4]  # record_id, source, kind, source_file
assert RECORD_FIELD_NAMES[4:] == COLUMNS
BATCH = 4096  # records per stored row
_FIELD_LIST = list(FIELDS)

_READER_KEY: str | None = None


def reader_cache_key() -> str:
    """Cache key for stored records: the tool version, the Python version (``marshal``'s format)
    and a hash of the reader code, so a change to any reader (even within one version, e.g. an
    editable install) invalidates the stored records instead of serving what the old reader
    produced."""
    global _READER_KEY
    if _READER_KEY is None:
        import hashlib

        h = hashlib.sha256(__version__.encode())
        h.update(f"{sys.version_info[:2]}-{marshal.version}".encode())
        here = Path(__file__).parent
        sources = [here / "importer.py", here / "model.py", here / "doi.py", Path(__file__)]
        sources += sorted((here / "io" / "readers").glob("*.py"))
        for src in sources:
            h.update(src.name.encode())
            h.update(src.read_bytes())
        _READER_KEY = f"{__version__}-{h.hexdigest()[:12]}"
    return _READER_KEY


def store_name(import_id: str) -> str:
    return f"{import_id}-{reader_cache_key()}.sqlite"


def store_path(project: Project, import_id: str) -> Path:
    """Where the record store of the import ``import_id`` is (or goes)."""
    return project.cache_dir / "records" / store_name(import_id)


def encode_rows(entries: Sequence[Entry]) -> list[tuple[list[int], list[bytes]]]:
    """Consecutive records as stored rows of at most :data:`BATCH`, for
    :meth:`StoreWriter.add_encoded`: per row the records' lines and the ``marshal``-ed columns
    from ``original_id`` on (the positions and the lines are written by the store, which knows
    where the rows start in the file)."""
    rows = []
    for i in range(0, len(entries), BATCH):
        chunk = entries[i : i + BATCH]
        values = []
        for e in chunk:
            fields = e.fields
            if len(fields) != len(FIELDS):
                raise ValueError(f"record {e.position}: fields {sorted(fields)} are not FIELDS")
            values.append((e.original_id, *fields.values(), e.raw))
        if list(chunk[-1].fields) != _FIELD_LIST:
            raise ValueError("normalised fields are not in FIELDS order")
        blobs = [marshal.dumps(c) for c in zip(*values, strict=True)]
        rows.append(([e.line for e in chunk], blobs))
    return rows


class StoreWriter:
    """Writes one import's record store; an :class:`~review.io.readers.base.EntrySink`.

    Records go to a temporary file beside ``path``; :meth:`finish` moves it into place, so a
    reader never sees half a store. A failed write raises :class:`OSError`. Nothing is fsync'd: it is a cache, and a store torn by a
    power cut is found unreadable (or short) and rebuilt.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._buffer: list[tuple[Any, ...]] = []
        self._tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        self._con: sqlite3.Connection | None = None
        self._open()

    def _open(self) -> None:
        try:
            self._connect()
        except sqlite3.Error as exc:  # a full disk, a read-only folder: as any failed write
            raise OSError(f"{self._tmp}: {exc}") from None

    def _connect(self) -> None:
        self._tmp.parent.mkdir(parents=True, exist_ok=True)
        self._tmp.unlink(missing_ok=True)
        con = sqlite3.connect(self._tmp, isolation_level=None)
        # Rows are megabytes of blobs: 64 KB pages write them in 16x fewer overflow pages.
        con.execute("PRAGMA page_size=65536")
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        cols = ", ".join(f"c{i} BLOB NOT NULL" for i in range(len(COLUMNS)))
        con.execute(f"CREATE TABLE chunks (first INTEGER PRIMARY KEY, n INTEGER NOT NULL, {cols})")
        con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        con.execute("BEGIN")
        self._con = con
        self.count = 0
        self._buffer.clear()

    def add(self, entries: list[Entry]) -> None:
        buffer = self._buffer
        for e in entries:
            fields = e.fields
            if len(fields) != len(FIELDS):
                raise ValueError(f"record {e.position}: fields {sorted(fields)} are not FIELDS")
            buffer.append((e.position, e.line, e.original_id, *fields.values(), e.raw))
            if len(buffer) >= BATCH:
                self._flush()
        if entries and list(entries[-1].fields) != _FIELD_LIST:
            raise ValueError("normalised fields are not in FIELDS order")

    # Rows already encoded (a worker process encodes them: review.io.readers.stream).
    encode = staticmethod(encode_rows)

    def add_encoded(self, lines: Sequence[int], blobs: Sequence[bytes]) -> None:
        """One stored row from :func:`encode_rows`: the records' lines in the file and their
        columns from ``original_id`` on; their positions follow the records stored so far."""
        self._flush()
        first, n = self.count, len(lines)
        positions = marshal.dumps(tuple(range(first + 1, first + n + 1)))
        row = (first, n, positions, marshal.dumps(tuple(lines)), *blobs)
        marks = ", ".join("?" * (len(COLUMNS) + 2))
        try:
            self._con.execute(f"INSERT INTO chunks VALUES ({marks})", row)  # type: ignore[union-attr]  # noqa: S608
        except sqlite3.Error as exc:
            raise OSError(f"{self._tmp}: {exc}") from None
        self.count += n

    def reset(self) -> None:
        self.discard()
        self._open()

    def _flush(self) -> None:
        try:
            self._write()
        except sqlite3.Error as exc:
            raise OSError(f"{self._tmp}: {exc}") from None

    def _write(self) -> None:
        if not self._buffer:
            return
        assert self._con is not None
        columns = [marshal.dumps(c) for c in zip(*self._buffer, strict=True)]
        marks = ", ".join("?" * (len(COLUMNS) + 2))
        row = (self.count, len(self._buffer), *columns)
        self._con.execute(f"INSERT INTO chunks VALUES ({marks})", row)  # noqa: S608 - "?" only
        self.count += len(self._buffer)
        self._buffer.clear()

    def finish(self, sha256: str) -> Path:
        """Write the rest and move the store into place; returns its path. ``sha256``: the
        export's, checked on every read (a store never serves another file's records)."""
        self._flush()
        assert self._con is not None
        try:
            self._con.execute("INSERT INTO meta VALUES ('records', ?)", (str(self.count),))
            self._con.execute("INSERT INTO meta VALUES ('sha256', ?)", (sha256,))
            self._con.execute("COMMIT")
            self._con.close()
        except sqlite3.Error as exc:
            raise OSError(f"{self._tmp}: {exc}") from None
        self._con = None
        os.replace(self._tmp, self.path)
        return self.path

    def discard(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None
        self._tmp.unlink(missing_ok=True)


class StoreError(Exception):
    """A record store that cannot be used (missing, torn, foreign): rebuild it."""


def _columns(
    path: Path, names: Sequence[str], entry: ImportEntry
) -> Iterator[tuple[int, list[tuple[Any, ...]]]]:
    """Per stored row, its number of records and the values of the stored columns ``names``
    (each a tuple)."""
    expect = entry.records
    if not path.is_file():
        raise StoreError(f"{path}: missing")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise StoreError(str(exc)) from None
    try:
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("sha256") != entry.sha256:
            raise StoreError(f"{path}: the records of another file")
        if meta.get("records") != str(expect):
            raise StoreError(f"{path}: {meta.get('records')} records stored, {expect} imported")
        picked = ", ".join(f"c{COLUMNS.index(n)}" for n in names) or "n"
        seen = 0
        # column names from COLUMNS only; the store is our own file
        for row in con.execute(f"SELECT n, {picked} FROM chunks ORDER BY first"):  # noqa: S608
            values = [marshal.loads(b) for b in row[1:]] if names else []  # noqa: S302
            if any(len(v) != row[0] for v in values):
                raise StoreError(f"{path}: a stored row is torn")
            seen += row[0]
            yield row[0], values
        if seen != expect:
            raise StoreError(f"{path}: {seen} records stored, {expect} imported")
    except (sqlite3.Error, ValueError, EOFError, TypeError) as exc:
        raise StoreError(f"{path}: {exc}") from None
    finally:
        con.close()


class RecordCache:
    """Every imported record of one project, from the per-import stores (see the module
    docstring). ``build(entry, writer)`` re-reads an import's raw copy into ``writer`` when its
    store cannot be used (:func:`review.importer.build_record_store`)."""

    def __init__(self, folder: Path, build: Callable[[ImportEntry, StoreWriter], None]) -> None:
        self.folder = folder
        self._build = build
        self._records: list[Record] | None = None

    @property
    def loaded(self) -> bool:
        """Whether the records are held in memory (:meth:`records` was called)."""
        return self._records is not None

    def invalidate(self) -> None:
        """Forget the records held in memory (after an import)."""
        self._records = None

    def path(self, entry: ImportEntry) -> Path:
        """``.review/records/<import_id>-<reader key>.sqlite``: one import's records."""
        return self.folder / store_name(entry.import_id)

    def writer(self, entry: ImportEntry) -> StoreWriter:
        return StoreWriter(self.path(entry))

    def rebuild(self, entry: ImportEntry) -> None:
        """Read the import's raw copy into a new store; older stores of the import go."""
        writer = self.writer(entry)
        try:
            self._build(entry, writer)
            writer.finish(entry.sha256)
        except BaseException:
            writer.discard()
            raise
        self.drop_stale(entry)

    def drop_stale(self, entry: ImportEntry) -> None:
        """Delete the import's stores and caches made by other reader code or versions."""
        keep = self.path(entry).name
        try:
            for old in self.folder.glob(f"{entry.import_id}-*"):
                if old.name != keep and old.suffix in (".sqlite", ".pickle"):
                    old.unlink(missing_ok=True)
        except OSError:
            pass

    def _chunks(self, entry: ImportEntry, names: Sequence[str]) -> Iterator[list[tuple]]:
        """The stored columns ``names`` of one import, a stored row at a time (a million
        records' abstracts are never decoded at once). A store found unusable part way is
        rebuilt once and read on from the first record not yet given."""
        path = self.path(entry)
        given = 0
        try:
            for n, values in _columns(path, names, entry):
                yield values
                given += n
            return
        except StoreError:
            pass
        try:
            self.rebuild(entry)
            again = _columns(path, names, entry)
        except OSError:
            again = self._uncached(entry, names)  # a read-only checkout: read, do not keep
        for n, values in again:
            if given >= n:
                given -= n
                continue
            yield [v[given:] for v in values] if given else values
            given = 0

    def _uncached(
        self, entry: ImportEntry, names: Sequence[str]
    ) -> Iterator[tuple[int, list[tuple]]]:
        holder = _Holder()
        self._build(entry, holder)  # type: ignore[arg-type]
        rows = holder.rows
        at = [COLUMNS.index(n) for n in names]
        yield len(rows), [tuple(r[i] for r in rows) for i in at]

    def records(
        self,
        entries: Sequence[ImportEntry],
        progress: ProgressFn | None = None,
        raw_tags: frozenset[str] | None = None,
        abstracts: bool = True,
    ) -> list[Record]:
        """Every imported record, in import order then file order (held until invalidated).

        ``raw_tags``: keep in each record's ``raw`` only the pairs whose tag (stripped, lower
        case) is one of these, and do not hold the list: for a caller that reads a few raw
        tags of every record (dedup), whose raw lines would otherwise double the memory (the
        abstract is in them again). ``abstracts=False``: every record's abstract is left
        empty (read them with :meth:`column`); the list is not held either."""
        if self._records is not None:
            return list(self._records)  # held whole: a superset of any raw_tags
        out: list[Record] = []
        for i, entry in enumerate(entries, start=1):
            head = (entry.sha256[:8], entry.source, entry.kind, entry.file)
            chunks = self._chunks(entry, COLUMNS) if abstracts else self._no_abstracts(entry)
            found = _records_of(chunks, head)
            out.extend(found if raw_tags is None else (_slim(r, raw_tags) for r in found))
            if progress:
                progress(i, len(entries))
        if raw_tags is None and abstracts:
            self._records = out
        return list(out)

    def _no_abstracts(self, entry: ImportEntry) -> Iterator[list[tuple]]:
        """Every stored column of one import but the abstracts, which read as empty."""
        at = COLUMNS.index("abstract")
        for values in self._chunks(entry, COLUMNS[:at] + COLUMNS[at + 1 :]):
            values.insert(at, ("",) * len(values[0]))
            yield values

    def column(self, entries: Sequence[ImportEntry], name: str) -> Iterator[tuple[str, Any]]:
        """``(record_id, value of the field name)`` of every imported record, in record order,
        read a stored row at a time (nothing held)."""
        if self._records is not None:
            yield from ((r.record_id, getattr(r, name)) for r in self._records)
            return
        for entry in entries:
            sha8 = entry.sha256[:8]
            for positions, values in self._chunks(entry, ("source_position", name)):
                yield from zip((f"{sha8}-{p}" for p in positions), values, strict=True)

    def fields(
        self, entries: Sequence[ImportEntry], names: Sequence[str]
    ) -> dict[str, tuple[Any, ...]]:
        """``record_id -> (the values of the fields names)`` for every imported record, read
        column by column from the stores (only those columns), without building Records."""
        if self._records is not None:
            return {r.record_id: tuple(getattr(r, n) for n in names) for r in self._records}
        stored = [n for n in dict.fromkeys(("source_position", *names)) if n in COLUMNS]
        rows: dict[str, tuple[Any, ...]] = {}
        for entry in entries:
            const = {
                "source": entry.source,
                "kind": entry.kind,
                "source_file": entry.file,
            }
            sha8 = entry.sha256[:8]
            for chunk in self._chunks(entry, stored):
                cols = dict(zip(stored, chunk, strict=True))
                ids = [f"{sha8}-{p}" for p in cols["source_position"]]
                cols["record_id"] = tuple(ids)
                n = len(ids)
                picked = [cols[nm] if nm in cols else (const[nm],) * n for nm in names]
                rows.update(zip(ids, zip(*picked, strict=True), strict=True))
        return rows


def _records_of(chunks: Iterator[list[tuple]], head: tuple[str, str, str, str]) -> Iterator[Record]:
    sha8, source, kind, file = head
    for columns in chunks:
        for values in zip(*columns, strict=True):
            yield record_from_values((f"{sha8}-{values[0]}", source, kind, file, *values))


def _slim(record: Record, raw_tags: frozenset[str]) -> Record:
    raw = tuple(p for p in record.raw if p[0].strip().lower() in raw_tags)
    if len(raw) != len(record.raw):
        object.__setattr__(record, "raw", raw)  # a Record of our own making, not yet shared
    return record


class _Holder:
    """A sink that keeps the rows in memory (a store that cannot be written)."""

    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] = []

    def add(self, entries: list[Entry]) -> None:
        self.rows.extend(
            (e.position, e.line, e.original_id, *e.fields.values(), e.raw) for e in entries
        )

    def reset(self) -> None:
        self.rows.clear()


assert _PER_IMPORT == ("record_id", "source", "kind", "source_file")
