"""Follow a submitted Workflow and the Workflows it creates, each until it ends or its deadline.

Each Workflow gets its own deadline: its ``activeDeadlineSeconds`` (after which Argo itself
fails it) plus a grace for pods to start and stop, or the caller's ``timeout_s`` for a
Workflow without one. Children are found as v3.6.5 allows: the resource step's output
parameter that reads ``{.metadata.name}``, else the Workflows of the template the step
creates (matched by ``spec.workflowTemplateRef.name``; our manifests also set the label).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import yaml

from lab.progress import format_event
from lab.targets.argo_client import ArgoServer
from lab.targets.argo_errors import ArgoNotFoundError, ArgoTimeoutError
from lab.targets.argo_records import (
    RUNNING,
    SUCCEEDED,
    TEMPLATE_LABEL,
    WORKFLOW_FINISHED,
    Event,
    WorkflowRun,
    created_names,
    node_events,
    resource_templates,
    spawned_by,
    status_of,
    template_of,
    workflow_run,
)
from lab.targets.commands import argo_watch, command_line

GRACE_S = 120  # pods scheduled, images pulled, the controller noticing the deadline
MAX_DEPTH = 3  # children of children of children: more is a loop, not a lab

OnEvent = Callable[[Event], Any]


def deadline_s(workflow: Mapping[str, Any], fallback: float) -> float:
    """How long to follow ``workflow``: its own ``activeDeadlineSeconds`` plus a grace."""
    stored = status_of(workflow).get("storedWorkflowTemplateSpec") or {}
    specs = [workflow.get("spec") or {}, stored]
    for spec in specs:
        if spec.get("activeDeadlineSeconds") not in (None, ""):
            return float(spec["activeDeadlineSeconds"]) + GRACE_S
    return fallback


class Follower:
    """Polls Workflows on one Argo Server and turns them into run records and events."""

    def __init__(
        self,
        server: ArgoServer,
        *,
        echo: Callable[[str], Any] = print,
        poll_interval_s: float = 2.0,
        sleep: Callable[[float], Any] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.server = server
        self._echo = echo
        self.poll_interval_s = poll_interval_s
        self._sleep = sleep
        self._clock = clock

    def run(
        self,
        template: str,
        parameters: Mapping[str, str],
        *,
        on_event: OnEvent | None = None,
        timeout_s: float = 1800,
    ) -> WorkflowRun:
        """Submit ``template`` and follow it, then every Workflow it created, to the end.

        Each event goes to ``on_event``; without one, it is shown as a line through ``echo``.
        """
        emit = on_event or (lambda event: self._echo(format_event(event)))
        workflow = self.server.submit(template, dict(parameters))
        return self.follow(workflow, emit=emit, fallback_s=timeout_s)

    def follow(
        self,
        workflow: dict[str, Any],
        *,
        emit: OnEvent,
        fallback_s: float,
        parent: str | None = None,
        depth: int = 0,
    ) -> WorkflowRun:
        """Poll one Workflow until it finishes, emitting events; then follow its children."""
        name = workflow["metadata"]["name"]
        template = template_of(workflow) or None
        began = self._clock()
        limit_s = deadline_s(workflow, fallback_s)
        watch = command_line(argo_watch(name, self.server.namespace))
        url = self.server.url(f"/api/v1/workflows/{self.server.namespace}/{name}")
        self._echo(
            f"# Argo Server API: GET {url}"
            f" (every {self.poll_interval_s:g} s until it ends or its deadline)"
        )
        self._echo(f"$ {watch}")
        emit(Event(kind="workflow-started", run_name=name, phase=RUNNING, template=template))
        seen: dict[str, str] = {}
        while True:
            for event in node_events(workflow, seen):
                emit(event)
            phase = status_of(workflow).get("phase")
            if phase in WORKFLOW_FINISHED:
                break
            # The deadline is the Workflow's own, known once the server has stored its spec.
            limit_s = deadline_s(workflow, fallback_s)
            if self._clock() - began >= limit_s:
                error = ArgoTimeoutError(
                    f"Workflow {name!r} has not finished after {limit_s:g} s (phase "
                    f"{phase or 'Pending'}): follow it with `{watch}` or in the Argo UI"
                )
                error.run = workflow_run(workflow, parent=parent)
                raise error
            self._sleep(self.poll_interval_s)
            workflow = self.server.get(name)
        message = status_of(workflow).get("message") or ""
        emit(
            Event(
                kind="workflow-finished",
                run_name=name,
                phase=phase,
                message=message,
                template=template,
            )
        )
        run = workflow_run(workflow, parent=parent)
        if depth < MAX_DEPTH:
            for path, child in self.spawned(workflow, run):
                followed = self.follow(
                    child, emit=emit, fallback_s=fallback_s, parent=path, depth=depth + 1
                )
                run.children.append(followed)
        return run

    def spawned(
        self, workflow: dict[str, Any], run: WorkflowRun
    ) -> list[tuple[str | None, dict[str, Any]]]:
        """``(creating node's path, Workflow)`` for each Workflow that ``workflow`` created.

        A resource step names what it created in an output parameter read at
        ``{.metadata.name}``. Without one, the Workflows made from the templates its
        resource steps create, owned by it (or, with no owner recorded, created after it
        started) are taken, oldest first, and matched in order to those steps.
        """
        found: list[tuple[str | None, dict[str, Any]]] = []
        for path, name in created_names(workflow):
            try:
                found.append((path, self.server.get(name)))
            except ArgoNotFoundError:
                self._echo(f"# {name}, created by {path}, no longer exists: not followed")
        unnamed = [n for n in run.nodes if n.type == "Resource" and n.child is None]
        if found or not any(n.phase == SUCCEEDED for n in unnamed):
            return found  # nothing else was created to look for
        wanted = created_templates(workflow)
        listed = [
            item
            for item in self.server.list()
            if template_of(item) in wanted and spawned_by(item, workflow)
        ]
        listed.sort(key=lambda w: w["metadata"].get("creationTimestamp") or "")
        for index, item in enumerate(listed):
            node = unnamed[index] if index < len(unnamed) else None
            child = self.server.get(item["metadata"]["name"])
            if node is not None:
                node.child = child["metadata"]["name"]
            found.append((node.path if node else None, child))
        return found


def created_templates(workflow: Mapping[str, Any]) -> set[str]:
    """The WorkflowTemplates that the Workflow's resource steps make Workflows from."""
    spec = status_of(workflow).get("storedWorkflowTemplateSpec") or workflow.get("spec") or {}
    names = set()
    for template in spec.get("templates") or []:
        if template.get("name") not in resource_templates(workflow):
            continue
        try:
            manifest = yaml.safe_load(template["resource"].get("manifest") or "") or {}
        except yaml.YAMLError:
            continue
        labels = (manifest.get("metadata") or {}).get("labels") or {}
        ref = ((manifest.get("spec") or {}).get("workflowTemplateRef") or {}).get("name")
        if ref or labels.get(TEMPLATE_LABEL):
            names.add(ref or labels[TEMPLATE_LABEL])
    return names
