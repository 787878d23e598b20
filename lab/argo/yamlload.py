"""Parse Argo YAML safely: mappings remember their lines; duplicate keys, alias bombs refused.

Argo decodes YAML with go-yaml, which rejects a key written twice in one mapping and
"excessive aliasing". PyYAML shares the object behind an alias, so loading a "billion
laughs" document is cheap, but every walk over it is not: each nesting level multiplies
the work. So before a document is built, its node graph is measured as if every alias
were expanded, and one that would exceed ``MAX_EXPANDED_NODES`` is refused.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import yaml

#: Nodes a document may have once its aliases are expanded (ours have a few hundred).
MAX_EXPANDED_NODES = 100_000


class LineDict(dict):
    """A YAML mapping that knows the line of each of its keys (1-based)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int | None:
        """The line where ``key`` is written, if known."""
        return getattr(self, "key_lines", {}).get(key) or self.line or None


class AliasBombError(yaml.YAMLError):
    """Raised when aliases would expand a document beyond ``MAX_EXPANDED_NODES`` nodes."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = mark


def expanded_size(root: yaml.Node, limit: int = MAX_EXPANDED_NODES) -> int:
    """How many nodes ``root`` has with every alias expanded; stops counting past ``limit``.

    Raises:
        AliasBombError: the expansion exceeds ``limit``, or an alias refers to itself.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        children = _children(node)
        if not children_done:
            if key in active:
                raise AliasBombError(
                    "an alias refers to the node that contains it", node.start_mark
                )
            active.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        if any(id(child) not in sizes for child in children):  # a child is its own ancestor
            raise AliasBombError("an alias refers to the node that contains it", node.start_mark)
        active.discard(key)
        sizes[key] = min(limit + 1, 1 + sum(sizes[id(child)] for child in children))
        if sizes[key] > limit and len(sizes) > limit // 2:  # mostly written out, not aliased
            raise AliasBombError(
                f"the document has more than {limit} nodes: far more than a workflow needs",
                node.start_mark,
            )
        if sizes[key] > limit:
            raise AliasBombError(
                f"aliases expand this document to more than {limit} nodes (an alias bomb?); "
                "Argo's YAML decoder refuses excessive aliasing too: write the values out",
                node.start_mark,
            )
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    """The nodes directly inside ``node`` (keys and values of a mapping)."""
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


# libyaml's parser when PyYAML has it: ten times faster, and its marks carry the same lines.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ArgoLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """PyYAML's safe loader with Argo's strictness: duplicate keys and alias bombs are errors."""

    def construct_document(self, node: yaml.Node) -> Any:
        """Measure the expanded document first, then build it."""
        expanded_size(node)
        return super().construct_document(node)


def _construct_mapping(loader: ArgoLoader, node: yaml.MappingNode) -> LineDict:
    """Build a LineDict from a mapping node, rejecting keys written twice."""
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                "found a key that is not a scalar",
                key_node.start_mark,
            )
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                f"duplicate key {key!r} (first written on line {seen[key]})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line + 1
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


ArgoLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_documents(text: str) -> list[Any]:
    """Every non-empty document of ``text``, as Argo would read them.

    Raises:
        yaml.YAMLError: the text is not valid YAML, repeats a key, or aliases too much
            (``problem`` and ``problem_mark`` say what and where).
    """
    try:
        return [doc for doc in yaml.load_all(text, Loader=ArgoLoader) if doc is not None]
    except RecursionError:
        raise yaml.YAMLError("the YAML nests too deeply to be read") from None
