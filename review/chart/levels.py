"""The levels of an extraction schema: report, and at most one further unit of analysis.

A schema may chart reports only, or reports and the units of one further level that several
reports describe (a study, an intervention, a site…). ``levels:`` names that level and
the words every output uses for it::

    levels:
      - {name: site, singular: site, plural: sites}

``name`` is what fields say in ``level:`` (and the ``<name>_link`` type); ``singular`` and
``plural`` default to the name and its English plural. Without ``levels:``, a level the fields
name is declared with its own name as its word, so older schemas keep working.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

REPORT = "report"
# Sheet names the charting workbook uses itself; a level's plural must not take one of them.
_SHEETS = frozenset({"reports", "codebook", "lists", "meta"})
_LEVEL_KEYS = frozenset({"name", "singular", "plural"})


@dataclass(frozen=True, slots=True)
class Level:
    """A unit of analysis: its name in the schema and its words in every output."""

    name: str
    singular: str
    plural: str

    @property
    def title(self) -> str:
        """The singular with a capital first letter ("Site")."""
        return self.singular[:1].upper() + self.singular[1:]

    @property
    def titles(self) -> str:
        """The plural with a capital first letter ("Sites"): the workbook's sheet name."""
        return self.plural[:1].upper() + self.plural[1:]

    @property
    def id_header(self) -> str:
        """The workbook's ID column of this level ("Site ID")."""
        return f"{self.title} ID"

    def count(self, n: int) -> str:
        """``n`` with the right word: "1 site", "24 sites"."""
        return f"{n:,} {self.singular if n == 1 else self.plural}"


REPORT_LEVEL = Level(REPORT, "report", "reports")


def _as_str(value: Any) -> str:
    return "" if value is None else str(value).strip()


def parse_levels(data: dict[str, Any], problems: list[str]) -> tuple[Level, ...]:
    """``levels:`` (report first, then at most one further level). Without it, the level the
    fields name besides report is declared with its own name as its word (``site``/``sites``),
    so schemas written before ``levels:`` existed keep working."""
    raw = data.get("levels")
    if raw is None:
        named = (str(f.get("level", "")).strip() for f in data["fields"] if isinstance(f, dict))
        others = dict.fromkeys(n for n in named if n and n != REPORT and is_name(n))
        raw = list(others)[:1]
    if not isinstance(raw, list):
        problems.append("levels: must be a list of {name, singular, plural}.")
        return (REPORT_LEVEL,)
    out: list[Level] = []
    for k, item in enumerate(raw, start=1):
        level = _parse_level(k, item, problems)
        if level is None or level.name == REPORT:
            continue
        if any(lv.name == level.name for lv in out):
            problems.append(f"levels[{k}]: level {level.name!r} is declared twice.")
        else:
            out.append(level)
    if len(out) > 1:
        names = ", ".join(lv.name for lv in out)
        problems.append(
            f"levels: {names}: a schema charts reports and at most one further level "
            "(chart the others as report-level fields, or as fields of that one level)."
        )
    return (REPORT_LEVEL, *out[:1])


def default_plural(singular: str) -> str:
    """English plural of a level's word when the schema gives none (study → studies, site →
    sites, box → boxes); say ``plural:`` for any other."""
    low = singular.lower()
    if low.endswith("y") and low[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        return singular[:-1] + "ies"
    if low.endswith(("s", "x", "z", "ch", "sh")):
        return singular + "es"
    return singular + "s"


def is_name(name: str) -> bool:
    return name.replace("_", "").isalnum() and name[0].isalpha() and name == name.lower()


def _parse_level(k: int, item: Any, problems: list[str]) -> Level | None:
    """One entry of ``levels:``: a name, or {name, singular, plural}."""
    where = f"levels[{k}]"
    if isinstance(item, str):
        item = {"name": item}
    if not isinstance(item, dict):
        problems.append(f"{where}: must be a name or {{name, singular, plural}}.")
        return None
    unknown = sorted(map(str, set(item) - _LEVEL_KEYS))
    if unknown:
        problems.append(
            f"{where}: unknown key(s) {', '.join(unknown)}; allowed: name, singular, plural."
        )
    name = _as_str(item.get("name"))
    if not name or not is_name(name):
        problems.append(f"{where}: name must be lower-case letters, digits and _ (e.g. site).")
        return None
    singular = _as_str(item.get("singular")) or name.replace("_", " ")
    plural = _as_str(item.get("plural")) or default_plural(singular)
    if name == REPORT:
        if (singular, plural) != (REPORT_LEVEL.singular, REPORT_LEVEL.plural):
            problems.append(f"{where}: the report level's words are PRISMA's (report, reports).")
        return REPORT_LEVEL
    level = Level(name, singular, plural)
    bad = set("[]:*?/\\") & set(plural)
    if bad or len(level.titles) > 31 or plural.casefold() in _SHEETS:
        problems.append(
            f"{where}: plural {plural!r} names the workbook's sheet: at most 31 characters, "
            "none of [ ] : * ? / \\, and not Reports, Codebook, Lists or Meta."
        )
    return level
