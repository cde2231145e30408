"""The import stage: read exports, keep byte-identical copies, log each import.

``import_files`` validates *every* file before writing anything, so an error in the third file
leaves the project exactly as it was. Each accepted file is copied unchanged to
``data/imports/<source-slug>-<sha8>/<original name>`` next to ``import.json`` (the
:class:`~review.model.ImportEntry`). Records are derived from those copies by
:func:`records_for_entry` (``Project.records()`` caches them under ``.review/``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from review import __version__
from review.errors import InputError, ProjectError
from review.io.readers import (
    Entry,
    ParseResult,
    Problem,
    gc_paused,
    parse_bytes,
    parse_owned,
    read_bytes,
)
from review.model import KINDS, ImportEntry, Record, make_record_id

ProgressFn = Callable[[int, int], None]


@dataclass
class ImportReport:
    """What happened to one file: the summary line ``import`` prints."""

    file: str  # the path as given
    source: str
    kind: str
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


def entry_to_record(
    entry: Entry, *, sha256: str, source: str, kind: str, source_file: str
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
    kind: str = "database",
    fmt: str = "auto",
    encoding: str | None = None,
    column_map: dict[str, str] | None = None,
) -> list[Record]:
    """Every record of one export file, without a project (benchmarks, quick looks).

    ``source_file`` is the path as given; record ids derive from the file's SHA-256, exactly
    as they would after ``review import``. Raises :class:`InputError` on an unreadable file.
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
    fatal = [p for p in result.problems if p.position is None and not result.entries]
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
    result: ParseResult, sha: str, source: str, kind: str, source_file: str
) -> list[Record]:
    """Records for the parsed entries; entries are released as they are converted."""
    entries = result.entries
    records = [
        entry_to_record(e, sha256=sha, source=source, kind=kind, source_file=source_file)
        for e in entries
    ]
    entries.clear()
    return records


def records_for_entry(project: Any, entry: ImportEntry) -> list[Record]:
    """The records of one logged import, re-read from its raw copy under ``data/imports``."""
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
    with gc_paused():
        result = parse_owned(
            holder, str(path), entry.format, entry.encoding or None, entry.column_map or None
        )
        _refuse_unparsed(result, entry.file)
        if len(result.entries) != entry.records:
            raise ProjectError(
                f"{entry.file}: now reads as {len(result.entries)} records, but {entry.records} "
                f"were imported (review {entry.tool_version} then, {__version__} now). Please "
                "report this; record ids would shift."
            )
        return _to_records(result, sha, entry.source, entry.kind, entry.file)


def import_files(
    project: Any,
    paths: Iterable[Path | str],
    *,
    source: str,
    kind: str = "database",
    fmt: str = "auto",
    encoding: str | None = None,
    screen: bool = False,
    column_map: dict[str, str] | None = None,
    who: str | None = None,
    progress: ProgressFn | None = None,
) -> list[ImportReport]:
    """Import export files into ``project`` under one source name.

    Every file is read and validated first; if any fails (unreadable, empty, unknown format, a
    record that cannot be parsed, already imported), :class:`InputError` is raised and nothing is
    written. Returns one :class:`ImportReport` per file.
    """
    from review.io.files import atomic_write_bytes, atomic_write_json, now_iso, safe_name
    from review.project import whoami

    paths = [Path(p) for p in paths]
    if not paths:
        raise InputError("no files given. Example: review import results.ris --source Scopus")
    source = " ".join(str(source).split())
    if not source:
        raise InputError("--source must name the database or source, e.g. --source Scopus.")
    if kind not in KINDS:
        raise InputError(f"--kind {kind!r} is not a kind; use one of: {', '.join(KINDS)}.")
    existing = {e.sha256: e for e in project.imports()}
    seen: dict[str, Path] = {}
    parsed: list[tuple[Path, bytes, str, ParseResult]] = []
    total = len(paths)
    for i, path in enumerate(paths, start=1):
        data = read_bytes(path)
        sha = hashlib.sha256(data).hexdigest()
        if sha in existing:
            prev = existing[sha]
            raise InputError(
                f"already imported (byte-identical to {prev.file}, imported as source "
                f"{prev.source!r} on {prev.imported_at[:10]}). Nothing was imported; "
                "a re-run of the same search should be exported again as a new file.",
                file=str(path),
            )
        if sha in seen:
            raise InputError(
                f"is the same file as {seen[sha]} (identical bytes). Give each file once.",
                file=str(path),
            )
        seen[sha] = path
        result = parse_bytes(data, str(path), fmt, encoding, column_map)
        _refuse_unparsed(result, str(path))
        parsed.append((path, data, sha, result))
        if progress:
            progress(i, total * 2)

    # Everything is valid: now write.
    who = who or whoami()
    reports: list[ImportReport] = []
    for i, (path, data, sha, result) in enumerate(parsed, start=1):
        import_id = f"{safe_name(source)}-{sha[:8]}"
        if (project.imports_dir / import_id).exists():  # same 8-hex prefix, other file
            import_id = f"{safe_name(source)}-{sha[:16]}"
        folder = project.imports_dir / import_id
        name = path.name
        target = folder / name
        atomic_write_bytes(target, data)
        rel = project.rel(target)
        log = ImportEntry(
            import_id=import_id,
            source=source,
            kind=kind,
            format=result.format,
            encoding=result.encoding,
            file=rel,
            original_name=name,
            sha256=sha,
            records=len(result.entries),
            found=result.found,
            problems=len(result.problems),
            screen=bool(screen),
            imported_by=who,
            imported_at=now_iso(),
            tool_version=__version__,
            column_map=dict(column_map or {}),
        )
        atomic_write_json(folder / "import.json", asdict(log))
        warnings = list(result.warnings)
        if result.encoding and not result.encoding.startswith("utf") and not encoding:
            warnings.append(
                f"{path}: guessed encoding {result.encoding}; to import it again with another "
                f"--encoding, delete {project.rel(folder)}/ first (a file is imported once)."
            )
        reports.append(
            ImportReport(
                file=str(path),
                source=source,
                kind=kind,
                format=result.format,
                encoding=result.encoding,
                found=result.found,
                imported=len(result.entries),
                problems=[_problem_text(p) for p in result.problems],
                warnings=warnings,
                import_id=import_id,
                sha256=sha,
                stored_as=rel,
            )
        )
        if progress:
            progress(total + i, total * 2)
    project.invalidate()
    return reports


def _problem_text(p: Problem) -> str:
    return str(p)


def status_summary(project: Any) -> dict[str, Any]:
    """Records per source, kind and branch (JSON-able); ``lines`` is the human view."""
    entries = project.imports()
    by_source: dict[str, dict[str, Any]] = {}
    branches = {"main": 0, "other": 0}
    for e in entries:
        s = by_source.setdefault(
            e.source, {"source": e.source, "kind": e.kind, "files": 0, "records": 0}
        )
        s["files"] += 1
        s["records"] += e.records
        branches[e.branch] += e.records
    total = sum(s["records"] for s in by_source.values())
    lines = [
        f"{s['source']} ({s['kind']}): {s['records']} records from {s['files']} file(s)"
        for s in by_source.values()
    ]
    if entries:
        lines.append(
            f"Total: {total} records ({branches['main']} main branch, "
            f"{branches['other']} other methods)"
        )
    else:
        lines.append("No records imported yet: review import FILE --source NAME")
    return {
        "files": len(entries),
        "records": total,
        "by_source": list(by_source.values()),
        "by_branch": branches,
        "lines": lines,
    }
