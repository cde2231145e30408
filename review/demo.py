"""The worked example end to end: copy it into a folder, plan the steps that run it, and
summarise the result.

The example is the scoping review of Saar-Heiman, Damman, Lalayants & Gupta (2024) (see
``data/README.md``). This module knows no command names: :func:`prepare` copies files,
:func:`plan` returns the steps in pipeline order as :class:`~review.nextstep.NextStep` values
(an action and its arguments), :func:`run_steps` runs them with a runner the front end gives
(the CLI calls the library function of each step and prints what its command prints, see
``review/cli/demo_steps.py``) and writes the transcript, and
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
from review.io.files import atomic_write_text
from review.model import Stage
from review.nextstep import Action, NextStep, Render, step
from review.project import Project, gitignore

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

# data/searches/<folder> -> the protocol's source name, and whether its records go to screening
# although they come from other methods (import's ``screen``).
SEARCHES: tuple[tuple[str, str, bool], ...] = (
    ("web-of-science", "Web of Science", False),
    ("psycinfo", "PsycINFO", False),
    ("psycarticles", "PsycARTICLES", False),
    ("social-work-abstracts", "Social Work Abstracts", False),
    ("sciencedirect", "ScienceDirect", False),
    ("grey-literature", "Grey literature", True),
    ("experts", "Experts", False),
)
RESOLVER = "consensus"  # the protocol's resolution is a consensus meeting of both reviewers
CHARTERS = ("anat", "marina")
# `chart consensus` writes the consensus form here (agreeing cells pre-filled); the one
# the consensus meeting filled in is data/decisions/charting-consensus.xlsx.
CONSENSUS_FORM = "charting-consensus.xlsx"


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the pipeline (an action and its arguments, file paths absolute), with a
    short label for progress."""

    label: str
    step: NextStep


def prepare(
    dest: Path, force: bool = False, source: Path | None = None, command: Render = str
) -> Path:
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

    (dest / ".gitignore").write_text(gitignore(command), encoding="utf-8")
    return target


def plan(project_dir: Path) -> list[Step]:
    """The command lines that run the review, in order (file paths absolute)."""
    project = Project.open(project_dir)
    reviewers = list(project.protocol.reviewers) or ["anat", "marina"]
    decisions = project.root / "data" / "decisions"
    steps = _import_steps(project, reviewers[0])
    steps.append(Step("Find duplicates", step(Action.DEDUP)))
    verdicts = (decisions / "dedup-verdicts.csv").as_posix()
    steps.append(
        Step(
            "Apply the dedup verdicts",
            step(Action.DEDUP_IMPORT, file=verdicts, reviewer=reviewers[0]),
        )
    )
    for stage in Stage:
        if stage == Stage.FULL_TEXT:
            steps += _fulltext_steps(project.root, reviewers[0])
        steps += _screening_steps(decisions, stage, reviewers)
    steps += _charting_steps(decisions, project.root / CONSENSUS_FORM)
    steps.append(Step("PRISMA 2020 flow diagram", step(Action.PRISMA)))
    steps.append(Step("The review report (HTML)", step(Action.REPORT)))
    steps.append(Step("The PRISMA-ScR checklist", step(Action.REPORT_CHECKLIST)))
    steps.append(Step("Project status", step(Action.STATUS)))
    return steps


def _import_steps(project: Project, by: str) -> list[Step]:
    """One `import` per search folder, its files in natural order."""
    steps: list[Step] = []
    searches = project.root / "data" / "searches"
    for folder, source, screen in SEARCHES:
        spec = project.protocol.source(source)
        kind = spec.kind if spec is not None else "database"
        files = sorted((p for p in (searches / folder).iterdir() if p.is_file()), key=_natural)
        if not files:
            raise ReviewError(
                f"data/searches/{folder}: no export files. Re-run the demo with --force."
            )
        paths = tuple(f.as_posix() for f in files)
        what = step(Action.IMPORT, file=paths, source=source, kind=kind, screen=screen, by=by)
        steps.append(Step(f"Import {source} ({len(files)} file{'s' * (len(files) > 1)})", what))
    return steps


def _screening_steps(decisions: Path, stage: Stage, reviewers: list[str]) -> list[Step]:
    """Every reviewer's decisions at ``stage``, the disagreements, their resolution."""
    steps = [
        Step(
            f"Import {who}'s {stage} decisions",
            step(
                Action.SCREEN_IMPORT,
                file=(decisions / f"{stage}-{who}.csv").as_posix(),
                stage=stage,
                reviewer=who,
            ),
        )
        for who in reviewers
    ]
    resolutions = (decisions / f"{stage}-resolutions.csv").as_posix()
    compare = step(Action.DISAGREEMENTS, stage=stage)
    steps.append(Step(f"Disagreements ({stage})", compare))
    steps.append(
        Step(
            f"Resolve {stage} disagreements",
            step(Action.RESOLVE_IMPORT, file=resolutions, stage=stage, resolver=RESOLVER),
        )
    )
    steps.append(Step(f"Disagreements after resolution ({stage})", compare))
    return steps


def _charting_steps(decisions: Path, consensus_form: Path) -> list[Step]:
    """Both charters' workbooks, the comparison, the consensus form and charting, the summary."""
    steps = [
        Step(
            f"Import {who}'s charting",
            step(
                Action.CHART_IMPORT,
                file=(decisions / f"charting-{who}.xlsx").as_posix(),
                reviewer=who,
            ),
        )
        for who in CHARTERS
    ]
    consensus = (decisions / "charting-consensus.xlsx").as_posix()
    steps.append(Step("Compare the charting", step(Action.CHART_COMPARE)))
    steps.append(
        Step(
            "Consensus form (agreeing cells pre-filled)",
            step(Action.CHART_CONSENSUS, output=consensus_form.as_posix()),
        )
    )
    steps.append(
        Step(
            "Import the consensus charting",
            step(Action.CHART_IMPORT, file=consensus, reviewer="consensus"),
        )
    )
    steps.append(Step("Charting summary and gap map", step(Action.CHART_SUMMARY)))
    return steps


def _fulltext_steps(root: Path, who: str) -> list[Step]:
    """Attach the example's full texts (PDFs, an HTML page, a scan), which extracts their text,
    once records are eligible at full text; then `fulltext extract` finds them all in
    the cache. Skipped for an example without data/fulltexts."""
    folder = root / "data" / "fulltexts"
    if not folder.is_dir():
        return []
    return [
        Step("Attach the full texts", step(Action.FULLTEXT_ATTACH, dir=folder.as_posix(), by=who)),
        Step("Full-text extraction status", step(Action.FULLTEXT_EXTRACT)),
    ]


def _natural(path: Path) -> tuple[str, int, str]:
    """savedrecs.txt, savedrecs(1).txt, savedrecs(2).txt ... in that order."""
    import re

    m = re.match(r"^(.*?)(?:\((\d+)\))?(\.[^.]*)?$", path.name)
    if not m:
        return (path.name, 0, "")
    return (m.group(1), int(m.group(2) or 0), m.group(3) or "")


# Runs one step in the project; returns (exit code, stdout, stderr). The CLI passes one that
# calls the step's library function and prints what its command prints (review/cli/demo_steps.py).
Runner = Callable[[NextStep], tuple[int, str, str]]
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
    root: Path,
    steps: list[Step],
    runner: Runner,
    command: Render,
    on_step: OnStep | None = None,
) -> list[StepResult]:
    """Run ``steps`` in order with ``runner``; stop at the first failure (a ReviewError naming
    the step and its own message). The transcript goes to outputs/demo/commands.md, also when a
    step fails; ``command`` spells a step as the person would type it in the project folder."""
    results: list[StepResult] = []
    for i, s in enumerate(steps, start=1):
        if on_step:
            on_step(i - 1, len(steps), s.label)
        t0 = time.perf_counter()
        code, out, err = runner(s.step)
        results.append(StepResult(s, code, out, err, round(time.perf_counter() - t0, 2)))
        if code != 0:
            write_log(root, results, command)
            message = (err or out).strip()
            if message.startswith("Error:"):
                message = message[len("Error:") :].strip()
            raise ReviewError(
                f"demo step {i} failed ({command(s.step)}): {message or f'exit code {code}'} "
                f"The commands so far and their output are in {COMMANDS_LOG}."
            )
    if on_step:
        on_step(len(steps), len(steps), "done")
    write_log(root, results, command)
    return results


def write_log(root: Path, results: list[StepResult], command: Render) -> Path:
    """outputs/demo/commands.md: every step run, as ``command`` spells it, with its output."""
    lines = [
        f"# Commands run by {command(step(Action.DEMO, quoted=True))}",
        "",
        "Run in the demo project folder (each command also accepts `--project DIR`).",
    ]
    for i, r in enumerate(results, start=1):
        lines += ["", f"## {i}. {r.step.label}", "", "```console", f"$ {command(r.step.step)}"]
        lines += [line.rstrip() for line in r.out.rstrip().splitlines()]
        if r.code != 0:
            lines += [line.rstrip() for line in r.err.rstrip().splitlines()]
            lines.append(f"(exit code {r.code})")
        lines.append("```")
    path = Path(root) / COMMANDS_LOG
    atomic_write_text(path, "\n".join(lines) + "\n")
    return path


# The steps that rebuild outputs/ from the plain files (no new decisions): deleting outputs/
# and running them gives the same files (tests/test_demo.py, scripts/check_reproducible.py).
DERIVED_STEPS: tuple[NextStep, ...] = (
    step(Action.DEDUP),
    step(Action.DISAGREEMENTS, stage="title-abstract"),
    step(Action.DISAGREEMENTS, stage="full-text"),
    step(Action.CHART_COMPARE),
    step(Action.CHART_SUMMARY),
    step(Action.PRISMA),
    step(Action.REPORT),
    step(Action.REPORT_CHECKLIST),
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
