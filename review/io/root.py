"""Where a project is: the one rule that finds a project folder from a path inside it.

A folder is a review project when it holds ``protocols/protocol.yaml``. A leaf: it imports
nothing of ours, so the lock (below ``files.py``) and :class:`review.project.Project` share it.
"""

from __future__ import annotations

import os
from pathlib import Path

PROTOCOL_PATH = Path("protocols") / "protocol.yaml"


def find_root(start: Path | str) -> Path | None:
    """The nearest folder holding :data:`PROTOCOL_PATH`: ``start`` itself or a folder above it
    (as git finds its repository from a subfolder); None when there is none."""
    here = Path(os.path.abspath(start))
    for folder in (here, *here.parents):
        if (folder / PROTOCOL_PATH).is_file():
            return folder
    return None
