"""Test helpers live in tests/helpers/ and are imported one way (``from tests.helpers.<module>
import …``): no bare ``from test_x import`` (it only works by pytest's sys.path insertion and
imports the module a second time), no ``conftest`` imports (fixtures come by name)."""

from __future__ import annotations

import re

from tests.helpers.paths import TESTS_DIR

BARE = re.compile(r"^\s*(?:from|import) (?:test_\w+|conftest|reliability\w*|hostile)\b")
CONFTEST = re.compile(r"^\s*(?:from|import) tests\.conftest\b")


def test_tests_import_their_helpers_one_way() -> None:
    found = [
        f"{path.relative_to(TESTS_DIR).as_posix()}:{n}: {line.strip()}"
        for path in sorted(TESTS_DIR.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if BARE.match(line) or CONFTEST.match(line)
    ]
    assert found == [], "import helpers as `from tests.helpers.<module> import …`: " + "; ".join(
        found
    )
