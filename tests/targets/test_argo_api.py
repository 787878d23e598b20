"""Tests for lab.targets.argo_api against a scripted Argo Server (httpx.MockTransport)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from lab.runs.records import Event
from lab.targets.argo_api import (
    ArgoAuthError,
    ArgoClient,
    ArgoConnectionError,
    ArgoNotFoundError,
    ArgoTimeoutError,
    bearer,
)

BASE = "https://203.0.113.10:2746"
NS = "argo-workflows"
API = f"{BASE}/api/v1/workflows/{NS}"
PARENT = "train-model-abc12"
CHILD = "build-container-image-x7k2p"
T0 = "2026-11-26T10:00:00Z"

TRAIN_TEMPLATES = [
    {"name": "training-and-build", "steps": [[{"name": "trigger-training-endpoint"}]]},
    {"name": "call-endpoint", "script": {"image": "alpine:3.18", "source": "..."}},
    {"name": "trigger-build", "resource": {"action": "create", "manifest": "..."}},
]


def node(
    wf: str,
    suffix: str,
    display: str,
    template: str,
    phase: str,
    *,
    group: int = 0,
    kind: str = "Pod",
    started: str | None = T0,
    finished: str | None = None,
    **extra: Any,
) -> tuple[str, dict[str, Any]]:
    """One entry of ``status.nodes`` as the Argo Server returns it."""
    value = {
        "id": f"{wf}-{suffix}",
        "name": f"{wf}[{group}].{display}",
        "displayName": display,
        "type": kind,
        "templateName": template,
        "phase": phase,
        "startedAt": started,
        "finishedAt": finished,
        **extra,
    }
    return value["id"], {k: v for k, v in value.items() if v is not None}


def workflow(
    name: str,
    template: str,
    phase: str | None,
    nodes: list[tuple[str, dict[str, Any]]],
    *,
    parameters: dict[str, str] | None = None,
    templates: list[dict[str, Any]] | None = None,
    message: str | None = None,
    created: str = T0,
    **meta: Any,
) -> dict[str, Any]:
    """A Workflow object as the Argo Server returns it (``phase`` None: just submitted)."""
    wf: dict[str, Any] = {
        "metadata": {
            "name": name,
            "namespace": NS,
            "uid": f"uid-{name}",
            "creationTimestamp": created,
            "labels": {"workflows.argoproj.io/workflow-template": template},
            **meta,
        },
        "spec": {
            "arguments": {
                "parameters": [{"name": k, "value": v} for k, v in (parameters or {}).items()]
            },
            "workflowTemplateRef": {"name": template},
        },
    }
    if phase is None:
        return wf
    root = {"id": name, "name": name, "displayName": name, "type": "Steps", "phase": phase}
    groups = {
        f"{name}-g{i}": {"id": f"{name}-g{i}", "name": f"{name}[{i}]", "type": "StepGroup"}
        for i in range(2)
    }
    status: dict[str, Any] = {
        "phase": phase,
        "startedAt": T0,
        "nodes": {name: root, **groups, **dict(nodes)},
        "storedWorkflowTemplateSpec": {"templates": templates or []},
    }
    if phase in ("Succeeded", "Failed", "Error"):
        status["finishedAt"] = "2026-11-26T10:05:00Z"
    if message:
        status["message"] = message
    wf["status"] = status
    return wf


def trigger(phase: str, **extra: Any) -> tuple[str, dict[str, Any]]:
    """train-model's trigger-training-endpoint step."""
    return node(PARENT, "1", "trigger-training-endpoint", "call-endpoint", phase, **extra)


def build(phase: str, *, name_output: bool = True, **extra: Any) -> tuple[str, dict[str, Any]]:
    """train-model's build-container step (a resource step creating build-container-image)."""
    outputs = {}
    if name_output and phase == "Succeeded":
        param = {
            "name": "workflow-name",
            "value": CHILD,
            "valueFrom": {"jsonPath": "{.metadata.name}"},
        }
        outputs = {"outputs": {"parameters": [param]}}
    return node(PARENT, "2", "build-container", "trigger-build", phase, group=1, **outputs, **extra)


def parent(phase: str | None, *steps: tuple[str, dict[str, Any]], **kw: Any) -> dict[str, Any]:
    return workflow(
        PARENT,
        "train-model",
        phase,
        list(steps),
        parameters={"endpoint-ip": "203.0.113.10"},
        templates=TRAIN_TEMPLATES,
        **kw,
    )


def child(phase: str, *steps: tuple[str, dict[str, Any]], **meta: Any) -> dict[str, Any]:
    return workflow(
        CHILD,
        "build-container-image",
        phase,
        list(steps),
        parameters={"model-version": "3"},
        created="2026-11-26T10:02:00Z",
        ownerReferences=[{"kind": "Workflow", "name": PARENT, "uid": f"uid-{PARENT}"}],
        **meta,
    )


def child_step(index: int, display: str, phase: str) -> tuple[str, dict[str, Any]]:
    return node(CHILD, str(index), display, display, phase, group=index)


class FakeArgo:
    """A scripted Argo Server: submit answers once, each GET of a Workflow its next snapshot."""

    def __init__(
        self,
        snapshots: dict[str, list[dict[str, Any]]],
        *,
        listed: list[dict[str, Any]] | None = None,
        answer: Callable[[httpx.Request], httpx.Response | None] | None = None,
    ) -> None:
        self.snapshots = {name: list(items) for name, items in snapshots.items()}
        self.listed = listed or []
        self.answer = answer
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.answer and (response := self.answer(request)) is not None:
            return response
        path = request.url.path
        if request.method == "POST" and path == f"/api/v1/workflows/{NS}/submit":
            return httpx.Response(200, json=parent(None))
        if request.method == "GET" and path == f"/api/v1/workflows/{NS}":
            return httpx.Response(200, json={"metadata": {}, "items": self.listed})
        name = path.rsplit("/", 1)[-1]
        if request.method == "GET" and name in self.snapshots:
            items = self.snapshots[name]
            return httpx.Response(200, json=items.pop(0) if len(items) > 1 else items[0])
        return httpx.Response(404, json={"code": 5, "message": f"{name} not found"})

    def calls(self) -> list[str]:
        return [f"{r.method} {r.url}" for r in self.requests]


class Clock:
    """A clock that moves only when the client sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def client(
    server: FakeArgo, *, token: str | None = "tok", shown: list[str] | None = None
) -> ArgoClient:
    clock = Clock()
    return ArgoClient(
        BASE,
        namespace=NS,
        token=token,
        http=httpx.Client(transport=httpx.MockTransport(server)),
        echo=(shown.append if shown is not None else lambda _: None),
        poll_interval_s=2.0,
        sleep=clock.sleep,
        clock=clock,
    )


def success_server() -> FakeArgo:
    """train-model succeeds and its build step creates a build-container-image that succeeds."""
    return FakeArgo(
        {
            PARENT: [
                parent("Running", trigger("Running")),
                parent(
                    "Succeeded",
                    trigger("Succeeded", outputs={"result": "3", "exitCode": "0"}),
                    build("Succeeded"),
                ),
            ],
            CHILD: [
                child(
                    "Running",
                    child_step(0, "clone-app", "Succeeded"),
                    child_step(1, "fetch-model", "Running"),
                ),
                child(
                    "Succeeded",
                    *(
                        child_step(i, step, "Succeeded")
                        for i, step in enumerate(
                            ["clone-app", "fetch-model", "build-image", "set-staging-alias"]
                        )
                    ),
                ),
            ],
        }
    )


def test_submit_sends_the_exact_request_and_shows_the_argo_command() -> None:
    server, shown = success_server(), []

    client(server, shown=shown).submit("train-model", {"endpoint-ip": "203.0.113.10"})

    (request,) = server.requests
    assert (request.method, str(request.url)) == ("POST", f"{API}/submit")
    assert request.headers["Authorization"] == "Bearer tok"
    assert json.loads(request.content) == {
        "namespace": NS,
        "resourceKind": "WorkflowTemplate",
        "resourceName": "train-model",
        "submitOptions": {"parameters": ["endpoint-ip=203.0.113.10"]},
    }
    assert shown == [
        f"# Argo Server API: POST {API}/submit",
        "$ argo submit --from workflowtemplate/train-model -p endpoint-ip=203.0.113.10"
        " -n argo-workflows",
    ]


def test_run_follows_parent_to_success_then_the_build_it_spawned() -> None:
    server, events, shown = success_server(), [], []

    run = client(server, shown=shown).run(
        "train-model", {"endpoint-ip": "203.0.113.10"}, on_event=events.append
    )

    assert server.calls() == [
        f"POST {API}/submit",
        f"GET {API}/{PARENT}",
        f"GET {API}/{PARENT}",
        f"GET {API}/{CHILD}",
        f"GET {API}/{CHILD}",
    ]
    assert all(r.headers["Authorization"] == "Bearer tok" for r in server.requests)
    assert f"$ argo watch {PARENT} -n argo-workflows" in shown
    assert f"$ argo watch {CHILD} -n argo-workflows" in shown

    assert (run.name, run.template, run.phase) == (PARENT, "train-model", "Succeeded")
    assert run.parameters == {"endpoint-ip": "203.0.113.10"}
    assert run.started == datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    assert [n.name for n in run.nodes] == ["trigger-training-endpoint", "build-container"]
    trigger_node, build_node = run.nodes
    assert (trigger_node.template, trigger_node.type, trigger_node.group) == (
        "call-endpoint",
        "Pod",
        0,
    )
    assert trigger_node.outputs.result == "3"
    assert (build_node.type, build_node.group, build_node.child) == ("Resource", 1, CHILD)
    assert build_node.path == f"{PARENT}[1].build-container"

    (built,) = run.children
    assert (built.name, built.template, built.phase) == (
        CHILD,
        "build-container-image",
        "Succeeded",
    )
    assert built.parameters == {"model-version": "3"}
    assert built.parent == build_node.path
    assert [n.name for n in built.nodes] == [
        "clone-app",
        "fetch-model",
        "build-image",
        "set-staging-alias",
    ]

    def brief(e: Event) -> tuple[str, str, str | None, str | None]:
        return (e.kind, e.run_name, e.node, e.phase)

    assert [brief(e) for e in events] == [
        ("workflow-started", PARENT, None, "Running"),
        ("node-started", PARENT, "trigger-training-endpoint", "Running"),
        ("node-finished", PARENT, "trigger-training-endpoint", "Succeeded"),
        ("node-started", PARENT, "build-container", "Running"),
        ("node-finished", PARENT, "build-container", "Succeeded"),
        ("workflow-finished", PARENT, None, "Succeeded"),
        ("workflow-started", CHILD, None, "Running"),
        ("node-started", CHILD, "clone-app", "Running"),
        ("node-finished", CHILD, "clone-app", "Succeeded"),
        ("node-started", CHILD, "fetch-model", "Running"),
        ("node-finished", CHILD, "fetch-model", "Succeeded"),
        ("node-started", CHILD, "build-image", "Running"),
        ("node-finished", CHILD, "build-image", "Succeeded"),
        ("node-started", CHILD, "set-staging-alias", "Running"),
        ("node-finished", CHILD, "set-staging-alias", "Succeeded"),
        ("workflow-finished", CHILD, None, "Succeeded"),
    ]
    assert events[0].template == "train-model" and events[1].template == "call-endpoint"


def test_child_is_found_by_label_when_no_output_names_it() -> None:
    mine = child("Succeeded", child_step(0, "clone-app", "Succeeded"))
    older = workflow(
        "build-container-image-old",
        "build-container-image",
        "Succeeded",
        [],
        created="2026-11-26T09:00:00Z",
    )
    other = workflow(
        "build-container-image-other",
        "build-container-image",
        "Running",
        [],
        ownerReferences=[{"kind": "Workflow", "name": "train-model-zzz", "uid": "u2"}],
    )
    server = FakeArgo(
        {
            PARENT: [
                parent("Succeeded", trigger("Succeeded"), build("Succeeded", name_output=False))
            ],
            CHILD: [mine],
        },
        listed=[older, other, mine],
    )

    run = client(server).run("train-model", {"endpoint-ip": "203.0.113.10"})

    list_request = server.requests[2]
    assert str(list_request.url.copy_with(query=None)) == API
    assert list_request.url.params["listOptions.labelSelector"] == (
        "workflows.argoproj.io/workflow-template=build-container-image"
    )
    assert [c.name for c in run.children] == [CHILD]
    assert run.node("build-container").child == CHILD
    assert run.children[0].parent == f"{PARENT}[1].build-container"


def test_failed_step_message_is_surfaced_and_nothing_is_looked_for() -> None:
    failed = trigger("Failed", message="Error (exit code 22)", finished="2026-11-26T10:01:00Z")
    server = FakeArgo(
        {PARENT: [parent("Failed", failed, message="child 'train-model-abc12-1' failed")]}
    )
    shown: list[str] = []

    run = client(server, shown=shown).run("train-model", {"endpoint-ip": "203.0.113.10"})

    assert run.phase == "Failed"
    assert run.message == "child 'train-model-abc12-1' failed"
    assert run.node("trigger-training-endpoint").message == "Error (exit code 22)"
    assert run.children == []
    assert server.calls() == [f"POST {API}/submit", f"GET {API}/{PARENT}"]
    # Without on_event, progress goes through echo as one line per event.
    assert any("trigger-training-endpoint: Failed (Error (exit code 22))" in line for line in shown)


def test_skipped_build_is_recorded_and_spawns_nothing() -> None:
    skipped = build(
        "Skipped", message="when '' != '' evaluated false", kind="Skipped", started=None
    )
    server = FakeArgo({PARENT: [parent("Succeeded", trigger("Succeeded"), skipped)]})
    events: list[Event] = []

    run = client(server).run("train-model", {"endpoint-ip": "203.0.113.10"}, on_event=events.append)

    build_node = run.node("build-container")
    assert (build_node.phase, build_node.type, build_node.attempts) == ("Skipped", "Skipped", 0)
    assert build_node.message == "when '' != '' evaluated false"
    assert run.children == []
    assert [e.kind for e in events if e.node == "build-container"] == ["node-finished"]
    assert len(server.requests) == 2  # submit and one GET: no list


def test_token_rejected_says_how_to_make_one() -> None:
    server = FakeArgo(
        {}, answer=lambda r: httpx.Response(401, json={"code": 16, "message": "token not valid"})
    )

    with pytest.raises(ArgoAuthError) as caught:
        client(server).submit("train-model", {})

    message = str(caught.value)
    assert "token rejected" in message and "token not valid" in message
    assert "kubectl create token argo-server -n argo-workflows" in message
    assert "ARGO_TOKEN" in message


def test_missing_token_is_named_as_such() -> None:
    server = FakeArgo(
        {}, answer=lambda r: httpx.Response(401, json={"code": 16, "message": "no token"})
    )

    with pytest.raises(ArgoAuthError, match="no token sent"):
        client(server, token=None).submit("train-model", {})
    assert "Authorization" not in server.requests[0].headers


def test_unknown_template_says_to_apply_it_or_check_the_namespace() -> None:
    not_found = {"code": 5, "message": 'workflowtemplates.argoproj.io "train-model" not found'}
    server = FakeArgo({}, answer=lambda r: httpx.Response(404, json=not_found))

    with pytest.raises(ArgoNotFoundError) as caught:
        client(server).submit("train-model", {"endpoint-ip": "203.0.113.10"})

    message = str(caught.value)
    assert "WorkflowTemplate 'train-model' not found in namespace 'argo-workflows'" in message
    assert "kubectl apply -n argo-workflows -f workflows/train-model.yaml" in message
    assert "check the namespace" in message


def test_unreachable_server_names_the_url() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    with pytest.raises(ArgoConnectionError) as caught:
        client(FakeArgo({}, answer=refuse)).submit("train-model", {})

    message = str(caught.value)
    assert f"cannot reach the Argo Server at {API}/submit" in message
    assert "Connection refused" in message and "port 2746" in message


def test_timeout_names_the_workflow_and_keeps_the_partial_record() -> None:
    server = FakeArgo({PARENT: [parent("Running", trigger("Running"))]})

    with pytest.raises(ArgoTimeoutError, match=f"{PARENT}.*10 s.*argo watch {PARENT}") as caught:
        client(server).run("train-model", {}, timeout_s=10)

    assert caught.value.run is not None
    assert caught.value.run.node("trigger-training-endpoint").phase == "Running"


@pytest.mark.parametrize(
    ("token", "header"),
    [("abc", "Bearer abc"), ("Bearer abc", "Bearer abc"), (" abc\n", "Bearer abc")],
)
def test_bearer_accepts_argo_token_with_or_without_prefix(token: str, header: str) -> None:
    assert bearer(token) == header
