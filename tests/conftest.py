"""Shared fixtures. Real data lives in ../shared/data (never copied here); tests skip without it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).parent
DATA_DIR = TESTS_DIR / "data"
REPO_ROOT = TESTS_DIR.parent
SHARED_DIR = Path(os.environ.get("REVIEW_SHARED_DIR", REPO_ROOT.parent / "shared"))
SHARED_DATA = SHARED_DIR / "data"


def shared_path(*parts: str) -> Path:
    """A path under ../shared/data, or skip the test when it is absent."""
    p = SHARED_DATA.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"shared data not available: {p}")
    return p


@pytest.fixture(autouse=True)
def _review_user(monkeypatch: pytest.MonkeyPatch) -> None:
    # Deterministic "who" for logs; no git lookups in tests.
    monkeypatch.setenv("REVIEW_USER", "tester")


@pytest.fixture
def project(tmp_path: Path):
    """A fresh, empty review project."""
    from review.project import Project

    return Project.init(tmp_path / "proj", title="Test review")


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory):
    """`review demo` run once per test session: (project folder, CliRunner result). Shared by
    tests/test_demo.py and tests/test_report.py; tests must not change the folder."""
    from typer.testing import CliRunner

    from review.cli import app

    root = tmp_path_factory.mktemp("demo") / "review-demo"
    result = CliRunner().invoke(app, ["demo", str(root), "--quiet"])
    assert result.exit_code == 0, result.output + str(result.exception)
    return root, result
