"""The extraction schema (``extraction_schema.yaml``) as typed, validated objects.

A schema is a list of fields, each charted once per included report (``level: report``) or
once per unit of the one further level the schema declares (``levels:``, any name: study,
intervention, site…; several reports may describe one unit, a report-level ``link`` field says
which). The level's words (singular, plural) are the schema's: every output speaks them.
:func:`load_schema` reads and validates the file; every problem is reported at once, naming the
field, so the user can fix the file in one go.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

from review.chart.levels import REPORT, REPORT_LEVEL, Level, parse_levels
from review.chart.summary_spec import SummarySpec, parse_summary
from review.errors import InputError, ValidationError
from review.io.yamlfile import load_yaml
from review.nextstep import Action, step

FIELD_TYPES = (
    "text",
    "long_text",
    "integer",
    "number",
    "date",
    "single_choice",
    "multiple_choice",
    "yes_no",
    "country",
    "link",
)
CHOICE_TYPES = frozenset({"single_choice", "multiple_choice"})
CATEGORICAL_TYPES = frozenset({"single_choice", "multiple_choice", "yes_no", "country"})
YES_NO = ("Yes", "No")
_FIELD_KEYS = frozenset(
    {
        "id",
        "label",
        "level",
        "type",
        "values",
        "required",
        "required_when",
        "group",
        "help",
        "max_links",
    }
)
# Column names the workbook uses for its own columns; a field label must not clash with them
# (nor with the ID column of the schema's further level, "<Singular> ID").
RESERVED_LABELS = frozenset({"record id", "citation"})


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    definition: str = ""


@dataclass(frozen=True, slots=True)
class Condition:
    """``required_when``: the field is required when ``field`` holds one of ``values``."""

    field: str
    values: tuple[str, ...]

    def holds(self, row: dict[str, Any]) -> bool:
        got = row.get(self.field)
        if got is None:
            return False
        if isinstance(got, list):
            return any(v in self.values for v in got)
        return got in self.values


@dataclass(frozen=True, slots=True)
class Field:
    id: str
    label: str
    level: str
    type: str
    help: str = ""
    required: bool = False
    required_when: Condition | None = None
    group: str = ""
    values: tuple[Choice, ...] = ()
    max_links: int = 1

    @property
    def categorical(self) -> bool:
        return self.type in CATEGORICAL_TYPES

    @property
    def multi(self) -> bool:
        return self.type == "multiple_choice"

    @property
    def choices(self) -> tuple[str, ...]:
        """Allowed values in schema order (countries: the built-in list)."""
        if self.type in CHOICE_TYPES:
            return tuple(c.value for c in self.values)
        if self.type == "yes_no":
            return YES_NO
        if self.type == "country":
            from review.chart.countries import COUNTRIES

            return COUNTRIES
        return ()

    def definition(self, value: str) -> str:
        for c in self.values:
            if c.value == value:
                return c.definition
        return ""

    def is_required(self, row: dict[str, Any]) -> bool:
        """Whether a value is required, given the other values of the same row."""
        if self.required:
            return True
        return self.required_when is not None and self.required_when.holds(row)


@dataclass(frozen=True, slots=True)
class Schema:
    fields: tuple[Field, ...]
    title: str = ""
    version: int = 1
    summary: SummarySpec = dc_field(default_factory=SummarySpec)
    source: str = "extraction_schema.yaml"
    sha256: str = ""
    levels: tuple[Level, ...] = (REPORT_LEVEL,)  # report first, then the declared level

    def field(self, field_id: str) -> Field:
        for f in self.fields:
            if f.id == field_id:
                return f
        raise KeyError(field_id)

    def has(self, field_id: str) -> bool:
        return any(f.id == field_id for f in self.fields)

    def at(self, level: str) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.level == level)

    @property
    def unit(self) -> Level | None:
        """The level beside report (None: the schema charts reports only)."""
        return next((lv for lv in self.levels if lv.name != REPORT), None)

    def level(self, name: str) -> Level:
        for lv in self.levels:
            if lv.name == name:
                return lv
        raise KeyError(name)

    @property
    def report_fields(self) -> tuple[Field, ...]:
        return self.at(REPORT)

    @property
    def unit_fields(self) -> tuple[Field, ...]:
        return self.at(self.unit.name) if self.unit else ()

    @property
    def link_field(self) -> Field | None:
        for f in self.fields:
            if f.type == "link":
                return f
        return None


def load_schema(path: Path) -> Schema:
    """Read and validate an extraction schema file; raise InputError/ValidationError if bad."""
    path = Path(path)
    if not path.is_file():
        raise InputError(
            (
                "no extraction schema here. Copy one from the worked example (",
                step(Action.DEMO),
                ") or write one (see docs/charting.md).",
            ),
            file=str(path),
        )
    raw = path.read_bytes()
    data = load_yaml(raw, path)  # UTF-8, aliases, depth and duplicate keys checked (InputError)
    schema = parse_schema(data, source=path.name)
    return Schema(
        fields=schema.fields,
        title=schema.title,
        version=schema.version,
        summary=schema.summary,
        source=path.name,
        sha256=hashlib.sha256(raw).hexdigest(),
        levels=schema.levels,
    )


def _as_str(value: Any) -> str:
    return "" if value is None else str(value).strip()


def parse_schema(data: Any, source: str = "extraction_schema.yaml") -> Schema:
    """Validate the parsed YAML of a schema; every problem names the field it is about."""
    problems: list[str] = []
    if not isinstance(data, dict) or not isinstance(data.get("fields"), list):
        raise ValidationError(
            f"{source}: not an extraction schema; it needs a top-level `fields:` list.", []
        )
    levels = parse_levels(data, problems)
    fields_out: list[Field] = []
    seen_ids: set[str] = set()
    seen_labels: dict[tuple[str, str], str] = {}
    for i, item in enumerate(data["fields"], start=1):
        if not isinstance(item, dict):
            problems.append(
                f"fields[{i}]: each field must be a mapping with id, label, level, type."
            )
            continue
        fields_out.append(_parse_field(i, item, levels, seen_ids, seen_labels, problems))
    by_id = {f.id: f for f in fields_out if f.id}
    _check_across_fields(fields_out, by_id, levels, problems)
    summary = parse_summary(data.get("summary"), by_id, levels, problems)
    if problems:
        raise ValidationError(
            f"{source}: the extraction schema has {len(problems)} problem(s); fix them and retry:",
            problems,
        )
    version = data.get("version", 1)
    return Schema(
        fields=tuple(fields_out),
        title=_as_str(data.get("title")),
        version=version if isinstance(version, int) else 1,
        summary=summary,
        source=source,
        levels=levels,
    )


def _parse_field(
    i: int,
    item: dict[str, Any],
    levels: tuple[Level, ...],
    seen_ids: set[str],
    seen_labels: dict[tuple[str, str], str],
    problems: list[str],
) -> Field:
    """One entry of ``fields:``; its problems are appended to ``problems``."""
    fid = _as_str(item.get("id"))
    where = f"field {fid!r}" if fid else f"fields[{i}]"
    unknown = sorted(set(item) - _FIELD_KEYS)
    if unknown:
        problems.append(
            f"{where}: unknown key(s) {', '.join(map(str, unknown))}; "
            f"allowed: {', '.join(sorted(_FIELD_KEYS))}."
        )
    if not fid:
        problems.append(f"{where}: missing id.")
    elif not fid.replace("_", "").isalnum() or not fid[0].isalpha() or fid != fid.lower():
        problems.append(f"{where}: id must be lower-case letters, digits and _ (e.g. study_aims).")
    elif fid in seen_ids:
        problems.append(f"{where}: duplicate id.")
    seen_ids.add(fid)
    label = _as_str(item.get("label"))
    level = _as_str(item.get("level")) or REPORT  # no `level:`: charted once per report
    ftype = _link_type(_as_str(item.get("type")), levels)
    _check_label(where, fid, label, level, seen_labels, problems)
    names = [lv.name for lv in levels]
    if level not in names:
        problems.append(
            f"{where}: level {level!r} is not one of: {', '.join(names)} "
            "(declare a further level under `levels:`)."
        )
    if ftype not in FIELD_TYPES:
        from rapidfuzz import process

        hint = process.extractOne(ftype, FIELD_TYPES, score_cutoff=60)
        tip = f" (did you mean {hint[0]!r}?)" if hint else ""
        problems.append(f"{where}: type {ftype!r} is not one of: {', '.join(FIELD_TYPES)}{tip}.")
    choices = _parse_choices(where, ftype, item.get("values"), problems)
    required = item.get("required", False)
    if not isinstance(required, bool):
        problems.append(f"{where}: required must be true or false.")
        required = False
    max_links = _parse_max_links(where, item, ftype, level, problems)
    return Field(
        id=fid,
        label=label,
        level=level,
        type=ftype,
        help=_as_str(item.get("help")),
        required=bool(required),
        required_when=_parse_condition(where, item.get("required_when"), problems),
        group=_as_str(item.get("group")),
        values=tuple(choices),
        max_links=int(max_links) if isinstance(max_links, int) else 1,
    )


def _link_type(ftype: str, levels: tuple[Level, ...]) -> str:
    """``<level>_link`` (e.g. ``site_link``) is the ``link`` type of that declared level."""
    if any(ftype == f"{lv.name}_link" for lv in levels if lv.name != REPORT):
        return "link"
    return ftype


def _check_label(
    where: str,
    fid: str,
    label: str,
    level: str,
    seen_labels: dict[tuple[str, str], str],
    problems: list[str],
) -> None:
    if not label:
        problems.append(f"{where}: missing label.")
    elif label.casefold() in RESERVED_LABELS:
        problems.append(f"{where}: label {label!r} is reserved for the workbook's own column.")
    elif ":" in label:
        problems.append(f"{where}: label must not contain ':' (it separates field and option).")
    elif (level, label.casefold()) in seen_labels:
        problems.append(
            f"{where}: label {label!r} is also used by field {seen_labels[(level, label.casefold())]!r}."
        )
    seen_labels[(level, label.casefold())] = fid


def _parse_choices(where: str, ftype: str, raw_values: Any, problems: list[str]) -> list[Choice]:
    """The allowed values of a choice field (text, or {value, definition}), each once."""
    choices: list[Choice] = []
    if ftype not in CHOICE_TYPES:
        if raw_values:
            problems.append(
                f"{where}: `values` only applies to single_choice/multiple_choice fields."
            )
        return choices
    if not isinstance(raw_values, list) or not raw_values:
        problems.append(f"{where}: a {ftype} field needs a non-empty `values` list.")
        return choices
    seen_vals: set[str] = set()
    for j, v in enumerate(raw_values, start=1):
        if isinstance(v, dict):
            val, definition = _as_str(v.get("value")), _as_str(v.get("definition"))
        else:
            val, definition = _as_str(v), ""
        if not val:
            problems.append(f"{where}: values[{j}] is empty.")
        elif val.casefold() in seen_vals:
            problems.append(f"{where}: value {val!r} is listed twice.")
        elif len(val) > 250:
            problems.append(f"{where}: value {val[:30]!r}… is longer than 250 characters.")
        else:
            seen_vals.add(val.casefold())
            choices.append(Choice(val, definition))
    return choices


def _parse_max_links(
    where: str, item: dict[str, Any], ftype: str, level: str, problems: list[str]
) -> Any:
    max_links = item.get("max_links", 1)
    if ftype == "link":
        if level != REPORT:
            problems.append(f"{where}: a link field must be at level report.")
        if (
            not isinstance(max_links, int)
            or isinstance(max_links, bool)
            or not 1 <= max_links <= 10
        ):
            problems.append(f"{where}: max_links must be a whole number from 1 to 10.")
            max_links = 1
    elif "max_links" in item:
        problems.append(f"{where}: max_links only applies to link fields.")
        max_links = 1
    return max_links


def _parse_condition(where: str, rw: Any, problems: list[str]) -> Condition | None:
    if rw is None:
        return None
    if (
        not isinstance(rw, dict)
        or not _as_str(rw.get("field"))
        or not isinstance(rw.get("values"), list)
    ):
        problems.append(f"{where}: required_when must be {{field: ID, values: [...]}}.")
        return None
    return Condition(_as_str(rw["field"]), tuple(_as_str(v) for v in rw["values"]))


def _check_across_fields(
    fields_out: list[Field],
    by_id: dict[str, Field],
    levels: tuple[Level, ...],
    problems: list[str],
) -> None:
    """required_when targets exist at the same level with allowed values; one link field, and
    one whenever the further level has fields; labels clear of its ID column."""
    for f in fields_out:
        if f.required_when is None:
            continue
        other = by_id.get(f.required_when.field)
        where = f"field {f.id!r}"
        if other is None:
            problems.append(
                f"{where}: required_when refers to unknown field {f.required_when.field!r}."
            )
        elif other.level != f.level:
            problems.append(f"{where}: required_when must refer to a field at the same level.")
        elif other.categorical:
            bad = [v for v in f.required_when.values if v not in other.choices]
            if bad:
                problems.append(
                    f"{where}: required_when value(s) {', '.join(map(repr, bad))} are not "
                    f"allowed values of {other.id!r}."
                )
    links = [f for f in fields_out if f.type == "link"]
    unit = next((lv for lv in levels if lv.name != REPORT), None)
    if len(links) > 1:
        problems.append("only one link field is allowed.")
    if unit is None:
        if links:
            problems.append(
                f"field {links[0].id!r}: a link field links reports to the units of a further "
                "level; declare one under `levels:`."
            )
        return
    if any(f.level == unit.name for f in fields_out) and not links:
        problems.append(
            f"{unit.name}-level fields need a report-level link field (type: link) that links "
            f"reports to {unit.plural}."
        )
    for f in fields_out:
        if f.label.casefold() == unit.id_header.casefold():
            problems.append(f"field {f.id!r}: label {f.label!r} is the workbook's own ID column.")
