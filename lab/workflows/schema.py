"""Validate documents against Argo's schema (hera's generated models), strictly.

hera's models check types but ignore unknown fields; Argo decodes strictly and rejects
them. So the raw YAML is first walked against the models' fields (by their JSON names,
recursively) to report unknown fields, then validated with pydantic for types.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from typing import Any

import pydantic
from hera.workflows import models as m
from pydantic import BaseModel, RootModel

from lab.workflows.documents import ARGO_API_VERSION, Document, LineDict

MODELS: dict[str, type[BaseModel]] = {
    "Workflow": m.Workflow,
    "WorkflowTemplate": m.WorkflowTemplate,
    "ClusterWorkflowTemplate": m.ClusterWorkflowTemplate,
    "CronWorkflow": m.CronWorkflow,
}

# Argo's AnyString fields accept numbers and booleans and keep them as text.
ANY_STRING_FIELDS = {(m.Parameter, "value"), (m.Parameter, "default"), (m.ValueFrom, "default")}
ANY_STRING_LISTS = {(m.Parameter, "enum")}


def _json_names(model: type[BaseModel]) -> dict[str, tuple[str, Any]]:
    """Map each JSON name of ``model`` to ``(python name, annotation)``."""
    return {
        (info.alias or name): (name, info.annotation) for name, info in model.model_fields.items()
    }


def _as_any_string(value: Any) -> Any:
    """Numbers and booleans as Argo's AnyString keeps them; anything else unchanged."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def _candidates(annotation: Any) -> list[Any]:
    """The alternatives of an annotation, without ``Annotated`` wrappers and ``None``."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _candidates(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        found: list[Any] = []
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                found.extend(_candidates(arg))
        return found
    return [annotation]


def _pick(value: Any, annotation: Any) -> Any:
    """The alternative of ``annotation`` that fits the shape of ``value``."""
    options = _candidates(annotation)
    for option in options:
        origin = typing.get_origin(option)
        if isinstance(value, dict) and (
            origin is dict or (isinstance(option, type) and issubclass(option, BaseModel))
        ):
            return option
        if isinstance(value, list) and origin is list:
            return option
    return options[0] if options else Any


def _join(path: str, key: str | int) -> str:
    """Extend a dotted field path by a key or a list index."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def normalise(value: Any, annotation: Any, path: str, unknown: list[tuple[str, Any, str]]) -> Any:
    """Copy ``value`` with AnyString fields as text; append unknown fields to ``unknown``.

    Each unknown field is recorded as ``(path, parent mapping, key)``.
    """
    option = _pick(value, annotation)
    origin = typing.get_origin(option)
    if origin is list and isinstance(value, list):
        (item,) = typing.get_args(option) or (Any,)
        return [normalise(v, item, _join(path, i), unknown) for i, v in enumerate(value)]
    if origin is dict and isinstance(value, dict):
        args = typing.get_args(option)
        item = args[1] if len(args) == 2 else Any
        return {k: normalise(v, item, _join(path, k), unknown) for k, v in value.items()}
    if not isinstance(option, type):
        return value
    if issubclass(option, RootModel):
        root = option.model_fields["root"].annotation
        if root is str:  # e.g. resource quantities: `cpu: 1` means "1"
            return _as_any_string(value)
        return normalise(value, root, path, unknown)
    if issubclass(option, BaseModel) and isinstance(value, dict):
        fields = _json_names(option)
        result = {}
        for key, item in value.items():
            if key not in fields:
                unknown.append((_join(path, key), value, key))
                continue
            name, field_annotation = fields[key]
            if (option, name) in ANY_STRING_FIELDS:
                item = _as_any_string(item)
            elif (option, name) in ANY_STRING_LISTS and isinstance(item, list):
                item = [_as_any_string(v) for v in item]
            result[key] = normalise(item, field_annotation, _join(path, key), unknown)
        return result
    return value


def _where(document: Document, path: str) -> tuple[str, str]:
    """Split a field path into the context (``template 'x'``) and the rest."""
    spec_prefix = (
        "spec.workflowSpec.templates[" if document.kind == "CronWorkflow" else "spec.templates["
    )
    if path.startswith(spec_prefix):
        index_text, _, rest = path[len(spec_prefix) :].partition("]")
        spec = document.raw.get("spec", {})
        if document.kind == "CronWorkflow":
            spec = spec.get("workflowSpec", {})
        try:
            template = spec["templates"][int(index_text)]
            name = template.get("name") if isinstance(template, dict) else None
        except (KeyError, IndexError, TypeError, ValueError):
            name = None
        context = f"template '{name}'" if name else f"templates[{index_text}]"
        return context, rest.lstrip(".")
    return "", path


def _follow(raw: Any, loc: tuple[Any, ...]) -> tuple[str, Any, Any]:
    """Walk a pydantic error location through the raw YAML (skipping type tags)."""
    path, node, parent, last = "", raw, None, None
    for part in loc:
        in_mapping = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_mapping or in_list:
            parent, last, node = node, part, node[part]
            path = _join(path, part)
    return path, parent, last


def check_schema(document: Document) -> Iterator:
    """Problems of ``document`` against Argo's schema: kind, unknown fields, types."""
    raw = document.raw
    if not isinstance(raw, dict):
        yield document.problem("", "not a mapping: expected an Argo resource with kind and spec")
        return
    kind = document.kind
    if kind not in MODELS:
        known = ", ".join(MODELS)
        message = f"kind {raw.get('kind')!r} is not an Argo workflow kind ({known})"
        yield document.problem("", message)
        return
    if raw.get("apiVersion") != ARGO_API_VERSION:
        got = raw.get("apiVersion")
        message = f"apiVersion is {got!r}, expected {ARGO_API_VERSION!r}"
        yield document.problem("", message, document.line(raw, "apiVersion"))
    model = MODELS[kind]
    unknown: list[tuple[str, Any, str]] = []
    normalised = normalise(raw, model, "", unknown)
    for path, parent, key in unknown:
        context, field = _where(document, path)
        line = document.line(parent, key) if isinstance(parent, LineDict) else None
        yield document.problem(context, f"unknown field '{field}'", line)
    try:
        model.model_validate(normalised)
    except pydantic.ValidationError as error:
        for detail in error.errors(include_url=False):
            loc = tuple(detail["loc"])
            path, parent, key = _follow(raw, loc)
            if detail["type"] == "missing" and loc and isinstance(loc[-1], str):
                path = _join(path, loc[-1])
            context, field = _where(document, path)
            line = document.line(parent, key) if isinstance(parent, LineDict) else None
            where = f"field '{field}': " if field else ""
            yield document.problem(context, f"{where}{detail['msg']}", line)
