"""Split the YAML frontmatter off a snippet and turn its `jupyter:` block into notebook metadata."""

from __future__ import annotations

import json
from typing import Any

import yaml

from lab.notebooks.errors import FrontmatterError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: The nbformat version every built notebook has (4.5: cells carry ids).
NBFORMAT = (4, 5)


def split_frontmatter(lines: list[str], shown: str) -> tuple[dict[str, Any], dict[str, int], int]:
    """Read a `---` ... `---` block at the top of a file.

    Returns:
        The frontmatter mapping ({} when there is none), the line number of each top-level
        key, and the index of the first body line.
    """
    if not lines or lines[0].rstrip() != "---":
        return {}, {}, 0
    for end in range(1, len(lines)):
        if lines[end].rstrip() in ("---", "..."):
            break
    else:
        raise FrontmatterError(f"{shown}:1", "frontmatter opened with '---' is never closed")
    text = "\n".join(lines[1:end]) + "\n"
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 2 if mark else 1
        problem = getattr(exc, "problem", None) or exc
        raise FrontmatterError(f"{shown}:{line}", f"bad frontmatter: {problem}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise FrontmatterError(f"{shown}:2", "frontmatter must be a mapping (key: value)")
    key_lines = {str(k.value): k.start_mark.line + 2 for k, _ in node.value} if node else {}
    return data, key_lines, end + 1


def notebook_metadata(frontmatter: dict[str, Any], where: object) -> dict[str, Any]:
    """The notebook metadata that pandoc takes from `jupyter:` (all but the nbformat keys)."""
    jupyter = frontmatter.get("jupyter", {})
    if not isinstance(jupyter, dict):
        raise FrontmatterError(where, "'jupyter:' must be a mapping (kernelspec:, language_info:)")
    metadata = {k: v for k, v in jupyter.items() if k not in ("nbformat", "nbformat_minor")}
    if jupyter.get("nbformat", NBFORMAT[0]) != NBFORMAT[0]:
        raise FrontmatterError(where, f"nbformat must be 4, got {jupyter['nbformat']!r}")
    minor = jupyter.get("nbformat_minor", NBFORMAT[1])
    if not isinstance(minor, int) or not 0 <= minor <= NBFORMAT[1]:
        raise FrontmatterError(where, f"nbformat_minor must be 0..5 (we write 4.5), got {minor!r}")
    for key, required in (("kernelspec", ("name", "display_name")), ("language_info", ("name",))):
        value = metadata.get(key)
        if value is None:
            continue
        if not isinstance(value, dict) or not all(isinstance(value.get(r), str) for r in required):
            needs = " and ".join(required)
            raise FrontmatterError(where, f"jupyter.{key} must be a mapping with {needs} (text)")
    try:
        json.dumps(metadata, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise FrontmatterError(where, f"jupyter: values must be plain JSON data ({exc})") from None
    return metadata
