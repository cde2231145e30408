"""A sorted list of distinct terms kept compactly: one UTF-8 string of bytes, terms separated by
a newline (review/rank/termcounts.py keeps every term of every text: 4.4 million at a million
records, which as Python strings took about 350 MB and 2 s to unpickle; as one blob, 60 MB read
at once).

UTF-8 orders byte strings as Python orders the strings (by code point, lone surrogates
included with ``surrogatepass``), so the blob's order is ``sorted()``'s and a term or a prefix
is found by binary search over the bytes, without making a string per term. The analysers
the ranking uses split texts on whitespace, so no term holds a newline; a term that does is
refused (:class:`NewlineInTerm`) and the caller builds without the table.
"""

from __future__ import annotations

from typing import Any

SEP = b"\n"


class NewlineInTerm(ValueError):
    """A term holds a newline: it cannot go in a :class:`TermTable`."""


class TermTable:
    """Sorted distinct terms: ``blob`` holds them UTF-8 encoded (``surrogatepass``), joined by
    a newline; ``n`` of them."""

    __slots__ = ("_bounds", "blob", "n")

    def __init__(self, blob: bytes, n: int) -> None:
        if (n == 0 and blob) or (n > 0 and blob.count(SEP) != n - 1):
            raise ValueError("a term table's blob does not hold its number of terms")
        self.blob, self.n = blob, n
        self._bounds: tuple[Any, Any] | None = None

    @staticmethod
    def from_list(terms: list[str]) -> TermTable:
        """The table of ``terms`` (sorted, distinct). NewlineInTerm when a term holds one."""
        try:
            return TermTable("\n".join(terms).encode("utf-8", "surrogatepass"), len(terms))
        except ValueError:
            raise NewlineInTerm("a term holds a newline") from None

    def __len__(self) -> int:
        return self.n

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TermTable) and (self.n, self.blob) == (other.n, other.blob)

    __hash__ = None  # type: ignore[assignment]

    def to_list(self) -> list[str]:
        if self.n == 0:
            return []
        return self.blob.decode("utf-8", "surrogatepass").split("\n")

    def _where(self) -> tuple[Any, Any]:
        """Each term's start and end in the blob (numpy int64; made on first use)."""
        if self._bounds is None:
            import numpy as np

            breaks = np.flatnonzero(np.frombuffer(self.blob, dtype=np.uint8) == SEP[0])
            starts = np.concatenate(([0], breaks + 1)).astype(np.int64)
            ends = np.concatenate((breaks, [len(self.blob)])).astype(np.int64)
            self._bounds = (starts[: self.n], ends[: self.n])
        return self._bounds

    def term(self, i: int) -> str:
        starts, ends = self._where()
        return self.blob[starts[i] : ends[i]].decode("utf-8", "surrogatepass")

    def _lower_bound(self, key: bytes) -> int:
        """The first place whose term is not below ``key``."""
        starts, ends = self._where()
        blob, lo, hi = self.blob, 0, self.n
        while lo < hi:
            mid = (lo + hi) // 2
            if blob[starts[mid] : ends[mid]] < key:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def find(self, term: str) -> int:
        """The place of ``term``, or -1."""
        key = term.encode("utf-8", "surrogatepass")
        i = self._lower_bound(key)
        if i < self.n:
            starts, ends = self._where()
            if self.blob[starts[i] : ends[i]] == key:
                return i
        return -1

    def prefixed(self, prefix: str) -> range:
        """The places of the terms that start with ``prefix`` (contiguous: the table is
        sorted)."""
        key = prefix.encode("utf-8", "surrogatepass")
        if not key:
            return range(self.n)
        # the least byte string above every one that starts with ``key`` (UTF-8 has no 0xff)
        above = key[:-1] + bytes((key[-1] + 1,))
        return range(self._lower_bound(key), self._lower_bound(above))
