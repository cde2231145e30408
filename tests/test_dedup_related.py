"""Related reports of one study (review/dedup/related.py): classified, linked, never removed."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from review.cli import app
from review.dedup.pipeline import run_dedup
from review.dedup.related import AUTOMATIC, RelatedLink, group_studies
from review.model import Record

runner = CliRunner()

ARTICLE = {
    "title": "Early mobilisation after stroke improves walking at three months",
    "authors": ("Lee, Kim", "Park, Jin", "Moreau, Claire"),
    "year": 2011,
    "journal": "Stroke",
    "volume": "42",
    "issue": "5",
    "pages": "1400-1406",
    "doi": "10.1161/strokeaha.111.0042",
    "type": "article",
}


def make(rid: str, **fields) -> Record:
    return Record(
        record_id=rid,
        source=rid[0].upper(),
        kind="database",
        source_file=f"{rid[0]}.csv",
        source_position=int(rid.rsplit("-", 1)[-1]),
        **{**ARTICLE, **fields},
    )


# Each class of related report, written from its definition (not from a labelled set).
CLASSES = {
    "erratum": dict(
        title="Erratum: Early mobilisation after stroke improves walking at three months",
        volume="42",
        issue="9",
        pages="e512",
        doi="10.1161/strokeaha.111.0099",
    ),
    "comment-reply": dict(
        title="Authors' reply: Early mobilisation after stroke improves walking at three months",
        issue="11",
        pages="2201-2202",
        doi="",
    ),
    "conference-abstract": dict(
        journal="Stroke. Conference: International Stroke Conference 2010",
        year=2010,
        volume="41",
        issue="4",
        pages="e123",
        doi="",
        type="conference",
    ),
    "version": dict(
        journal="medRxiv", year=2010, volume="", issue="", pages="", doi="10.1101/2010.01.02.123"
    ),
    "registration": dict(
        journal="ClinicalTrials.gov",
        year=2008,
        volume="",
        issue="",
        pages="NCT00012345",
        doi="",
    ),
}


@pytest.mark.parametrize("relation", sorted(CLASSES))
def test_each_class_is_linked_never_merged(relation: str) -> None:
    """Versions and registrations are linked by the rules; an erratum, a reply and a conference
    abstract are queued with their relation for a person (the labelled sets keep them apart)."""
    a = make("a-1")
    b = make("b-1", **CLASSES[relation])
    status = "auto" if relation in AUTOMATIC else "queued"
    for records in ([a, b], [b, a]):
        result = run_dedup(records)
        assert len({r.cluster_id for r in result.rows}) == 2  # never removed as a duplicate
        assert [(x.relation, x.status) for x in result.related] == [(relation, status)]
        assert bool(result.queued) == (status == "queued")  # an automatic link asks nobody
        assert {r.status for r in result.rows} == ({"unique"} if status == "auto" else {"maybe"})


def test_cochrane_versions_are_linked() -> None:
    a = make(
        "a-1",
        title="Air versus oxygen for resuscitation of infants at birth",
        authors=("Tan, A.", "Schulze, A."),
        journal="Cochrane Database of Systematic Reviews",
        year=2004,
        volume="",
        issue="3",
        pages="CD002273",
        doi="10.1002/14651858.CD002273.pub2",
    )
    b = make(
        "b-1",
        title=a.title,
        authors=a.authors,
        journal="Cochrane Database Syst Rev",
        year=2005,
        volume="",
        issue="2",
        pages="CD002273",
        doi="10.1002/14651858.CD002273.pub3",
    )
    result = run_dedup([a, b])
    assert [(x.relation, x.status) for x in result.related] == [("version", "auto")]


def test_weak_evidence_is_queued_with_its_relation_and_unrelated_pairs_are_not_linked() -> None:
    # A conference abstract by other authors: queued for a person, not linked by a rule.
    other_authors = dict(CLASSES["conference-abstract"], authors=("Novak, P.", "Ito, K."))
    result = run_dedup([make("a-1"), make("b-1", **other_authors)])
    assert [(x.relation, x.status) for x in result.related] == []
    # Two different trials with different titles: nothing.
    result = run_dedup(
        [make("a-1"), make("b-1", title="Music therapy for aphasia after stroke", doi="")]
    )
    assert result.related == []


def test_a_person_confirms_or_rejects_a_relation() -> None:
    a, b = make("a-1"), make("b-1", **CLASSES["erratum"])
    confirmed = run_dedup([a, b], verdicts={("a-1", "b-1"): "related"})
    assert [(x.status, x.rule) for x in confirmed.related] == [("confirmed", "person: related")]
    rejected = run_dedup([a, b], verdicts={("a-1", "b-1"): "different"})
    assert [(x.status, x.rule) for x in rejected.related] == [("rejected", "person: different")]
    same = run_dedup([a, b], verdicts={("a-1", "b-1"): "same"})
    assert same.related == [] and len({r.cluster_id for r in same.rows}) == 1
    # `related` on a pair no rule relates: kept apart, linked as "other".
    c = make("c-1", title="Music therapy for aphasia after stroke", doi="")
    other = run_dedup([a, c], verdicts={("a-1", "c-1"): "related"})
    assert [(x.relation, x.status) for x in other.related] == [("other", "confirmed")]
    assert len({r.cluster_id for r in other.rows}) == 2


def test_links_join_clusters_into_studies() -> None:
    links = [
        RelatedLink("a-1", "b-1", "erratum", "auto", "R1"),
        RelatedLink("b-2", "c-1", "version", "confirmed", "person: related"),
        RelatedLink("c-1", "d-1", "other", "queued", "R6"),
        RelatedLink("d-1", "e-1", "other", "rejected", "person: different"),
    ]
    cluster_of = {"b-2": "b-1"}  # b-2 is a duplicate merged into b-1
    rel = group_studies(links, cluster_of)
    assert rel.study("a-1") == rel.study("b-1") == rel.study("c-1") == "a-1"
    assert rel.study("d-1") == "d-1" and rel.study("e-1") == "e-1"  # queued/rejected: no study
    assert [x.cluster_id for x in rel.also["c-1"]] == ["b-1", "d-1"]
    assert "e-1" not in rel.also
    assert rel.linked


def test_related_csv_is_byte_identical_whatever_the_input_order(project, tmp_path: Path) -> None:
    from review.dedup.run import dedup_project
    from review.importer import import_files

    rows = [make("x-1"), *(make(f"x-{k + 2}", **v) for k, v in enumerate(CLASSES.values()))]
    header = ["ID", "title", "author", "year", "journal", "volume", "number", "pages", "doi",
              "ENTRYTYPE"]  # fmt: skip
    rng = random.Random(3)
    outputs = []
    for n in range(2):
        rng.shuffle(rows)
        f = tmp_path / f"run{n}" / "export.csv"
        f.parent.mkdir()
        with open(f, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            for r in rows:
                w.writerow([r.record_id, r.title, " and ".join(r.authors), r.year, r.journal,
                            r.volume, r.issue, r.pages, r.doi, r.type])  # fmt: skip
        if n == 0:
            import_files(project, [f], source="Export")
            project.invalidate()
        dedup_project(project)
        outputs.append((project.outputs_dir / "dedup" / "related.csv").read_bytes())
        dedup_project(project)
        assert (project.outputs_dir / "dedup" / "related.csv").read_bytes() == outputs[-1]
    text = outputs[0].decode("utf-8-sig")
    assert text.splitlines()[0] == "record_id_a,record_id_b,relation,status,rule"
    article = next(r.record_id for r in rows if r.record_id == "x-1")
    del article  # every report relates to the article (and most to each other): one study
    assert len(text.splitlines()) >= 1 + len(CLASSES)


def test_review_key_r_records_a_related_verdict(project, tmp_path: Path) -> None:
    from review.dedup import load_clusters
    from review.importer import import_files

    f = tmp_path / "e.csv"
    with open(f, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["ID", "title", "author", "year", "journal", "volume", "pages", "ENTRYTYPE"])
        w.writerow(["1", ARTICLE["title"], "Lee, Kim and Park, Jin", 2011, "Stroke", "42",
                    "1400-1406", "article"])  # fmt: skip
        # Other authors: queued for a person, who says it is another report of the study.
        w.writerow(["2", ARTICLE["title"], "Lee, K. and Novak, P. and Ito, K.", 2010,
                    "Stroke. Conference: International Stroke Conference 2010", "41", "e123",
                    "inproceedings"])  # fmt: skip
    import_files(project, [f], source="Export")
    project.invalidate()
    root = str(project.root)
    assert runner.invoke(app, ["dedup", "--quiet", "--project", root]).exit_code == 0
    queue = (project.outputs_dir / "dedup" / "maybe-pairs.csv").read_text(encoding="utf-8-sig")
    assert len(queue.splitlines()) == 2, queue
    rows = (project.outputs_dir / "dedup" / "related.csv").read_text(encoding="utf-8-sig")
    assert ",conference-abstract,queued," in rows
    result = runner.invoke(
        app, ["dedup", "review", "--reviewer", "Ana", "--project", root], input="r"
    )
    assert result.exit_code == 0, result.output
    assert "Recorded 0 same, 1 related, 0 different" in result.stdout
    rows = (project.outputs_dir / "dedup" / "related.csv").read_text(encoding="utf-8-sig")
    assert ",conference-abstract,confirmed,person: related" in rows
    clusters = load_clusters(project)
    assert len(set(clusters.cluster_of.values())) == 2  # both reports stay
    queue = (project.outputs_dir / "dedup" / "maybe-pairs.csv").read_text(encoding="utf-8-sig")
    assert len(queue.splitlines()) == 1


def _linked_project(project, tmp_path: Path):
    """An article and its erratum (linked automatically) and an unrelated trial."""
    from review.dedup.run import dedup_project
    from review.importer import import_files

    f = tmp_path / "e.csv"
    with open(f, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["ID", "title", "author", "year", "journal", "volume", "pages", "ENTRYTYPE"])
        w.writerow(["1", ARTICLE["title"], "Lee, Kim and Park, Jin", 2011, "Stroke", "42",
                    "1400-1406", "article"])  # fmt: skip
        w.writerow(["2", CLASSES["erratum"]["title"], "Lee, Kim and Park, Jin", 2011, "Stroke",
                    "42", "e512", "article"])  # fmt: skip
        w.writerow(["3", "Music therapy for aphasia after stroke: a randomised trial",
                    "Novak, P.", 2012, "Aphasiology", "9", "1-9", "article"])  # fmt: skip
    import_files(project, [f], source="Export")
    project.invalidate()
    dedup_project(project)
    return {r.original_id: r.record_id for r in project.records()}


def _confirm(project, a: str, b: str) -> None:
    """A person says `related` on the pair (then dedup re-runs, as `dedup review` does)."""
    from review.dedup.run import dedup_project
    from review.dedup.verdicts import append_lines, verdict_line

    append_lines(project, "Ana", [verdict_line(a, b, "related", "Ana")])
    dedup_project(project)


def test_the_screener_shows_the_other_reports_of_a_study(project, tmp_path: Path) -> None:
    from review.cli.ui.lineui import render_item
    from review.screen.session import ScreeningSession

    ids = _linked_project(project, tmp_path)

    def screen() -> tuple[dict, str]:
        seen, text = {}, ""
        with ScreeningSession(project, "title-abstract", "Ana", background=False) as s:
            for _ in s.queue:
                item = s.item()
                assert item is not None
                seen[item.cluster_id] = item
                if item.cluster_id == ids["1"]:
                    text = render_item(s, item)
                s.skip()
        return seen, text

    seen, text = screen()
    assert [(a.cluster_id, a.relation) for a in seen[ids["1"]].also] == [(ids["2"], "erratum")]
    assert [(a.cluster_id, a.relation) for a in seen[ids["2"]].also] == [(ids["1"], "erratum")]
    assert seen[ids["3"]].also == ()
    # Queued (a person has not said yet): shown with "?"; linked once confirmed.
    assert "Also reported as erratum?: Lee (2011) Erratum: Early mobilisation" in text
    assert f"[{ids['2']}]" in text
    _confirm(project, ids["1"], ids["2"])
    seen, text = screen()
    assert [a.status for a in seen[ids["2"]].also] == ["confirmed"]
    assert "Also reported as erratum: Lee (2011) Erratum: Early mobilisation" in text


def _tiny_inputs(**extra):
    from review.prisma.facts import Final, Identified, PrismaInputs

    ids = ("r-1", "r-2", "r-3", "r-4")
    return PrismaInputs(
        identified=(Identified("DB", "database", "main", ids),),
        main_clusters=ids,
        title_abstract={r: Final("include", "", "agreement") for r in ids},
        full_text={
            **{r: Final("include", "", "agreement") for r in ids[:3]},
            "r-4": Final("exclude", "wrong", "agreement"),
        },
        ft_reasons={"wrong": "Wrong population"},
        **extra,
    )


def test_prisma_counts_studies_from_related_reports() -> None:
    from review.prisma import compute_flow, explain

    plain = compute_flow(_tiny_inputs()).counts
    assert (plain.reports_included, plain.studies_included) == (3, 3)
    # r-2 is an erratum of r-1 (one study); r-4 (excluded) is linked to r-3: still two studies.
    inp = _tiny_inputs(study_of={"r-1": "r-1", "r-2": "r-1", "r-4": "r-3"})
    flow = compute_flow(inp)
    assert (flow.counts.reports_included, flow.counts.studies_included) == (3, 2)
    rows = flow.members["studies_included"]
    assert [r.id for r in rows] == ["r-1", "r-3"]
    assert "r-1, r-2" in rows[0].why
    assert len(explain(flow, inp, "studies_included")) == 2


def test_the_charting_form_groups_reports_into_studies(project, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from review.chart.importer import read_charting
    from review.chart.store import project_schema
    from review.chart.template import REPORTS, STUDY, build_template, save_workbook

    schema = project_schema(project)
    reports = [("r-1", "Lee (2011) Early mobilisation"), ("r-2", "Lee (2011) Erratum")]
    for studies in ({"r-1": "r-1", "r-2": "r-1"}, None):
        path = tmp_path / f"form-{bool(studies)}.xlsx"
        save_workbook(build_template(schema, reports, reviewer="Ana", studies=studies), path)
        ws = load_workbook(path)[REPORTS]
        header = [c.value for c in ws[1]]
        if studies:
            assert header[-1] == STUDY
            assert [ws.cell(row=r, column=len(header)).value for r in (2, 3)] == ["r-1", "r-1"]
        else:
            assert STUDY not in header
        # The Study column is read as nothing: the form imports as before.
        charting = read_charting(path, schema, {"r-1", "r-2"}, reviewer="Ana")
        assert charting.reports == {}


def test_report_studies_come_from_the_related_links(project, tmp_path: Path) -> None:
    from review.chart.store import report_studies
    from review.dedup.related import load_related

    ids = _linked_project(project, tmp_path)
    assert report_studies(project, [ids["1"], ids["2"], ids["3"]]) == {}  # queued: not linked
    _confirm(project, ids["1"], ids["2"])
    first = min(ids["1"], ids["2"])
    assert report_studies(project, [ids["1"], ids["2"], ids["3"]]) == {
        ids["1"]: first,
        ids["2"]: first,
        ids["3"]: ids["3"],
    }
    assert report_studies(project, [ids["1"], ids["3"]]) == {}  # no study with two reports
    assert load_related(project).study(ids["2"]) == first


def test_one_cochrane_doi_a_year_apart_is_not_a_version() -> None:
    """Two exports of one Cochrane review (the same DOI, online-first vs issue year) are one
    version: queued for a person as before, never linked as two reports."""
    fields = dict(
        title="Air versus oxygen for resuscitation of infants at birth",
        authors=("Tan, A.", "Schulze, A."),
        journal="Cochrane Database of Systematic Reviews",
        volume="",
        issue="3",
        pages="CD002273",
        doi="10.1002/14651858.CD002273.pub2",
    )
    result = run_dedup([make("a-1", year=2004, **fields), make("b-1", year=2005, **fields)])
    assert result.related == []
    assert len(result.queued) == 1
