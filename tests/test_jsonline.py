"""review/io/jsonline.py reads every line as json.loads does: the same value (type included), or
a ValueError where json.loads raises one."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from review.io.jsonline import loads


def _same(line: str | bytes) -> None:
    try:
        want = ("ok", json.loads(line))
    except ValueError as exc:
        want = ("error", type(exc))
    try:
        got = ("ok", loads(line))
    except ValueError as exc:
        got = ("error", type(exc))
    # repr tells 1 from 1.0 and True from 1; NaN != NaN, so compare reprs
    assert repr(got) == repr(want), line


@pytest.mark.parametrize(
    "line",
    [
        b'{"op":"decide","record_id":"R1","stage":"title-abstract","decision":"include"}',
        b'{"seed": 18446744073709551615}',  # fits orjson's 64 bits
        b'{"seed": 18446744073709551616}',  # does not: orjson gives a float, json an int
        b'{"n": -9223372036854775809}',
        b'{"n": 99999999999999999999999, "s": "x"}',
        b'{"p": 0.1, "q": 1e400, "r": 2.2250738585072014e-308, "t": 5e-324}',
        b'{"x": NaN}',
        b'{"x": -Infinity}',
        b"\xef\xbb\xbf" + b'{"op": "decide"}',  # a byte-order mark: json.loads accepts it
        b'{"note": "\\ud800"}',  # a lone surrogate, escaped
        b'{"note": "\xed\xa0\x80"}',  # the same, encoded: json.loads decodes with surrogatepass
        b'{"note": "\xff"}',  # not UTF-8
        b'{\x00"\x00a\x00"\x00:\x001\x00}\x00',  # UTF-16-LE, told by its NUL bytes
        b'{"a": 1, "a": 2}',
        b'{"a": [1, {"b": 1.5}], "c": {"d": 99999999999999999999999}}',
        b'{"a": "b"} x',
        b"[1, 2]",
        b'"text"',
        b"123456789012345678901234567890",
        b"",
        b"   ",
        b'{"a": "\x01"}',  # a raw control character
    ],
)
def test_lines_read_as_json_loads_reads_them(line: bytes) -> None:
    _same(line)
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return
    _same(text)


values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=8), values, max_size=6), st.booleans())
def test_generated_objects_read_the_same(obj: dict, compact: bool) -> None:
    line = json.dumps(obj, separators=(",", ":") if compact else None, ensure_ascii=compact)
    _same(line)
    _same(line.encode("utf-8", "surrogatepass"))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40), st.sampled_from([b"", b'{"a":', b'{"a":"', b"\xef\xbb\xbf"]))
def test_broken_bytes_read_the_same(noise: bytes, head: bytes) -> None:
    _same(head + noise)
    _same(head + noise + b"}")


def test_a_float_keeps_the_standard_librarys_value() -> None:
    assert loads('{"x": 0.30000000000000004}')["x"] == 0.30000000000000004
    assert math.isinf(loads('{"x": 1e400}')["x"])
