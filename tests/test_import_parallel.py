"""A large RIS export read in worker processes: the same store as in one process, and a kill
or Ctrl-C during the parallel read leaves the project as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import review.io.readers.stream as stream
import review.io.readers.workers as workers
from review.importer import import_files
from review.io.readers import parse_bytes
from review.project import Project

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="worker processes are forked on Linux only"
)


class Sink:
    """A reader's sink that keeps every entry (and forgets them on reset)."""

    def __init__(self) -> None:
        self.entries: list = []

    def add(self, entries) -> None:
        self.entries.extend(entries)

    def reset(self) -> None:
        self.entries.clear()


def varied_ris(n: int) -> str:
    """RIS with the quirks a piece boundary could meet: text and blank lines between records,
    continuation lines, trailing spaces, a record without ER, an ER closing nothing."""
    out = []
    for i in range(1, n + 1):
        rec = [f"TY  - {'JOUR' if i % 3 else 'BOOK'}", f"TI  - Study {i} of peer support"]
        if i % 5 == 0:
            rec.append("  continued on a second line")
        rec += [f"AU  - Author, A{i}", "PY  - 2020", f"AB  - Abstract {i}  " if i % 7 else "AB  -"]
        rec += [f"KW  - alpha{i}", "  beta"] if i % 4 == 0 else []
        if i % 11 == 0:
            out.append(f"Record #{i} of {n}\n")
        if i % 97 == 0:
            out.append("\n".join(rec) + "\n\n")  # no ER: read up to the next TY
            continue
        out.append("\n".join(rec) + "\nER  - \n\n")
        if i % 89 == 0:
            out.append("ER  - \n\n")
    return "".join(out)


def store_bytes(project: Project) -> bytes:
    (entry,) = project.imports()
    return project.record_cache_path(entry).read_bytes()


def test_workers_and_one_process_write_byte_identical_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(stream, "PIECE", 4096)  # about 30 pieces
    monkeypatch.setattr(stream, "_DETECT_CHARS", 200)
    pools = []
    real_pool = workers._Pool

    def counting_pool(*args, **kwargs):
        pools.append(args)
        return real_pool(*args, **kwargs)

    monkeypatch.setattr(workers, "_Pool", counting_pool)
    path = tmp_path / "big.ris"
    path.write_text(varied_ris(900), encoding="utf-8")
    whole = parse_bytes(path.read_bytes(), str(path))
    stores, records = [], []
    for n in ("0", "2"):
        monkeypatch.setenv("REVIEW_WORKERS", n)
        project = Project.init(tmp_path / f"p{n}", title="t")
        (report,) = import_files(project, [path], source="DB")
        assert (report.found, report.imported) == (whole.found, len(whole.entries))
        assert report.warnings == whole.warnings and report.problems == [
            str(p) for p in whole.problems
        ]
        stores.append(store_bytes(project))
        records.append(project.records())
    assert len(pools) == 1  # the second import ran in two worker processes, the first did not
    assert stores[0] == stores[1]
    assert records[0] == records[1]
    got = [(r.source_position, r.source_line, r.original_id, r.raw) for r in records[1]]
    want = [(e.position, e.line, e.original_id, e.raw) for e in whole.entries]
    assert got == want
    assert [r.title for r in records[1]] == [e.fields["title"] for e in whole.entries]


def test_a_small_file_one_core_or_other_threads_read_in_this_process(
    monkeypatch: pytest.MonkeyPatch,
):
    import threading

    monkeypatch.delenv("REVIEW_WORKERS", raising=False)
    assert workers.worker_count(1) == 0  # one piece: no process started
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    assert workers.worker_count(50) == 0
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3, 4, 5, 6, 7})
    assert workers.worker_count(50) == workers.MAX_WORKERS
    assert workers.worker_count(3) == 3
    in_thread: list[int] = []  # a reading in a background thread of an interactive program
    thread = threading.Thread(target=lambda: in_thread.append(workers.worker_count(50)))
    thread.start()
    thread.join()
    assert in_thread == [0]
    monkeypatch.setenv("REVIEW_WORKERS", "2")  # the override (tests, benchmarks)
    assert workers.worker_count(50) == 2
    monkeypatch.setenv("REVIEW_WORKERS", "0")
    assert workers.worker_count(50) == 0


def test_tags_after_every_er_cannot_be_cut_and_are_read_by_one_reader(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setattr(stream, "PIECE", 300)
    monkeypatch.setattr(stream, "_WINDOW", 1000)  # no clean cut within 1,000 bytes of a piece's end
    monkeypatch.setattr(stream, "_DETECT_CHARS", 20)
    monkeypatch.setenv("REVIEW_WORKERS", "2")
    ovid = "".join(
        f"TY  - JOUR\nTI  - Study {i}\nER  - \nNL  - note {i} for the record before\n\n"
        for i in range(200)
    ).encode()
    assert stream._clean_cuts(ovid, 0, False) is None
    assert stream._clean_cuts(varied_ris(50).encode(), 0, False) is not None

    from review.io.readers import parse_into

    sink = Sink()
    result = parse_into([ovid], "o.ris", "auto", None, None, sink)
    whole = parse_bytes(ovid, "o.ris")
    assert sink.entries == whole.entries and result.warnings == whole.warnings


def test_results_come_in_order_with_their_blobs_and_a_job_error_is_raised_here(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setattr(workers, "SLOT", 64)  # the 100-byte blobs of task 3 take the pipe

    def job(task: int) -> tuple[int, list[bytes]]:
        if task == 7:
            raise ValueError("bad piece 7")
        return task * 2, [bytes([task]) * (100 if task == 3 else task), b"end"]

    got = [(v, [bytes(b) for b in blobs]) for v, blobs in workers.ordered_map(job, range(7), 2)]
    assert got == [job(t) for t in range(7)]
    with pytest.raises(ValueError, match="bad piece 7"):
        list(workers.ordered_map(job, list(range(9)), 2))


_CHILD = """
import os, signal, sys, time
from pathlib import Path

# Ctrl-C as in a terminal, whatever this test runs under: a shell without job control starts
# background commands with SIGINT ignored, and an ignored signal stays ignored in children.
signal.signal(signal.SIGINT, signal.default_int_handler)
import review.io.readers.stream as stream
from review.importer import import_files
from review.project import Project

stream.PIECE = 2048
stream._DETECT_CHARS = 200
real = stream._read_piece

def slow(*args):
    time.sleep(0.05)  # a piece takes a while: the kill lands during the parallel read
    return real(*args)

stream._read_piece = slow
try:
    import_files(Project.open(Path(sys.argv[1])), [Path(sys.argv[2])], source="DB")
except KeyboardInterrupt:
    sys.exit(3)
"""


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in (root / "data").rglob("*")
        if p.is_file()
    }


def _group(pgid: int) -> list[int]:
    """The processes of the group ``pgid``."""
    out = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.getpgid(int(pid)) == pgid:
                out.append(int(pid))
        except OSError:
            continue
    return out


def _gone(pgid: int, timeout: float = 5.0) -> bool:
    """Whether every process of the group ``pgid`` (the import and its workers) has ended."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("how", ["kill", "ctrl-c"])
def test_kill_or_ctrl_c_during_a_parallel_read_leaves_the_project_as_it_was(
    tmp_path: Path, how: str
):
    root = tmp_path / "proj"
    project = Project.init(root, title="t")
    path = tmp_path / "big.ris"
    path.write_text(varied_ris(1500), encoding="utf-8")  # about 80 pieces of 2 KB
    before = _tree(root)
    env = {**os.environ, "REVIEW_WORKERS": "2"}
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(_CHILD), str(root), str(path)],
        env=env,
        start_new_session=True,  # its own process group: the workers can be found (and Ctrl-C'd)
        stderr=subprocess.PIPE,
    )
    records = root / ".review" / "records"
    end = time.monotonic() + 30
    while time.monotonic() < end and not list(records.glob(".*.tmp")):
        time.sleep(0.02)  # the pending store exists: the workers are reading
    time.sleep(0.3)
    assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
    assert len(_group(proc.pid)) == 3  # the import and its two workers
    if how == "kill":
        proc.kill()
    else:
        os.killpg(proc.pid, signal.SIGINT)
    code = proc.wait(30)
    assert _gone(proc.pid), "a worker process outlived the import"
    assert code == (-signal.SIGKILL if how == "kill" else 3)
    assert _tree(root) == before
    project = Project.open(root)
    assert project.imports() == [] and project.records() == []
    if how == "ctrl-c":  # unwound: the pending store is deleted
        assert not list(records.glob(".*.tmp"))
    (report,) = import_files(project, [path], source="DB")  # and it imports fine afterwards
    assert report.imported == len(parse_bytes(path.read_bytes(), "x").entries)


def test_a_full_disk_during_a_parallel_read_stops_the_workers_and_imports_nothing(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import multiprocessing

    from review.errors import ProjectError
    from review.recordcache import StoreWriter

    monkeypatch.setattr(stream, "PIECE", 2048)
    monkeypatch.setattr(stream, "_DETECT_CHARS", 200)
    monkeypatch.setenv("REVIEW_WORKERS", "2")
    path = tmp_path / "big.ris"
    path.write_text(varied_ris(600), encoding="utf-8")
    real = StoreWriter.add_encoded
    calls = {"n": 0}

    def full(self, lines, blobs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError(28, "No space left on device")
        real(self, lines, blobs)

    monkeypatch.setattr(StoreWriter, "add_encoded", full)
    with pytest.raises(ProjectError, match=r"No space left.*Nothing was imported"):
        import_files(project, [path], source="DB")
    assert multiprocessing.active_children() == []  # stopped before the error reached us
    assert project.imports() == []
    assert not list((project.cache_dir / "records").glob("*"))
    monkeypatch.undo()
    assert import_files(project, [path], source="DB")[0].imported == 600


LINE_KINDS = (
    "TY  - JOUR",
    "TY  - BOOK",
    "ER  - ",
    "ER  -",
    "ER  - trailing",
    "TI  - A title",
    "AU  - Smith, J.",
    "KW  - alpha",
    "NL  - a note after ER",
    "  a continuation line",
    "Record #3 of 9",
    "",
    "",
    "TY  -JOUR",
    "AB  -x",
    "PMID - 123",
    "ER -",
    "TY - JOUR",
)


@pytest.mark.parametrize("seed", range(40))
def test_random_ris_reads_the_same_cut_in_pieces_as_whole(
    seed: int, monkeypatch: pytest.MonkeyPatch
):
    import random

    from review.io.readers import parse_into

    rng = random.Random(seed)
    monkeypatch.setattr(stream, "_DETECT_CHARS", 10)
    monkeypatch.setattr(stream, "_WINDOW", rng.choice((30, 200, 5000)))
    monkeypatch.setenv("REVIEW_WORKERS", "0")
    kinds = LINE_KINDS if seed % 2 else LINE_KINDS[:-2]  # odd seeds: one-space tags too
    for piece in (40, 90, 250):
        monkeypatch.setattr(stream, "PIECE", piece)
        lines = ["TY  - JOUR", "TI  - first"]
        lines += [rng.choice(kinds) for _ in range(rng.randint(50, 400))]
        data = "\n".join(lines).encode()
        if seed % 3 == 0:
            data = data.replace(b"\n", b"\r\n")
        try:
            whole = parse_bytes(data, "r.ris", "ris")
        except Exception:
            continue

        sink = Sink()
        got = parse_into([data], "r.ris", "ris", None, None, sink)
        assert sink.entries == whole.entries
        assert (got.found, got.problems, got.warnings) == (
            whole.found,
            whole.problems,
            whole.warnings,
        )


@pytest.mark.parametrize("late", ["one-space tag", "stray CR", "NUL byte", "not UTF-8"])
@pytest.mark.parametrize("n_workers", ["0", "2"])
def test_what_only_the_whole_text_decides_found_in_a_late_piece_reads_as_whole(
    monkeypatch: pytest.MonkeyPatch, late: str, n_workers: str
):
    """The whole-text checks (one-space tags make every tag line loose, a stray CR, a NUL, bytes
    that are not UTF-8) are made on the first piece and then by each piece's reader: one found
    late is read again the careful way, with the same result as the whole text."""
    from review.io.readers import parse_into

    monkeypatch.setattr(stream, "PIECE", 400)
    monkeypatch.setattr(stream, "_WINDOW", 1000)
    monkeypatch.setattr(stream, "_DETECT_CHARS", 50)
    monkeypatch.setenv("REVIEW_WORKERS", n_workers)
    text = varied_ris(120)
    at = text.index("TY  - ", len(text) * 3 // 4)
    bad = {
        "one-space tag": "TY - JOUR\nTI - One space\nUK - based study\nER - \n\n",
        "stray CR": "TY  - JOUR\nTI  - A stray\rCR\nER  - \n\n",
        "NUL byte": "TY  - JOUR\nTI  - A NUL\x00 here\nER  - \n\n",
        "not UTF-8": "TY  - JOUR\nTI  - Caf\udce9\nER  - \n\n",
    }[late]
    data = (text[:at] + bad + text[at:]).encode("utf-8", "surrogateescape")
    whole = parse_bytes(data, "late.ris")

    class CountingSink(Sink):
        def __init__(self) -> None:
            super().__init__()
            self.resets = 0

        def reset(self) -> None:
            super().reset()
            self.resets += 1

    sink = CountingSink()
    got = parse_into([data], "late.ris", "auto", None, None, sink)
    assert sink.resets == 1  # the piece reading had begun and was taken back
    assert sink.entries == whole.entries
    assert (got.found, got.problems, got.warnings, got.encoding) == (
        whole.found,
        whole.problems,
        whole.warnings,
        whole.encoding,
    )
