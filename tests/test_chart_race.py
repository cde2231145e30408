"""The same reviewer's workbook imported by two processes at once writes one charting version
(issue 21: in 3 of 25 trials both said "Imported" and two version files were written)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# `review chart import` with the window between "already imported?" and the write widened by a
# second, so that two processes started together are both inside it (real processes, real files).
SLOW_CHECK = (
    "import time, review.chart.store as s\n"
    "orig = s.versions\n"
    "def versions(*a):\n"
    "    found = orig(*a)\n"
    "    time.sleep(1.0)\n"
    "    return found\n"
    "s.versions = versions\n"
    "from review.cli import main\n"
    "main()\n"
)


@pytest.mark.slow
def test_two_processes_import_one_workbook_once(demo_run, tmp_path):
    root = tmp_path / "demo"
    shutil.copytree(demo_run.root, root)
    workbook = root / "data" / "decisions" / "charting-anat.xlsx"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    trials = int(os.environ.get("REVIEW_RACE_TRIALS", "3"))
    for _ in range(trials):
        shutil.rmtree(root / "data" / "charting" / "anat", ignore_errors=True)
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    SLOW_CHECK,
                    "chart",
                    "import",
                    str(workbook),
                    "--reviewer",
                    "anat",
                    "-p",
                    str(root),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            for _ in range(2)
        ]
        outs = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outs
        said = sorted("already imported" in out for out, _ in outs)
        assert said == [False, True], outs  # one imported, the other saw it
        files = list((root / "data" / "charting" / "anat").glob("*.json"))
        assert len(files) == 1, files
