"""The helper package's shape: no import cycles (type-only imports included), small modules."""

from __future__ import annotations

import ast
from pathlib import Path

from lab.argo.depends import find_cycle

LAB = Path(__file__).resolve().parents[2] / "lab"
MAX_LINES = 300
# Known to be larger, owned by another room: split them there, then drop them from here.
KNOWN_LARGE: set[str] = set()


def module_name(path: Path) -> str:
    """``lab/rehearsal/engine.py`` → ``lab.rehearsal.engine`` (``__init__`` → the package)."""
    parts = list(path.relative_to(LAB.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(LAB.rglob("*.py"))}


def imports(path: Path, known: set[str]) -> set[str]:
    """Every ``lab`` module a file imports, anywhere in it (``TYPE_CHECKING`` blocks too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in known else node.module)
    return {name for name in found if name in known}


def test_no_import_cycles_not_even_through_type_only_imports() -> None:
    known = modules()
    graph = {name: sorted(imports(path, set(known)) - {name}) for name, path in known.items()}
    assert find_cycle(graph) == []


def test_the_cycle_finder_sees_a_type_only_cycle(tmp_path: Path) -> None:
    a = tmp_path / "a.py"
    a.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from lab.b import X\n")
    assert imports(a, {"lab.b"}) == {"lab.b"}
    assert find_cycle({"lab.a": ["lab.b"], "lab.b": ["lab.a"]}) == ["lab.a", "lab.b", "lab.a"]


def test_no_module_is_over_300_lines() -> None:
    sizes = {name: len(p.read_text().splitlines()) for name, p in modules().items()}
    assert {name: n for name, n in sizes.items() if n > MAX_LINES}.keys() <= KNOWN_LARGE
