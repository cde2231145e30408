"""import(export(x)) keeps every normalised field, for RIS, BibTeX, CSV and XLSX (Hypothesis)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from review.io.export import export_records, to_csv
from review.io.readers import read_file
from review.io.readers.normalize import normalize_fields
from review.model import FIELDS, RECORD_TYPES, Record

LETTERS = st.characters(
    codec="utf-8",
    categories=("Lu", "Ll"),
    exclude_characters="ʼ",
)
# Everything a title or abstract may hold, spreadsheet-formula starters included.
PUNCT = " .,:;!?()[]{}'\"/&%$#_~^=+-@*<>|`\\"
TEXT_CHARS = st.one_of(LETTERS, st.sampled_from(PUNCT), st.sampled_from("0123456789éüßłЖ中"))

free_text = st.text(TEXT_CHARS, max_size=60).filter(lambda s: not s.lstrip().startswith("'"))
word = st.text(LETTERS, min_size=1, max_size=10).filter(lambda w: w.lower() != "and")
name_part = st.lists(word, min_size=1, max_size=3).map(" ".join)
initials = st.lists(st.sampled_from("ABCDEFGHJKLMNPRSTW"), min_size=1, max_size=3).map(
    lambda cs: " ".join(f"{c}." for c in cs)
)
author = st.builds(lambda s, g: f"{s}, {g}", name_part, st.one_of(name_part, initials))
issn = st.builds(
    lambda a, b, c: f"{a:04d}-{b:03d}{c}",
    st.integers(0, 9999),
    st.integers(0, 999),
    st.sampled_from("0123456789X"),
)
isbn = st.sampled_from(["978-0-306-40615-7", "0-306-40615-2", "9781860163593"])
doi = st.builds(
    lambda reg, suffix: f"10.{reg}/{suffix}",
    st.integers(1000, 99999),
    st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789.-_()/"), min_size=1, max_size=20),
).filter(lambda d: not d.endswith((".", ",", ";")))
keyword = st.text(TEXT_CHARS, min_size=1, max_size=20).filter(
    lambda k: ";" not in k and not k.lstrip().startswith("'")
)
pages = st.one_of(
    st.builds(lambda a, b: f"{a}-{a + b}", st.integers(1, 5000), st.integers(0, 50)),
    st.builds(lambda a: f"e{a}", st.integers(1, 99999)),
    st.just(""),
)
short = st.one_of(st.just(""), st.text(st.sampled_from("0123456789ABab-"), max_size=6)).filter(
    lambda s: not s.startswith("-")
)


@st.composite
def records(draw: st.DrawFn) -> Record:
    raw = {
        "type": draw(st.sampled_from(RECORD_TYPES)),
        "title": draw(free_text),
        "abstract": draw(free_text),
        "authors": draw(st.lists(author, max_size=4)),
        "year": draw(st.one_of(st.none(), st.integers(1500, 2100).map(str))),
        "journal": draw(free_text),
        "volume": draw(short),
        "issue": draw(short),
        "pages": draw(pages),
        "doi": draw(st.one_of(st.just(""), doi)),
        "pmid": draw(st.one_of(st.just(""), st.integers(1, 99999999).map(str))),
        "issn": draw(st.lists(st.one_of(issn, word), max_size=2)),
        "isbn": draw(st.lists(st.one_of(isbn, word), max_size=2)),
        "keywords": draw(st.lists(keyword, max_size=4)),
        "url": draw(st.one_of(st.just(""), word.map(lambda w: f"https://example.org/{w}"))),
        "language": draw(st.one_of(st.just(""), word)),
    }
    fields = normalize_fields(raw)
    n = draw(st.integers(1, 10_000))
    return Record(
        record_id=f"abcdef12-{n}",
        source="Test",
        kind="database",
        source_file="data/imports/x/file.ris",
        source_position=n,
        original_id=draw(st.one_of(st.just(""), word)),
        **fields,
    )


def _round_trip(recs: list[Record], fmt: str) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"out.{fmt}"
        export_records(recs, fmt, path)
        return [e.fields for e in read_file(path, fmt=fmt).entries]


@pytest.mark.slow  # CI runs it (pytest -m slow); the default loop stays fast
@pytest.mark.parametrize("fmt", ["ris", "bibtex", "csv", "xlsx"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recs=st.lists(records(), min_size=1, max_size=4))
def test_import_of_export_keeps_every_normalised_field(fmt: str, recs: list[Record]) -> None:
    back = _round_trip(recs, fmt)
    assert len(back) == len(recs)
    for got, rec in zip(back, recs, strict=True):
        want = rec.fields_dict()
        assert {k: got[k] for k in FIELDS} == want


@settings(max_examples=60, deadline=None)
@given(recs=st.lists(records(), min_size=1, max_size=3))
def test_csv_cells_never_start_a_formula(recs: list[Record]) -> None:
    import csv
    import io

    for row in csv.reader(io.StringIO(to_csv(recs))):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_csv_round_trip_keeps_citation_like_journals_and_digits(tmp_path: Path) -> None:
    rec = Record(
        record_id="abcdef12-1",
        source="T",
        kind="database",
        source_file="f",
        source_position=1,
        journal="Endoscopic Ultrasound (2014) 3:3 (152-160)",
        title="Published 1999",
        keywords=("a, b",),
    )
    for fmt in ("csv", "xlsx"):
        path = tmp_path / f"x.{fmt}"
        export_records([rec], fmt, path)
        (entry,) = read_file(path).entries
        assert entry.fields == rec.fields_dict()
