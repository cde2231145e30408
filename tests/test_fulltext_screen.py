"""Full texts: extraction into the cache, `review status`, and reading them in both screeners.

The PDFs are real ones written by ``review.io.textpdf`` (matplotlib) from the texts below and
committed under tests/data/fulltext (so the tests need not import matplotlib); regenerate them
with ``python tests/test_fulltext_screen.py`` after changing a text.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from review.cli import app
from review.io.textpdf import write_text_pdf
from review.project import Project
from tests.helpers.screen import log_lines, project_at_fulltext

runner = CliRunner()
FT = "full-text"

PAGE_1 = "Introduction. " + "Families meet the child welfare agency every week. " * 60
PAGE_2 = "Methods. " + "Mentors with lived experience offered peer advocacy to parents. " * 50
PAGE_3 = "Results. " + "The zebrafish finding was unexpected in this context. " * 40


PDF_TEXT = "\n".join((PAGE_1, PAGE_2, PAGE_1, PAGE_3))  # 3 pages of 56 lines


def _article() -> str:
    return "\f".join((PAGE_1, PAGE_2, PAGE_3))


FIXTURES = Path(__file__).parent / "data" / "fulltext"
PDFS = {  # committed file -> (text, write_text_pdf options)
    "article.pdf": (PDF_TEXT, {}),
    "scan.pdf": (PAGE_1, {"scanned": True}),
    "first-line-title.pdf": ("db study number 3 of peer support\n" + PAGE_2, {}),
    "metadata-title.pdf": (PAGE_1, {"title": "db study number 4 of peer support"}),
}


def _pdf(path: Path, text: str, **kw) -> Path:
    """A real PDF: every paragraph wrapped onto pages by matplotlib (standard Times font)."""
    write_text_pdf(path, text, fonttype=14, **kw)
    return path


def _fixture(name: str, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FIXTURES / name, dest)
    return dest


def _keywords(project: Project) -> Project:
    p = project.protocol_path
    text = p.read_text(encoding="utf-8")
    text = text.replace("include: []", "include: [peer advoca*, mentor*]")
    text = text.replace("exclude: []", "exclude: [zebrafish]")
    p.write_text(text, encoding="utf-8")
    return Project.open(project.root)


def _cli(project: Project, *args: str):
    result = runner.invoke(app, [*args, "-p", str(project.root)])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def attached(project: Project, tmp_path: Path):
    """Records at full text; db.1 has a 3-page PDF, db.2 a scan, db.3 HTML, db.4 plain text."""
    ids = project_at_fulltext(project)
    project = _keywords(project)
    folder = project.root / "fulltexts"
    _fixture("article.pdf", folder / "10.1234_db.1.pdf")
    _fixture("scan.pdf", folder / "10.1234_db.2.pdf")
    (folder / "10.1234_db.3.html").write_text(
        "<html><head><style>p{color:red}</style><script>var x=1;</script></head><body>"
        "<h1>Peer advocacy &amp; parents</h1><p>" + PAGE_2 + "</p></body></html>",
        encoding="utf-8",
    )
    (folder / "10.1234_db.4.txt").write_text(_article(), encoding="utf-8")
    _cli(project, "fulltext", "attach", str(folder), "--by", "Ana", "--no-extract", "-q")
    return project, ids


def test_extract_pdf_html_text_and_scan(attached):
    project, _ids = attached
    data = json.loads(_cli(project, "fulltext", "extract", "--json", "-q").stdout)
    files = {Path(f["path"]).name: f for f in data["files"]}
    assert files["10.1234_db.1.pdf"]["status"] == "text"
    from review.io.textpdf import paginate

    assert files["10.1234_db.1.pdf"]["pages"] == len(paginate(PDF_TEXT)) == 3
    assert files["10.1234_db.2.pdf"]["status"] == "no-text"
    assert "without a text layer" in files["10.1234_db.2.pdf"]["message"]
    assert (files["10.1234_db.3.html"]["status"], files["10.1234_db.3.html"]["pages"]) == (
        "text",
        1,
    )
    assert (files["10.1234_db.4.txt"]["status"], files["10.1234_db.4.txt"]["pages"]) == ("text", 3)
    assert data["extracted_now"] == 4
    from review.screen.fulltext_text import load_text

    pdf = load_text(project, "fulltexts/10.1234_db.1.pdf", extract=False)
    words = " ".join(" ".join(pdf.pages).split())
    assert "The zebrafish finding was unexpected" in words
    assert "Mentors with lived experience offered peer advocacy to parents." in words
    html = load_text(project, "fulltexts/10.1234_db.3.html", extract=False).pages[0]
    assert html.startswith("Peer advocacy & parents\n") and "var x" not in html
    assert "color:red" not in html
    # a second run reads nothing again; status lists the scan by name
    again = json.loads(_cli(project, "fulltext", "extract", "--json", "-q").stdout)
    assert again["extracted_now"] == 0
    status = _cli(project, "status").stdout
    assert "full texts: 4 files attached; 3 with text, 1 without a text layer" in status
    assert "no text layer (scanned?): fulltexts/10.1234_db.2.pdf" in status
    # a changed file is read again; a deleted one is reported, nothing crashes
    (project.root / "fulltexts" / "10.1234_db.4.txt").write_text("short", encoding="utf-8")
    (project.root / "fulltexts" / "10.1234_db.3.html").unlink()
    third = json.loads(_cli(project, "fulltext", "extract", "--json", "-q").stdout)
    got = {Path(f["path"]).name: f["status"] for f in third["files"]}
    assert got["10.1234_db.4.txt"] == "no-text" and got["10.1234_db.3.html"] == "missing"
    assert "missing: fulltexts/10.1234_db.3.html" in _cli(project, "status").stdout


def test_damaged_pdf_is_reported_not_fatal(project: Project, tmp_path: Path):
    from review.screen.fulltext_text import extract_file

    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 this is not really a PDF")
    ft = extract_file(bad)
    assert ft.status == "error" and ft.message.startswith("cannot read")
    assert extract_file(tmp_path / "x.docx").status == "missing"
    (tmp_path / "x.docx").write_bytes(b"PK")
    assert extract_file(tmp_path / "x.docx").status == "unsupported"


def _strip_styles(view, line: int) -> list[tuple[str, str]]:
    strip = view.render_line(line)
    return [(seg.text, str(seg.style.bgcolor.name if seg.style and seg.style.bgcolor else ""))
            for seg in strip]  # fmt: skip


@pytest.mark.slow  # ~4.5 s of Textual pilot; the line-mode full-text tests stay fast
def test_pilot_scroll_search_keyword_hit_and_decide(attached, monkeypatch):
    """Acceptance: open the full-text screener on a real multi-page PDF, scroll, search a word,
    jump to a keyword hit, open the file (no viewer here), decide; the decision is logged."""
    project, ids = attached
    from review.cli.ui.textview import FullTextView
    from review.cli.ui.tui import ScreenerApp
    from review.screen import fulltext_text
    from review.screen.session import ScreeningSession

    monkeypatch.setattr(fulltext_text, "viewer_command", lambda path: None)
    s = ScreeningSession(project, FT, "Ana")
    s.pos = s.queue.index(ids[0])  # the record with the PDF

    async def go() -> dict:
        out: dict = {}
        app = ScreenerApp(s)
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause()
            view = app.screen.query_one(FullTextView)
            message = app.screen.query_one("#message")
            out["title0"] = str(view.border_title)
            out["has_focus"] = view.has_focus
            await pilot.press("pagedown", "pagedown")
            await pilot.pause()
            out["scrolled"] = view.scroll_y
            await pilot.press("slash", *"zebrafish", "enter")
            await pilot.pause()
            out["search_msg"] = str(message.render())
            out["match"] = view.doc.text[view.current.start : view.current.end]
            out["title_search"] = str(view.border_title)
            row = view.doc.line_of(view.current.start) - int(view.scroll_y)
            out["match_line"] = _strip_styles(view, row)
            await pilot.press("right_square_bracket")
            await pilot.pause()
            out["next_msg"] = str(message.render())
            await pilot.press("home", "k")
            await pilot.pause()
            out["hit_msg"] = str(message.render())
            out["hit"] = (view.current.kind, view.doc.text[view.current.start : view.current.end])
            row = view.doc.line_of(view.current.start) - int(view.scroll_y)
            out["hit_line"] = _strip_styles(view, row)
            await pilot.press("o")
            await pilot.pause()
            out["open_msg"] = str(message.render())
            await pilot.press("i")
            await pilot.pause()
            out["after"] = str(app.screen.query_one("#meta").render())
            await pilot.press("q")
        return out

    out = asyncio.run(go())
    s.close()
    assert out["has_focus"]
    assert out["title0"] == "Full text · 3 pages"  # the record's abstract comes first
    assert out["scrolled"] > 20
    assert out["match"] == "zebrafish"
    from review.io.textpdf import paginate

    pages = paginate(PDF_TEXT)
    first = next(n for n, lines in enumerate(pages, 1) if "zebrafish" in " ".join(lines))
    assert out["search_msg"].startswith(f"Match 1 of 40 for 'zebrafish' (page {first})")
    assert out["title_search"] in (
        f"Full text · page {first - 1} of 3",
        f"Full text · page {first} of 3",
    )
    assert ("zebrafish", "bright_yellow") in out["match_line"] or any(
        t == "zebrafish" and bg for t, bg in out["match_line"]
    )
    assert out["next_msg"].startswith("Match 2 of 40")
    assert out["hit"][0] == "include" and out["hit"][1].lower().startswith(("mentor", "peer"))
    assert out["hit_msg"].startswith("Keyword hit 1 of ")
    assert any(bg == "green3" for _t, bg in out["hit_line"])
    assert out["open_msg"].startswith("No system viewer found")
    assert ids[0] not in out["after"]  # moved on to the next record
    lines = log_lines(project, "Ana")
    assert [(x["record_id"], x["decision"]) for x in lines if x["stage"] == FT] == [
        (ids[0], "include")
    ]


def test_scan_shows_a_notice_in_the_screener(attached):
    project, ids = attached
    from review.cli.ui.textview import FullTextView
    from review.cli.ui.tui import ScreenerApp
    from review.screen.session import ScreeningSession

    s = ScreeningSession(project, FT, "Ana")
    s.pos = s.queue.index(ids[1])

    async def go() -> str:
        app = ScreenerApp(s)
        async with app.run_test() as pilot:
            await pilot.pause()
            return app.screen.query_one(FullTextView).doc.text

    text = asyncio.run(go())
    s.close()
    assert "This file has no text layer (1 page without a text layer (scanned?))" in text
    assert "press o to open it" in text


def test_line_mode_pages_through_the_text(attached):
    project, ids = attached
    from review.cli.ui.lineui import run_line
    from review.screen.session import ScreeningSession

    s = ScreeningSession(project, FT, "Ana")
    s.pos = s.queue.index(ids[3])  # the plain-text file: 3 pages split by form feeds
    commands = iter(["t", "t", "t 3", "t 9", "i", "q"])
    out: list[str] = []
    run_line(s, lambda prompt: next(commands, None), out.append)
    s.close()
    text = "\n".join(out)
    assert "10.1234_db.4.txt (3 pages; t shows page 1, o opens the file)" in text
    assert "--- page 1 of 3 ---\nIntroduction." in text
    assert "--- page 2 of 3 ---\nMethods." in text
    assert "--- page 3 of 3 ---\nResults." in text and "last page; t starts again" in text
    assert "Give a page from 1 to 3 (t N)." in text
    assert [x["record_id"] for x in log_lines(project, "Ana") if x["stage"] == FT] == [ids[3]]


@pytest.mark.slow
def test_text_pdf_is_byte_deterministic_and_fixtures_are_current(tmp_path: Path):
    a = _pdf(tmp_path / "a.pdf", PAGE_2, title="T", keywords="doi:10.1/x")
    b = _pdf(tmp_path / "b.pdf", PAGE_2, title="T", keywords="doi:10.1/x")
    assert a.read_bytes() == b.read_bytes()
    assert b"doi:10.1/x" in a.read_bytes() and b"CreationDate" not in a.read_bytes()
    for name, (text, kw) in PDFS.items():
        assert _pdf(tmp_path / name, text, **kw).read_bytes() == (FIXTURES / name).read_bytes()


def test_attach_matches_a_pdf_by_its_title_inside_and_extracts(project: Project, tmp_path: Path):
    """A PDF named like a download ('scan001.pdf') is matched by its metadata or first line;
    attach extracts the new files' text at once."""
    ids = project_at_fulltext(project)
    folder = tmp_path / "downloads"
    _fixture("first-line-title.pdf", folder / "scan001.pdf")
    _fixture("metadata-title.pdf", folder / "article.pdf")
    data = json.loads(
        _cli(project, "fulltext", "attach", str(folder), "--json", "-q").stdout
    )  # fmt: skip
    got = {m["record_id"]: (Path(m["file"]).name, m["matched_by"]) for m in data["matched"]}
    assert got == {ids[2]: ("scan001.pdf", "title"), ids[3]: ("article.pdf", "title")}
    assert data["extracted"]["extracted_now"] == 2
    assert data["extracted"]["counts"] == {"text": 2}
    again = _cli(project, "fulltext", "extract", "-q").stdout
    assert again.startswith("2 attached files: 2 with text (2 pages), 0 read now")


def test_open_file_fails_politely(attached, monkeypatch):
    project, _ids = attached
    from review.screen import fulltext_text as ftt

    stored = "fulltexts/10.1234_db.1.pdf"
    monkeypatch.setattr(ftt, "viewer_command", lambda path: None)
    assert ftt.open_file(project, stored).startswith("No system viewer found")
    monkeypatch.setattr(ftt, "viewer_command", lambda path: ["false", str(path)])
    monkeypatch.setattr(ftt, "has_display", lambda: False)
    assert ftt.open_file(project, stored).startswith("No graphical display here")
    monkeypatch.setattr(ftt, "has_display", lambda: True)
    assert ftt.open_file(project, stored) == (
        f"false could not open the file (exit code 1): open {project.root / stored} yourself."
    )
    monkeypatch.setattr(ftt, "viewer_command", lambda path: ["true", str(path)])
    assert ftt.open_file(project, stored).startswith("Opened ")
    assert ftt.open_file(project, "fulltexts/gone.pdf").startswith("The attached file is missing")


if __name__ == "__main__":
    for name, (text, kw) in PDFS.items():
        _pdf(FIXTURES / name, text, **kw)


def test_text_document_layout_search_and_jumps():
    from review.cli.ui.tui import keyword_pattern
    from review.screen.textdoc import TextDocument

    pages = ["Peer\nadvocacy helps. " + "word " * 30 + "x" * 50, "Second page: PEER advocacy."]
    doc = TextDocument(
        pages,
        sections=(("Abstract", "An abstract."),),
        include=keyword_pattern(("peer advoca*",)),
        exclude=keyword_pattern(("abstract",)),
    )
    lines = doc.wrap(20)
    assert all(e - s <= 20 for s, e in lines)
    # wrapping drops only the spaces it breaks at (a word longer than a line is cut)
    shown = "".join(doc.text[s:e] for s, e in lines)
    assert "".join(shown.split()) == "".join(doc.text.split())
    assert "x" * 20 in [doc.text[s:e] for s, e in lines]
    assert [doc.text[s:e] for s, e in lines[:4]] == [
        "Abstract", "An abstract.", "", "── page 1 of 2 ──"
    ]  # fmt: skip
    assert doc.is_marker(lines[3][0]) and not doc.is_marker(lines[4][0])
    assert doc.page_at_line(1) == 0 and doc.page_at_line(4) == 1
    assert doc.page_at_line(len(lines) - 1) == 2
    # a keyword phrase matches across a line break and in any case; exclude hits too
    assert [(h.kind, doc.text[h.start : h.end]) for h in doc.hits] == [
        ("exclude", "Abstract"),
        ("exclude", "abstract"),
        ("include", "Peer\nadvocacy"),
        ("include", "PEER advocacy"),
    ]
    assert doc.search("peer   ADVOCACY") == 2
    assert doc.search("nothing here") == 0 and doc.matches == []
    doc.search("peer")
    first, second = (m.start for m in doc.matches)
    assert TextDocument.next_index(doc.matches, -1, True) == 0
    assert TextDocument.next_index(doc.matches, first, True) == 1
    assert TextDocument.next_index(doc.matches, second, True) == 0  # wraps
    assert TextDocument.next_index(doc.matches, first, False) == 1  # wraps backwards
    assert [
        doc.text[s.start : s.end] for s in TextDocument.spans_in(0, first + 2, doc.matches)
    ] == ["Peer"]


def test_extract_with_nothing_attached_says_what_to_do(project: Project):
    project_at_fulltext(project)
    out = _cli(project, "fulltext", "extract", "-q").stdout
    assert out.strip() == "No full texts are attached yet: run `review fulltext attach DIR` first."
    assert "full texts:" not in _cli(project, "status").stdout
