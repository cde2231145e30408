"""Dedup memory at scale (issue 23): what the pipeline keeps per record and per scored pair.

A million records must dedup within 6 GB: equal names, journals and numbers are one object, equal
decisions are one object, and a scored pair nothing can come of (distinct, dissimilar title) is
not kept. None of it may change a result.
"""

from __future__ import annotations

import random

from review.dedup.decide import AUTO, MAYBE, DedupOptions, decide
from review.dedup.normalize import normalize_record
from review.dedup.pipeline import _Decisions, run_dedup, score_all, short_title
from review.dedup.reliability import FieldReliability
from review.model import Record
from tests.helpers.dedup import clusters_of, make

AUTHORS = ["Smith, Anna", "Lee, B.", "García, María"]


def _records() -> list:
    """Twelve studies by the same authors in one journal (every pair blocked together), each
    exported twice."""
    topics = "sleep pain diet stroke cancer falls asthma gout acne sepsis mood grip".split()
    out = []
    for k, topic in enumerate(topics):
        for copy in range(2):
            out.append(
                make(
                    f"db{copy}-{2 * k + copy + 1}",
                    f"db{copy}",
                    title=f"Effects of {topic} training on {topic} outcomes in adults",
                    authors=AUTHORS,
                    year=2020,
                    journal="Journal of Tests" if copy == 0 else "J Tests",
                    volume="12",
                    pages=f"{100 + 10 * k}-{109 + 10 * k}",
                )
            )
    return out


def test_normalised_records_share_repeated_values() -> None:
    a, b = _records()[0], _records()[2]
    shared: dict[object, object] = {}
    x, y = normalize_record(a, 0, shared), normalize_record(b, 1, shared)
    assert x == normalize_record(a, 0) and y == normalize_record(b, 1)  # the same values
    assert x.authors is y.authors and x.authors[0] is y.authors[0]
    assert x.journal is y.journal and x.journal_text is y.journal_text
    assert x.volume is y.volume


def test_only_pairs_that_can_matter_are_kept() -> None:
    norms = [
        normalize_record(r, i) for i, r in enumerate(sorted(_records(), key=lambda r: r.record_id))
    ]
    options = DedupOptions()
    scored = score_all(norms, options)
    decisions = _Decisions.of(norms, options, scored, FieldReliability())
    assert len(scored) > 2 * len(decisions.pairs)  # most pairs: other studies, dropped
    for s, d in decisions.pairs.values():  # linked, queued, or similar enough to be related
        assert d.label in (AUTO, MAYBE) or s.title >= 0.9
    kept = [d for _, d in decisions.pairs.values()]
    assert len({id(d) for d in kept}) == len(set(kept))  # equal decisions: one object
    for s in scored:  # a dropped pair is worked out again, the same, when asked
        again = decisions.get(s.a, s.b)
        assert again == (s, decide(s, options, short_title(norms[s.a], norms[s.b])))


def test_results_unchanged() -> None:
    result = run_dedup(_records())
    clusters = clusters_of(result)
    assert len(set(clusters.values())) == 12  # each study's two exports merged, nothing else
    assert result.counts["candidate_pairs"] == len(result.scored) > 12


def _ris(records: list[dict[str, str | list[str]]]) -> str:
    out = []
    for rec in records:
        out.append("TY  - JOUR")
        for tag, value in rec.items():
            for v in value if isinstance(value, list) else [value]:
                out.append(f"{tag}  - {v}")
        out.append("ER  - \n")
    return "\n".join(out)


def test_dedup_keeps_only_the_raw_lines_it_reads(tmp_path) -> None:
    """dedup loads records with only the raw tags normalisation reads (a million records'
    raw lines would hold every abstract twice), and what it reads from them still counts: two
    articles told apart only by their article numbers (C7, no pages) stay apart."""
    from review.dedup.normalize import RAW_TAGS
    from review.dedup.run import dedup_project
    from review.importer import import_files
    from review.project import Project

    common = {
        "TI": "Effects of walking on sleep quality in older adults",
        "AU": ["Smith, Anna", "Lee, Bo"],
        "PY": "2020",
        "T2": "PLoS One",
        "VL": "15",
        "AB": "Walking improved sleep. " * 40,
        "KW": ["sleep", "walking"],
    }
    ris = tmp_path / "a.ris"
    ris.write_text(
        _ris([{**common, "C7": "e0143396"}, {**common, "C7": "e0150321"}]), encoding="utf-8"
    )
    project = Project.init(tmp_path / "p")
    import_files(project, [ris], source="A")
    slim = project.record_cache.records(project.imports(), raw_tags=RAW_TAGS)
    assert {t for r in slim for t, _ in r.raw} == {"T2", "C7"}
    assert [r.abstract for r in slim] == [common["AB"].strip()] * 2  # fields are untouched
    full = project.records()
    assert {t for t, _ in full[0].raw} >= {"TI", "AU", "AB", "KW", "C7"}  # others: every line
    result = dedup_project(project)
    assert len({row.cluster_id for row in result.rows}) == 2


def test_primary_is_the_copy_with_the_longer_abstract_beyond_what_scoring_compares() -> None:
    """Only the first ABSTRACT_CHARS normalised characters are kept for scoring, but the
    primary of a cluster is still the copy with the longer abstract (up to 1,000)."""
    from review.dedup.normalize import ABSTRACT_CHARS

    words = " ".join(f"word{i}" for i in range(200))
    short = make(
        "a-1",
        "A",
        title="Effects of walking on sleep",
        authors=AUTHORS,
        year=2020,
        journal="J Tests",
        volume="3",
        pages="1-9",
        abstract=words[:700],
    )
    long = make(
        "b-1",
        "B",
        title="Effects of walking on sleep",
        authors=AUTHORS,
        year=2020,
        journal="J Tests",
        volume="3",
        pages="1-9",
        abstract=words[:900],
    )
    x, y = normalize_record(short, 0), normalize_record(long, 1)
    assert len(x.abstract) == len(y.abstract) == ABSTRACT_CHARS
    assert (x.abstract_length, y.abstract_length) == (700, 900)
    result = run_dedup([short, long])
    assert clusters_of(result) == {"a-1": "b-1", "b-1": "b-1"}


def test_fusion_reads_only_the_abstracts_it_takes() -> None:
    """dedup writes fused.csv from records loaded without abstracts: it reads the lengths,
    then only the abstracts fusion takes from a copy other than the primary, and leaves the
    others empty. Every cluster fuses exactly as with every abstract held (ties, empty and
    placeholder abstracts, a primary with the longest one)."""
    from dataclasses import replace

    from review.dedup.fusion import fuse_record
    from review.dedup.outputs import _taken_abstracts

    rng = random.Random(7)
    pool = ["", "No abstract available", "N/A", "short one", "x" * 40, "y" * 40, "z" * 300]
    groups: dict[str, list[str]] = {}
    full: dict[str, Record] = {}
    for c in range(300):
        ids = [f"{c:03d}-{k}" for k in range(rng.randint(2, 4))]
        rng.shuffle(ids)
        groups[ids[0]] = ids[1:]
        for rid in ids:
            full[rid] = make(rid, title=f"Study {c}", abstract=rng.choice(pool))
    stream = [(rid, full[rid].abstract) for rid in sorted(full)]
    taken = _taken_abstracts(groups, lambda: iter(stream))
    assert len(taken) < len(full) / 3  # most abstracts are never held
    for cid, others in groups.items():
        want = fuse_record(full[cid], [full[r] for r in others])
        slim = {r: replace(full[r], abstract=taken.get(r, "")) for r in (cid, *others)}
        got = fuse_record(slim[cid], [slim[r] for r in others])
        assert got[1].filled() == want[1].filled()
        assert [getattr(got[0], s.field) for s in got[1].filled()] == [
            getattr(want[0], s.field) for s in want[1].filled()
        ]
