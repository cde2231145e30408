"""The lock: pyproject.toml pins every dependency exactly, and this environment is the locked one."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LISTS = {
    "app": PYPROJECT["project"]["dependencies"],
    "dev": PYPROJECT["project"]["optional-dependencies"]["dev"],
    "bench": PYPROJECT["project"]["optional-dependencies"]["bench"],
}


def _names_in(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [
        canonicalize_name(re.split(r"[<>=!~ \[;]", ln.strip(), maxsplit=1)[0])
        for ln in lines
        if ln.strip() and not ln.lstrip().startswith("#")
    ]


@pytest.mark.parametrize("name", ["app", "dev", "bench"])
def test_every_requirement_is_pinned_exactly(name: str) -> None:
    pins = [Requirement(r) for r in LISTS[name]]
    assert pins, f"pyproject.toml has an empty {name} lock"
    loose = [str(r) for r in pins if [s.operator for s in r.specifier] != ["=="]]
    assert loose == [], f"not pinned with ==: {loose} (run scripts/lock.py)"
    locked = {canonicalize_name(r.name) for lst in LISTS.values() for r in map(Requirement, lst)}
    missing = [n for n in _names_in(ROOT / "requirements" / f"{name}.in") if n not in locked]
    assert missing == [], f"requirements/{name}.in names {missing}, not in the lock"


def test_this_environment_has_the_locked_versions() -> None:
    env = default_environment()
    wrong = []
    for spec in LISTS["app"] + LISTS["dev"]:
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
