"""Assemble cells into an nbformat 4.5 notebook, validate it, and serialise it like Jupyter."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import nbformat
from nbformat.v4.nbjson import writes as _writes_v4

from lab.notebooks.errors import NotebookInvalidError, SnippetSyntaxError
from lab.notebooks.frontmatter import NBFORMAT

_CELL_ID = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")


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


def assemble(name: str, cells: list[CellSpec], metadata: dict[str, Any]) -> nbformat.NotebookNode:
    """A validated notebook of `cells`; ids come from the cell or from (name, index)."""
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
    nb = nbformat.from_dict(
        {"cells": nodes, "metadata": metadata, "nbformat": major, "nbformat_minor": minor}
    )
    _validate(nb, cells, name)
    return nb


def serialise(nb: nbformat.NotebookNode) -> bytes:
    """The notebook's JSON as Jupyter writes it: indent 1, sorted keys, UTF-8, final newline."""
    return (_writes_v4(nb) + "\n").encode("utf-8")


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


def _validate(nb: nbformat.NotebookNode, cells: list[CellSpec], name: str) -> None:
    """`nbformat.validate`, with the error pinned to the cell's source line when it is a cell's."""
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        path = list(getattr(exc, "absolute_path", []))
        if len(path) >= 2 and path[0] == "cells" and isinstance(path[1], int):
            field_path = ".".join(str(p) for p in path[2:]) or "cell"
            where = cells[path[1]].origin
            raise NotebookInvalidError(where, f"invalid cell {field_path}: {exc.message}") from None
        raise NotebookInvalidError(name, f"invalid notebook: {exc.message}") from None
