"""Every bibliographic export in ../shared/data/exports imports with exactly its record count.

The expected counts were made by counting record markers with grep, independently of our
readers (``^ER``/``^TY`` for RIS, ``^ER`` for Web of Science, ``^PMID-`` and blank-line blocks
for MEDLINE, ``@type{`` outside @comment/@string/@preamble for BibTeX, ``<record>`` /
``<PubmedArticle>`` for XML, ``"title"`` keys for JSON, ``<N>`` for Ovid, ``%0``/``%T`` blocks for tagged EndNote, and
pandas row counts for CSV/TSV/XLSX); the comments explain the files where markers disagree.
Files that hold no records, or are broken on purpose, must fail with a clear message instead.
"""

from __future__ import annotations

import pytest

from review.errors import InputError
from review.io.readers import read_file
from tests.helpers.paths import shared_path

EXPECTED: list[tuple[str, str, int]] = [
    ("asreview/demo_data/_baseline.ris", "ris", 100),
    ("asreview/demo_data/baseline_empty_values.ris", "ris", 4),
    ("asreview/demo_data/baseline_reference_types.ris", "ris", 61),
    ("asreview/demo_data/baseline_tag-notes.ris", "ris", 12),
    ("asreview/demo_data/baseline_tag-notes_labels.ris", "ris", 32),
    ("asreview/demo_data/baseline_tag-notes_zotero.ris", "ris", 4),
    (
        "asreview/demo_data/baseline_tag_and_field_definitions.ris",
        "ris",
        2,
    ),  # 2 ER, 1 TY: one record has no TY
    ("asreview/demo_data/baseline_tag_and_field_definitions_lists.ris", "ris", 1),
    ("asreview/demo_data/baseline_zotero.ris", "ris", 100),
    (
        "asreview/demo_data/duplicate_records.csv",
        "csv",
        14,
    ),  # ';'-delimited, 4 rows with blank title
    ("asreview/demo_data/embase.csv", "csv", 6),
    ("asreview/demo_data/embase.ris", "ris", 6),  # 6 ER, 5 TY: one record has no TY
    ("asreview/demo_data/embase_newpage.csv", "csv", 6),
    ("asreview/demo_data/faulty_year.ris", "ris", 1),
    ("asreview/demo_data/generic.csv", "csv", 2),
    ("asreview/demo_data/generic_bad_record_id.csv", "csv", 6),
    ("asreview/demo_data/generic_column_names_with_spaces.csv", "csv", 2),
    ("asreview/demo_data/generic_labels.csv", "csv", 6),
    ("asreview/demo_data/generic_labels_no_abs.csv", "csv", 6),
    ("asreview/demo_data/generic_labels_no_title.csv", "csv", 6),
    ("asreview/demo_data/generic_partial_labels.csv", "csv", 6),
    ("asreview/demo_data/generic_semicolon.csv", "csv", 2),
    ("asreview/demo_data/generic_tab.csv", "tsv", 2),
    ("asreview/demo_data/generic_tab.tab", "tsv", 2),
    ("asreview/demo_data/generic_tab.tsv", "tsv", 2),
    ("asreview/demo_data/missing_values.csv", "csv", 4),
    (
        "asreview/demo_data/ovid_psycinfo.ris",
        "ris",
        6,
    ),  # an NL tag after each ER belongs to the record before
    ("asreview/demo_data/ovid_zotero.ris", "ris", 6),
    ("asreview/demo_data/proquest.ris", "ris", 6),
    ("asreview/demo_data/pubmed_endnote.txt", "ris", 6),
    ("asreview/demo_data/pubmed_zotero.ris", "ris", 6),
    ("asreview/demo_data/record_id.csv", "csv", 10),
    ("asreview/demo_data/ris_issue_1099.txt", "ris", 7),
    ("asreview/demo_data/ris_issue_992.txt", "ris", 19),
    ("asreview/demo_data/scopus.ris", "ris", 6),
    ("asreview/demo_data/web_of_science.txt", "ris", 10),
    ("asreview/webapp_tests/ris_many_authors.ris", "ris", 1),
    ("bibliometrix/lens_sample.csv", "csv", 8),
    ("bibliometrix/openalex_sample.csv", "csv", 8),
    ("bibliometrix/scopus_sample.csv", "csv", 8),
    ("bibliometrix/wos_sample.txt", "wos", 8),
    ("bibtexparser-v1/article.bib", "bibtex", 1),
    ("bibtexparser-v1/article_comma_first.bib", "bibtex", 2),
    ("bibtexparser-v1/article_comma_normal_multiple.bib", "bibtex", 3),
    ("bibtexparser-v1/article_comma_normal_single.bib", "bibtex", 1),
    ("bibtexparser-v1/article_field_name_with_underscore.bib", "bibtex", 1),
    ("bibtexparser-v1/article_homogenize.bib", "bibtex", 1),
    ("bibtexparser-v1/article_missing_coma.bib", "bibtex", 4),
    ("bibtexparser-v1/article_multilines.bib", "bibtex", 1),
    ("bibtexparser-v1/article_no_braces.bib", "bibtex", 1),
    ("bibtexparser-v1/article_oneline.bib", "bibtex", 2),
    ("bibtexparser-v1/article_start_with_bom.bib", "bibtex", 1),
    ("bibtexparser-v1/article_start_with_whitespace.bib", "bibtex", 2),
    ("bibtexparser-v1/article_with_annotation.bib", "bibtex", 1),
    ("bibtexparser-v1/article_with_protection_braces.bib", "bibtex", 1),
    ("bibtexparser-v1/article_with_special_characters.bib", "bibtex", 1),
    ("bibtexparser-v1/article_with_strings.bib", "bibtex", 1),
    ("bibtexparser-v1/biber-examples.bib", "bibtex", 118),
    ("bibtexparser-v1/book.bib", "bibtex", 1),
    ("bibtexparser-v1/book_bom.bib", "bibtex", 1),
    ("bibtexparser-v1/book_capital_AND.bib", "bibtex", 1),
    ("bibtexparser-v1/book_comma_first.bib", "bibtex", 1),
    ("bibtexparser-v1/comments_percentage.bib", "bibtex", 2),
    ("bibtexparser-v1/comments_percentage_nolastcoma.bib", "bibtex", 2),
    ("bibtexparser-v1/comments_spaces_and_declarations.bib", "bibtex", 1),
    ("bibtexparser-v1/crossref_cascading.bib", "bibtex", 4),
    ("bibtexparser-v1/crossref_cascading_aliases.bib", "bibtex", 3),
    ("bibtexparser-v1/crossref_cascading_cycle.bib", "bibtex", 2),
    ("bibtexparser-v1/crossref_entries.bib", "bibtex", 14),
    ("bibtexparser-v1/crossref_missing_entries.bib", "bibtex", 1),
    ("bibtexparser-v1/encoding.bib", "bibtex", 1),
    ("bibtexparser-v1/features.bib", "bibtex", 1),
    ("bibtexparser-v1/features2.bib", "bibtex", 1),
    ("bibtexparser-v1/fieldname.bib", "bibtex", 1),
    ("bibtexparser-v1/multiple_entries.bib", "bibtex", 3),
    ("bibtexparser-v1/multiple_entries_and_comments.bib", "bibtex", 3),
    ("bibtexparser-v1/string.bib", "bibtex", 1),
    ("bibtexparser-v1/traps.bib", "bibtex", 1),
    ("bibtexparser-v1/website.bib", "bibtex", 1),
    ("bibtexparser-v1/wrong.bib", "bibtex", 2),
    ("bibtexparser-v1/xref_entries.bib", "bibtex", 8),
    ("bibtexparser-v1/xref_missing_entries.bib", "bibtex", 1),
    ("colrev/dedupe/records.bib", "bibtex", 21),
    ("colrev/dedupe/records_expected.bib", "bibtex", 19),
    ("colrev/loader/bib_data.bib", "bibtex", 6),
    ("colrev/loader/csv_data.csv", "csv", 2),
    ("colrev/loader/enl_data.enl", "endnote", 3),  # 3 blank-line separated %T blocks
    ("colrev/loader/nbib_data.nbib", "medline", 1),
    ("colrev/loader/ris_data.ris", "ris", 2),  # 2 TY, 1 ER (first record has none); 'PMID - ' line
    ("colrev/loader/xlsx_data.xlsx", "xlsx", 3),
    ("colrev/search_sources/abi_inform_proquest_bib.bib", "bibtex", 2),
    ("colrev/search_sources/abi_inform_proquest_ris.ris", "ris", 2),
    ("colrev/search_sources/acm_bib.bib", "bibtex", 2),
    ("colrev/search_sources/ais_enl.txt", "endnote", 6),  # 6 %T blocks
    ("colrev/search_sources/crossref_bib.bib", "bibtex", 1),
    ("colrev/search_sources/dblp_bib.bib", "bibtex", 2),
    (
        "colrev/search_sources/ebsco_bib.bib",
        "bibtex",
        2,
    ),  # 2nd entry is broken BibTeX: read leniently
    ("colrev/search_sources/eric_nbib.nbib", "medline", 1),
    ("colrev/search_sources/europe_pmc_bib.bib", "bibtex", 2),
    ("colrev/search_sources/files_dir_bib.bib", "bibtex", 3),
    ("colrev/search_sources/google_scholar.json", "json", 7),  # Publish or Perish JSON
    ("colrev/search_sources/ieee_csv.csv", "csv", 2),
    ("colrev/search_sources/ieee_ris.ris", "ris", 2),
    ("colrev/search_sources/jstor_ris.ris", "ris", 4),
    ("colrev/search_sources/psycinfo_ris.ris", "ris", 1),
    ("colrev/search_sources/pubmed_csv.csv", "csv", 1),
    ("colrev/search_sources/scopus_bib.bib", "bibtex", 11),
    ("colrev/search_sources/springer_csv.csv", "csv", 1),
    ("colrev/search_sources/taylor_and_francis_bib.bib", "bibtex", 2),
    ("colrev/search_sources/trid_ris.ris", "ris", 3),
    ("colrev/search_sources/unknown_source_bib.bib", "bibtex", 1),
    ("colrev/search_sources/web_of_science_bib.bib", "bibtex", 2),
    ("colrev/search_sources/wiley_bib.bib", "bibtex", 2),
    ("jabref/Endnote.book.example.enw", "endnote", 1),
    ("jabref/Endnote.entries.enw", "endnote", 13),  # JabRef's synthetic file: 13 %0 type lines
    ("jabref/EndnoteXmlImporterTestArticle.xml", "endnote-xml", 1),
    ("jabref/EndnoteXmlImporterTestArticle2.xml", "endnote-xml", 2),
    ("jabref/EndnoteXmlImporterTestLabelAndMultiTitle.xml", "endnote-xml", 3),
    ("jabref/EndnoteXmlImporterTestReport.xml", "endnote-xml", 1),
    ("jabref/EndnoteXmlImporterTest_EmptyKeywordStyle.xml", "endnote-xml", 1),
    ("jabref/EndnoteXmlImporterTest_WithoutUrlStyle.xml", "endnote-xml", 1),
    ("jabref/EndnoteXmlImporterTest_WithoutUrlStyle2.xml", "endnote-xml", 2),
    ("jabref/IsiImporterTest1.isi", "wos", 1),
    ("jabref/IsiImporterTest2.isi", "wos", 3),
    ("jabref/IsiImporterTestInspec.isi", "wos", 2),
    ("jabref/IsiImporterTestMedline.isi", "wos", 2),
    ("jabref/IsiImporterTestWOS.isi", "wos", 2),
    ("jabref/MedlineImporterTestArticleID.xml", "pubmed-xml", 1),
    ("jabref/MedlineImporterTestArticleItalics.xml", "pubmed-xml", 1),
    ("jabref/MedlineImporterTestArticleNoISSN.xml", "pubmed-xml", 1),
    ("jabref/MedlineImporterTestBookArticleSet.xml", "pubmed-xml", 2),
    ("jabref/MedlineImporterTestKeywordSingleEntry.xml", "pubmed-xml", 1),
    ("jabref/MedlineImporterTestMathML.xml", "pubmed-xml", 1),
    ("jabref/MedlineImporterTestMeshHeadingList.xml", "pubmed-xml", 1),
    ("jabref/MedlineImporterTestMinimalEntry.xml", "pubmed-xml", 1),
    ("jabref/MedlineImporterTestNbib.xml", "pubmed-xml", 2),
    ("jabref/MedlineImporterTestPubmedBook.xml", "pubmed-xml", 1),
    ("jabref/MedlinePlainImporterStringOutOfBounds.txt", "medline", 2),
    ("jabref/MedlinePlainImporterTestCompleteEntry.txt", "medline", 1),
    ("jabref/MedlinePlainImporterTestDOI.txt", "medline", 1),
    ("jabref/MedlinePlainImporterTestInproceeding.txt", "medline", 1),
    ("jabref/MedlinePlainImporterTestMultiAbstract.txt", "medline", 1),
    ("jabref/MedlinePlainImporterTestMultiTitle.txt", "medline", 1),
    (
        "jabref/MedlinePlainImporterTestMultipleEntries.txt",
        "medline",
        7,
    ),  # 5 PMID + 2 PMC-only blocks
    ("jabref/NbibImporterTest.nbib", "medline", 1),
    ("jabref/OvidImporterTest1.txt", "ovid", 5),
    ("jabref/OvidImporterTest3.txt", "ovid", 1),
    ("jabref/OvidImporterTest4.txt", "ovid", 1),
    ("jabref/OvidImporterTest5.txt", "ovid", 1),
    ("jabref/OvidImporterTest6.txt", "ovid", 1),
    ("jabref/OvidImporterTest7.txt", "ovid", 1),
    ("jabref/RisImporterCorrupted.ris", "ris", 1),
    ("jabref/RisImporterTest1.ris", "ris", 3),  # 11 TY (9 in a row = 1), 1 ER: 3 records
    ("jabref/RisImporterTest3.ris", "ris", 1),
    ("jabref/RisImporterTest4a.ris", "ris", 1),
    ("jabref/RisImporterTest4b.ris", "ris", 1),
    ("jabref/RisImporterTest4c.ris", "ris", 1),
    ("jabref/RisImporterTest5a.ris", "ris", 1),
    ("jabref/RisImporterTest5b.ris", "ris", 1),
    ("jabref/RisImporterTest6.ris", "ris", 1),
    ("jabref/RisImporterTest7.ris", "ris", 1),
    ("jabref/RisImporterTest8_date.ris", "ris", 1),
    ("jabref/RisImporterTest9.ris", "ris", 1),
    ("jabref/RisImporterTestDOI.ris", "ris", 1),
    ("jabref/RisImporterTestDate1.1.ris", "ris", 1),
    ("jabref/RisImporterTestDate1.2.ris", "ris", 1),
    ("jabref/RisImporterTestDoiAndJournalTitle.ris", "ris", 1),
    ("jabref/RisImporterTestScience.ris", "ris", 1),
    ("jabref/RisImporterTestScopus.ris", "ris", 1),
    ("jabref/RisImporterTestWithEmptyER.ris", "ris", 1),
    ("litstudy/example.ris", "ris", 25),
    ("litstudy/ieee.csv", "csv", 10),
    ("litstudy/scopus.csv", "csv", 58),  # BOM; extra 'Funding Text' cells folded back
    ("litstudy/springer.csv", "csv", 18),
    ("revtools/avian_ecology_bibliography.ris", "ris", 20),
    ("revtools/restoration_WoS.ciw", "wos", 247),
    ("revtools/restoration_pubmed.nbib", "medline", 104),
    ("revtools/restoration_scopus.ris", "ris", 286),
    ("rispy/example_basic.ris", "ris", 1),
    ("rispy/example_bom.ris", "ris", 1),
    ("rispy/example_custom_list_tags.ris", "ris", 1),
    ("rispy/example_empty_tag.ris", "ris", 1),
    ("rispy/example_extraneous_data.ris", "ris", 2),
    ("rispy/example_full.ris", "ris", 2),
    ("rispy/example_full_without_whitespace.ris", "ris", 2),
    ("rispy/example_full_write.ris", "ris", 2),
    ("rispy/example_multi_unknown_tags.ris", "ris", 1),
    ("rispy/example_multiline.ris", "ris", 3),  # 'ER then...' is a continuation, not an ER
    ("rispy/example_single_unknown_tag.ris", "ris", 1),
    ("rispy/example_starting_newlines.ris", "ris", 1),
    ("rispy/example_urls.ris", "ris", 4),
    ("rispy/example_utf_chars.ris", "ris", 1),
    ("rispy/example_wos.ris", "wos", 2),
    ("synthesisr/extdata/scopus.ris", "ris", 92),
    ("synthesisr/extdata/zoorec.txt", "wos", 134),
    ("synthesisr/testdata/ASP_ris_example.ris", "ris", 4),
    ("synthesisr/testdata/Ovid_ris_example.ris", "ris", 4),
    ("synthesisr/testdata/PubMed_example.txt", "medline", 3),
    ("synthesisr/testdata/Scopus_bib_example.bib", "bibtex", 3),
    ("synthesisr/testdata/Scopus_ris_example.ris", "ris", 3),
    ("synthesisr/testdata/WoS_ciw_example.ciw", "wos", 5),
    ("synthesisr/testdata/WoS_txt_example.txt", "wos", 4),
    ("synthesisr/testdata/citesource_issue_24.ris", "ris", 17),
    ("synthesisr/testdata/eviatlas.csv", "csv", 1),
    ("synthesisr/testdata/eviatlas.tsv", "tsv", 1),
    ("synthesisr/testdata/eviatlas.txt", "ris", 1),
    ("synthesisr/testdata/litsearchr.txt", "bibtex", 1),
    ("synthesisr/testdata/res_synth_methods.txt", "medline", 2),
    ("wosfile/wos_plaintext.txt", "wos", 50),
    ("wosfile/wos_tab_delimited_win_utf16.txt", "wos-tab", 50),
    ("wosfile/wos_tab_delimited_win_utf8.txt", "wos-tab", 50),
]

# Files that are not importable, with the start of the message the user gets.
REFUSED: list[tuple[str, str]] = [
    ("bibtexparser-v1/comments_only.bib", "no records found in this bibtex file"),
    ("bibtexparser-v1/common_strings.bib", "no records found in this bibtex file"),  # @string only
    ("bibtexparser-v1/empty.bib", "is empty: it holds no records"),
    ("bibtexparser-v1/multiline_comments.bib", "no records found in this bibtex file"),
    ("jabref/IsiImporterTestEmpty.isi", "is not in a format review can read"),  # " ##" only
    ("jabref/MedlineImporterTestMalformedEntry.xml", "is not well-formed XML"),
    ("jabref/OvidImporterTest2Invalid.txt", "is not in a format review can read"),  # no <N>
]


@pytest.mark.parametrize(("rel", "fmt", "count"), EXPECTED, ids=[r for r, _, _ in EXPECTED])
def test_real_export_imports_every_record(rel: str, fmt: str, count: int) -> None:
    path = shared_path("exports", rel)
    result = read_file(path)
    assert result.format == fmt
    assert len(result.entries) == count
    assert result.found == count, "marker count and parsed records disagree"
    assert [e.position for e in result.entries] == list(range(1, count + 1))
    assert not [p for p in result.problems if p.position is not None]
    # Records carry something: a title, an author or an id (except the deliberately empty ones).
    empty = [e.position for e in result.entries if not any(e.fields.values())]
    assert len(empty) <= (count if rel.startswith("jabref/") else 0)


@pytest.mark.parametrize(("rel", "message"), REFUSED, ids=[r for r, _ in REFUSED])
def test_unimportable_files_fail_with_a_clear_message(rel: str, message: str) -> None:
    path = shared_path("exports", rel)
    with pytest.raises(InputError) as exc:
        read_file(path)
    text = str(exc.value)
    assert text.startswith(str(path))
    assert message in text


def test_every_export_file_is_listed() -> None:
    root = shared_path("exports")
    on_disk = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    listed = {r for r, _, _ in EXPECTED} | {r for r, _ in REFUSED}
    assert on_disk - listed == set(), "new export files: add them with their record counts"
    assert listed - on_disk == set()


@pytest.mark.parametrize(
    ("name", "records"),
    [
        ("tests_small", 9),  # 10 data lines, one of them an empty row (",,,,")
        ("special_cases", 12),
        ("stroke", 1292),
        ("cytology_screening", 1856),
        ("digital_work", 7159),
    ],
)
def test_bib_dedupe_tables_load_with_their_ids(name: str, records: int) -> None:
    from review.importer import load_file_records

    path = shared_path("dedup", name, "records_pre_merged.csv")
    recs = load_file_records(path, source=name)
    assert len(recs) == records
    assert all(r.original_id.startswith("id_") for r in recs)
    assert len({r.original_id for r in recs}) == records
    assert sum(1 for r in recs if r.title) >= records - 1


def test_the_same_wos_records_read_alike_in_all_three_wos_formats() -> None:
    plain = read_file(shared_path("exports", "wosfile", "wos_plaintext.txt")).entries
    tab8 = read_file(shared_path("exports", "wosfile", "wos_tab_delimited_win_utf8.txt")).entries
    tab16 = read_file(shared_path("exports", "wosfile", "wos_tab_delimited_win_utf16.txt")).entries
    assert len(plain) == len(tab8) == len(tab16) == 50
    for a, b, c in zip(plain, tab8, tab16, strict=True):
        assert a.original_id == b.original_id == c.original_id
        assert a.fields == b.fields == c.fields


@pytest.mark.parametrize(
    ("rel", "original_id", "doi", "year", "first_author", "title_start"),
    [
        ("revtools/restoration_scopus.ris", "", "10.1097/icb.0000000000000530", 2019,
         "Zahid, S.", "LONG-TERM FOLLOW-UP OF RETINAL PIGMENT"),
        ("revtools/restoration_WoS.ciw", "WOS:000455039600059", "10.1016/j.scitotenv.2018.11.375",
         2019, "Alvarez-Manzaneda, I.", "Do magnetic phosphorus adsorbents"),
        ("revtools/restoration_pubmed.nbib", "30689646", "10.1371/journal.pone.0209483", 2019,
         "Wu, Dan", "Ecosystem services changes between 2000"),
        ("synthesisr/extdata/zoorec.txt", "ZOOREC:ZOOR15512090342", "", 2019,
         "Stillman, Andrew N.", "Nest site selection and nest survival"),
        ("asreview/demo_data/_baseline.ris", "000-463-679-101-319", "10.1007/s11307-012-0572-0",
         2012, "Blomberg, Björn A.", "The Value of Radiologic Interventions"),
        ("litstudy/scopus.csv", "2-s2.0-27344436659", "10.1002/jcc.20289", 2005,
         "Phillips, J. C.", "Scalable molecular dynamics with NAMD"),
        ("colrev/search_sources/scopus_bib.bib", "Firstwriter2022", "10.1111/88888888.2022.7777777",
         2022, "Firstwriter, Z.", "Article classified as document_type"),
        ("jabref/EndnoteXmlImporterTestArticle.xml", "2954", "10.1038/bjc.2014.606", 2015,
         "Ahmad, A. S.", "Trends in the lifetime risk of developing"),
    ],
    ids=lambda v: v if isinstance(v, str) and "/" in v and not v.startswith("10.") else "",
)  # fmt: skip
def test_first_record_fields_of_real_exports(
    rel, original_id, doi, year, first_author, title_start
):
    first = read_file(shared_path("exports", rel)).entries[0]
    assert first.original_id == original_id
    assert first.fields["doi"] == doi
    assert first.fields["year"] == year
    assert first.fields["authors"][0] == first_author
    assert first.fields["title"].startswith(title_start)


@pytest.mark.slow  # CI runs it (pytest -m slow); the default loop stays fast
@pytest.mark.parametrize("fmt", ["ris", "bibtex", "csv", "xlsx"])
def test_every_real_export_round_trips_through_our_exports(fmt: str, tmp_path) -> None:
    from review.importer import load_file_records
    from review.io.export import XLSX_CELL_LIMIT, export_records

    root = shared_path("exports")
    records = [r for rel, _, _ in EXPECTED for r in load_file_records(root / rel, source="x")]
    assert len(records) == sum(n for _, _, n in EXPECTED)
    out = tmp_path / f"all.{fmt}"
    export_records(records, fmt, out)
    back = read_file(out).entries
    assert len(back) == len(records)
    for rec, entry in zip(records, back, strict=True):
        want = rec.fields_dict()
        if fmt == "xlsx" and any(len("; ".join(v)) > XLSX_CELL_LIMIT for v in
                                 (rec.authors, rec.keywords)):  # fmt: skip
            continue  # Excel cannot hold it (the export warns); CSV keeps it
        assert entry.fields == want, rec.record_id


def test_pubmed_ids_from_endnote_ris_accession_numbers() -> None:
    # EndNote writes a PubMed record's PMID as AN with "DP  - NLM".
    entries = read_file(
        shared_path("exports", "asreview", "demo_data", "pubmed_endnote.txt")
    ).entries
    assert [e.fields["pmid"] for e in entries[:2]] == ["21553931", "29459515"]
