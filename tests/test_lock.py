"""Declared like a package, locked like an application (scripts/lock.py explains the design).

[project] dependencies are the ranges of requirements/app.in; requirements/lock.txt pins the whole
closure; the `dev` and `bench` extras carry exactly the lock's pins, so `pip install -e ".[dev]"`
installs the locked set. The installed-set check runs in CI only (a developer's venv may hold
more or newer packages); a slow test shows a wheel built here installs next to older pins.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
REQ = ROOT / "requirements"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
RANGES = PYPROJECT["project"]["dependencies"]
EXTRAS = PYPROJECT["project"]["optional-dependencies"]


def _requirements(path: Path) -> list[str]:
    lines = (ln.split("#", 1)[0].strip() for ln in path.read_text(encoding="utf-8").splitlines())
    return [ln for ln in lines if ln]


LOCK = _requirements(REQ / "lock.txt")


def _name(spec: str) -> str:
    return canonicalize_name(Requirement(spec).name)


def test_project_declares_the_ranges_of_app_in_and_no_pin() -> None:
    assert RANGES == _requirements(REQ / "app.in"), "run python scripts/lock.py"
    pinned = [
        r for r in RANGES if any(s.operator in ("==", "===") for s in Requirement(r).specifier)
    ]
    assert pinned == [], f"[project] dependencies must be ranges, not pins: {pinned}"


def test_the_lock_pins_every_package_of_every_in_file_exactly() -> None:
    loose = [r for r in LOCK if [s.operator for s in Requirement(r).specifier] != ["=="]]
    assert LOCK and loose == [], f"requirements/lock.txt entries not pinned with ==: {loose}"
    locked = {_name(r) for r in LOCK}
    for name in ("app", "dev", "bench"):
        missing = [r for r in _requirements(REQ / f"{name}.in") if _name(r) not in locked]
        assert missing == [], f"requirements/{name}.in names {missing}, not in the lock"


def test_extras_hold_exactly_the_locks_pins() -> None:
    dev, bench = EXTRAS["dev"], EXTRAS["bench"]
    assert sorted(dev + bench) == sorted(LOCK), "the dev + bench extras differ from lock.txt"
    app_names = {_name(r) for r in RANGES}
    dev_names = {_name(r) for r in dev}
    assert app_names <= dev_names, "the dev extra must pin every run-time dependency"
    assert {_name(r) for r in _requirements(REQ / "dev.in")} <= dev_names


def test_every_locked_version_is_inside_its_declared_range() -> None:
    outside = []
    for spec in RANGES + _requirements(REQ / "dev.in") + _requirements(REQ / "bench.in"):
        wanted = Requirement(spec)
        for pin in (Requirement(p) for p in LOCK):
            if _name(pin.name) == _name(wanted.name):
                version = next(iter(pin.specifier)).version
                if not wanted.specifier.contains(Version(version), prereleases=True):
                    outside.append(f"{pin} (declared {wanted})")
    assert outside == [], outside


def _imported_top_level_names() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "review").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "review"}


def test_every_package_review_imports_is_declared() -> None:
    declared = {_name(r) for r in RANGES}
    providers = metadata.packages_distributions()
    undeclared = {
        module: providers.get(module, ["?"])
        for module in sorted(_imported_top_level_names())
        if not declared & {canonicalize_name(d) for d in providers.get(module, [])}
    }
    assert undeclared == {}, f"imported by review/ but not in requirements/app.in: {undeclared}"


@pytest.mark.skipif(not os.environ.get("CI"), reason="CI only: a developer's venv may differ")
def test_this_environment_has_the_locked_versions() -> None:
    env = default_environment()
    wrong = []
    for spec in EXTRAS["dev"]:
        req = Requirement(spec)
        if req.marker is not None and not req.marker.evaluate(env):
            continue
        try:
            installed = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            wrong.append(f"{req.name} not installed")
            continue
        if installed not in req.specifier:
            wrong.append(f"{req.name} {installed} (lock: {req.specifier})")
    assert wrong == [], f"not the locked environment; run pip install -e '.[dev]': {wrong}"


@pytest.mark.slow
def test_a_wheel_built_here_resolves_next_to_older_rich_and_packaging(tmp_path: Path) -> None:
    """pip install review next to rich<15 and packaging<26 (needs PyPI)."""
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    dry_run = ["install", "--dry-run", "--ignore-installed", "-q", "--report", "-"]
    built = subprocess.run(
        [*pip, "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("review-*.whl")
    resolved = subprocess.run(
        [*pip, *dry_run, str(wheel), "rich<15", "packaging<26"],
        capture_output=True,
        text=True,
    )
    assert resolved.returncode == 0, resolved.stderr
    chosen = {
        canonicalize_name(item["metadata"]["name"]): Version(item["metadata"]["version"])
        for item in json.loads(resolved.stdout)["install"]
    }
    assert "review" in chosen
    assert chosen["rich"] < Version("15") and chosen["packaging"] < Version("26")


@pytest.mark.slow
def test_the_readme_install_resolves_to_exactly_the_lock() -> None:
    """`pip install -e ".[dev]"` from scratch (--ignore-installed) picks the lock's versions."""
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    dry_run = ["install", "--dry-run", "--ignore-installed", "-q", "--report", "-"]
    resolved = subprocess.run(
        [*pip, *dry_run, "-e", f"{ROOT}[dev]"],
        capture_output=True,
        text=True,
    )
    assert resolved.returncode == 0, resolved.stderr
    chosen = {
        canonicalize_name(item["metadata"]["name"]): item["metadata"]["version"]
        for item in json.loads(resolved.stdout)["install"]
    }
    chosen.pop("review")
    env = default_environment()
    expected = {
        _name(r.name): next(iter(r.specifier)).version
        for r in map(Requirement, EXTRAS["dev"])
        if r.marker is None or r.marker.evaluate(env)
    }
    assert chosen == expected
