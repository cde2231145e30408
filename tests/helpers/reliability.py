"""Reliability harness: fuzzed imports and kill -9 crash trials (used by test_reliability.py).

Run at scale (the figures in docs/reliability.md)::

    REVIEW_RELIABILITY_SCALE=full pytest -q -m slow tests/test_reliability.py -s

Every outcome is classified, never assumed: an import either succeeds with a report that matches
what the project then holds, or is refused with exit 1, the file named, no traceback and the
project's files unchanged; nothing may take longer than 30 s.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
HANG = 30.0


def scale() -> str:
    return os.environ.get("REVIEW_RELIABILITY_SCALE", "small")


def tree_hash(root: Path, under: str = "data") -> str:
    """A hash of every file (path and bytes) under ``root/under``."""
    h = hashlib.sha256()
    base = root / under
    if base.exists():
        for p in sorted(base.rglob("*")):
            h.update(p.relative_to(root).as_posix().encode())
            if p.is_file():
                h.update(p.read_bytes())
    return h.hexdigest()


# ---- fuzz inputs --------------------------------------------------------------------------------


def mutations(data: bytes, rng: random.Random) -> Iterator[tuple[str, bytes]]:
    """Damaged versions of one real export."""
    if len(data) > 10:
        yield "truncated", data[: rng.randrange(1, len(data))]
        flipped = bytearray(data)
        for _ in range(max(1, len(data) // 2000)):
            i = rng.randrange(len(flipped))
            flipped[i] ^= 1 << rng.randrange(8)
        yield "byte-flipped", bytes(flipped)
        nul = bytearray(data)
        for _ in range(5):
            nul.insert(rng.randrange(len(nul)), 0)
        yield "nul-injected", bytes(nul)
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    yield "utf-16-no-bom", text.encode("utf-16-le")
    yield "latin-1", text.encode("latin-1", errors="replace")


def synthetic(tmp: Path, big: bool) -> Iterator[tuple[str, Path]]:
    """Hostile files that are not damaged exports."""
    n = 20_000_000 if big else 2_000_000
    p = tmp / "huge-line.ris"
    p.write_bytes(b"TY  - JOUR\nTI  - " + b"x" * n)
    yield "huge single line", p
    p = tmp / "wide.csv"
    cols = 10_000
    p.write_text(
        "Title,"
        + ",".join(f"c{i}" for i in range(cols))
        + "\n"
        + "".join("T" + str(r) + "," + ",".join("v" for _ in range(cols)) + "\n" for r in range(20))
    )
    yield "10,000-column CSV", p
    p = tmp / "bomb.xlsx"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * ((300 if big else 60) << 20))
    p.write_bytes(buf.getvalue())
    yield "xlsx zip bomb", p
    p = tmp / "renamed.xlsx"
    p.write_text("TY  - JOUR\nTI  - A text file named .xlsx\nER  - \n")
    yield "renamed text file", p
    p = tmp / "notes.ris"
    p.write_text("Just some notes, not an export.\n")
    yield "plain text", p
    d = tmp / "folder.ris"
    d.mkdir(exist_ok=True)
    yield "directory", d
    f = tmp / "pipe.ris"
    if not f.exists():
        os.mkfifo(f)
    yield "fifo", f
    for dev in ("/dev/zero", "/dev/urandom"):
        if Path(dev).exists():
            link = tmp / f"{Path(dev).name}.ris"
            if not link.is_symlink():
                link.symlink_to(dev)
            yield f"symlink to {dev}", link
    p = tmp / "deep.bib"
    p.write_bytes(b"@article{k, title=" + b"{" * (5_000_000 if big else 500_000))
    yield "nested braces", p
    p = tmp / "deep.json"
    p.write_bytes(b"[" * 1_000_000)
    yield "nested json", p
    p = tmp / "bare-ty.ris"
    p.write_bytes(b"TY  - \n" * (100_000 if big else 20_000))
    yield "bare TY lines", p


@dataclass
class Outcome:
    kind: str  # imported | refused | BAD
    detail: str
    seconds: float


def _import_in_child(path: str, root: str, conn) -> None:  # runs in a forked process
    from typer.testing import CliRunner

    from review.cli import app

    res = CliRunner().invoke(app, ["import", path, "-s", "Fuzz", "--json", "-p", root])
    exc = res.exception
    crashed = exc is not None and not isinstance(exc, SystemExit)
    conn.send((res.exit_code, res.output, res.stdout, repr(exc) if crashed else ""))
    conn.close()


_WARM: list[bool] = []


def _warm(root: Path) -> None:
    """Run one refused import in this process first: the forked children then inherit every
    lazily imported module (about 2 s per child otherwise)."""
    if _WARM:
        return
    from typer.testing import CliRunner

    from review.cli import app

    for fmt in ("ris", "bib", "csv", "xlsx", "xml", "txt"):
        CliRunner().invoke(
            app, ["import", str(root / f"missing.{fmt}"), "-s", "W", "-p", str(root)]
        )
    import openpyxl  # noqa: F401

    from review.io.readers import parse_bytes

    for sample in (
        b"TY  - JOUR\nTI  - x\nER  - \n",
        b"@article{k, title={x}}\n",
        b"Title,Year\nx,2020\n",
    ):
        parse_bytes(sample, "warm")
    _WARM.append(True)


def run_import(path: Path, root: Path) -> Outcome:
    """Import ``path`` into the project ``root`` in a forked child; classify the outcome."""
    import json
    import multiprocessing as mp

    from review.project import Project

    _warm(root)
    before = tree_hash(root)
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    start = time.monotonic()
    proc = ctx.Process(target=_import_in_child, args=(str(path), str(root), child))
    proc.start()
    child.close()
    if not parent.poll(HANG):
        proc.kill()
        proc.join()
        return Outcome("BAD", f"hang (> {HANG:.0f} s)", time.monotonic() - start)
    try:
        code, output, stdout, crash = parent.recv()
    except EOFError:
        proc.join()
        return Outcome("BAD", f"child died (exit {proc.exitcode})", time.monotonic() - start)
    proc.join()
    secs = time.monotonic() - start
    if crash or "Traceback" in output:
        return Outcome("BAD", f"traceback: {crash or output[-300:]}", secs)
    if code == 1:
        if tree_hash(root) != before:
            return Outcome("BAD", "refused but the project changed", secs)
        if path.name not in output and str(path) not in output:
            return Outcome("BAD", f"refused without naming the file: {output[:200]}", secs)
        return Outcome("refused", output.strip().splitlines()[-1][:160], secs)
    if code != 0:
        return Outcome("BAD", f"exit {code}: {output[-200:]}", secs)
    try:
        imported = int(json.loads(stdout)["imported"])
    except (ValueError, KeyError, TypeError):
        return Outcome("BAD", f"exit 0 but no JSON report: {output[:200]}", secs)
    project = Project.open(root)
    held = len(project.records())
    if held != imported:
        return Outcome("BAD", f"report says {imported} imported, project holds {held}", secs)
    return Outcome("imported", f"{imported} records", secs)


def fuzz(tmp: Path, real_files: list[Path], per_file: int, big: bool, seed: int = 11) -> Counter:
    """Run every input; returns counts by (kind) and records each BAD outcome as ``BAD: ...``."""
    from review.project import Project

    rng = random.Random(seed)
    inputs: list[tuple[str, Path]] = []
    work = tmp / "inputs"
    work.mkdir(exist_ok=True)
    for i, src in enumerate(real_files):
        data = src.read_bytes()
        muts = list(mutations(data, rng))
        rng.shuffle(muts)
        for label, blob in muts[:per_file]:
            p = work / f"{i:03d}-{label}{src.suffix}"
            p.write_bytes(blob)
            inputs.append((f"{label} {src.name}", p))
    inputs.extend(synthetic(work, big))
    counts: Counter = Counter()
    counts["inputs"] = len(inputs)
    for n, (label, path) in enumerate(inputs):
        root = tmp / f"p{n}"
        Project.init(root)
        out = run_import(path, root)
        counts[out.kind] += 1
        counts["max_seconds_x10"] = max(counts["max_seconds_x10"], int(out.seconds * 10))
        if out.kind == "BAD":
            counts[f"BAD: {label}: {out.detail}"] += 1
        shutil.rmtree(root, ignore_errors=True)
    return counts


# ---- crash trials -------------------------------------------------------------------------------


def review_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "review", *args]


def run_cli(args: list[str], root: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        review_cmd(*args, "--project", str(root)),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_inprocess(args: list[str], root: Path) -> tuple[int, str]:
    """Run a ``review`` command in this process (the demo's own runner); (exit code, output)."""
    from review.cli import app
    from review.cli.demo_cmds import _run

    code, out, err = _run(tuple(args), root, app)
    return code, out + err


def demo_base(dest: Path, before_label: str) -> tuple[Path, tuple[str, ...]]:
    """The worked example, run up to (not including) the first step whose label starts with
    ``before_label``; returns the project and that step's command line."""
    from review.cli.demo_steps import runner, step_argv, typed_in
    from review.demo import plan, prepare, run_steps

    root = prepare(dest, force=True)
    steps = plan(root)
    k = next(i for i, s in enumerate(steps) if s.label.startswith(before_label))
    run_steps(root, steps[:k], runner(root), typed_in(root))
    return root, step_argv(steps[k].step)


def status_of(root: Path) -> dict:
    """``review status --json`` computed in this process, without the project path."""
    import json

    from review.project import Project
    from review.status import collect_status

    data = json.loads(json.dumps(collect_status(Project.open(root)).to_json(), default=str))
    data.pop("project", None)
    return _without_versions(data)


def _without_versions(obj):
    """Drop ``version`` entries: a chart import's version file is named by its time, so a rerun
    after a completed import rightly adds a newer version with the same content."""
    if isinstance(obj, dict):
        return {k: _without_versions(v) for k, v in obj.items() if k != "version"}
    if isinstance(obj, list):
        return [_without_versions(v) for v in obj if not (isinstance(v, str) and "charting/" in v)]
    return obj


def check_loads(root: Path) -> list[str]:
    """Everything a command needs loads; returns torn/bad log lines (each one reported)."""
    from review.io.files import JsonlProblem, iter_jsonl
    from review.project import Project

    project = Project.open(root)
    project.imports()
    project.records()
    problems: list[JsonlProblem] = []
    for log in sorted((root / "data").rglob("*.jsonl")):
        for _ in iter_jsonl(log, problems):
            pass
    status_of(root)
    return [str(p) for p in problems]


def crash_trials(tmp: Path, label: str, trials: int, seed: int = 5) -> Counter:
    """kill -9 the demo step ``label`` at a random moment, ``trials`` times.

    After each kill: the project loads, its status can be computed, every damaged log line is
    reported, and rerunning the command succeeds (an import that had been committed says so:
    "already imported"); the final status equals an uninterrupted run's.
    """
    rng = random.Random(seed)
    base, argv = demo_base(tmp / "base", label)
    ref = tmp / "ref"
    shutil.copytree(base, ref)
    t0 = time.monotonic()
    done = run_cli(list(argv), ref)
    duration = time.monotonic() - t0
    assert done.returncode == 0, done.stdout + done.stderr
    want = status_of(ref)
    counts: Counter = Counter()
    for t in range(trials):
        root = tmp / f"trial{t}"
        shutil.copytree(base, root)
        proc = subprocess.Popen(
            review_cmd(*argv, "--project", str(root)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.0, duration * 1.1))
        killed = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        counts["killed mid-run" if killed else "finished before the kill"] += 1
        try:
            torn = check_loads(root)
        except Exception as exc:
            counts[f"BAD: does not load after kill: {exc!r}"[:200]] += 1
            continue
        counts["torn lines reported"] += len(torn)
        code, output = run_inprocess(list(argv), root)
        ok = code == 0 or "already imported" in output
        if not ok or "Traceback" in output:
            counts[f"BAD: rerun failed: {output[-200:]}"] += 1
            continue
        if status_of(root) != want:
            counts["BAD: state after rerun differs from an uninterrupted run"] += 1
            continue
        counts["ok"] += 1
        shutil.rmtree(root, ignore_errors=True)
        _progress(label, t + 1, counts)
    return counts


def _progress(label: str, done: int, counts: Counter) -> None:
    """Append the running counts to $REVIEW_RELIABILITY_LOG (long runs can be followed)."""
    import json

    path = os.environ.get("REVIEW_RELIABILITY_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"step": label, "trials": done, "counts": dict(counts)}) + "\n")


# ---- injection through record content into every output (issue 21) ------------------------------

# Pieces of each class of hostile text; a payload mixes a few of one class with plain words.
INJECTION_PIECES: dict[str, tuple[str, ...]] = {
    "script": ("<!--", "-->", "</script>", "</SCRIPT ", "<script>window.pwned=1</script>",
               "\u2028", "\u2029", "<!--<script>", "]]>", "&lt;", "<img src=x onerror=pwned=1>",
               '"', "'", "\\", "</", "<\\/"),
    "formula": ('=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3",
                "\t=1", "\r=1", "=1+1"),
    "terminal": ("\x1b[2J", "\x1b]8;;http://evil.example\x1b\\", "\x1b]52;c;ZXZpbA==\x07",
                 "\x9b31m", "\x9d0;title\x9c", "\x85", "\x7f", "\x07", "\x08", "\x1b[?1049h"),
    "bidi": ("\u202e", "\u202d", "\u202a", "\u202b", "\u202c", "\u2066", "\u2067", "\u2068",
             "\u2069"),
    "markup": ("[bold]", "[/x]", "[/]", "[link=http://evil.example]", "[/link]", "\\[", "[red",
               "[@click=app.quit]"),
    "markdown": ("<b>", "</b>", "*", "**", "_", "`", "[x](javascript:alert(1))", "|", "# ",
                 "&amp;", "<https://evil.example>", "![i](x)"),
}  # fmt: skip
_RAW_CONTROL = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
_MD_TAGS = {"p", "h1", "h2", "h3", "em", "strong", "code", "table", "thead", "tbody", "tr", "th",
            "td", "blockquote", "br"}  # fmt: skip


def _invoke(args: list[str], keys: str = "") -> tuple[int, str]:
    """A ``review`` command in this process, with typed input; (exit code, stdout + stderr)."""
    from typer.testing import CliRunner

    from review.cli import app

    result = CliRunner().invoke(app, args, input=keys, env={"COLUMNS": "2000"})
    text = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        text += f"\nTraceback: {result.exception!r}"
    return result.exit_code, text


def payloads(n: int, seed: int = 21) -> Iterator[tuple[str, str]]:
    """``n`` (class, text) payloads: each class in turn, 1-4 of its pieces among plain words."""
    rng = random.Random(seed)
    classes = sorted(INJECTION_PIECES)
    for i in range(n):
        cls = classes[i % len(classes)]
        parts = ["Peer", "support"]
        for _ in range(rng.randint(1, 4)):
            parts.insert(rng.randrange(len(parts) + 1), rng.choice(INJECTION_PIECES[cls]))
        yield cls, " ".join(parts) if rng.random() < 0.7 else "".join(parts)


def _csv_problems(text: str) -> list[str]:
    import csv

    from review.io.xlsx import FORMULA_START

    problems = []
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        problems += [f"formula cell {c[:20]!r}" for c in row if c.startswith(FORMULA_START)]
    return problems


def _report_problems(page: str) -> list[str]:
    """The HTML checks a browser would make: one data block, one script, both closed where we
    closed them, the data JSON, the CSP hash of the one script."""
    import base64
    import json
    import re

    problems = []
    if page.count("<script") != 2 or page.count("</script") != 2:
        problems.append("script tags")
    data = re.search(r'id="report-data">(.*?)</script>', page, re.S)
    try:
        json.loads(data.group(1) if data else "")
    except ValueError:
        problems.append("page data not JSON")
    if data and re.search(r"<!--|<script|</script", data.group(1), re.I):
        problems.append("script-state sequence in page data")
    script = re.findall(r"<script>(.*?)</script>", page, re.S)
    digest = (
        base64.b64encode(hashlib.sha256(script[0].encode()).digest()).decode() if script else ""
    )
    if f"script-src 'sha256-{digest}'" not in page or "script-src 'unsafe-inline'" in page:
        problems.append("CSP")
    return problems


def _md_problems(text: str) -> list[str]:
    import re

    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").render(text)
    tags = {t.lower() for t in re.findall(r"</?([A-Za-z][\w-]*)", html)} - _MD_TAGS
    problems = [f"HTML tag <{t}> from data" for t in sorted(tags)]
    if "<!--" in html:
        problems.append("HTML comment from data")
    if re.search(_RAW_CONTROL, text):
        problems.append("control character")
    return problems


def injection_trial(root: Path, payload: str) -> tuple[str, list[str]]:
    """One payload in a record title, the source name, an exclusion-reason label, a note, charted
    text and the project title; every output checked. (outcome, problems): outcome is ``clean``
    or ``source refused, rest clean`` (a source name with a control character is refused with a
    message, and the trial goes on with a plain one); problems list what leaked where."""
    import re

    from tests.helpers.hostile import TITLES, hostile_project

    problems: list[str] = []
    outcome = "clean"
    titles = (payload, *TITLES[1:])
    kw = {"titles": titles, "reason": "R " + payload, "note": payload, "title": payload,
          "charted": ("Aims " + payload, payload)}  # fmt: skip
    try:
        hostile_project(root, source="S " + payload, **kw)
    except Exception as exc:  # a refused source: the message, then the rest with a plain one
        if "control or bidi-override character" not in str(exc):
            return "crash", [f"project: {exc!r}"[:200]]
        outcome = "source refused, rest clean"
        shutil.rmtree(root, ignore_errors=True)
        hostile_project(root, source="Plain source", **kw)
    p = ["-p", str(root)]
    out = root.parent / "out"
    out.mkdir(exist_ok=True)
    runs = {
        "status": ["status"],
        "report": ["report", "-q", "-o", str(out / "r.html")],
        "prisma": ["prisma", "-q"],
        "explain": ["prisma", "explain", "records_screened", "-o", str(out / "e.csv")],
        "explain --json": ["prisma", "explain", "records_excluded_by_reason.hostile", "--json"],
        "export csv": ["export", "--format", "csv", "-o", str(out / "x.csv")],
        "chart summary": ["chart", "summary"],
        "checklist": ["report", "checklist", "-o", str(out / "c.xlsx")],
        "disagreements": ["disagreements", "--stage", "full-text"],
    }
    for name, args in runs.items():
        code, text = _invoke([*args, *p])
        if code != 0 or "Traceback" in text or "MarkupError" in text:
            problems.append(f"{name}: exit {code} {text[-120:]!r}")
        if re.search(_RAW_CONTROL, text):
            problems.append(f"{name}: control character on the terminal")
    for name, args, keys in (
        ("line screen", ["screen", "--stage", "title-abstract", "--reviewer", "Eve", "--line",
                         "--order", "random"], "?\nn " + payload.replace("\n", " ") + "\nq\n"),
        ("resolve", ["resolve", "--stage", "full-text", "--resolver", "Cleo"], "q\n"),
    ):  # fmt: skip
        code, text = _invoke([*args, *p], keys)
        if code != 0 or "Traceback" in text or re.search(_RAW_CONTROL, text):
            problems.append(f"{name}: exit {code}, {text[-120:]!r}")
    if (out / "r.html").is_file():
        page = (out / "r.html").read_text("utf-8")
        problems += [f"report: {x}" for x in _report_problems(page)]
    csvs = [out / "e.csv", out / "x.csv", *root.glob("outputs/**/*.csv")]
    for path in (p for p in csvs if p.is_file()):
        text = path.read_text(encoding="utf-8")
        problems += [f"{path.name}: {x}" for x in _csv_problems(text)]
        if re.search(_RAW_CONTROL.replace("\\x0b-\\x1f", "\\x0b\\x0c\\x0e-\\x1f"), text):
            problems.append(f"{path.name}: control character")
    for derived in (root / "outputs/prisma/prisma.svg", root / "outputs/prisma/prisma.mmd"):
        text = derived.read_text(encoding="utf-8") if derived.is_file() else ""
        if not text or re.search(_RAW_CONTROL, text):
            problems.append(f"{derived.name}: missing or a control character")
    try:
        from defusedxml import ElementTree

        ElementTree.parse(root / "outputs/prisma/prisma.svg")
    except Exception as exc:
        problems.append(f"prisma.svg: not well-formed XML ({exc})"[:120])
    for md in (root / "outputs/prisma/methods.md", root / "outputs/charting/summary.md",
               out / "c.md"):  # fmt: skip
        if not md.is_file():
            problems.append(f"{md.name}: not written")
            continue
        problems += [f"{md.name}: {x}" for x in _md_problems(md.read_text(encoding="utf-8"))]
    return ("violation" if problems else outcome), problems


def injection_trials(tmp: Path, n: int, seed: int = 21) -> dict[str, Counter]:
    """``n`` payloads, each through every output: outcome counts per class (and the problems)."""
    by_class: dict[str, Counter] = {}
    for i, (cls, payload) in enumerate(payloads(n, seed)):
        root = tmp / f"t{i}" / "proj"
        try:
            outcome, problems = injection_trial(root, payload)
        except Exception as exc:  # classified, never assumed
            outcome, problems = "crash", [repr(exc)[:200]]
        counts = by_class.setdefault(cls, Counter())
        counts[outcome] += 1
        for x in problems:
            counts[f"BAD: {x}"[:160]] += 1
        shutil.rmtree(root.parent, ignore_errors=True)
        _progress(f"injection {cls}", i + 1, counts)
    return by_class
