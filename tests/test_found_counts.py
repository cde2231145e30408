"""``found`` (record markers counted apart from the parser) never undercounts (issue 21): on
damaged files (a span cut out of a BibTeX file, repeated keys, a WoS export with its lines
shuffled) found = imported + problems, the arithmetic the import report promises."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from review.cli import app
from review.io.readers import read_file
from review.project import Project

runner = CliRunner()
DATA = Path(__file__).parent / "data" / "import"


def _bib(n: int, same_key: bool = False) -> str:
    return "".join(
        f"@article{{{'k' if same_key else f'k{i}'},\n  author = {{Author{i}, A}},\n"
        f"  title = {{Peer support study number {i}}},\n  journal = {{Child Welfare}},\n"
        f"  year = {{{2000 + i}}},\n}}\n\n"
        for i in range(n)
    )


def _cut(text: str, rng: random.Random) -> str:
    start = rng.randrange(len(text) // 4, 3 * len(text) // 4)
    return text[:start] + text[start + rng.randrange(20, 400) :]


def _shuffled(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    rng.shuffle(lines)
    return "\n".join(lines) + "\n"


def damaged_inputs() -> list[tuple[str, str, str]]:
    """(id, file name, text) of small synthetic damaged exports."""
    out = []
    library = (DATA / "library.bib").read_text(encoding="utf-8")
    for seed in range(12):
        rng = random.Random(seed)
        out.append((f"bib-cut-{seed}", "cut.bib", _cut(_bib(8), rng)))
        out.append((f"bib-repeated-keys-cut-{seed}", "keys.bib", _cut(_bib(8, same_key=True), rng)))
        out.append((f"library-cut-{seed}", "library.bib", _cut(library, rng)))
    wos = (DATA / "wos.txt").read_text(encoding="utf-8")
    for seed in range(6):
        out.append((f"wos-shuffled-{seed}", "wos.txt", _shuffled(wos, random.Random(seed))))
    return out


def test_found_is_imported_plus_problems_on_damaged_files(tmp_path: Path):
    for ident, name, text in damaged_inputs():
        path = tmp_path / ident / name
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
        try:
            r = read_file(path)
        except Exception as exc:  # refused as a whole: nothing to count
            assert type(exc).__name__ == "InputError", (ident, exc)
            continue
        assert r.found == len(r.entries) + len(r.problems), (ident, r.found, len(r.entries))


@pytest.mark.parametrize("seed", [0, 1])
def test_import_report_adds_up(project: Project, tmp_path: Path, seed: int):
    wos = (DATA / "wos.txt").read_text(encoding="utf-8")
    path = tmp_path / "shuffled-wos.txt"
    path.write_text(_shuffled(wos, random.Random(seed)), encoding="utf-8")
    res = runner.invoke(app, ["import", str(path), "-s", "WoS", "--json", "-p", str(project.root)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["found"] == data["imported"] + data["problems"], data
