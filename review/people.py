"""Who records a decision: exact reviewer names, their file ids, and the team roster.

Every person's decisions live in files of their own (``data/screening/<id>.jsonl``,
``data/dedup/<id>.jsonl``, ``data/resolutions/<id>.jsonl``, ``data/charting/<id>/``). The id is
derived from the exact name (Unicode NFC, surrounding spaces removed), and every log line carries
the exact name too:

- a plain ASCII name keeps the slug earlier versions used (``Ana Silva`` -> ``ana-silva``), so
  existing projects keep their files;
- any other name gets a readable prefix plus a reversible code of the exact name:
  ``Zoë Ñúñez`` -> ``zoe-nunez--ljx4hkzayoi4howdwfsxu``, ``张伟`` -> ``name--4w6kbzf4t4``
  (lower-case base32 of the UTF-8 name, so two different names never share a file, even on
  case-insensitive file systems);
- a name too long for a file name (over 100 characters of slug, or 80 of code) gets a readable
  prefix plus ``--sha-`` and 24 hex digits of its SHA-256.

Distinct ASCII names can share a slug (``Anat`` and ``anat``), and a hash can in principle
collide, so a writer first checks who owns the file: the first line names its owner. A different
exact name is refused with a message saying whose file it is (:func:`claim`).
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from review.errors import ReviewError
from review.io.files import safe_name
from review.model import Stage

if TYPE_CHECKING:
    from review.protocol import Protocol

MAX_SLUG = 100  # a plain ASCII slug longer than this gets the hashed form
MAX_CODE = 80  # a base32 code longer than this gets the hashed form
MAX_NAME = 200  # characters; longer names are refused (nobody types them on purpose)
CONSENSUS = "consensus"  # the reserved name for an agreed outcome (resolutions, charting)

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def clean_name(name: str, option: str = "--reviewer") -> str:
    """The exact name as stored: NFC-normalised, surrounding spaces removed; refuses empty names,
    control characters (tabs, line breaks) and names over 200 characters."""
    text = unicodedata.normalize("NFC", name or "").strip()
    if not text:
        raise ReviewError(f"A name is needed: pass {option} NAME.")
    if _CONTROL.search(text):
        raise ReviewError(
            f"The name {text!r} contains a control character (tab, line break…); "
            f"pass {option} with a plain name."
        )
    if len(text) > MAX_NAME:
        raise ReviewError(
            f"The name given with {option} is {len(text)} characters long; use at most "
            f"{MAX_NAME} (initials or a short name are fine, it is only a label)."
        )
    return text


def _slug(text: str) -> str:
    return safe_name(text)


def file_id(name: str) -> str:
    """The file name (without extension) that holds ``name``'s decisions (see module docs)."""
    name = unicodedata.normalize("NFC", name).strip()
    slug = _slug(name)
    has_alnum = any(c.isalnum() for c in name)
    if name.isascii() and has_alnum and len(slug) <= MAX_SLUG:
        return slug  # the historical file name
    prefix = slug[:40].strip("-") if any(c.isalnum() for c in name if c.isascii()) else ""
    prefix = prefix or "name"
    raw = name.encode("utf-8")
    code = base64.b32encode(raw).decode("ascii").rstrip("=").lower()
    if len(code) > MAX_CODE:
        code = "sha-" + hashlib.sha256(raw).hexdigest()[:24]
    return f"{prefix}--{code}"


def name_from_file_id(stem: str) -> str | None:
    """The exact name encoded in a file id, when it is recoverable (the base32 form); None for
    legacy ASCII slugs and hashed ids (their files' lines carry the name)."""
    if "--" not in stem:
        return None
    code = stem.rsplit("--", 1)[1]
    if code.startswith("sha-"):
        return None
    try:
        return base64.b32decode(code.upper() + "=" * (-len(code) % 8)).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


def owner_of(path: Path, key: str) -> str | None:
    """The name on the first line of a JSONL log that has ``key`` (None: empty or no such file)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                try:
                    obj = json.loads(line)
                except ValueError:
                    continue
                if isinstance(obj, dict) and isinstance(obj.get(key), str):
                    return unicodedata.normalize("NFC", obj[key]).strip()
    except (FileNotFoundError, IsADirectoryError):
        return None
    return None


def own_path(
    folder: Path,
    name: str,
    suffix: str,
    owner: Callable[[Path], str | None],
    option: str,
    rel: Callable[[Path], str],
) -> Path:
    """Where ``name``'s own file lives in ``folder`` (``<file id><suffix>``), checked.

    A project started before file ids existed may hold a non-ASCII name's decisions under the
    old lossy slug (``ana-maria.jsonl`` for ``Ana María``): that file keeps being used while it
    is the name's own. ``owner(path)`` reads a file's owner; ``rel`` shows a path to the user.
    """
    name = clean_name(name, option)
    path = folder / f"{file_id(name)}{suffix}"
    if not path.exists():
        legacy = folder / f"{safe_name(name)}{suffix}"
        if legacy != path and legacy.exists() and owner(legacy) == name:
            return legacy
    return claim(path, name, owner(path), option, rel(path))


def own_log(folder: Path, name: str, role: str, rel: Callable[[Path], str]) -> Path:
    """``name``'s own JSON Lines log in ``folder`` (:func:`own_path`), whose owner is the
    ``role`` field (``reviewer``, ``resolver``) of its first line; ``--<role>`` names them."""
    return own_path(folder, name, ".jsonl", lambda p: owner_of(p, role), f"--{role}", rel)


def claim(path: Path, name: str, owner: str | None, option: str, shown: str) -> Path:
    """``path`` if it is free (``owner`` None) or ``name``'s; a clear ReviewError otherwise.

    ``shown`` is the path as the user should read it (relative to the project).
    """
    if owner is not None and owner != name:
        raise ReviewError(
            f"{shown} holds the decisions of {owner!r}, and the name {name!r} maps to the same "
            f"file. If you are {owner!r}, pass {option} {_quote(owner)} exactly; otherwise "
            "choose a name that differs in its letters or digits."
        )
    return path


def _quote(name: str) -> str:
    import shlex

    return shlex.quote(name)


# ---- the team roster (protocols/protocol.yaml) ------------------------------------------------
def screening_roster(protocol: Protocol, stage: Stage) -> tuple[str, ...]:
    """Who may screen ``stage``: the stage's ``reviewers`` or else the team's (empty: anyone)."""
    cfg = protocol.stages.get(stage)
    return (cfg.reviewers if cfg is not None else ()) or protocol.reviewers


def team(protocol: Protocol) -> tuple[str, ...]:
    """Everyone on the roster: the team plus every stage's reviewers and the resolvers."""
    names = list(protocol.reviewers)
    for cfg in protocol.stages.values():
        names += [n for n in cfg.reviewers if n not in names]
    names += [n for n in protocol.resolvers if n not in names]
    return tuple(names)


def check_roster(protocol: Protocol, name: str, activity: str, stage: Stage | None = None) -> None:
    """Refuse ``name`` when the protocol lists its team and ``name`` is not on it.

    ``activity`` is screening | resolving | dedup | charting | importing | attaching (the last
    two for an explicit ``--by``). ``consensus`` may always resolve
    and chart (the agreed outcome). No roster at all: anyone may record (the CLI confirms a new name at a terminal).
    """
    name = clean_name(name)
    if activity == "screening" and stage:
        roster = screening_roster(protocol, stage)
        where = f"stages.{stage}.reviewers" if protocol.stages[stage].reviewers else "reviewers"
    else:
        roster = team(protocol)
        where = "reviewers"
        if activity in ("resolving", "charting") and name == CONSENSUS:
            return
    if not roster or name in roster:
        return
    what = {"screening": f"screen {stage}".strip(), "resolving": "resolve disagreements",
            "dedup": "record dedup verdicts", "charting": "chart",
            "importing": "import search exports", "attaching": "attach full texts"}[activity]  # fmt: skip
    near = _near(name, roster)
    raise ReviewError(
        f"{name!r} is not on the team in protocols/protocol.yaml ({where}: "
        f"{', '.join(roster)}), so cannot {what}."
        + (f" Did you mean {near!r}?" if near else "")
        + " Check the spelling, or add the name to the protocol first."
    )


def _near(name: str, options: tuple[str, ...]) -> str | None:
    import difflib

    low = {o.casefold(): o for o in options}
    key = name.casefold()
    for o, orig in low.items():
        if o.startswith(key) or key in o.split():
            return orig  # "Ana" for "Ana Silva"
    hit = difflib.get_close_matches(key, list(low), n=1, cutoff=0.6)
    return low[hit[0]] if hit else None


def known_people(folder: Path, key: str) -> set[str]:
    """The names that own a log in ``folder`` (first line of each ``*.jsonl``)."""
    if not folder.is_dir():
        return set()
    return {o for p in folder.glob("*.jsonl") if (o := owner_of(p, key)) is not None}


def whoami() -> str:
    """Who is acting: $REVIEW_USER, else git's user.name, else the login name."""
    env = os.environ.get("REVIEW_USER")
    if env:
        return env
    try:
        import subprocess

        out = subprocess.run(
            ["git", "config", "user.name"], capture_output=True, text=True, timeout=2, check=False
        )
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no login name in some containers
        return "unknown"
