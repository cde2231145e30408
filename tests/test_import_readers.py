"""Readers and normalisation on small one-feature fixtures (tests/data/import/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from review.errors import InputError
from review.importer import load_file_records
from review.io.readers import detect_format, read_file
from review.io.readers.normalize import (
    clean_text,
    norm_author,
    norm_authors,
    norm_doi,
    norm_pages,
    norm_title,
    norm_type,
    norm_year,
    normalize_fields,
)
from review.model import FIELDS

DATA = Path(__file__).parent / "data" / "import"


def fields(path: str, **kw):
    return [e.fields for e in read_file(DATA / path, **kw).entries]


# ---- RIS ---------------------------------------------------------------------------------


def test_ris_quirks_bom_crlf_extraneous_no_ty_no_final_er():
    result = read_file(DATA / "quirks.ris")
    assert result.format == "ris"
    assert result.encoding == "utf-8-sig"
    assert result.found == 3
    assert [e.position for e in result.entries] == [1, 2, 3]
    first, second, third = result.entries
    assert first.line == 5
    assert first.original_id == "rec-1"
    f = first.fields
    assert f["title"] == "Peer support for parents in child protection"  # continuation line
    assert f["authors"] == ("Smith, Jane", "O'Neil, P. K.", "van der Berg, A. B.")
    assert f["year"] == 2019
    assert f["abstract"] == "Background: parents value peers."  # N2, HTML stripped
    assert f["keywords"] == ("peer support", "child welfare", "parenting")
    assert f["journal"] == "Child Abuse Review"
    assert (f["volume"], f["issue"], f["pages"]) == ("28", "3", "201-215")
    assert f["doi"] == "10.1002/car.2561"
    assert f["issn"] == "0952-9136"
    assert f["url"] == "https://example.org/rec-1"
    assert f["type"] == "article"
    assert ("T1", "Peer support for parents in child protection") in first.raw
    # A record without TY, closed by ER.
    assert second.fields["title"] == "A record without a TY line"
    assert second.fields["type"] == "other"
    assert second.line == 27
    # The last record has no ER; AN is a PMID because DB says MEDLINE.
    assert third.fields["title"] == "The last record has no ER"
    assert third.fields["type"] == "chapter"
    assert third.fields["journal"] == "Handbook of Things"
    assert third.fields["pmid"] == "31415926"
    assert any("without a closing ER" in w for w in result.warnings)


def test_ris_line_endings_and_utf16():
    assert fields("cr_only.ris")[0]["title"] == "Old Mac line endings"
    assert fields("cr_only.ris")[0]["year"] == 1998
    assert fields("stray_cr.ris")[0]["title"] == "A title with a stray CR"
    result = read_file(DATA / "utf16be.ris")
    assert result.encoding == "utf-16-be"
    assert result.entries[0].fields["title"] == "Big endian ünïcode"


def test_legacy_encoding_is_read_with_a_warning_and_can_be_chosen():
    result = read_file(DATA / "latin1.ris")
    assert result.encoding == "cp1252"
    assert result.entries[0].fields["title"] == "Café au lait – a study"
    assert result.warnings and "not valid UTF-8 (byte 0xe9 at line 2)" in result.warnings[0]
    assert "--encoding" in result.warnings[0]
    chosen = read_file(DATA / "latin1.ris", encoding="latin-1")
    assert chosen.encoding == "latin-1" and not chosen.warnings


def test_explicit_wrong_encoding_is_an_error_naming_the_line():
    with pytest.raises(
        InputError, match=r"latin1\.ris: cannot be read as utf-8: byte 0xe9 at line 2"
    ):
        read_file(DATA / "latin1.ris", encoding="utf-8")


def test_ris_repeated_type_lines_are_one_record(tmp_path: Path):
    p = tmp_path / "x.ris"
    p.write_text("TY  - JOUR\nTY  - BOOK\nTI  - One\nER  - \nTY  - JOUR\nTI  - Two\nER  - \n")
    result = read_file(p)
    assert result.found == 2
    assert [e.fields["title"] for e in result.entries] == ["One", "Two"]


def test_ris_tags_after_er_belong_to_the_record_before(tmp_path: Path):
    p = tmp_path / "ovid.ris"
    p.write_text(
        "TY  - JOUR\nTI  - One\nER  -\nNL  - Note\n\nLink text\n\nTY  - JOUR\nTI  - Two\nER  -\n"
    )
    result = read_file(p)
    assert [e.fields["title"] for e in result.entries] == ["One", "Two"]
    assert ("NL", "Note Link text") in result.entries[0].raw


def test_ris_keyword_continuation_lines_are_separate_keywords(tmp_path: Path):
    p = tmp_path / "rayyan.ris"
    p.write_text("TY  - JOUR\nKW  - Health\nJoint Commission\nStandards\nTI  - T\nER  -\n")
    assert read_file(p).entries[0].fields["keywords"] == ("Health", "Joint Commission", "Standards")


# ---- other formats -------------------------------------------------------------------------


def test_medline():
    result = read_file(DATA / "pubmed.nbib")
    assert result.format == "medline" and result.found == 2
    f = result.entries[0].fields
    assert result.entries[0].original_id == "30000001"
    assert f["title"] == "Family group conferencing in child welfare: a systematic review."
    assert f["authors"] == ("Nurmatov, Ulugbek B", "Foster, Catherine")  # FAU preferred
    assert f["year"] == 2018
    assert f["doi"] == "10.1016/j.childyouth.2018.01.001"
    assert f["pmid"] == "30000001"
    assert f["journal"] == "Children and youth services review"
    assert f["pages"] == "45-67"
    assert f["issn"] == "0190-7409"
    assert f["keywords"] == ("family group conference", "child protection")
    assert f["type"] == "article"
    assert result.entries[1].line == 23


def test_wos_plain_text():
    result = read_file(DATA / "wos.txt")
    assert result.format == "wos" and result.found == 2
    e = result.entries[0]
    assert e.original_id == "WOS:000221830800001"
    assert e.fields["authors"] == ("Parkes-Loach, Pamela S.", "Majeed, Aamir P.")  # AF
    assert e.fields["title"] == (
        "Interactions stabilizing the structure of the core light-harvesting complex"
    )
    assert e.fields["pages"] == "7003-7016"
    assert e.fields["keywords"] == ("light harvesting", "reconstitution")
    assert e.fields["doi"] == "10.1021/bi049798f"
    assert result.entries[1].fields["authors"] == ("Smith, J.",)


def test_wos_tab_delimited_utf16():
    result = read_file(DATA / "wos_tab_utf16.txt")
    assert (result.format, result.encoding) == ("wos-tab", "utf-16-le")
    e = result.entries[0]
    assert e.original_id == "WOS:000189000000001"
    assert e.fields["authors"] == ("Owen-Smith, Jason", "Powell, Walter W.")
    assert e.fields["keywords"] == ("SPILLOVERS", "GEOGRAPHY")  # ID = Keywords Plus, not an id
    assert e.fields["year"] == 2004


def test_bibtex_latex_strings_and_types():
    result = read_file(DATA / "library.bib")
    assert result.format == "bibtex" and result.found == 2
    a, b = result.entries
    assert a.original_id == "mueller2020"
    assert a.fields["authors"] == ("Müller, Jörg", "García, Ana", "World Health Organization")
    assert a.fields["title"] == "Peer support in & out of care"
    assert a.fields["journal"] == "Child and Youth Practice"  # @string resolved
    assert a.fields["pages"] == "100-120"
    assert a.fields["doi"] == "10.1000/xyz.1"
    assert a.fields["keywords"] == ("peer support", "foster care")
    assert a.line == 4
    assert b.fields["type"] == "conference"
    assert b.fields["journal"] == "Proceedings of Things"


def test_bibtex_broken_entry_is_a_problem_with_its_line():
    result = read_file(DATA / "broken_entry.bib")
    assert result.found == 2
    assert len(result.entries) == 1
    assert result.problems[0].line == 3
    assert result.problems[0].position == 2


def test_endnote_xml():
    result = read_file(DATA / "endnote.xml")
    assert result.format == "endnote-xml" and result.found == 2
    a, b = result.entries
    assert a.original_id == "7"
    assert a.fields["title"] == "Trends in the lifetime risk of cancer"
    assert a.fields["authors"] == ("Ahmad, A. S.", "Sasieni, Peter D.")
    assert a.fields["doi"] == "10.1038/bjc.2014.606"
    assert a.fields["keywords"] == ("cancer", "risk")
    assert b.fields["type"] == "report"


def test_csv_with_preamble_semicolons_and_formula_guard():
    result = read_file(DATA / "scopus_preamble.csv")
    assert result.format == "csv"
    assert any("skipped 3 line(s)" in w for w in result.warnings)
    a, b = result.entries
    assert a.line == 5 and a.original_id == "2-s2.0-1"
    assert a.fields["authors"] == ("Aria, M.", "Cuccurullo, C.")
    assert a.fields["pages"] == "959-975"
    assert a.fields["keywords"] == ("bibliometrics", "science mapping")
    # csv_safe's leading quote is removed again (our own exports round-trip).
    assert b.fields["title"] == "-starts with a dash"
    assert b.fields["authors"] == ('=HYPERLINK("x")',)


def test_csv_column_map_for_unknown_columns():
    mapped = {"Article Name": "title", "Published": "year"}
    got = fields("unknown_columns.csv", column_map=mapped)
    assert [(f["title"], f["year"]) for f in got] == [("A mapped title", 2011), ("Another", 2012)]
    with pytest.raises(InputError, match=r"--map Published=when: 'when' is not a field"):
        read_file(DATA / "unknown_columns.csv", column_map={"Published": "when"})


def test_xlsx_reader(tmp_path: Path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Query: peer support"])
    ws.append(["Key", "Item Type", "Publication Year", "Author", "Title", "Publication Title"])
    ws.append(["ABCD", "journalArticle", 2020, "Doe, Jane; Roe, Rick", "Zotero title", "J Test"])
    ws.append([None, None, None, None, None, None])
    ws.append(["EFGH", "book", 2001.0, "Solo, Han", "A book", None])
    path = tmp_path / "zotero.xlsx"
    wb.save(path)
    result = read_file(path)
    assert result.format == "xlsx" and result.found == 2
    a, b = result.entries
    assert (a.original_id, a.line) == ("ABCD", 0)
    assert a.fields["authors"] == ("Doe, Jane", "Roe, Rick")
    assert a.fields["year"] == 2020 and a.fields["type"] == "article"
    assert b.fields["year"] == 2001 and b.fields["type"] == "book"


def test_load_file_records_gives_stable_ids_and_provenance():
    recs = load_file_records(DATA / "wos.txt", source="WoS")
    import hashlib

    sha = hashlib.sha256((DATA / "wos.txt").read_bytes()).hexdigest()
    assert [r.record_id for r in recs] == [f"{sha[:8]}-1", f"{sha[:8]}-2"]
    assert recs[0].source == "WoS" and recs[0].kind == "database"
    assert recs[0].source_position == 1 and recs[0].source_line == 3
    assert recs[0].original_id == "WOS:000221830800001"


# ---- detection and bad input ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TY  - JOUR\nTI  - x\nER  - \n", "ris"),
        ("\n\nPMID- 1\nTI  - x\n", "medline"),
        ("FN Clarivate\nVR 1.0\nPT J\nTI x\nER\nEF\n", "wos"),
        ("PT\tAU\tTI\tUT\nJ\ta\tb\tc\n", "wos-tab"),
        ("% comment\n@article{k, title={x}}\n", "bibtex"),
        ('<?xml version="1.0"?><xml><records><record/></records></xml>', "endnote-xml"),
        ("%0 Journal Article\n%T Title\n%A Doe, J\n", "endnote"),
        ("Title,Authors,Year\nx,y,2000\n", "csv"),
        ("Title\tAuthors\tYear\nx\ty\t2000\n", "tsv"),
    ],
    ids=["ris", "medline", "wos", "wos-tab", "bibtex", "endnote-xml", "endnote", "csv", "tsv"],
)
def test_detect_format(text: str, expected: str):
    assert detect_format(text, "f") == expected


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("broken_empty.ris", "broken_empty.ris: is empty: it holds no records."),
        ("broken_unknown.txt", "broken_unknown.txt:1: is not in a format review can read"),
        ("broken_no_header.csv", "broken_no_header.csv:1: looks like a table, but none of its"),
        ("broken_quoting.csv", "broken_quoting.csv:2: cannot be read as CSV: unexpected end"),
        ("broken_xml.xml", "broken_xml.xml:2: is not well-formed XML"),
        ("broken_entities.xml", "broken_entities.xml: contains XML entity or DTD declarations"),
        ("missing.ris", "missing.ris: no such file. Check the path."),
    ],
    ids=["empty", "unknown", "no-header", "quoting", "xml", "xml-entities", "missing"],
)
def test_bad_input_is_a_clear_error(name: str, message: str):
    with pytest.raises(InputError) as exc:
        read_file(DATA / name)
    assert message in str(exc.value)


# ---- normalisation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Smith, John", "Smith, John"),
        ("Smith JA", "Smith, J. A."),
        ("Smith J.A.", "Smith, J. A."),
        ("Freund, K.B.", "Freund, K. B."),
        ("O'Donnell C. P.", "O'Donnell, C. P."),
        ("John Smith", "Smith, John"),
        ("P. Kogge", "Kogge, P."),
        ("Ludwig van Beethoven", "van Beethoven, Ludwig"),
        ("World Health Organization", "World Health Organization"),
        # corporate authors as Zotero writes them (plural forms too): never "Programs, Casey Family"
        ("Casey Family Programs", "Casey Family Programs"),
        ("Child Welfare Information Gateway", "Child Welfare Information Gateway"),
        ("Margaret Court", "Court, Margaret"),
        ("Cochrane", "Cochrane"),
        ("  Doe ,  Jane  ", "Doe, Jane"),
    ],
)
def test_norm_author(raw: str, expected: str):
    assert norm_author(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Zhai, Q. J. and Yue, X. Y.", ("Zhai, Q. J.", "Yue, X. Y.")),
        ("Aria, M.; Cuccurullo, C.", ("Aria, M.", "Cuccurullo, C.")),
        ("Liu R., Adler D.G.", ("Liu, R.", "Adler, D. G.")),
        ("Smith A, Walter B", ("Smith, A.", "Walter, B.")),
        ("Andy SmithTom Weber", ("Smith, Andy", "Weber, Tom")),
        ("Tan A.Schulze A.O'Donnell C. P.", ("Tan, A.", "Schulze, A.", "O'Donnell, C. P.")),
        ("['Marx, Karl', 'Lindgren, Astrid']", ("Marx, Karl", "Lindgren, Astrid")),
        ("Doe, Jane Mary;", ("Doe, Jane Mary",)),
    ],
)
def test_norm_authors_splits_strings(raw: str, expected: tuple[str, ...]):
    assert norm_authors(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://doi.org/10.1000/ABC.1", "10.1000/abc.1"),
        ("http://dx.doi.org/10.1002/cpp.2398", "10.1002/cpp.2398"),
        ("doi: 10.1063/1.4814070", "10.1063/1.4814070"),
        ("10.1016/j.x.2019.04.013 [doi]", "10.1016/j.x.2019.04.013"),
        ("not a doi", ""),
    ],
)
def test_norm_doi(raw: str, expected: str):
    assert norm_doi(raw) == expected


def test_norm_year_pages_type():
    assert norm_year("2019/05/01/") == 2019
    assert norm_year("Mar. 2017") == 2017
    assert norm_year("YEAR/MONTH/DAY/") is None
    assert norm_year(2001.0) == 2001
    assert norm_pages("376 -- 383") == "376-383"
    assert norm_pages("12–34") == "12-34"
    assert norm_pages("", "201", "215") == "201-215"
    assert norm_pages("", "e0815", "") == "e0815"
    assert norm_type("JOUR") == "article"
    assert norm_type("inproceedings") == "conference"
    assert norm_type("Proceedings Paper") == "conference"
    assert norm_type("Book Chapter") == "chapter"
    assert norm_type("something odd") == "other"
    assert norm_title("<i>Italic</i> &amp; bold") == "Italic & bold"


_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@given(
    title=_text,
    authors=st.lists(_text, max_size=4),
    year=_text,
    pages=_text,
    doi=_text,
    keywords=st.lists(_text, max_size=4),
    issn=_text,
)
def test_normalising_twice_changes_nothing(title, authors, year, pages, doi, keywords, issn):
    raw = {
        "title": title,
        "abstract": title,
        "authors": authors,
        "year": year,
        "pages": pages,
        "doi": doi,
        "keywords": keywords,
        "issn": issn,
        "type": title,
    }
    once = normalize_fields(raw)
    again = normalize_fields(once)
    assert again == once


_clean = st.text(max_size=40).map(clean_text).filter(lambda t: "<" not in t and "&" not in t)


@given(
    title=st.one_of(_clean, st.lists(_clean, max_size=2)),
    abstract=st.one_of(_clean, st.lists(_clean, max_size=3)),
    keywords=st.lists(_clean, max_size=4),
    journal=_clean,
    volume=st.one_of(st.none(), _clean),
    url=_clean,
    language=st.one_of(st.none(), _clean, st.lists(_clean, max_size=2)),
)
def test_normalize_fields_clean_promise_gives_the_same_fields(
    title, abstract, keywords, journal, volume, url, language
):
    """``clean=True`` (the RIS reader's fast path) only skips work: same fields, same order."""
    mapped = {
        "title": title,
        "abstract": abstract,
        "keywords": keywords,
        "journal": journal,
        "journal_alt": "Alt",
        "volume": volume,
        "url": url,
        "language": language,
        "authors": ["Smith, J."],
    }
    fast = normalize_fields(mapped, clean=True)
    assert fast == normalize_fields(mapped)
    assert tuple(fast) == FIELDS


_ris_value = st.sampled_from(
    ["Smith, J.", "a  b", "x ", "y\t", "<i>t</i>", "A &amp; B", "Müller", "“q”", "\xa0z", "", "1"]
)
_ris_tag_line = st.tuples(st.sampled_from(["TI", "AU", "KW", "AB", "SN", "DO", "TY"]), _ris_value)
# Mostly tag lines, so that many records are plain (read in one call).
_ris_line = st.one_of(
    *[_ris_tag_line.map("{0[0]}  - {0[1]}".format)] * 4,
    st.sampled_from(["", "  ", "continued", "PMID - 12"]),
)
_ris_record = st.tuples(
    st.sampled_from(["", "\n", "Record #1 of 2\n"]),
    _ris_value,
    st.lists(_ris_line, max_size=6),
    st.booleans(),
).map(lambda r: f"{r[0]}TY  - {r[1]}\n" + "".join(f"{x}\n" for x in r[2]) + "ER  - " * r[3])


@given(st.lists(_ris_record, min_size=1, max_size=5))
@example([f"TY  - JOUR\nTI  - {v}\nKW  - {v}\nER  - " for v in ("a  b", "x ", "\xa0z", "“q”")])
@example(["TY  - JOUR\nAB  - <i>t</i> &amp; u\nAU  - Smith, J.\nER  - ", "TY  - BOOK"])
def test_ris_plain_record_path_reads_like_the_line_by_line_path(records) -> None:
    """A plain record read in one call gives exactly what reading it line by line gives."""
    from review.io.readers import ris

    text = "\n".join(records)
    fast = ris.parse(text)
    original = ris._Reader.record
    try:
        ris._Reader.record = lambda *_: False  # type: ignore[method-assign]
        slow = ris.parse(text)
    finally:
        ris._Reader.record = original  # type: ignore[method-assign]
    assert fast.entries == slow.entries
    assert [e.raw for e in fast.entries] == [e.raw for e in slow.entries]
    assert (fast.found, fast.problems, fast.warnings) == (slow.found, slow.problems, slow.warnings)


# ---- never fewer records than the file holds ------------------------------------------------

_value = (
    st.text(
        st.characters(codec="utf-8", categories=("Lu", "Ll", "Nd", "Zs")), min_size=1, max_size=30
    )
    .map(str.strip)
    .filter(bool)
)


@st.composite
def ris_files(draw: st.DrawFn) -> tuple[str, int]:
    """RIS text with the quirks real exports have, and the number of records it holds."""
    n = draw(st.integers(1, 6))
    chunks = []
    for i in range(n):
        last = i == n - 1
        has_ty = draw(st.booleans())
        # A record may lack ER only if the next one starts with TY (or it is the last).
        next_has_ty = True
        has_er = True if not has_ty else draw(st.booleans())
        lines = []
        if i > 0 and chunks[-1][2] and draw(st.booleans()):
            lines.append(f"Record #{i + 1} of {n}")  # extraneous text after an ER
        if has_ty:
            lines.append("TY  - " + draw(st.sampled_from(["JOUR", "BOOK", "CHAP", "CONF"])))
        lines.append(f"TI  - Title {i}")
        for _ in range(draw(st.integers(0, 3))):
            lines.append(
                f"{draw(st.sampled_from(['AU', 'A1', 'KW', 'N2', 'AB']))}  - {draw(_value)}"
            )
            if draw(st.booleans()):
                lines.append("      " + draw(_value))  # continuation line
        chunks.append((lines, has_ty, has_er, next_has_ty, last))
    # Enforce: a record without ER must be followed by a record with TY.
    out_lines: list[str] = []
    for k, (lines, _has_ty, has_er, _next, last) in enumerate(chunks):
        following_has_ty = last or chunks[k + 1][1]
        out_lines.extend(lines)
        if has_er or not following_has_ty:
            out_lines.append("ER  - ")
        out_lines.append("")
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.sampled_from(["", "\ufeff"]))
    lead = draw(st.sampled_from(["", "\n\n", "Provider: X\n"]))
    return bom + lead + newline.join(out_lines), n


@given(ris_files())
def test_ris_reader_never_loses_a_record(sample: tuple[str, int]) -> None:
    import tempfile

    text, n = sample
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.ris"
        path.write_bytes(text.encode("utf-8"))
        result = read_file(path)
    assert result.found == n
    assert [e.fields["title"] for e in result.entries] == [f"Title {i}" for i in range(n)]


def test_csl_json_and_old_excel(tmp_path: Path):
    import json

    p = tmp_path / "zotero.json"
    p.write_text(
        json.dumps(
            [
                {
                    "id": "item1",
                    "type": "article-journal",
                    "title": "CSL title",
                    "container-title": "J CSL",
                    "author": [{"family": "Doe", "given": "Jane"}, {"literal": "WHO"}],
                    "issued": {"date-parts": [[2019, 4]]},
                    "DOI": "10.1000/CSL",
                    "page": "1-9",
                }
            ]
        )
    )
    result = read_file(p)
    assert (result.format, result.found) == ("json", 1)
    e = result.entries[0]
    assert e.original_id == "item1"
    assert (e.fields["type"], e.fields["title"], e.fields["journal"]) == (
        "article",
        "CSL title",
        "J CSL",
    )
    assert e.fields["authors"] == ("Doe, Jane", "WHO")
    assert (e.fields["year"], e.fields["doi"], e.fields["pages"]) == (2019, "10.1000/csl", "1-9")
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    with pytest.raises(InputError, match=r"old\.xls: is an old-style Excel \.xls"):
        read_file(xls)


def test_embase_csv_source_citation_and_comma_keywords(tmp_path: Path):
    p = tmp_path / "embase.csv"
    p.write_text(
        "Title,Author Names,Source,Emtree Medical Index Terms\n"
        '"Duplication cysts","Liu R., Adler D.G.",'
        '"Endoscopic Ultrasound (2014) 3:3 (152-160). Date of Publication: 1 Jul 2014",'
        '"article, duplication cyst (diagnosis, surgery), human"\n'
    )
    (e,) = read_file(p, column_map={"Emtree Medical Index Terms": "keywords"}).entries
    f = e.fields
    assert (f["journal"], f["year"], f["volume"], f["issue"], f["pages"]) == (
        "Endoscopic Ultrasound",
        2014,
        "3",
        "3",
        "152-160",
    )
    assert f["keywords"] == ("article", "duplication cyst (diagnosis, surgery)", "human")


def test_medline_group_authors_are_kept(tmp_path: Path):
    p = tmp_path / "g.nbib"
    p.write_text(
        "PMID- 1\nTI  - T.\nFAU - Doe, Jane\nAU  - Doe J\nCN  - ASTRO-CM Team\nDP  - 2015\n"
    )
    (e,) = read_file(p).entries
    assert e.fields["authors"] == ("Doe, Jane", "ASTRO-CM Team")


def test_bibtex_bare_percent_and_ampersand_are_kept(tmp_path: Path):
    # Plain LaTeX decoding would drop everything after % (a comment) and turn & into spaces.
    p = tmp_path / "x.bib"
    p.write_text(
        "@article{k, title = {50% of {P}atients in Wiley & Sons trials},"
        ' url = {https://x.org/a?b=1%2F&c=2}, publisher = {M{\\"u}ller & Co}}\n'
    )
    (e,) = read_file(p).entries
    assert e.fields["title"] == "50% of Patients in Wiley & Sons trials"
    assert e.fields["url"] == "https://x.org/a?b=1%2F&c=2"
    assert ("publisher", "Müller & Co") in e.raw


def test_booktitle_fills_an_empty_journal_row_by_row(tmp_path: Path):
    p = tmp_path / "bib_dedupe.csv"
    p.write_text(
        '"ID","ENTRYTYPE","title","journal","booktitle","year"\n'
        '"id_1","inproceedings","A paper","","Proc. of Things",2020\n'
        '"id_2","article","Another","J Stuff","",2021\n'
    )
    a, b = read_file(p).entries
    assert (a.original_id, a.fields["type"], a.fields["journal"]) == (
        "id_1",
        "conference",
        "Proc. of Things",
    )
    assert b.fields["journal"] == "J Stuff"


_cell = st.text(
    st.characters(codec="utf-8", categories=("Lu", "Ll", "Nd"), include_characters=' ,;"\t\n'),
    max_size=25,
)


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[bytes, int]:
    """Delimited exports with a preamble, quoting, embedded newlines, BOM and CRLF."""
    import csv
    import io

    n = draw(st.integers(1, 8))
    delim = draw(st.sampled_from([",", ";", "\t"]))
    buf = io.StringIO()
    for line in draw(st.lists(st.sampled_from(["Search query", "Exported 2024"]), max_size=2)):
        buf.write(line + "\n")
    writer = csv.writer(buf, delimiter=delim, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(["Title", "Authors", "Abstract", "Year"])
    for i in range(n):
        writer.writerow([f"Title {i}", draw(_cell), draw(_cell), draw(st.integers(1900, 2030))])
    bom = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
    return bom + buf.getvalue().encode("utf-8"), n


@given(csv_files())
def test_csv_reader_never_loses_a_row(sample: tuple[bytes, int]) -> None:
    import tempfile

    data, n = sample
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.csv"
        path.write_bytes(data)
        result = read_file(path)
    assert result.format in ("csv", "tsv")
    assert [e.fields["title"] for e in result.entries] == [f"Title {i}" for i in range(n)]
