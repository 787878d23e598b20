"""Resource templates a rehearsal supports: ``action: create`` of a Workflow from a template ref.

On a cluster the created Workflow runs on its own, and the resource step succeeds as soon as
the object exists (unless ``successCondition``/``failureCondition`` make it wait). A rehearsal
runs the child to completion before the parent goes on, so the conditions, when present, are
evaluated against the child's final phase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from lab.argo.values import as_text
from lab.argo.variables import blank_out
from lab.argo.yamlload import load_documents
from lab.rehearsal.errors import RehearsalUnsupported, TemplateInvalid

NAME_PATH = "{.metadata.name}"
WORKFLOW_SPEC = {"workflowTemplateRef", "arguments"}
_CONDITION = re.compile(
    r"\s*status\.phase\s*(?:(?P<op>==|=|!=)\s*(?P<value>\w+)|"
    r"(?P<set>in|notin)\s*\((?P<values>[\w\s,]*)\))\s*"
)


@dataclass(frozen=True)
class ChildRequest:
    """A Workflow that a resource step asks to create."""

    template: str
    parameters: dict[str, str]
    generate_name: str
    name: str = ""
    """A fixed ``metadata.name`` (a rerun then clashes, as on a cluster), or empty."""


def check_resource(resource: dict[str, Any], where: str) -> None:
    """Refuse resource templates other than ``create`` of a Workflow (statically visible parts)."""
    if resource.get("action") != "create":
        raise RehearsalUnsupported(
            f"{where}.action {resource.get('action')!r} is not rehearsed; only 'create' of a "
            "Workflow with workflowTemplateRef is"
        )
    if not isinstance(resource.get("manifest"), str):
        raise RehearsalUnsupported(f"{where}.manifest must be a YAML string")
    for key in ("successCondition", "failureCondition"):
        if key in resource:
            condition_holds(resource[key], "Succeeded", f"{where}.{key}")
            if any(phase in resource[key] for phase in ("Running", "Pending")):
                raise RehearsalUnsupported(
                    f"{where}.{key}: '{resource[key]}' names a phase the child passes through; "
                    "a rehearsal sees only the child's final phase (it runs the child to its end)"
                )
    peek_child(resource["manifest"], where)


def check_json_path(path: str, where: str) -> None:
    """Only the created object's name can be read back (it is the child run's name)."""
    if path.strip() != NAME_PATH:
        raise RehearsalUnsupported(
            f"{where}: {path!r} is not rehearsed; only {NAME_PATH!r} (the new Workflow's name) is"
        )


def peek_child(manifest: str, where: str) -> ChildRequest | None:
    """The child request with variables left as placeholders, or None if its template is one."""
    placeholder = blank_out(manifest, "rehearsal-placeholder")
    request = parse_manifest(placeholder, where)
    return None if "rehearsal-placeholder" in request.template else request


def parse_manifest(manifest: str, where: str) -> ChildRequest:
    """Read an (already substituted) Workflow manifest into a :class:`ChildRequest`."""
    try:
        docs = load_documents(manifest)
    except yaml.YAMLError as err:
        raise TemplateInvalid(f"{where}.manifest is not valid YAML: {err}") from None
    if len(docs) > 1:
        raise RehearsalUnsupported(
            f"{where}.manifest holds {len(docs)} documents; one is rehearsed"
        )
    doc = docs[0] if docs else None
    if not isinstance(doc, dict) or doc.get("kind") != "Workflow":
        kind = doc.get("kind") if isinstance(doc, dict) else type(doc).__name__
        raise RehearsalUnsupported(
            f"{where}.manifest creates a {kind!r}; only a Workflow is rehearsed"
        )
    metadata = doc.get("metadata") or {}
    spec = doc.get("spec") or {}
    extra = sorted(set(spec) - WORKFLOW_SPEC)
    if extra:
        raise RehearsalUnsupported(
            f"{where}.manifest: spec.{extra[0]} is not rehearsed; a created Workflow may set "
            "only workflowTemplateRef and arguments"
        )
    ref = spec.get("workflowTemplateRef") or {}
    if not ref.get("name") or ref.get("clusterScope"):
        raise RehearsalUnsupported(
            f"{where}.manifest: the Workflow needs spec.workflowTemplateRef.name (a namespaced "
            "WorkflowTemplate)"
        )
    arguments = spec.get("arguments") or {}
    if set(arguments) - {"parameters"}:
        raise RehearsalUnsupported(f"{where}.manifest: only arguments.parameters are rehearsed")
    parameters = {}
    for param in arguments.get("parameters") or []:
        if "value" not in param:
            raise RehearsalUnsupported(
                f"{where}.manifest: argument {param.get('name')!r} needs a value"
            )
        parameters[str(param["name"])] = as_text(param["value"])
    generate_name = str(metadata.get("generateName") or f"{ref['name']}-")
    return ChildRequest(
        str(ref["name"]), parameters, generate_name, str(metadata.get("name") or "")
    )


def condition_holds(condition: str, phase: str, where: str) -> bool:
    """Evaluate a ``status.phase`` success/failure condition against a child's phase.

    Supported: comma-joined ``status.phase == X``, ``!= X``, ``in (A, B)``, ``notin (A, B)``.
    """
    results = []
    for part in condition.split(",") if "(" not in condition else _split_outside(condition):
        match = _CONDITION.fullmatch(part)
        if not match:
            raise RehearsalUnsupported(
                f"{where}: {part.strip()!r} is not rehearsed; use status.phase == X, != X, "
                "in (A, B) or notin (A, B)"
            )
        if match["op"]:
            equal = phase == match["value"]
            results.append(equal if match["op"] in ("=", "==") else not equal)
        else:
            values = {v.strip() for v in match["values"].split(",") if v.strip()}
            results.append((phase in values) == (match["set"] == "in"))
    return all(results)


def _split_outside(condition: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    parts, depth, current = [], 0, ""
    for ch in condition:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    return [*parts, current]
