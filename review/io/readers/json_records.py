"""JSON lists of records: CSL-JSON (Zotero, Mendeley, citation.js) and Publish or Perish /
Google Scholar JSON, or any list of flat objects whose keys look like the CSV column names
(``title``, ``authors``, ``year``, ``doi``...; see :mod:`review.io.readers.tabular`).

The top level is a list, or an object holding the list under ``items``, ``records``,
``results`` or ``data``. ``found`` is the number of objects in that list.
"""

from __future__ import annotations

import json
from typing import Any

from review.errors import InputError
from review.io.readers.base import ParseResult, make_entry
from review.io.readers.tabular import COLUMN_ALTERNATIVES, norm_header

_LIST_KEYS = ("items", "records", "results", "data", "references")
_ZERO_IS_MISSING = frozenset({"volume", "issue", "start_page", "end_page", "pages"})
_CSL = {
    "container-title": "journal",
    "issued": "year",
    "page": "pages",
    "doi": "doi",
    "pmid": "pmid",
    "keyword": "keywords",
    "author": "authors",
    "citation-key": "original_id",
}


def _record_list(data: Any) -> list[Any] | None:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in _LIST_KEYS:
            if isinstance(data.get(key), list):
                return data[key]
    return None


def _csl_name(person: Any) -> str:
    if isinstance(person, dict):
        if person.get("literal"):
            return str(person["literal"])
        family, given = person.get("family", ""), person.get("given", "")
        return f"{family}, {given}" if family and given else str(family or given)
    return str(person)


def _year(value: Any) -> Any:
    if isinstance(value, dict):  # CSL {"date-parts": [[2020, 5]]} or {"raw": "2020"}
        parts = value.get("date-parts")
        if parts and parts[0]:
            return parts[0][0]
        return value.get("raw") or value.get("literal") or ""
    return value


def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for fld, names in COLUMN_ALTERNATIVES.items():
        for n in names:
            table.setdefault(n, fld)
    table.update(_CSL)
    table.setdefault("uid", "original_id")
    return table


def map_object(obj: dict[str, Any], table: dict[str, str]) -> tuple[dict[str, Any], str]:
    mapped: dict[str, Any] = {}
    for key, value in obj.items():
        name = norm_header(key)
        fld = table.get(name) or table.get(name.replace("_", " "))
        if fld is None or fld in mapped or value in (None, "", []):
            continue
        if fld in _ZERO_IS_MISSING and value == 0:
            continue  # Publish or Perish writes 0 for "unknown"
        if fld == "authors" and isinstance(value, list):
            value = [_csl_name(p) for p in value]
        elif fld == "year":
            value = _year(value)
        elif isinstance(value, dict):
            continue
        elif isinstance(value, list):
            value = [str(v) for v in value if not isinstance(v, dict | list)]
        elif not isinstance(value, str):
            value = str(value)
        mapped[fld] = value
    original_id = mapped.pop("original_id", "")
    return mapped, str(original_id)


def parse(text: str, name: str = "<text>") -> ParseResult:
    try:
        data = json.loads(text)
    except RecursionError:
        raise InputError(
            "is JSON nested too deeply to be a list of references (thousands of levels). "
            "Refused; export the references again.",
            file=name,
        ) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"is not valid JSON ({exc.msg}, column {exc.colno}). Export it again.",
            file=name,
            line=exc.lineno,
        ) from None
    items = _record_list(data)
    if items is None:
        raise InputError(
            "is JSON but holds no list of records (expected a list, or one under "
            f"{', '.join(repr(k) for k in _LIST_KEYS)}). Export the references as RIS instead.",
            file=name,
        )
    result = ParseResult(format="json", encoding="", found=len(items))
    table = _lookup()
    for pos, obj in enumerate(items, start=1):
        if not isinstance(obj, dict):
            raise InputError(
                f"record {pos} is not a JSON object. Export the references again.", file=name
            )
        mapped, original_id = map_object(obj, table)
        raw = tuple((k, v if isinstance(v, str) else json.dumps(v)) for k, v in obj.items())
        result.entries.append(make_entry(pos, 0, original_id, mapped, raw))
    return result
