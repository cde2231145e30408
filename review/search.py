"""The search strategy of each source (PRISMA-S): what was searched, where, when, how, and how
many results the database reported, from the protocol's ``sources:`` and the import log.

Two places record it: the protocol (``sources[].platform, searched, query | query_file, limits,
results``) and the import log (``import --platform --searched --query | --query-file
--limits --results``). The import log is what was recorded when the export came in, so its
values win field by field; the protocol fills what the import did not give. Entries of one source
with the same strategy (an export in several files, imported in several runs) are one search;
different strategies (an update search, say) are several searches, and their reported counts add
up. See docs/import.md, "Search strategy".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

from review.errors import InputError
from review.model import ImportEntry, Kind
from review.nextstep import Action, Text, step

if TYPE_CHECKING:
    from review.project import Project
    from review.protocol import SourceSpec

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class Search:
    """One search of one source: platform, date, full query, limits, reported results."""

    platform: str = ""
    searched: str = ""
    query: str = ""
    query_file: str = ""
    limits: tuple[str, ...] = ()
    results: int | None = None

    def is_empty(self) -> bool:
        return self == Search()

    def to_log(self) -> dict[str, Any]:
        """The fields an import log entry stores (only those given)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value not in ("", (), None):
                out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    def filled_from(self, other: Search) -> Search:
        """This search with its blank fields taken from ``other``."""
        blank = {
            f.name: getattr(other, f.name)
            for f in fields(self)
            if getattr(self, f.name) in ("", (), None)
        }
        if "query" in blank and self.query_file:  # a query file read at import names its query
            blank.pop("query_file", None)
        return replace(self, **blank)


def search_given(
    *,
    platform: str | None = None,
    searched: str | None = None,
    query: str | None = None,
    query_file: str | None = None,
    query_text: str | None = None,
    limits: list[str] | None = None,
    results: int | None = None,
) -> Search:
    """The search strategy given on the command line, checked (``query_text`` is the content of
    ``query_file``, read by the caller)."""
    if query and query_file:
        raise InputError("give the query as --query TEXT or --query-file FILE, not both.")
    when = (searched or "").strip()
    if when and not ISO_DATE.fullmatch(when):
        raise InputError(f"--searched {when!r}: give the date of the search as YYYY-MM-DD.")
    if results is not None and results < 0:
        raise InputError(f"--results {results}: the number of results must be 0 or more.")
    text = (query_text if query_file else query) or ""
    return Search(
        platform=" ".join((platform or "").split()),
        searched=when,
        query=text.strip(),
        query_file=query_file or "",
        limits=tuple(x.strip() for x in limits or () if x.strip()),
        results=results,
    )


def entry_search(entry: ImportEntry) -> Search:
    """The search strategy one import log entry records (empty for older entries)."""
    return Search(
        platform=entry.platform,
        searched=entry.searched,
        query=entry.query,
        query_file=entry.query_file,
        limits=tuple(entry.limits or ()),
        results=entry.results,
    )


def spec_search(spec: SourceSpec) -> Search:
    """The search strategy the protocol gives for one source (the template's ``YYYY-MM-DD``
    placeholder is no date)."""
    return Search(
        platform=spec.platform,
        searched="" if "YYYY" in spec.searched.upper() else spec.searched,
        query=spec.query,
        query_file=spec.query_file,
        limits=spec.limits,
        results=spec.results,
    )


@dataclass(frozen=True, slots=True)
class SourceSearch:
    """One source: its searches and what was imported from it."""

    name: str
    kind: Kind
    searches: tuple[Search, ...] = ()
    files: int = 0
    records: int = 0  # records imported
    found: int = 0  # record markers found in the files
    # fields the protocol gives that the import log records differently (the log's are used)
    overridden: tuple[str, ...] = ()

    @property
    def reported(self) -> int | None:
        """The results the database reported over all its searches (None: never recorded)."""
        counts = [s.results for s in self.searches if s.results is not None]
        return sum(counts) if counts else None

    @property
    def platform(self) -> str:
        """The platforms searched, in order, each once ("" when none recorded)."""
        return "; ".join(dict.fromkeys(s.platform for s in self.searches if s.platform))

    @property
    def last_searched(self) -> str:
        """The date of the latest search (ISO dates compare as text; "" when none)."""
        dates = [s.searched for s in self.searches if s.searched]
        return max(dates) if dates else ""

    @property
    def noun(self) -> str:
        """What reported the results: ``database``, ``register`` or ``search``."""
        return self.kind if self.kind in ("database", "register") else "search"

    @property
    def has_query(self) -> bool:
        return any(s.query for s in self.searches)

    @property
    def documented(self) -> bool:
        """Whether anything beyond platform and date is recorded (query, limits, results)."""
        return any(s.query or s.limits or s.results is not None for s in self.searches)

    def count_warning(self) -> Text:
        """Empty, or the warning the project status shows when the count reported differs."""
        reported = self.reported
        if reported is None or not self.files or reported == self.records:
            return ()
        found = f" ({self.found:,} found in the files)" if self.found != self.records else ""
        return (
            f"{self.name}: the {self.noun} reported {reported:,} results but {self.records:,} "
            f"records were imported from {self.files} file(s){found}; check for a missing "
            "export batch, an export limit, or the results: count in protocol.yaml / ",
            step(Action.IMPORT, results=True),
            ".",
        )

    def override_warning(self) -> Text:
        """Empty, or the warning the project status shows when the import log and the protocol
        give different values for the same field."""
        if not self.overridden:
            return ()
        return (
            f"{self.name}: the import log records another {', '.join(self.overridden)} than "
            "protocols/protocol.yaml; the import log's is used (correct the protocol, or import "
            "again with the right flags).",
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "searches": [
                {**s.to_log(), "limits": list(s.limits), "results": s.results}
                for s in self.searches
            ],
            "files": self.files,
            "records": self.records,
            "reported": self.reported,
        }


@dataclass
class _Acc:
    name: str
    kind: Kind
    spec: Search = field(default_factory=Search)
    logged: list[Search] = field(default_factory=list)
    files: int = 0
    records: int = 0
    found: int = 0


def source_searches(
    specs: tuple[SourceSpec, ...], entries: list[ImportEntry]
) -> tuple[SourceSearch, ...]:
    """Every source the protocol lists or the import log holds, in that order (names match
    case-insensitively), with its searches (import log over protocol, field by field)."""
    acc: dict[str, _Acc] = {}
    for spec in specs:
        acc.setdefault(spec.name.lower(), _Acc(spec.name, spec.kind, spec_search(spec)))
    for e in entries:
        a = acc.setdefault(e.source.lower(), _Acc(e.source, e.kind))
        a.files += 1
        a.records += e.records
        a.found += e.found
        s = entry_search(e)
        if not s.is_empty() and s not in a.logged:
            a.logged.append(s)
    out = []
    for a in acc.values():
        if a.logged:
            searches = tuple(dict.fromkeys(s.filled_from(a.spec) for s in a.logged))
        else:
            searches = () if a.spec.is_empty() else (a.spec,)
        differ = _overridden(a.spec, a.logged)
        out.append(SourceSearch(a.name, a.kind, searches, a.files, a.records, a.found, differ))
    return tuple(out)


def _overridden(spec: Search, logged: list[Search]) -> tuple[str, ...]:
    """The fields the protocol gives and some import entry records differently."""
    names = []
    for f in ("platform", "searched", "query", "limits", "results"):
        given = getattr(spec, f)
        if given in ("", (), None):
            continue
        if any(getattr(s, f) not in ("", (), None, given) for s in logged):
            names.append("date searched" if f == "searched" else f)
    return tuple(names)


def project_searches(project: Project) -> tuple[SourceSearch, ...]:
    """:func:`source_searches` of a project's protocol and import log."""
    return source_searches(project.protocol.sources, project.imports())


def count_warnings(project: Project) -> list[Text]:
    """One warning per source whose reported result count differs from the records imported."""
    return [w for s in project_searches(project) if (w := s.count_warning())]
