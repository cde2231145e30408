"""The worked example end to end: copy it into a folder, list the real commands that run it, and
summarise the result.

The example is the scoping review of Saar-Heiman, Damman, Lalayants & Gupta (2024) (see
``data/README.md``). This module is pure: :func:`prepare` copies files, :func:`plan` returns the
``review`` command lines in pipeline order (the CLI runs them through the real command app), and
:func:`review.demo_summary.summarise` reads what they wrote.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from review.errors import ReviewError
from review.model import Stage

if TYPE_CHECKING:
    from review.project import Project

DEFAULT_DIR = Path("review-demo")
# What is copied from the example (the repository's top level, or review/example in a wheel).
EXAMPLE_PARTS = (
    "protocols",
    "extraction_schema.yaml",
    "data/README.md",
    "data/searches",
    "data/decisions",
    "data/fulltexts",
)
# Entries of a previous demo that --force replaces (nothing else in DIR is touched).
DEMO_ENTRIES = (
    "protocols",
    "extraction_schema.yaml",
    "data",
    "outputs",
    ".review",
    ".gitignore",
    "charting-consensus.xlsx",
)

# data/searches/<folder> -> the protocol's source name, and extra import options.
SEARCHES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("web-of-science", "Web of Science", ()),
    ("psycinfo", "PsycINFO", ()),
    ("psycarticles", "PsycARTICLES", ()),
    ("social-work-abstracts", "Social Work Abstracts", ()),
    ("sciencedirect", "ScienceDirect", ()),
    ("grey-literature", "Grey literature", ("--screen",)),
    ("experts", "Experts", ()),
)
RESOLVER = "consensus"  # the protocol's resolution is a consensus meeting of both reviewers
CHARTERS = ("anat", "marina")
# `review chart consensus` writes the consensus form here (agreeing cells pre-filled); the one
# the consensus meeting filled in is data/decisions/charting-consensus.xlsx.
CONSENSUS_FORM = "charting-consensus.xlsx"


@dataclass(frozen=True, slots=True)
class Step:
    """One ``review`` command line (without ``--project``), with a short label for progress."""

    label: str
    argv: tuple[str, ...]

    def command(self, root: Path | None = None) -> str:
        """The command as a user would type it in the project folder ``root``."""
        import shlex

        prefix = f"{Path(root).as_posix()}/" if root is not None else None
        args = [a[len(prefix) :] if prefix and a.startswith(prefix) else a for a in self.argv]
        return "review " + " ".join(shlex.quote(a) for a in args)


def prepare(dest: Path, force: bool = False, source: Path | None = None) -> Path:
    """Copy the example into ``dest`` and return it (resolved).

    Refuses a non-empty ``dest`` unless ``force`` (which replaces only a previous demo's entries:
    protocols/, extraction_schema.yaml, data/, outputs/, .review/). Never writes into the
    example itself.
    """
    from review.example import example_root

    root = Path(source) if source is not None else example_root()
    if root is None or not (root / "data" / "searches").is_dir():
        raise ReviewError(
            "the worked example is not part of this installation (no data/searches). "
            "Reinstall review, or run `python scripts/make_example.py` in a source checkout."
        )
    dest = Path(dest)
    if dest.exists() and not dest.is_dir():
        raise ReviewError(f"{dest}: exists and is not a folder. Choose another folder.")
    target = dest.resolve()
    if target == root.resolve() or root.resolve().is_relative_to(target):
        raise ReviewError(
            f"{dest}: this folder holds the example itself. Choose another folder for the demo."
        )
    if dest.exists() and any(dest.iterdir()):
        if not force:
            raise ReviewError(
                f"{dest}: folder is not empty. Choose a new folder, or pass --force to replace "
                "a previous demo there."
            )
        for name in DEMO_ENTRIES:
            p = dest / name
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            elif p.exists() or p.is_symlink():
                p.unlink()
    for part in EXAMPLE_PARTS:
        src = root / part
        if not src.exists():
            raise ReviewError(f"{src}: missing from the example. Reinstall review.")
        out = dest / part
        out.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, out)
        else:
            shutil.copyfile(src, out)
    (dest / "outputs").mkdir(exist_ok=True)
    from review.project import GITIGNORE

    (dest / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    return target


def plan(project_dir: Path) -> list[Step]:
    """The command lines that run the review, in order (file paths absolute)."""
    from review.project import Project

    project = Project.open(project_dir)
    reviewers = list(project.protocol.reviewers) or ["anat", "marina"]
    decisions = project.root / "data" / "decisions"
    steps = _import_steps(project, reviewers[0])
    steps.append(Step("Find duplicates", ("dedup", "--quiet")))
    verdicts = (decisions / "dedup-verdicts.csv").as_posix()
    steps.append(
        Step(
            "Apply the dedup verdicts",
            ("dedup", "import", verdicts, "--reviewer", reviewers[0], "--quiet"),
        )
    )
    for stage in Stage:
        if stage == Stage.FULL_TEXT:
            steps += _fulltext_steps(project.root, reviewers[0])
        steps += _screening_steps(decisions, stage, reviewers)
    steps += _charting_steps(decisions, project.root / CONSENSUS_FORM)
    steps.append(Step("PRISMA 2020 flow diagram", ("prisma", "--quiet")))
    steps.append(Step("The review report (HTML)", ("report", "--quiet")))
    steps.append(Step("The PRISMA-ScR checklist", ("report", "checklist")))
    steps.append(Step("Project status", ("status",)))
    return steps


def _import_steps(project: Project, by: str) -> list[Step]:
    """One `review import` per search folder, its files in natural order."""
    steps: list[Step] = []
    searches = project.root / "data" / "searches"
    for folder, source, extra in SEARCHES:
        spec = project.protocol.source(source)
        kind = spec.kind if spec is not None else "database"
        files = sorted((p for p in (searches / folder).iterdir() if p.is_file()), key=_natural)
        if not files:
            raise ReviewError(
                f"data/searches/{folder}: no export files. Re-run the demo with --force."
            )
        argv: list[str] = ["import", *(f.as_posix() for f in files)]
        argv += ["--source", source, "--kind", kind, *extra, "--by", by, "--quiet"]
        steps.append(
            Step(f"Import {source} ({len(files)} file{'s' * (len(files) > 1)})", tuple(argv))
        )
    return steps


def _screening_steps(decisions: Path, stage: Stage, reviewers: list[str]) -> list[Step]:
    """Every reviewer's decisions at ``stage``, the disagreements, their resolution."""
    steps = [
        Step(
            f"Import {who}'s {stage} decisions",
            (
                "screen",
                "import",
                (decisions / f"{stage}-{who}.csv").as_posix(),
                "--stage",
                stage,
                "--reviewer",
                who,
            ),
        )
        for who in reviewers
    ]
    resolutions = (decisions / f"{stage}-resolutions.csv").as_posix()
    steps.append(Step(f"Disagreements ({stage})", ("disagreements", "--stage", stage, "--quiet")))
    steps.append(
        Step(
            f"Resolve {stage} disagreements",
            ("resolve", "import", resolutions, "--stage", stage, "--resolver", RESOLVER),
        )
    )
    steps.append(
        Step(
            f"Disagreements after resolution ({stage})",
            ("disagreements", "--stage", stage, "--quiet"),
        )
    )
    return steps


def _charting_steps(decisions: Path, consensus_form: Path) -> list[Step]:
    """Both charters' workbooks, the comparison, the consensus form and charting, the summary."""
    steps = [
        Step(
            f"Import {who}'s charting",
            ("chart", "import", (decisions / f"charting-{who}.xlsx").as_posix(), "--reviewer", who),
        )
        for who in CHARTERS
    ]
    consensus = (decisions / "charting-consensus.xlsx").as_posix()
    steps.append(Step("Compare the charting", ("chart", "compare")))
    steps.append(
        Step(
            "Consensus form (agreeing cells pre-filled)",
            ("chart", "consensus", "-o", consensus_form.as_posix()),
        )
    )
    steps.append(
        Step(
            "Import the consensus charting",
            ("chart", "import", consensus, "--reviewer", "consensus"),
        )
    )
    steps.append(Step("Charting summary and gap map", ("chart", "summary")))
    return steps


def _fulltext_steps(root: Path, who: str) -> list[Step]:
    """Attach the example's full texts (PDFs, an HTML page, a scan), which extracts their text,
    once records are eligible at full text; then `review fulltext extract` finds them all in
    the cache. Skipped for an example without data/fulltexts."""
    folder = root / "data" / "fulltexts"
    if not folder.is_dir():
        return []
    return [
        Step(
            "Attach the full texts",
            ("fulltext", "attach", folder.as_posix(), "--by", who, "--quiet"),
        ),
        Step("Full-text extraction status", ("fulltext", "extract", "--quiet")),
    ]


def _natural(path: Path) -> tuple[str, int, str]:
    """savedrecs.txt, savedrecs(1).txt, savedrecs(2).txt ... in that order."""
    import re

    m = re.match(r"^(.*?)(?:\((\d+)\))?(\.[^.]*)?$", path.name)
    if not m:
        return (path.name, 0, "")
    return (m.group(1), int(m.group(2) or 0), m.group(3) or "")


# Runs one command line (argv without --project) in the project; returns (exit code, stdout,
# stderr). The CLI passes one that invokes the real `review` app in-process.
Runner = Callable[[tuple[str, ...]], tuple[int, str, str]]
# Called before each step with (steps done, steps in all, label of the next step).
OnStep = Callable[[int, int, str], None]
COMMANDS_LOG = "outputs/demo/commands.md"


@dataclass(frozen=True, slots=True)
class StepResult:
    step: Step
    code: int
    out: str
    err: str
    seconds: float


def run_steps(
    root: Path, steps: list[Step], runner: Runner, on_step: OnStep | None = None
) -> list[StepResult]:
    """Run ``steps`` in order with ``runner``; stop at the first failure (a ReviewError naming
    the step and the command's own message). The transcript goes to outputs/demo/commands.md,
    also when a step fails."""
    results: list[StepResult] = []
    for i, step in enumerate(steps, start=1):
        if on_step:
            on_step(i - 1, len(steps), step.label)
        t0 = time.perf_counter()
        code, out, err = runner(step.argv)
        results.append(StepResult(step, code, out, err, round(time.perf_counter() - t0, 2)))
        if code != 0:
            write_log(root, results)
            message = (err or out).strip()
            if message.startswith("Error:"):
                message = message[len("Error:") :].strip()
            raise ReviewError(
                f"demo step {i} failed ({step.command(root)}): {message or f'exit code {code}'} "
                f"The commands so far and their output are in {COMMANDS_LOG}."
            )
    if on_step:
        on_step(len(steps), len(steps), "done")
    write_log(root, results)
    return results


def write_log(root: Path, results: list[StepResult]) -> Path:
    """outputs/demo/commands.md: every command run, as typed in the project folder, with output."""
    from review.io.files import atomic_write_text

    lines = [
        "# Commands run by `review demo`",
        "",
        "Run in the demo project folder (each command also accepts `--project DIR`).",
    ]
    for i, r in enumerate(results, start=1):
        lines += ["", f"## {i}. {r.step.label}", "", "```console", f"$ {r.step.command(root)}"]
        lines += [line.rstrip() for line in r.out.rstrip().splitlines()]
        if r.code != 0:
            lines += [line.rstrip() for line in r.err.rstrip().splitlines()]
            lines.append(f"(exit code {r.code})")
        lines.append("```")
    path = Path(root) / COMMANDS_LOG
    atomic_write_text(path, "\n".join(lines) + "\n")
    return path


# The commands that rebuild outputs/ from the plain files (no new decisions): deleting outputs/
# and running them gives the same files (tests/test_demo.py, scripts/check_reproducible.py).
DERIVED_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("dedup", "--quiet"),
    ("disagreements", "--stage", "title-abstract", "--quiet"),
    ("disagreements", "--stage", "full-text", "--quiet"),
    ("chart", "compare"),
    ("chart", "summary"),
    ("prisma", "--quiet"),
    ("report", "--quiet"),
    ("report", "checklist"),
)

VOLATILE_KEYS = frozenset({"at", "seconds", "generated_at", "created", "elapsed"})


def file_digest(path: Path) -> str:
    """A digest of a derived file that ignores only what legitimately changes between runs:
    run times and timestamps in JSON, and an xlsx's document dates (``docProps/core.xml``)."""
    import hashlib
    import json

    if path.suffix == ".json":

        def clean(obj: Any) -> Any:
            if isinstance(obj, dict):
                return {k: clean(v) for k, v in obj.items() if k not in VOLATILE_KEYS}
            if isinstance(obj, list):
                return [clean(v) for v in obj]
            return obj

        data = clean(json.loads(path.read_text(encoding="utf-8")))
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    if path.suffix == ".xlsx":
        import zipfile

        with zipfile.ZipFile(path) as z:
            parts = [
                (name, hashlib.sha256(z.read(name)).hexdigest())
                for name in sorted(z.namelist())
                if name != "docProps/core.xml"
            ]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def output_digests(project_dir: Path) -> dict[str, str]:
    """``{path under outputs/: digest}`` for every derived output except the demo's transcript
    (which holds the folder's own path and run times)."""
    outputs = project_dir / "outputs"
    return {
        p.relative_to(project_dir).as_posix(): file_digest(p)
        for p in sorted(outputs.rglob("*"))
        if p.is_file() and "demo" not in p.relative_to(outputs).parts
    }
