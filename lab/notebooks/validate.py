"""Validate a built notebook as `nbformat.validate` does, without its import cost when it passes.

`nbformat.validate` judges a notebook with the validator fastjsonschema compiles from
nbformat's schema file. Importing nbformat (which imports jsonschema) and compiling that
validator take about a quarter of a second, more than building every notebook. So this
module compiles the same validator from the same file itself and keeps the compiled code
beside its own bytecode in `__pycache__`, named by the schema's sha256, fastjsonschema's
version and Python's, so a later build loads it in a millisecond. A notebook it rejects is
judged again by `nbformat.validate`, whose message (from jsonschema) names the field.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import marshal
import sys
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from types import CodeType
from typing import Any

from lab.notebooks.assemble import CellSpec
from lab.notebooks.errors import NotebookInvalidError
from lab.notebooks.write import atomic_write

#: The schema of the notebooks we write, inside the nbformat package (nbformat.v4.nbformat_schema).
SCHEMA = Path("v4") / "nbformat.v4.5.schema.json"


def validate(nb: dict[str, Any], cells: Sequence[CellSpec], name: str) -> None:
    """`nbformat.validate`, with the error pinned to the cell's source line when it is a cell's."""
    check = schema_check()
    if check is not None and check(nb):
        return
    import nbformat  # only for a notebook the quick check rejects, or without fastjsonschema

    try:
        nbformat.validate(nbformat.from_dict(nb))  # from_dict copies: validate may normalise
    except nbformat.ValidationError as exc:
        path = list(getattr(exc, "absolute_path", []))
        if len(path) >= 2 and path[0] == "cells" and isinstance(path[1], int):
            field_path = ".".join(str(p) for p in path[2:]) or "cell"
            where = cells[path[1]].origin
            raise NotebookInvalidError(where, f"invalid cell {field_path}: {exc.message}") from None
        raise NotebookInvalidError(name, f"invalid notebook: {exc.message}") from None


@cache
def schema_check() -> Callable[[Any], bool] | None:
    """Whether a notebook passes nbformat's own fastjsonschema validator; None if not installed."""
    try:
        import fastjsonschema
    except ImportError:
        return None
    spec = importlib.util.find_spec("nbformat")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    schema_file = Path(next(iter(spec.submodule_search_locations))) / SCHEMA
    try:
        schema = schema_file.read_bytes()
    except FileNotFoundError:
        return None
    namespace: dict[str, Any] = {}
    exec(_compiled(schema, schema_file), namespace)
    validator = namespace["validate"]

    def check(nb: Any) -> bool:
        try:
            validator(nb)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return check


def cache_path(schema: bytes, fastjsonschema_version: str) -> Path:
    """Where the compiled validator for `schema` is kept, beside this module's bytecode."""
    key = hashlib.sha256(schema + b"\0" + fastjsonschema_version.encode()).hexdigest()[:16]
    tag = sys.implementation.cache_tag
    return Path(importlib.util.cache_from_source(__file__)).with_name(
        f"nbformat-schema.{key}.{tag}.marshal"
    )


def _compiled(schema: bytes, schema_file: Path) -> CodeType:
    """The code object of fastjsonschema's validator for `schema`, from the cache if there."""
    import fastjsonschema

    cached = cache_path(schema, fastjsonschema.VERSION)
    try:
        code = marshal.loads(cached.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        code = None  # not made yet, or unreadable: compile it again
    if isinstance(code, CodeType):
        return code
    source = fastjsonschema.compile_to_code(json.loads(schema))
    code = compile(source, str(schema_file), "exec")
    if not sys.dont_write_bytecode:  # the same switch as Python's own bytecode cache
        # A read-only install compiles each time, as Python does with its bytecode.
        with contextlib.suppress(OSError):
            atomic_write(cached, marshal.dumps(code))
    return code
