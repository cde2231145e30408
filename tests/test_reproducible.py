"""Same inputs, two fresh installs from the lock: byte-identical derived outputs (slow: CI)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers.paths import REPO_ROOT


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_two_fresh_installs_give_identical_outputs() -> None:
    script = REPO_ROOT / "scripts" / "check_reproducible.py"
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 differ" in result.stdout
