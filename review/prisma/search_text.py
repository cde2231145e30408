"""The search-strategy part of methods.md (PRISMA-S): one paragraph saying, per source with a
recorded strategy, the platform, the date searched and the results the database reported
against the records imported, and an appendix with each full query and its limits.

Everything comes from :func:`review.search.source_searches` (the protocol's ``sources:`` and the
import log); a source without a recorded query is never said to have one. Called from
:func:`review.prisma.methods.methods_markdown` with one line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from review.io.printable import md_text, printable

if TYPE_CHECKING:
    from review.search import Search, SourceSearch

APPENDIX_HEADING = "## Search strategies"
DateText = Callable[[str], str]  # "2024-03-03" -> "3 March 2024"; "" for a placeholder


def _search_phrase(s: Search, _date: DateText) -> str:
    """``via NCBI on 3 March 2024`` (or ``… (search date not recorded)``)."""
    via = f"via {md_text(s.platform)} " if s.platform else ""
    when = md_text(_date(s.searched))
    return f"{via}on {when}" if when else f"{via}(search date not recorded)".strip()


def _source_sentence(src: SourceSearch, date: DateText) -> str:
    """``PubMed was searched via NCBI on 3 March 2024; the database reported 512 results and
    510 records were imported.``"""
    how = " and ".join(_search_phrase(s, date) for s in src.searches)
    text = f"{md_text(src.name)} was searched {how}"
    reported = src.reported
    imported = f"{src.records:,} record{'s' if src.records != 1 else ''}"
    verb = "was" if src.records == 1 else "were"
    if reported is not None:
        text += f"; the {src.noun} reported {reported:,} result{'s' if reported != 1 else ''}"
        text += f" and {imported} {verb} imported" if src.files else "; nothing was imported"
    elif src.files:
        text += f"; {imported} {verb} imported (the number of results reported was not recorded)"
    return text + "."


def search_paragraphs(searches: tuple[SourceSearch, ...], date: DateText) -> list[str]:
    """The search-strategy paragraph and the appendix of full queries ([] when no source has a
    query, limits or a reported count recorded); ``date`` writes a date for a sentence."""
    documented = [s for s in searches if s.documented]
    if not documented:
        return []
    sentences = [_source_sentence(s, date) for s in documented]
    with_query = [md_text(s.name) for s in documented if s.has_query]
    if with_query:
        which = with_query[0] if len(with_query) == 1 else ", ".join(with_query[:-1])
        which += f" and {with_query[-1]}" if len(with_query) > 1 else ""
        one = len(with_query) == 1
        sentences.append(
            f"The full search {'query' if one else 'queries'} ({which}), with limits and filters, "
            f"{'is' if one else 'are'} reproduced under Search strategies below."
        )
    return [" ".join(sentences), appendix(documented, date)]


def appendix(searches: list[SourceSearch], _date: DateText) -> str:
    """``## Search strategies``: per source and search, platform, date, limits, reported
    results and the full query in a fenced block."""
    out = [APPENDIX_HEADING]
    for src in searches:
        for i, s in enumerate(src.searches, start=1):
            name = md_text(src.name)
            title = name if len(src.searches) == 1 else f"{name}, search {i}"
            out.append(f"### {title}")
            facts = []
            if s.platform:
                facts.append(f"- Platform: {md_text(s.platform)}")
            when = md_text(_date(s.searched))
            facts.append(f"- Date searched: {when or 'not recorded'}")
            limits = "; ".join(md_text(x) for x in s.limits)
            facts.append(f"- Limits and filters: {limits or 'none recorded'}")
            if s.results is not None:
                facts.append(f"- Results reported by the {src.noun}: {s.results:,}")
            out.append("\n".join(facts))
            if s.query:
                # the query as typed (a fence it cannot close), control characters shown
                query = "\n".join(printable(line) for line in s.query.splitlines())
                longest = max((len(m) for m in re.findall(r"`+", query)), default=0)
                fence = "`" * max(3, longest + 1)
                source = f" (from {md_text(s.query_file)})" if s.query_file else ""
                out.append(f"Query{source}:\n\n{fence}text\n{query}\n{fence}")
            else:
                out.append("Query: not recorded.")
    return "\n\n".join(out)
