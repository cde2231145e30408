"""A small project whose data attacks every output (tests/test_hostile_output.py, the
reliability trials): record titles, a source name, an exclusion-reason label, a note and
charted text hold HTML/script breakers, spreadsheet formulas, terminal escapes (CSI, OSC, C1),
bidi overrides and Rich markup."""

from __future__ import annotations

import csv
from pathlib import Path

from review.project import Project

# Ends a <script> block, opens an HTML comment, runs a script, breaks a JS line, links, styles.
SCRIPT_BREAKERS = "<!--a </script><script>window.pwned=1</script> <b>B</b> &amp; \u2028\u2029"
MARKUP = "[bold]m[/bold] [link=http://evil.example]ann2[/link] [/x]"
TERMINAL = "\x1b[2J\x1b]8;;http://evil.example\x1b\\L\x1b]8;;\x1b\\ \x9b31m \x85 \u202eevil\u202c"
FORMULA = '=HYPERLINK("http://x","y") '
SOURCE = "Src " + SCRIPT_BREAKERS + " [draft]"
REASON_LABEL = "Wrong " + SCRIPT_BREAKERS + " " + MARKUP + " " + TERMINAL
NOTE = "note " + TERMINAL + " " + MARKUP
TITLES = (
    FORMULA + SCRIPT_BREAKERS,
    "Second " + MARKUP + " " + TERMINAL,
    "Third <!-- # *x* _y_ `z` | a | " + SCRIPT_BREAKERS,
    "Fourth plain title",
)


def hostile_records(
    project: Project, titles: tuple[str, ...] = TITLES, source: str = SOURCE
) -> list[str]:
    """Import the hostile titles under the hostile source, one cluster each; the record ids."""
    from review.dedup.clusters import ClusterRow, clusters_path, write_clusters
    from review.importer import import_files

    src = project.root.parent / "hostile-export.csv"
    with open(src, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["title", "abstract", "authors", "year", "journal", "doi"])
        for i, title in enumerate(titles, 1):
            w.writerow([title, "Abstract " + TERMINAL, f"Author{i}, A", 2000 + i, "J", ""])
    import_files(project, [src], source=source, kind="database")
    project.invalidate()
    rows = [
        ClusterRow(r.record_id, r.record_id, r.source, r.source_position, "", "unique", "main",
                   r.title)
        for r in project.records()
    ]  # fmt: skip
    write_clusters(clusters_path(project), rows)
    return [r.record_id for r in project.records()]


def hostile_project(
    root: Path,
    chart: bool = True,
    *,
    titles: tuple[str, ...] = TITLES,
    source: str = SOURCE,
    reason: str = REASON_LABEL,
    note: str = NOTE,
    charted: tuple[str, str] = (FORMULA + SCRIPT_BREAKERS, MARKUP + TERMINAL),
    title: str = "Hostile " + SCRIPT_BREAKERS,
) -> tuple[Project, list[str]]:
    """The project: two reviewers screen both stages (r3 excluded at full text with the hostile
    reason, notes hostile), then one reviewer charts r1 and r2 with hostile text. Every hostile
    string can be replaced (the injection trials of tests/helpers/reliability.py)."""
    from review.chart.template import fill_template
    from review.cli.common import out_console  # noqa: F401 - the CLI's import path
    from tests.helpers.screen import decide

    project = Project.init(root, title=title)
    text = project.protocol_path.read_text(encoding="utf-8")
    text = text.replace(
        "      - {id: wrong-population, label: Wrong population}\n      - {id: wrong-interv",
        "      - {id: wrong-population, label: Wrong population}\n"
        f"      - {{id: hostile, label: {_yaml_str(reason)}}}\n      - {{id: wrong-interv",
    )
    project.protocol_path.write_text(text, encoding="utf-8")
    project = Project.open(root)
    ids = hostile_records(project, titles, source)
    for who in ("Ana", "Ben"):
        for i, rid in enumerate(ids):
            ta = "exclude" if i == 3 else "include"
            decide(project, who, rid, ta, reason="hostile" if i == 3 else "", note=note)
        for i, rid in enumerate(ids[:3]):
            ft = "exclude" if i == 2 else "include"
            decide(project, who, rid, ft, stage="full-text", reason="hostile" if i == 2 else "")
    # one disagreement to resolve, with the hostile note shown
    decide(project, "Ben", ids[1], "exclude", stage="full-text", reason="hostile", note=note,
           at="2026-01-01T00:00:01.000000Z")  # fmt: skip
    if chart:
        from typer.testing import CliRunner

        from review.cli import app

        decide(project, "Ben", ids[1], "include", stage="full-text", note=note,
               at="2026-01-01T00:00:02.000000Z")  # fmt: skip
        tpl = root.parent / "form.xlsx"
        res = CliRunner().invoke(app, ["chart", "template", "-o", str(tpl), "-p", str(root), "-q"])
        assert res.exit_code == 0, res.output
        base = {
            "source_type": "Primary research",
            "country": "Canada",
            "research_method": "Qualitative",
        }
        values = {rid: {**base, "aims": charted[0], "key_findings": charted[1]} for rid in ids[:2]}
        out = fill_template(tpl, values, {}, root.parent / "filled.xlsx")
        res = CliRunner().invoke(
            app, ["chart", "import", str(out), "--reviewer", "anat", "-p", str(root)]
        )
        assert res.exit_code == 0, res.output
    return Project.open(root), ids


def _yaml_str(text: str) -> str:
    import json

    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar
