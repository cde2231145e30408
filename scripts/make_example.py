#!/usr/bin/env python
"""Generate the worked example's data: database exports, grey literature, expert suggestions and
the reviewers' decision files for ``review demo``.

The example is the scoping review of Saar-Heiman, Damman, Lalayants & Gupta (2024), "Parent peer
advocacy, mentoring, and support in child protection" (Psychosocial Intervention 33(2), 73-88).
Its PRISMA numbers and charting counts are real; the records behind them are invented here (only
the included publications named in the paper keep their real authors and years).

Deterministic: fixed seeds, no timestamps; re-running writes byte-identical files.

Usage::

    python scripts/make_example.py            # writes ./data (the repository's example)
    python scripts/make_example.py --out DIR  # writes DIR/searches, DIR/decisions, DIR/README.md
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import random
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import example_vocab as V  # noqa: E402

SEED = 2024_0205

# ---- the published numbers (Figure 1 of the paper) ------------------------------------------
DB_TOTAL = 7219
GREY_TOTAL = 75
EXPERT_TOTAL = 5
AUTO_DUPLICATES = 3314
MANUAL_DUPLICATES = 186
SCREENED = DB_TOTAL + GREY_TOTAL - AUTO_DUPLICATES - MANUAL_DUPLICATES  # 3,794
TO_FULLTEXT = 150
FT_INCLUDED = 40
FT_EXCLUDED = TO_FULLTEXT - FT_INCLUDED  # 110

# Records per database (invented split; the paper gives only the total).
DATABASES = {
    "wos": ("Web of Science", 2650),
    "psycinfo": ("PsycINFO", 2380),
    "psycarticles": ("PsycARTICLES", 310),
    "swa": ("Social Work Abstracts", 890),
    "sd": ("ScienceDirect", 989),
}
assert sum(n for _, n in DATABASES.values()) == DB_TOTAL
WOS_BATCH = 1000  # Web of Science exports at most 1,000 records per file

# How many copies the (non-manual) database works have: k copies -> k-1 automatic duplicates.
COPY_COUNTS = {4: 170, 3: 650, 2: 1504}  # the rest have one copy
REVIEWERS = ("anat", "marina")

TA_REASON_WEIGHTS = {
    "not-programme": 50,
    "wrong-population": 13,
    "not-cp-involved": 13,
    "no-lived-experience": 6,
    "outside-cp": 6,
    "not-empirical": 7,
    "outside-dates": 3,
    "not-english": 2,
}
FT_REASON_COUNTS = {
    "not-empirical": 24,
    "no-lived-experience": 22,
    "outside-cp": 17,
    "not-cp-involved": 15,
    "not-programme": 14,
    "wrong-population": 9,
    "outside-dates": 5,
    "not-english": 4,
}
assert sum(FT_REASON_COUNTS.values()) == FT_EXCLUDED

INVENTED_NOTE = (
    "Invented record for the review example (scripts/make_example.py); not a real publication."
)
NAMED_NOTE = "Example record: real authors and year of a publication the review included; other details invented."


# ---- included publications -------------------------------------------------------------------


def load_included() -> list[dict]:
    """The 45 included reports of scripts/example_charting.yaml (40 found by the search, 5
    suggested by experts), with the authors and years the paper names."""
    included = _included_from_charting(HERE / "example_charting.yaml")
    if len(included) != FT_INCLUDED + EXPERT_TOTAL:
        raise SystemExit(
            f"scripts/example_charting.yaml: expected 45 reports, found {len(included)}"
        )
    return included


def _authors(value: object) -> list[str]:
    """Authors as "Surname, Given" strings. The charting file writes them as a YAML flow list
    of "Surname, Given; Surname, Given", which YAML splits at the commas: join and re-split."""
    if isinstance(value, str):
        text = value
    else:
        text = ", ".join(str(v) for v in (value or []))
    return [a.strip() for a in text.split(";") if a.strip()]


_CHART_TYPES = {"journal": "article", "report": "report", "phd": "thesis", "nonacademic": "article"}


def _included_from_charting(path: Path) -> list[dict]:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    reports = data.get("reports") if isinstance(data, dict) else None
    if not reports:
        return []
    out = []
    for r in reports:
        chart = r.get("chart") or {}
        ctype = str(chart.get("type") or "journal")
        wtype = _CHART_TYPES.get(ctype, "article")
        if r.get("source") == "expert":
            origin = "expert"
        elif ctype in ("report", "nonacademic"):
            origin = "grey"
        else:
            origin = "database"
        out.append(
            {
                "key": str(r["key"]),
                "authors": _authors(r.get("authors")),
                "year": int(r["year"]),
                "title": str(r.get("title") or ""),
                "type": wtype,
                "journal": str(r.get("journal") or ""),
                "origin": origin,
                "named": not r.get("invented", False),
                "fields": r,
            }
        )
    return out


def _journal_tuple(name: str) -> tuple[str, str, str, str]:
    for j in V.JOURNALS_ELSEVIER + V.JOURNALS_APA + V.JOURNALS_SOCIAL_WORK + V.JOURNALS_OTHER:
        if j[0].lower() == name.lower():
            return j
    words = re.sub(r"[^A-Za-z ]", " ", name).split()
    return (name, name.upper(), name, "".join(w[0] for w in words).lower() or "j")


def _invented_author(rng: random.Random) -> str:
    given = rng.choice(V.GIVEN)
    if rng.random() < 0.35:
        given += " " + rng.choice(V.MIDDLE_INITIALS) + "."
    return f"{rng.choice(V.SURNAMES)}, {given}"


# ---- works ---------------------------------------------------------------------------------
@dataclass
class Work:
    wid: int
    status: str  # included | ft-excluded | ta-excluded
    reason: str  # exclusion reason id ('' when included)
    origin: str  # database | grey | expert
    type: str  # article | thesis | report | webpage | conference | chapter
    title: str
    authors: list[str]  # "Surname, Given M."
    year: int
    journal: tuple[str, str, str, str] | None = None
    volume: str = ""
    issue: str = ""
    sp: str = ""
    ep: str = ""
    doi: str = ""
    abstract: str = ""
    keywords: list[str] = field(default_factory=list)
    language: str = "English"
    publisher: str = ""
    url: str = ""
    named: bool = False
    key: str = ""
    dbs: list[str] = field(default_factory=list)
    manual: str = ""  # manual-duplicate profile ('' = none)
    record_ids: list[str] = field(default_factory=list)  # filled after rendering
    kind_note: str = ""  # "correction" for a published correction notice
    related: tuple[int, str] | None = None  # (work id, kind) this record looks like a copy of


TITLE_STOPWORDS = frozenset("the a an in on at and or of for to with by from as is are".split())


_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def _words(text: str) -> list[str]:
    t = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode("ascii")
    return _NON_ALNUM.sub(" ", t).split()


def compact(text: str) -> str:
    """Lower-case letters and digits only, without stopwords (how dedup tools compare titles)."""
    return "".join(w for w in _words(text) if w not in TITLE_STOPWORDS)


def strip_accents(text: str) -> str:
    t = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in t if not unicodedata.combining(ch))


class TitleFactory:
    """Distinct invented titles: each new title must differ clearly from every earlier one."""

    PATTERNS = (
        "{topic} and {outcome} among {population}: {design}",
        "{topic} and {outcome} in {place}",
        "{topic} for {population}: {design}",
        "The role of {topic_l} in {outcome}: evidence from {place}",
        "Understanding {topic_l} among {population} in {place}",
        "{topic} in {place}: {design}",
        "{does} {topic_l} shape {outcome}? {design_c} of {population}",
        "Examining {topic_l} and {outcome} for {population}",
        "{topic}, {outcome} and {population}: {design}",
        "Predictors of {outcome} in the context of {topic_l}: {design}",
        "How {population} experience {experience}: {design}",
        "{topic} and the {outcome} of {population} in {place}",
    )

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seen: dict[str, list[str]] = {}
        self.seen_set: set[str] = set()
        self.all: list[str] = []

    def ok(self, title: str, group: str = "") -> bool:
        from rapidfuzz import process
        from rapidfuzz.distance import Indel

        c = compact(title)
        if c in self.seen_set or not c:
            return False
        # Distinct works may share how their titles start ("Parenting programmes and ..."), as
        # real ones do: nothing here knows how a dedup tool blocks; only clearly similar titles
        # are refused (below).
        # titles of different classes share little vocabulary: compare within the class, and
        # with the reserved (included and full-text) titles
        for key, cutoff in ((group, 0.72), ("", 0.72), ("*", 0.78)):
            seen = self.seen.get(key) if key != "*" else self.all
            if seen and process.extractOne(
                c, seen, scorer=Indel.normalized_similarity, score_cutoff=cutoff
            ):
                return False
        self.all.append(c)
        self.seen.setdefault(group, []).append(c)
        self.seen_set.add(c)
        return True

    def reserve(self, title: str) -> None:
        c = compact(title)
        self.seen.setdefault("", []).append(c)
        self.seen_set.add(c)
        self.all.append(c)

    def make(self, cls: str, grey: bool = False) -> tuple[str, dict]:
        lists = V.CLASSES[cls]
        patterns = V.GREY_TITLES if grey else self.PATTERNS
        for _attempt in range(600):
            slots = {
                "topic": self.rng.choice(lists["topic"]),
                "outcome": self.rng.choice(lists["outcome"]),
                "design": self.rng.choice(lists["design"]),
                "population": self.rng.choice(V.POPULATIONS),
                "place": self.rng.choice(V.PLACES),
                "experience": self.rng.choice(lists["experience"]),
            }
            slots["topic_l"] = _lower_first(slots["topic"])
            slots["design_c"] = slots["design"][0].upper() + slots["design"][1:]
            slots["does"] = _does(slots["topic"])
            title = self.rng.choice(patterns).format(**slots)
            if self.ok(title, cls):
                return title, slots
        raise RuntimeError(f"could not make a distinct title for {cls}")


def _does(topic: str) -> str:
    """ "Do" for a plural topic ("Neglect reports"), "Does" otherwise."""
    head = re.split(r" (?:for|in|of|among|by|at|with|between|to) ", topic)[0]
    last = head.split()[-1].lower()
    plural = last.endswith("s") and not last.endswith(("ss", "is", "us", "ics"))
    return "Do" if plural else "Does"


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[1].isupper():  # acronyms
        return text
    return text[0].lower() + text[1:]


def make_abstract(rng: random.Random, slots: dict) -> str:
    s = dict(slots)
    s.setdefault("topic_l", _lower_first(s["topic"]))
    s["n"] = rng.choice([12, 18, 24, 31, 45, 62, 87, 120, 214, 356, 512, 1140, 2873, 14962])
    s["unit"] = rng.choice(V.UNITS)
    s["years"] = rng.randint(2, 6)
    parts = [
        rng.choice(V.ABSTRACT_OPENERS),
        rng.choice(V.ABSTRACT_AIMS),
        rng.choice(V.ABSTRACT_METHODS),
        rng.choice(V.ABSTRACT_RESULTS),
        rng.choice(V.ABSTRACT_CLOSERS),
    ]
    text = " ".join(p.format(**s) for p in parts)
    return text[0].upper() + text[1:]


def pick_journal(rng: random.Random, dbs: list[str]) -> tuple[str, str, str, str]:
    if "psycarticles" in dbs:
        return rng.choice(V.JOURNALS_APA)
    if "sd" in dbs:
        return rng.choice(V.JOURNALS_ELSEVIER)
    if "swa" in dbs:
        return rng.choice(V.JOURNALS_SOCIAL_WORK + V.JOURNALS_OTHER[:6])
    return rng.choice(V.JOURNALS_SOCIAL_WORK + V.JOURNALS_OTHER + V.JOURNALS_APA[:4])


def make_doi(
    rng: random.Random, journal: tuple[str, str, str, str], year: int, used: set[str]
) -> str:
    # Crossref's test prefix 10.5555: realistic shape, resolves to nothing real.
    code = journal[3]
    while True:
        doi = f"10.5555/{code}.{year}.{rng.randint(1, 12):02d}.{rng.randint(1, 999):03d}"
        if doi not in used:
            used.add(doi)
            return doi


def fill_bibliographic(rng: random.Random, w: Work, used_dois: set[str]) -> None:
    if w.type == "article":
        if w.journal is None:
            w.journal = pick_journal(rng, w.dbs)
        w.volume = str(max(1, w.year - 1960 + rng.randint(-8, 8)))
        w.issue = str(rng.randint(1, 6))
        sp = rng.randint(1, 1400)
        w.sp, w.ep = str(sp), str(sp + rng.randint(6, 24))
        if w.year >= 2000 or rng.random() < 0.4 or w.manual == "doi-typo":
            w.doi = make_doi(rng, w.journal, w.year, used_dois)
    elif w.type == "thesis":
        w.publisher = rng.choice(
            [
                "University of California, Berkeley",
                "Portland State University",
                "University of Denver",
                "Wilfrid Laurier University",
                "University of Illinois at Urbana-Champaign",
                "Columbia University",
                "University of Kentucky",
                "Rutgers University",
            ]
        )
    elif w.type in ("report", "webpage"):
        if not w.publisher:
            w.publisher = (
                w.authors[0] if w.authors and "," not in w.authors[0] else rng.choice(V.GREY_ORGS)
            )
        w.url = f"https://www.example.org/{compact(w.title)[:40]}"


FT_PATTERNS = (
    "{topic}: {design} in {place}",
    "{topic} for {population}: {design}",
    "{topic} and {outcome} among {population}",
    "{outcome_c} and {topic_l} in {place}: {design}",
    "{topic} in {place}: {outcome} for {population}",
)
FT_OUTCOMES = [
    "engagement",
    "reunification",
    "case outcomes",
    "parent empowerment",
    "service use",
    "parenting confidence",
    "trust in services",
    "family stability",
    "placement prevention",
    "recovery",
    "social support",
    "participation in case planning",
]


METHOD_WORDS = {"qual": "qualitative", "quant": "quantitative", "mixed": "mixed-methods"}
DESIGN_WORDS = {
    "rct": "a randomised controlled trial",
    "comparison": "a comparison-group design",
    "cross": "a cross-sectional survey",
    "long": "a longitudinal design",
    "quasi": "a quasi-experimental design",
    "matched": "a matched-control design",
}


def included_abstract(title: str, chart: dict) -> str:
    """An invented abstract consistent with the report's charting (country, method, sample,
    findings as coded in scripts/example_charting.yaml)."""
    country = str(chart.get("country") or "the United States")
    if country in ("USA", "US", "United States"):
        country = "the United States"
    elif country in ("UK", "United Kingdom"):
        country = "the United Kingdom"
    method = METHOD_WORDS.get(str(chart.get("method") or ""), "empirical")
    parts = [
        f"{title[0].upper()}{title[1:].rstrip('.')}.",
        "Parent peer advocates, parent partners and peer mentors are parents with lived experience "
        "of the child protection system who support parents currently involved with child "
        f"protective services. This {method} study examined such a programme in {country}.",
    ]
    if chart.get("design"):
        parts.append(f"The study used {DESIGN_WORDS.get(str(chart['design']), 'a comparison')}.")
    if chart.get("sample"):
        parts.append(f"Participants: {str(chart['sample']).rstrip('.')}.")
    if chart.get("findings"):
        parts.append(str(chart["findings"]).rstrip(".") + ".")
    parts.append("Implications for child welfare policy and practice are discussed.")
    return " ".join(parts)


# ---- building the set of works -------------------------------------------------------------
def build_works(rng: random.Random) -> list[Work]:
    titles = TitleFactory(random.Random(SEED + 1))
    works: list[Work] = []
    used_dois: set[str] = set()

    def new(**kw) -> Work:
        w = Work(wid=len(works) + 1, **kw)
        works.append(w)
        return w

    # 1. the included publications
    for inc in load_included():
        titles.reserve(inc["title"])
        kind = inc["type"]
        wtype = {"journal": "article", "peer-reviewed": "article", "dissertation": "thesis"}.get(
            kind, kind
        )
        if wtype not in ("article", "thesis", "report", "webpage", "conference", "chapter"):
            wtype = "article"
        origin = inc["origin"] or ("grey" if wtype == "report" else "database")
        w = new(
            status="included",
            reason="",
            origin=origin,
            type=wtype,
            title=inc["title"],
            authors=list(inc["authors"]),
            year=int(inc["year"]),
            named=inc["named"],
            key=inc["key"],
        )
        if inc["journal"]:
            if wtype == "article":
                w.journal = _journal_tuple(inc["journal"])
            else:
                w.publisher = inc["journal"]
        w.abstract = included_abstract(w.title, (inc.get("fields") or {}).get("chart") or {})
        w.keywords = ["parent advocacy", "peer support", "child welfare", "lived experience"]

    # 2. full-text exclusions: relevant-looking on title/abstract
    ft_reasons = [r for r, n in FT_REASON_COUNTS.items() for _ in range(n)]
    rng.shuffle(ft_reasons)
    for reason in ft_reasons:
        for _attempt in range(1000):
            topic = rng.choice(V.FT_EXCLUDED_TOPICS[reason])
            design = rng.choice(V.FT_DESIGNS)
            place = rng.choice(V.PLACES)
            population = rng.choice(V.POPULATIONS)
            outcome = rng.choice(FT_OUTCOMES)
            title = rng.choice(FT_PATTERNS).format(
                topic=topic,
                topic_l=_lower_first(topic),
                design=design,
                place=place,
                population=population,
                outcome=outcome,
                outcome_c=outcome[0].upper() + outcome[1:],
            )
            if titles.ok(title, "ft"):
                break
        else:
            raise RuntimeError(f"no distinct full-text title for {reason}")
        year = rng.randint(2000, 2021)
        if reason == "outside-dates":
            year = rng.choice([1989, 1992, 1994, 1995, 2022])
        origin = "grey" if rng.random() < 0.07 else "database"
        wtype = "report" if origin == "grey" else ("thesis" if rng.random() < 0.06 else "article")
        w = new(
            status="ft-excluded",
            reason=reason,
            origin=origin,
            type=wtype,
            title=title,
            authors=[_invented_author(rng) for _ in range(rng.randint(1, 4))],
            year=year,
        )
        if reason == "not-english":
            w.language = rng.choice(V.NON_ENGLISH)[0]
        slots = {
            "topic": topic,
            "outcome": outcome,
            "population": population,
            "place": place,
            "design": design,
        }
        w.abstract = make_abstract(rng, slots)
        w.keywords = [*rng.sample(V.KEYWORDS, 4), "peer support"]

    # 3. title/abstract exclusions: the bulk of the search
    n_grey_so_far = sum(1 for w in works if w.origin == "grey")
    n_db_so_far = sum(1 for w in works if w.origin == "database")
    n_db_works = DB_TOTAL - AUTO_DUPLICATES - MANUAL_DUPLICATES  # 3,719 distinct database works
    n_grey_more = GREY_TOTAL - n_grey_so_far
    classes = list(TA_REASON_WEIGHTS)
    weights = [TA_REASON_WEIGHTS[c] for c in classes]
    for i in range(n_db_works - n_db_so_far + n_grey_more):
        reason = rng.choices(classes, weights)[0]
        grey = i >= n_db_works - n_db_so_far
        cls = reason if reason in V.CLASSES else "not-programme"
        title, slots = titles.make(cls, grey=grey)
        year = rng.randint(1996, 2021)
        if reason == "outside-dates":
            year = rng.randint(1978, 1995)
        wtype = "article"
        if grey:
            wtype = rng.choice(["report", "webpage", "report"])
        elif rng.random() < 0.04:
            wtype = "thesis"
        w = new(
            status="ta-excluded",
            reason=reason,
            origin="grey" if grey else "database",
            type=wtype,
            title=title,
            authors=[_invented_author(rng) for _ in range(rng.choice([1, 2, 2, 3, 3, 4, 5, 6]))],
            year=year,
        )
        if grey:
            org = rng.choice(V.GREY_ORGS)
            w.authors = [org] if rng.random() < 0.6 else w.authors[:2]
            w.publisher = org
        if reason == "not-english":
            w.language = rng.choice(V.NON_ENGLISH)[0]
        w.abstract = make_abstract(rng, slots)
        w.keywords = rng.sample(V.KEYWORDS, rng.randint(3, 6))
    assert sum(1 for w in works if w.origin == "grey") == GREY_TOTAL, "grey count"
    assert sum(1 for w in works if w.origin == "database") == n_db_works, "database works"
    assert sum(1 for w in works if w.origin == "expert") == EXPERT_TOTAL, "expert count"

    assign_databases(rng, [w for w in works if w.origin == "database"])
    for w in works:
        if w.language != "English" and w.type == "article":
            _lang, full, j9, iso = next(x for x in V.NON_ENGLISH if x[0] == w.language)
            w.journal = (full, j9, iso, compact(full)[:8])
        fill_bibliographic(rng, w, used_dois)
    plant_related(random.Random(SEED + 5), works, used_dois)
    return works


RELATED_KINDS = ("correction",) * 4 + ("conference",) * 3 + ("reply",) * 3
CONFERENCE = (
    "Society for Social Work and Research Annual Conference",
    "SOC SOC WORK RES ANN CONF",
    "Soc. Soc. Work Res. Annu. Conf.",
    "sswr",
)


def plant_related(rng: random.Random, works: list[Work], used_dois: set[str]) -> None:
    """Distinct records that look like duplicates: a correction notice and its article, a
    conference abstract and the later article, the authors' reply to a commentary. Dedup links them
    as related reports (never removed); a person confirms each pair `related` (they are screened as
    separate records)."""
    singles = [
        w
        for w in works
        if w.origin == "database"
        and w.status == "ta-excluded"
        and len(w.dbs) == 1
        and not w.manual
        and w.type == "article"
        and w.doi
        and ": " not in w.title
        and len(compact(w.title)) >= 40
    ]
    rng.shuffle(singles)
    used: set[int] = set()
    for kind in RELATED_KINDS:
        base = next(w for w in singles if w.wid not in used)
        used.add(base.wid)
        if kind == "conference":
            partner = next(w for w in singles if w.wid not in used and w.dbs == ["wos"])
        else:
            partner = next(w for w in singles if w.wid not in used and w.dbs == base.dbs)
        used.add(partner.wid)
        partner.authors = list(base.authors)
        partner.keywords = list(base.keywords)
        partner.related = (base.wid, kind)
        if kind == "correction":
            partner.title = f"Correction to: {base.title}"
            partner.kind_note = "correction"
            partner.reason = "not-empirical"
            partner.journal, partner.year, partner.volume = base.journal, base.year, base.volume
            partner.issue = str(int(base.issue) % 6 + 1)
            partner.sp = partner.ep = str(int(base.ep) + 211)
            partner.abstract = ""
            partner.doi = make_doi(rng, base.journal, base.year, used_dois)  # type: ignore[arg-type]
        elif kind == "conference":
            partner.title = base.title
            partner.type = "conference"
            partner.reason = base.reason
            partner.journal = CONFERENCE
            partner.year = base.year - 1
            partner.volume = partner.issue = partner.sp = partner.ep = partner.doi = ""
            partner.abstract = base.abstract
        else:  # the authors' reply to a commentary on their article
            partner.title = f"Reply to comments on: {base.title}"
            partner.kind_note = "reply"
            partner.reason = "not-empirical"
            partner.journal, partner.volume = base.journal, base.volume
            partner.year = base.year + 1
            partner.issue = str(int(base.issue) % 6 + 1)
            partner.sp = str(int(base.sp) % 700 + 300)
            partner.ep = str(int(partner.sp) + 2)
            partner.abstract = ""
            partner.doi = make_doi(rng, base.journal, partner.year, used_dois)  # type: ignore[arg-type]


def assign_databases(rng: random.Random, db_works: list[Work]) -> None:
    """Choose the databases holding each work so that every database total is exact."""
    remaining = {k: n for k, (_, n) in DATABASES.items()}
    order = list(db_works)
    rng.shuffle(order)
    # theses are only in PsycINFO (Dissertation Abstracts International)
    theses = [w for w in order if w.type == "thesis"]
    others = [w for w in order if w.type != "thesis"]
    # Planted manual duplicates: works with exactly two copies, the second badly corrupted.
    manual_profiles = ["doi-typo"] * 100 + ["online-first"] * 86
    assert len(manual_profiles) == MANUAL_DUPLICATES
    plan: list[tuple[Work, int]] = []
    # planted manual duplicates: invented title/abstract exclusions with titles long enough to
    # be reworded
    manual_works = [
        w
        for w in others
        if w.status == "ta-excluded" and len(w.title.split()) >= 9 and len(compact(w.title)) >= 50
    ][:MANUAL_DUPLICATES]
    for w, prof in zip(manual_works, manual_profiles, strict=True):
        w.manual = prof
        plan.append((w, 2))
    chosen_ids = {w.wid for w in manual_works}
    others = [w for w in others if w.wid not in chosen_ids]
    idx = 0
    for k, n in sorted(COPY_COUNTS.items(), reverse=True):
        for _ in range(n):
            plan.append((others[idx], k))
            idx += 1
    for w in theses:
        w.dbs = ["psycinfo"]
        remaining["psycinfo"] -= 1
    for w in others[idx:]:
        plan.append((w, 1))
    keys = list(DATABASES)
    for w, k in plan:
        chosen: list[str] = []
        for _ in range(k):
            pool = [
                d
                for d in keys
                if d not in chosen
                and remaining[d] > 0
                and not (d == "psycarticles" and "sd" in chosen)
                and not (d == "sd" and "psycarticles" in chosen)
            ]
            if (
                k >= 2
                and "psycarticles" in chosen
                and "psycinfo" not in chosen
                and remaining["psycinfo"] > 0
            ):
                pool = ["psycinfo"]
            d = rng.choices(pool, [remaining[p] for p in pool])[0]
            chosen.append(d)
            remaining[d] -= 1
        # APA journals in PsycARTICLES are in PsycINFO too: list PsycINFO first for realism
        w.dbs = sorted(chosen, key=keys.index)
    assert all(v == 0 for v in remaining.values()), remaining


# ---- rendering ------------------------------------------------------------------------------
@dataclass
class Copy:
    work: Work
    db: str
    variant: str  # "" | a manual profile for the corrupted copy
    quirks: frozenset[str]


def make_copies(rng: random.Random, works: list[Work]) -> dict[str, list[Copy]]:
    per_db: dict[str, list[Copy]] = {k: [] for k in DATABASES}
    for w in works:
        if w.origin != "database":
            continue
        for i, db in enumerate(w.dbs):
            quirks = set()
            if i > 0 and w.doi and rng.random() < 0.12:
                quirks.add("no-doi")
            if rng.random() < 0.08:
                quirks.add("no-abstract")
            if rng.random() < 0.15:
                quirks.add("strip-accents")
            if i > 0 and rng.random() < 0.06:
                quirks.add("subtitle-dropped")
            if db == "wos" and w.year < 1996 and rng.random() < 0.7:
                quirks.add("upper-case")  # older Web of Science records have upper-case titles
            if db == "sd" and "-" in w.title:
                quirks.add("en-dash")  # ScienceDirect typesets hyphens between words as dashes
            if w.language != "English" and db != "wos":
                quirks.add("translated")  # [English title] as the translated-title convention
            # Noise seen between real exports of one article (none of it chosen to suit a dedup
            # tool's keys): an author list cut to three names and "et al.", the journal given
            # only as its ISO 4 abbreviation, italics markup left in a ScienceDirect title.
            if i > 0 and db != "wos" and len(w.authors) >= 4 and rng.random() < 0.06:
                quirks.add("et-al")
            if i > 0 and db in ("psycinfo", "psycarticles", "swa") and rng.random() < 0.10:
                quirks.add("journal-abbrev")
            if db == "sd" and rng.random() < 0.05:
                quirks.add("markup")
            variant = w.manual if (w.manual and i == 1) else ""
            if variant:
                quirks.discard("no-doi")
                quirks.discard("subtitle-dropped")
            per_db[db].append(Copy(w, db, variant, frozenset(quirks)))
    for db, copies in per_db.items():
        random.Random(f"{SEED}-{db}").shuffle(copies)
        assert len(copies) == DATABASES[db][1], (db, len(copies))
    return per_db


def title_for(c: Copy) -> str:
    t = c.work.title
    if "subtitle-dropped" in c.quirks and ": " in t and len(t.split(": ")[0]) >= 35:
        t = t.split(": ")[0]
    if "strip-accents" in c.quirks:
        t = strip_accents(t)
    if c.variant == "online-first":
        # the online-first version carried an earlier title wording
        t = _reword(t)
    if "upper-case" in c.quirks:
        t = t.upper()
    if "en-dash" in c.quirks:
        t = re.sub(r"(?<=\w)-(?=\w)", "\u2013", t)
    if "markup" in c.quirks:
        words = t.split()
        k = max(range(len(words)), key=lambda j: (len(words[j]), -j))
        words[k] = f"<i>{words[k]}</i>"
        t = " ".join(words)
    if "translated" in c.quirks:
        t = f"[{t}]"
    return t


_REWORD = [
    ("programme", "program"),
    ("parents", "caregivers"),
    ("families", "households"),
    ("children", "youth"),
    ("study", "investigation"),
    ("evidence", "findings"),
    ("analysis", "examination"),
    ("experiences", "perspectives"),
    ("Understanding", "Exploring"),
    ("Examining", "Investigating"),
    ("outcomes", "results"),
    ("services", "supports"),
    ("evaluation", "assessment"),
    ("qualitative", "interview"),
    ("role", "place"),
]


def _reword(title: str) -> str:
    """An earlier wording of ``title`` (as an advance online version might carry): similar
    enough to be a likely duplicate, too different to be a certain one. Any word may change,
    the first ones too: nothing here keeps what a dedup tool blocks on."""
    from rapidfuzz.distance import Indel

    rng = random.Random(title)
    target = compact(title)
    words0 = title.split()
    for _ in range(500):
        words = list(words0)
        for _ in range(rng.randint(1, 3)):
            joined = " ".join(words)
            swaps = [(a, b) for a, b in _REWORD if a in joined]
            if rng.random() < 0.6 and swaps:
                a, b = rng.choice(swaps)
                words = joined.replace(a, b, 1).split()
            elif len(words) > 4:
                i = rng.randrange(0, len(words) - 1)
                if words[i].lower() not in TITLE_STOPWORDS and not words[i].endswith(":"):
                    del words[i]
        while words and words[-1].lower().strip(":,") in TITLE_STOPWORDS:
            words.pop()
        cand = " ".join(words).rstrip(":,")
        if cand[:1].islower():
            cand = cand[0].upper() + cand[1:]
        c = compact(cand)
        truncated = target.startswith(c) or target.endswith(c)  # a cut title, not a rewording
        if 0.84 <= Indel.normalized_similarity(c, target) < 0.93 and not truncated:
            return cand
    raise RuntimeError(f"no rewording found for {title!r}")


def authors_for(c: Copy) -> list[str]:
    a = c.work.authors
    if "strip-accents" in c.quirks:
        a = [strip_accents(x) for x in a]
    if "et-al" in c.quirks:
        a = [*a[:3], "et al."]
    return a


def journal_for(c: Copy) -> str:
    """The journal as this database gives it: its full name, or only its ISO 4 abbreviation."""
    w = c.work
    if not w.journal:
        return ""
    return w.journal[2] if "journal-abbrev" in c.quirks else w.journal[0]


def doi_for(c: Copy) -> str:
    w = c.work
    if not w.doi or "no-doi" in c.quirks or c.variant in ("online-first", "pages-wrong"):
        return ""
    if c.variant == "doi-typo":
        # a digit transposed in the database's copy of the DOI: both look valid, they differ
        head, tail = w.doi.rsplit(".", 1)
        return f"{head}.{tail[::-1]}" if tail[::-1] != tail else f"{head}.{int(tail) + 1:03d}"
    return w.doi


def pages_for(c: Copy) -> tuple[str, str]:
    w = c.work
    if c.variant == "online-first":
        return "", ""
    if c.variant == "pages-wrong" and w.sp:
        return str(int(w.sp) + 100), str(int(w.ep) + 100)
    return w.sp, w.ep


def volume_for(c: Copy) -> tuple[str, str]:
    if c.variant == "online-first":
        return "", ""
    return c.work.volume, c.work.issue


def year_for(c: Copy) -> int:
    if c.variant == "online-first":
        return c.work.year - 1
    return c.work.year


def initials(given: str) -> str:
    parts = re.split(r"[\s.\-]+", given)
    return "".join(p[0] for p in parts if p)


def wos_name(author: str) -> tuple[str, str]:
    if "," not in author:
        return author, author
    sur, given = [x.strip() for x in author.split(",", 1)]
    return f"{sur}, {initials(given)}", f"{sur}, {given}"


def _wrap(tag: str, values: list[str]) -> list[str]:
    lines = []
    for i, v in enumerate(values):
        lines.append(f"{tag if i == 0 else '  '} {v}")
    return lines


def _wrap_text(tag: str, text: str, width: int = 70) -> list[str]:
    import textwrap

    # Web of Science wraps long fields at spaces only (never inside a hyphenated word).
    chunks = textwrap.wrap(text, width=width, break_on_hyphens=False, break_long_words=False)
    return _wrap(tag, chunks or [""])


WOS_UNIVERSITIES = [
    "Univ Calif Berkeley, Sch Social Welf, Berkeley, CA 94720 USA",
    "CUNY Hunter Coll, Silberman Sch Social Work, New York, NY 10035 USA",
    "Portland State Univ, Sch Social Work, Portland, OR 97207 USA",
    "Univ Illinois, Sch Social Work, Urbana, IL 61801 USA",
    "Univ Toronto, Factor Inwentash Fac Social Work, Toronto, ON M5S 1V4, Canada",
    "Univ Sussex, Sch Educ & Social Work, Brighton BN1 9RH, E Sussex, England",
    "Univ Sydney, Sch Social & Polit Sci, Sydney, NSW 2006, Australia",
    "Ben Gurion Univ Negev, Spitzer Dept Social Work, Beer Sheva, Israel",
    "Univ Kentucky, Coll Social Work, Lexington, KY 40506 USA",
    "Washington Univ, Brown Sch, St Louis, MO 63130 USA",
    "Univ Minnesota, Sch Social Work, St Paul, MN 55108 USA",
    "Stockholm Univ, Dept Social Work, Stockholm, Sweden",
]
MONTHS = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()


def render_wos(copies: list[Copy], start_ut: int) -> bytes:
    """Web of Science plain text, tags in the order WoS writes them."""
    out = ["\ufeffFN Clarivate Analytics Web of Science", "VR 1.0"]
    for c in copies:
        w = c.work
        h = hash_int(w.title)
        pt = "J" if w.type in ("article", "conference") else "B"
        out.append(f"PT {pt}")
        names = [wos_name(a) for a in authors_for(c)]
        out += _wrap("AU", [s for s, _ in names])
        out += _wrap("AF", [f for _, f in names])
        out += _wrap_text("TI", title_for(c))
        jfull = w.journal[0] if w.journal else (w.publisher or "")
        out.append(f"SO {jfull.upper()}")
        if w.type == "conference":
            out.append("SE ABSTRACTS OF THE ANNUAL CONFERENCE")
        out.append(f"LA {w.language}")
        dt = {"article": "Article", "conference": "Meeting Abstract"}.get(w.type, "Book")
        if w.kind_note == "correction":
            dt = "Correction"
        elif w.kind_note == "reply":
            dt = "Editorial Material"
        out.append(f"DT {dt}")
        if w.keywords:
            out += _wrap_text("DE", "; ".join(w.keywords))
        if w.abstract and "no-abstract" not in c.quirks:
            out += [f"AB {w.abstract}"]  # WoS writes the abstract on one line
        out += _wrap(
            "C1",
            [WOS_UNIVERSITIES[(h + i) % len(WOS_UNIVERSITIES)] + "." for i in range(1 + h % 2)],
        )
        out.append(f"NR {20 + h % 60}")
        out.append(f"TC {h % 37}")
        out.append(f"Z9 {h % 37 + h % 3}")
        out.append(f"U1 {h % 5}")
        out.append(f"U2 {h % 19}")
        if w.journal:
            out.append("PU TAYLOR & FRANCIS INC" if h % 3 == 0 else "PU WILEY")
            hj = hash_int(w.journal[0])
            out.append(f"SN {1000 + hj % 8999}-{1000 + (hj >> 8) % 8999}")
            out.append(f"J9 {w.journal[1]}")
            out.append(f"JI {w.journal[2]}")
        yr = year_for(c)
        vol, iss = volume_for(c)
        if vol:
            out.append(f"PD {MONTHS[h % 12]} {yr}")
        out.append(f"PY {yr}")
        if vol:
            out.append(f"VL {vol}")
        if iss:
            out.append(f"IS {iss}")
        sp, ep = pages_for(c)
        if sp:
            out.append(f"BP {sp}")
            out.append(f"EP {ep}")
        doi = doi_for(c)
        if doi:
            out.append(f"DI {doi}")
        if c.variant == "online-first":
            out.append(f"EA {MONTHS[h % 12]} {yr}")
        if sp:
            out.append(f"PG {int(ep) - int(sp) + 1}")
        out.append("WC Social Work; Family Studies")
        out.append("SC Social Work; Family Studies")
        out.append(f"GA {chr(65 + h % 26)}{chr(65 + (h >> 5) % 26)}{h % 10000:04d}")
        out.append(f"UT WOS:000{(start_ut + hash_int(f'{w.wid}-ut') * 7919) % 10**12:012d}")
        out.append("DA 2022-01-10")
        out.append("ER")
        out.append("")
    out.append("EF")
    return ("\n".join(out) + "\n").encode("utf-8")


def hash_int(text: str) -> int:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16)


EBSCO_DB = {
    "psycinfo": ("psyh", "APA PsycInfo"),
    "psycarticles": ("pdh", "APA PsycArticles"),
    "swa": ("swh", "Social Work Abstracts"),
}


def render_ebsco(copies: list[Copy], db: str) -> bytes:
    code, dbname = EBSCO_DB[db]
    out: list[str] = []
    for c in copies:
        w = c.work
        ty = {"article": "JOUR", "thesis": "THES", "report": "RPRT", "conference": "CONF"}.get(
            w.type, "GEN"
        )
        # accession numbers: unique per record (derived from the work's number)
        an = f"{year_for(c)}-{10000 + (w.wid * 7919) % 89999:05d}-{1 + hash_int(w.title) % 20:03d}"
        if db == "swa":
            an = f"{100000 + (w.wid * 104729) % 800000}"
        out.append(f"TY  - {ty}")
        if db != "swa":
            out.append(f"ID  - {an}")
        for a in authors_for(c):
            out.append(f"AU  - {a}")
        t = title_for(c)
        out.append(f"T1  - {t}" + ("" if t.endswith(("?", ".", "!")) else "."))
        if w.journal:
            out.append(f"JO  - {journal_for(c)}")
            out.append(f"JF  - {journal_for(c)}")
        yr = year_for(c)
        out.append(f"Y1  - {yr}///")
        vol, iss = volume_for(c)
        if vol:
            out.append(f"VL  - {vol}")
        if iss:
            out.append(f"IS  - {iss}")
        sp, ep = pages_for(c)
        if sp:
            out.append(f"SP  - {sp}")
            out.append(f"EP  - {ep}")
        if w.type == "thesis":
            out.append(f"PB  - ProQuest Information & Learning ({w.publisher})")
            out.append("M3  - Dissertation")
        else:
            out.append("M3  - Article" if db == "swa" else "M3  - Journal Article")
        if w.abstract and "no-abstract" not in c.quirks:
            tag = "N2" if db != "swa" else "AB"
            out.append(f"{tag}  - {w.abstract}")
        for kw in w.keywords:
            out.append(f"KW  - {'*' + kw.title() if db != 'swa' else kw.upper()}")
        if w.language != "English":
            out.append(f"LA  - {w.language}")
        note = f"Accession Number: {an}. {INVENTED_NOTE if not w.named else NAMED_NOTE}"
        if c.variant == "online-first":
            note += " Advance online publication."
        out.append(f"N1  - {note}")
        doi = doi_for(c)
        if doi:
            out.append(f"DO  - {doi}")
        out.append(
            f"UR  - https://search.ebscohost.com/login.aspx?direct=true&db={code}&AN={an}&site=ehost-live"
        )
        out.append("DP  - EBSCOhost")
        out.append(f"DB  - {dbname}")
        out.append("ER  - ")
        out.append("")
    return ("\r\n".join(out) + "\r\n").encode("utf-8")


def render_sciencedirect(copies: list[Copy]) -> bytes:
    out: list[str] = []
    for c in copies:
        w = c.work
        out.append("TY  - JOUR")
        out.append(f"T1  - {title_for(c)}")
        if w.journal:
            out.append(f"JO  - {w.journal[0]}")
        vol, iss = volume_for(c)
        if vol:
            out.append(f"VL  - {vol}")
        if iss:
            out.append(f"IS  - {iss}")
        sp, ep = pages_for(c)
        if sp:
            out.append(f"SP  - {sp}")
            out.append(f"EP  - {ep}")
        yr = year_for(c)
        out.append(f"PY  - {yr}")
        out.append(f"DA  - {yr}/{1 + hash_int(w.title) % 12:02d}/01/")
        out.append("T2  - ")
        for a in authors_for(c):
            out.append(f"AU  - {a}")
        out.append(
            f"SN  - {1000 + hash_int(w.journal[0] if w.journal else 'x') % 8999}-{1000 + (hash_int(w.journal[0] if w.journal else 'x') >> 8) % 8999}"
        )
        doi = doi_for(c)
        if doi:
            out.append(f"DO  - https://doi.org/{doi}")
        pii = f"S{hash_int(w.title + 'pii'):010d}{yr % 100:02d}"
        out.append(f"UR  - https://www.sciencedirect.com/science/article/pii/{pii}")
        for kw in w.keywords:
            out.append(f"KW  - {kw.capitalize()}")
        if w.abstract and "no-abstract" not in c.quirks:
            out.append(f"AB  - {w.abstract}")
        # not in real ScienceDirect exports: says the record is invented (RIS allows a note)
        out.append(f"N1  - {NAMED_NOTE if w.named else INVENTED_NOTE}")
        out.append("ER  - ")
        out.append("")
    return ("\n".join(out) + "\n").encode("utf-8")


def render_grey(works: list[Work]) -> bytes:
    """Zotero RIS export of the grey-literature collection."""
    out: list[str] = []
    for w in works:
        ty = {"report": "RPRT", "webpage": "ELEC", "thesis": "THES", "article": "JOUR"}.get(
            w.type, "GEN"
        )
        out.append(f"TY  - {ty}")
        out.append(f"TI  - {w.title}")
        for a in w.authors:
            out.append(f"AU  - {a}")
        out.append(f"DA  - {w.year}")
        out.append(f"PY  - {w.year}")
        if w.journal:
            out.append(f"T2  - {w.journal[0]}")
        if w.publisher:
            out.append(f"PB  - {w.publisher}")
        if w.url:
            out.append(f"UR  - {w.url}")
        if w.abstract:
            out.append(f"AB  - {w.abstract}")
        where = ["Child Welfare Information Gateway", "Google Search", "Google Scholar"][
            hash_int(w.title) % 3
        ]
        out.append(
            f"N1  - Found via {where}, 2022-01-17. " + (NAMED_NOTE if w.named else INVENTED_NOTE)
        )
        out.append("ER  - ")
        out.append("")
    return ("\r\n".join(out) + "\r\n").encode("utf-8")


def render_experts(works: list[Work]) -> bytes:
    buf = io.StringIO()
    wr = csv.writer(buf, lineterminator="\n")
    wr.writerow(
        [
            "ID",
            "Authors",
            "Year",
            "Title",
            "Type",
            "Journal",
            "Volume",
            "Issue",
            "Pages",
            "DOI",
            "Suggested by",
            "Notes",
        ]
    )
    suggesters = [
        "Expert A (parent advocacy researcher)",
        "Expert B (child welfare agency)",
        "Expert C (parent advocate)",
    ]
    for i, w in enumerate(works, start=1):
        pages = f"{w.sp}-{w.ep}" if w.sp else ""
        wr.writerow(
            [
                f"EXP-{i:02d}",
                "; ".join(w.authors),
                w.year,
                w.title,
                w.type,
                w.journal[0] if w.journal else w.publisher,
                w.volume,
                w.issue,
                pages,
                w.doi,
                suggesters[i % 3],
                NAMED_NOTE if w.named else INVENTED_NOTE,
            ]
        )
    return buf.getvalue().encode("utf-8")


# ---- decisions ------------------------------------------------------------------------------
_SHA: dict[int, str] = {}


def rid(data: bytes, position: int) -> str:
    key = id(data)
    if key not in _SHA:
        _SHA[key] = hashlib.sha256(data).hexdigest()[:8]
    return f"{_SHA[key]}-{position}"


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    buf = io.StringIO()
    wr = csv.writer(buf, lineterminator="\n")
    wr.writerow(header)
    wr.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode("utf-8"))


def screening_decisions(rng: random.Random, works: list[Work]) -> dict[str, list[list]]:
    """Title/abstract and full-text decisions of both reviewers, plus consensus resolutions."""
    out: dict[str, list[list]] = {}
    screened = [w for w in works if w.origin in ("database", "grey")]
    assert len(screened) == SCREENED, len(screened)
    ta: dict[str, list[list]] = {r: [] for r in REVIEWERS}
    ta_res: list[list] = []
    reasons = list(TA_REASON_WEIGHTS)
    for w in screened:
        true = "include" if w.status in ("included", "ft-excluded") else "exclude"
        rid_ = w.record_ids[0]
        decided = {}
        for r in REVIEWERS:
            d, reason = true, (w.reason if true == "exclude" else "")
            if true == "include" and w.status == "ft-excluded" and rng.random() < 0.06:
                d, reason = "exclude", w.reason  # the title hinted at the later exclusion
            elif true == "include" and rng.random() < 0.03:
                d, reason = "maybe", ""
            elif true == "exclude" and rng.random() < 0.011:
                d, reason = ("maybe", "") if rng.random() < 0.4 else ("include", "")
            elif d == "exclude" and rng.random() < 0.08:
                reason = rng.choice(reasons)  # a different (also valid) reason
            decided[r] = (d, reason)
        _no_shared_error(decided, true, w)
        for r in REVIEWERS:
            d, reason = decided[r]
            ta[r].append([rid_, d, reason, _note(rng, d, reason)])
        if len({d for d, _ in decided.values()}) > 1:
            final = "include" if true == "include" else "exclude"
            ta_res.append(
                [rid_, final, w.reason if final == "exclude" else "", _rationale(rng, final, w)]
            )
    for r in REVIEWERS:
        out[f"title-abstract-{r}"] = ta[r]
    out["title-abstract-resolutions"] = ta_res

    ft_works = [w for w in works if w.status in ("included", "ft-excluded")]
    assert len(ft_works) == TO_FULLTEXT + EXPERT_TOTAL
    ft: dict[str, list[list]] = {r: [] for r in REVIEWERS}
    ft_res: list[list] = []
    for w in ft_works:
        true = "include" if w.status == "included" else "exclude"
        decided = {}
        for r in REVIEWERS:
            d, reason = true, (w.reason if true == "exclude" else "")
            if rng.random() < 0.05:
                if true == "include":
                    d, reason = (
                        "exclude",
                        rng.choice(["not-cp-involved", "no-lived-experience", "not-programme"]),
                    )
                else:
                    d, reason = "include", ""
            decided[r] = (d, reason)
        _no_shared_error(decided, true, w)
        for r in REVIEWERS:
            d, reason = decided[r]
            ft[r].append([w.record_ids[0], d, reason, _note(rng, d, reason, 0.3)])
        if len({d for d, _ in decided.values()}) > 1:
            ft_res.append(
                [
                    w.record_ids[0],
                    true,
                    w.reason if true == "exclude" else "",
                    _rationale(rng, true, w),
                ]
            )
    for r in REVIEWERS:
        out[f"full-text-{r}"] = ft[r]
    out["full-text-resolutions"] = ft_res
    return out


NOTES = {
    "maybe": [
        "Unclear whether the mentors have lived CP experience; check the full text.",
        "Programme described, but is it delivered to CPS-involved parents?",
        "Abstract too short to judge.",
    ],
    "include": [
        "Parent partners with lived experience; CPS-involved parents.",
        "Peer mentors are former clients who reunified.",
        "Evaluation of a parent advocate programme in child welfare.",
    ],
    "wrong-population": ["Youth mentoring, not parents."],
    "not-cp-involved": ["Parents not involved with CPS."],
    "no-lived-experience": ["Foster parents as mentors."],
    "outside-cp": ["Parent advocacy in schools, not CP."],
    "not-empirical": ["Commentary / conceptual paper.", "Programme description, no data."],
    "not-english": ["Full text not in English."],
    "outside-dates": ["Published outside 1996-2021."],
    "not-programme": ["Not about a peer programme."],
}


def _note(rng: random.Random, decision: str, reason: str, rate: float = 0.04) -> str:
    """Reviewers leave a note now and then (always when unsure)."""
    options = NOTES.get(decision) or NOTES.get(reason) or []
    if options and (decision == "maybe" or rng.random() < rate):
        return rng.choice(options)
    return ""


def _no_shared_error(decided: dict[str, tuple[str, str]], true: str, w: Work) -> None:
    """Two reviewers who agree on a wrong decision would never be resolved (an agreement is
    final), and the published flow would not hold: the second reviewer then gets it right."""
    first, second = REVIEWERS
    if decided[first][0] == decided[second][0] != true:
        decided[second] = (true, w.reason if true == "exclude" else "")


RATIONALES_INCLUDE = [
    "Agreed in the consensus meeting: advocates are parents with lived CP experience; services delivered to CP-involved parents.",
    "Consensus: the programme is delivered by parent partners with lived experience; empirical data on delivery.",
    "Team discussion: the agency is a CP service (what counts as a CP service was the disputed point).",
]
RATIONALES_EXCLUDE = {
    "wrong-population": "Consensus: the programme serves young people or professionals, not parents.",
    "not-cp-involved": "Consensus: the parents are not involved with child protective services.",
    "no-lived-experience": "Consensus meeting: the advocates have no lived CP experience (foster parents / volunteers).",
    "not-programme": "Agreed after reading it again: not about a peer advocacy or support programme.",
    "outside-cp": "Team discussion: the service is outside CP (what counts as a CP service was the disputed point).",
    "not-empirical": "Agreed: no empirical data on the programme (conceptual or descriptive).",
    "not-english": "Agreed: the full text is not in English.",
    "outside-dates": "Agreed: published outside January 1996 - December 2021.",
}


def _rationale(rng: random.Random, final: str, w: Work) -> str:
    if final == "include":
        return rng.choice(RATIONALES_INCLUDE)
    return RATIONALES_EXCLUDE.get(w.reason, "Agreed in the consensus meeting.")


# ---- charting ------------------------------------------------------------------------------
# A second charter disagrees on a few cells (what `review chart compare` lists); the consensus
# workbook is what `review chart consensus` makes from the two chartings (agreeing cells
# pre-filled), with the highlighted cells decided as coded in scripts/example_charting.yaml.
def _marina_differs(field_id: str, value: object) -> object | None:
    """Where the second charter codes a report differently (None: no difference)."""
    if field_id == "country" and value == "Canada":
        return "United States"
    if field_id == "earlier_reviews" and value == "Neither":
        return "Acri et al. 2021 only"
    if field_id == "perspective" and isinstance(value, list) and len(value) >= 2:
        return value[:-1]  # missed the last group of participants
    return None


MARINA_LIMITS = {"country": 1, "earlier_reviews": 2, "perspective": 2}


def write_charting(decisions: Path, works: list[Work]) -> list[Path]:
    """The charting workbooks (anat, marina, consensus) filled through the charting module's own
    template, consensus and fill functions, keyed by the included records' ids."""
    import tempfile

    from openpyxl import load_workbook

    sys.path.insert(0, str(REPO))
    from example_charting import load_example

    from review.chart.consensus import consensus_workbook, plan_consensus
    from review.chart.importer import read_charting
    from review.chart.outputs import stable_xlsx_bytes
    from review.chart.schema import load_schema
    from review.chart.template import build_template, fill_template, save_workbook

    example = load_example(HERE / "example_charting.yaml")
    schema = load_schema(REPO / "extraction_schema.yaml")
    by_key = {w.key: w for w in works if w.status == "included"}
    ids = {key: w.record_ids[0] for key, w in by_key.items()}
    consensus = example.charting(record_ids=ids)
    citations = {w.record_ids[0]: _citation(w) for w in by_key.values()}
    reports = sorted(
        ((rid, citations[rid]) for rid in consensus.reports), key=lambda t: (t[1].casefold(), t[0])
    )

    marina_reports = {rid: dict(v) for rid, v in consensus.reports.items()}
    used = dict.fromkeys(MARINA_LIMITS, 0)
    for rid in sorted(marina_reports, key=lambda r: citations[r]):
        values = marina_reports[rid]
        for fid, limit in MARINA_LIMITS.items():
            other = _marina_differs(fid, values.get(fid))
            if other is not None and used[fid] < limit:
                values[fid] = other
                used[fid] += 1
                break  # at most one difference per report
    out = []
    chartings = {}
    with tempfile.TemporaryDirectory() as tmp:
        for who, values in (("anat", consensus.reports), ("marina", marina_reports)):
            template = Path(tmp) / f"template-{who}.xlsx"
            save_workbook(build_template(schema, reports, reviewer=who), template)
            filled = Path(tmp) / f"filled-{who}.xlsx"
            fill_template(template, values, consensus.units, filled)
            path = decisions / f"charting-{who}.xlsx"
            path.write_bytes(stable_xlsx_bytes(load_workbook(filled)))
            chartings[who] = read_charting(path, schema, set(consensus.reports), reviewer=who)
            out.append(path)
        # The consensus meeting: the form `review chart consensus` makes, highlighted cells
        # decided (the programmes in the form's order: sorted by Programme ID).
        form = Path(tmp) / "consensus-form.xlsx"
        save_workbook(consensus_workbook(schema, plan_consensus(schema, reports, chartings)), form)
        decided = Path(tmp) / "consensus-decided.xlsx"
        fill_template(form, consensus.reports, dict(sorted(consensus.units.items())), decided)
        path = decisions / "charting-consensus.xlsx"
        path.write_bytes(stable_xlsx_bytes(load_workbook(decided)))
        out.append(path)
    return out


def _citation(w: Work) -> str:
    if w.authors:
        surname = w.authors[0].split(",")[0].strip()
        who = surname + (" et al." if len(w.authors) > 2 else "")
        if len(w.authors) == 2:
            who = f"{surname} & {w.authors[1].split(',')[0].strip()}"
    else:
        who = "Anon."
    return f"{who} ({w.year}) {w.title}"


# ---- full texts ----------------------------------------------------------------------------
FULLTEXT_NOTE = (
    "Invented full text for the review example (scripts/make_example.py): not the "
    "publication's text."
)
FT_SENTENCES = {
    "Background": (
        "Parents involved with child protective services often describe the system as "
        "adversarial and hard to navigate.",
        "Parent peer advocacy programmes employ parents with lived experience of the child "
        "protection system to support parents whose children are in out-of-home care.",
        "Parent partners and peer mentors share their own experience of reunification and help "
        "parents understand case plans, court hearings and services.",
        "Little is known about how these programmes are delivered and what parents gain from them.",
        "This report describes one such programme and the evidence collected about it.",
    ),
    "Methods": (
        "Programme documents were reviewed and staff were interviewed about the service model.",
        "Parents receiving peer support were invited to take part; participation was voluntary.",
        "Administrative child welfare records were used to describe case outcomes.",
        "Interviews were transcribed and analysed thematically by two researchers.",
        "Ethical approval was obtained from the university's review board.",
    ),
    "Findings": (
        "Parents valued mentors who had been through the child welfare system themselves.",
        "Peer advocates helped parents attend visits, meetings and court hearings.",
        "Caseworkers reported better engagement of parents supported by a parent partner.",
        "Several parents said that the mentor gave them hope that reunification was possible.",
        "Programme staff described the emotional demands of the peer role and the need for "
        "supervision.",
    ),
    "Discussion": (
        "The findings add to the evidence on parent peer support in child protection.",
        "Lived experience appears central to the trust parents place in their advocates.",
        "Agencies adopting the model need training, fair pay and support for peer staff.",
        "Further research should compare outcomes with parents who receive usual services.",
    ),
}


def fulltext_name(w: Work) -> str:
    """File name that `review fulltext attach` matches: the DOI, else the title."""
    if w.doi:
        return w.doi.replace("/", "_")
    return re.sub(r"[^A-Za-z0-9]+", " ", w.title).strip()[:180]


def fulltext_body(w: Work) -> str:
    rng = random.Random(SEED + 7_000 + w.wid)
    venue = (w.journal[0] if w.journal else "") or w.publisher or "Unpublished report"
    head = [w.title, "; ".join(w.authors) or "Anonymous", f"{venue}, {w.year}"]
    if w.doi:
        head.append(f"doi:{w.doi}")
    lines = [*head, FULLTEXT_NOTE, "", "Abstract", w.abstract or w.title, ""]
    for section, pool in FT_SENTENCES.items():
        lines.append(section)
        for _ in range(3):
            k = rng.randint(3, len(pool))
            lines.append(" ".join(rng.sample(pool, k)))
        lines.append("")
    return "\n".join(lines)


def write_fulltexts(folder: Path, works: list[Work]) -> list[str]:
    """Small real full texts for ``review fulltext attach``/``extract`` in the demo: a PDF
    (matplotlib, standard Times font) for every included report, except the first grey report
    without a DOI, which is an HTML page; and one full-text exclusion as a scan (a PDF with no
    text layer). Byte-deterministic. Returns README lines."""
    sys.path.insert(0, str(REPO))
    from review.io.textpdf import write_text_pdf

    folder.mkdir(parents=True, exist_ok=True)
    included = sorted((w for w in works if w.status == "included"), key=lambda w: w.wid)
    html_work = next(w for w in included if w.origin == "grey" and not w.doi)
    pages = 0
    for w in included:
        body = fulltext_body(w)
        if w is html_work:
            paras = "".join(f"<p>{html_escape(p)}</p>\n" for p in body.split("\n")[1:] if p.strip())
            page = (
                '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
                f"<title>{html_escape(w.title)}</title>\n<style>body{{max-width:40em}}</style>"
                f"</head>\n<body>\n<h1>{html_escape(w.title)}</h1>\n{paras}</body></html>\n"
            )
            (folder / f"{fulltext_name(w)}.html").write_bytes(page.encode("utf-8"))
            continue
        keywords = f"doi:{w.doi}" if w.doi else ""
        pages += write_text_pdf(
            folder / f"{fulltext_name(w)}.pdf", body, title=w.title, keywords=keywords, fonttype=14
        )
    scan = next(
        w for w in sorted(works, key=lambda w: w.wid) if w.status == "ft-excluded" and w.doi
    )
    write_text_pdf(folder / f"{fulltext_name(scan)}.pdf", fulltext_body(scan), scanned=True)
    return [
        "",
        "## Full texts",
        f"`fulltexts/` holds an invented full text for each of the {len(included)} included reports",
        f"({len(included) - 1} PDFs, {pages} pages, and one grey-literature report as an HTML page),",
        "named by DOI or title as downloads often are, plus one excluded report that arrived as a",
        "scan (a PDF without a text layer). `review demo` attaches them with",
        "`review fulltext attach data/fulltexts` and reads them with `review fulltext extract`;",
        "`review status` lists the scan. Their text is made up from the record (title, authors,",
        "abstract) and stock sentences; PDFs are written by matplotlib without dates, so",
        "re-generating gives the same bytes.",
        "",
    ]


def html_escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)


# ---- README --------------------------------------------------------------------------------
def readme_text(per_db, files, works, verdicts, dec) -> str:
    n_files = {
        k: sum(1 for f in files if f.startswith(k + "/")) for k in {f.split("/")[0] for f in files}
    }
    ta_dis = len(dec["title-abstract-resolutions"])
    ft_dis = len(dec["full-text-resolutions"])
    named = sum(1 for w in works if w.status == "included" and w.named)
    lines = [
        "# The worked example's data",
        "",
        "Generated by `scripts/make_example.py` (deterministic: re-running it writes byte-identical",
        "files). **The records are invented**: the review they stand for is real, its numbers are real,",
        "the bibliographic records behind the numbers are not.",
        "",
        'The review: Saar-Heiman, Damman, Lalayants & Gupta (2024), "Parent peer advocacy, mentoring,',
        'and support in child protection: a scoping review of programs and services", *Psychosocial',
        "Intervention* 33(2), 73-88, doi:10.5093/pi2024a5. `review demo` imports these files with the",
        "real commands and reproduces its PRISMA flow (Figure 1) and charting counts.",
        "",
        "## What is real",
        "- The review's question, eligibility criteria, sources and keywords (`protocols/protocol.yaml`),",
        "  its PRISMA numbers (7,219 database records, 75 grey-literature records, 3,314 + 186",
        "  duplicates, 3,794 screened, 150 full texts, 40 + 5 included, 24 programmes) and its charting",
        "  framework and category counts (`extraction_schema.yaml`, `scripts/example_charting.yaml`).",
        f"- The authors and years of the {named} included publications the paper names (e.g. Berrick,",
        "  Cohen et al. 2011; Lalayants 2012a), and the details of the three primary studies in the",
        "  reference full texts (the Contra Costa Parent Partner programme, CWOP peer support groups).",
        "- The export formats: each file is laid out as the database really exports it.",
        "",
        "## What is invented",
        "- Every other record: titles, abstracts, authors, journals' issues and pages, keywords. Titles",
        "  and abstracts of the included publications are paraphrases unless the charting file says",
        "  otherwise. Every DOI uses Crossref's test prefix `10.5555`, so none resolves to a real paper.",
        "  Where the format has a note field (RIS `N1` in the EBSCO, ScienceDirect and Zotero files, the",
        "  expert CSV's Notes) it says the record is invented (Web of Science plain text has none).",
        "- Which databases hold which record, the duplicates and their corruptions, the reviewers",
        "  (`anat`, `marina`: names from the protocol), all their decisions, notes and rationales,",
        "  the search dates, the split of 7,219 records over the five databases.",
        "",
        "## Files",
        "| file | what | records |",
        "|---|---|---|",
        f"| `searches/web-of-science/savedrecs*.txt` | Web of Science Core Collection, plain text (`FN`/`VR`/`PT`…`ER`/`EF`, UTF-8 with BOM), in {n_files['web-of-science']} batches of at most 1,000 as WoS exports them | {len(per_db['wos']):,} |",
        f"| `searches/psycinfo/psycinfo-ebsco.ris` | APA PsycInfo via EBSCOhost, RIS (CRLF, `N2` abstracts, `*` major headings, `Y1 2011///`) | {len(per_db['psycinfo']):,} |",
        f"| `searches/psycarticles/psycarticles-ebsco.ris` | APA PsycArticles via EBSCOhost, RIS | {len(per_db['psycarticles']):,} |",
        f"| `searches/social-work-abstracts/social-work-abstracts-ebsco.ris` | Social Work Abstracts via EBSCOhost, RIS (`AB` abstracts, upper-case subject terms) | {len(per_db['swa']):,} |",
        f"| `searches/sciencedirect/ScienceDirect_citations.ris` | ScienceDirect RIS (LF, `DO` as a https://doi.org/ URL, `DA`, empty `T2`) | {len(per_db['sd']):,} |",
        f"| `searches/grey-literature/grey-literature-zotero.ris` | Child Welfare Information Gateway, Google and Google Scholar finds kept in Zotero, exported as RIS; imported with `--kind website --screen` (screened with the database records) | {GREY_TOTAL} |",
        f"| `searches/experts/expert-suggestions.csv` | publications experts suggested when sent the inclusion list; imported with `--kind expert` (other methods: straight to full text) | {EXPERT_TOTAL} |",
        f"| `decisions/dedup-verdicts.csv` | a person's verdicts on the pairs `review dedup` queues (`record_id_a, record_id_b, verdict, note`), for `review dedup import` | {sum(v[2] == 'same' for v in verdicts)} same, {sum(v[2] == 'related' for v in verdicts)} related |",
        f"| `decisions/title-abstract-{{anat,marina}}.csv` | each reviewer's title/abstract decisions (`record_id, decision, reason, note`), for `review screen import` | {SCREENED:,} each |",
        f"| `decisions/title-abstract-resolutions.csv` | consensus on every title/abstract disagreement (`record_id, decision, reason, rationale`), for `review resolve import` | {ta_dis} |",
        f"| `decisions/full-text-{{anat,marina}}.csv` | each reviewer's full-text decisions | {TO_FULLTEXT + EXPERT_TOTAL} each |",
        f"| `decisions/full-text-resolutions.csv` | consensus on every full-text disagreement | {ft_dis} |",
        "| `decisions/charting-{anat,marina,consensus}.xlsx` | the charting form (`review chart template`) filled by each reviewer, and the consensus form (`review chart consensus`: agreeing cells pre-filled) with the differences decided, for `review chart import` | 45 reports, 24 programmes |",
        "",
        "## How the duplicates were planted",
        f"- {AUTO_DUPLICATES:,} extra copies of records held by two to four databases, differing as real",
        "  exports differ: author initials vs full names, upper-case journal titles and ISO/JCR",
        "  abbreviations, trailing full stops, diacritics dropped, a missing DOI or abstract, a subtitle",
        "  dropped, DOI as a URL, upper-case titles in older Web of Science records, dashes for",
        "  hyphens in ScienceDirect, non-English articles' titles in [brackets] (the translated-title",
        "  convention) outside Web of Science. `review dedup` merges these automatically.",
        f"- {MANUAL_DUPLICATES} pairs a person must confirm: 100 where one database carries a mistyped DOI",
        "  (two valid-looking DOIs that differ: never merged automatically) and 86 where one database",
        "  holds the advance online version (earlier title wording, year one earlier, no volume, pages",
        "  or DOI). `review dedup` queues them; `decisions/dedup-verdicts.csv` confirms each.",
        f"- {len(RELATED_KINDS)} pairs of *different* records that look alike: a correction notice and its",
        "  article, a conference abstract and the later article, the authors' reply to a commentary and",
        "  their article. Dedup must not merge them; it queues them as related reports of one study",
        "  and the verdicts file says `related` (linked, never removed).",
        "",
        "Record ids are `sha256(file)[:8]-position`, so the decision files refer to records by the",
        "ids `review import` gives them. Re-generate with `python scripts/make_example.py`.",
        "",
    ]
    return "\n".join(lines)


# ---- main ----------------------------------------------------------------------------------
def generate(out: Path, truth: Path | None = None) -> dict[str, int]:
    rng = random.Random(SEED)
    works = build_works(rng)
    per_db = make_copies(random.Random(SEED + 2), works)
    searches = out / "searches"
    files: dict[str, bytes] = {}

    # Web of Science, in batches of 1,000 (savedrecs.txt, savedrecs(1).txt, ...)
    wos = per_db["wos"]
    for b in range(0, len(wos), WOS_BATCH):
        name = "savedrecs.txt" if b == 0 else f"savedrecs({b // WOS_BATCH}).txt"
        data = render_wos(wos[b : b + WOS_BATCH], 1_000_000 + hash_int(name) % 9_000_000 * 10 + b)
        files[f"web-of-science/{name}"] = data
        for pos, c in enumerate(wos[b : b + WOS_BATCH], start=1):
            c.work.record_ids.append((c.db, rid(data, pos)))  # type: ignore[arg-type]
    for db, folder, name in (
        ("psycinfo", "psycinfo", "psycinfo-ebsco.ris"),
        ("psycarticles", "psycarticles", "psycarticles-ebsco.ris"),
        ("swa", "social-work-abstracts", "social-work-abstracts-ebsco.ris"),
    ):
        data = render_ebsco(per_db[db], db)
        files[f"{folder}/{name}"] = data
        for pos, c in enumerate(per_db[db], start=1):
            c.work.record_ids.append((c.db, rid(data, pos)))  # type: ignore[arg-type]
    data = render_sciencedirect(per_db["sd"])
    files["sciencedirect/ScienceDirect_citations.ris"] = data
    for pos, c in enumerate(per_db["sd"], start=1):
        c.work.record_ids.append((c.db, rid(data, pos)))  # type: ignore[arg-type]

    grey = [w for w in works if w.origin == "grey"]
    random.Random(SEED + 3).shuffle(grey)
    data = render_grey(grey)
    files["grey-literature/grey-literature-zotero.ris"] = data
    for pos, w in enumerate(grey, start=1):
        w.record_ids.append(("grey", rid(data, pos)))  # type: ignore[arg-type]
    experts = [w for w in works if w.origin == "expert"]
    data = render_experts(experts)
    files["experts/expert-suggestions.csv"] = data
    for pos, w in enumerate(experts, start=1):
        w.record_ids.append(("expert", rid(data, pos)))  # type: ignore[arg-type]

    # record ids in the order of the work's databases (first = where decisions point)
    order = {k: i for i, k in enumerate([*DATABASES, "grey", "expert"])}
    for w in works:
        pairs = sorted(w.record_ids, key=lambda p: order[p[0]])  # type: ignore[index]
        w.record_ids = [r for _, r in pairs]  # type: ignore[misc]

    for rel, data in files.items():
        p = searches / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)

    # dedup verdicts: every planted manual duplicate is confirmed by a person
    decisions = out / "decisions"
    verdicts = []
    for w in works:
        if w.manual:
            a, b = sorted(w.record_ids[:2])
            notes = {
                "doi-typo": "Same article; one database has a mistyped DOI.",
                "online-first": "Same article; advance online version with an earlier title wording.",
                "pages-wrong": "Same article; the page numbers in one database are wrong.",
            }
            verdicts.append([a, b, "same", notes[w.manual]])
    by_id = {w.wid: w for w in works}
    related_notes = {
        "correction": "Related: a correction notice of the article, not a copy of it.",
        "conference": "Related: the conference abstract of the later article, not a copy of it.",
        "reply": "Related: the authors' reply about the article, not a copy of it.",
    }
    for w in works:
        if w.related:
            base_id, kind = w.related
            a, b = sorted((by_id[base_id].record_ids[0], w.record_ids[0]))
            verdicts.append([a, b, "related", related_notes[kind]])
    verdicts.sort()
    write_csv(
        decisions / "dedup-verdicts.csv",
        ["record_id_a", "record_id_b", "verdict", "note"],
        verdicts,
    )

    dec = screening_decisions(random.Random(SEED + 4), works)
    for name, rows in dec.items():
        header = [
            "record_id",
            "decision",
            "reason",
            "rationale" if "resolutions" in name else "note",
        ]
        write_csv(decisions / f"{name}.csv", header, rows)

    write_charting(decisions, works)
    fulltext_readme = write_fulltexts(out / "fulltexts", works)
    (out / "README.md").write_bytes(
        (readme_text(per_db, files, works, verdicts, dec) + "\n".join(fulltext_readme)).encode(
            "utf-8"
        )
    )

    if truth is not None:
        write_csv(
            truth,
            ["record_id", "work", "status", "reason", "origin", "manual", "title"],
            [
                [r, w.wid, w.status, w.reason, w.origin, w.manual, w.title]
                for w in works
                for r in w.record_ids
            ],
        )
    counts = Counter(w.status for w in works)
    return {
        "database_records": sum(len(per_db[d]) for d in DATABASES),
        "grey_records": len(grey),
        "expert_records": len(experts),
        "works": len(works),
        "included": counts["included"],
        "ft_excluded": counts["ft-excluded"],
        "manual_pairs": sum(v[2] == "same" for v in verdicts),
        "related_pairs": sum(v[2] == "related" for v in verdicts),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--out", type=Path, default=REPO / "data", help="output folder (default: ./data)"
    )
    ap.add_argument(
        "--truth", type=Path, help="also write which record belongs to which work (CSV)"
    )
    args = ap.parse_args(argv)
    summary = generate(args.out, args.truth)
    for k, v in summary.items():
        print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
