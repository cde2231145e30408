"""What every reader builds: :class:`Entry` (one parsed record), :class:`Problem` and
:class:`ParseResult`, and :func:`make_entry`, which normalises a reader's mapped fields.

A leaf of ``review.io.readers``: the format modules import it, it imports none of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from review.io.readers.normalize import normalize_fields


@dataclass(frozen=True, slots=True)
class Entry:
    """One parsed record, before ids are assigned."""

    position: int  # 1-based position in the file
    line: int  # 1-based line where it starts (0 for xlsx)
    original_id: str  # RIS ID/AN, BibTeX key, PMID, WoS UT, CSV id column
    fields: dict  # normalised fields named as review.model.FIELDS
    raw: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    message: str
    position: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        if self.position is not None:
            where += f" (record {self.position})"
        return f"{where}: {self.message}"


@dataclass
class ParseResult:
    format: str
    encoding: str
    found: int  # record markers found by counting, not by the parser
    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # entries already handed to a sink (:func:`review.io.readers.parse_into`), no longer held
    streamed: int = 0

    @property
    def records(self) -> int:
        """How many records were read: those handed to a sink and those still held."""
        return self.streamed + len(self.entries)


def make_entry(
    position: int,
    line: int,
    original_id: str,
    mapped: dict[str, Any],
    raw: tuple[tuple[str, str], ...],
    *,
    clean: bool = False,
) -> Entry:
    """Build an :class:`Entry`, normalising the reader's mapped fields (``clean``: see
    :func:`~review.io.readers.normalize.normalize_fields`)."""
    fields = normalize_fields(mapped, clean=clean)
    return Entry(position, line, original_id.strip(), fields, raw)


class EntrySink(Protocol):
    """Where :func:`review.io.readers.parse_into` puts the records it reads, in batches."""

    def add(self, entries: list[Entry]) -> None:
        """Take the next records (in file order); the list is the caller's to reuse."""

    def reset(self) -> None:
        """Forget every record taken so far (the file is read again from its start)."""
