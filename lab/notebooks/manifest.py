"""Read snippets/notebooks.yaml: the snippet files of each notebook and of index.md, in order.

    notebooks:
      01_setup_training_env: [frontmatter_python.md, 01_setup_training_env.md]
    index: [01_setup_training_env.md]

Snippet paths are relative to snippets/; notebook NAME is written to notebooks/NAME.ipynb.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from lab.notebooks.errors import ManifestError

MANIFEST = Path("snippets/notebooks.yaml")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Manifest:
    """Each notebook's name and snippet files, and the snippet files of index.md."""

    notebooks: dict[str, list[Path]]
    index: list[Path]


def load_manifest(root: Path) -> Manifest:
    """Read and check the manifest; errors name its file and line."""
    path = root / MANIFEST
    shown = MANIFEST.as_posix()
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=_Loader)
    except FileNotFoundError:
        raise ManifestError(shown, "no manifest: list each notebook's snippets here") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{shown}:{mark.line + 1}" if mark else shown
        raise ManifestError(where, f"bad YAML: {getattr(exc, 'problem', exc)}") from None
    top = _mapping(node, shown, "the manifest")
    unknown = sorted(set(top) - {"notebooks", "index"})
    if unknown or "notebooks" not in top or "index" not in top:
        raise ManifestError(f"{shown}:1", f"need exactly the keys notebooks: and index: {unknown}")
    notebooks = {}
    for name, (key_node, files) in _mapping(top["notebooks"][1], shown, "notebooks:").items():
        if not _NAME.match(name):
            raise ManifestError(_at(shown, key_node), f"bad notebook name {name!r}")
        notebooks[name] = _files(files, root, shown)
    return Manifest(notebooks, _files(top["index"][1], root, shown))


def _at(shown: str, node: yaml.Node) -> str:
    """`file:line` of a node."""
    return f"{shown}:{node.start_mark.line + 1}"


def _mapping(
    node: yaml.Node | None, shown: str, what: str
) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """A mapping node's entries by key text."""
    if not isinstance(node, yaml.MappingNode):
        raise ManifestError(_at(shown, node) if node else shown, f"{what} must be a mapping")
    return {str(k.value): (k, v) for k, v in node.value}


def _files(node: yaml.Node, root: Path, shown: str) -> list[Path]:
    """A list of existing snippet files under snippets/."""
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise ManifestError(_at(shown, node), "expected a non-empty list of snippet files")
    files = []
    for item in node.value:
        name = item.value if isinstance(item, yaml.ScalarNode) else None
        path = root / "snippets" / str(name)
        if not name or ".." in Path(name).parts or Path(name).is_absolute():
            raise ManifestError(_at(shown, item), f"{name!r} must be a file name under snippets/")
        if not path.is_file():
            raise ManifestError(_at(shown, item), f"snippets/{name} does not exist")
        files.append(path)
    return files
