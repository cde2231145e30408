"""Journal titles reduced to ISO 4 abbreviations with the ISSN List of Title Word Abbreviations.

The list (LTWA, the ISSN International Centre's list that ISO 4 abbreviations are built from)
ships with the ``pyiso4`` package (``pyiso4/LTWA_20210702.csv``: word or ``prefix-``, its
abbreviation or ``n.a.``, languages). ``pyiso4``'s own abbreviator builds a prefix tree of all
56,000 patterns, which takes 2–5 s per process — longer than our whole dedup of 7,000 records — so
we read the same list into two dicts (whole words, word prefixes) in ~0.1 s and look words up one
by one. What we need is only a *comparison key*: ``Annales françaises d'anesthésie et de
réanimation`` and ``Ann Fr Anesth Reanim`` both become ``ann fr anesth reanim``; ``Journal of
Clinical Epidemiology`` and ``J Clin Epidemiol`` both ``j clin epidemiol``. Words the list does
not know (and words that are already abbreviations) stay as they are; comparison then falls back
to word prefixes (see :func:`review.dedup.score.journal_similarity`).
"""

from __future__ import annotations

from functools import lru_cache

from review.dedup.fold import fold

MIN_PREFIX = 3  # prefix patterns shorter than this ("ab-") match too much


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, str]]:
    """(whole words, prefixes) -> abbreviation, all folded to a-z without dots."""
    from importlib.resources import files

    words: dict[str, str] = {}
    prefixes: dict[str, str] = {}
    try:
        text = (files("pyiso4") / "LTWA_20210702.csv").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):  # pragma: no cover - dependency
        return words, prefixes
    strip = str.maketrans("", "", ". '’-,()")
    for line in text.splitlines()[1:]:
        pattern, _, rest = line.partition("\t")
        abbr = rest.partition("\t")[0].strip()
        if "(" in pattern:
            pattern = pattern.split("(")[0]
        pattern = pattern.strip()
        if not pattern or pattern[0] == "-" or " " in pattern:
            continue  # suffix patterns and multi-word entries: not needed for a key
        prefix = pattern[-1] == "-"
        key = pattern.lower() if pattern.isascii() else fold(pattern)
        if prefix:
            key = key[:-1]
        if "-" in key or (len(key) < MIN_PREFIX and prefix):
            continue
        if abbr in ("n.a.", "n. a.", "n.a"):
            if prefix:
                continue  # "not abbreviated": the word stays as it is anyway
            value = ""
        else:
            value = (abbr.lower() if abbr.isascii() else fold(abbr)).translate(strip)
        (prefixes if prefix else words).setdefault(key, value)
    return words, prefixes


@lru_cache(maxsize=65536)
def abbreviate_word(word: str) -> str:
    """One folded journal word -> its LTWA abbreviation (the word itself when none)."""
    whole, prefixes = _tables()
    got = whole.get(word)
    if got is not None:
        return got or word
    for k in range(len(word), MIN_PREFIX - 1, -1):
        got = prefixes.get(word[:k])
        if got is not None:
            # An abbreviation longer than the word (rare list quirks) is no abbreviation.
            return got if got and len(got) <= len(word) else word
    return word
