"""Dedup memory at scale (issue 23): what the pipeline keeps per record and per scored pair.

A million records must dedup within 6 GB: equal names, journals and numbers are one object, equal
decisions are one object, and a scored pair nothing can come of (distinct, dissimilar title) is
not kept. None of it may change a result.
"""

from __future__ import annotations

from review.dedup.decide import AUTO, MAYBE, DedupOptions, decide
from review.dedup.normalize import normalize_record
from review.dedup.pipeline import _Decisions, run_dedup, score_all, short_title
from review.dedup.reliability import FieldReliability
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
