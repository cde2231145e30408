"""One JSON value per line, read fast and exactly as the standard library reads it.

The append-only logs are JSON Lines: at 100k decisions a reviewer's log is 100k ``json.loads``
calls, most of the time of the first command that reads it. :func:`loads` lets orjson (a C/Rust
parser, about twice as fast here) read the usual line, a flat object of strings, numbers
without a fraction and booleans, and hands anything else to the standard library, so that
every line reads as ``json.loads`` reads it: orjson turns integers beyond 64 bits into floats,
may round a float differently in the last digit, and rejects what the standard library
accepts (``NaN``, a byte-order mark, a lone surrogate). tests/test_jsonline.py compares both
on generated lines.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_RECHECK = frozenset((float, list, dict))  # values orjson may read otherwise: read by json


def loads(line: str | bytes) -> Any:
    """``json.loads(line)``: the same value, or the same ``ValueError`` (``json.JSONDecodeError``,
    or ``UnicodeDecodeError`` for bytes that are not text)."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        return json.loads(line)
    if type(obj) is dict and not any(map(_RECHECK.__contains__, map(type, obj.values()))):
        return obj
    return json.loads(line)
