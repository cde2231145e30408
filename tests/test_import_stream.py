"""Bounded-memory import: RIS read a piece at a time into the on-disk record store."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

import review.io.readers.ris as ris_module
import review.io.readers.stream as stream
from review.errors import InputError
from review.importer import import_files
from review.io.readers import parse_bytes, parse_into
from review.project import Project

DATA = Path(__file__).parent / "data"
RIS_FILES = sorted(DATA.rglob("*.ris"))

# Every RIS quirk the reader handles, in one file: orphan tags after ER (Ovid's NL), a record
# without ER, repeated TY lines, an ER that closes nothing, continuation lines (KW and others),
# a "PMID - " line, extraneous text between records, a last record without ER.
QUIRKS = (
    "Record #1 of 9\n"
    "TY  - JOUR\nTI  - First plain record\nAU  - Smith, J.\nPY  - 2001\nER  - \n\nER  - \n\n"
    "TY  - JOUR\nTI  - Second, with a long title\n  that continues here\nKW  - alpha\n  beta\n"
    "PMID - 123456\nER  - \n"
    "NL  - orphan note that belongs to the record before\n\n"
    "TY  - BOOK\nTY  - BOOK\nTI  - Repeated TY lines\nER  - \n\n"
    "TY  - JOUR\nTI  - No ER here\n\n"
    "TY  - CHAP\nTI  - After the one without ER\nT2  - A book\nER  - trailing text\n\n"
    "2.\nTY  - RPRT\nTI  - Trailing   spaces   \nAB  - An abstract  \nER  - \n"
    "TY  - JOUR\nTI  - Last, without ER\nAU  - Jones, K.\n"
)


class ListSink:
    def __init__(self) -> None:
        self.entries: list = []
        self.batches = 0
        self.resets = 0

    def add(self, entries: list) -> None:
        self.entries.extend(entries)
        self.batches += 1

    def reset(self) -> None:
        self.entries.clear()
        self.resets += 1


@pytest.fixture(params=["cut", "cut-in-workers", "one-reader"])
def small_pieces(request, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Pieces of a few hundred bytes (a real file's are 16 MB), and count the streamed reads.

    Each test runs three ways: the pieces cut cleanly and read each on its own, here
    (``cut``) or in two forked worker processes (``cut-in-workers``), and read in turn by one
    reader (``one-reader``: what a file without clean cuts gets)."""
    monkeypatch.setattr(stream, "PIECE", 120)
    monkeypatch.setattr(stream, "_DETECT_CHARS", 20)
    monkeypatch.setenv("REVIEW_WORKERS", "2" if request.param == "cut-in-workers" else "0")
    if request.param == "one-reader":
        monkeypatch.setattr(stream, "_clean_cuts", lambda *args: None)
    calls = {"n": 0}
    for module, name in ((ris_module, "parse_pieces"), (stream, "_read_cut")):
        real = getattr(module, name)

        def counting(*args, real=real, **kwargs):
            calls["n"] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, counting)
    return calls


def both(data: bytes, encoding: str | None = None):
    whole = parse_bytes(data, "x.ris", "auto", encoding)
    sink = ListSink()
    holder = [data]
    streamed = parse_into(holder, "x.ris", "auto", encoding, None, sink)
    return whole, streamed, sink


def same(whole, streamed, sink) -> None:
    assert sink.entries == whole.entries
    assert streamed.entries == [] and streamed.records == len(whole.entries)
    assert streamed.problems == whole.problems
    assert streamed.warnings == whole.warnings
    assert (streamed.found, streamed.format, streamed.encoding) == (
        whole.found,
        whole.format,
        whole.encoding,
    )


@pytest.mark.parametrize(
    "variant",
    ["lf", "crlf", "bom", "loose"],
)
def test_streamed_ris_reads_exactly_as_the_whole_text(small_pieces, variant):
    text = QUIRKS
    if variant == "loose":  # one-space tags (TY - JOUR) everywhere
        text = text.replace("  - ", " - ")
    data = text.encode("utf-8")
    if variant == "crlf":
        data = data.replace(b"\n", b"\r\n")
    if variant == "bom":
        data = codecs.BOM_UTF8 + data
    whole, streamed, sink = both(data)
    assert small_pieces["n"] == 1  # read a piece at a time ...
    assert sink.batches >= 3  # ... and handed on as it was read
    assert len(whole.entries) == 7 and whole.problems and len(whole.warnings) == 2
    same(whole, streamed, sink)


def test_real_ris_exports_stream_the_same(small_pieces):
    files = RIS_FILES
    assert files
    for f in files:
        data = f.read_bytes()
        try:
            whole = parse_bytes(data, "x.ris")
        except Exception:  # a file refused whole is refused streamed too
            continue
        sink = ListSink()
        same(whole, parse_into([data], "x.ris", "auto", None, None, sink), sink)


def test_what_cannot_be_streamed_is_read_whole(small_pieces):
    # not valid UTF-8 (read as cp1252 with a warning naming the byte), a stray CR, UTF-16, BibTeX
    cp1252 = ("TY  - JOUR\nTI  - Caf\u00e9 study\nER  - \n" * 20).encode("cp1252")
    stray_cr = (QUIRKS.replace("First plain", "First\rplain")).encode("utf-8")
    utf16 = QUIRKS.encode("utf-16")
    bib = b"@article{a1, title={A study}, year={2001}}\n"
    for data in (cp1252, stray_cr, utf16, bib):
        whole, streamed, sink = both(data)
        same(whole, streamed, sink)
    assert small_pieces["n"] == 0
    # not UTF-8 far into the file: tried piece by piece, given up, read whole: the same result
    late = (QUIRKS * 3 + "TY  - JOUR\nTI  - Caf\u00e9\nER  - \n").encode("cp1252")
    whole, streamed, sink = both(late)
    assert small_pieces["n"] == 1 and sink.resets == 1 and whole.encoding == "cp1252"
    same(whole, streamed, sink)


def test_an_explicit_latin1_encoding_streams(small_pieces):
    data = ("TY  - JOUR\nTI  - Caf\u00e9 study\nER  - \n" * 20).encode("latin-1")
    whole, streamed, sink = both(data, "latin-1")
    assert small_pieces["n"] == 1
    same(whole, streamed, sink)


def _ris(n: int) -> str:
    return "".join(
        f"TY  - JOUR\nTI  - Study {i} of peer support\nAU  - Author, A{i}\nPY  - 2020\n"
        f"AB  - Abstract {i}\nER  - \n\n"
        for i in range(1, n + 1)
    )


def test_import_writes_the_record_store_and_records_need_no_second_parse(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    path = tmp_path / "a.ris"
    path.write_text(_ris(30), encoding="utf-8")
    (report,) = import_files(project, [path], source="DB")
    (entry,) = project.imports()
    store = project.record_cache_path(entry)
    assert store.is_file() and report.imported == 30
    assert not list(store.parent.glob(".*"))  # no pending or temporary store left

    import review.importer as importer

    def no_parse(*args, **kwargs):
        raise AssertionError("records were parsed again")

    monkeypatch.setattr(importer, "parse_into", no_parse)
    fresh = Project.open(project.root)
    rows = fresh.record_fields(("title", "year"))
    assert not fresh.record_cache.loaded
    records = fresh.records()
    assert [r.title for r in records] == [f"Study {i} of peer support" for i in range(1, 31)]
    assert rows == {r.record_id: (r.title, r.year) for r in records}
    assert records[0].raw[0] == ("TY", "JOUR") and records[0].source_file == entry.file


def test_a_store_of_another_file_is_never_served(project: Project, tmp_path: Path):
    a, b = tmp_path / "a.ris", tmp_path / "b.ris"
    a.write_text(_ris(3), encoding="utf-8")
    b.write_text(_ris(3).replace("Study", "Trial"), encoding="utf-8")
    import_files(project, [a, b], source="DB")
    ea, eb = project.imports()
    # b's store replaced by a's (same number of records): found out by its SHA-256, rebuilt
    project.record_cache_path(eb).write_bytes(project.record_cache_path(ea).read_bytes())
    titles = [r.title for r in Project.open(project.root).records()]
    assert titles[3:] == [
        "Trial 1 of peer support",
        "Trial 2 of peer support",
        "Trial 3 of peer support",
    ]


def test_a_failed_import_leaves_no_store(project: Project, tmp_path: Path):
    good, bad = tmp_path / "good.ris", tmp_path / "bad.bib"
    good.write_text(_ris(5), encoding="utf-8")
    bad.write_text("hello world\nnot an export\n", encoding="utf-8")
    with pytest.raises(InputError):
        import_files(project, [good, bad], source="DB")
    folder = project.cache_dir / "records"
    assert not folder.exists() or not any(folder.iterdir())


def test_a_full_disk_while_storing_records_is_a_clear_error(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import sqlite3

    from review.errors import ProjectError
    from review.recordcache import StoreWriter

    path = tmp_path / "a.ris"
    path.write_text(_ris(5), encoding="utf-8")

    def full(self):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(StoreWriter, "_write", full)
    with pytest.raises(ProjectError, match=r"disk is full.*Nothing was imported"):
        import_files(project, [path], source="DB")
    assert project.imports() == []
    folder = project.cache_dir / "records"
    assert not folder.exists() or not any(folder.iterdir())
    monkeypatch.undo()
    assert import_files(project, [path], source="DB")[0].imported == 5


def _markers_line_by_line(text: str) -> int:
    """The marker count of ris.count_markers, from a plain walk over the lines (a reference
    for the one-regex marker scan)."""
    count, open_, last_ty_line = 0, False, -2
    lines = text.split("\n")
    for i, line in enumerate(lines):
        kind = line[:2] if line[:2] in ("TY", "ER") and line[2:].startswith((" -", "  -")) else ""
        if kind == "TY":
            between = lines[last_ty_line + 1 : i] if open_ and last_ty_line >= 0 else None
            if between is not None and not "".join(between).strip():
                last_ty_line = i
                continue  # repeated TY line: same record
            count, open_, last_ty_line = count + 1, True, i
        elif kind == "ER":
            count += 0 if open_ else 1
            open_, last_ty_line = False, -1
    return count


@pytest.mark.parametrize(
    "text",
    [
        "TY  - JOUR\nTI  - a\nER  - \n\nTY  - JOUR\nER  -\n",
        "TY - JOUR\nTI - a\nER - \nTY - BOOK\n",  # one space
        "TY \nTY  - JOUR\nER  - \n",  # "TY " without a dash is no marker
        "TY  - JOUR\nTY  - BOOK\n\nTY  - CHAP\nAU  - x\nER  - \nER  - \nER  - \n",
        "AU  - x\nER  - \nxTY  - JOUR\n TY  - JOUR\nTYPO - x\nER -\n",
        "ER  - \n",
    ],
)
def test_ris_marker_count_matches_a_line_by_line_walk(text):
    assert ris_module.count_markers(text) == _markers_line_by_line(text)
    marks, er_marks = ris_module._marker_lines(text)
    assert [m for m in marks if m[1] == "ER"] == er_marks
    assert marks == sorted(marks)


@pytest.mark.parametrize("bad_row", [1, 3, 8])
def test_a_store_torn_part_way_is_read_on_without_repeating_a_record(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad_row: int
):
    """The store is read a stored row at a time (a million records are never decoded at
    once); a row found torn after others were given is rebuilt and read on from the first
    record not yet given: every record once, in order."""
    import sqlite3

    import review.recordcache as recordcache

    monkeypatch.setattr(recordcache, "BATCH", 4)  # 30 records: 8 stored rows
    path = tmp_path / "a.ris"
    path.write_text(_ris(30), encoding="utf-8")
    import_files(project, [path], source="DB")
    (entry,) = project.imports()
    expected = [(r.record_id, r.title, r.abstract) for r in Project.open(project.root).records()]
    assert len(expected) == 30
    abstract = recordcache.COLUMNS.index("abstract")
    with sqlite3.connect(project.record_cache_path(entry)) as con:
        assert con.execute("SELECT count(*) FROM chunks").fetchone() == (8,)
        con.execute(
            f"UPDATE chunks SET c{abstract} = x'00' WHERE rowid = ?",
            (bad_row,),
        )
    monkeypatch.setattr(recordcache, "BATCH", 5)  # the rebuilt store's rows cut elsewhere
    again = [(r.record_id, r.title, r.abstract) for r in Project.open(project.root).records()]
    assert again == expected
    rows = Project.open(project.root).record_fields(("title",))
    assert rows == {rid: (title,) for rid, title, _ in expected}
