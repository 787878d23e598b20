"""Expand include blocks: show a real file, or one named part of it, as a fenced code block.

Syntax, inside a cell: a fenced code block with an attribute block and an empty body::

    ```{.python include="train/gourmetgram_train/flow.py" part="train_model"}
    ```

`part` names a top-level function or class (decorators included) or `Class.method` in a
.py file, or an item of `spec.templates` by `name` in a .yaml file; `lines="A-B"` takes
lines A to B instead. The class is optional; by default it comes from the file's name.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from lab.notebooks.attributes import Attributes, parse_attributes
from lab.notebooks.errors import IncludeError, SourceError
from lab.notebooks.source import read_text, resolve_in_repo
from lab.notebooks.tracked import IncludePolicy, NotIncludableError, include_policy

_KEYS = frozenset({"include", "part", "lines"})
_BACKTICKS = re.compile("`+")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: The language a fence gets from the included file's suffix (or name).
LANGUAGES = {
    ".py": "python",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".sh": "bash",
    ".txt": "text",
    ".toml": "toml",
    ".json": "json",
    "Dockerfile": "dockerfile",
}


@dataclass(frozen=True)
class Included:
    """The text an include shows (ending in a newline) and the language of its fence."""

    text: str
    language: str


def include_attributes(info: str, where: object) -> Attributes | None:
    """The attributes of a fence's info string if it is an include block, else None."""
    info = info.strip()
    if not info.startswith("{") or "include" not in info:
        return None
    try:
        attrs = parse_attributes(info)
    except ValueError as exc:
        raise IncludeError(where, f"bad include attributes: {exc}") from None
    if attrs.get("include") is None:
        return None
    unknown = sorted(set(attrs.keys()) - _KEYS)
    if unknown:
        raise IncludeError(where, f"unknown include attribute(s) {unknown}: use part= or lines=")
    if attrs.get("part") is not None and attrs.get("lines") is not None:
        raise IncludeError(where, "give part= or lines=, not both")
    return attrs


def resolve_include(
    attrs: Attributes, root: Path, where: object, policy: IncludePolicy | None = None
) -> Included:
    """Read what an include block names; errors name the snippet's file and line.

    Only files that `policy` allows (by default: git's tracked files, see tracked.py) are
    read, and only up to source.MAX_TEXT_BYTES.
    """
    name = attrs.get("include") or ""
    try:
        path = resolve_in_repo(root, name)
    except ValueError as exc:
        raise IncludeError(where, f"include {exc}") from None
    if not path.is_file():
        raise IncludeError(where, f"include file {name!r} does not exist")
    try:
        (policy or include_policy(root)).check(path)
        text = read_text(path, name)
    except NotIncludableError as exc:
        raise IncludeError(where, f"include {exc}") from None
    except SourceError as exc:
        raise IncludeError(where, f"include {exc}") from None
    part, lines = attrs.get("part"), attrs.get("lines")
    try:
        if lines is not None:
            text = _lines(text, lines)
        elif part is not None:
            text = _part(text, part, path)
    except LookupError as exc:
        raise IncludeError(where, f"{name}: {exc.args[0]}") from None
    if not text.strip():
        raise IncludeError(where, f"include {name!r} shows nothing")
    language = attrs.classes[0] if attrs.classes else _language(path)
    return Included(text if text.endswith("\n") else text + "\n", language)


def fence_lines(included: Included, prefix: str = "") -> list[str]:
    """The lines of a fenced block showing `included`, fence longer than any backtick run."""
    longest = max(map(len, _BACKTICKS.findall(included.text)), default=0)
    fence = "`" * max(3, longest + 1)
    lines = [fence + included.language, *included.text[:-1].split("\n"), fence]
    return [prefix + line if line else prefix.rstrip() for line in lines]


def _language(path: Path) -> str:
    """The fence language for a file, from its name or suffix; '' when unknown."""
    if path.name.startswith("Dockerfile"):
        return LANGUAGES["Dockerfile"]
    return LANGUAGES.get(path.suffix.lower(), "")


def _lines(text: str, spec: str) -> str:
    """Lines A-B (1-based, inclusive) of `text`."""
    first, _, last = spec.partition("-")
    all_lines = text.split("\n")
    if text.endswith("\n"):
        all_lines.pop()
    try:
        start, end = int(first), int(last or first)
    except ValueError:
        raise LookupError(f"lines={spec!r} must look like '12-30'") from None
    if not 1 <= start <= end <= len(all_lines):
        raise LookupError(f"lines={spec!r} is outside 1-{len(all_lines)}")
    return "\n".join(all_lines[start - 1 : end]) + "\n"


def _part(text: str, part: str, path: Path) -> str:
    """The named part of a Python or YAML file."""
    if path.suffix == ".py":
        return _python_part(text, part)
    if path.suffix in (".yaml", ".yml"):
        return _template_part(text, part)
    raise LookupError("part= works for .py and .yaml files; use lines= for others")


def _python_part(text: str, part: str) -> str:
    """A top-level function or class (with its decorators), or `Class.method`, dedented."""
    body = _python_tree(text).body
    node: ast.stmt | None = None
    for name in part.split("."):
        defs = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        found = {n.name: n for n in body if isinstance(n, defs)}
        if name not in found:
            where = f"class {node.name}" if isinstance(node, ast.ClassDef) else "the top level"
            have = ", ".join(found) or "none"
            raise LookupError(f"no function or class {name!r} at {where} (there: {have})")
        node = found[name]
        body = node.body if isinstance(node, ast.ClassDef) else []
    assert node is not None and node.end_lineno is not None
    start = min([node.lineno, *(d.lineno for d in node.decorator_list)])  # type: ignore[attr-defined]
    lines = text.split("\n")[start - 1 : node.end_lineno]
    return textwrap.dedent("\n".join(lines) + "\n")


def _template_part(text: str, part: str) -> str:
    """The `spec.templates` item named `part`, as written in the file, dedented."""
    names: list[str] = []
    for doc in _yaml_nodes(text):
        for item in _templates(doc):
            name = _get(item, "name")
            if name is None:
                continue
            names.append(str(name.value))
            if name.value == part:
                return _node_text(text, item)
    raise LookupError(
        f"no spec.templates item named {part!r} (there: {', '.join(names) or 'none'})"
    )


@lru_cache(maxsize=16)
def _python_tree(text: str) -> ast.Module:
    """The parsed module, once per build for a file quoted several times."""
    try:
        return ast.parse(text)
    except SyntaxError as exc:
        raise LookupError(f"line {exc.lineno}: cannot parse Python: {exc.msg}") from None


@lru_cache(maxsize=16)
def _yaml_nodes(text: str) -> tuple[yaml.Node, ...]:
    """The composed YAML documents, once per build for a file quoted several times."""
    try:
        return tuple(yaml.compose_all(text, Loader=_Loader))
    except yaml.YAMLError as exc:
        raise LookupError(f"cannot parse YAML: {exc}") from None


def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value node under `key` of a mapping node, or None."""
    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return v
    return None


def _templates(doc: yaml.Node | None) -> list[yaml.Node]:
    """The item nodes of `spec.templates`."""
    templates = _get(_get(doc, "spec"), "templates")
    return list(templates.value) if isinstance(templates, yaml.SequenceNode) else []


def _node_text(text: str, node: yaml.Node) -> str:
    """The source lines a block node spans (from its `- ` line), without trailing comments."""
    lines = text.split("\n")
    mark = node.end_mark
    # A block node ends where the next token starts; a flow node ends inside its last line.
    end = mark.line + (1 if lines[mark.line][: mark.column].strip() else 0)
    chosen = lines[node.start_mark.line : end]
    while chosen and (not chosen[-1].strip() or chosen[-1].lstrip().startswith("#")):
        chosen.pop()
    return textwrap.dedent("\n".join(chosen) + "\n")
