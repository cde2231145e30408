"""Where a command may write a file the user names (``-o/--output/--out``).

Every output the tool writes is derived; the project's truth (``data/``: raw import copies and
the append-only decision logs; ``protocols/``; the extraction schema; ``.git/``) is never a
place for one. An output never replaces something that is not a regular file: the atomic write
would turn a symlink, a FIFO or a device into a regular file and report success. Everything is
checked before any work starts, so a refusal changes nothing.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from review.errors import InputError

# Folders (relative to the project root) that hold the truth or the tool's own state.
PROTECTED_DIRS = ("data", "protocols", ".git")
SYSTEM_DIRS = ("/proc", "/sys", "/dev")


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def check_output(
    path: Path,
    *,
    root: Path | None = None,
    protected_files: tuple[Path, ...] = (),
    folder: bool = False,
) -> Path:
    """``path`` if a command may write it (a file, or with ``folder`` a folder of files); else
    an :class:`InputError` saying why and what to do. ``root`` is the project folder."""
    shown = str(path)
    what = "folder" if folder else "file"
    if os.path.islink(path):
        raise InputError(
            f"is a symbolic link; an output never replaces one. Give another {what} name.",
            file=shown,
        )
    target = Path(os.path.realpath(path))
    if any(_inside(target, Path(d)) for d in SYSTEM_DIRS):
        raise InputError(f"is a system path, not a place for an output {what}.", file=shown)
    if root is not None:
        root = Path(os.path.realpath(root))
        for name in PROTECTED_DIRS:
            if _inside(target, root / name):
                raise InputError(
                    f"is inside the project's {name}/ folder, which holds what the review "
                    "records (never overwritten by an output). Write it elsewhere, e.g. "
                    "under outputs/.",
                    file=shown,
                )
        for protected in protected_files:
            if target == Path(os.path.realpath(protected)):
                raise InputError(
                    "is one of the project's settings files; an output never replaces it. "
                    "Write it elsewhere, e.g. under outputs/.",
                    file=shown,
                )
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise InputError(f"cannot be written: {exc.strerror or exc}.", file=shown) from None
    if mode is not None:
        if folder and not stat.S_ISDIR(mode):
            raise InputError("exists and is not a folder; give a folder name.", file=shown)
        if not folder and stat.S_ISDIR(mode):
            raise InputError("is a folder; give a file name (e.g. …/name.xlsx).", file=shown)
        if not folder and not stat.S_ISREG(mode):
            raise InputError(
                "is not a regular file (a FIFO, socket or device); an output never replaces "
                "one. Give another file name.",
                file=shown,
            )
    parent = target.parent
    if not folder and parent.exists() and not parent.is_dir():
        raise InputError(f"cannot be written: {parent} is not a folder.", file=shown)
    return path
