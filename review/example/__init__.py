"""The embedded worked example (parent peer advocacy scoping review).

One source of truth: the repository's top level *is* the example project (``protocols/``,
``extraction_schema.yaml``, ``data/``). Wheels carry a copy under ``review/example/`` (see
``pyproject.toml``); an editable install or a source checkout reads the top level directly.
"""

from __future__ import annotations

from pathlib import Path

_MARKER = Path("protocols") / "protocol.yaml"

# What `demo` prints of the example's charting besides the words its schema gives: the
# number of programmes the paper reports, and the programme field shown beside each name.
PUBLISHED_UNITS = 24
UNIT_DETAIL_FIELD = "setting"


def example_root() -> Path | None:
    """The folder holding the example project, or None when it is not available."""
    here = Path(__file__).resolve().parent
    if (here / _MARKER).is_file():  # installed wheel
        return here
    top = here.parent.parent  # source checkout / editable install
    if (top / _MARKER).is_file() and (top / "review" / "example").is_dir():
        return top
    return None
