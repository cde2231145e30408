"""The search strategy is part of the record (issue 19 §5, PRISMA-S) and the checklist follows the
review type (§6): ``sources[].query | query_file, limits, results`` in protocol.yaml,
``review import --platform --searched --query/--query-file --limits --results`` in the import
log, a ``review status`` warning when the reported count differs, and the methods text, the
report and the checklists filled from them, only when a query exists."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from review.cli import app
from review.errors import ProjectError
from review.model import ImportEntry
from review.nextstep import plain
from review.prisma.methods import nice_date
from review.prisma.search_text import search_paragraphs
from review.project import Project
from review.protocol import SourceSpec, load_protocol
from review.report.checklist_items import ABSTRACT_ITEMS, PRISMA2020_ITEMS
from review.search import Search, SourceSearch, project_searches, source_searches

runner = CliRunner()

QUERY = '("peer support"[tiab] OR mentor*[tiab])\nAND parent*[tiab]'
SOURCES_BLOCK = "sources:\n  - name: PubMed\n    kind: database\n    searched: YYYY-MM-DD\n"


def _sources(project: Project, block: str) -> None:
    """Replace the template's sources: block with ``block``."""
    text = project.protocol_path.read_text(encoding="utf-8")
    start = text.index("sources:\n")
    end = text.index("stages:\n")
    project.protocol_path.write_text(text[:start] + block + text[end:], encoding="utf-8")


def _line_of(project: Project, needle: str) -> int:
    lines = project.protocol_path.read_text(encoding="utf-8").splitlines()
    return next(i for i, t in enumerate(lines, start=1) if needle in t)


def _ris(path: Path, titles: list[str]) -> Path:
    recs = [
        f"TY  - JOUR\nTI  - {t}\nAU  - Author, A\nPY  - 2020\nT2  - Journal {i}\nER  - \n"
        for i, t in enumerate(titles, start=1)
    ]
    path.write_text("\n".join(recs), encoding="utf-8")
    return path


def _invoke(*args: str) -> object:
    return runner.invoke(app, [str(a) for a in args])


# ---- protocol ------------------------------------------------------------------------------


def test_protocol_accepts_a_query_with_limits_and_results(project: Project) -> None:
    _sources(
        project,
        "sources:\n  - name: PubMed\n    platform: NCBI\n    searched: 2024-03-01\n"
        '    query: |\n      ("peer support"[tiab] OR mentor*[tiab])\n      AND parent*[tiab]\n'
        "    limits: English\n    results: 512\n",
    )
    spec = load_protocol(project.protocol_path).sources[0]
    assert spec.query == QUERY
    assert spec.limits == ("English",)
    assert spec.results == 512
    assert spec.searched == "2024-03-01"
    assert load_protocol(project.protocol_path).review_type == "scoping"


def test_query_file_is_read_relative_to_the_project(project: Project) -> None:
    (project.root / "searches").mkdir()
    (project.root / "searches" / "pubmed.txt").write_text(QUERY + "\n", encoding="utf-8")
    _sources(project, "sources:\n  - name: PubMed\n    query_file: searches/pubmed.txt\n")
    spec = load_protocol(project.protocol_path).sources[0]
    assert (spec.query, spec.query_file) == (QUERY, "searches/pubmed.txt")


def test_missing_query_file_names_the_line_and_the_file(project: Project) -> None:
    _sources(project, "sources:\n  - name: PubMed\n    query_file: searches/nope.txt\n")
    line = _line_of(project, "    query_file:")
    result = _invoke("status", "--project", project.root)
    assert result.exit_code == 1
    err = "".join(result.stderr.split())  # the console may wrap the long path
    assert f"protocol.yaml:{line}:sources[1].query_filenames'searches/nope.txt'" in err
    assert "orgiveitstextunder'query:'" in err
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("bad", "needle", "message"),
    [
        ("    results: -3\n", "results:", "sources[1].results must be 0 or more, not -3"),
        (
            "    results: many\n",
            "results:",
            "sources[1].results must be a whole number (0 or more)",
        ),
        ("    limits: {a: 1}\n", "limits:", "sources[1].limits must be a list of text items"),
    ],
    ids=["negative-results", "text-results", "mapping-limits"],
)
def test_wrong_search_values_name_their_line(project: Project, bad, needle, message) -> None:
    _sources(project, "sources:\n  - name: PubMed\n" + bad)
    with pytest.raises(ProjectError) as exc:
        load_protocol(project.protocol_path)
    assert f":{_line_of(project, needle)}: {message}" in str(exc.value)


def test_query_and_query_file_together_are_refused(project: Project) -> None:
    (project.root / "q.txt").write_text("x", encoding="utf-8")
    _sources(project, "sources:\n  - name: PubMed\n    query: x\n    query_file: q.txt\n")
    with pytest.raises(ProjectError, match="has both 'query' and 'query_file'; keep one"):
        load_protocol(project.protocol_path)


def test_review_type_is_written_by_init_and_validated(tmp_path: Path) -> None:
    result = _invoke("init", tmp_path / "sr", "--type", "systematic")
    assert result.exit_code == 0, result.output
    proj = Project.open(tmp_path / "sr")
    assert proj.protocol.review_type == "systematic"
    assert _line_of(proj, "review_type: systematic") == 2
    text = proj.protocol_path.read_text(encoding="utf-8")
    proj.protocol_path.write_text(text.replace("systematic  #", "sytematic  #"), encoding="utf-8")
    with pytest.raises(ProjectError, match=r"protocol.yaml:2: review_type must be scoping or "):
        load_protocol(proj.protocol_path)


# ---- import flags and status --------------------------------------------------------------


def test_import_flags_are_stored_in_the_import_log(project: Project, tmp_path: Path) -> None:
    ris = _ris(tmp_path / "pubmed.ris", ["Peer mentors for parents", "Parent partners"])
    qfile = tmp_path / "pubmed-query.txt"
    qfile.write_text(QUERY + "\n", encoding="utf-8")
    result = _invoke(
        "import", ris, "--source", "PubMed", "--platform", "NCBI", "--searched", "2024-03-01",
        "--query-file", qfile, "--limits", "English", "--limits", "2000-2024", "--results", "2",
        "--project", project.root,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (entry,) = project.imports()
    assert (entry.platform, entry.searched, entry.query) == ("NCBI", "2024-03-01", QUERY)
    assert entry.limits == ["English", "2000-2024"] and entry.results == 2
    assert entry.query_file.endswith("pubmed-query.txt")
    manifest = next((project.root / "data" / "imports").glob("*/import-*.json"))
    assert json.loads(manifest.read_text(encoding="utf-8"))["query"] == QUERY
    (src,) = project_searches(project)
    assert (src.reported, src.records, src.count_warning()) == (2, 2, ())


def test_an_import_without_flags_writes_no_search_keys(project: Project, tmp_path: Path) -> None:
    """Old logs (and imports without the flags) have no search keys and keep working."""
    ris = _ris(tmp_path / "a.ris", ["One"])
    assert _invoke("import", ris, "--source", "Scopus", "--project", project.root).exit_code == 0
    manifest = next((project.root / "data" / "imports").glob("*/import-*.json"))
    data = json.loads(manifest.read_text(encoding="utf-8"))
    assert not {"platform", "searched", "query", "limits", "results"} & set(data)
    assert project.imports()[0].query == "" and project.imports()[0].results is None


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--searched", "1 March 2024"], "--searched '1 March 2024': give the date of the search"),
        (["--results", "-1"], "--results -1: the number of results must be 0 or more."),
        (["--query", "x", "--query-file", "q.txt"], "give the query as --query TEXT or --query-"),
    ],
    ids=["date", "negative", "both-queries"],
)
def test_bad_search_flags_import_nothing(project: Project, tmp_path: Path, flags, message) -> None:
    ris = _ris(tmp_path / "a.ris", ["One"])
    result = _invoke("import", ris, "--source", "S", *flags, "--project", project.root)
    assert result.exit_code == 1
    assert message in result.stderr
    assert project.imports() == []


def test_status_warns_when_the_reported_count_differs(project: Project, tmp_path: Path) -> None:
    _sources(project, "sources:\n  - name: PubMed\n    results: 5\n")
    ris = _ris(tmp_path / "a.ris", ["One", "Two", "Three"])
    assert _invoke("import", ris, "--source", "pubmed", "--project", project.root).exit_code == 0
    result = _invoke("status", "--project", project.root)
    assert (
        "Warning: PubMed: the database reported 5 results but 3 records were imported from 1 "
        "file(s)"
    ) in " ".join(result.stdout.split())
    # the import log's count wins over the protocol's: 3 reported, 3 imported -> no warning
    ris2 = _ris(tmp_path / "b.ris", ["Four"])
    args = ["import", ris2, "--source", "Embase", "--results", "1", "--project", project.root]
    assert _invoke(*args).exit_code == 0
    status = _invoke("status", "--json", "--project", project.root)
    imports = json.loads(status.stdout)["imports"]
    (warning,) = imports["search_warnings"]
    assert warning.startswith("PubMed: the database reported 5 results but 3 records were")
    assert [w for w in imports["lines"] if w.startswith("Warning:")] == [f"Warning: {warning}"]


# ---- methods, report, checklists --------------------------------------------------------------


def _screened_project(project: Project, tmp_path: Path, *search_flags: str) -> Project:
    ris = _ris(tmp_path / "pubmed.ris", ["Peer mentors for parents", "Parent partners", "Other"])
    args = ["import", ris, "--source", "PubMed", *search_flags, "--project", project.root]
    assert _invoke(*args).exit_code == 0
    assert _invoke("dedup", "--project", project.root).exit_code == 0
    assert _invoke("prisma", "--project", project.root).exit_code == 0
    assert _invoke("report", "--project", project.root).exit_code == 0
    assert _invoke("report", "checklist", "--project", project.root).exit_code == 0
    return project


def test_no_query_recorded_means_nothing_claims_one(project: Project, tmp_path: Path) -> None:
    _screened_project(project, tmp_path, "--platform", "NCBI", "--searched", "2024-03-01")
    methods = (project.root / "outputs" / "prisma" / "methods.md").read_text(encoding="utf-8")
    assert "PubMed (via NCBI; searched 1 March 2024; 3 records)" in methods
    assert "Search strategies" not in methods and "query" not in methods.lower()
    html = (project.root / "outputs" / "report.html").read_text(encoding="utf-8")
    assert 'id="search"' not in html
    md = (project.root / "outputs" / "report" / "prisma-scr.md").read_text(encoding="utf-8")
    row8 = next(line for line in md.splitlines() if line.startswith("| METHODS | 8 |"))
    assert row8.endswith("| essential |  |  |")


def test_query_reaches_methods_report_and_checklist(project: Project, tmp_path: Path) -> None:
    _screened_project(
        project, tmp_path, "--platform", "NCBI", "--searched", "2024-03-01", "--query", QUERY,
        "--limits", "English", "--results", "4",
    )  # fmt: skip
    methods = (project.root / "outputs" / "prisma" / "methods.md").read_text(encoding="utf-8")
    assert (
        "PubMed was searched via NCBI on 1 March 2024; the database reported 4 results and 3 "
        "records were imported. The full search query (PubMed), with limits and filters, is "
        "reproduced under Search strategies below."
    ) in methods
    assert "## Search strategies\n\n### PubMed\n\n- Platform: NCBI\n- Date searched: 1 March " in (
        methods
    )
    assert f"```text\n{QUERY}\n```" in methods
    assert "- Limits and filters: English\n- Results reported by the database: 4" in methods
    html = (project.root / "outputs" / "report.html").read_text(encoding="utf-8")
    assert '<section id="search">' in html and 'href="#search"' in html
    assert "AND parent*[tiab]</pre>" in html
    assert html.count("AND parent*[tiab]") == 1  # the methods' appendix is not shown twice
    md = (project.root / "outputs" / "report" / "prisma-scr.md").read_text(encoding="utf-8")
    row8 = next(line for line in md.splitlines() if line.startswith("| METHODS | 8 |"))
    assert (
        "| outputs/prisma/methods.md; outputs/report.html#search (the full search strategy (query, "
        "limits and filters, date, results reported) of PubMed) |  |"
    ) in row8
    # a methods.md written before the query was recorded is not named
    methods_md = project.root / "outputs" / "prisma" / "methods.md"
    methods_md.write_text(methods.split("## Search strategies")[0], encoding="utf-8")
    result = _invoke("report", "checklist", "--json", "--project", project.root)
    (item8,) = [r for r in json.loads(result.stdout)["items"] if r["item"] == 8]
    assert item8["files"] == ["outputs/report.html#search"]


def test_systematic_review_gets_prisma_2020_and_abstract_checklists(project: Project) -> None:
    text = project.protocol_path.read_text(encoding="utf-8")
    project.protocol_path.write_text(
        text.replace("review_type: scoping", "review_type: systematic"), encoding="utf-8"
    )
    result = _invoke("report", "checklist", "--json", "--project", project.root)
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    labels = [
        *range(1, 10), "10a", "10b", 11, 12, "13a", "13b", "13c", "13d", "13e", "13f", 14, 15,
        "16a", "16b", 17, 18, 19, "20a", "20b", "20c", "20d", 21, 22, "23a", "23b", "23c", "23d",
        "24a", "24b", "24c", 25, 26, 27,
    ]  # fmt: skip
    assert got["checklist"] == "PRISMA 2020"
    assert [r["item"] for r in got["items"]] == labels
    assert {r["item"] for r in got["items"]} == {i.key for i in PRISMA2020_ITEMS}
    filled = {r["item"]: r["files"] for r in got["items"] if r["where"]}
    assert filled == {  # a fresh project: its protocol and schema, no search query
        5: ["protocols/protocol.yaml"],
        6: ["protocols/protocol.yaml"],
        9: ["extraction_schema.yaml"],
        "10b": ["extraction_schema.yaml"],
        "24b": ["protocols/protocol.yaml"],
    }
    (abstracts,) = got["sections"]
    assert abstracts["checklist"] == "PRISMA 2020 for Abstracts"
    assert [r["item"] for r in abstracts["items"]] == list(range(1, 13))
    assert not any(r["where"] for r in abstracts["items"])
    xlsx = project.root / "outputs" / "report" / "prisma-2020.xlsx"
    assert got["xlsx"] == str(xlsx) and not (xlsx.parent / "prisma-scr.xlsx").exists()
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["PRISMA 2020", "PRISMA 2020 for Abstracts"]
    rows = [r for r in wb["PRISMA 2020"].iter_rows(min_row=3, values_only=True) if r[1]]
    assert [str(r[1]) for r in rows] == [str(x) for x in labels]
    assert rows[15][3].startswith("Describe any methods used to tabulate or visually display")
    md = xlsx.with_suffix(".md").read_text(encoding="utf-8")
    assert "## PRISMA 2020 for Abstracts checklist" in md
    assert (
        "| OTHER | 12 | Registration | Provide the register name and registration number. |" in md
    )
    assert "BMJ 2021;372:n71" in md
    assert len(ABSTRACT_ITEMS) == 12


# ---- how protocol and import log combine (pure) ----------------------------------------------


def _entry(source: str, n: int, sha: str, **search: object) -> ImportEntry:
    return ImportEntry(
        import_id=f"{source}-{sha}", source=source, kind="database", format="ris",
        encoding="utf-8", file=f"data/imports/{sha}/x.ris", original_name="x.ris", sha256=sha,
        records=n, found=n, problems=0, screen=False, imported_by="t", imported_at="2024",
        tool_version="0", **search,  # type: ignore[arg-type]
    )  # fmt: skip


def test_import_log_wins_field_by_field_and_batches_are_one_search() -> None:
    spec = SourceSpec("Web of Science", platform="Clarivate", searched="YYYY-MM-DD", query="q1")
    entries = [  # one export in three files, imported in two runs with the same flags
        _entry("web of science", 1000, "a", searched="2024-01-02", results=2650),
        _entry("Web of Science", 1000, "b", searched="2024-01-02", results=2650),
        _entry("Web of Science", 650, "c", searched="2024-01-02", results=2650),
    ]
    (src,) = source_searches((spec,), entries)
    assert src.searches == (
        Search(platform="Clarivate", searched="2024-01-02", query="q1", results=2650),
    )
    assert (src.reported, src.records, src.files, src.count_warning()) == (2650, 2650, 3, ())


def test_an_update_search_adds_its_count_and_the_latest_date_counts() -> None:
    entries = [
        _entry("PubMed", 10, "a", searched="2023-05-01", results=10, query="q"),
        _entry("PubMed", 3, "b", searched="2024-05-01", results=4, query="q"),
    ]
    (src,) = source_searches((), entries)
    assert len(src.searches) == 2 and src.last_searched == "2024-05-01"
    assert src.reported == 14 and src.records == 13
    assert plain(src.count_warning()).startswith("PubMed: the database reported 14 results but 13 ")
    methods = search_paragraphs((src,), nice_date)
    assert methods[0].startswith(
        "PubMed was searched on 1 May 2023 and on 1 May 2024; the database reported 14 results "
        "and 13 records were imported."
    )
    assert "### PubMed, search 1" in methods[1] and "### PubMed, search 2" in methods[1]


def test_sources_without_a_recorded_strategy_add_nothing_to_the_methods() -> None:
    spec = SourceSpec("Google Scholar", kind="website", platform="Google", searched="2024-01-01")
    (src,) = source_searches((spec,), [_entry("Google Scholar", 5, "a")])
    assert not src.documented and search_paragraphs((src,), nice_date) == []
    # a website's count is the search's, not a database's
    (web,) = source_searches((replace(spec, results=6),), [_entry("Google Scholar", 5, "a")])
    assert plain(web.count_warning()).startswith("Google Scholar: the search reported 6 results")


def test_a_query_holding_backticks_cannot_close_its_fence() -> None:
    src = SourceSearch("X", "database", (Search(query="a ```` b", results=1),), 1, 1, 1)
    appendix = search_paragraphs((src,), nice_date)[1]
    assert "`````text\na ```` b\n`````" in appendix


def test_a_huge_query_file_is_refused(project: Project, tmp_path: Path) -> None:
    big = tmp_path / "query.txt"
    big.write_bytes(b"a" * 1_000_001)
    ris = _ris(tmp_path / "a.ris", ["One"])
    args = ["import", ris, "--source", "S", "--query-file", big, "--project", project.root]
    result = _invoke(*args)
    assert result.exit_code == 1
    assert "larger than 1 MB: not a query" in result.stderr
    assert project.imports() == []


def test_status_says_when_the_import_log_overrides_the_protocol(project: Project, tmp_path):
    _sources(project, "sources:\n  - name: PubMed\n    searched: 2024-03-01\n    results: 1\n")
    ris = _ris(tmp_path / "a.ris", ["One"])
    args = ["import", ris, "--source", "PubMed", "--searched", "2024-03-02", "--results", "1"]
    assert _invoke(*args, "--project", project.root).exit_code == 0
    status = _invoke("status", "--json", "--project", project.root)
    assert json.loads(status.stdout)["imports"]["search_warnings"] == [
        "PubMed: the import log records another date searched than protocols/protocol.yaml; the "
        "import log's is used (correct the protocol, or import again with the right flags)."
    ]


def test_empty_search_keys_mean_not_recorded(project: Project) -> None:
    _sources(project, "sources:\n  - name: PubMed\n    query_file:\n    results:\n    limits:\n")
    text = project.protocol_path.read_text(encoding="utf-8")
    project.protocol_path.write_text(text.replace("review_type: scoping", "review_type:"), "utf-8")
    protocol = load_protocol(project.protocol_path)
    assert protocol.review_type == "scoping"
    spec = protocol.sources[0]
    assert (spec.query, spec.query_file, spec.limits, spec.results) == ("", "", (), None)


def test_three_sources_with_their_queries_reach_methods_and_checklist(project, tmp_path) -> None:
    """The issue's scenario, as far as the search goes: three exports of one topic, each with its
    strategy (one from a file), one of them short of its reported count."""
    qfile = tmp_path / "scopus.txt"
    qfile.write_text('TITLE-ABS-KEY("term one" AND term*)\n', encoding="utf-8")
    imports = [
        ("PubMed", ["A one", "A two"], ["--query", QUERY, "--results", "2"]),
        ("Scopus", ["B one", "B two"], ["--query-file", qfile, "--results", "3"]),
        ("ERIC", ["C one"], ["--query", "term one AND term two", "--limits", "peer reviewed"]),
    ]
    for i, (source, titles, flags) in enumerate(imports):
        ris = _ris(tmp_path / f"{i}.ris", titles)
        args = ["import", ris, "--source", source, "--searched", f"2025-03-0{i + 1}", *flags]
        assert _invoke(*args, "--project", project.root).exit_code == 0
    for cmd in (["dedup"], ["prisma"], ["report"], ["report", "checklist"]):
        assert _invoke(*cmd, "--project", project.root).exit_code == 0
    methods = (project.root / "outputs" / "prisma" / "methods.md").read_text(encoding="utf-8")
    assert "Scopus was searched on 2 March 2025; the database reported 3 results and 2 records" in (
        methods
    )
    assert "ERIC was searched on 3 March 2025; 1 record was imported (the number of results " in (
        methods
    )
    assert "The full search queries (PubMed, Scopus and ERIC), with limits and filters, are " in (
        methods
    )
    for text in (QUERY, 'TITLE-ABS-KEY("term one" AND term*)', "term one AND term two"):
        assert f"```text\n{text}\n```" in methods
    md = (project.root / "outputs" / "report" / "prisma-scr.md").read_text(encoding="utf-8")
    assert "date, results reported) of PubMed, Scopus, ERIC) |" in md
    status = json.loads(_invoke("status", "--json", "--project", project.root).stdout)
    assert [w.split(":")[0] for w in status["imports"]["search_warnings"]] == ["Scopus"]


def test_user_text_in_the_search_paragraphs_stays_text() -> None:
    search = Search(
        platform="<img src=x>", searched="2024-01-01", query="a\x1bb <b>", limits=("*x*",)
    )
    src = SourceSearch("<b>Db</b>", "database", (search,), 1, 1, 1)
    sentence, appendix = search_paragraphs((src,), nice_date)
    assert sentence.startswith("&lt;b>Db&lt;/b> was searched via &lt;img src=x> on 1 January")
    assert "### &lt;b>Db&lt;/b>" in appendix and "- Limits and filters: \\*x\\*" in appendix
    assert "```text\na\\x1bb <b>\n```" in appendix  # inside the fence: as typed, controls shown
