"""Check a document against its Argo version's schema: kind, apiVersion, fields and types.

Each finding names the template (``template 'x'``) and the field inside it, with the
line where the field is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lab.argo.documents import ARGO_API_VERSION, WORKFLOW_KINDS, Document
from lab.argo.findings import Problem
from lab.argo.openapi import DEFAULT_VERSION, WF, Validator, definitions


def join(path: str, key: Any) -> str:
    """Extend a dotted field path by a key or a list index."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _where(document: Document, loc: tuple[Any, ...]) -> tuple[str, str]:
    """The context (``template 'x'``) and the field path inside it for a location."""
    prefix = (
        ("spec", "workflowSpec", "templates")
        if document.kind == "CronWorkflow"
        else ("spec", "templates")
    )
    if (
        len(loc) > len(prefix)
        and loc[: len(prefix)] == prefix
        and isinstance(loc[len(prefix)], int)
    ):
        index = loc[len(prefix)]
        template = document.spec.get("templates", [])[index]
        name = template.get("name") if isinstance(template, dict) else None
        context = f"template '{name}'" if isinstance(name, str) else f"templates[{index}]"
        rest = loc[len(prefix) + 1 :]
    else:
        context, rest = "", loc
    field = ""
    for key in rest:
        field = join(field, key)
    return context, field


def _line(document: Document, loc: tuple[Any, ...], missing: bool) -> int | None:
    """The line of the field at ``loc`` (for a missing field: of the mapping that lacks it)."""
    node, parent, last = document.raw, None, None
    for key in loc[:-1] if missing else loc:
        if isinstance(node, dict | list):
            parent, last = node, key
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                break
    if missing:
        return document.line(node) if isinstance(node, dict) else document.line(parent, last)
    return document.line(parent, last) if isinstance(parent, dict) else document.line(parent)


def check_schema(document: Document, version: str = DEFAULT_VERSION) -> Iterator[Problem]:
    """Problems of ``document`` against Argo ``version``'s schema: kind, unknown fields, types."""
    raw = document.raw
    if not isinstance(raw, dict):
        yield document.problem("", "not a mapping: expected an Argo resource with kind and spec")
        return
    kind = document.kind
    if kind not in WORKFLOW_KINDS:
        known = ", ".join(WORKFLOW_KINDS)
        yield document.problem(
            "", f"kind {raw.get('kind')!r} is not an Argo workflow kind ({known})"
        )
        return
    if raw.get("apiVersion") != ARGO_API_VERSION:
        got = raw.get("apiVersion")
        message = f"apiVersion is {got!r}, expected {ARGO_API_VERSION!r}"
        yield document.problem("", message, document.line(raw, "apiVersion"))
    found: list[Problem] = []

    def report(loc: tuple[Any, ...], message: str, missing: bool) -> None:
        context, field = _where(document, loc)
        line = _line(document, loc, missing)
        if message == "unknown field":
            text = f"unknown field '{field}'"
        else:
            text = f"field '{field}': {message}" if field else message
        found.append(document.problem(context, text, line))

    Validator(definitions(version), report).check_named(raw, WF + kind, ())
    yield from found
