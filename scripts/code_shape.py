"""Check the shape of the code: no import cycles, no long functions, no long modules.

    python scripts/code_shape.py            # list every problem; exit 1 when there is one

- **Import cycles** between modules of ``review/`` (imports inside functions count too: a lazy
  import is still a dependency; ``if TYPE_CHECKING:`` imports do not). Importing a submodule
  ``from review.pkg import sub`` depends on ``review.pkg.sub``, not on the package's
  ``__init__``.
- **Functions** longer than ``MAX_FUNCTION`` lines (from ``def`` to the last line of the body,
  decorators and docstring included).
- **Modules** longer than ``MAX_MODULE`` lines, unless the module docstring gives the reason in
  a line starting ``Long module:``.

``tests/test_code_shape.py`` runs this, so it stays true.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

MAX_FUNCTION = 80
MAX_MODULE = 500
ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "review"


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Dotted module name -> path, for every module of the package."""
    out: dict[str, Path] = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", "")
            if name == "TYPE_CHECKING":
                for inner in node.body:
                    skip.update(id(n) for n in ast.walk(inner))
    return skip


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")[: -node.level] if node.level else []
    return ".".join([*base, *([node.module] if node.module else [])])


def imports_of(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules that ``module`` imports (outside ``if TYPE_CHECKING:``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    deps: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            deps.update(a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in known]
            if subs:
                deps.update(subs)
            if len(subs) < len(node.names) and target in known:
                deps.add(target)
    deps.discard(module)
    return deps


def import_cycles(root: Path = ROOT) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm, iterative)."""
    known = modules(root)
    graph = {m: sorted(imports_of(m, p, known)) for m, p in known.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            for j in range(i, len(graph[node])):
                nxt = graph[node][j]
                if nxt not in index:
                    work.append((node, j + 1))
                    work.append((nxt, 0))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                if low[node] == index[node]:
                    group = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        group.append(w)
                        if w == node:
                            break
                    if len(group) > 1:
                        cycles.append(sorted(group))
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
    return sorted(cycles)


def long_functions(root: Path = ROOT, limit: int = MAX_FUNCTION) -> Iterator[tuple[str, int]]:
    """``(path:line name, length)`` of every function longer than ``limit`` lines."""
    for path in modules(root).values():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                length = (node.end_lineno or node.lineno) - first + 1
                if length > limit:
                    yield f"{path.relative_to(root)}:{node.lineno} {node.name}", length


def long_modules(root: Path = ROOT, limit: int = MAX_MODULE) -> Iterator[tuple[str, int]]:
    """``(path, lines)`` of every module over ``limit`` lines without a ``Long module:``
    reason in its docstring."""
    for path in modules(root).values():
        text = path.read_text(encoding="utf-8")
        n = text.count("\n")
        doc = ast.get_docstring(ast.parse(text)) or ""
        if n > limit and "Long module:" not in doc:
            yield str(path.relative_to(root)), n


def main() -> int:
    problems = 0
    for group in import_cycles():
        print("import cycle:", " <-> ".join(group))
        problems += 1
    for where, n in long_functions():
        print(f"function over {MAX_FUNCTION} lines: {where} ({n} lines)")
        problems += 1
    for where, n in long_modules():
        print(f"module over {MAX_MODULE} lines without a 'Long module:' reason: {where} ({n})")
        problems += 1
    print(f"{problems} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
