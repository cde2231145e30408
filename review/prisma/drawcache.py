"""The drawn diagram kept between runs: an unchanged figure is not drawn again.

Drawing the flow diagram (importing matplotlib, measuring every line, saving SVG, 300-dpi PNG
and PDF with its fonts subset) is about half of the PRISMA step. What is drawn depends only on
the *drawing input*: the boxes' texts (the counts and labels, :func:`review.prisma.content.
build_boxes`), the settings (font, font size, branches) and the drawing code and libraries. Its
key (:func:`drawing_key`, a SHA-256) is kept in ``.review/prisma/drawing.json`` (derived,
rebuildable; delete it to force a redraw) with the layout and the SHA-256 of each image file
written. The next run with the same key reuses the files of ``outputs/prisma/`` **only if each
is still there with its recorded hash** (:func:`cached_drawing`); otherwise it draws again.

Part of the key: the texts and ids of every box, the labels, the font (a font file by its
content hash), the font size and whether the other-methods column shows; the source of the
drawing modules (layout, render, figures); the versions of matplotlib, fontTools, Pillow and
NumPy. Not part of it: a system font replaced under the same family name (pass ``--font`` a
file, or delete ``.review/prisma/``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from review import figures
from review.errors import WriteError
from review.io.files import atomic_write_text
from review.prisma import layout, render
from review.prisma.content import Box, DiagramOptions, Item, build_boxes, merged_labels
from review.prisma.facts import Flow
from review.prisma.layout import Layout, show_other_branch

if TYPE_CHECKING:
    from review.project import Project

DRAWING_FORMAT = 1  # of .review/prisma/drawing.json; a different one is redrawn
IMAGES = {"svg": "prisma.svg", "png": "prisma.png", "pdf": "prisma.pdf"}  # format -> file
LIBRARIES = ("matplotlib", "fonttools", "pillow", "numpy")  # what the images are made with


@dataclass(frozen=True, slots=True)
class Drawing:
    """A drawn diagram: its key, its layout and its images (format -> bytes)."""

    key: str
    layout: Layout
    images: dict[str, bytes]


def drawing_key(flow: Flow, options: DiagramOptions) -> str:
    """The SHA-256 of everything the images are drawn from (see the module docstring)."""
    show_other = show_other_branch(flow, options)  # checks --branches first, as the layout
    labels = merged_labels(options)
    boxes = build_boxes(flow, labels, show_other)
    data = {
        "format": DRAWING_FORMAT,
        "boxes": [
            [b.id, b.role, b.align, [[i.text, i.indent, i.bold] for i in b.items]] for b in boxes
        ],
        "labels": labels,
        "font": _font_key(options.font),
        "fontsize": options.fontsize,
        "code": [_sha256(Path(str(m.__file__)).read_bytes()) for m in (layout, render, figures)],
        "libraries": [_version(name) for name in LIBRARIES],
    }
    return _sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8"))


def cached_drawing(project: Project, key: str) -> Drawing | None:
    """The kept drawing of ``key`` when every image file is still as it was written, else None."""
    try:
        saved = json.loads(_record_path(project).read_text(encoding="utf-8"))
        if saved.get("key") != key:
            return None
        images = {}
        for fmt, name in IMAGES.items():
            data = project.output("prisma", name).read_bytes()
            if _sha256(data) != saved["files"][name]:
                return None  # edited, damaged or replaced: draw again
            images[fmt] = data
        return Drawing(key, _layout_from_json(saved["layout"]), images)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # no record yet, an older or damaged one, or a file missing


def keep_drawing(project: Project, drawing: Drawing) -> None:
    """Record ``drawing`` as the one whose images outputs/prisma/ now holds (after writing
    them); a read-only project is drawn again next time."""
    record = {
        "key": drawing.key,
        "files": {name: _sha256(drawing.images[fmt]) for fmt, name in IMAGES.items()},
        "layout": _layout_to_json(drawing.layout),
    }
    try:
        atomic_write_text(_record_path(project), json.dumps(record, ensure_ascii=False))
    except (OSError, WriteError):
        pass


def _record_path(project: Project) -> Path:
    return project.cache_dir / "prisma" / "drawing.json"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _font_key(font: str) -> str:
    """A font family by its name; a font file by its content."""
    path = Path(font)
    try:
        if path.is_file():
            return "file:" + _sha256(path.read_bytes())
    except OSError:
        pass
    return "family:" + font


def _version(name: str) -> str:
    try:
        return f"{name} {version(name)}"
    except PackageNotFoundError:
        return f"{name} -"


def _layout_to_json(lay: Layout) -> dict[str, Any]:
    """Every field of ``lay``, exactly (JSON keeps a float's every digit)."""
    out = {k: getattr(lay, k) for k in Layout.__dataclass_fields__ if k != "boxes"}
    out["boxes"] = [
        {
            "id": b.id,
            "role": b.role,
            "items": [[i.text, i.indent, i.bold] for i in b.items],
            "align": b.align,
            "xywh": [b.x, b.y, b.w, b.h],
            "lines": [list(line) for line in b.lines],
        }
        for b in lay.boxes
    ]
    return out


def _layout_from_json(data: dict[str, Any]) -> Layout:
    boxes = []
    for b in data["boxes"]:
        x, y, w, h = b["xywh"]
        box = Box(b["id"], b["role"], [Item(*i) for i in b["items"]], b["align"], x, y, w, h)
        box.lines = [(str(t), float(off), bool(bold)) for t, off, bold in b["lines"]]
        boxes.append(box)
    return Layout(
        width=data["width"],
        height=data["height"],
        boxes=boxes,
        arrows=[[(px, py) for px, py in arrow] for arrow in data["arrows"]],
        edges=[(a, z) for a, z in data["edges"]],
        font=data["font"],
        fontsize=data["fontsize"],
        line_height=data["line_height"],
        ascent=data["ascent"],
        descent=data["descent"],
        pad=data["pad"],
    )
