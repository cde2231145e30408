"""The review protocol (``protocols/protocol.yaml``): stages, exclusion reasons, sources, keywords.

Loaded into frozen dataclasses and validated with messages that name the file and the key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from review.errors import InputError, ProjectError
from review.io.files import atomic_write_text, safe_name
from review.io.yamlfile import decode_yaml, edit_section, load_yaml
from review.model import STAGES, Kind, ResolutionMethod, ReviewType, Stage, vocab
from review.nextstep import Action, step
from review.protocol_schema import check


@dataclass(frozen=True, slots=True)
class ExclusionReason:
    id: str  # short machine id used in logs, e.g. "wrong-population"
    label: str  # what reviewers see


@dataclass(frozen=True, slots=True)
class StageConfig:
    name: str
    reviewers_per_record: int = 2
    exclusion_reasons: tuple[ExclusionReason, ...] = ()
    # title-abstract only: does an agreed/resolved "maybe" go on to full text?
    maybe_to_fulltext: bool = True
    # who screens this stage (empty: the protocol's team, ``reviewers``)
    reviewers: tuple[str, ...] = ()
    # is include vs maybe a conflict? False only where both go on (title-abstract with
    # maybe_to_fulltext), which is the default there (docs/screening.md, "Include vs maybe")
    maybe_conflicts: bool = True
    # a locked stage refuses every change unless `reopen` reopened the record
    locked: bool = False
    # "all": every reviewer screens every record; "split": each record goes to
    # reviewers_per_record of the stage's reviewers (review.screen.assign, docs/team.md)
    assignment: str = "all"
    assignment_seed: int = 0

    def reason(self, key: str) -> ExclusionReason | None:
        """Find a reason by id, by label (case-insensitive) or by 1-based number."""
        k = key.strip()
        if k.isdigit() and 1 <= int(k) <= len(self.exclusion_reasons):
            return self.exclusion_reasons[int(k) - 1]
        low = k.lower()
        for r in self.exclusion_reasons:
            if r.id.lower() == low or r.label.lower() == low:
                return r
        return None


@dataclass(frozen=True, slots=True)
class SourceSpec:
    name: str
    kind: Kind = Kind.DATABASE
    platform: str = ""
    searched: str = ""  # date of the search, ISO (YYYY-MM-DD) or free text
    notes: str = ""
    # The search strategy (PRISMA-S): the full query text (from ``query:``, or read from the file
    # ``query_file:`` names, kept in ``query_file``), limits and filters, and the number of
    # results the database reported (None: not recorded).
    query: str = ""
    query_file: str = ""
    limits: tuple[str, ...] = ()
    results: int | None = None


# The ``dedup:`` section of protocol.yaml: the project's dedup settings (docs/dedup.md, "Options").
# Every key is optional; a missing key takes the default. ``dedup --auto-threshold …`` writes
# the value it was given here, so a later plain ``dedup`` (or deleting outputs/) keeps it.
# key -> (type, lowest, highest, default, meaning)
DEDUP_KEYS: dict[str, tuple[type, float, float, float, str]] = {
    "auto_threshold": (float, 0.5, 1.0, 0.95, "title similarity to merge automatically"),
    "maybe_threshold": (float, 0.5, 1.0, 0.80, "title similarity to queue a pair for a person"),
    "author_threshold": (float, 0.0, 1.0, 0.80, "author similarity to merge automatically"),
    "max_block": (int, 2, 100000, 60, "a blocking key shared by more records pairs neighbours"),
    "window": (int, 1, 1000, 8, "neighbours (in title order) paired inside an oversized block"),
}


def parse_dedup_settings(value: Any, path: Path) -> dict[str, float | int]:
    """The ``dedup:`` mapping, validated: unknown keys, wrong types and out-of-range values are
    errors naming the key; the maybe threshold may not exceed the automatic one."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ProjectError(
            f"{path}: 'dedup' must be a mapping of settings ({', '.join(DEDUP_KEYS)})."
        )
    out: dict[str, float | int] = {}
    for key, v in value.items():
        spec = DEDUP_KEYS.get(str(key))
        if spec is None:
            raise ProjectError(f"{path}: unknown setting dedup.{key}; use {', '.join(DEDUP_KEYS)}.")
        kind, low, high, _default, meaning = spec
        ok_type = isinstance(v, int | float) and not isinstance(v, bool)
        if kind is int and ok_type and float(v) != int(v):
            ok_type = False
        if not ok_type or not low <= v <= high:
            what = "a whole number" if kind is int else "a number"
            raise ProjectError(
                f"{path}: dedup.{key} ({meaning}) must be {what} from {low:g} to {high:g}, "
                f"not {v!r}."
            )
        out[str(key)] = kind(v)
    auto = out.get("auto_threshold", DEDUP_KEYS["auto_threshold"][3])
    if out.get("maybe_threshold", DEDUP_KEYS["maybe_threshold"][3]) > auto:
        raise ProjectError(f"{path}: dedup.maybe_threshold must not be above auto_threshold.")
    return out


@dataclass(frozen=True, slots=True)
class Protocol:
    title: str
    review_type: ReviewType = ReviewType.SCOPING
    project_id: str = ""
    questions: tuple[str, ...] = ()
    include_criteria: tuple[str, ...] = ()
    exclude_criteria: tuple[str, ...] = ()
    sources: tuple[SourceSpec, ...] = ()
    stages: dict[Stage, StageConfig] = field(default_factory=dict)
    keywords_include: tuple[str, ...] = ()
    keywords_exclude: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()  # the team (roster); empty: anyone may record decisions
    resolvers: tuple[str, ...] = ()  # extra names allowed to resolve disagreements
    resolution: ResolutionMethod = ResolutionMethod.CONSENSUS
    dedup: dict[str, float | int] = field(default_factory=dict)  # the `dedup:` settings given
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def stage(self, name: Stage) -> StageConfig:
        if name not in self.stages:
            raise ProjectError(f"Unknown stage {name!r}. Stages are: {', '.join(STAGES)}.")
        return self.stages[name]

    def source(self, name: str) -> SourceSpec | None:
        for s in self.sources:
            if s.name.lower() == name.lower():
                return s
        return None


def _strs(value: Any, where: str, path: Path) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise ProjectError(f"{path}: {where} must be a list of text items.")
    return tuple(str(v) for v in value)


def _names(value: Any, where: str, path: Path) -> tuple[str, ...]:
    """A list of people's exact names (NFC, stripped), each listed once."""
    import unicodedata

    out: list[str] = []
    for v in _strs(value, where, path):
        name = unicodedata.normalize("NFC", v).strip()
        if name and name not in out:
            out.append(name)
    return tuple(out)


def project_root_of(path: Path) -> Path:
    """The project folder of a protocol file (``<root>/protocols/protocol.yaml``)."""
    path = Path(path)
    return path.parent.parent if path.parent.name == "protocols" else path.parent


def parse_protocol(data: Any, path: Path) -> Protocol:
    if not isinstance(data, dict):
        raise ProjectError(f"{path}: expected a YAML mapping at the top level.")
    title = str(data.get("title") or "Untitled review")
    review_type = vocab(ReviewType, data.get("review_type") or "scoping")
    if review_type is None:
        raise ProjectError(f"{path}: 'review_type' must be 'scoping' or 'systematic'.")
    elig = data.get("eligibility") or {}
    if not isinstance(elig, dict):
        raise ProjectError(f"{path}: 'eligibility' must be a mapping with 'include' and 'exclude'.")

    sources = _parse_sources(data, path)
    stages = _parse_stages(data, path)

    kw = data.get("keywords") or {}
    if not isinstance(kw, dict):
        raise ProjectError(
            f"{path}: 'keywords' must be a mapping with 'include' and 'exclude' lists."
        )
    resolution = vocab(ResolutionMethod, data.get("resolution") or "consensus")
    if resolution is None:
        raise ProjectError(f"{path}: 'resolution' must be 'consensus' or 'third-reviewer'.")
    return Protocol(
        title=title,
        review_type=review_type,
        project_id=str(data.get("project_id") or ""),
        questions=_strs(data.get("questions"), "questions", path),
        include_criteria=_strs(elig.get("include"), "eligibility.include", path),
        exclude_criteria=_strs(elig.get("exclude"), "eligibility.exclude", path),
        sources=tuple(sources),
        stages=stages,
        keywords_include=_strs(kw.get("include"), "keywords.include", path),
        keywords_exclude=_strs(kw.get("exclude"), "keywords.exclude", path),
        reviewers=_names(data.get("reviewers"), "reviewers", path),
        resolvers=_names(data.get("resolvers"), "resolvers", path),
        resolution=resolution,
        dedup=parse_dedup_settings(data.get("dedup"), path),
        raw=data,
    )


def _parse_sources(data: dict[str, Any], path: Path) -> list[SourceSpec]:
    """The protocol's ``sources``: name, kind, platform, date searched, notes, search strategy."""
    sources = []
    for i, s in enumerate(data.get("sources") or [], start=1):
        if not isinstance(s, dict) or not s.get("name"):
            raise ProjectError(f"{path}: sources[{i}] needs at least a 'name'.")
        given = str(s.get("kind", "database"))
        kind = vocab(Kind, given)
        if kind is None:
            raise ProjectError(
                f"{path}: sources[{i}] ({s['name']}) has kind {given!r}; use one of {', '.join(Kind)}."
            )
        sources.append(
            SourceSpec(
                name=str(s["name"]),
                kind=kind,
                platform=str(s.get("platform") or ""),
                searched=str(s.get("searched") or ""),
                notes=str(s.get("notes") or ""),
                **_search_strategy(s, f"sources[{i}] ({s['name']})", path),
            )
        )
    return sources


MAX_QUERY_BYTES = 1_000_000  # a search strategy is text; a bigger file is a wrong path


def read_query_file(path: Path) -> str:
    """The text of a search-strategy file (UTF-8, at most :data:`MAX_QUERY_BYTES`); raises
    OSError or UnicodeDecodeError for the caller to word (protocol key or import flag)."""
    if path.stat().st_size > MAX_QUERY_BYTES:
        raise OSError(f"larger than {MAX_QUERY_BYTES // 1_000_000} MB: not a query")
    return path.read_text(encoding="utf-8-sig")


def _search_strategy(s: dict[str, Any], where: str, path: Path) -> dict[str, Any]:
    """A source's ``query`` (or the text of ``query_file``), ``limits`` and ``results``."""
    query = s.get("query")
    query_file = s.get("query_file")
    if query not in (None, "") and query_file not in (None, ""):
        raise ProjectError(
            f"{path}: {where} has both 'query' and 'query_file'; keep one (the full query text, "
            "or the file that holds it)."
        )
    text = "" if query is None else str(query)
    if query_file not in (None, ""):
        target = project_root_of(path) / str(query_file)
        try:
            text = read_query_file(target)
        except (OSError, UnicodeDecodeError) as exc:
            raise ProjectError(
                f"{path}: {where} query_file {query_file!r} cannot be read ({exc}); save the "
                "search strategy there as UTF-8 text (a path relative to the project folder) or "
                "give it under 'query:'."
            ) from None
    results = s.get("results")
    if results is not None and (
        isinstance(results, bool) or not isinstance(results, int) or results < 0
    ):
        raise ProjectError(f"{path}: {where} results must be a whole number (0 or more).")
    return {
        "query": text.strip(),
        "query_file": "" if query_file is None else str(query_file),
        "limits": _strs(s.get("limits"), f"{where} limits", path),
        "results": results,
    }


def _parse_stages(data: dict[str, Any], path: Path) -> dict[Stage, StageConfig]:
    """``stages``: reviewers per record, exclusion reasons, maybe_to_fulltext, per stage."""
    stages: dict[Stage, StageConfig] = {}
    raw_stages = data.get("stages") or {}
    if not isinstance(raw_stages, dict):
        raise ProjectError(
            f"{path}: 'stages' must map stage names ({', '.join(STAGES)}) to settings."
        )
    for name in raw_stages:
        if name not in STAGES:
            raise ProjectError(
                f"{path}: unknown stage {name!r} under 'stages'; use {', '.join(STAGES)}."
            )
    for name in STAGES:
        cfg = raw_stages.get(name) or {}
        if not isinstance(cfg, dict):
            raise ProjectError(f"{path}: stages.{name} must be a mapping.")
        n = cfg.get("reviewers_per_record", 2)
        if not isinstance(n, int) or n < 1:
            raise ProjectError(
                f"{path}: stages.{name}.reviewers_per_record must be a whole number ≥ 1."
            )
        reasons = _parse_reasons(name, cfg, path)
        maybe_on = bool(cfg.get("maybe_to_fulltext", True))
        stages[name] = StageConfig(
            name=name,
            reviewers_per_record=n,
            exclusion_reasons=tuple(reasons),
            maybe_to_fulltext=maybe_on,
            reviewers=_names(cfg.get("reviewers"), f"stages.{name}.reviewers", path),
            maybe_conflicts=_maybe_conflicts(name, cfg, maybe_on, path),
            locked=bool(cfg.get("locked", False)),
            **_parse_assignment(name, cfg, path),
        )
    return stages


def _maybe_conflicts(name: str, cfg: dict[str, Any], maybe_on: bool, path: Path) -> bool:
    """``stages.<name>.maybe_conflicts``: include vs maybe needs an arbiter only where they lead
    to different places; where both go on (title-abstract, ``maybe_to_fulltext: true``) the
    default is false."""
    forward = name == "title-abstract" and maybe_on
    value = cfg.get("maybe_conflicts")
    if value is None:
        return not forward
    if not value and not forward:
        raise ProjectError(
            f"{path}: stages.{name}.maybe_conflicts: false needs a stage where maybe goes on "
            "like include (title-abstract with maybe_to_fulltext: true); at any other stage "
            "include vs maybe is a conflict. Remove the key."
        )
    return bool(value)


ASSIGNMENTS = ("all", "split")


def _parse_assignment(name: str, cfg: dict[str, Any], path: Path) -> dict[str, Any]:
    """``assignment`` (all | split) and ``assignment_seed`` of one stage."""
    how = cfg.get("assignment", "all")
    if how not in ASSIGNMENTS:
        raise ProjectError(
            f"{path}: stages.{name}.assignment must be one of {', '.join(ASSIGNMENTS)} "
            f"(got {how!r})."
        )
    seed = cfg.get("assignment_seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ProjectError(f"{path}: stages.{name}.assignment_seed must be a whole number.")
    return {"assignment": how, "assignment_seed": seed}


def _parse_reasons(name: str, cfg: dict[str, Any], path: Path) -> list[ExclusionReason]:
    """A stage's exclusion reasons: text (id derived) or {id, label}; ids unique."""
    reasons = []
    seen: set[str] = set()
    for j, r in enumerate(cfg.get("exclusion_reasons") or [], start=1):
        if isinstance(r, str):
            rid, label = _slug(r), r
        elif isinstance(r, dict) and (r.get("id") or r.get("label")):
            label = str(r.get("label") or r.get("id"))
            rid = str(r.get("id") or _slug(label))
        else:
            raise ProjectError(
                f"{path}: stages.{name}.exclusion_reasons[{j}] must be text or {{id, label}}."
            )
        if rid in seen:
            raise ProjectError(f"{path}: stages.{name}: exclusion reason {rid!r} is listed twice.")
        seen.add(rid)
        reasons.append(ExclusionReason(rid, label))
    return reasons


def _slug(text: str) -> str:
    return safe_name(text)


def load_protocol(path: Path) -> Protocol:
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ProjectError(
            (f"{path}: not found. Run ", step(Action.INIT), " to create a project.")
        ) from None
    except OSError as exc:
        raise ProjectError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    try:
        text = decode_yaml(raw, path)
        data = load_yaml(text, path)
    except InputError as exc:
        raise ProjectError(str(exc)) from None
    check(
        text,
        Path(path),
        {k: spec[0] for k, spec in DEDUP_KEYS.items()},
        root=project_root_of(Path(path)),
    )
    return parse_protocol(data, Path(path))


DEFAULT_PROTOCOL = """\
# Review protocol. Edit this file before screening; `review` reads it at every command.
review_type: {review_type}  # scoping (PRISMA-ScR checklist) or systematic (PRISMA 2020)
title: {title}
project_id: "{project_id}"  # identifies this project in exported sheets; never change it
questions:
  - What is known about ...?
eligibility:
  include:
    - Empirical studies of ...
  exclude:
    - Conceptual or theoretical papers
# Every search you run, with the date it was run (used in the PRISMA methods paragraph), and its
# search strategy (PRISMA-S; docs/import.md): the full query (query: or query_file: a text file
# relative to the project folder), limits and filters, and the number of results reported.
sources:
  - name: PubMed
    kind: database
    searched: YYYY-MM-DD
    # platform: NCBI
    # query: |
    #   ("term one"[tiab] OR "term two"[tiab]) AND term*[tiab]
    # limits: [English, 2000-2024]
    # results: 0
stages:
  title-abstract:
    reviewers_per_record: 2
    maybe_to_fulltext: true   # an agreed or resolved "maybe" goes on to full text
    exclusion_reasons:        # keys 1-9 in {screen}, in this order
      - {{id: wrong-population, label: Wrong population}}
      - {{id: wrong-intervention, label: Wrong intervention}}
      - {{id: not-empirical, label: Not empirical research}}
      - {{id: wrong-language, label: Not in an eligible language}}
      - {{id: wrong-date, label: Outside the date range}}
  full-text:
    reviewers_per_record: 2
    exclusion_reasons:
      - {{id: wrong-population, label: Wrong population}}
      - {{id: wrong-intervention, label: Wrong intervention}}
      - {{id: not-empirical, label: Not empirical research}}
      - {{id: wrong-language, label: Not in an eligible language}}
      - {{id: wrong-date, label: Outside the date range}}
keywords:              # highlighted while screening
  include: []
  exclude: []
reviewers: []
resolution: consensus  # or third-reviewer
dedup:                 # {dedup} settings (docs/dedup.md); --auto-threshold etc. save here
  auto_threshold: 0.95    # title similarity to merge automatically
  maybe_threshold: 0.8    # title similarity to queue a pair for a person
  author_threshold: 0.8   # author similarity to merge automatically
"""


def edit_protocol(path: Path, section: str, changes: dict[str, Any], comment: str = "") -> None:
    """Set ``section.key: value`` in protocols/protocol.yaml for each of ``changes``, keeping every
    comment, key order, quoting and layout of the file (a round-trip YAML edit with ruamel.yaml,
    :func:`review.io.yamlfile.edit_section`).

    A missing section is added at the end (with ``comment`` beside its key); an empty or flow
    section (``dedup: {}``) is filled in place. The new text is parsed exactly as the project will
    parse it before it replaces the file (atomically): a result that would not load, or would not
    hold the values, raises :class:`ProjectError` and leaves the file as it was.
    """
    wanted = ", ".join(f"{section}.{k}: {v}" for k, v in changes.items())
    try:
        text = edit_section(decode_yaml(Path(path).read_bytes(), path), section, changes, comment)
    except InputError as exc:
        raise ProjectError(f"{path}: cannot be edited ({exc}); write {wanted} by hand.") from None
    data = load_yaml(text, Path(path))
    if any((data.get(section) or {}).get(k) != v for k, v in changes.items()):
        raise ProjectError(f"{path}: could not rewrite '{section}' safely; write {wanted} by hand.")
    parse_protocol(data, Path(path))  # refuses a result the project would not load
    atomic_write_text(Path(path), text)
