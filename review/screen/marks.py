"""Labels and reopens: the lines of a screening log that are not decisions.

``{"op": "label", "record_id", "stage", "label", "remove": false, "reviewer", …}`` tags a record
with a free label (Rayyan's "background", "ask author" …); ``"remove": true`` takes it off. A
reviewer's labels on a record are what their label lines add and do not remove later. Labels
never change a decision, PRISMA or a conflict.

``{"op": "reopen", "record_id", "stage", "reason", "undoes", "reviewer", …}`` says that the
person's next decision on a finished record changes its final status on purpose (the screener
and the sheet imports write it after a confirmation; ``undoes`` names what it changes).
`reopen` writes one with ``"unlock": true``: the only way to change a record in a stage
the protocol locks (``stages.<stage>.locked``). Resolvers' reopens live in their resolution log.

Both are read from every screening and resolution log, mapped through the dedup clusters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from review.errors import ReviewError
from review.io.jsonline import loads
from review.io.logline import mark_line_problem
from review.model import Stage
from review.screen.logs import resolutions_dir, screening_dir

if TYPE_CHECKING:
    from review.dedup.clusters import Clusters
    from review.project import Project
    from review.screen.cache import ClusterIndex

LABEL_MAX = 60  # characters in one label


@dataclass(frozen=True, slots=True)
class Reopen:
    """One logged reopen of a record at a stage."""

    record_id: str  # the cluster id
    stage: Stage
    who: str
    reason: str
    undoes: str
    unlock: bool  # written by `reopen` (lifts a stage lock)
    at: str
    file: str  # the log it was read from (relative to the project)


@dataclass(frozen=True, slots=True)
class Marks:
    """Every reopen, and the standing labels: cluster id -> label -> who put it there."""

    reopens: tuple[Reopen, ...]
    labels: dict[str, dict[str, tuple[str, ...]]]
    # reopen/label lines naming a record not in the dedup clusters (``file:line: …, ignored``)
    unknown: tuple[str, ...] = ()

    def unlocked(self, stage: Stage) -> frozenset[str]:
        """Clusters `reopen` opened at ``stage`` (a stage lock does not apply to them)."""
        return frozenset(r.record_id for r in self.reopens if r.stage == stage and r.unlock)

    def with_label(self, label: str) -> list[str]:
        """Cluster ids carrying ``label`` (any reviewer; case-insensitive)."""
        want = clean_label(label).casefold()
        return [cid for cid, labs in self.labels.items() if any(k.casefold() == want for k in labs)]

    def label_counts(self) -> list[tuple[str, int]]:
        """(label, records) by count, then label."""
        counts: dict[str, int] = {}
        for labs in self.labels.values():
            for k in labs:
                counts[k] = counts.get(k, 0) + 1
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold()))


def clean_label(text: str) -> str:
    """A label as stored: spaces collapsed; ReviewError when empty, too long or with a comma."""
    label = re.sub(r"\s+", " ", str(text)).strip()
    if not label:
        raise ReviewError("A label cannot be empty.")
    if "," in label:
        raise ReviewError(f"A label cannot contain a comma ({label!r}): commas separate labels.")
    if len(label) > LABEL_MAX:
        raise ReviewError(f"A label has at most {LABEL_MAX} characters: {label[:LABEL_MAX]}….")
    return label


def parse_labels(text: str) -> list[str]:
    """Comma-separated labels, cleaned, duplicates dropped (first spelling kept)."""
    out: list[str] = []
    seen: set[str] = set()
    for part in str(text or "").split(","):
        if not part.strip():
            continue
        label = clean_label(part)
        if label.casefold() not in seen:
            seen.add(label.casefold())
            out.append(label)
    return out


def _log_files(project: Project) -> list[Path]:
    out: list[Path] = []
    for folder in (screening_dir(project), resolutions_dir(project)):
        if folder.is_dir():
            out.extend(sorted(folder.glob("*.jsonl")))
    return out


def _mark_lines(path: Path) -> list[tuple[int, dict]]:
    """The valid label and reopen lines of one log with their line numbers (other lines are not
    parsed: logs are large)."""
    try:
        data = path.read_bytes()
    except OSError:
        return []
    if b'"label"' not in data and b'"reopen"' not in data:
        return []
    out = []
    for lineno, raw in enumerate(data.split(b"\n"), start=1):
        if b'"label"' not in raw and b'"reopen"' not in raw:
            continue
        try:
            obj = loads(raw)
        except ValueError:
            continue  # the decision readers report broken lines
        if (
            isinstance(obj, dict)
            and obj.get("op") in ("label", "reopen")
            and mark_line_problem(obj) is None  # the decision readers report invalid lines
        ):
            out.append((lineno, obj))
    return out


def read_marks(project: Project, clusters: Clusters | ClusterIndex) -> Marks:
    """Every reopen and the standing labels of every screening and resolution log."""
    reopens: list[Reopen] = []
    own: dict[tuple[str, str], dict[str, str]] = {}  # (who, cid) -> casefold -> label
    cluster_of = clusters.cluster_of
    unknown: list[str] = []
    for path in _log_files(project):
        for lineno, obj in _mark_lines(path):
            cid = cluster_of.get(str(obj.get("record_id", "")))
            if cid is None:
                rid = obj["record_id"]
                unknown.append(
                    f"{path}:{lineno}: record {rid} is not in the dedup clusters, ignored"
                )
                continue
            who = str(obj.get("reviewer") or obj.get("resolver") or path.stem)
            if obj["op"] == "reopen":
                reopens.append(
                    Reopen(
                        cid,
                        Stage(obj["stage"]),  # a valid line (mark_line_problem)
                        who,
                        str(obj.get("reason") or ""),
                        str(obj.get("undoes") or ""),
                        bool(obj.get("unlock")),
                        str(obj.get("at", "")),
                        project.rel(path),
                    )
                )
                continue
            label = re.sub(r"\s+", " ", str(obj.get("label") or "")).strip()
            if not label:
                continue
            mine = own.setdefault((who, cid), {})
            if obj.get("remove"):
                mine.pop(label.casefold(), None)
            else:
                mine.setdefault(label.casefold(), label)
    labels: dict[str, dict[str, list[str]]] = {}
    for (who, cid), mine in sorted(own.items()):
        for label in mine.values():
            labels.setdefault(cid, {}).setdefault(label, []).append(who)
    reopens.sort(key=lambda r: (r.at, r.record_id))
    return Marks(
        tuple(reopens),
        {cid: {k: tuple(v) for k, v in sorted(labs.items())} for cid, labs in labels.items()},
        tuple(unknown),
    )


def own_labels(
    project: Project, path: Path, clusters: Clusters | ClusterIndex
) -> dict[str, list[str]]:
    """One reviewer's standing labels (their own log only: blind), cluster id -> labels."""
    mine: dict[str, dict[str, str]] = {}
    cluster_of = clusters.cluster_of
    for _lineno, obj in _mark_lines(path):
        if obj["op"] != "label":
            continue
        cid = cluster_of.get(str(obj.get("record_id", "")))
        label = re.sub(r"\s+", " ", str(obj.get("label") or "")).strip()
        if cid is None or not label:
            continue
        labs = mine.setdefault(cid, {})
        if obj.get("remove"):
            labs.pop(label.casefold(), None)
        else:
            labs.setdefault(label.casefold(), label)
    return {cid: list(labs.values()) for cid, labs in mine.items() if labs}
