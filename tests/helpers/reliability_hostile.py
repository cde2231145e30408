"""Hostile-input trials of issue 21 ("Resources" and "Integrity"), used by test_reliability.py.

Each trial runs one real ``review`` command in its own process (address space capped at
:data:`MEMORY_MB`, as a shared machine caps it; at most :data:`HANG` seconds) on a copy of a small
project made hostile in one way, and classifies the outcome, never assumes it:

- ``handled``: exit 0 and what the command promises holds (the bad PDF is an ``error`` line and
  the good one beside it is read; the bad log line is reported by file and line and the final
  decisions are those without it; found = imported + problems; every command after a long title
  works);
- ``refused``: exit 1, a message naming the file, no traceback, the project's ``data/`` and
  ``protocols/`` byte-identical;
- ``BAD: …``: anything else (a traceback, death by a signal, a hang, a wrong count, a changed
  project, a bad line that counted, a symlink's target copied).

Classes: yaml (alias bombs, nesting, duplicate keys, encodings; protocol and schema), pdf (content
bombs), sheet (long cells, many unknown ids, broken CSV), log (one mutated line in each log kind),
found (damaged BibTeX, shuffled WoS/RIS), codec (every non-text codec), symlink, long-title.
"""

from __future__ import annotations

import codecs
import encodings
import json
import os
import pkgutil
import random
import resource
import shutil
import subprocess
import sys
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
DATA = REPO / "tests" / "data"
HANG = 60.0
MEMORY_MB = 3072
TA, FT = "title-abstract", "full-text"


def _cap() -> None:
    limit = MEMORY_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run(root: Path, *args: str, project: bool = True) -> tuple[int, str, float]:
    """``review ARGS`` in a capped child process: (exit code or -signal, output, seconds)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "REVIEW_PDF_MEMORY_MB": "1024"}
    argv = [sys.executable, "-m", "review", *args] + (["-p", str(root)] if project else [])
    start = time.monotonic()
    try:
        res = subprocess.run(
            argv, capture_output=True, text=True, timeout=HANG, preexec_fn=_cap, env=env
        )
    except subprocess.TimeoutExpired:
        return -999, f"hang (> {HANG:.0f} s)", time.monotonic() - start
    return res.returncode, res.stdout + res.stderr, time.monotonic() - start


def truth_hash(root: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    for under in ("data", "protocols", "extraction_schema.yaml"):
        base = root / under
        for p in sorted([base] if base.is_file() else base.rglob("*") if base.exists() else []):
            if p.is_file():
                h.update(p.relative_to(root).as_posix().encode() + p.read_bytes())
    return h.hexdigest()


@dataclass
class Trial:
    klass: str
    label: str
    prepare: Callable[[Path], tuple[str, ...]]  # edits a project copy, returns the command
    judge: Callable[[Path, int, str], str]  # "" when the exit-0 outcome is right, else why not
    names: str  # the file a refusal must name


def classify(trial: Trial, root: Path) -> tuple[str, float]:
    args = trial.prepare(root)
    before = truth_hash(root)
    code, out, secs = run(root, *args)
    if code == -999:
        return "BAD: hang", secs
    if code < 0:
        return f"BAD: killed by signal {-code}", secs
    if "Traceback" in out:
        return "BAD: traceback " + out.strip().splitlines()[-1][:120], secs
    if code == 1:
        if truth_hash(root) != before:
            return "BAD: refused but the project changed", secs
        if trial.names not in out:
            return f"BAD: refused without naming {trial.names}: {out[-160:]}", secs
        return "refused", secs
    if code != 0:
        return f"BAD: exit {code}", secs
    why = trial.judge(root, code, out)
    return ("BAD: " + why if why else "handled"), secs


# ---- the base project: records at full text, decisions, a resolution, a verdict, attachments --


def base_project(dest: Path) -> tuple[Path, dict]:
    """A small project every trial copies; returns it and its final decisions (the truth)."""
    from review.dedup.verdicts import append_lines, verdict_line
    from review.io.files import append_jsonl
    from review.io.logline import log_line
    from review.project import Project
    from tests.helpers.screen import decide, make_record_project, resolve

    project = Project.init(dest / "base", title="Hostile")
    ids = make_record_project(project, 6)
    for rid in ids[:4]:
        decide(project, "Ana", rid, "include")
        decide(project, "Ben", rid, "include")
    decide(project, "Ana", ids[4], "include")
    decide(project, "Ben", ids[4], "exclude", reason="wrong-date")
    resolve(project, "Cleo", ids[4], "exclude", reason="wrong-date")
    for rid in ids[:3]:
        decide(project, "Ana", rid, "include", stage=FT)
        decide(project, "Ben", rid, "include", stage=FT)
    append_lines(project, "Ana", [verdict_line(ids[0], ids[5], "different", "Ana")])
    append_jsonl(
        project.data_dir / "fulltext" / "ana.jsonl",
        [log_line("attach", record_id=ids[0], path="fulltexts/a.pdf", matched_by="doi", by="Ana")],
    )
    (project.root / "fulltexts").mkdir()
    shutil.copyfile(DATA / "fulltext" / "article.pdf", project.root / "fulltexts" / "a.pdf")
    return project.root, final_state(project.root)


def final_state(root: Path) -> dict:
    from review.project import Project
    from review.screen import final_decisions

    project = Project.open(root)
    return {
        st: {cid: (fd.decision, fd.via) for cid, fd in final_decisions(project, st).items()}
        for st in (TA, FT)
    }


# ---- generators ----------------------------------------------------------------------------------


def pdf_bomb(ops: int) -> bytes:
    """One page whose content stream repeats ``BT /F1 1 Tf (a) Tj ET`` (FlateDecode)."""
    comp = zlib.compressobj(9)
    unit, parts, left = b"BT /F1 1 Tf (a) Tj ET\n", [], ops
    while left > 0:
        parts.append(comp.compress(unit * min(left, 50_000)))
        left -= 50_000
    stream = b"".join(parts) + comp.flush()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def alias_bomb(levels: int, width: int, indent: str = "") -> str:
    text = f"{indent}a0: &a0 [" + ",".join(['"lol"'] * width) + "]\n"
    for i in range(1, levels + 1):
        text += f"{indent}a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * width) + "]\n"
    return text


def _edit_yaml(path: Path, make: Callable[[str], bytes]) -> None:
    path.write_bytes(make(path.read_text(encoding="utf-8")))


def yaml_variants(rng: random.Random, n: int) -> Iterator[tuple[str, Callable[[str], bytes]]]:
    for _ in range(n):
        levels, width = rng.randint(5, 9), rng.randint(6, 12)
        yield (
            f"alias bomb {width}^{levels}",
            lambda t, lv=levels, w=width: (t + "\nnotes:\n" + alias_bomb(lv, w, "  ")).encode(),
        )
        depth = rng.choice([101, 200, 500, 1000, 5000])
        yield (
            f"nested {depth} deep",
            lambda t, d=depth: (t + "\nnotes: " + "[" * d + "]" * d + "\n").encode(),
        )
        pick = rng.random()
        yield (f"duplicate top-level key #{pick:.2f}", lambda t, p=pick: _duplicate_key(t, p))
        pos = rng.random()
        yield f"0xFF at {pos:.2f}", lambda t, p=pos: _insert(t.encode(), int(len(t) * p), b"\xff")
        enc = rng.choice(["utf-16", "utf-16-le", "utf-32", "utf-16-be"])
        yield f"saved as {enc}", lambda t, e=enc: t.encode(e)


def _duplicate_key(text: str, pick: float) -> bytes:
    """The file with one of its top-level ``key: value`` lines (a scalar one) appended again."""
    import re

    keys = [x for x in text.splitlines() if re.match(r"^[a-z_]+:[ \t]*[^\s#]", x)]
    return (text + "\n" + keys[int(pick * len(keys))] + "\n").encode()


def _insert(data: bytes, at: int, what: bytes) -> bytes:
    return data[:at] + what + data[at:]


def codec_names() -> list[str]:
    """Every codec of this Python that is not a text encoding, plus a few that fail on bytes."""
    out = set()
    for mod in pkgutil.iter_modules(encodings.__path__):
        try:
            info = codecs.lookup(mod.name)
        except LookupError:
            continue
        if not getattr(info, "_is_text_encoding", True):
            out.add(mod.name)
    return sorted(out | {"punycode", "idna", "unicode_escape", "raw_unicode_escape", "utf-7"})


def mutated_log_line(rng: random.Random, good: dict, fields: tuple[str, ...]) -> dict:
    junk = ["obliterate", "", 42, None, "final-text", "2026-13-45T99:00:00Z", "yesterday", ["x"],
            {"a": 1}, "include ", "INCLUDE", "\u202eedulcni", "x" * 1000]  # fmt: skip
    bad = dict(good)
    field = rng.choice(fields)
    value = rng.choice(junk)
    if value is None and rng.random() < 0.5:
        bad.pop(field, None)
    else:
        bad[field] = value
    bad["at"] = bad.get("at") if field == "at" else "2030-01-01T00:00:00.000000Z"
    return bad


def _valid_decision_line(obj: dict, reasons: dict[str, set[str]]) -> bool:
    """The vocabulary, written out independently of review.io.logline (the spec)."""
    from datetime import datetime

    allowed = {
        TA: {"include", "exclude", "maybe"},
        FT: {"include", "exclude", "maybe", "not-retrieved"},
    }
    stage, decision, reason = obj.get("stage"), obj.get("decision"), obj.get("reason") or ""
    if not all(isinstance(v, str) for v in (stage, decision, reason)):
        return False
    if stage not in allowed or decision not in allowed[stage]:
        return False
    if not isinstance(obj.get("record_id"), str) or not obj["record_id"]:
        return False
    if reason and (decision != "exclude" or reason not in reasons[stage]):
        return False
    try:
        datetime.fromisoformat(obj["at"])
    except (KeyError, TypeError, ValueError):
        return False
    return True


# ---- the trials ----------------------------------------------------------------------------------


def build_trials(work: Path, big: bool, rng: random.Random, truth: dict) -> list[Trial]:
    trials: list[Trial] = []
    n = 8 if big else 2

    def exit0_is_wrong(root: Path, code: int, out: str) -> str:
        return "accepted"

    # yaml: protocol (review status) and extraction schema (review chart template)
    for label, make in yaml_variants(rng, n):

        def prep_p(root: Path, make=make) -> tuple[str, ...]:
            _edit_yaml(root / "protocols" / "protocol.yaml", make)
            return ("status",)

        def prep_s(root: Path, make=make) -> tuple[str, ...]:
            _edit_yaml(root / "extraction_schema.yaml", make)
            return ("chart", "template", "-o", str(root / "form.xlsx"))

        trials.append(Trial("yaml", f"protocol: {label}", prep_p, exit0_is_wrong, "protocol.yaml"))
        trials.append(
            Trial("yaml", f"schema: {label}", prep_s, exit0_is_wrong, "extraction_schema.yaml")
        )

    # pdf: content bombs beside a good PDF
    ops_list = [500_000, 2_000_000, 5_000_000] + ([18_000_000, 30_000_000] if big else [])
    for ops in ops_list:

        def prep_pdf(root: Path, ops=ops) -> tuple[str, ...]:
            from review.io.files import append_jsonl
            from review.io.logline import log_line
            from review.project import Project
            from review.screen.cache import cluster_index

            (root / "fulltexts" / "bomb.pdf").write_bytes(pdf_bomb(ops))
            project = Project.open(root)
            cid = sorted(cluster_index(project).cluster_of.values())[1]
            append_jsonl(
                root / "data" / "fulltext" / "ana.jsonl",
                [
                    log_line(
                        "attach",
                        record_id=cid,
                        path="fulltexts/bomb.pdf",
                        matched_by="doi",
                        by="Ana",
                    )
                ],
            )
            return ("fulltext", "extract", "--json", "-q")

        def judge_pdf(root: Path, code: int, out: str) -> str:
            files = {
                Path(f["path"]).name: f["status"]
                for f in json.loads(out[out.index("{") :])["files"]
            }
            if files.get("a.pdf") != "text":
                return f"the good PDF beside the bomb: {files.get('a.pdf')}"
            return "" if files.get("bomb.pdf") in ("error", "no-text") else f"bomb: {files}"

        trials.append(
            Trial("pdf", f"content bomb, {ops:,} text operators", prep_pdf, judge_pdf, "bomb.pdf")
        )

    # sheet: screening sheets
    sheet_cases: list[tuple[str, Callable[[list[str]], bytes]]] = []
    for length in [131_073, 500_000] + ([5_000_000] if big else []):
        sheet_cases.append((f"note of {length:,} characters",
                            lambda ids, n=length: f"record_id,decision,note\n{ids[5]},include,{'n' * n}\n".encode()))  # fmt: skip
    for rows in [1_000, 100_000] + ([3_000_000] if big else []):
        sheet_cases.append((f"{rows:,} unknown ids",
                            lambda ids, r=rows: ("record_id,decision\n" + "".join(f"nope-{i},include\n" for i in range(r))).encode()))  # fmt: skip
    sheet_cases.append(
        (
            "unclosed quote",
            lambda ids: (
                f'record_id,decision,note\n{ids[5]},include,"open\n{ids[4]},exclude,\n'.encode()
            ),
        )
    )
    sheet_cases.append(
        ("0xFF byte", lambda ids: f"record_id,decision\n{ids[5]},incl\xffude\n".encode("latin-1"))
    )
    for label, make in sheet_cases:

        def prep_sheet(root: Path, make=make) -> tuple[str, ...]:
            from review.project import Project

            ids = [r.record_id for r in Project.open(root).records()]
            (root / "sheet.csv").write_bytes(make(ids))
            return ("screen", "import", str(root / "sheet.csv"), "--stage", TA, "--reviewer", "Dan")

        def judge_sheet(root: Path, code: int, out: str, label=label) -> str:
            return "" if "note of" in label else "accepted"

        trials.append(Trial("sheet", label, prep_sheet, judge_sheet, "sheet.csv"))

    # log: one mutated line appended to each log kind
    for kind in ["screening", "resolution", "verdict", "attach"] * (6 if big else 2):
        trials.append(_log_trial(kind, rng, truth))

    # found: damaged BibTeX / shuffled WoS and RIS
    bib = (DATA / "import" / "library.bib").read_text(encoding="utf-8") * 3
    wos = (DATA / "import" / "wos.txt").read_text(encoding="utf-8")
    ris = (DATA / "import" / "quirks.ris").read_text(encoding="utf-8")
    for i in range(n * 3):
        r = random.Random(rng.random())
        start = r.randrange(len(bib))
        cases = [("cut.bib", bib[:start] + bib[start + r.randrange(5, 400) :])]
        for name, text in (("shuffled-wos.txt", wos), ("shuffled.ris", ris)):
            lines = text.splitlines()
            r.shuffle(lines)
            cases.append((name, "\n".join(lines) + "\n"))
        for name, text in cases:

            def prep_found(root: Path, name=name, text=text) -> tuple[str, ...]:
                (root / name).write_text(text, encoding="utf-8")
                return ("import", str(root / name), "-s", "Damaged", "--json")

            def judge_found(root: Path, code: int, out: str) -> str:
                d = json.loads(out[out.index("{") :])
                ok = d["found"] == d["imported"] + d["problems"]
                return "" if ok else f"found {d['found']} != {d['imported']} + {d['problems']}"

            trials.append(Trial("found", f"{name} #{i}", prep_found, judge_found, name))

    # codec: --encoding with every non-text codec
    for codec in codec_names():

        def prep_codec(root: Path, codec=codec) -> tuple[str, ...]:
            shutil.copyfile(DATA / "import" / "quirks.ris", root / "q.ris")
            return ("import", str(root / "q.ris"), "-s", "DB", "--encoding", codec)

        def judge_codec(root: Path, code: int, out: str) -> str:
            return ""  # a codec that reads the file (utf-7 on ASCII) imports it: fine

        trials.append(Trial("codec", codec, prep_codec, judge_codec, "q.ris"))

    # symlink: attach a folder holding links out of it
    for how in ["file link", "folder link", "link chain", "relative ../ link"]:

        def prep_link(root: Path, how=how) -> tuple[str, ...]:
            folder = root / "incoming"
            folder.mkdir()
            secret = root.parent / f"secret-{root.name}.txt"
            secret.write_text("doi: 10.1234/db.1\nPRIVATE\n", encoding="utf-8")
            if how == "file link":
                (folder / "10.1234_db.1.txt").symlink_to(secret)
            elif how == "folder link":
                (root.parent / f"outside-{root.name}").mkdir()
                (root.parent / f"outside-{root.name}" / "10.1234_db.1.txt").write_text(
                    "doi: 10.1234/db.1\nPRIVATE\n"
                )
                (folder / "sub").symlink_to(root.parent / f"outside-{root.name}")
            elif how == "link chain":
                (folder / "hop.txt").symlink_to(secret)
                (folder / "10.1234_db.1.txt").symlink_to(folder / "hop.txt")
            else:
                (folder / "10.1234_db.1.txt").symlink_to(Path("..") / ".." / secret.name)
            return ("fulltext", "attach", str(folder), "--by", "Ana", "-q")

        def judge_link(root: Path, code: int, out: str) -> str:
            cache = root / ".review"
            leaked = (
                any("PRIVATE" in p.read_text(errors="replace") for p in cache.rglob("*.txt"))
                if cache.exists()
                else False
            )
            return "the target's text was copied" if leaked else ""

        trials.append(Trial("symlink", how, prep_link, judge_link, "incoming"))

    # long-title: every command after importing a title over csv's field limit
    for length in [131_073, 1_000_000] + ([20_000_000] if big else []):

        def prep_title(root: Path, length=length) -> tuple[str, ...]:
            (root / "long.ris").write_text(
                f"TY  - JOUR\nTI  - {'peer ' * (length // 5)}\nER  - \n", encoding="utf-8"
            )
            assert run(root, "import", str(root / "long.ris"), "-s", "Long")[0] == 0
            assert run(root, "dedup")[0] == 0
            return ("status",)

        def judge_title(root: Path, code: int, out: str) -> str:
            for args in (("prisma",), ("screen", "export", "--stage", TA, "--reviewer", "Ana", "-o", str(root / "s.xlsx"), "-q"),
                         ("dedup", "export", "-o", str(root / "d.xlsx")), ("report",)):  # fmt: skip
                c, o, _ = run(root, *args)
                if c != 0 or "Traceback" in o:
                    return f"{args[0]}: exit {c} {o[-120:]}"
            return ""

        trials.append(
            Trial(
                "long-title", f"title of {length:,} characters", prep_title, judge_title, "long.ris"
            )
        )
    return trials


def _log_trial(kind: str, rng: random.Random, truth: dict) -> Trial:
    seed = rng.random()

    def prep(root: Path) -> tuple[str, ...]:
        r = random.Random(seed)
        folder = {
            "screening": "screening",
            "resolution": "resolutions",
            "verdict": "dedup",
            "attach": "fulltext",
        }[kind]
        path = sorted((root / "data" / folder).glob("*.jsonl"))[0]
        lines = [json.loads(t) for t in path.read_text(encoding="utf-8").splitlines() if t.strip()]
        good = r.choice(lines)
        fields = {"screening": ("decision", "stage", "reason", "at", "record_id"),
                  "resolution": ("decision", "stage", "reason", "at"),
                  "verdict": ("verdict", "a", "at"), "attach": ("record_id", "path", "at")}[kind]  # fmt: skip
        bad = mutated_log_line(r, good, fields)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(bad) + "\n")
        (root / "bad-line.json").write_text(
            json.dumps({"path": str(path), "line": len(lines) + 1, "obj": bad})
        )
        return ("status",)

    def judge(root: Path, code: int, out: str) -> str:
        info = json.loads((root / "bad-line.json").read_text())
        where = f"{Path(info['path']).name}:{info['line']}:"
        flat = " ".join(out.split()).replace(str(Path(info["path"]).parent) + "/", "")
        if kind in ("screening", "resolution"):
            from review.project import Project

            reasons = {
                st: {r.id for r in cfg.exclusion_reasons}
                for st, cfg in Project.open(root).protocol.stages.items()
            }
            if _valid_decision_line(info["obj"], reasons):
                return ""  # a valid decision: it may change the state, as any decision does
            if final_state(root) != truth:
                return f"a bad line counted: {info['obj']}"
        if kind in ("screening", "resolution") and where not in flat:
            return f"bad line not reported: {info['obj']}"
        return ""

    return Trial("log", f"{kind} line", prep, judge, "data/")


def hostile_trials(tmp: Path, big: bool, seed: int = 21) -> dict[str, Counter]:
    """Run every trial; returns outcome counts per class (``BAD: …`` keys name the failures)."""
    rng = random.Random(seed)
    base, truth = base_project(tmp)
    out: dict[str, Counter] = {}
    for i, trial in enumerate(build_trials(tmp, big, rng, truth)):
        root = tmp / f"t{i}"
        shutil.copytree(base, root, symlinks=True)
        try:
            kind, secs = classify(trial, root)
        except Exception as exc:  # the harness itself (a setup command failed)
            kind, secs = f"BAD: harness {type(exc).__name__}: {exc}"[:200], 0.0
        counts = out.setdefault(trial.klass, Counter())
        counts["inputs"] += 1
        counts[kind if not kind.startswith("BAD") else f"{kind} [{trial.label}]"] += 1
        counts["max_seconds"] = max(counts["max_seconds"], round(secs))
        shutil.rmtree(root, ignore_errors=True)
    return out
