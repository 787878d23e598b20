"""Assemble cells into an nbformat 4.5 notebook and serialise it as Jupyter does.

The notebook is plain dicts in nbformat's shape, and `serialise` writes the bytes
`nbformat.writes` would, so building needs no nbformat (lab.notebooks.validate checks it).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from lab.notebooks.errors import SnippetSyntaxError
from lab.notebooks.frontmatter import NBFORMAT

_CELL_ID = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")
# What nbformat's writer drops as transient (nbformat.v4.rwbase.strip_transient).
_TRANSIENT_NOTEBOOK_KEYS = ("orig_nbformat", "orig_nbformat_minor", "signature")
_TRANSIENT_CELL_KEYS = ("trusted",)


@dataclass
class CellSpec:
    """One cell to assemble, with the source line it came from (for errors)."""

    kind: str
    source: str
    origin: object
    metadata: dict[str, Any] = field(default_factory=dict)
    cell_id: str = ""
    execution_count: int | None = None


def cell_id(notebook: str, index: int) -> str:
    """A stable id for cell `index` of `notebook`, so rebuilding gives the same bytes."""
    return hashlib.sha256(f"{notebook}/{index}".encode()).hexdigest()[:8]


def assemble(name: str, cells: list[CellSpec], metadata: dict[str, Any]) -> dict[str, Any]:
    """The notebook of `cells` as nbformat's dict; ids come from the cell or (name, index)."""
    nodes, seen = [], {}
    for index, cell in enumerate(cells):
        ident = cell.cell_id or cell_id(name, index)
        if not _CELL_ID.match(ident):
            raise SnippetSyntaxError(
                cell.origin, f"cell id {ident!r} must be 1-64 of a-z A-Z 0-9 - _"
            )
        if ident in seen:
            raise SnippetSyntaxError(
                cell.origin, f"cell id {ident!r} is already used at {seen[ident]}"
            )
        seen[ident] = cell.origin
        nodes.append(_cell(cell, ident))
    major, minor = NBFORMAT
    return {"cells": nodes, "metadata": metadata, "nbformat": major, "nbformat_minor": minor}


def serialise(nb: dict[str, Any]) -> bytes:
    """The notebook's JSON as Jupyter writes it: indent 1, sorted keys, UTF-8, final newline.

    The same bytes as `nbformat.writes`: sources split into lines, transient keys dropped.
    """
    metadata = {k: v for k, v in nb["metadata"].items() if k not in _TRANSIENT_NOTEBOOK_KEYS}
    cells = [
        {
            **cell,
            "metadata": {
                k: v for k, v in cell["metadata"].items() if k not in _TRANSIENT_CELL_KEYS
            },
            "source": cell["source"].splitlines(True),
        }
        for cell in nb["cells"]
    ]
    text = json.dumps(
        {**nb, "cells": cells, "metadata": metadata},
        indent=1,
        sort_keys=True,
        separators=(",", ": "),
        ensure_ascii=False,
    )
    return (text + "\n").encode("utf-8")


def _cell(cell: CellSpec, ident: str) -> dict[str, Any]:
    """The nbformat dict for one cell (validated with the whole notebook, not one by one)."""
    node: dict[str, Any] = {
        "cell_type": cell.kind,
        "id": ident,
        "metadata": cell.metadata,
        "source": cell.source,
    }
    if cell.kind == "code":
        node.update(execution_count=cell.execution_count, outputs=[])
    return node
