"""A stand-in Argo Server: the REST paths the chameleon target uses, v3.6.5-shaped answers.

It holds WorkflowTemplates (starting with the course's own, as a student's cluster does),
and a submitted Workflow is the local rehearsal of the template it holds, run in a thread.
Served over HTTPS with a self-signed certificate on loopback, like argo-server. Every
request and every answer is checked against the v3.6.5 spec; what does not fit is
answered 400/500 and kept in ``violations`` for the test to fail on.

Where it differs from a cluster (said in ``NOTES``): the rehearsal runs a created Workflow
inside the step that creates it, so ``train-model`` stays Running until its build ends.
"""

from __future__ import annotations

import copy
import json
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

from tests.chameleon.contract import ContractError, check_request, check_response
from tests.chameleon.standin import argo_objects as objects
from tests.chameleon.standin.fields import clean

NS = objects.NS
NOTES = (
    "stand-in Argo Server: the local rehearsal of the templates it holds, behind v3.6.5's "
    "REST paths; a created Workflow runs inside the step that creates it, so its parent "
    "stays Running until it ends"
)
Answer = tuple[int, Any]
Rehearse = Callable[..., Any]


def now() -> str:
    """The time as Kubernetes writes it."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def error(status: int, code: int, message: str) -> Answer:
    """A grpc-gateway error body (``code`` is the gRPC code)."""
    return status, {"code": code, "message": message}


class ArgoStandIn:
    """Templates and Workflows in namespace ``argo``, and the rehearsals behind them."""

    def __init__(self, rehearse: Rehearse, templates: list[dict[str, Any]]) -> None:
        self.rehearse = rehearse
        self.templates: dict[str, dict[str, Any]] = {}
        self.workflows: dict[str, dict[str, Any]] = {}
        self.lock = threading.RLock()
        self.violations: list[str] = []
        self.requests: list[str] = []
        self.threads: list[threading.Thread] = []
        self._version = 0
        for template in templates:
            self._store_template(copy.deepcopy(template))

    # -- requests --------------------------------------------------------------------------

    def handle(self, method: str, url: str, body: bytes | None) -> Answer:
        """One request: checked against the spec, answered, the answer checked too."""
        self.requests.append(f"{method} {urlsplit(url).path}")
        try:
            check_request(method, url, body or None)
        except ContractError as wrong:
            self.violations.append(str(wrong))
            return error(400, 3, str(wrong))
        status, answer = self.route(method, url, json.loads(body) if body else None)
        try:
            check_response(method, url, status, answer)
        except ContractError as wrong:
            self.violations.append(str(wrong))
            return error(500, 13, str(wrong))
        return status, answer

    def route(self, method: str, url: str, body: Any) -> Answer:
        """The answer to one request."""
        parts = urlsplit(url)
        path, query = parts.path.rstrip("/"), {k: v[0] for k, v in parse_qs(parts.query).items()}
        if path == "/api/v1/version":
            return 200, version()
        if path == "/api/v1/info":
            return 200, {"managedNamespace": NS, "modals": {}, "navColor": ""}
        segments = path.split("/")[3:]  # after /api/v1
        if len(segments) >= 2 and segments[1] != NS:
            return forbidden(segments[0], segments[1])
        with self.lock:
            if segments[0] == "workflow-templates":
                return self._templates(method, segments[2:], body)
            if segments[0] == "workflows":
                return self._workflows(method, segments[2:], body, query)
        return error(404, 5, f"no route for {method} {path}")

    def _templates(self, method: str, rest: list[str], body: Any) -> Answer:
        if method == "GET" and len(rest) == 1:
            if rest[0] not in self.templates:
                return missing("workflowtemplates", rest[0])
            return 200, copy.deepcopy(self.templates[rest[0]])
        if method == "POST" and not rest:
            name = body["template"]["metadata"]["name"]
            if name in self.templates:
                return error(409, 6, f'workflowtemplates.argoproj.io "{name}" already exists')
            return 200, self._store_template(body["template"])
        if method == "PUT" and len(rest) == 1:
            held = self.templates.get(rest[0])
            if held is None:
                return missing("workflowtemplates", rest[0])
            wanted = body["template"]["metadata"].get("resourceVersion")
            if wanted != held["metadata"]["resourceVersion"]:
                return error(409, 10, "the object has been modified; apply it again")
            return 200, self._store_template(body["template"], uid=held["metadata"]["uid"])
        return error(404, 5, "not served by the stand-in")

    def _store_template(self, template: dict[str, Any], uid: str | None = None) -> dict[str, Any]:
        self._version += 1
        meta = template.setdefault("metadata", {})
        meta.update(namespace=NS, resourceVersion=str(self._version), generation=1)
        meta["uid"] = uid or str(uuid.uuid4())
        meta.setdefault("creationTimestamp", now())
        self.templates[meta["name"]] = template
        return copy.deepcopy(template)

    def _workflows(self, method: str, rest: list[str], body: Any, query: dict[str, str]) -> Answer:
        if method == "GET" and not rest:
            items = [objects.public(w) for w in self.workflows.values()]
            selector = query.get("listOptions.labelSelector")
            if selector:
                wanted = dict(term.split("=", 1) for term in selector.split(","))
                items = [
                    w for w in items if wanted.items() <= w["metadata"].get("labels", {}).items()
                ]
            listing = {"metadata": {"resourceVersion": str(self._version)}, "items": items}
            return 200, clean(listing, query.get("fields", ""))
        if method == "GET" and len(rest) == 1:
            if rest[0] not in self.workflows:
                return missing("workflows", rest[0])
            return 200, clean(objects.public(self.workflows[rest[0]]), query.get("fields", ""))
        if method == "POST" and rest == ["submit"]:
            return self._submit(body)
        return error(404, 5, "not served by the stand-in")

    # -- running -----------------------------------------------------------------------------

    def _submit(self, body: dict[str, Any]) -> Answer:
        name = body["resourceName"]
        if body.get("resourceKind") != "WorkflowTemplate" or name not in self.templates:
            return missing("workflowtemplates", name)
        options = body.get("submitOptions") or {}
        given = dict(p.split("=", 1) for p in options.get("parameters") or [])
        template = self.templates[name]
        declared = template["spec"].get("arguments", {}).get("parameters") or []
        values = {p["name"]: str(p.get("value", "")) for p in declared if "value" in p}
        values.update(given)
        workflow_name = f"{name}-{uuid.uuid4().hex[:5]}"
        labels = {
            objects.TEMPLATE_LABEL: name,
            "workflows.argoproj.io/creator": "system-serviceaccount-argo-argo-server",
        }
        workflow = objects.new_workflow(
            workflow_name,
            name,
            template["spec"],
            values,
            created=now(),
            uid=str(uuid.uuid4()),
            labels=labels,
        )
        self.workflows[workflow_name] = workflow
        answer = objects.public(workflow)
        thread = threading.Thread(
            target=self._run, args=(workflow, name, given), name=workflow_name, daemon=True
        )
        self.threads.append(thread)
        thread.start()
        return 200, answer

    def _run(self, workflow: dict[str, Any], template: str, given: dict[str, str]) -> None:
        """Rehearse the held template; publish live node phases, then every Workflow made."""
        root = workflow["metadata"]["name"]
        rehearsed: list[str] = []  # the rehearsal names its run itself: the first one is ours
        with self.lock:
            workflow["status"]["startedAt"] = now()
            objects.set_phase(workflow, "Running")

        def on_event(event: Any) -> None:
            with self.lock:
                if event.kind == "workflow-started" and not rehearsed:
                    rehearsed.append(event.run_name)
                ours = rehearsed and event.run_name == rehearsed[0]
                if ours and event.kind.startswith("node") and event.node:
                    objects.live_node(
                        workflow, event.node, event.template, event.phase, event.message, now()
                    )

        try:
            run = self.rehearse(copy.deepcopy(self.templates), template, given, on_event)
        except Exception as failed:  # the rehearsal refused: the Workflow errs, as Argo would
            with self.lock:
                workflow["status"]["finishedAt"] = now()
                objects.set_phase(workflow, "Error", f"stand-in could not run it: {failed}")
            return
        for node in run.nodes:  # the name the server gave it on submit
            if node.path == run.name or node.path.startswith(f"{run.name}["):
                node.path = root + node.path[len(run.name) :]
        run.name = root
        with self.lock:
            self._publish(workflow, run)

    def _publish(self, workflow: dict[str, Any], run: Any) -> None:
        """The final state of a run and of the Workflows it created."""
        status = workflow["status"]
        status["nodes"] = objects.final_nodes(workflow, run)
        status["startedAt"] = objects.stamp(run.started)
        status["finishedAt"] = objects.stamp(run.finished)
        status["progress"] = _progress(status["nodes"])
        objects.set_phase(workflow, run.phase, run.message)
        for child in run.children:
            labels = self._created_labels(workflow, child.template)
            made = objects.new_workflow(
                child.name,
                child.template,
                self.templates[child.template]["spec"],
                child.parameters,
                created=objects.stamp(child.started) or now(),
                uid=str(uuid.uuid4()),
                labels=labels,
            )
            made["status"]["startedAt"] = objects.stamp(child.started)
            self.workflows[child.name] = made
            self._publish(made, child)

    def _created_labels(self, parent: dict[str, Any], template: str) -> dict[str, str]:
        """The labels the parent's resource manifest gives the Workflow it creates."""
        for held in objects.templates_of(parent).values():
            manifest = (held.get("resource") or {}).get("manifest")
            if not manifest:
                continue
            doc = yaml.safe_load(manifest) or {}
            if ((doc.get("spec") or {}).get("workflowTemplateRef") or {}).get("name") == template:
                return dict((doc.get("metadata") or {}).get("labels") or {})
        return {}

    def wait(self, timeout_s: float = 60) -> None:
        """Wait for the rehearsals still running."""
        for thread in self.threads:
            thread.join(timeout_s)


def _progress(nodes: dict[str, Any]) -> str:
    """``done/total`` over the Pod nodes, as Argo shows it."""
    pods = [n for n in nodes.values() if n["type"] == "Pod"]
    return f"{sum(n['phase'] == 'Succeeded' for n in pods)}/{len(pods)}"


def missing(kind: str, name: str) -> Answer:
    """404 as Kubernetes words it."""
    return error(404, 5, f'{kind}.argoproj.io "{name}" not found')


def forbidden(kind: str, namespace: str) -> Answer:
    """403 from the namespaced install's RBAC for any other namespace."""
    resource = "workflowtemplates" if kind == "workflow-templates" else "workflows"
    return error(
        403,
        7,
        f'{resource}.argoproj.io is forbidden: User "system:serviceaccount:argo:argo-server" '
        f'cannot list resource "{resource}" in API group "argoproj.io" in the namespace '
        f'"{namespace}"',
    )


def version() -> dict[str, str]:
    """What v3.6.5 answers on ``/api/v1/version``."""
    return {
        "version": "v3.6.5",
        "buildDate": "2025-03-11T18:33:52Z",
        "gitCommit": "9e532061c064d1205610b1932a0fb3c4dc053421",
        "gitTag": "v3.6.5",
        "gitTreeState": "clean",
        "goVersion": "go1.23.3",
        "compiler": "gc",
        "platform": "linux/amd64",
    }
