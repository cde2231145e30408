"""The worked example's data (scripts/make_example.py -> data/): formats, counts, determinism."""

from __future__ import annotations

import csv
import functools
import hashlib
import importlib.util
import sys
from pathlib import Path

import pytest

from tests.helpers.paths import REPO_ROOT

DATA = REPO_ROOT / "data"
SEARCHES = DATA / "searches"
DECISIONS = DATA / "decisions"
GENERATOR = REPO_ROOT / "scripts" / "make_example.py"

DATABASE_FOLDERS = {
    "web-of-science": ("wos", 2650),
    "psycinfo": ("ris", 2380),
    "psycarticles": ("ris", 310),
    "social-work-abstracts": ("ris", 890),
    "sciencedirect": ("ris", 989),
}

pytestmark = pytest.mark.skipif(
    not SEARCHES.is_dir(), reason="the example data is not in this checkout"
)


def _files(folder: str) -> list[Path]:
    return sorted(p for p in (SEARCHES / folder).iterdir() if p.is_file())


@functools.lru_cache(maxsize=64)
def _read(path: Path):
    from review.io.readers import read_file

    return read_file(path)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fingerprint(path: Path) -> str:
    """SHA-256 of the bytes; for a workbook, of its cell values (openpyxl versions serialise the
    same workbook slightly differently)."""
    if path.suffix != ".xlsx":
        return _sha(path)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    h = hashlib.sha256()
    for ws in wb.worksheets:
        h.update(ws.title.encode())
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    h.update(f"{cell.coordinate}={cell.value!r};".encode())
        for dv in ws.data_validations.dataValidation:
            h.update(f"{dv.sqref}:{dv.formula1};".encode())
    return h.hexdigest()


TRUTH = REPO_ROOT / "tests" / "data" / "example_truth.csv"


def _committed_truth() -> list[tuple[str, str, str, str]]:
    with open(TRUTH, encoding="utf-8", newline="") as fh:
        return sorted(
            (r["record_id"], r["work"], r["origin"], r["manual"]) for r in csv.DictReader(fh)
        )


@pytest.mark.slow  # CI runs it (pytest -m slow); the default loop stays fast
def test_truth_names_every_exported_record() -> None:
    """tests/data/example_truth.csv (from `make_example.py --truth`): one row per record of every
    export, 186 works planted as two copies that only a person can confirm."""
    from collections import Counter

    from review.model import make_record_id

    truth = _committed_truth()
    assert len(truth) == 7219 + 75 + 5
    exported = {
        make_record_id(_sha(path), pos)
        for path in sorted(SEARCHES.rglob("*"))
        if path.is_file()
        for pos in range(1, len(_read(path).entries) + 1)
    }
    assert {r for r, *_ in truth} == exported
    manual = Counter(w for _, w, _, m in truth if m)
    assert len(manual) == 186 and set(manual.values()) == {2}


def test_database_exports_hold_exactly_7219_records() -> None:
    total = 0
    for folder, (fmt, expected) in DATABASE_FOLDERS.items():
        n = 0
        for path in _files(folder):
            res = _read(path)
            assert res.format == fmt, path.name
            assert res.problems == [], path.name
            assert res.found == len(res.entries), path.name
            n += len(res.entries)
        assert n == expected, folder
        total += n
    assert total == 7219


def test_record_identifiers_are_unique_within_each_database() -> None:
    # WoS UT and the APA accession number (RIS ID) are exported; EBSCO's Social Work Abstracts
    # and ScienceDirect RIS carry none (the accession number is only inside N1 and the URL).
    for folder, has_ids in (
        ("web-of-science", True),
        ("psycinfo", True),
        ("psycarticles", True),
        ("social-work-abstracts", False),
        ("sciencedirect", False),
    ):
        ids = [e.original_id for path in _files(folder) for e in _read(path).entries]
        assert all(ids) if has_ids else not any(ids), folder
        assert len(set(ids)) == len(ids) or not has_ids, folder
    urls = [
        line
        for line in _files("social-work-abstracts")[0].read_text(encoding="utf-8").splitlines()
        if line.startswith("UR  - ")
    ]
    assert len(set(urls)) == len(urls) == 890


def test_web_of_science_is_batched_like_real_exports() -> None:
    files = _files("web-of-science")
    assert [p.name for p in files] == ["savedrecs(1).txt", "savedrecs(2).txt", "savedrecs.txt"]
    for path in files:
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbfFN Clarivate Analytics Web of Science\nVR 1.0\n")
        assert raw.rstrip().endswith(b"\nEF")
        assert raw.count(b"\nER\n") <= 1000


def test_ebsco_files_use_crlf_and_sciencedirect_lf() -> None:
    for folder in ("psycinfo", "psycarticles", "social-work-abstracts"):
        raw = _files(folder)[0].read_bytes()
        assert raw.startswith(b"TY  - ")
        assert b"\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n")
        assert b"DP  - EBSCOhost\r\n" in raw
    sd = _files("sciencedirect")[0].read_bytes()
    assert b"\r\n" not in sd
    assert b"DO  - https://doi.org/10.5555/" in sd


def test_other_sources() -> None:
    grey = _read(_files("grey-literature")[0])
    assert len(grey.entries) == 75 and grey.problems == []
    experts = _read(_files("experts")[0])
    assert experts.format == "csv"
    assert len(experts.entries) == 5 and experts.problems == []


def _record_ids() -> set[str]:
    ids: set[str] = set()
    for folder in (*DATABASE_FOLDERS, "grey-literature", "experts"):
        for path in _files(folder):
            sha8 = _sha(path)[:8]
            n = len(_read(path).entries)
            ids.update(f"{sha8}-{i}" for i in range(1, n + 1))
    return ids


def _csv(name: str) -> list[dict[str, str]]:
    with open(DECISIONS / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_decision_files_refer_to_imported_records() -> None:
    ids = _record_ids()
    assert len(ids) == 7219 + 75 + 5
    verdicts = _csv("dedup-verdicts.csv")
    assert sum(v["verdict"] == "same" for v in verdicts) == 186
    assert sum(v["verdict"] == "related" for v in verdicts) == 10
    assert all(v["record_id_a"] in ids and v["record_id_b"] in ids for v in verdicts)
    assert all(v["record_id_a"] < v["record_id_b"] for v in verdicts)
    for reviewer in ("anat", "marina"):
        ta = _csv(f"title-abstract-{reviewer}.csv")
        assert len(ta) == 3794
        assert {r["record_id"] for r in ta} <= ids
        assert {r["decision"] for r in ta} <= {"include", "exclude", "maybe"}
        ft = _csv(f"full-text-{reviewer}.csv")
        assert len(ft) == 155
    reasons = {
        "wrong-population",
        "not-cp-involved",
        "no-lived-experience",
        "not-programme",
        "outside-cp",
        "not-empirical",
        "not-english",
        "outside-dates",
    }
    for name in ("title-abstract-resolutions.csv", "full-text-resolutions.csv"):
        rows = _csv(name)
        assert rows and all(r["rationale"] for r in rows)
        assert all(r["reason"] in reasons for r in rows if r["decision"] == "exclude")


def test_readme_says_what_is_invented() -> None:
    text = (DATA / "README.md").read_text(encoding="utf-8")
    assert "scripts/make_example.py" in text
    assert "invented" in text and "10.5555" in text
    assert "doi:10.5093/pi2024a5" in text


@pytest.mark.slow
def test_generator_reproduces_the_committed_files(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_example", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_example"] = module
    try:
        spec.loader.exec_module(module)
        summary = module.generate(tmp_path / "data", tmp_path / "truth.csv")
    finally:
        sys.modules.pop("make_example", None)
    assert summary["database_records"] == 7219
    # The committed truth (which record is which work) is the generator's --truth output.
    with open(tmp_path / "truth.csv", encoding="utf-8", newline="") as fh:
        truth = sorted(
            (r["record_id"], r["work"], r["origin"], r["manual"]) for r in csv.DictReader(fh)
        )
    assert truth == _committed_truth()
    produced = {
        p.relative_to(tmp_path / "data").as_posix(): _fingerprint(p)
        for p in sorted((tmp_path / "data").rglob("*"))
        if p.is_file()
    }
    committed = {
        p.relative_to(DATA).as_posix(): _fingerprint(p)
        for p in sorted(DATA.rglob("*"))
        if p.is_file()
        and p.relative_to(DATA).parts[0] in ("searches", "decisions", "fulltexts", "README.md")
    }
    assert produced == committed
