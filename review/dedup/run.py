"""Dedup on a project: read records and verdicts, run the pipeline, write ``outputs/dedup/``.

One module per job: the options (protocol.yaml's ``dedup:`` section) in options.py, the cache of
scored pairs in paircache.py, the pure pipeline in pipeline.py, the files written in outputs.py,
related reports in related.py, the overlap between sources in overlap.py, the project status in
status.py. This module reads the project, runs the pipeline and writes the outputs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from review.dedup.clusters import Clusters, load_clusters
from review.dedup.decide import DedupOptions
from review.dedup.normalize import RAW_TAGS, AbstractKey, abstract_key
from review.dedup.options import last_options, project_options, save_options
from review.dedup.outputs import maybe_path, overlap_path, summary_path, write_outputs
from review.dedup.overlap import SourceOverlap, overlap_table
from review.dedup.status import DedupCounts, DedupStatus, status_summary
from review.gcpause import gc_paused
from review.model import MAIN_KINDS, Record

if TYPE_CHECKING:
    from review.dedup.pipeline import DedupResult, ProgressFn
    from review.project import Project

__all__ = [  # the names other modules have imported from here
    "Clusters",
    "DedupCounts",
    "DedupStatus",
    "SourceOverlap",
    "branch_map",
    "dedup_project",
    "last_options",
    "load_clusters",
    "maybe_path",
    "overlap_path",
    "overlap_table",
    "project_options",
    "save_options",
    "status_summary",
    "summary_path",
    "write_outputs",
]


def branch_map(project: Project, records: list[Record]) -> dict[str, str]:
    """record_id -> ``main``/``other`` from the import log (``ImportEntry.branch``)."""
    by_file: dict[str, str] = {}
    by_folder: dict[str, str] = {}
    for e in project.imports():
        by_file[e.file] = e.branch
        by_folder[f"data/imports/{e.import_id}"] = e.branch
    out: dict[str, str] = {}
    for r in records:
        b = by_file.get(r.source_file)
        if b is None:
            b = by_folder.get(r.source_file.rsplit("/", 1)[0])
        if b is None:
            b = "main" if r.kind in MAIN_KINDS else "other"
        out[r.record_id] = b
    return out


@gc_paused()  # a million records and their comparison keys: no cycles to collect
def dedup_project(
    project: Project,
    options: DedupOptions | None = None,
    progress: ProgressFn | None = None,
) -> DedupResult:
    """Run dedup on every imported record and write the outputs. Returns the result (its
    ``scored`` pairs are in the project's pair cache, not in the result)."""
    from review.dedup import paircache
    from review.dedup.pipeline import run_dedup
    from review.dedup.verdicts import standing_verdicts

    options = options or last_options(project)
    # Without the raw lines dedup does not read, and without the abstracts: what scoring
    # compares of them is read a stored row at a time (a million abstracts are never held).
    records = project.records(raw_tags=RAW_TAGS, abstracts=False)
    branches = branch_map(project, records)
    fp = paircache.fingerprint(records, branches, options)
    cached = paircache.load_cache(project, fp)
    result = run_dedup(
        records,
        options,
        standing_verdicts(project),
        branch_of=branches,
        scored=cached,
        progress=progress,
        abstracts=_abstract_keys(project),
    )
    if cached is None:
        paircache.save_cache(project, fp, result.scored)
    # Kept in the pair cache: not held (with its million records' 4 M pairs) while the
    # outputs are written, nor returned.
    del cached
    result.scored = []
    write_outputs(project, records, result, options, abstracts=_abstracts(project))
    return result


def _abstract_keys(project: Project) -> dict[str, AbstractKey]:
    """record_id -> :func:`abstract_key` of every record with an abstract."""
    column = project.record_cache.column(project.imports(), "abstract")
    return {rid: abstract_key(text) for rid, text in column if text}


def _abstracts(project: Project) -> Callable[[], Iterator[tuple[str, str]]]:
    """A reader of every record's ``(record_id, abstract)``, a stored row at a time."""
    return lambda: project.record_cache.column(project.imports(), "abstract")
