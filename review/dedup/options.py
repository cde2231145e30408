"""The project's dedup options: read from, and saved into, the ``dedup:`` section of
protocols/protocol.yaml (never from outputs/, which is derived and may be deleted)."""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any

from review.dedup.decide import DedupOptions
from review.protocol import edit_protocol, parse_dedup_settings

if TYPE_CHECKING:
    from review.project import Project

SECTION_COMMENT = "dedup settings (docs/dedup.md)"


def project_options(project: Project) -> DedupOptions:
    """The project's dedup options: the defaults, overridden by the ``dedup:`` section of
    protocols/protocol.yaml (never by outputs/, which is derived and may be deleted)."""
    settings = project.protocol.dedup
    names = {f.name for f in fields(DedupOptions)}
    chosen: dict[str, Any] = {k: v for k, v in settings.items() if k in names}  # checked on load
    return DedupOptions(**chosen)


last_options = project_options  # the options `dedup review/import/split/explain` re-cluster with


def save_options(project: Project, changes: dict[str, float | int]) -> list[str]:
    """Write ``changes`` into the ``dedup:`` section of protocols/protocol.yaml, keeping every
    other line (and comment) as it is (:func:`review.protocol.edit_protocol`). Returns
    ``dedup.key = value`` for each value that changed."""
    path = project.protocol_path
    current = project.protocol.dedup
    todo = {k: v for k, v in changes.items() if current.get(k) != v}
    if not todo:
        return []
    parse_dedup_settings({**current, **todo}, path)  # refuse before writing anything
    edit_protocol(path, "dedup", todo, comment=SECTION_COMMENT)
    project.__dict__.pop("protocol", None)  # cached_property: read the new file next time
    return [f"dedup.{k} = {v}" for k, v in todo.items()]
