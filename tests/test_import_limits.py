"""Readers never lose records silently, stay linear, and refuse hostile input with a message."""

from __future__ import annotations

import csv
import io
import os
import threading
import time
import zipfile
from pathlib import Path

import pytest

from review.errors import InputError
from review.io.readers import parse_bytes, read_bytes


def table(n: int, who_rows: int) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["Title", "Authors", "Year", "Abstract"])
    for i in range(n):
        abstract = f"Background.\n@WHO (2020) guidance {i}." if i < who_rows else "Plain."
        w.writerow([f"Study {i}", "Smith, J", "2020", abstract])
    return buf.getvalue().encode()


@pytest.mark.parametrize("who_rows", [1, 50])
def test_csv_with_a_bibtex_looking_line_is_read_as_csv(who_rows: int):
    result = parse_bytes(table(50, who_rows), "who.csv")
    assert result.format == "csv" and len(result.entries) == 50
    assert any("reads as CSV (50 records) and as bibtex" in w for w in result.warnings)


def test_one_line_bibtex_counts_every_entry():
    data = b"".join(b"@article{k%d, title={T %d}, year={2020}} " % (i, i) for i in range(300))
    result = parse_bytes(data, "one.bib")
    assert (result.found, len(result.entries), result.problems) == (300, 300, [])


def _xlsx(rows: int, dimension: str) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Title", "Authors", "Year", "DOI"])
    for i in range(rows):
        ws.append([f"Study {i}", "Smith, J", 2020, f"10.1234/study{i}"])
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                start = text.index('<dimension ref="')
                end = text.index('"', start + 16)
                data = (text[: start + 16] + dimension + text[end:]).encode()
            dst.writestr(info, data)
    return out.getvalue()


@pytest.mark.parametrize("dimension", ["A1:C3", "A1"])
def test_xlsx_with_a_wrong_dimension_tag_reads_every_row_and_column(dimension: str):
    result = parse_bytes(_xlsx(100, dimension), "lying.xlsx")
    assert len(result.entries) == 100
    assert result.entries[-1].fields["doi"] == "10.1234/study99"  # column D, past the tag's C


def test_xlsx_zip_bomb_is_refused_before_inflating(monkeypatch: pytest.MonkeyPatch):
    import review.io.readers.tabular as tab

    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (8 << 20))
    monkeypatch.setattr(tab, "_BOMB_PART", 1 << 20)  # the real limit is 50 MB; same ratio rule
    with pytest.raises(InputError, match="zip bomb"):
        parse_bytes(data.getvalue(), "bomb.xlsx")
    monkeypatch.setattr(tab, "MAX_XLSX_INFLATED", 4 << 20)
    monkeypatch.setattr(tab, "_BOMB_PART", 1 << 30)
    with pytest.raises(InputError, match="would inflate to 8 MB"):
        parse_bytes(data.getvalue(), "bomb.xlsx")


WOS = (
    "FN Clarivate Analytics Web of Science\nVR 1.0\n"
    + "".join(
        f"PT J\nAU Smith, J\nTI Study {i}\nSO Journal\nPY 2020\nUT WOS:{i:015d}\nER\n\n"
        for i in range(5)
    )
    + "EF\n"
)
MEDLINE = "".join(
    f"PMID- {100 + i}\nTI  - Study {i}\nAU  - Smith J\nDP  - 2020\nSO  - J. 2020;1:1.\n\n"
    for i in range(5)
)
ENW = "".join(f"%0 Journal Article\n%T Study {i}\n%A Smith, J\n%D 2020\n\n" for i in range(5))
OVID = "".join(
    f"<{i + 1}>\nTitle\n  Study {i}\nAuthors\n  Smith J\nYear of Publication\n  2020\n"
    f"Source\n  Journal 1:1.\n\n"
    for i in range(5)
)
CSV_TEXT = "Title,Authors,Year,DOI\n" + "".join(
    f'Study {i},"Smith, J",2020,10.1/{i}\n' for i in range(5)
)
WOS_TAB = "PT\tAU\tTI\tSO\tPY\tUT\n" + "".join(
    f"J\tSmith, J\tStudy {i}\tJournal\t2020\tWOS:{i}\n" for i in range(5)
)


@pytest.mark.parametrize(
    ("text", "fmt", "cut_at"),
    [
        (WOS, "wos", "TI Study 4\n"),
        (MEDLINE, "medline", "AU  - Smith J\nDP  - 2020\n\n"[:10]),
        (ENW, "endnote", "%T Stu"),
        (OVID, "ovid", "Year of Publication\n  2020\n"),
        (CSV_TEXT, "csv", '4,"Smith, J",'),
        (WOS_TAB, "wos-tab", "Study 4\tJour"),
    ],
)
def test_truncated_exports_warn(text: str, fmt: str, cut_at: str):
    whole = parse_bytes(text.encode(), f"x.{fmt}")
    assert whole.format == fmt and len(whole.entries) == 5
    assert not any("cut off" in w for w in whole.warnings), whole.warnings
    end = text.rindex(cut_at) + len(cut_at)
    cut = parse_bytes(text[:end].encode(), f"x.{fmt}")
    assert any("cut off" in w for w in cut.warnings), cut.warnings


# ---- bounded resources --------------------------------------------------------------------------


def test_deeply_nested_bibtex_is_refused_fast():
    data = b"@article{k, title=" + b"{" * 1_000_000 + b"}" * 1_000_000 + b"}\n"
    start = time.perf_counter()
    with pytest.raises(InputError, match="nested more than 100 levels"):
        parse_bytes(data, "deep.bib")
    assert time.perf_counter() - start < 5


def test_bare_ty_lines_are_linear():
    start = time.perf_counter()
    result = parse_bytes(b"TY  - \n" * 100_000, "bare.ris")
    assert time.perf_counter() - start < 10  # was > 300 s (a scan of the record per line)
    assert len(result.entries) == 1


def test_many_percent_zero_lines_are_linear():
    text = "%A Smith\n" * 20_000 + "%0 Journal Article\n" * 20_000
    start = time.perf_counter()
    result = parse_bytes(text.encode(), "many.enw", fmt="endnote")
    assert time.perf_counter() - start < 10
    assert len(result.entries) == 20_000


def test_deeply_nested_json_is_a_clear_error():
    with pytest.raises(InputError, match="nested too deeply"):
        parse_bytes(b"[" * 200_000, "deep.json")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_devices_and_symlinks_to_them_are_refused(tmp_path: Path, device: str):
    if not Path(device).exists():
        pytest.skip(f"no {device}")
    link = tmp_path / "export.ris"
    link.symlink_to(device)
    for path in (Path(device), link):
        with pytest.raises(InputError, match="a device, not an export file"):
            read_bytes(path)


def test_fifo_is_refused_without_blocking(tmp_path: Path):
    fifo = tmp_path / "pipe.ris"
    os.mkfifo(fifo)
    done: list[str] = []

    def attempt() -> None:
        try:
            read_bytes(fifo)
        except InputError as exc:
            done.append(str(exc))

    t = threading.Thread(target=attempt, daemon=True)
    t.start()
    t.join(5)
    assert done and "named pipe" in done[0]


def test_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "big.ris"
    path.write_bytes(b"TY  - JOUR\nTI  - x\nER  - \n" * 100_000)
    monkeypatch.setenv("REVIEW_MAX_IMPORT_MB", "1")
    with pytest.raises(InputError, match=r"larger than 1 MB.*REVIEW_MAX_IMPORT_MB"):
        read_bytes(path)


def test_folder_is_refused(tmp_path: Path):
    with pytest.raises(InputError, match="is a folder"):
        read_bytes(tmp_path)


# ---- XML: no entity expansion, no file access ---------------------------------------------------

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
{root}
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file://{path}">]>
{root}
"""
ROOTS = {
    "endnote-xml": "<xml><records><record><titles><title>&{ent};</title></titles></record>"
    "</records></xml>",
    "pubmed-xml": "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
    "<ArticleTitle>&{ent};</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
    "</PubmedArticleSet>",
}


@pytest.mark.parametrize("fmt", sorted(ROOTS))
def test_xml_entities_are_refused(fmt: str, tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    laughs = LAUGHS.replace("{root}", ROOTS[fmt].replace("{ent}", "lol4"))
    external = EXTERNAL.replace("{path}", str(secret)).replace(
        "{root}", ROOTS[fmt].replace("{ent}", "secret")
    )
    for payload in (laughs, external):
        with pytest.raises(InputError, match="refused for safety") as info:
            parse_bytes(payload.encode(), f"x.{fmt}")
        assert "TOP-SECRET" not in str(info.value) and "lollol" not in str(info.value)
