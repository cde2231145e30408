"""The import log as a value: every entry under ``data/imports/*/``, read without side effects.

Each import writes its own uniquely named entry (``import-<when>-<nonce>.json``; ``import.json``
in older projects), so two clones that import, even the same export, never edit the same file
and merge in git like the decision logs do. An export imported twice (the same bytes, e.g. by
two clones before they merged) counts once: the earliest entry stands and the later ones are
:attr:`ImportLog.duplicates` (the project status names them).

Reading the log changes nothing: an import interrupted by a crash is finished or undone by
:func:`review.importer.recover_imports`, which writing commands call explicitly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

from review.errors import ProjectError
from review.model import ImportEntry

if TYPE_CHECKING:
    from review.project import Project

_NAMES = frozenset(f.name for f in fields(ImportEntry))


@dataclass(frozen=True, slots=True)
class DuplicateImport:
    """An export logged again (same SHA-256) after its first entry: counted once."""

    later: ImportEntry
    first: ImportEntry


@dataclass(frozen=True, slots=True)
class ImportLog:
    """The import log: the entries that count, oldest first, and the repeated ones."""

    entries: tuple[ImportEntry, ...]
    duplicates: tuple[DuplicateImport, ...] = ()

    @property
    def records(self) -> int:
        return sum(e.records for e in self.entries)

    def by_sha256(self) -> dict[str, ImportEntry]:
        return {e.sha256: e for e in self.entries}


def import_log_files(imports_dir: Path) -> list[Path]:
    """Every import log entry file: ``import.json`` (older projects) and ``import-*.json``."""
    if not imports_dir.is_dir():
        return []
    found = list(imports_dir.glob("*/import.json"))
    found += imports_dir.glob("*/import-*.json")
    return sorted(found)


def read_import_log(project: Project) -> ImportLog:
    """The import log of ``project`` (:class:`ProjectError` naming the file for an entry that
    cannot be read, with how to repair it). Touches nothing."""
    entries = [_read_entry(project, f) for f in import_log_files(project.imports_dir)]
    entries.sort(key=lambda e: (e.imported_at, e.import_id))
    first: dict[str, ImportEntry] = {}
    duplicates: list[DuplicateImport] = []
    kept: list[ImportEntry] = []
    for e in entries:
        if e.sha256 in first:
            duplicates.append(DuplicateImport(e, first[e.sha256]))
            continue
        first[e.sha256] = e
        kept.append(e)
    return ImportLog(tuple(kept), tuple(duplicates))


def _read_entry(project: Project, manifest: Path) -> ImportEntry:
    rel = project.rel(manifest)
    try:
        text = manifest.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProjectError(
            f"{rel}: import log entry cannot be read ({exc}). Restore it from git: "
            f"git checkout -- {rel}"
        ) from None
    if "<<<<<<<" in text or "\n>>>>>>>" in text:
        raise ProjectError(
            f"{rel}: has git conflict markers (<<<<<<< ... >>>>>>>): two clones imported "
            "into the same folder. Each side is a complete entry; keep one of them, e.g. "
            f"`git checkout --ours -- {rel} && git add {rel}` (or --theirs), then run the "
            "command again."
        )
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise TypeError("not a JSON object")
        return ImportEntry(**{k: v for k, v in data.items() if k in _NAMES})
    except (json.JSONDecodeError, TypeError) as exc:
        raise ProjectError(
            f"{rel}: unreadable import log entry ({exc}). It must not be edited by hand: "
            f"restore it from git (`git checkout -- {rel}`), or, if the import itself is "
            f"unwanted, delete its folder {project.rel(manifest.parent)}/ and import again."
        ) from None
