"""Issue 21, outputs and terminals: hostile text in records, settings and logs never breaks or
takes over an output. The project of tests/helpers/hostile.py carries script breakers (``<!--``,
``</script>``, U+2028), spreadsheet formulas, terminal escapes (CSI, OSC 8, C1), bidi overrides
and Rich markup in its titles, source name, exclusion-reason label, notes and charted text."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from review.cli import app
from tests.helpers.hostile import (
    MARKUP,
    NOTE,
    REASON_LABEL,
    SOURCE,
    TERMINAL,
    TITLES,
    hostile_project,
)

# What must never reach a terminal or a CSV raw: ESC and the other C0 controls but tab/newline,
# DEL, C1 controls, bidi embeddings/overrides/isolates.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
RAW_CELL_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
WIDE = {"COLUMNS": "2000"}  # no wrapping, so printed values can be found whole


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("hostile") / "proj"
    return hostile_project(root)


def invoke(args: list[str], **kw):
    return CliRunner().invoke(app, args, env=WIDE, **kw)


def assert_clean_exit(result, code: int = 0) -> str:
    """No traceback, the expected exit code; stdout + stderr."""
    out = result.output
    assert result.exit_code == code, out + repr(result.exception)
    assert "Traceback" not in out
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return out


# ---- the report: inline JSON, CSP, Download CSV -------------------------------------------------


def test_script_json_escapes_every_breaker() -> None:
    from review.report.html import _script_json

    obj = {"source": SOURCE, "label": REASON_LABEL, "titles": list(TITLES), "k<!--": [">&"]}
    text = _script_json(obj)
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text
    assert json.loads(text) == obj  # the old `<\!--` was not JSON at all


def test_report_runs_only_its_own_script_and_is_reproducible(hostile) -> None:
    project, _ = hostile
    out = project.root.parent / "report-a.html"
    assert_clean_exit(invoke(["report", "-o", str(out), "-p", str(project.root), "-q"]))
    page = out.read_text(encoding="utf-8")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    script_src = re.search(r"script-src ([^;]*);", csp).group(1)
    assert "unsafe-inline" not in script_src
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 1 and page.count("</script") == 2  # the JSON block and the page script
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert script_src == f"'sha256-{digest}'"
    data = re.search(r'id="report-data">(.*?)</script>', page, re.S).group(1)
    assert "<" not in data and json.loads(data)["citations"]
    again = project.root.parent / "report-b.html"
    assert_clean_exit(invoke(["report", "-o", str(again), "-p", str(project.root), "-q"]))
    assert again.read_bytes() == out.read_bytes()  # a hash, not a random nonce


@pytest.mark.slow
def test_hostile_report_in_headless_chromium(hostile, tmp_path: Path) -> None:
    """The browser parses the page data, the PRISMA counts open their records, the charting
    tables fill, Download CSV writes no formula, and the smuggled script never runs."""
    from selenium.webdriver.common.by import By

    from tests.test_report import CHROMEDRIVER, CHROMIUM, chromium_driver

    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("no Chromium/chromedriver installed (apt-get install chromium chromium-driver)")
    project, ids = hostile
    out = tmp_path / "report.html"
    assert_clean_exit(invoke(["report", "-o", str(out), "-p", str(project.root), "-q"]))
    browser = chromium_driver(str(tmp_path / "profile"))
    try:
        browser.get(out.resolve().as_uri())
        assert browser.execute_script("return typeof window.reviewReport") == "object"
        assert browser.execute_script("return window.pwned") is None
        counts = browser.find_elements(By.CSS_SELECTOR, "svg.prisma g.count")
        keys = [json.loads(g.get_attribute("data-keys")) for g in counts]
        source = " ".join(SOURCE.split())  # as stored (U+2028 is a space to str.split)
        assert [f"identified.{source}"] in keys and ["records_excluded_by_reason.hostile"] in keys
        screened = counts[keys.index(["records_screened"])]
        browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click'))", screened)
        browser.implicitly_wait(5)
        rows = browser.find_elements(By.CSS_SELECTOR, "#explain-table tbody tr")
        assert len(rows) == len(ids)
        shown = browser.find_element(By.ID, "explain-table").text
        assert '=HYPERLINK("http://x","y") <!--a' in shown and "[/link]" in shown  # as text
        browser.implicitly_wait(0)
        csv_text = browser.execute_async_script(
            "var done = arguments[0]; window.reviewReport.csv(['records_screened'])"
            ".then(done, function (e) { done('failed: ' + e); });"
        )
        assert csv_text.count("\r\n") == len(ids) + 1
        assert "'=HYPERLINK" in csv_text and ",=HYPERLINK" not in csv_text
        assert not RAW_CELL_CONTROL.search(csv_text) and "\\u202e" in csv_text
        charted = browser.find_elements(By.CSS_SELECTOR, "table.data tbody tr")
        assert charted  # the sortable charting tables were drawn from the page data
        assert browser.execute_script("return window.pwned") is None
        errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
        assert errors == []
    finally:
        browser.quit()


# ---- -o never overwrites the project's truth, a link, a FIFO or a device -------------------------


def _targets(root: Path, tmp: Path) -> dict[str, tuple[Path, str]]:
    """name -> (path given to -o, the words the refusal must use)."""
    log = next((root / "data" / "screening").glob("*.jsonl"))
    raw = next((root / "data" / "imports").glob("*/hostile-export.csv"))
    real = tmp / "real.xlsx"
    real.write_bytes(b"keep me")
    link = tmp / "link.xlsx"
    if not link.is_symlink():
        link.symlink_to(real)
    fifo = tmp / "fifo.xlsx"
    if not fifo.exists():
        os.mkfifo(fifo)
    folder = tmp / "folder.xlsx"
    folder.mkdir(exist_ok=True)
    return {
        "decision log": (log, "data/ folder"),
        "raw import copy": (raw, "data/ folder"),
        "new file in data/": (root / "data" / "new.xlsx", "data/ folder"),
        "protocol": (root / "protocols" / "protocol.yaml", "protocols/ folder"),
        "schema": (root / "extraction_schema.yaml", "settings files"),
        "git": (root / ".git" / "x.xlsx", ".git/ folder"),
        "symlink": (link, "symbolic link"),
        "fifo": (fifo, "not a regular file"),
        "folder": (folder, "is a folder"),
        "proc": (Path("/proc/self/x.xlsx"), "system path"),
        "device": (Path("/dev/null"), "system path"),
    }


OUTPUT_COMMANDS = {
    "export": ["export", "--format", "csv", "-o"],
    "report": ["report", "-q", "-o"],
    "report checklist": ["report", "checklist", "-o"],
    "prisma explain": ["prisma", "explain", "records_screened", "-o"],
    "screen export": ["screen", "export", "--stage", "title-abstract", "--reviewer", "Ana", "-o"],
    "dedup export": ["dedup", "export", "-o"],
    "chart template": ["chart", "template", "--force", "-q", "-o"],
    "chart consensus": ["chart", "consensus", "--force", "-o"],
}


@pytest.mark.parametrize("command", sorted(OUTPUT_COMMANDS))
def test_output_option_refuses_truth_links_fifos_folders_and_system_paths(
    hostile, tmp_path: Path, command: str
) -> None:
    project, _ = hostile
    root = project.root
    (root / ".git").mkdir(exist_ok=True)
    before = {p: p.read_bytes() for p in (root / "data").rglob("*") if p.is_file()}
    before |= {p: p.read_bytes() for p in (root / "protocols").rglob("*") if p.is_file()}
    before[root / "extraction_schema.yaml"] = (root / "extraction_schema.yaml").read_bytes()
    targets = _targets(root, tmp_path)
    if command not in ("export", "chart template"):  # the others: one target of each kind
        targets = {k: v for k, v in targets.items() if k in ("decision log", "schema", "fifo")}
        targets |= {k: v for k, v in _targets(root, tmp_path).items() if k in ("symlink", "proc")}
    for name, (target, words) in targets.items():
        result = invoke([*OUTPUT_COMMANDS[command], str(target), "-p", str(root)])
        if name == "folder" and result.exit_code == 2:  # Click's own check (dir_okay=False)
            words = "is a directory"
        out = assert_clean_exit(result, result.exit_code or 1)
        assert result.exit_code in (1, 2), (name, out)
        assert words in " ".join(out.split()), (name, out)
    after = {p: p.read_bytes() for p in before}
    assert after == before
    assert not (root / "data" / "new.xlsx").exists() and not (root / ".git" / "x.xlsx").exists()
    assert (tmp_path / "link.xlsx").is_symlink() and (tmp_path / "real.xlsx").read_bytes() == (
        b"keep me"
    )
    assert not (tmp_path / "fifo.xlsx").is_file()


def test_simulate_output_folder_is_checked(tmp_path: Path) -> None:
    link = tmp_path / "sim"
    link.symlink_to(tmp_path)
    labelled = tmp_path / "labelled.csv"
    labelled.write_text("title,label\na,1\n", encoding="utf-8")
    result = invoke(["simulate", str(labelled), "-o", str(link)])
    assert "symbolic link" in assert_clean_exit(result, 1)
    result = invoke(["simulate", str(labelled), "-o", "/proc/self/sim"])
    assert "system path" in assert_clean_exit(result, 1)


# ---- terminals: markup literal, control characters shown as escapes ------------------------------


def test_names_and_paths_with_markup_print_literally(hostile, tmp_path: Path) -> None:
    """Every command that prints an -o path or a name prints it as given; no MarkupError."""
    project, _ = hostile
    root = tmp_path / "proj"  # a copy: this test imports charting
    shutil.copytree(project.root, root)
    p = ["-p", str(root)]
    bob, link = "Bob [/x]", "[link=http://evil.example]ann2[/link]"
    cases = [
        (["chart", "template", "-o", str(tmp_path / "form [draft].xlsx"), "--reviewer", bob],
         ["form [draft].xlsx", f"--reviewer '{bob}'"]),
        (["chart", "template", "-o", str(tmp_path / "f2 [b].xlsx"), "--reviewer", link],
         ["f2 [b].xlsx", f"--reviewer '{link}'"]),
        (["screen", "export", "--stage", "title-abstract", "--reviewer", "Ana", "-o",
          str(tmp_path / "sheet [draft].xlsx")], ["sheet [draft].xlsx"]),
        (["dedup", "export", "-o", str(tmp_path / "pairs [draft].xlsx"), "--reviewer", bob],
         ["pairs [draft].xlsx"]),
        (["export", "--format", "csv", "-o", str(tmp_path / "recs [draft].csv")],
         ["recs [draft].csv"]),
        (["prisma", "explain", "records_screened", "-o", str(tmp_path / "x [draft].csv")],
         ["x [draft].csv", "[bold]m[/bold]", link]),
        (["prisma", "explain", f"identified.{SOURCE}"], ["[draft]"]),
        (["chart", "import", str(tmp_path / "form [draft].xlsx"), "--reviewer", bob],
         [f"Imported {bob}'s charting"]),
        (["chart", "summary"], []),
        (["status"], ["[draft]"]),
        (["report", "checklist", "-o", str(tmp_path / "c [draft].xlsx")], ["c [draft].xlsx"]),
    ]  # fmt: skip
    for args, literal in cases:
        result = invoke([*args, *p])
        out = result.output
        assert "MarkupError" not in out and "Traceback" not in out, (args, out)
        assert result.exception is None or isinstance(result.exception, SystemExit), args
        for text in literal:
            assert text in out, (args, text, out)
        assert not RAW_CONTROL.search(out), (args, out)


def test_every_print_escapes_control_characters() -> None:
    """The consoles of every command: ESC, C1 and bidi overrides from data arrive as escapes,
    tables included; the JSON of --json escapes them too and stays the same JSON."""
    from rich.table import Table

    from review.cli.common import out_console, print_json

    runner = CliRunner()
    with runner.isolation() as (out, *_):
        t = Table("x")
        t.add_row(TERMINAL)
        con = out_console()
        con.print(TERMINAL)
        con.print(t)
        print_json({"t": TERMINAL})
        text = out.getvalue().decode("utf-8")
    assert not RAW_CONTROL.search(text)
    assert "\\x1b[2J" in text and "\\u202e" in text and "\\x9b" in text
    assert json.loads(text[text.index("{") :]) == {"t": TERMINAL}


def test_line_mode_screen_never_sends_escapes(hostile) -> None:
    project, _ = hostile
    result = invoke(
        ["screen", "--stage", "title-abstract", "--reviewer", "Cleo", "--line", "--order",
         "random", "-p",
         str(project.root)],
        input="?\nq\n",
    )  # fmt: skip
    out = assert_clean_exit(result)
    assert "Wrong <!--a" in out  # the hostile reason label is shown…
    assert "\\x1b]8;;http://evil.example" in out  # …with its escapes visible, never live
    assert not RAW_CONTROL.search(out)


def test_screener_app_never_shows_raw_escapes(hostile) -> None:
    from review.cli.ui.tui import ScreenerApp
    from review.screen.session import ScreeningSession

    project, _ = hostile
    session = ScreeningSession(project, "title-abstract", "Dora", order="random")

    async def go() -> list[str]:
        app = ScreenerApp(session)
        async with app.run_test() as pilot:
            await pilot.pause()
            shown = [str(w.render()) for w in app.screen.query("Static")]
            await pilot.press("q")
        return shown

    try:
        shown = asyncio.run(go())
    finally:
        session.close()
    text = "\n".join(shown)
    assert "Wrong <!--a" in text and "\\x1b]8;;" in text
    assert not RAW_CONTROL.search(text)


def test_resolve_shows_notes_with_escapes(tmp_path: Path) -> None:
    project, _ = hostile_project(tmp_path / "proj", chart=False)
    result = invoke(
        ["resolve", "--stage", "full-text", "--resolver", "Cleo", "-p", str(project.root)],
        input="q\n",
    )
    out = assert_clean_exit(result)
    assert "\\x1b[2J" in out and MARKUP in out  # the note, literally
    assert not RAW_CONTROL.search(out)
    assert NOTE  # (stored as typed: the log is the truth)


@pytest.mark.parametrize("source", ["A\x1b[2JB", "Bad\x9b", "rtl\u202eevil", "x\x00y"])
def test_source_name_with_control_characters_is_refused(project, tmp_path: Path, source) -> None:
    f = tmp_path / "a.ris"
    f.write_text("TY  - JOUR\nTI  - A title\nER  - \n", encoding="utf-8")
    result = invoke(["import", str(f), "--source", source, "-p", str(project.root)])
    out = assert_clean_exit(result, 1)
    assert "control or bidi-override character" in out
    assert not (project.root / "data" / "imports").exists() or not any(
        (project.root / "data" / "imports").iterdir()
    )
    assert not RAW_CONTROL.search(out)


def test_reviewer_names_with_bidi_overrides_are_refused() -> None:
    from review.errors import ReviewError
    from review.people import clean_name

    with pytest.raises(ReviewError, match="control character"):
        clean_name("ann\u202e2")


# ---- CSV files -----------------------------------------------------------------------------------


def test_csv_cells_show_c1_and_bidi_as_escapes(hostile, tmp_path: Path) -> None:
    from review.io.xlsx import csv_text

    assert csv_text([["a\x85b\u202ec\x1bd", "=1+1"]]) == "\ufeffa\\x85b\\u202ec\\x1bd,'=1+1\r\n"
    assert csv_text([["two\r\nlines\tand tab"]]) == '\ufeff"two\r\nlines\tand tab"\r\n'
    project, _ = hostile
    out = tmp_path / "all.csv"
    assert_clean_exit(
        invoke(["export", "--format", "csv", "-o", str(out), "-p", str(project.root)])
    )
    text = out.read_text(encoding="utf-8-sig")
    assert not RAW_CELL_CONTROL.search(text) and "\\u202e" in text
    explain = tmp_path / "explain.csv"
    args = ["prisma", "explain", "records_screened", "-o", str(explain), "--json"]
    result = invoke([*args, "-p", str(project.root)])
    assert not RAW_CONTROL.search(assert_clean_exit(result))
    assert not RAW_CELL_CONTROL.search(explain.read_text(encoding="utf-8-sig"))


def test_outputs_helper_is_shared_by_every_output_command() -> None:
    """Every command with an -o/--out option checks it (review/io/outpath.py)."""
    import review.cli as cli

    found = []
    for path in Path(cli.__file__).parent.glob("*_cmds.py"):
        src = path.read_text(encoding="utf-8")
        if '"-o"' in src or "output_option(" in src:
            found.append(path.name)
            assert "checked_output(" in src or "check_output(" in src, path.name
    assert len(found) >= 7


# ---- Markdown outputs ----------------------------------------------------------------------------


def test_markdown_outputs_show_titles_and_names_as_text(hostile, tmp_path: Path) -> None:
    """methods.md, summary.md and the checklist .md, rendered as CommonMark (HTML allowed, as
    GitHub and pandoc do): titles, source names and labels come out as text, not as HTML."""
    from markdown_it import MarkdownIt

    project, _ = hostile
    p = ["-p", str(project.root)]
    assert_clean_exit(invoke(["prisma", "-q", *p]))
    assert_clean_exit(invoke(["chart", "summary", *p]))
    checklist = tmp_path / "checklist.xlsx"
    assert_clean_exit(invoke(["report", "checklist", "-o", str(checklist), *p]))
    files = {
        "methods": project.outputs_dir / "prisma" / "methods.md",
        "summary": project.outputs_dir / "charting" / "summary.md",
        "checklist": checklist.with_suffix(".md"),
    }
    md = MarkdownIt("commonmark")
    for name, path in files.items():
        text = path.read_text(encoding="utf-8")
        assert not RAW_CONTROL.search(text), name
        html = md.render(text)
        assert "<script" not in html and "<!--" not in html and "<b>" not in html, name
        assert "&lt;!--a" in html, name  # shown, as text
    methods = md.render(files["methods"].read_text(encoding="utf-8"))
    assert "Src &lt;!--a &lt;/script&gt;&lt;script&gt;window.pwned=1" in methods
    assert "[draft]" in methods  # the brackets are text, not a link
    from defusedxml import ElementTree

    svg = project.outputs_dir / "prisma" / "prisma.svg"
    ElementTree.parse(svg)  # well-formed XML: no control character from a label in it
    for derived in (svg, project.outputs_dir / "prisma" / "prisma.mmd"):
        assert not RAW_CONTROL.search(derived.read_text(encoding="utf-8")), derived.name
    summary = md.render(files["summary"].read_text(encoding="utf-8"))
    assert "[bold]m[/bold]" in summary or "=HYPERLINK" in summary


def test_md_text_leaves_normal_text_alone() -> None:
    from review.io.printable import md_text

    for plain in ("Parent peer advocacy: a review (2020)", "A & B", "snake_case", "x < 3"):
        assert md_text(plain) == plain
    assert md_text("<b>x</b> *y* `z` [a](b) _e_ a|b") == (
        "&lt;b>x&lt;/b> \\*y\\* \\`z\\` \\[a\\](b) \\_e\\_ a\\|b"
    )


def test_checklist_of_a_title_with_control_characters(project, tmp_path: Path) -> None:
    text = project.protocol_path.read_text(encoding="utf-8")
    text = text.replace('title: "Test review"', 'title: "Test \\e]52;c;eA==\\a review"')
    project.protocol_path.write_text(text, encoding="utf-8")
    out = tmp_path / "c.xlsx"
    result = invoke(["report", "checklist", "-o", str(out), "-p", str(project.root)])
    assert_clean_exit(result)  # was: IllegalCharacterError traceback
    md = out.with_suffix(".md").read_text("utf-8")
    assert "x1b" in md and "x07 review" in md and not RAW_CONTROL.search(md)
