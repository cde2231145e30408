"""Every CSV the tool writes is UTF-8 with a BOM, and every CSV/XLSX cell goes through one
escaping path: a source or reviewer name like `=cmd|' /C calc'!A0` is never a formula."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from typer.testing import CliRunner

from review.io.xlsx import FORMULA_START
from review.project import Project
from tests.helpers.cli import run_ok as _run
from tests.helpers.paths import DEDUP_FIXTURES as FIXTURES

EVIL = "=cmd|' /C calc'!A0"
TA = "title-abstract"
runner = CliRunner()


def test_every_csv_has_a_bom_and_no_formula_cell(project: Project, tmp_path):
    from review.importer import import_files

    import_files(project, [FIXTURES / "pubmed.csv"], source=EVIL)
    import_files(project, [FIXTURES / "embase.csv"], source="+Embase")
    project.invalidate()
    _run(project, "dedup", "--quiet")
    rid = next(r.record_id for r in project.records())
    sheet = tmp_path / "d.csv"
    sheet.write_text(f"record_id,decision\n{rid},include\n", encoding="utf-8")
    _run(project, "screen", "import", str(sheet), "--stage", TA, "--reviewer", EVIL)
    sheet.write_text(f"record_id,decision\n{rid},exclude\n", encoding="utf-8")
    _run(project, "screen", "import", str(sheet), "--stage", TA, "--reviewer", "@ben")
    _run(project, "disagreements", "--stage", TA, "--quiet")
    _run(project, "prisma", "--quiet")
    _run(project, "export", "--format", "csv", "-o", str(project.outputs_dir / "all.csv"))
    written = sorted(project.outputs_dir.rglob("*.csv"))
    names = {p.name for p in written}
    assert {"clusters.csv", "overlap.csv", "prisma.csv", f"{TA}-disagreements.csv"} <= names
    for path in written:
        raw = path.read_bytes()
        # prisma.csv alone has none: R's read.csv would rename its first column (docs/prisma.md)
        has_bom = raw.startswith(b"\xef\xbb\xbf")
        assert has_bom == (path.name != "prisma.csv"), f"{path.name}: BOM {has_bom}"
        for row in csv.reader(io.StringIO(raw.decode("utf-8-sig"))):
            bad = [c for c in row if c.startswith(FORMULA_START)]
            assert bad == [], f"{path.name}: formula-like cells {bad}"
    prisma = (project.outputs_dir / "prisma" / "prisma.csv").read_text(encoding="utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in prisma
    dis = (project.outputs_dir / "screening" / f"{TA}-disagreements.csv").read_text("utf-8-sig")
    assert f"'{EVIL} decision" in dis and "'@ben decision" in dis
    wb = load_workbook(project.outputs_dir / "screening" / f"{TA}-disagreements.xlsx")
    header = [c for c in wb["Disagreements"][1]]
    cell = next(c for c in header if str(c.value).endswith(" decision") and "cmd" in c.value)
    assert cell.data_type == "s" and cell.value == f"{EVIL} decision"
