"""methods.md is computed from the logs, clause by clause (issue 19 §1, §2): each test changes
the logs and sees the sentence change. The protocol's settings are plans; the text reports what
the screening, resolution and stopping logs record."""

from __future__ import annotations

import json
import re

import pytest

from review.io.files import append_jsonl
from review.project import Project
from tests.helpers.screen import decide, make_record_project, resolve, set_protocol

TA, FT = "title-abstract", "full-text"


def _build(project: Project):
    from review.prisma.flow import compute_flow
    from review.prisma.inputs import gather

    inputs, facts = gather(Project.open(project.root))
    return compute_flow(inputs), facts


def methods(project: Project) -> str:
    from review.prisma.methods import methods_markdown

    flow, facts = _build(project)
    return methods_markdown(flow, facts)


def boxes(project: Project) -> dict[str, list[str]]:
    """Each diagram box's lines (non-breaking spaces made plain)."""
    from review.prisma.content import DiagramOptions, build_boxes, merged_labels

    flow, _ = _build(project)
    built = build_boxes(flow, merged_labels(DiagramOptions()), show_other=False)
    return {b.id: [i.text.replace("\u00a0", " ") for i in b.items] for b in built}


def both(project: Project, rid: str, decision: str, stage: str = TA, reason: str = "") -> None:
    for who in ("Ana", "Ben"):
        decide(project, who, rid, decision, stage, reason if decision == "exclude" else "")


def disagree(project: Project, rid: str, stage: str = TA) -> None:
    decide(project, "Ana", rid, "include", stage)
    decide(project, "Ben", rid, "exclude", stage, "not-empirical")


def stop_line(project: Project, urn: int) -> None:
    line = {
        "op": "stop", "stage": TA, "rule": "hypergeometric", "test_reviewer": "Ana",
        "recall_target": 0.95, "confidence": 0.95, "p_value": 0.031, "urn": urn, "sampled": 3,
        "sample_relevant": 0, "ranked_relevant": 2, "by": "Ana",
        "at": "2026-02-01T10:00:00.000000Z", "tool_version": "test",
    }  # fmt: skip
    append_jsonl(project.data_dir / "stopping" / "ana.jsonl", [line])


@pytest.fixture
def ten(project: Project) -> tuple[Project, list[str]]:
    return project, make_record_project(project, 10)


# ---- who resolved: from the resolution logs, not the protocol's `resolution` -------------------


def test_resolver_kinds_are_read_from_the_logs_not_the_protocol(ten) -> None:
    project, ids = ten
    project = set_protocol(project, resolution="third-reviewer")  # the plan says otherwise
    for rid in ids[2:]:
        both(project, rid, "exclude", reason="not-empirical")
    disagree(project, ids[0])
    disagree(project, ids[1])
    text = methods(project)
    assert "2 disagreements await resolution (2 at the title and abstract stage)." in text
    assert "Disagreements were resolved" not in text
    resolve(project, "consensus", ids[0], "exclude", TA, "not-empirical")
    text = methods(project)
    assert (
        "Disagreements were resolved by consensus between the reviewers (1 record at the title "
        "and abstract stage)." in text
    )
    assert "third reviewer" not in text  # the protocol's plan is not reported as what happened
    assert "1 disagreement awaits resolution" in text
    resolve(project, "Cleo", ids[1], "include", TA)
    text = methods(project)
    assert (
        "Disagreements were resolved by consensus between the reviewers (1 record at the title "
        "and abstract stage) and by a third reviewer who had not screened the record, Cleo "
        "(1 record at the title and abstract stage)." in text
    )
    assert "await" not in text


def test_a_reviewer_who_screened_the_record_is_not_called_a_third_reviewer(ten) -> None:
    project, ids = ten
    for rid in ids[1:]:
        both(project, rid, "exclude", reason="not-empirical")
    disagree(project, ids[0])
    resolve(project, "Ana", ids[0], "include", TA)
    text = methods(project)
    assert (
        "Disagreements were resolved by one of the reviewers who had screened the record, Ana "
        "(1 record at the title and abstract stage)." in text
    )


def test_consensus_at_full_text_third_reviewer_at_title_abstract(ten) -> None:
    """The issue's case: the text said "a third reviewer" for full-text conflicts resolved with
    `--resolver consensus`."""
    project, ids = ten
    for rid in ids[4:]:
        both(project, rid, "exclude", reason="not-empirical")
    both(project, ids[0], "include")
    both(project, ids[1], "include")
    disagree(project, ids[2])
    disagree(project, ids[3])
    resolve(project, "Cleo", ids[2], "include", TA)
    resolve(project, "Cleo", ids[3], "include", TA)
    for rid in ids[:3]:
        both(project, rid, "include", FT)
    disagree(project, ids[3], FT)
    resolve(project, "consensus", ids[3], "exclude", FT, "not-empirical")
    text = methods(project)
    assert (
        "Disagreements were resolved by consensus between the reviewers (1 record at the "
        "full-text stage) and by a third reviewer who had not screened the record, Cleo "
        "(2 records at the title and abstract stage)." in text
    )


def test_a_resolution_before_both_reviewers_is_not_a_disagreement(ten) -> None:
    project, ids = ten
    for rid in ids[1:]:
        both(project, rid, "exclude", reason="not-empirical")
    decide(project, "Ana", ids[0], "include")
    resolve(project, "Cleo", ids[0], "include", TA)
    text = methods(project)
    assert "Disagreements were resolved" not in text
    assert "A resolver decided 1 record before every planned reviewer had screened it" in text


def test_no_disagreement_is_said_only_when_the_logs_have_none(ten) -> None:
    project, ids = ten
    for rid in ids:
        both(project, rid, "exclude", reason="not-empirical")
    assert "No disagreements between reviewers needed resolving." in methods(project)
    decide(project, "Ben", ids[0], "include")  # a later decision of Ben's makes one
    text = methods(project)
    assert "No disagreements" not in text
    assert "1 disagreement awaits resolution" in text


# ---- a stop: only when records were left unscreened because of it ------------------------------


def test_a_stop_is_claimed_only_for_records_it_left_unscreened(ten) -> None:
    project, ids = ten
    for rid in ids[:6]:
        both(project, rid, "exclude", reason="not-empirical")
    stop_line(project, urn=4)
    text = methods(project)
    assert "stopped early by the hypergeometric stopping rule" in text
    assert (
        "The 4 records left unscreened because of the stop are reported as excluded by "
        "automation tools" in text
    )
    assert "leaving 6 records to screen" in text
    for rid in ids[6:]:  # the team screened on after the stop: the stop is overtaken
        both(project, rid, "exclude", reason="not-empirical")
    text = methods(project)
    assert "stop" not in text and "automation" not in text
    assert "leaving 10 records to screen" in text
    assert "Of the 10 records screened, 10 were excluded" in text


# ---- agreement, reviewers, maybes --------------------------------------------------------------


def test_agreement_and_reviewers_follow_the_logs(ten) -> None:
    project, ids = ten
    for rid in ids:
        both(project, rid, "exclude", reason="not-empirical")
    text = methods(project)
    assert "screened by two reviewers independently (all 10 records); agreement was 100.0%" in text
    decide(project, "Ben", ids[0], "include")
    text = methods(project)
    assert "agreement was 90.0%" in text


def test_maybes_not_taken_to_full_text_are_counted_from_the_logs(ten) -> None:
    project, ids = ten
    project = set_protocol(project, title_abstract__maybe_to_fulltext=False)
    for rid in ids:
        both(project, rid, "exclude", reason="not-empirical")
    assert "uncertain" not in methods(project)
    both(project, ids[0], "maybe")  # later lines: the reviewers' standing decision is maybe
    assert (
        "1 record marked as uncertain at title and abstract was not taken to full text."
        in methods(project)
    )


# ---- provisional: what is known, and what is pending -------------------------------------------


@pytest.fixture
def before_full_text(ten) -> tuple[Project, list[str]]:
    """The issue's case in small: title/abstract partly decided (3 included, 4 excluded, 3
    conflicts), full text not started."""
    project, ids = ten
    for rid in ids[:3]:
        both(project, rid, "include")
    for rid in ids[3:7]:
        both(project, rid, "exclude", reason="not-empirical")
    for rid in ids[7:]:
        disagree(project, rid)
    return project, ids


def test_before_full_text_starts_methods_say_pending_not_zero(before_full_text) -> None:
    project, _ = before_full_text
    text = methods(project)
    # what the old text said: "We sought 3 reports …, and assessed 3 in full text; 0 were
    # excluded. In total, 0 reports were included"
    assert "0 were excluded" not in text and "0 reports were included" not in text
    assert "assessed 3" not in text and "In total" not in text
    assert (
        "Title and abstract screening is in progress: 7 of the 10 records have a final "
        "decision so far and 3 await one. So far, 4 were excluded (not empirical research, 4) "
        "and 3 reports were sought for retrieval." in text
    )
    assert "Full-text assessment has not started." in text


def test_before_full_text_starts_the_diagram_says_pending_and_adds_up(before_full_text) -> None:
    project, _ = before_full_text
    b = boxes(project)
    assert b["records_screened"] == [
        "Records screened (n = 10)",
        "awaiting a final decision (n = 3)",
    ]
    assert b["records_excluded"][0] == "Records excluded (n = 4 so far):"
    assert b["reports_sought"] == ["Reports sought for retrieval (n = 3 so far)"]
    assert b["reports_assessed"] == [
        "Reports assessed for eligibility: pending",
        "awaiting a final decision (n = 3)",
    ]
    assert b["reports_excluded"] == ["Reports excluded: pending"]
    assert b["included"][:2] == [
        "Studies included in review: pending",
        "Reports of included studies: pending",
    ]

    def n(text: str) -> int:
        return int(re.search(r"n = ([\d,]+)", text)[1].replace(",", ""))

    screened, awaiting = (n(x) for x in b["records_screened"])
    assert screened - n(b["records_excluded"][0]) - awaiting == n(b["reports_sought"][0])


def test_prisma_json_says_which_counts_are_final(before_full_text) -> None:
    project, _ = before_full_text
    flow, _ = _build(project)
    data = flow.as_json()
    final = data["final"]
    assert final["database_results"] is True and final["records_screened"] is True
    for key in ("records_excluded", "dbr_sought_reports", "dbr_assessed", "total_reports"):
        assert final[key] is False, key
    assert data["flow"]["reports_assessed"] == 0 and data["flow"]["reports_awaiting"] == 3
    json.dumps(data)  # plain JSON


def test_full_text_in_progress(before_full_text) -> None:
    project, ids = before_full_text
    for rid in ids[7:]:
        resolve(project, "consensus", rid, "exclude", TA, "not-empirical")
    decide(project, "Ana", ids[0], "include", FT)  # one reviewer: nothing final yet
    text = methods(project)
    assert "Full-text assessment is in progress; no report has a final decision yet." in text
    assert "Of the 10 records screened, 7 were excluded on title and abstract" in text
    decide(project, "Ben", ids[0], "include", FT)
    both(project, ids[1], "exclude", FT, "not-empirical")
    text = methods(project)
    assert (
        "Full-text assessment is in progress (2 of 3 reports assessed so far: 1 excluded (not "
        "empirical research, 1) and 1 included; 1 awaiting a final decision)." in text
    )
    assert "So far, 1 report has been included." in text
    b = boxes(project)
    assert b["reports_sought"] == ["Reports sought for retrieval (n = 3)"]  # final now
    assert b["reports_assessed"] == [
        "Reports assessed for eligibility (n = 2 so far)",
        "awaiting a final decision (n = 1)",
    ]
    both(project, ids[2], "include", FT)
    text = methods(project)
    assert "in progress" not in text and "so far" not in text.lower()
    assert "assessed 3 in full text; 1 was excluded" in text
    assert "In total, 2 reports were included." in text


def test_only_duplicate_pairs_open_is_not_full_text_in_progress() -> None:
    """Pairs waiting in `review dedup review` make every count provisional, but full-text
    assessment itself is not "in progress"."""
    from dataclasses import replace

    from review.prisma.flow import compute_flow
    from review.prisma.inputs import MethodsFacts
    from review.prisma.methods import methods_markdown
    from tests.helpers.prisma import example_inputs

    inputs = example_inputs()
    inputs = replace(inputs, dedup_pending=inputs.main_clusters[:2])
    text = methods_markdown(compute_flow(inputs), MethodsFacts())
    assert "Provisional:** 2 records in possible-duplicate pairs." in text
    assert "in progress" not in text
    assert "We sought 150 reports for retrieval, retrieved all of them, and assessed 150" in text
    assert "So far, 45 reports (40 from the searches and 5 from other methods) have been" in text


def test_report_diagram_links_every_provisional_count(before_full_text) -> None:
    """The report's diagram finds each count line's records by its text: the "so far",
    "pending" and "awaiting" lines too."""
    from review.prisma.content import DiagramOptions, merged_labels
    from review.prisma.layout import compute_layout
    from review.report.svg import item_keys

    project, _ = before_full_text
    flow, _ = _build(project)
    keys = item_keys(flow, merged_labels(DiagramOptions()))
    layout = compute_layout(flow, DiagramOptions())
    checked = 0
    for box in layout.boxes:
        for item in box.items:
            if "n\u00a0=" in item.text or item.text.endswith(": pending"):
                assert item.text in keys.get(box.id, {}), (box.id, item.text)
                checked += 1
    assert checked >= 10
    assert keys["reports_assessed"]["awaiting a final decision (n\u00a0=\u00a03)"] == [
        "reports_awaiting"
    ]


def test_cli_line_says_so_far_and_pending(before_full_text) -> None:
    from typer.testing import CliRunner

    from review.cli import app

    project, _ = before_full_text
    result = CliRunner().invoke(app, ["prisma", "-p", str(project.root), "-q"])
    assert result.exit_code == 0, result.output
    assert (
        "screened 10; excluded 4 so far; full text assessed pending; reports included pending; "
        "studies pending." in result.stdout
    )


def test_title_abstract_not_started_or_nothing_final_yet(ten) -> None:
    project, ids = ten
    text = methods(project)
    assert "Title and abstract screening has not started." in text
    assert "Full-text assessment has not started." in text
    assert "0 were excluded" not in text and "included" not in text
    decide(project, "Ana", ids[0], "exclude", TA, "not-empirical")
    text = methods(project)
    assert (
        "Title and abstract screening is in progress; no record has a final decision yet." in text
    )
    decide(project, "Ben", ids[0], "exclude", TA, "not-empirical")
    assert "1 of the 10 records has a final decision so far and 9 await one" in methods(project)


def test_methods_heading_follows_the_review_type() -> None:
    """QA: a systematic review's methods.md was headed with PRISMA-ScR's "Selection of sources
    of evidence"; PRISMA 2020 calls the section "Study selection" (item 16a)."""
    from review.prisma.flow import compute_flow
    from review.prisma.inputs import MethodsFacts
    from review.prisma.methods import methods_markdown
    from tests.helpers.prisma import example_inputs

    flow = compute_flow(example_inputs())
    text = methods_markdown(flow, MethodsFacts(review_type="systematic"))
    assert text.startswith("# Study selection\n")
    assert "sources of evidence" not in text
    text = methods_markdown(flow, MethodsFacts(review_type="scoping"))
    assert text.startswith("# Selection of sources of evidence\n")
