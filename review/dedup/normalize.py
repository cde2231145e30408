"""Stage 1: normalise records into comparison keys (pure, no heavy imports).

Everything here works on plain strings so that two exports of the same paper end up with the same
keys: Unicode NFKD without accents, lower case, HTML/LaTeX markup and punctuation removed,
language tags (``[Chinese]``) and brackets around translated titles dropped, authors reduced to
surname + initials, journal names compared word by word so ISO abbreviations match, page ranges
expanded (``123-9`` -> ``123-129``) and DOIs reduced to ``10.xxxx/...``.

Long module: one small normaliser per field (title, authors, journal, pages, year, DOI, …);
together they are the comparison keys, and their rules read best side by side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from review.dedup.fold import fold
from review.doi import find_doi, is_valid_doi
from review.model import Record

_WORD_RUN = re.compile(r"[^\W_]+")  # letters and digits (a word character, not "_")
_LANGUAGES = frozenset(
    "chinese german french spanish japanese russian italian portuguese polish dutch korean "
    "czech hungarian turkish danish swedish norwegian finnish hebrew greek persian croatian "
    "serbian slovak slovene slovenian romanian bulgarian ukrainian arabic lithuanian estonian "
    "latvian icelandic thai vietnamese indonesian malay catalan afrikaans english".split()
)
_DIGITS = re.compile(r"\d+")
_ROMAN = re.compile(r"^(?:i|ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii)$")
_PART = re.compile(
    r"\b(?:part|pt|section|chapter|volume|phase|study|paper|trial)\s+"
    r"(\d+|[ivx]{1,4}|one|two|three|four|five|six|[a-d])\b"
)

MAX_AUTHORS = 50  # authors compared per record (consortium papers list thousands)
TITLE_STOPWORDS = frozenset("the a an in on at and or of for to with by from as is are".split())
JOURNAL_STOPWORDS = frozenset(
    "the of and for in on de la le des du der und fur vol vols volume annual".split()
)
_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$")

# Title openings and phrases that mark a record as *about* another record: never auto-merged with
# a record that lacks the same marker (see docs/dedup.md, "Never merged automatically").
_ERRATUM = re.compile(
    r"^(?:erratum|errata|corrigendum|corrigenda|correction|corrections|retraction|retracted"
    r"|notice of retraction|retraction note|withdrawn|withdrawal|expression of concern"
    r"|editorial expression of concern|publisher s note|addendum)\b"
    r"|\b(?:erratum|corrigendum|retraction notice|expression of concern)\b"
    r"|\bvol \w+ pg \w+ \d{4}$"  # Web of Science names a correction "<title> (vol 104, pg 150, 2017)"
)
_COMMENT = re.compile(
    r"^(?:comment|comments|commentary|reply|replies|response|responses|re|in reply"
    r"|author reply|authors reply|author s reply|authors response|letter|editorial comment"
    r"|invited commentary)\b"
    r"|\b(?:comment on|comments on|commentary on|reply to|letter to the editor|author reply"
    r"|authors reply)\b"
)
_PROTOCOL = re.compile(
    r"\b(?:protocol|study design and rationale|rationale and design|design and rationale"
    r"|trial design|statistical analysis plan)\b"
)
_CONFERENCE_VENUE = re.compile(
    r"\b(?:abstract|abstracts|meeting|congress|conference|symposium|proceedings|suppl"
    r"|supplement|annual|workshop|colloquium|poster|posters|summit|convention"
    r"|abstr|proc|conf|congr|symp|meet)\b"  # the same words as ISO 4 abbreviates them
)
_COCHRANE = re.compile(r"\bcochrane\b")

_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6"}
_ROMAN_VALUE = {
    "i": "1",
    "ii": "2",
    "iii": "3",
    "iv": "4",
    "v": "5",
    "vi": "6",
    "vii": "7",
    "viii": "8",
    "ix": "9",
    "x": "10",
    "xi": "11",
    "xii": "12",
}


def words(text: str) -> str:
    """Folded text with every run of non-letters/digits turned into one space."""
    # The runs of letters and digits, one space between: the same text as turning every run of
    # non-word characters, "_" and white space into one space, in half the time.
    return " ".join(_WORD_RUN.findall(fold(text)))


_PAREN_NOTE_WORDS = (
    "abstract",
    "review",
    "transl",
    "epub",
    "electronic",
    "published",
    "corrected",
    "comment",
    "erratum",
    "refs",
)


def _strip_trailing_groups(t: str) -> str:
    """Drop trailing ``[...]`` groups (language tags, ``[Review] [23 refs]``, ``[Erratum appears
    in …]``, ``[see comments]``) and ``(Provisional abstract)``-style notes after a title."""
    k = t.rfind("[")
    if k > 0 and "]" not in t[k:] and len(t[:k].split()) >= 3:
        t = t[:k]  # a note cut off by a field length limit: "...[Erratum appears in Lancet 201"
    while True:
        t = t.rstrip(" .;,")
        if not t or t[-1] not in "])":
            return t
        close, open_ = t[-1], "[" if t[-1] == "]" else "("
        depth = 0
        j = len(t) - 1
        while j >= 0:
            if t[j] == close:
                depth += 1
            elif t[j] == open_:
                depth -= 1
                if depth == 0:
                    break
            j -= 1
        if j <= 0:
            return t
        head = t[:j].rstrip(" .;,")
        if len(head.split()) < 3:
            return t
        if open_ == "(":
            inner = t[j + 1 : -1].strip().lower()
            if not (any(w in inner for w in _PAREN_NOTE_WORDS) or inner in _LANGUAGES):
                return t
        t = head


_INLINE_NOTE = re.compile(
    r"(?i)\[(?:corrected|sic|abstract|published erratum appears in[^\]]*|erratum appears in[^\]]*"
    r"|see comments?|comment|editorial|review|letter|in process citation)\]"
)
_LEADING_NOTE = re.compile(r"^\s*\[[^\]\[]{1,30}\]\s*(?=\S)")
_NO_TITLE = re.compile(
    r"(?i)^\W*(?:no title|untitled|title not available|\[?no title available\]?)\W*$"
)
_PARALLEL = re.compile(r"\s+=\s+")


def _bracket_translation(title: str) -> str:
    """The English title MEDLINE/Embase put in brackets after (or instead of) the original one:
    ``Titre original [Original title]`` -> ``Original title`` ('' when there is none)."""
    t = title.strip().rstrip(" .")
    if not t.endswith("]"):
        return ""
    k = t.rfind("[")
    inner = t[k + 1 : -1].strip() if k >= 0 else ""
    if k <= 0 or len(inner.split()) < 3 or _INLINE_NOTE.fullmatch(t[k:]):
        return ""
    low = inner.lower()
    if low.startswith(("erratum", "published erratum", "see ", "review", "comment")) or (
        low.split()[0] in _LANGUAGES
    ):
        return ""
    return inner


def title_alternatives(title: str) -> tuple[str, ...]:
    """Other forms of a title worth comparing: a bracketed translation (``Original [English]``)
    and each side of a parallel title (``Titre = Title``), normalised."""
    out = []
    inner = _bracket_translation(title)
    if inner:
        out.append(normalize_title(inner))
    if " = " in title:
        out.extend(normalize_title(p) for p in _PARALLEL.split(title) if len(p.split()) >= 3)
    return tuple(dict.fromkeys(a for a in out if a))


def strip_title_markers(title: str) -> str:
    """Drop trailing notes (``[Chinese]``, ``[Review] [23 refs]``, ``[Erratum appears in …]``,
    ``(Provisional abstract)``), inline ``[corrected]`` notes, a leading ``[Abstract]``-style
    note, placeholders for a missing title (``[No title available]``) and the brackets MEDLINE
    puts around a translated title."""
    if _NO_TITLE.match(title):
        return ""
    if "[" in title:
        title = _INLINE_NOTE.sub(" ", title)
        stripped = _LEADING_NOTE.sub("", title)
        if len(stripped.split()) >= 3:
            title = stripped
    t = _strip_trailing_groups(title.strip())
    # A whole title in brackets is MEDLINE's mark for a translated title: "[Effect of ...]."
    t = t.rstrip(" .")
    if len(t) > 2 and t.startswith("[") and t.endswith("]") and t.count("[") == 1:
        t = t[1:-1]
    return t


def normalize_title(title: str) -> str:
    return words(strip_title_markers(title))


def normalize_doi(doi: str) -> str:
    """``https://doi.org/10.1/ABC.`` -> ``10.1/abc``; '' when no DOI is found."""
    return find_doi(doi) if doi else ""


def doi_is_valid(doi: str) -> bool:
    return is_valid_doi(doi)


# "Suppl-42" is MEDLINE's "Suppl:S34-42" with the first page lost: unknown, not a contradiction.
_NO_PAGES = re.compile(
    r"(?i)no pagination|var\.? ?pagings?|pagination|unpaginated|^n\.?\s*p\.?$|suppl"
)


def normalize_pages(pages: str) -> tuple[str, str]:
    """(first, last) page: ``123-9`` -> (``123``, ``129``); ``e1234`` -> (``e1234``, ``e1234``);
    ``10 (11) (no pagination)`` and other non-pages -> ('', '')."""
    if _NO_PAGES.search(pages):
        return "", ""
    p = fold(pages).replace("\u2013", "-").replace("\u2014", "-").replace("--", "-")
    p = p.replace(" ", "")
    if not p:
        return "", ""
    parts = [x for x in re.split(r"[-_:]", p) if x]
    if not parts:
        return "", ""
    first = parts[0].lstrip("p.").lstrip("0") or parts[0]
    if len(parts) == 1:
        return first, first
    last = parts[1].lstrip("0") or parts[1]
    if first.isdigit() and last.isdigit() and len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return first, last


_PARTICLES = frozenset("van von de der den da di la le du dos del della dalla ten ter".split())


def _surname_key(surname: str) -> str:
    """``van Kessel`` -> ``kessel``; ``Nakase-Richardson`` -> ``nakaserichardson``."""
    toks = surname.split()
    while len(toks) > 1 and toks[0].strip(".") in _PARTICLES:
        toks = toks[1:]
    return _NOT_ALNUM.sub("", " ".join(toks))


def split_author(name: str) -> tuple[str, str]:
    """One author -> (surname, initials), both folded to ``a-z``."""
    name = fold(name).strip()
    if not name:
        return "", ""
    if "," in name:
        surname, _, given = name.partition(",")
    else:
        toks = name.replace(".", ". ").split()
        if len(toks) == 1:
            return _NOT_ALNUM.sub("", toks[0]), ""
        last = toks[-1].replace(".", "")
        # "Smith J. A." (initials after the surname) versus "John A. Smith".
        if len(last) <= 2 and not any(len(t.replace(".", "")) > 2 for t in toks[1:]):
            surname, given = toks[0], " ".join(toks[1:])
        else:
            surname, given = toks[-1], " ".join(toks[:-1])
    surname = _surname_key(surname)
    initials = "".join(w[0] for w in re.split(r"[^a-z]+", given) if w)
    return surname, initials


_NAME_JUNK = re.compile(r"(?i)(?:,\s*|\b)(?:null|none|jr|sr|2nd|3rd)\b\.?")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_ET_AL_WORDS = frozenset(("et", "al", "others"))
_NO_AUTHOR = frozenset(("et al", "et al.", "others", "anonymous", "anon", "unknown", "[anonymous]"))


@lru_cache(maxsize=262144)
def parse_author(name: str) -> tuple[str, str, str] | None:
    """One author as exported -> (surname, initials, alternative surname) or None.

    The alternative surname reads "Surname, Given" the other way round ("Ching-yi, Wu" -> "wu"),
    for exports that swap the parts; '' when the name has no comma.
    """
    a = name.strip()
    if not a:
        return None
    if _NAME_JUNK.search(a):
        a = _NAME_JUNK.sub("", a).strip(" ,")
        if not a:
            return None
    if a.lower() in _NO_AUTHOR or set(words(a).split()) <= _ET_AL_WORDS:
        return None  # "et al.", also as an importer may have turned it round ("al., et")
    alt = ""
    if "," in a:
        given = fold(a.partition(",")[2]).split()
        long_words = [_NOT_ALNUM.sub("", w) for w in given if len(w.strip(".")) > 1]
        if long_words:
            alt = long_words[-1] if len(long_words) > 1 and len(given) == 2 else long_words[0]
    # Keep the capitalisation signal for "Smith JA": detect before folding.
    toks = a.replace(",", " ").split()
    last = toks[-1] if toks else ""
    if "," not in a and len(toks) >= 2 and last.isalpha() and last.isupper() and len(last) <= 3:
        surname, initials = _surname_key(fold(" ".join(toks[:-1]))), fold(toks[-1])
    else:
        surname, initials = split_author(a)
    if not surname:
        return None
    return surname, initials, alt


# "Adeli K.Lewis G. F.Smith J." (EndNote/Embase exports without separators); "Smith J, et al."
_INITIAL_JOIN = re.compile(r"(?<=\b[A-Z]\.)(?=[A-Z][a-z'])")
_ET_AL = re.compile(r"(?i)[,;\s]*\bet\.?\s+al\b\.?.*$")


def author_names(authors: tuple[str, ...]) -> tuple[str, ...]:
    """The names of an author list, with unseparated strings split and ``et al.`` dropped."""
    if not any(_INITIAL_JOIN.search(a) or "et al" in a.lower() for a in authors):
        return authors
    out: list[str] = []
    for a in authors:
        if "et al" in a.lower():
            a = _ET_AL.sub("", a)
        out.extend(p for p in _INITIAL_JOIN.split(a) if p.strip())
    return tuple(out)


def split_authors(authors: tuple[str, ...]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for a in author_names(authors):
        p = parse_author(a) if a else None
        if p is not None:
            out.append((p[0], p[1]))
    return out


_JOURNAL_NOTE = re.compile(r"\s*[\[(][^\])]*[\])]\s*")


def _alt_surnames(raw: tuple[str, ...]) -> str:
    """Every surname read the other way round, or '' when any name cannot be."""
    alt = []
    for name in author_names(raw):
        p = parse_author(name) if name else None
        if p is None:
            continue
        if not p[2]:
            return ""
        alt.append(p[2])
    return " ".join(alt)


def journal_words(journal: str) -> tuple[str, ...]:
    """``BMJ (Clinical research ed.)`` / ``PLoS ONE [Electronic Resource]`` -> ``bmj`` / ``plos one``."""
    if "(" in journal or "[" in journal:
        stripped = _JOURNAL_NOTE.sub(" ", journal).strip()
        journal = stripped or journal
    return tuple(
        w
        for w in words(journal).split()
        if w not in JOURNAL_STOPWORDS and not w.isdigit() and not _ORDINAL.match(w)
    )


# Words dropped from the abbreviated journal key: articles and conjunctions of the languages
# journal titles are written in (the LTWA drops them too).
_KEY_STOPWORDS = JOURNAL_STOPWORDS | frozenset(
    "d l et e y i el los las les di del dei delle dell das die den en voor og och za".split()
)
# Transliterated native journal titles ("Zhonghua yi xue za zhi", "Nihon Rinsho Geka Gakkai
# Zasshi", "Zhurnal nevrologii"): the other export may give the English name, so a mismatch
# proves nothing.
_TRANSLITERATED = re.compile(
    r"\b(?:za zhi|zazhi|xue bao|xuebao|zasshi|gakkai|igaku|zhurnal|zhournal|chasopys|casopis"
    r"|czasopismo|dergisi|tidsskrift|lakartidningen|orvosi hetilap|zhonghua|zhongguo)\b"
)


@lru_cache(maxsize=65536)
def journal_keys(journal: str) -> tuple[tuple[str, ...], ...]:
    """The journal as ISO 4 (LTWA) abbreviated words, one key per parallel title: ``Zhongguo fei
    ai za zhi = Chinese journal of lung cancer`` -> (``zhongguo fei ai za zhi``, ``chin j lung
    cancer``)."""
    from review.dedup.ltwa import abbreviate_word

    if not journal:
        return ()
    parts = [journal]
    if "=" in journal:
        parts += [p for p in journal.split("=") if p.strip()]
    out: list[tuple[str, ...]] = []
    for part in parts:
        if "(" in part or "[" in part:
            part = _JOURNAL_NOTE.sub(" ", part).strip() or part
        key = tuple(
            abbreviate_word(w)
            for w in words(part).split()
            if w not in _KEY_STOPWORDS and not w.isdigit() and not _ORDINAL.match(w)
        )
        if key and key not in out:
            out.append(key)
    return tuple(out)


def title_parts(title_words: str) -> tuple[str, ...]:
    """Markers of a series part: ``part 2``, ``phase ii``, trailing roman numerals."""
    found = []
    for m in _PART.finditer(title_words):
        v = m.group(1)
        found.append(_NUMBER_WORDS.get(v, _ROMAN_VALUE.get(v, v)))
    toks = title_words.split()
    if toks and _ROMAN.match(toks[-1]) and len(toks) > 3:
        found.append(_ROMAN_VALUE[toks[-1]])
    return tuple(found)


_CONTAINER_TAGS = frozenset({"booktitle", "bt", "t2", "jo", "jf", "secondary title"})


def _raw_value(rec: Record, tag: str) -> str:
    for t, value in rec.raw:
        if t.strip().lower() == tag:
            return value.strip()
    return ""


def _container_from_raw(rec: Record) -> str:
    """A container title the importer left in ``raw`` (e.g. a ``booktitle`` column next to an
    empty ``journal`` column in a CSV export)."""
    for tag, value in rec.raw:
        if value and tag.strip().lower() in _CONTAINER_TAGS:
            return value
    return ""


@dataclass(frozen=True, slots=True)
class NormRecord:
    """The comparison keys of one record (what blocking and scoring look at)."""

    index: int
    record_id: str
    title: str  # normalised words
    title_compact: str  # no spaces, no stopwords
    title_digits: tuple[str, ...]
    parts: tuple[str, ...]
    authors: tuple[tuple[str, str], ...]
    surnames: str  # "smith jones lee"
    alt_surnames: str  # the same if "Surname, Given" was really "Given, Surname"
    year: int | None
    journal: tuple[str, ...]
    journal_text: str
    journal_raw: str  # as exported: its LTWA keys are computed only when a pair needs them
    journal_native: bool  # a transliterated native title ("... za zhi")
    volume: str
    issue: str
    page_first: str
    page_last: str
    doi: str
    doi_valid: bool
    pmid: str
    abstract: str  # its first ABSTRACT_CHARS normalised characters: all that scoring compares
    kind: str  # erratum | comment | "" (what the record is *about*)
    protocol: bool
    conference: bool
    cochrane: bool
    type: str
    completeness: int
    search_set: str = ""
    title_alts: tuple[str, ...] = ()  # compact forms of a bracketed translation / parallel title
    supplement: bool = False  # a supplement issue or abstract pages (S12, A113)
    page_digits: str = ""  # the first page's number without a letter prefix (S72 -> 72)
    translated: bool = False  # the title is (or carries) a bracketed translation
    abstract_length: int = 0  # normalised length, up to 1,000: longer abstract, better primary  # bib-dedupe/CoLRev convention: a set already deduplicated


def _simple_number(text: str) -> str:
    """The first number of a volume/issue (``Suppl 3`` -> ``3``); '' when there is none."""
    m = _DIGITS.search(text)
    if m is None:
        return ""
    return m.group(0).lstrip("0") or "0"


def _volume(volume: str, year: int | None) -> str:
    """The volume number; '' when missing or when it is just the year (``2016``)."""
    v = _simple_number(volume) if volume else ""
    if v and len(v) == 4 and v[:2] in ("19", "20") and (year is None or abs(int(v) - year) <= 1):
        return ""
    return v


# A literal missing-value string where a field has no value (R/pandas/SAS exports, database
# placeholders): compared as a value it would agree with every other "NA" and disagree with the
# real value, so it is read as missing in every field.
_MISSING_VALUE = re.compile(
    r"(?i)^\W*(?:n\.?\s?/?\s?a\.?|nan|null|none|nil|not available|not applicable|unknown"
    r"|no abstract(?: available)?|abstract (?:not )?available|abstract missing|no pagination"
    r"(?: specified)?|pages? not available)\W*$|^\W*$"
)


# The first character of every missing-value string (a cheap test before the pattern: volumes,
# pages, DOIs and most titles start otherwise).
_MISSING_FIRST = frozenset("nNuUaApP-?[(./*_ \t")


def _placeholder(value: str) -> bool:
    return (
        bool(value)
        and len(value) < 40
        and value[0] in _MISSING_FIRST
        and _MISSING_VALUE.match(value) is not None
    )


def present(value: str) -> str:
    """``value``, or '' when it is a missing-value string (``NA``, ``N/A``, ``null``, ``[no
    abstract]``, ``-``)."""
    return "" if _placeholder(value) else value


_PLACEHOLDER_FIELDS = ("title", "abstract", "journal", "volume", "issue", "pages", "doi", "pmid")


def _present_fields(rec: Record) -> Record:
    """The record with every missing-value string emptied (the same object when there is none)."""
    p = _placeholder
    # ("NA", "N/A", "null", "none", "-": short; "unknown"/"anonymous" are parse_author's)
    names = bool(rec.authors) and min(map(len, rec.authors)) <= 5 and any(map(p, rec.authors))
    if not (
        names
        or p(rec.title)
        or p(rec.journal)
        or p(rec.volume)
        or p(rec.issue)
        or p(rec.pages)
        or p(rec.abstract)
        or p(rec.doi)
        or p(rec.pmid)
    ):
        return rec
    changes: dict[str, object] = {n: "" for n in _PLACEHOLDER_FIELDS if p(getattr(rec, n))}
    if names:
        changes["authors"] = tuple(a for a in rec.authors if not p(a))
    return replace(rec, **changes) if changes else rec  # type: ignore[arg-type]


def _share(shared: dict[object, object] | None, value: Any) -> Any:
    """``value``, or the equal value already in ``shared`` (one object instead of many)."""
    return value if shared is None else shared.setdefault(value, value)


def _completeness(rec: Record, has_abstract: bool) -> int:
    """How many of the main fields the record has."""
    return sum(
        1
        for v in (
            rec.title,
            has_abstract,
            rec.authors,
            rec.year,
            rec.journal,
            rec.volume,
            rec.issue,
            rec.pages,
            rec.doi,
            rec.pmid,
            rec.issn,
            rec.keywords,
        )
        if v
    )


AbstractKey = tuple[str, int, bool]  # (what scoring compares, normalised length, given)


def abstract_key(text: str) -> AbstractKey:
    """What dedup keeps of an abstract: its first ABSTRACT_CHARS normalised characters (all
    that scoring compares), its normalised length up to 1,000 (the longer, the better primary)
    and whether there is one (completeness)."""
    text = present(text)
    norm = words(text)[:1000] if text else ""
    return norm[:ABSTRACT_CHARS], len(norm), bool(text)


def normalize_record(
    rec: Record,
    index: int = 0,
    shared: dict[object, object] | None = None,
    abstract: AbstractKey | None = None,
) -> NormRecord:
    """The comparison keys of ``rec``. ``shared``: one dict for every record of a run, through
    which equal author names, journals and volume/issue/page numbers become one object (a
    million records repeat them; the values are the same, only memory is saved).
    ``abstract``: the :func:`abstract_key` of the record's abstract, when ``rec`` was loaded
    without it (a million abstracts need not be held at once)."""
    rec = _present_fields(rec)
    head, abstract_length, has_abstract = abstract or abstract_key(rec.abstract)
    title = normalize_title(rec.title)
    toks = title.split()
    compact = "".join(w for w in toks if w not in TITLE_STOPWORDS) or title.replace(" ", "")
    authors = tuple(split_authors(rec.authors[:MAX_AUTHORS]))
    journal = rec.journal or _container_from_raw(rec)
    jw = journal_words(journal)
    first, last = normalize_pages(rec.pages or _article_number(rec))
    doi = normalize_doi(rec.doi)
    supplement = bool(
        _SUPPLEMENT.search(fold(f"{rec.volume} {rec.issue}")) or _ABSTRACT_PAGE.match(first)
    )
    alts = title_alternatives(rec.title) if "[" in rec.title or " = " in rec.title else ()
    marked = " | ".join((title, *alts))  # a translated title carries the markers too
    kind = ""
    if _ERRATUM.search(marked):
        kind = "erratum"
    elif _COMMENT.search(marked):
        kind = "comment"
    jtext = " ".join(jw)
    # Not the supplement flag: journal supplements carry full papers too (pages S34-S42).
    conference = rec.type == "conference" or bool(_CONFERENCE_VENUE.search(jtext))
    if shared is not None:
        authors = _share(shared, tuple(_share(shared, a) for a in authors))
        jw = _share(shared, tuple(_share(shared, w) for w in jw))
        jtext, first, last = _share(shared, jtext), _share(shared, first), _share(shared, last)
    return NormRecord(
        index=index,
        record_id=rec.record_id,
        title=title,
        title_compact=compact,
        title_digits=tuple(w for w in toks if w.isdigit()),
        parts=title_parts(title),
        authors=authors,
        surnames=" ".join(s for s, _ in authors),
        alt_surnames=_alt_surnames(rec.authors[:MAX_AUTHORS]),
        year=rec.year,
        journal=jw,
        journal_text=jtext,
        journal_raw=journal,
        journal_native=bool(_TRANSLITERATED.search(jtext)),
        volume=_share(shared, _volume(rec.volume, rec.year)),
        issue=_share(shared, _simple_number(rec.issue) if rec.issue else ""),
        page_first=first,
        page_last=last,
        doi=doi,
        doi_valid=doi_is_valid(doi),
        pmid=re.sub(r"\D", "", rec.pmid or ""),
        abstract=head,
        abstract_length=abstract_length,
        kind=kind,
        protocol=bool(_PROTOCOL.search(marked)),
        conference=conference,
        cochrane=bool(_COCHRANE.search(jtext)) or doi.startswith("10.1002/14651858"),
        type=rec.type,
        completeness=_completeness(rec, has_abstract),
        search_set=_raw_value(rec, "search_set"),
        title_alts=tuple(c for c in (_compact(t) for t in alts) if c and c != compact),
        supplement=supplement,
        page_digits=_share(shared, _page_number(first)),
        translated=bool(alts) or bool(_WHOLE_BRACKET.match(rec.title)),
    )


def _compact(title_words: str) -> str:
    return "".join(w for w in title_words.split() if w not in TITLE_STOPWORDS)


def _page_number(first: str) -> str:
    """``S72`` -> ``72``, ``e0143396`` -> ``143396``, ``A113`` -> ``113``; '' for other forms."""
    m = _LETTER_PAGE.match(first)
    if m is None:
        return ""
    return m.group(1).lstrip("0") or "0"


def _article_number(rec: Record) -> str:
    """An article number the importer left in ``raw`` (used when there are no pages)."""
    for tag, value in rec.raw:
        if value and tag.strip().lower() in _ARTICLE_NUMBER_TAGS:
            return value
    return ""


# MEDLINE's translated title: the English title in brackets, then perhaps "[Article in German]".
_WHOLE_BRACKET = re.compile(r"^\s*\[[^\[\]]{10,}\]")
_ARTICLE_NUMBER_TAGS = frozenset(
    {"article_number", "article number", "articlenumber", "art_no", "art. no.", "eid", "c7"}
)
# How much of a normalised abstract scoring compares (review/dedup/score.py); the rest is not
# kept (a million abstracts).
ABSTRACT_CHARS = 500
# Every raw tag (stripped, lower case) this module reads: dedup loads records with only these.
RAW_TAGS = _CONTAINER_TAGS | _ARTICLE_NUMBER_TAGS | {"search_set"}
_SUPPLEMENT = re.compile(r"\bsuppl|\bsupplement|\bs\d+\b|\bspec(?:ial)? (?:issue|suppl)")
_ABSTRACT_PAGE = re.compile(r"^[sa]\d+$")
_LETTER_PAGE = re.compile(r"^[a-z]{0,2}(\d+)$")
