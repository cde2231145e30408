"""Where the tests find data: tests/data here, ../shared/data beside the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = TESTS_DIR / "data"
DEDUP_FIXTURES = DATA_DIR / "dedup"
REPO_ROOT = TESTS_DIR.parent
SHARED_DIR = Path(os.environ.get("REVIEW_SHARED_DIR", REPO_ROOT.parent / "shared"))
SHARED_DATA = SHARED_DIR / "data"


def shared_path(*parts: str) -> Path:
    """A path under ../shared/data, or skip the test when it is absent."""
    p = SHARED_DATA.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"shared data not available: {p}")
    return p
