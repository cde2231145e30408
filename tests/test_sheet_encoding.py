"""Sheets saved by Excel come back in any of its encodings (issue 24): one reader
(`review/io/tables.py`, encoding by `review/io/readers/encoding.sniff_file`) for `screen import`,
`resolve import` and `dedup import`; real bytes, Windows line endings."""

from __future__ import annotations

import codecs

import pytest
from typer.testing import CliRunner

from review.cli import app
from review.errors import InputError
from review.io.files import read_jsonl
from review.io.tables import read_table
from tests.helpers.screen import decide, log_lines, make_clusters, make_record_project, set_protocol

TA = "title-abstract"
NOTE = "café – naïve “quoted” €5"  # – “ ” € are cp1252 bytes 0x96 0x93 0x94 0x80, not Latin-1
runner = CliRunner()


def _sheet(rows: list[list[str]], sep: str = ",") -> str:
    return "".join(sep.join(r) + "\r\n" for r in rows)


# (file suffix, bytes of the text, separator, a note expected)
SAVED_BY_EXCEL = {
    "utf8": (".csv", lambda t: t.encode("utf-8"), ",", False),
    "utf8-bom": (".csv", lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), ",", False),
    "cp1252": (".csv", lambda t: t.encode("cp1252"), ",", True),
    "cp1252-semicolon": (".csv", lambda t: t.encode("cp1252"), ";", True),
    "utf16le-bom-tab": (".txt", lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"), "\t", False),
    "utf16le-no-bom-tab": (".tsv", lambda t: t.encode("utf-16-le"), "\t", True),
    "utf16be-bom-tab": (".txt", lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), "\t", False),
}


@pytest.mark.parametrize("kind", SAVED_BY_EXCEL)
def test_read_table_reads_every_excel_encoding(tmp_path, kind):
    suffix, encode, sep, noted = SAVED_BY_EXCEL[kind]
    path = tmp_path / f"sheet{suffix}"
    path.write_bytes(
        encode(_sheet([["record_id", "decision", "note"], ["r1", "include", NOTE]], sep))
    )
    table = read_table(path, required=("record_id", "decision"))
    assert table.header == ("record_id", "decision", "note")
    assert list(table) == [(2, {"record_id": "r1", "decision": "include", "note": NOTE})]
    assert bool(table.note) == noted
    if kind.startswith("cp1252"):
        assert table.note.startswith(
            f"{path}: not UTF-8 (byte 0xe9 at line 2); read as Windows-1252"
        )
    elif noted:
        assert table.note.startswith(f"{path}: no byte-order mark; read as utf-16-le")
        assert "--encoding" not in table.note  # sheet imports have no such option


def test_read_table_refuses_bytes_that_are_neither_utf8_nor_cp1252(tmp_path):
    path = tmp_path / "mac.csv"
    path.write_bytes(b"record_id,decision,note\r\nr1,include,caf\x8e\r\nr2,exclude,x\x81\r\n")
    with pytest.raises(InputError) as exc:
        read_table(path, required=("record_id",))
    assert str(exc.value) == (
        f"{path}:3: neither UTF-8 nor Windows-1252 text (byte 0x81 at line 3). In Excel: File > "
        'Save As > "CSV UTF-8 (Comma delimited)", then import that file.'
    )


def test_utf8_error_after_the_first_megabyte_is_found(tmp_path):
    path = tmp_path / "long.csv"
    body = "".join(f"r{i},include,ok\r\n" for i in range(100_000))  # > 1 MiB before the bad row
    path.write_bytes(
        ("record_id,decision,note\r\n" + body).encode() + "r,include,é\r\n".encode("cp1252")
    )
    table = read_table(path, required=("record_id",))
    assert f"(byte 0xe9 at line {100_002})" in table.note
    assert list(table)[-1] == (100_002, {"record_id": "r", "decision": "include", "note": "é"})


@pytest.mark.parametrize("kind", ["cp1252", "utf16le-bom-tab"])
def test_screen_import_of_an_excel_sheet(project, tmp_path, kind):
    suffix, encode, sep, noted = SAVED_BY_EXCEL[kind]
    ids = make_record_project(project, 2)
    path = tmp_path / f"ana{suffix}"
    rows = [["record_id", "decision", "reason", "note"], [ids[0], "include", "", NOTE],
            [ids[1], "exclude", "wrong-date", "vieux – 1990"]]  # fmt: skip
    path.write_bytes(encode(_sheet(rows, sep)))
    result = runner.invoke(app, ["screen", "import", str(path), "--stage", TA, "--reviewer", "Ana",
                                 "-p", str(project.root)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Imported 2 decisions for Ana at title-abstract" in result.stdout
    assert ("read as Windows-1252 (cp1252)" in result.stderr) == noted
    lines = log_lines(project, "Ana")
    assert [(x["record_id"], x["note"]) for x in lines] == [
        (ids[0], NOTE),
        (ids[1], "vieux – 1990"),
    ]


def test_resolve_import_of_a_cp1252_sheet(project, tmp_path):
    make_clusters(project, 2)
    set_protocol(project)
    decide(project, "Ana", "r1", "include")
    decide(project, "Ben", "r1", "exclude", reason="wrong-date")
    path = tmp_path / "res.csv"
    path.write_bytes(
        _sheet(
            [["record_id", "decision", "reason", "rationale"], ["r1", "include", "", NOTE]]
        ).encode("cp1252")
    )
    result = runner.invoke(app, ["resolve", "import", str(path), "--stage", TA, "--resolver",
                                 "Cleo", "-p", str(project.root)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Imported 1 resolutions at title-abstract" in result.stdout
    assert "Warning: " in result.stderr and "read as Windows-1252" in result.stderr
    lines = read_jsonl(project.data_dir / "resolutions" / "cleo.jsonl")
    assert [(x["record_id"], x["rationale"]) for x in lines] == [("r1", NOTE)]


def test_unreadable_sheet_is_refused_and_nothing_written(project, tmp_path):
    ids = make_record_project(project, 1)
    path = tmp_path / "ana.csv"
    path.write_bytes(f"record_id,decision,note\r\n{ids[0]},include,\x81\r\n".encode("latin-1"))
    result = runner.invoke(app, ["screen", "import", str(path), "--stage", TA, "--reviewer", "Ana",
                                 "-p", str(project.root)])  # fmt: skip
    assert result.exit_code == 1
    assert "neither UTF-8 nor Windows-1252 text (byte 0x81 at line 2)" in result.stderr
    assert "Traceback" not in result.output
    assert not (project.data_dir / "screening" / "ana.jsonl").exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("ana.csv", "Record ID;Title\r\nr1;café – naïve\r\n".encode("cp1252")),
        ("ana.txt", codecs.BOM_UTF16_LE + "Record ID\tTitle\r\n".encode("utf-16-le")),
        ("ana.xlsx", b"Record ID,Title\r\n"),  # a CSV renamed: not a zip
    ],
    ids=["csv-cp1252", "txt-utf16", "csv-named-xlsx"],
)
def test_chart_import_of_a_text_sheet_is_a_message(tmp_path, name, data):
    """Charting forms are read as workbooks only (Meta sheet, cell references): a CSV saved
    from one is refused with the file's name, never a traceback."""
    from review.chart import load_schema
    from review.chart.importer import read_charting
    from tests.helpers.paths import REPO_ROOT

    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as exc:
        read_charting(path, load_schema(REPO_ROOT / "extraction_schema.yaml"))
    assert str(exc.value).startswith(f"{path}: ")
