"""Dedup, issue 22: noise classes normalised as classes, field reliability learned from the
library, and the queue ordered by how likely a pair is a duplicate."""

from __future__ import annotations

import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from review.dedup.explain import explain_pair
from review.dedup.library import repair_lost_characters
from review.dedup.normalize import normalize_record, normalize_title
from review.dedup.pipeline import run_dedup
from review.dedup.reliability import FieldReliability, estimate
from review.dedup.score import journal_similarity, score_pair
from review.model import Record
from tests.helpers.dedup import clusters_of, make

# ---- literal missing-value strings ----------------------------------------------------------


def test_missing_value_strings_are_missing_in_every_field() -> None:
    rec = make(
        "a-1",
        title="Sleep after stroke",
        authors=["Smith, J.", "NA"],
        journal="N/A",
        volume="NA",
        issue="null",
        pages="N/A",
        doi="null",
        pmid="NA",
        abstract="[No abstract available]",
    )
    n = normalize_record(rec)
    assert (n.journal, n.volume, n.issue, n.page_first, n.doi, n.pmid, n.abstract) == (
        (),
        "",
        "",
        "",
        "",
        "",
        "",
    )
    assert n.authors == (("smith", "j"),)


def test_two_placeholder_abstracts_do_not_agree() -> None:
    base = dict(title="Sleep after stroke in older adults: a cohort", authors=["Smith, J."])
    a = make("a-1", abstract="[no abstract]", journal="NA", pages="NA", **base)
    b = make("b-2", abstract="No abstract available", journal="NA", pages="NA", **base)
    s = score_pair(normalize_record(a, 0), normalize_record(b, 1))
    assert (s.abstract, s.journal, s.same_pages) == (None, None, None)


# ---- volume/issue junk, markup, mojibake, lost characters ------------------------------------


def test_volume_and_issue_junk_read_as_their_numbers() -> None:
    for volume, issue in (("12 (3)", ""), ("12", "3)"), ("Vol. 12", "No. 3"), ("12", "3 (4)")):
        n = normalize_record(make("a-1", title="x", volume=volume, issue=issue))
        assert n.volume == "12"
        assert n.issue in ("", "3")
    n = normalize_record(make("a-1", title="x", volume="12", issue="Suppl 2"))
    assert n.supplement


def test_markup_in_titles_disappears_inside_words() -> None:
    plain = normalize_title("Nav1.5 channels and H2O transport")
    assert normalize_title("Na<scp>v</scp>1.5 channels and H<sub>2</sub>O transport") == plain
    assert normalize_title("Na&lt;sub&gt;v&lt;/sub&gt;1.5 channels and H2O transport") == plain
    assert (
        normalize_title(
            '<italic toggle="yes">Na</italic>v1.5 channels and H<sup>2</sup>O transport'
        )
        == plain
    )


def test_importer_removes_inline_markup_without_a_gap() -> None:
    from review.io.readers.normalize import strip_html

    assert strip_html("H<sub>2</sub>O and Na<sup>+</sup> in Re&lt;i&gt;t&lt;/i&gt;urn") == (
        "H2O and Na+ in Return"
    )
    assert strip_html("One<br/>two <p>three</p>").split() == ["One", "two", "three"]


def test_mojibake_reads_as_the_text_it_garbled() -> None:
    right = "Avaliação da função pulmonar em crianças"
    garbled = right.encode("utf-8").decode("cp1252", errors="replace")
    assert normalize_title(garbled) == normalize_title(right)
    x = normalize_record(make("a-1", title="t", journal="Revista Médica de Chile"), 0)
    y = normalize_record(make("b-2", title="t", journal="RevÃ­sta MÃ©dica de Chile"), 1)
    z = normalize_record(make("c-3", title="t", journal="Rev Med Chil"), 2)
    assert journal_similarity(x, y) == 1.0
    assert journal_similarity(y, z) == 1.0


def test_characters_lost_in_export_are_restored_from_the_library() -> None:
    ok = make(
        "a-1",
        title="Avaliação da função pulmonar em crianças",
        authors=["Gonçalves, José", "Lima, Ana"],
        year=2015,
        journal="Revista Médica de Minas Gerais",
    )
    lost = make(
        "b-2",
        "B",
        title="Avalia??o da fun??o pulmonar em crian?as",
        authors=["Gon?alves, Jos?", "Lima, Ana"],
        year=2015,
        journal="Rev?sta M?dica de Minas Gerais",
    )
    question = make("c-3", title="Does exercise help? A trial of walking", authors=["Doe, J."])
    repaired = repair_lost_characters([ok, lost, question])
    assert repaired[0] is ok and repaired[2] is question  # untouched: nothing lost
    assert normalize_title(repaired[1].title) == normalize_title(ok.title)
    x, y = normalize_record(repaired[0], 0), normalize_record(repaired[1], 1)
    assert x.authors == y.authors
    result = run_dedup([ok, lost, question])
    assert clusters_of(result)["b-2"] == "a-1"
    assert result.links[0][2] == "auto"


def test_an_unknown_lost_word_is_left_alone() -> None:
    lost = make("a-1", title="Ensaio cl?nico", authors=["P?rez, J."])
    assert repair_lost_characters([lost]) == [lost]  # nothing in the library to match


# ---- a bracketed translated title versus the original --------------------------------------


def test_translated_title_in_brackets_and_the_original_are_one_record() -> None:
    common = dict(authors=["Müller, Hans", "Schmidt, Eva"], year=2011, volume="153", pages="412")
    original = make(
        "a-1",
        title="Wirkung der Akupunktur auf Schmerzen nach Schlaganfall",
        journal="Deutsche Medizinische Wochenschrift",
        **common,
    )
    english = make(
        "b-2",
        "B",
        title="[Effect of acupuncture on pain after stroke]. [Article in German]",
        journal="Dtsch Med Wochenschr",
        **common,
    )
    result = run_dedup([original, english])
    assert clusters_of(result)["b-2"] == "a-1"
    assert result.links[0][3].startswith("A17")
    # Another paper on the same page of another volume is not the same record.
    other = make("c-3", "B", **{**common, "volume": "154"}, title=english.title)
    assert len(set(clusters_of(run_dedup([original, other])).values())) == 2


# ---- field reliability learned from the library ----------------------------------------------


def _library(n: int = 60, seed: int = 5) -> list[Record]:
    """``n`` papers exported by database A, and a copy of each by database B, which writes its
    own record number where the issue belongs and gives no pages."""
    rng = random.Random(seed)
    vocab = "alpha beta gamma delta kappa sigma omega trial cohort risk pain sleep diet".split()
    out: list[Record] = []
    for k in range(n):
        fields = dict(
            title=" ".join(rng.choice(vocab) for _ in range(9)) + f" study {k}",
            authors=[f"Author{k % 7}, Q.", f"Other{k % 5}, R."],
            year=2000 + k % 20,
            journal="Journal of Tests",
            volume=str(k % 30 + 1),
        )
        out.append(
            make(f"a-{2 * k + 1}", "A", issue=str(k % 4 + 1), pages=f"{k}-{k + 9}", **fields)
        )
        out.append(make(f"b-{2 * k + 2}", "B", issue=str(30_000_000 + 7 * k), **fields))
    return out


def test_record_number_in_the_issue_field_is_no_evidence() -> None:
    records = _library()
    result = run_dedup(records)
    rel = result.reliability.to_json()
    between = [tuple(x) for x in rel["ignore_disagreement_between"]]
    assert "issue" in rel["ignore_disagreement"] or ("issue", "A", "B") in between
    clusters = clusters_of(result)
    assert all(clusters[f"b-{2 * k + 2}"] == f"a-{2 * k + 1}" for k in range(60))
    assert not result.queued


def test_a_reliable_issue_field_still_counts() -> None:
    # Database B gives the real issue: duplicates agree on it, so "issues differ" stays evidence.
    records = [
        r
        if r.source == "A"
        else make(
            r.record_id,
            "B",
            **{**_fields(r), "issue": str((int(r.record_id[2:]) // 2 - 1) % 4 + 1)},
        )
        for r in _library()
    ]
    rel = run_dedup(records).reliability
    assert rel.m and rel.u
    assert "issue" not in rel.ignore_disagreement
    assert not rel.ignore_between


def _fields(r: Record) -> dict:
    return dict(
        title=r.title, authors=list(r.authors), year=r.year, journal=r.journal, volume=r.volume
    )


def test_reliability_of_a_small_library_is_empty_and_changes_nothing() -> None:
    assert estimate([]) == FieldReliability()
    small = run_dedup(_library(10))  # fewer than 50 candidate pairs: the rules as written
    assert small.reliability == FieldReliability()
    assert len(small.queued) == 10  # record-number issues differ: queued, not merged


# ---- the queue: likeliest first ----------------------------------------------------------------


def test_queue_is_ordered_by_match_weight_not_by_title_alone() -> None:
    records = _library(40, seed=9)
    likely = dict(
        title="Walking programmes for older adults with chronic pain: a randomised trial",
        authors=["Garcia, M.", "Chen, L."],
        year=2012,
        journal="Journal of Pain",
        volume="8",
        issue="2",
    )
    records.append(make("x-101", "A", pages="10-19", **likely))
    # Same authors, year, journal, volume and issue; the pages differ and the title is reworded.
    records.append(
        make(
            "x-102",
            "B",
            pages="30-39",
            **{
                **likely,
                "title": "Walking programs for older adults in chronic pain: randomized trial",
            },
        )
    )
    unlikely = dict(title="Yoga for anxiety in university students: a pilot study", year=2010)
    records.append(make("y-201", "A", authors=["Brown, K.", "Patel, S."], **unlikely))
    # A closer title, but other authors, two years later, another journal.
    records.append(
        make(
            "y-202",
            "B",
            authors=["Brownfield, A.", "Osei, P."],
            **{**unlikely, "title": unlikely["title"].replace("pilot", "pilots"), "year": 2012},
            journal="Stress and Health",
        )
    )
    result = run_dedup(records)
    queued = [(q.a, q.b) for q in result.queued]
    assert ("x-101", "x-102") in queued and ("y-201", "y-202") in queued
    by_title = sorted(result.queued, key=lambda q: -q.title)
    assert by_title.index(next(q for q in by_title if q.a == "y-201")) < by_title.index(
        next(q for q in by_title if q.a == "x-101")
    )
    assert queued.index(("x-101", "x-102")) < queued.index(("y-201", "y-202"))


def test_reliability_round_trips_through_summary_json_for_explain() -> None:
    import json

    result = run_dedup(_library())
    rel = result.reliability
    again = FieldReliability.from_json(json.loads(json.dumps(rel.to_json())))
    assert again.ignore_disagreement == rel.ignore_disagreement
    assert again.ignore_between == rel.ignore_between
    assert FieldReliability.from_json({"fields": "nonsense"}) == FieldReliability()
    # explain reads the same masks: the record-number issue is no conflict between A and B.
    a, b = _library()[:2]
    plain = explain_pair(a, b)
    learned = explain_pair(a, b, reliability=again)
    assert plain.decision != "auto"
    assert learned.decision == "auto"


_OLD_NON_WORD, _OLD_SPACES, _OLD_UNDERSCORE = (
    re.compile(r"[^\w]+"),
    re.compile(r"\s+"),
    re.compile(r"_+"),
)


@given(st.text(alphabet=st.sampled_from("ab_ -\t\n.,éßØ0½\u00a0\u2028'\"()[]ǅ١<>&;"), max_size=40))
@settings(max_examples=400, deadline=None)
def test_words_is_every_run_of_letters_and_digits_one_space_apart(text: str) -> None:
    """words() finds the runs of letters and digits (fast); it gives exactly the text the
    substitutions it replaced gave (non-word runs, "_" and white space to one space)."""
    from review.dedup.fold import fold
    from review.dedup.normalize import words

    folded = fold(text)
    old = _OLD_SPACES.sub(" ", _OLD_UNDERSCORE.sub(" ", _OLD_NON_WORD.sub(" ", folded))).strip()
    assert words(text) == old
