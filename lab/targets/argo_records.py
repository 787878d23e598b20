"""Argo Workflow objects (the JSON the Argo Server sends) read into the lab's run records.

Pure functions, no I/O: what a Workflow's ``status.nodes`` means as steps, events and
results. The records themselves live in the run-records room; this module is the one place
the chameleon target imports them from (``lab.runs.records``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from lab.runs.records import (
    FINISHED_PHASES,
    OMITTED,
    RUNNING,
    SKIPPED,
    SUCCEEDED,
    Event,
    NodeRecord,
    Outputs,
    WorkflowRun,
)

WORKFLOW_FINISHED = frozenset({"Succeeded", "Failed", "Error"})
# Argo phases the records do not use, in the records' words: a node waiting for its pod
# is running as far as the student is concerned.
NODE_PHASES = {"Pending": RUNNING}
# Nodes that only group steps; the steps inside them are recorded instead.
GROUP_TYPES = frozenset({"StepGroup", "TaskGroup"})
GROUP_INDEX = re.compile(r"\[(\d+)\]\.[^.\[\]]+$")
# Set by Argo on Workflows submitted from a template; v3.6.5 does not set it on Workflows
# that a resource step creates (only v4.1.0 does), so our manifests set it themselves.
TEMPLATE_LABEL = "workflows.argoproj.io/workflow-template"
NAME_PATHS = frozenset({"{.metadata.name}", ".metadata.name"})

__all__ = ["SUCCEEDED", "Event", "NodeRecord", "Outputs", "WorkflowRun"]


def status_of(workflow: Mapping[str, Any]) -> dict[str, Any]:
    """A Workflow's ``status`` (absent right after submission)."""
    return workflow.get("status") or {}


def _time(value: str | None) -> datetime | None:
    """An RFC 3339 time from Argo (``…Z``), or None when not set (Argo sends ``null``)."""
    # Python 3.10's fromisoformat does not read a trailing Z; the slim client runs there.
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def template_of(workflow: Mapping[str, Any]) -> str:
    """The WorkflowTemplate a Workflow was made from ('' if none).

    ``spec.workflowTemplateRef.name`` first: it is there on every Workflow made from a
    template in v3.6.5, however it was created; the label only on some.
    """
    labels = (workflow.get("metadata") or {}).get("labels") or {}
    ref = (workflow.get("spec") or {}).get("workflowTemplateRef") or {}
    return ref.get("name") or labels.get(TEMPLATE_LABEL) or ""


def parameters_of(workflow: Mapping[str, Any]) -> dict[str, str]:
    """The Workflow's arguments as ``{name: value}``."""
    params = ((workflow.get("spec") or {}).get("arguments") or {}).get("parameters") or []
    return {p["name"]: str(p.get("value") or "") for p in params}


def resource_templates(workflow: Mapping[str, Any]) -> set[str]:
    """Names of the Workflow's templates that create a Kubernetes resource.

    Argo reports a resource step as a ``Pod`` node; the template says what it really is.
    """
    stored = status_of(workflow).get("storedWorkflowTemplateSpec") or {}
    specs = [workflow.get("spec") or {}, stored]
    return {t["name"] for spec in specs for t in spec.get("templates") or [] if t.get("resource")}


def visible_nodes(workflow: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The Workflow's step nodes as ``(id, node)``, in start order.

    Left out: the Workflow's own root node (the run record stands for it), step groups,
    and the attempts under a Retry node (the Retry node stands for the step).
    """
    name = workflow["metadata"]["name"]
    nodes: dict[str, dict[str, Any]] = status_of(workflow).get("nodes") or {}
    attempts = {
        child
        for node in nodes.values()
        if node.get("type") == "Retry"
        for child in node.get("children") or []
    }
    kept = [
        (node_id, node)
        for node_id, node in nodes.items()
        if node_id != name
        and node.get("name") != name
        and node.get("type") not in GROUP_TYPES
        and node_id not in attempts
    ]
    return sorted(kept, key=lambda item: (item[1].get("startedAt") or "~", item[1].get("name")))


def node_phase(node: Mapping[str, Any]) -> str:
    """A node's (or workflow's) phase in the records' words."""
    phase = node.get("phase") or "Pending"
    return NODE_PHASES.get(phase, phase)


def node_outputs(node: Mapping[str, Any]) -> Outputs:
    """A node's outputs: ``result`` (a script's stdout) and its output parameters."""
    outputs = node.get("outputs") or {}
    return Outputs(
        result=outputs.get("result"),
        parameters={p["name"]: str(p.get("value", "")) for p in outputs.get("parameters") or []},
    )


def created_name(node: Mapping[str, Any]) -> str | None:
    """What a resource step created, from an output parameter read at ``{.metadata.name}``."""
    for param in (node.get("outputs") or {}).get("parameters") or []:
        source = param.get("valueFrom") or {}
        path = source.get("jsonPath") or source.get("jqFilter") or ""
        if path.strip() in NAME_PATHS and param.get("value"):
            return str(param["value"])
    return None


def _group(path: str) -> int | None:
    """The step-group index in an Argo node name like ``wf[1].build-container``."""
    match = GROUP_INDEX.search(path)
    return int(match.group(1)) if match else None


def node_record(node: Mapping[str, Any], resources: set[str] = frozenset()) -> NodeRecord:
    """One Argo node as the shared step record (``resources``: resource template names)."""
    template = node.get("templateName") or (node.get("templateRef") or {}).get("template", "")
    kind = node.get("type") or "Pod"
    if template in resources and kind == "Pod":
        kind = "Resource"
    phase = node_phase(node)
    if kind == "Retry":
        attempts = len(node.get("children") or [])
    else:
        attempts = 0 if phase in (SKIPPED, OMITTED) or not node.get("startedAt") else 1
    return NodeRecord(
        name=node.get("displayName") or node.get("name", ""),
        template=template,
        phase=phase,
        message=node.get("message") or "",
        outputs=node_outputs(node),
        started=_time(node.get("startedAt")),
        finished=_time(node.get("finishedAt")),
        path=node.get("name", ""),
        type=kind,
        group=_group(node.get("name", "")),
        attempts=attempts,
        child=created_name(node),
    )


def workflow_run(
    workflow: Mapping[str, Any], *, children: Iterable[WorkflowRun] = (), parent: str | None = None
) -> WorkflowRun:
    """A Workflow object from the Argo Server as the shared run record."""
    status = status_of(workflow)
    resources = resource_templates(workflow)
    return WorkflowRun(
        name=workflow["metadata"]["name"],
        template=template_of(workflow),
        parameters=parameters_of(workflow),
        phase=node_phase(status),
        message=status.get("message") or "",
        nodes=[node_record(node, resources) for _, node in visible_nodes(workflow)],
        children=list(children),
        started=_time(status.get("startedAt")),
        finished=_time(status.get("finishedAt")),
        parent=parent,
    )


def node_events(workflow: Mapping[str, Any], seen: dict[str, str]) -> list[Event]:
    """Events for the nodes whose phase changed since ``seen`` (which this updates).

    A node first seen already finished gets its ``node-started`` too (a skipped one does
    not: it never started), so every started node has exactly one ``node-finished``.
    """
    run_name = workflow["metadata"]["name"]
    events: list[Event] = []
    for node_id, node in visible_nodes(workflow):
        phase = node_phase(node)
        before = seen.get(node_id)
        if phase == before:
            continue
        seen[node_id] = phase
        common = {
            "run_name": run_name,
            "node": node.get("displayName") or node.get("name", ""),
            "template": node.get("templateName"),
        }
        if before is None and phase not in (SKIPPED, OMITTED):
            events.append(Event(kind="node-started", phase=RUNNING, **common))
        if phase in FINISHED_PHASES:
            message = node.get("message") or ""
            events.append(Event(kind="node-finished", phase=phase, message=message, **common))
    return events


def created_names(workflow: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(node path, created name)`` for each resource step that names what it created."""
    found = []
    for _, node in visible_nodes(workflow):
        name = created_name(node)
        if name:
            found.append((node.get("name", ""), name))
    return found


def spawned_by(child: Mapping[str, Any], parent: Mapping[str, Any]) -> bool:
    """Whether ``child`` was created by ``parent``: its owner, else created after it started."""
    meta = parent["metadata"]
    owners = child.get("metadata", {}).get("ownerReferences") or []
    if owners:
        uid = meta.get("uid")
        return any((uid and o.get("uid") == uid) or o.get("name") == meta["name"] for o in owners)
    began = _time(status_of(parent).get("startedAt") or meta.get("creationTimestamp"))
    created = _time(child.get("metadata", {}).get("creationTimestamp"))
    return began is not None and created is not None and created >= began
