"""The dedup counts of ``status`` kept in .review/dedup/cluster-counts.json (keyed on
clusters.csv): the same counts as a fresh reading, and never those of an older clusters.csv."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from review.cli import app
from review.dedup import status_summary
from review.dedup.clusters import clusters_path, read_clusters
from review.project import Project
from tests.helpers.paths import DEDUP_FIXTURES as FIXTURES


@pytest.fixture
def proj(project):
    from review.importer import import_files

    import_files(project, [FIXTURES / "pubmed.csv"], source="PubMed")
    import_files(project, [FIXTURES / "embase.csv"], source="Embase")
    import_files(project, [FIXTURES / "website.csv"], source="Charity site", kind="website")
    project.invalidate()
    result = CliRunner().invoke(app, ["dedup", "--project", str(project.root), "--quiet"])
    assert result.exit_code == 0, result.output
    return project


def _fail(*_a, **_k):
    raise AssertionError("read or counted clusters.csv again")


def _counts(root) -> dict:
    summary = status_summary(Project.open(root))
    assert summary.counts is not None
    return summary.counts.to_json()


def test_cached_counts_equal_a_fresh_reading(proj) -> None:
    cache = proj.cache_dir / "dedup" / "cluster-counts.json"
    first = _counts(proj.root)
    assert cache.is_file()
    assert _counts(proj.root) == first  # from the cache
    cache.unlink()
    assert _counts(proj.root) == first  # read again


def test_a_changed_clusters_csv_is_read_again(proj) -> None:
    before = _counts(proj.root)
    path = clusters_path(proj)
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    kept = [ln for ln in lines if "Charity site" not in ln]
    assert len(kept) < len(lines)
    path.write_text("\ufeff" + "".join(kept), encoding="utf-8")
    after = _counts(proj.root)
    assert after != before
    assert "Charity site" not in {row["source"] for row in after["overlap"]}
    (proj.cache_dir / "dedup" / "cluster-counts.json").unlink()
    assert _counts(proj.root) == after


def test_a_damaged_cache_is_rebuilt(proj) -> None:
    first = _counts(proj.root)
    cache = proj.cache_dir / "dedup" / "cluster-counts.json"
    cache.write_text("{not json", encoding="utf-8")
    assert _counts(proj.root) == first
    assert cache.read_text(encoding="utf-8").startswith("{")


def test_clusters_kept_copy_equals_the_csv(proj) -> None:
    from review.dedup.clusters import load_clusters, read_clusters

    kept = proj.cache_dir / "dedup" / "clusters.pickle"
    kept.unlink(missing_ok=True)
    fresh = read_clusters(clusters_path(proj))
    assert load_clusters(Project.open(proj.root)).rows == fresh.rows
    assert kept.is_file()
    assert load_clusters(Project.open(proj.root)).rows == fresh.rows  # from the copy
    path = clusters_path(proj)
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    path.write_text("\ufeff" + "".join(ln for ln in lines if "Charity site" not in ln), "utf-8")
    changed = load_clusters(Project.open(proj.root))
    assert changed.rows == read_clusters(path).rows and changed.rows != fresh.rows
    kept.write_bytes(b"damaged")
    assert load_clusters(Project.open(proj.root)).rows == changed.rows


def test_dedup_keeps_what_the_next_status_and_prisma_read(proj, monkeypatch) -> None:
    """`review dedup` writes the counts and the clusters copy under the new clusters.csv's key:
    the first status after it reads neither clusters.csv nor the clusters to count them."""
    from review.dedup.clusters import load_clusters

    assert (proj.cache_dir / "dedup" / "cluster-counts.json").is_file()
    assert (proj.cache_dir / "dedup" / "clusters.pickle").is_file()
    fresh_rows = read_clusters(clusters_path(proj)).rows

    with monkeypatch.context() as m:
        m.setattr("review.dedup.clusters.read_clusters", _fail)
        m.setattr("review.dedup.counts.load_clusters", _fail)
        kept = _counts(proj.root)
        assert load_clusters(Project.open(proj.root)).rows == fresh_rows
    (proj.cache_dir / "dedup" / "cluster-counts.json").unlink()
    (proj.cache_dir / "dedup" / "clusters.pickle").unlink()
    assert _counts(proj.root) == kept  # the same counts as a fresh reading


def test_status_does_not_import_rich_pretty(proj) -> None:
    """rich.pretty imports attrs (67 ms); the status prints lines only."""
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "review", "status", "-p", str(proj.root)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Dedup" in out.stdout
    assert "rich.pretty" not in out.stderr and "rich.console" in out.stderr


def test_dedup_keeps_the_screening_cluster_index(proj, monkeypatch) -> None:
    """The screening's cluster index (.review/screening/clusters.pickle) is written by dedup
    under the new clusters.csv's key: the next command does not rebuild it."""
    from review.screen import cache

    fresh = cache.index_from_clusters(read_clusters(clusters_path(proj)))
    monkeypatch.setattr(cache, "index_from_clusters", _fail)
    assert cache.cluster_index(Project.open(proj.root)) == fresh


def test_the_collector_stays_off_only_in_a_command_of_its_own(proj) -> None:
    """status/prisma/report turn the cyclic collector off for the rest of their own process
    (turned on again, it walks every object read); never inside another program."""
    import gc
    import subprocess
    import sys

    assert CliRunner().invoke(app, ["status", "-p", str(proj.root)]).exit_code == 0
    assert gc.isenabled()  # in the test runner: left as it was
    probe = (
        "import atexit, gc, sys; atexit.register(lambda: print('collector on:', gc.isenabled()));"
        f"sys.argv = ['review', 'status', '-p', {str(proj.root)!r}];"
        "from review.cli import main; main()"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "collector on: False" in out.stdout
