"""Typed vocabularies and log-line schemas (issue 24, "The library speaks types").

The closed vocabularies are ``StrEnum``s in ``review/model.py``: a member is its value as a
string, so every file and message reads as before. Every append-only log line is built from one
declaration of its op's fields (``review/io/logline.py``), in the order the files always had.
"""

from __future__ import annotations

import json

import pytest

from review.dedup.verdicts import retract_line, verdict_line
from review.errors import InputError
from review.io.logline import LOGS, SCREENING_LOG, LineSchema, screening_line_problem
from review.model import (
    DECISIONS,
    FULLTEXT_DECISIONS,
    KINDS,
    STAGES,
    Decision,
    ImportEntry,
    Kind,
    Stage,
    parse_vocab,
    vocab,
)
from review.screen.logs import (
    decide_line,
    decision_from_text,
    label_line,
    reopen_line,
    resolve_line,
)


def _keys(line: dict) -> list[str]:
    return list(line)


def test_enum_members_are_their_values_in_files_and_messages():
    assert Stage.FULL_TEXT == "full-text" and hash(Stage.FULL_TEXT) == hash("full-text")
    assert json.dumps({"stage": Stage.FULL_TEXT}) == '{"stage": "full-text"}'
    assert f"{Stage.TITLE_ABSTRACT}|{Decision.NOT_RETRIEVED!r}" == "title-abstract|'not-retrieved'"
    assert {"full-text": 1}[Stage.FULL_TEXT] == 1 and {Stage.FULL_TEXT: 1}["full-text"] == 1
    assert STAGES == ("title-abstract", "full-text")
    assert DECISIONS == ("include", "exclude", "maybe")
    assert FULLTEXT_DECISIONS == (*DECISIONS, "not-retrieved")
    assert Stage.FULL_TEXT.decisions == FULLTEXT_DECISIONS
    assert Stage.TITLE_ABSTRACT.decisions == DECISIONS
    assert KINDS[0] == "database" and Kind.REGISTER.main and not Kind.EXPERT.main


def test_parsing_a_value_read_from_a_file():
    assert vocab(Stage, "full-text") is Stage.FULL_TEXT
    assert vocab(Stage, "Full-Text") is None and vocab(Stage, 3) is None
    assert vocab(Decision, ["include"]) is None  # unhashable: not a value, no TypeError
    with pytest.raises(InputError) as exc:
        parse_vocab(Stage, "final", "stage", "a.jsonl:3")
    assert str(exc.value) == (
        "a.jsonl:3: 'final' is not a stage; use one of: title-abstract, full-text."
    )
    assert decision_from_text(" R ", FULLTEXT_DECISIONS) is Decision.NOT_RETRIEVED
    assert decision_from_text("not-retrieved", DECISIONS) is None
    assert decision_from_text("Include", DECISIONS) is Decision.INCLUDE


def test_an_import_entry_with_an_unknown_kind_is_unreadable():
    fields = dict(
        import_id="x", source="S", format="ris", encoding="utf-8", file="f", original_name="f",
        sha256="0" * 64, records=1, found=1, problems=0, screen=False, imported_by="A",
        imported_at="2026-01-01T00:00:00Z", tool_version="0",
    )  # fmt: skip
    assert ImportEntry(kind="register", **fields).kind is Kind.REGISTER
    with pytest.raises(TypeError, match="kind 'databse' is not one of database, register"):
        ImportEntry(kind="databse", **fields)


def test_every_writer_builds_its_ops_declared_line_in_the_files_key_order():
    ta, ft = Stage.TITLE_ABSTRACT, Stage.FULL_TEXT
    lines = [
        decide_line("Ana", "r-1", ta, Decision.EXCLUDE, "popu", "n"),
        resolve_line("Cleo", "r-1", ta, Decision.INCLUDE, "", "why"),
        reopen_line("Ana", "r-1", ft, "typo", "agreed include"),
        reopen_line("Ana", "r-1", ft, "typo", "agreed include", unlock=True),
        label_line("Ana", "r-1", ta, "ask author", False),
        verdict_line("b-2", "a-1", "same", "Ana", "note"),
        verdict_line("a-1", "b-2", "different", "Ana", resolves=True),
        retract_line("a-1", "b-2", "Ana"),
    ]
    by_op = {}
    for log in LOGS:
        for op, schema in log.ops.items():
            by_op.setdefault(op, []).append(schema)
    for line in lines:
        assert any(s.keys_problem(line) is None for s in by_op[line["op"]]), line
    # the on-disk order of the files written before the schemas (byte-identical files)
    assert _keys(lines[0]) == [
        "op", "record_id", "stage", "decision", "reason", "note", "reviewer", "at",
        "tool_version",
    ]  # fmt: skip
    assert _keys(lines[3])[5:7] == ["unlock", "reviewer"] and "unlock" not in lines[2]
    assert _keys(lines[6])[-3:] == ["at", "tool_version", "resolves"]
    assert (lines[5]["a"], lines[5]["b"]) == ("a-1", "b-2")
    assert json.dumps(lines[0]).startswith(
        '{"op": "decide", "record_id": "r-1", "stage": "title-abstract", "decision": "exclude"'
    )


def test_a_line_with_an_undeclared_or_missing_field_is_a_bug():
    decide = SCREENING_LOG["decide"]
    with pytest.raises(TypeError, match=r"\['notes'\] not declared"):
        decide.line(record_id="r", stage="full-text", decision="include", reason="", notes="",
                    reviewer="A")  # fmt: skip
    with pytest.raises(TypeError, match=r"\['reviewer'\] missing"):
        SCREENING_LOG["retract"].line(record_id="r", stage="full-text")
    schema = LineSchema("x", ("a", "b"), frozenset({"b"}))
    assert schema.keys_problem({"op": "x", "b": 1, "a": 2, "at": "", "tool_version": ""})
    assert schema.keys_problem({"op": "x", "a": 2, "at": "", "tool_version": ""}) is None


def test_readers_know_the_ops_of_their_log():
    ok = {"op": "stop-sample", "stage": "title-abstract", "seed": 1, "urn": 3}
    assert screening_line_problem(ok, "decide", {}) is None
    assert screening_line_problem(ok, "resolve", {}) == "unknown op 'stop-sample'"
    assert screening_line_problem({"op": ["decide"]}, "decide", {}) == "unknown op \"['decide']\""


def test_the_cli_declares_no_vocabulary_of_its_own():
    """Every enum a command takes is the library's (review.model): none is re-declared in
    review/cli/, where nothing kept a copy in sync with the library's values."""
    import ast
    from pathlib import Path

    import review.cli

    cli = Path(review.cli.__file__).parent
    for path in sorted(cli.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = {ast.unparse(b) for b in node.bases}
                assert not bases & {"Enum", "StrEnum", "IntEnum"}, (path.name, node.name)
