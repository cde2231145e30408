"""Noise repaired from the library itself, before normalisation: characters lost in export.

An export that cannot write a non-ASCII letter often writes ``?`` instead (``Rev?sta m?dica``,
``Garc?a``; ``??`` when the letter's two UTF-8 bytes were replaced one by one). The letter cannot
be guessed from the record alone, but the library usually holds the same word written properly
in another record (the other database's copy, or another paper). Each word with lost letters is
replaced by the one word of the library's vocabulary (title, author and journal words of the
records) that it matches, letter for letter, with each ``?`` run standing for one or two letters;
when no word or several words match equally often, the word is left as it is (the ``?`` then
reads as a word break, as before). Records without a lost letter are returned unchanged, and a
library without any costs one substring test per field.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from review.dedup.fold import fold
from review.model import Record

# A "?" run followed by a letter, or between two letters: a letter lost in export (a question
# mark ends a sentence, it does not start or split a word).
_LOST = re.compile(r"\?+(?=[^\W\d_])|(?<=[^\W\d_])\?+(?=[^\W\d_])")
# In a name a question mark is never punctuation: a trailing one is a lost letter too ("Jos?").
_LOST_IN_NAME = re.compile(r"\?+(?=[^\W\d_])|(?<=[^\W\d_])\?+")
_TOKEN = re.compile(r"[\w?]+")
_WORD = re.compile(r"[^\W\d_]{2,}")
_FIELDS = ("title", "journal")


def _lossy(rec: Record) -> bool:
    if "?" not in rec.title and "?" not in rec.journal:
        for a in rec.authors:
            if "?" in a:
                break
        else:
            return False
    texts = (rec.title, rec.journal)
    return any("?" in t and _LOST.search(t) for t in texts) or any(
        "?" in a and _LOST_IN_NAME.search(a) for a in rec.authors
    )


def repair_lost_characters(records: list[Record]) -> list[Record]:
    """``records`` with every word whose letters were lost in export replaced by the library's
    word it matches (see the module docstring); the same list when no record lost a letter."""
    lossy = [i for i, r in enumerate(records) if _lossy(r)]
    if not lossy:
        return records
    vocab = _vocabulary(records)
    by_length: dict[int, list[str]] = {}
    for w in vocab:
        by_length.setdefault(len(w), []).append(w)
    memo: dict[str, str] = {}
    out = list(records)
    for i in lossy:
        r = records[i]
        changes: dict[str, object] = {
            f: _repair_text(getattr(r, f), vocab, by_length, memo)
            for f in _FIELDS
            if "?" in getattr(r, f)
        }
        if any("?" in a for a in r.authors):
            changes["authors"] = tuple(
                _repair_text(a, vocab, by_length, memo, _LOST_IN_NAME) if "?" in a else a
                for a in r.authors
            )
        out[i] = replace(r, **changes)  # type: ignore[arg-type]
    return out


def _vocabulary(records: list[Record]) -> Counter[str]:
    vocab: Counter[str] = Counter()
    for r in records:
        for text in (r.title, r.journal, *r.authors):
            if text:
                vocab.update(_WORD.findall(fold(text)))
    return vocab


def _repair_text(
    text: str,
    vocab: Counter[str],
    by_length: dict[int, list[str]],
    memo: dict[str, str],
    lost: re.Pattern[str] = _LOST,
) -> str:
    def one(m: re.Match[str]) -> str:
        token = m.group(0)
        if not lost.search(token):
            return token
        key = fold(token)
        if key not in memo:
            memo[key] = _match(key, vocab, by_length) or token
        return memo[key]

    return _TOKEN.sub(one, text)


def _match(word: str, vocab: Counter[str], by_length: dict[int, list[str]]) -> str:
    """The vocabulary word ``word`` (with ``?`` runs) stands for, or '' when none or no clear one."""
    runs = re.findall(r"\?+", word)
    fixed = len(word) - sum(len(x) for x in runs)
    pattern = re.compile(
        "".join(
            f"[a-z]{{1,{len(p)}}}" if p.startswith("?") else re.escape(p)
            for p in re.split(r"(\?+)", word)
            if p
        )
    )
    lo, hi = fixed + len(runs), fixed + sum(len(x) for x in runs)
    found = Counter(
        {
            w: vocab[w]
            for n in range(lo, hi + 1)
            for w in by_length.get(n, ())
            if pattern.fullmatch(w)
        }
    )
    if not found:
        return ""
    ranked = [*found.most_common(2), ("", 0)]
    return ranked[0][0] if ranked[0][1] > ranked[1][1] else ""
