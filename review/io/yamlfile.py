"""The one YAML loader of the project: every YAML file `review` reads goes through :func:`load_yaml`.

A YAML file is a git-tracked file any teammate edits, so it is read defensively:

- **Text**: UTF-8 (a BOM is allowed); any other encoding (a stray 0xFF byte, UTF-16 with its BOM)
  is refused with the line and what to do, never a traceback.
- **Aliases**: an anchor may be referred to (``*name``), but the document as the program sees it,
  every alias expanded, may hold at most :data:`MAX_NODES` nodes. A "billion laughs" file of a
  few hundred bytes (10⁹ references) is refused before anything walks it.
- **Depth**: at most :data:`MAX_DEPTH` levels of nesting (500 levels would overflow Python's
  stack in the loader).
- **Duplicate keys**: a key given twice in one mapping (two top-level ``stages:`` after a
  careless merge) is refused with both lines; plain PyYAML keeps the last one silently.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from review.errors import InputError

MAX_DEPTH = 100
MAX_NODES = 200_000
MAX_ALIASES = 10_000


def decode_yaml(raw: bytes, path: Path | str) -> str:
    """The text of a YAML file's bytes; refuse anything that is not UTF-8 with a message."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in raw:
        raise InputError(
            "saved as UTF-16 (or UTF-32: it holds NUL bytes), not UTF-8. Save it as UTF-8 (in most editors: Save As… → "
            "Encoding: UTF-8) and run the command again.",
            file=str(path),
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02X} at byte {exc.start}). Save the file "
            "as UTF-8 and run the command again.",
            file=str(path),
            line=line,
        ) from None


def _loader_class() -> type:
    import yaml

    class _Loader(yaml.SafeLoader):
        """SafeLoader that counts depth and aliases while composing."""

        def __init__(self, stream: str) -> None:
            super().__init__(stream)
            self.review_depth = 0
            self.review_aliases = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                self.review_aliases += 1
                if self.review_aliases > MAX_ALIASES:
                    mark = self.peek_event().start_mark
                    raise _Refused(mark.line + 1, f"more than {MAX_ALIASES:,} aliases (*name)")
            self.review_depth += 1
            try:
                if self.review_depth > MAX_DEPTH:
                    mark = self.peek_event().start_mark
                    raise _Refused(mark.line + 1, f"nested more than {MAX_DEPTH} levels deep")
                return super().compose_node(parent, index)
            finally:
                self.review_depth -= 1

    return _Loader


class _Refused(Exception):
    def __init__(self, line: int, what: str) -> None:
        super().__init__(what)
        self.line = line
        self.what = what


def _check_graph(root: Any) -> None:
    """Refuse an expansion over MAX_NODES nodes and duplicate keys (iterative, memoised)."""
    import yaml

    size: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in size:
            continue
        children: list[Any] = []
        if isinstance(node, yaml.MappingNode):
            if not done:
                _check_keys(node)
            for k, v in node.value:
                children += [k, v]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        if done or not children:
            total = 1 + sum(size[id(c)] for c in children)
            if total > MAX_NODES:
                raise _Refused(
                    root.start_mark.line + 1,
                    f"its aliases expand to more than {MAX_NODES:,} values (an alias bomb?)",
                )
            size[id(node)] = total
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in size)


def _check_keys(node: Any) -> None:
    import yaml

    seen: dict[tuple[str, str], int] = {}
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
            continue
        ident = (key.tag, key.value)
        line = key.start_mark.line + 1
        if ident in seen:
            raise _Refused(
                line,
                f"key {key.value!r} is given twice (also on line {seen[ident]}); "
                "keep one (a merge may have doubled it)",
            )
        seen[ident] = line


def compose_yaml(text: str, path: Path | str) -> Any:
    """The checked node tree of ``text`` (or None for an empty document)."""
    import yaml

    try:
        loader = _loader_class()(text)  # checks the characters (ReaderError)
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML ({exc}). Fix the file.", file=str(path)) from None
    try:
        root = loader.get_single_node()
        if root is not None:
            _check_graph(root)
        return root
    except _Refused as exc:
        raise InputError(f"{exc.what}. Fix the file.", file=str(path), line=exc.line) from None
    except yaml.YAMLError as exc:
        raise _not_yaml(exc, path) from None
    finally:
        loader.dispose()


def _not_yaml(exc: Exception, path: Path | str) -> InputError:
    """PyYAML's error as our message, with the line where PyYAML found the problem."""
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or exc
    return InputError(f"not valid YAML ({problem}). Fix the file.", file=str(path), line=line)


def load_yaml(data: bytes | str, path: Path | str) -> Any:
    """The Python value of a YAML document, checked as the module docstring says."""
    import yaml

    text = decode_yaml(data, path) if isinstance(data, bytes) else data.lstrip("\ufeff")
    root = compose_yaml(text, path)
    if root is None:
        return None
    loader = _loader_class()("")
    try:
        return loader.construct_document(root)
    except yaml.YAMLError as exc:
        raise _not_yaml(exc, path) from None
    finally:
        loader.dispose()


def read_yaml(path: Path) -> Any:
    """Read and load the YAML file ``path`` (see :func:`load_yaml`)."""
    return load_yaml(Path(path).read_bytes(), path)


def edit_section(text: str, section: str, changes: dict[str, Any], comment: str = "") -> str:
    """``text`` (a YAML mapping) with ``section.key: value`` set for each of ``changes``; every
    comment, key order, quote and line of the rest kept (a ruamel.yaml round trip). A missing
    section is added at the end with ``comment`` beside its key; an empty one is filled. Raises
    InputError when the text is not a mapping or the section is not one."""
    from io import StringIO

    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError

    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 4096  # never re-wrap a long line
    rt.indent(mapping=2, sequence=4, offset=2)
    try:
        doc = rt.load(text)
    except YAMLError as exc:
        raise InputError(f"not YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(doc, CommentedMap):
        raise InputError("not a mapping of settings")
    block, new = doc.get(section), section not in doc
    if not isinstance(block, CommentedMap):
        if block not in (None, {}):
            raise InputError(f"'{section}' is not a mapping")
        block = doc[section] = CommentedMap()
        if new and comment:
            doc.yaml_add_eol_comment(comment, section, column=len(section) + 3)
    block.update(changes)
    out = StringIO()
    rt.dump(doc, out)
    return out.getvalue()
