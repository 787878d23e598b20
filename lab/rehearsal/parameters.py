"""Parameter values: a workflow's arguments, a template's inputs, and loop items."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from lab.argo.values import as_text, item_label, item_variables
from lab.rehearsal.errors import NodeErrored, ParameterError
from lab.rehearsal.scope import Scope, substitute


def resolve_workflow_parameters(
    doc: Mapping[str, Any],
    given: Mapping[str, Any],
    overrides: Mapping[str, str],
    where: str,
    *,
    check_enums: bool = True,
) -> tuple[dict[str, str], dict[str, tuple[str | None, str]]]:
    """A workflow's parameter values: defaults, replaced by ``overrides``, then ``given``.

    Args:
        doc: the WorkflowTemplate.
        given: values passed by the caller (or by the resource step that creates the workflow).
        overrides: local replacements for the template's defaults.
        where: who asks, for error messages.
        check_enums: also check values against ``enum`` (not for placeholder values).
    Returns:
        The values, and the defaults that ``overrides`` replaced: name → (default, local value).
    """
    name = doc["metadata"]["name"]
    declared = {
        p["name"]: p
        for p in ((doc.get("spec") or {}).get("arguments") or {}).get("parameters") or []
    }
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise ParameterError(
            f"{where}: WorkflowTemplate {name!r} has no parameter {', '.join(map(repr, unknown))} "
            f"(it declares: {', '.join(declared) or 'none'})"
        )
    values: dict[str, str] = {}
    replaced: dict[str, tuple[str | None, str]] = {}
    missing = []
    for pname, param in declared.items():
        default = as_text(param["value"]) if "value" in param else None
        if pname in given:
            values[pname] = as_text(given[pname])
        elif pname in overrides:
            values[pname] = overrides[pname]
            replaced[pname] = (default, overrides[pname])
        elif default is not None:
            values[pname] = default
        else:
            missing.append(pname)
            continue
        if check_enums:
            check_enum(param, values[pname], f"{where}: parameter {pname!r} of {name!r}")
    if missing:
        raise ParameterError(
            f"{where}: WorkflowTemplate {name!r} needs a value for "
            f"{', '.join(map(repr, missing))} (no default)"
        )
    return values, replaced


def check_overrides(doc: Mapping[str, Any], overrides: Mapping[str, str]) -> None:
    """Refuse overrides for parameters the template does not declare."""
    name = doc["metadata"]["name"]
    declared = {
        p["name"] for p in ((doc.get("spec") or {}).get("arguments") or {}).get("parameters") or []
    }
    unknown = sorted(set(overrides) - declared)
    if unknown:
        known = ", ".join(sorted(declared)) or "none"
        raise ParameterError(
            f"parameter_overrides[{name!r}]: {name!r} has no parameter "
            f"{', '.join(map(repr, unknown))} (it declares: {known})"
        )


def check_enum(param: Mapping[str, Any], value: str, where: str) -> None:
    """Refuse a value outside the parameter's ``enum``, as Argo does."""
    if "enum" in param:
        allowed = [as_text(v) for v in param["enum"]]
        if value not in allowed:
            raise ParameterError(f"{where}: {value!r} is not one of {allowed}")


def resolve_inputs(
    template: Mapping[str, Any], args: Mapping[str, str], scope: Scope, where: str
) -> dict[str, str]:
    """A template's input values: the caller's argument, else ``value``, else ``default``."""
    values: dict[str, str] = {}
    for param in (template.get("inputs") or {}).get("parameters") or []:
        pname = param["name"]
        if pname in args:
            value = args[pname]
        elif "value" in param or "default" in param:
            raw = as_text(param["value"] if "value" in param else param["default"])
            value = substitute(raw, scope, f"{where}.inputs.parameters[{pname}]")
        else:
            raise ParameterError(f"{where}: inputs.parameters.{pname} was not supplied")
        check_enum(param, value, f"{where}: input {pname!r}")
        values[pname] = value
    return values


def expand_items(
    step: Mapping[str, Any], scope: Scope, where: str
) -> list[tuple[str, dict[str, str]]]:
    """A step's loop: ``(display name, item variables)`` per item, or one entry without items.

    Raises:
        NodeErrored: ``withParam`` is not a JSON list (Argo errors the step's node).
    """
    name = step["name"]
    if "withItems" in step:
        items = list(step["withItems"])
    elif "withParam" in step:
        text = substitute(str(step["withParam"]), scope, f"{where}.withParam")
        try:
            items = json.loads(text)
        except json.JSONDecodeError:
            items = None
        if not isinstance(items, list):
            raise NodeErrored(f"withParam value could not be parsed as a JSON list: {text.strip()}")
    else:
        return [(name, {})]
    return [
        (f"{name}({i}:{item_label(item)})", item_variables(item)) for i, item in enumerate(items)
    ]
