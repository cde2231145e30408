"""The shape of ``protocols/protocol.yaml``: every key the tool reads, declared in one place.

:func:`check` walks the YAML node tree (which keeps line numbers) against :data:`PROTOCOL`, so a
typo (``exclusion_reason:``) is an error naming the file, the line and the nearest known key,
instead of a setting silently ignored; a value of the wrong type names its line too.

Adding settings: give a new top-level section one entry in :data:`SECTIONS` (e.g.
``"ranking": Map({"model": TEXT, "seed": INT})``); nested keys are declared the same way.
``Map(..., open=True)`` accepts any key (for free-form notes). The ``dedup:`` keys come from
``review.protocol.DEDUP_KEYS``, which also checks their ranges (passed in by the loader, so this
module imports nothing of ours but the errors).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from review.errors import InputError, ProjectError
from review.io.yamlfile import compose_yaml
from review.model import REVIEW_TYPES, STAGES


@dataclass(frozen=True)
class Scalar:
    """A scalar of one of ``kinds`` (YAML tags: str, int, float, bool, null, timestamp).

    ``choices``: the only values allowed; ``minimum``: the lowest number allowed; ``file``: the
    text names a file relative to the project folder, which must exist."""

    kinds: tuple[str, ...]
    label: str
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    file: bool = False


@dataclass(frozen=True)
class ListOf:
    item: Any
    label: str = ""
    single_ok: bool = False  # a lone scalar stands for a one-item list


@dataclass(frozen=True)
class Map:
    keys: dict[str, Any] = field(default_factory=dict)
    open: bool = False  # any key allowed (values unchecked)


@dataclass(frozen=True)
class OneOf:
    options: tuple[Any, ...]
    label: str


TEXT = Scalar(("str", "int", "float", "timestamp", "null"), "text")
INT = Scalar(("int",), "a whole number")
NUMBER = Scalar(("int", "float"), "a number")
BOOL = Scalar(("bool",), "true or false")
TEXTS = ListOf(TEXT, "a list of text items", single_ok=True)
NAMES = ListOf(TEXT, "a list of names", single_ok=True)
ANY = Map(open=True)
COUNT = Scalar(("int", "null"), "a whole number (0 or more)", minimum=0)
REVIEW_TYPE = Scalar(("str", "null"), "scoping or systematic", choices=REVIEW_TYPES)
FILE = Scalar(("str", "null"), "a file path relative to the project folder", file=True)

_REASON = OneOf((TEXT, Map({"id": TEXT, "label": TEXT})), "text or {id, label}")
STAGE = Map(
    {
        "reviewers_per_record": INT,
        "maybe_to_fulltext": BOOL,
        "exclusion_reasons": ListOf(_REASON, "a list of reasons"),
        "reviewers": NAMES,
        "maybe_conflicts": BOOL,
        "locked": BOOL,
        # each record to reviewers_per_record of the stage's reviewers (docs/team.md, "Assignment")
        "assignment": Scalar(("str",), "all or split"),
        "assignment_seed": INT,
    }
)

# Top-level sections. Other stages declare their settings here (one entry each).
SECTIONS: dict[str, Any] = {
    "review_type": REVIEW_TYPE,
    "title": TEXT,
    "project_id": TEXT,
    "method": TEXT,
    "questions": TEXTS,
    "eligibility": Map({"include": TEXTS, "exclude": TEXTS}),
    "sources": ListOf(
        Map(
            {
                "name": TEXT,
                "kind": TEXT,
                "platform": TEXT,
                "searched": TEXT,
                "notes": TEXT,
                # the search strategy (PRISMA-S): the full query text, or a file holding it
                "query": TEXT,
                "query_file": FILE,
                "limits": TEXTS,  # limits and filters applied (dates, languages, types …)
                "results": COUNT,  # the number of results the database reported
            }
        ),
        "a list of sources",
    ),
    "stages": Map({name: STAGE for name in STAGES}),
    "keywords": Map({"include": TEXTS, "exclude": TEXTS}),
    "reviewers": NAMES,
    "resolvers": NAMES,
    "resolution": TEXT,
    "dedup": Map({}),  # filled from review.protocol.DEDUP_KEYS by the caller (one list of keys)
    "notes": ANY,
}


def protocol_spec(dedup_keys: dict[str, type] | None = None) -> Map:
    """The whole protocol's spec; ``dedup_keys`` (key -> int or float) declares the ``dedup:``
    section from the table that validates its values (``review.protocol.DEDUP_KEYS``)."""
    dedup = Map({k: INT if t is int else NUMBER for k, t in (dedup_keys or {}).items()})
    return Map({**SECTIONS, "dedup": dedup})


def _kind(node: Any) -> str:
    import yaml

    if isinstance(node, yaml.MappingNode):
        return "mapping"
    if isinstance(node, yaml.SequenceNode):
        return "list"
    tag = node.tag.rsplit(":", 1)[-1]
    return tag


def _describe(kind: str) -> str:
    return {"mapping": "a mapping", "list": "a list", "str": "text", "int": "a number",
            "float": "a decimal number", "bool": "true/false", "null": "empty",
            "timestamp": "a date"}.get(kind, kind)  # fmt: skip


def _label(spec: Any) -> str:
    if isinstance(spec, Scalar):
        return spec.label
    if isinstance(spec, ListOf):
        return spec.label or "a list"
    if isinstance(spec, OneOf):
        return spec.label
    return "a mapping"


def _fits(node: Any, spec: Any) -> bool:
    kind = _kind(node)
    if isinstance(spec, Scalar):
        return kind in spec.kinds
    if isinstance(spec, Map):
        return kind == "mapping" or kind == "null"
    if isinstance(spec, ListOf):
        return kind in ("list", "null") or (spec.single_ok and _fits(node, spec.item))
    if isinstance(spec, OneOf):
        return any(_fits(node, o) for o in spec.options)
    return True


def _scalar_problem(node: Any, spec: Scalar, root: Path | None) -> str:
    """What is wrong with a scalar of the right type ('' when nothing)."""
    value = node.value
    if spec.choices and value not in spec.choices:
        return f"must be {' or '.join(spec.choices)}, not {value!r}"
    if spec.minimum is not None and int(value) < spec.minimum:
        return f"must be {spec.minimum} or more, not {value}"
    if spec.file and root is not None:
        target = root / str(value)
        if not str(value).strip():
            return "is empty; name a file relative to the project folder"
        if not target.is_file():
            return (
                f"names {value!r}, but there is no file {target}; save the search strategy there "
                "(a path relative to the project folder) or give its text under 'query:'"
            )
    return ""


def _walk(
    node: Any, spec: Any, where: str, problems: list[tuple[int, str]], root: Path | None = None
) -> None:
    line = node.start_mark.line + 1
    if not _fits(node, spec):
        problems.append(
            (line, f"{where or 'the file'} must be {_label(spec)}, not {_describe(_kind(node))}")
        )
        return
    kind = _kind(node)
    if isinstance(spec, Scalar) and kind != "null":
        wrong = _scalar_problem(node, spec, root)
        if wrong:
            problems.append((line, f"{where} {wrong}"))
        return
    if isinstance(spec, OneOf):
        spec = next(o for o in spec.options if _fits(node, o))
    if isinstance(spec, Map) and kind == "mapping" and not spec.open:
        for knode, vnode in node.value:
            key = str(knode.value)
            path = f"{where}.{key}" if where else key
            if key not in spec.keys:
                near = difflib.get_close_matches(key, list(spec.keys), n=1, cutoff=0.6)
                hint = f"; did you mean {near[0]!r}?" if near else ""
                known = ", ".join(spec.keys)
                problems.append(
                    (knode.start_mark.line + 1, f"unknown key {path!r}{hint} (known: {known})")
                )
                continue
            _walk(vnode, spec.keys[key], path, problems, root)
    elif isinstance(spec, ListOf) and kind == "list":
        for i, item in enumerate(node.value, start=1):
            _walk(item, spec.item, f"{where}[{i}]", problems, root)
    elif isinstance(spec, ListOf) and spec.single_ok:
        _walk(node, spec.item, where, problems, root)


def check(
    text: str, path: Path, dedup_keys: dict[str, type] | None = None, root: Path | None = None
) -> None:
    """Raise ProjectError listing every unknown key and wrongly typed value with its line;
    ``root`` (the project folder) is where ``query_file:`` paths must exist."""
    try:
        tree = compose_yaml(text, path)  # aliases, depth and duplicate keys checked there
    except InputError as exc:
        raise ProjectError(str(exc)) from None
    if tree is None:
        return
    problems: list[tuple[int, str]] = []
    _walk(tree, protocol_spec(dedup_keys), "", problems, root)
    if problems:
        problems.sort()
        lines = "\n".join(f"  {path}:{n}: {msg}" for n, msg in problems)
        raise ProjectError(
            f"{path}: {len(problems)} problem(s) in the protocol; fix them and run the command "
            f"again:\n{lines}"
        )
