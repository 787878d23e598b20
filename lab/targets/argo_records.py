"""Argo Server REST client: submit a WorkflowTemplate, follow it and its children into records."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

import httpx

from lab.progress import format_event
from lab.rehearsal.records import (
    FINISHED_PHASES,
    RUNNING,
    SKIPPED,
    SUCCEEDED,
    Event,
    NodeRecord,
    Outputs,
    WorkflowRun,
)
from lab.targets.commands import (
    argo_list,
    argo_submit,
    argo_watch,
    command_line,
    kubectl_apply,
    kubectl_create_token,
)

WORKFLOW_FINISHED = frozenset({"Succeeded", "Failed", "Error"})
# Argo phases the records do not use, in the records' words: a node waiting for its pod
# is running as far as the student is concerned; an omitted one was skipped.
NODE_PHASES = {"Pending": RUNNING, "Omitted": SKIPPED}
# Nodes that only group steps; the steps inside them are recorded instead.
GROUP_TYPES = frozenset({"StepGroup", "TaskGroup"})
GROUP_INDEX = re.compile(r"\[(\d+)\]\.[^.\[\]]+$")
TEMPLATE_LABEL = "workflows.argoproj.io/workflow-template"
# The Workflows a template's steps create, looked up by label when no step output names them.
SPAWNS: dict[str, tuple[str, ...]] = {"train-model": ("build-container-image",)}
NAME_PATHS = frozenset({"{.metadata.name}", ".metadata.name"})
MAX_DEPTH = 3  # children of children of children: more is a loop, not a lab

OnEvent = Callable[[Event], Any]


class ArgoError(RuntimeError):
    """Raised when the Argo Server answers a request with an error."""


class ArgoConnectionError(ArgoError):
    """Raised when the Argo Server cannot be reached at all."""


class ArgoAuthError(ArgoError):
    """Raised when the Argo Server rejects the request's token (401/403)."""


class ArgoNotFoundError(ArgoError):
    """Raised when a WorkflowTemplate or Workflow does not exist in the namespace."""


class ArgoTimeoutError(ArgoError):
    """Raised when a followed Workflow has not finished within the time allowed.

    ``run`` holds the record of that Workflow as it was when the time ran out.
    """

    run: WorkflowRun | None = None


def bearer(token: str) -> str:
    """The Authorization header value; ``ARGO_TOKEN`` is often already ``Bearer …``."""
    token = token.strip()
    return token if token.lower().startswith("bearer ") else f"Bearer {token}"


class ArgoClient:
    """The few Argo Server calls the lab needs, each shown first as its ``argo`` CLI line."""

    def __init__(
        self,
        base_url: str,
        *,
        namespace: str,
        token: str | None = None,
        http: httpx.Client | None = None,
        verify_tls: bool = False,
        echo: Callable[[str], Any] = print,
        poll_interval_s: float = 2.0,
        sleep: Callable[[float], Any] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.namespace = namespace
        self._token = token
        self._http = http or httpx.Client(verify=verify_tls, timeout=httpx.Timeout(30.0))
        self._echo = echo
        self.poll_interval_s = poll_interval_s
        self._sleep = sleep
        self._clock = clock

    # -- single API calls -------------------------------------------------------------------

    def submit(self, template: str, parameters: Mapping[str, str]) -> dict[str, Any]:
        """Create a Workflow from a WorkflowTemplate; returns the new Workflow object."""
        url = f"{self.base_url}/api/v1/workflows/{self.namespace}/submit"
        self._show("POST", url, argo_submit(template, parameters, self.namespace))
        body = {
            "namespace": self.namespace,
            "resourceKind": "WorkflowTemplate",
            "resourceName": template,
            "submitOptions": {"parameters": [f"{k}={v}" for k, v in parameters.items()]},
        }
        missing = (
            f"WorkflowTemplate {template!r} not found in namespace {self.namespace!r}: install it "
            f"with `{command_line(kubectl_apply(f'workflows/{template}.yaml', self.namespace))}`"
            " from the repository, or check the namespace (argo_namespace)"
        )
        return self._request("POST", url, json=body, missing=missing)

    def get(self, name: str) -> dict[str, Any]:
        """The Workflow ``name`` as the server has it now."""
        url = f"{self.base_url}/api/v1/workflows/{self.namespace}/{name}"
        missing = (
            f"Workflow {name!r} not found in namespace {self.namespace!r}: it may have been "
            "deleted; `argo list -n NAMESPACE` shows the ones that exist"
        )
        return self._request("GET", url, missing=missing)

    def list(self, selector: str) -> list[dict[str, Any]]:
        """The Workflows whose labels match ``selector``."""
        url = f"{self.base_url}/api/v1/workflows/{self.namespace}"
        self._show("GET", url, argo_list(selector, self.namespace))
        answer = self._request(
            "GET",
            url,
            params={"listOptions.labelSelector": selector},
            missing=f"namespace {self.namespace!r} not found: check argo_namespace",
        )
        return list(answer.get("items") or [])

    def _show(self, method: str, url: str, argv: list[str]) -> None:
        """Show an API call and the ``argo`` command that does the same."""
        self._echo(f"# Argo Server API: {method} {url}")
        self._echo(f"$ {command_line(argv)}")

    def _request(self, method: str, url: str, *, missing: str, **kwargs: Any) -> dict[str, Any]:
        """Send one request; turn every failure into an ArgoError that says what to check."""
        headers = {"Authorization": bearer(self._token)} if self._token else {}
        try:
            response = self._http.request(method, url, headers=headers, **kwargs)
        except httpx.TransportError as exc:
            reason = str(exc) or type(exc).__name__
            raise ArgoConnectionError(
                f"cannot reach the Argo Server at {url}: {reason}. Check the floating IP, that "
                "the security group lets port 2746 in, and that the argo-server service runs "
                f"(`kubectl -n {self.namespace} get svc argo-server`)"
            ) from exc
        if response.status_code in (401, 403):
            create = command_line(kubectl_create_token(namespace=self.namespace))
            what = "token rejected" if self._token else "no token sent"
            raise ArgoAuthError(
                f"{what} by the Argo Server ({response.status_code} for {method} {url}: "
                f"{_server_message(response)}): create one on node1 with `{create}` and pass "
                "it as argo_token, or set ARGO_TOKEN"
            )
        if response.status_code == 404:
            raise ArgoNotFoundError(f"{missing} (server said: {_server_message(response)})")
        if response.is_error:
            raise ArgoError(
                f"the Argo Server answered {response.status_code} to {method} {url}: "
                f"{_server_message(response)}"
            )
        try:
            answer = response.json()
        except ValueError:
            raise ArgoError(
                f"the Argo Server answered {method} {url} with something other than JSON: "
                f"{response.text[:200]!r}; is {self.base_url} the Argo Server?"
            ) from None
        if not isinstance(answer, dict):
            raise ArgoError(f"unexpected answer to {method} {url}: {answer!r:.200}")
        return answer

    # -- following ---------------------------------------------------------------------------

    def run(
        self,
        template: str,
        parameters: Mapping[str, str],
        *,
        on_event: OnEvent | None = None,
        timeout_s: float = 1800,
    ) -> WorkflowRun:
        """Submit ``template`` and follow it, then every Workflow it spawned, to the end.

        Each event goes to ``on_event``; without one, it is shown as a line through ``echo``.
        """
        emit = on_event or (lambda event: self._echo(format_event(event)))
        deadline = self._clock() + timeout_s
        workflow = self.submit(template, dict(parameters))
        return self.follow(workflow, emit=emit, deadline=deadline, timeout_s=timeout_s)

    def follow(
        self,
        workflow: dict[str, Any],
        *,
        emit: OnEvent,
        deadline: float,
        timeout_s: float,
        parent: str | None = None,
        depth: int = 0,
    ) -> WorkflowRun:
        """Poll one Workflow until it finishes, emitting events; then follow its children."""
        name = workflow["metadata"]["name"]
        template = template_of(workflow) or None
        url = f"{self.base_url}/api/v1/workflows/{self.namespace}/{name}"
        self._echo(f"# Argo Server API: GET {url} (every {self.poll_interval_s:g} s until it ends)")
        self._echo(f"$ {command_line(argo_watch(name, self.namespace))}")
        emit(Event(kind="workflow-started", run_name=name, phase=RUNNING, template=template))
        seen: dict[str, str] = {}
        while True:
            for event in node_events(workflow, seen):
                emit(event)
            phase = _status(workflow).get("phase")
            if phase in WORKFLOW_FINISHED:
                break
            if self._clock() >= deadline:
                error = ArgoTimeoutError(
                    f"Workflow {name!r} has not finished after {timeout_s:g} s (phase "
                    f"{phase or 'Pending'}): follow it with "
                    f"`{command_line(argo_watch(name, self.namespace))}` or in the Argo UI, "
                    "or pass a larger timeout_s"
                )
                error.run = workflow_run(workflow, parent=parent)
                raise error
            self._sleep(self.poll_interval_s)
            workflow = self.get(name)
        message = _status(workflow).get("message") or ""
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
                run.children.append(
                    self.follow(
                        child,
                        emit=emit,
                        deadline=deadline,
                        timeout_s=timeout_s,
                        parent=path,
                        depth=depth + 1,
                    )
                )
        return run

    def spawned(
        self, workflow: dict[str, Any], run: WorkflowRun
    ) -> list[tuple[str | None, dict[str, Any]]]:
        """``(creating node's path, Workflow)`` for each Workflow that ``workflow`` created.

        A resource step names what it created in an output parameter read at
        ``{.metadata.name}``. Without one, the Workflows of the templates in SPAWNS that
        this one owns (or, with no owner recorded, that were created after it started) are
        taken, oldest first, and matched in order to the resource steps that named nothing.
        """
        found: list[tuple[str | None, dict[str, Any]]] = []
        for path, name in created_names(workflow):
            try:
                found.append((path, self.get(name)))
            except ArgoNotFoundError:
                self._echo(f"# {name}, created by {path}, no longer exists: not followed")
        created = any(n.type == "Resource" and n.phase == SUCCEEDED for n in run.nodes)
        if found or (resource_templates(workflow) and not created):
            return found  # no resource step succeeded, so nothing was created to look for
        listed: dict[str, dict[str, Any]] = {}
        for template in SPAWNS.get(template_of(workflow), ()):
            for item in self.list(f"{TEMPLATE_LABEL}={template}"):
                if spawned_by(item, workflow):
                    listed[item["metadata"]["name"]] = item
        children = sorted(listed.values(), key=lambda w: w["metadata"].get("creationTimestamp", ""))
        unnamed = [n for n in run.nodes if n.type == "Resource" and n.child is None]
        for index, child in enumerate(children):
            node = unnamed[index] if index < len(unnamed) else None
            if node is not None:
                node.child = child["metadata"]["name"]
            found.append((node.path if node else None, child))
        return found


def _server_message(response: httpx.Response) -> str:
    """The ``message`` of an Argo error body, or the start of the raw text."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict) and body.get("message"):
        return str(body["message"])
    return response.text[:200]


def _status(workflow: Mapping[str, Any]) -> dict[str, Any]:
    """A Workflow's ``status`` (absent right after submission)."""
    return workflow.get("status") or {}


def _time(value: str | None) -> datetime | None:
    """An RFC 3339 time from Argo, or None when not set."""
    return datetime.fromisoformat(value) if value else None


def template_of(workflow: Mapping[str, Any]) -> str:
    """The WorkflowTemplate a Workflow was made from ('' if none)."""
    labels = workflow.get("metadata", {}).get("labels") or {}
    ref = (workflow.get("spec") or {}).get("workflowTemplateRef") or {}
    return labels.get(TEMPLATE_LABEL) or ref.get("name") or ""


def parameters_of(workflow: Mapping[str, Any]) -> dict[str, str]:
    """The Workflow's arguments as ``{name: value}``."""
    params = ((workflow.get("spec") or {}).get("arguments") or {}).get("parameters") or []
    return {p["name"]: str(p.get("value", "")) for p in params}


def resource_templates(workflow: Mapping[str, Any]) -> set[str]:
    """Names of the Workflow's templates that create a Kubernetes resource.

    Argo reports a resource step as a ``Pod`` node; the template says what it really is.
    """
    specs = [workflow.get("spec") or {}, _status(workflow).get("storedWorkflowTemplateSpec") or {}]
    return {t["name"] for spec in specs for t in spec.get("templates") or [] if t.get("resource")}


def visible_nodes(workflow: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The Workflow's step nodes as ``(id, node)``, in start order.

    Left out: the Workflow's own root node (the run record stands for it), step groups,
    and the attempts under a Retry node (the Retry node stands for the step).
    """
    name = workflow["metadata"]["name"]
    nodes: dict[str, dict[str, Any]] = _status(workflow).get("nodes") or {}
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
        attempts = 0 if phase == "Skipped" or not node.get("startedAt") else 1
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
    status = _status(workflow)
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
        if before is None and phase != SKIPPED:
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
    began = _time(_status(parent).get("startedAt") or meta.get("creationTimestamp"))
    created = _time(child.get("metadata", {}).get("creationTimestamp"))
    return began is not None and created is not None and created >= began
