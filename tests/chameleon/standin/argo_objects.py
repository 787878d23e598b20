"""Workflow objects as Argo v3.6.5's server sends them, made from the rehearsal's run records.

Node names, ids and types follow the controller: the root node is named after the
Workflow; each step group is ``NAME[i]`` (type ``StepGroup``); a step is ``NAME[i].step``;
a step whose template has a ``retryStrategy`` is a ``Retry`` node over attempts
``NAME[i].step(0)``…; a resource step is a ``Pod`` node; one whose ``when`` was false is
``Skipped``. Ids are the Workflow's name and the FNV-1a hash of the node name, as Argo's.
Unset times are ``null``, as Go's ``encoding/json`` writes Kubernetes' zero ``metav1.Time``.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from lab.runs.records import NodeRecord, WorkflowRun

NS = "argo"
TEMPLATE_LABEL = "workflows.argoproj.io/workflow-template"
FINISHED = {"Succeeded", "Failed", "Error"}


def fnv32a(text: str) -> int:
    """FNV-1a, 32 bits (Argo's node ids)."""
    value = 0x811C9DC5
    for byte in text.encode():
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def node_id(workflow: str, node_name: str) -> str:
    """A node's id: the Workflow's name for its root, else NAME-HASH."""
    return workflow if node_name == workflow else f"{workflow}-{fnv32a(node_name)}"


def stamp(moment: datetime | None) -> str | None:
    """RFC 3339 in UTC to the second, as Kubernetes writes times; None stays null."""
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_workflow(
    name: str,
    template: str,
    spec: dict[str, Any],
    parameters: dict[str, str],
    *,
    created: str,
    uid: str,
    labels: dict[str, str],
) -> dict[str, Any]:
    """A Workflow just created from a WorkflowTemplate (no status yet, as on submit)."""
    return {
        "metadata": {
            "name": name,
            "namespace": NS,
            "uid": uid,
            "resourceVersion": "1",
            "generation": 1,
            "creationTimestamp": created,
            "labels": {**labels, "workflows.argoproj.io/phase": "Pending"},
        },
        "spec": {
            "workflowTemplateRef": {"name": template},
            "arguments": {"parameters": [{"name": k, "value": v} for k, v in parameters.items()]},
        },
        "status": {"startedAt": None, "finishedAt": None, "_stored": copy.deepcopy(spec)},
    }


def public(workflow: dict[str, Any]) -> dict[str, Any]:
    """The object as served: the stored spec under its v3.6.5 name, private keys dropped."""
    served = copy.deepcopy(workflow)
    status = served["status"]
    stored = status.pop("_stored", None)
    if status.get("phase"):
        status["storedWorkflowTemplateSpec"] = stored
    return served


def set_phase(workflow: dict[str, Any], phase: str, message: str = "") -> None:
    """The Workflow's phase and the labels the controller keeps in step with it."""
    status, labels = workflow["status"], workflow["metadata"]["labels"]
    status["phase"] = phase
    labels["workflows.argoproj.io/phase"] = phase
    if phase in FINISHED:
        labels["workflows.argoproj.io/completed"] = "true"
    else:
        labels["workflows.argoproj.io/completed"] = "false"
    if message:
        status["message"] = message
    workflow["metadata"]["resourceVersion"] = str(int(workflow["metadata"]["resourceVersion"]) + 1)


def templates_of(workflow: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The stored spec's templates by name."""
    return {t["name"]: t for t in workflow["status"]["_stored"].get("templates") or []}


def step_groups(workflow: dict[str, Any]) -> dict[str, int]:
    """Step display name → index of its group in the entrypoint's steps."""
    stored = workflow["status"]["_stored"]
    entry = templates_of(workflow).get(stored.get("entrypoint"), {})
    return {s["name"]: i for i, group in enumerate(entry.get("steps") or []) for s in group}


def live_node(
    workflow: dict[str, Any], display: str, template: str | None, phase: str, message: str, at: str
) -> None:
    """Record a node event while the rehearsal runs (finer details come with the final run)."""
    name = workflow["metadata"]["name"]
    group = step_groups(workflow).get(display)
    if group is None:
        return  # a nested node: the final record places it
    path = f"{name}[{group}].{display}"
    nodes = workflow["status"].setdefault("nodes", {})
    _root_and_groups(workflow, group)
    key = node_id(name, path)
    node = nodes.setdefault(
        key,
        {
            "id": key,
            "name": path,
            "displayName": display,
            "type": _type(workflow, template or "", phase),
            "templateName": template or "",
            "boundaryID": name,
            "startedAt": at if phase != "Skipped" else None,
        },
    )
    node["phase"] = phase
    if phase in FINISHED or phase == "Skipped":
        node["finishedAt"] = at
        if message:
            node["message"] = message
    workflow["metadata"]["resourceVersion"] = str(int(workflow["metadata"]["resourceVersion"]) + 1)


def _type(workflow: dict[str, Any], template: str, phase: str) -> str:
    """A step node's type as the controller gives it."""
    if phase == "Skipped":
        return "Skipped"
    return "Retry" if "retryStrategy" in templates_of(workflow).get(template, {}) else "Pod"


def _root_and_groups(workflow: dict[str, Any], upto: int) -> None:
    """The root node and the step-group nodes up to ``upto``."""
    name = workflow["metadata"]["name"]
    status = workflow["status"]
    nodes = status.setdefault("nodes", {})
    entry = workflow["status"]["_stored"].get("entrypoint", "")
    nodes.setdefault(
        name,
        {
            "id": name,
            "name": name,
            "displayName": name,
            "type": "Steps",
            "templateName": entry,
            "phase": "Running",
            "startedAt": status.get("startedAt"),
            "finishedAt": None,
            "children": [],
        },
    )
    for index in range(upto + 1):
        path = f"{name}[{index}]"
        key = node_id(name, path)
        if key not in nodes:
            nodes[key] = {
                "id": key,
                "name": path,
                "displayName": f"[{index}]",
                "type": "StepGroup",
                "templateName": entry,
                "boundaryID": name,
                "phase": "Running",
                "startedAt": status.get("startedAt"),
                "finishedAt": None,
            }
            if index == 0:
                nodes[name]["children"] = [key]


def final_nodes(workflow: dict[str, Any], run: WorkflowRun) -> dict[str, Any]:
    """Every node of a finished run, from its records."""
    name = workflow["metadata"]["name"]
    templates = templates_of(workflow)
    nodes: dict[str, Any] = {}
    groups: dict[int, list[str]] = {}
    leaves: dict[int, list[str]] = {}  # where the next group hangs: a Retry's last attempt
    for record in run.nodes:
        if record.path == run.name:
            nodes[name] = _node(name, name, record, "Steps")
            continue
        if record.group is None:
            continue
        key = node_id(name, record.path)
        groups.setdefault(record.group, []).append(key)
        template = templates.get(record.template, {})
        leaf = key
        if record.phase == "Skipped":
            nodes[key] = _node(name, record.path, record, "Skipped")
        elif "retryStrategy" in template and record.attempts:
            nodes[key] = _node(name, record.path, record, "Retry")
            nodes[key]["children"] = []
            for attempt in range(record.attempts):
                path = f"{record.path}({attempt})"
                child = _node(name, path, record, "Pod", display=f"{record.name}({attempt})")
                if attempt < record.attempts - 1:
                    child["phase"], child["message"] = "Failed", "Error (exit code 1)"
                    child.pop("outputs", None)
                nodes[child["id"]] = child
                nodes[key]["children"].append(child["id"])
                leaf = child["id"]
        else:
            nodes[key] = _node(name, record.path, record, "Pod")
        leaves.setdefault(record.group, []).append(leaf)
    previous = [name]
    for index in sorted(groups):
        path = f"{name}[{index}]"
        key = node_id(name, path)
        members = groups[index]
        phases = {nodes[m]["phase"] for m in members}
        nodes[key] = {
            "id": key,
            "name": path,
            "displayName": f"[{index}]",
            "type": "StepGroup",
            "templateName": nodes[name]["templateName"] if name in nodes else "",
            "boundaryID": name,
            "phase": "Succeeded" if phases <= {"Succeeded", "Skipped"} else "Failed",
            "startedAt": min(nodes[m]["startedAt"] or "~" for m in members).strip("~") or None,
            "finishedAt": max(nodes[m]["finishedAt"] or "" for m in members) or None,
            "children": members,
        }
        for before in previous:
            if before in nodes:
                nodes[before].setdefault("children", []).append(key)
        previous = leaves[index]
    return nodes


def _node(
    workflow: str, path: str, record: NodeRecord, kind: str, display: str | None = None
) -> dict[str, Any]:
    """One node from a record."""
    node: dict[str, Any] = {
        "id": node_id(workflow, path),
        "name": path,
        "displayName": display or (record.name if path != workflow else workflow),
        "type": kind,
        "templateName": record.template,
        "phase": record.phase,
        "startedAt": stamp(record.started) if kind != "Skipped" else None,
        "finishedAt": stamp(record.finished),
    }
    if path != workflow:
        node["boundaryID"] = workflow
    if record.message:
        node["message"] = record.message
    outputs: dict[str, Any] = {}
    if record.outputs.result is not None and kind in ("Pod", "Retry"):
        outputs["result"] = record.outputs.result
        outputs["exitCode"] = "0" if record.phase == "Succeeded" else "1"
    if record.outputs.parameters:
        outputs["parameters"] = [
            {"name": k, "value": v, "valueFrom": {"jsonPath": "{.metadata.name}"}}
            if record.child and v == record.child
            else {"name": k, "value": v}
            for k, v in record.outputs.parameters.items()
        ]
    if outputs:
        node["outputs"] = outputs
    return node
