"""Contract tests of the Argo Server client (the official SDK) and the follower.

Every request goes through the SDK into a scripted server (``argo_fakes.FakeArgo``) that
checks it, and every canned answer, against Argo v3.6.5's API spec.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from lab.targets.argo_client import ArgoServer, bearer
from lab.targets.argo_errors import (
    ArgoAuthError,
    ArgoConnectionError,
    ArgoForbiddenError,
    ArgoNotFoundError,
    ArgoTimeoutError,
)
from lab.targets.argo_follow import Follower
from lab.targets.argo_records import Event
from tests.chameleon.contract import ContractError, check_response
from tests.targets.argo_fakes import NS, T0, Clock, FakeArgo

BASE = "https://127.0.0.1:2746"
API = f"/api/v1/workflows/{NS}"
PARENT = "train-model-abc12"
CHILD = "build-container-image-x7k2p"
REPO = Path(__file__).resolve().parents[2]

TRAIN_TEMPLATES = [
    {"name": "training-and-build", "steps": [[{"name": "trigger-training-endpoint"}]]},
    {"name": "call-endpoint", "script": {"image": "alpine:3.21.3", "source": "..."}},
    {
        "name": "trigger-build",
        "resource": {
            "action": "create",
            "manifest": "kind: Workflow\nspec:\n  workflowTemplateRef:\n"
            "    name: build-container-image\n",
        },
    },
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
    if phase is None:  # just created: Go marshals the unset times as null
        wf["status"] = {"startedAt": None, "finishedAt": None}
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
    # A running Workflow has "finishedAt": null (argoproj/argo-workflows#9122).
    status["finishedAt"] = None
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
        ownerReferences=[
            {
                "apiVersion": "argoproj.io/v1alpha1",
                "kind": "Workflow",
                "name": PARENT,
                "uid": f"uid-{PARENT}",
            }
        ],
        **meta,
    )


def child_step(index: int, display: str, phase: str) -> tuple[str, dict[str, Any]]:
    return node(CHILD, str(index), display, display, phase, group=index)


def client(
    server: FakeArgo, *, token: str | None = None, shown: list[str] | None = None
) -> ArgoServer:
    return ArgoServer(
        BASE,
        namespace=NS,
        token=token,
        echo=(shown.append if shown is not None else lambda _: None),
        unreachable_hint="(tunnel hint)",
        pool=server,
    )


def follower(server: FakeArgo, shown: list[str] | None = None, **kw: Any) -> Follower:
    clock = Clock()
    echo = shown.append if shown is not None else lambda _: None
    return Follower(
        client(server, shown=shown, **kw),
        echo=echo,
        poll_interval_s=2.0,
        sleep=clock.sleep,
        clock=clock,
    )


def success_server() -> FakeArgo:
    """train-model succeeds and its build step creates a build-container-image that succeeds."""
    return FakeArgo(
        submitted=parent(None),
        snapshots={
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
        },
    )


def test_submit_sends_the_exact_request_and_shows_the_argo_command() -> None:
    server, shown = success_server(), []

    client(server, shown=shown).submit("train-model", {"endpoint-ip": "203.0.113.10"})

    (request,) = server.sent
    assert (request.method, request.url) == ("POST", f"{BASE}{API}/submit")
    assert "Authorization" not in request.headers  # the course's server needs no token
    assert request.json == {
        "namespace": NS,
        "resourceKind": "WorkflowTemplate",
        "resourceName": "train-model",
        "submitOptions": {"parameters": ["endpoint-ip=203.0.113.10"]},
    }
    assert shown == [
        f"# Argo Server API: POST {BASE}{API}/submit",
        "$ argo submit --from workflowtemplate/train-model -p endpoint-ip=203.0.113.10 -n argo",
    ]


def test_a_token_is_sent_only_when_given() -> None:
    server = success_server()

    client(server, token="tok").submit("train-model", {})

    assert server.sent[0].headers["Authorization"] == "Bearer tok"


def test_run_follows_parent_to_success_then_the_build_it_spawned() -> None:
    server, events, shown = success_server(), [], []

    run = follower(server, shown, token="tok").run(
        "train-model", {"endpoint-ip": "203.0.113.10"}, on_event=events.append
    )

    assert server.calls() == [
        f"POST {API}/submit",
        f"GET {API}/{PARENT}",
        f"GET {API}/{PARENT}",
        f"GET {API}/{CHILD}",
        f"GET {API}/{CHILD}",
    ]
    assert all(r.headers["Authorization"] == "Bearer tok" for r in server.sent)
    assert f"$ argo watch {PARENT} -n argo" in shown
    assert f"$ argo watch {CHILD} -n argo" in shown

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


def test_child_is_found_by_its_template_ref_when_no_output_names_it() -> None:
    """v3.6.5 does not label a Workflow made by a resource step: match workflowTemplateRef."""
    mine = child("Succeeded", child_step(0, "clone-app", "Succeeded"))
    del mine["metadata"]["labels"]
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
        ownerReferences=[
            {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "name": "x", "uid": "u2"}
        ],
    )
    unrelated = workflow("train-model-zzz", "train-model", "Succeeded", [])
    server = FakeArgo(
        submitted=parent(None),
        snapshots={
            PARENT: [
                parent("Succeeded", trigger("Succeeded"), build("Succeeded", name_output=False))
            ],
            CHILD: [mine],
        },
        listed=[older, other, mine, unrelated],
    )

    run = follower(server).run("train-model", {"endpoint-ip": "203.0.113.10"})

    listing = server.sent[2]
    assert (listing.method, listing.path) == ("GET", API)
    assert "listOptions.labelSelector" not in listing.query
    assert "items.spec.workflowTemplateRef" in listing.query["fields"]
    assert server.calls()[3:] == [f"GET {API}/{CHILD}"]  # the full object, already done
    assert [c.name for c in run.children] == [CHILD]
    assert run.node("build-container").child == CHILD
    assert run.children[0].parent == f"{PARENT}[1].build-container"


def test_failed_step_message_is_surfaced_and_nothing_is_looked_for() -> None:
    failed = trigger("Failed", message="Error (exit code 22)", finished="2026-11-26T10:01:00Z")
    server = FakeArgo(
        submitted=parent(None),
        snapshots={
            PARENT: [parent("Failed", failed, message="child 'train-model-abc12-1' failed")]
        },
    )
    shown: list[str] = []

    run = follower(server, shown).run("train-model", {"endpoint-ip": "203.0.113.10"})

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
    server = FakeArgo(
        submitted=parent(None),
        snapshots={PARENT: [parent("Succeeded", trigger("Succeeded"), skipped)]},
    )
    events: list[Event] = []

    run = follower(server).run(
        "train-model", {"endpoint-ip": "203.0.113.10"}, on_event=events.append
    )

    build_node = run.node("build-container")
    assert (build_node.phase, build_node.type, build_node.attempts) == ("Skipped", "Skipped", 0)
    assert build_node.message == "when '' != '' evaluated false"
    assert run.children == []
    assert [e.kind for e in events if e.node == "build-container"] == ["node-finished"]
    assert len(server.sent) == 2  # submit and one GET: no list


def test_a_rejected_token_says_the_course_server_needs_none() -> None:
    server = FakeArgo(answer=lambda r: (401, {"code": 16, "message": "token not valid"}))

    with pytest.raises(ArgoAuthError) as caught:
        client(server, token="old").submit("train-model", {})

    message = str(caught.value)
    assert "rejected the token" in message and "token not valid" in message
    assert "needs none" in message and "ARGO_TOKEN" in message


def test_a_server_that_wants_a_token_is_named_as_such() -> None:
    server = FakeArgo(answer=lambda r: (401, {"code": 16, "message": "no token"}))

    with pytest.raises(ArgoAuthError, match="wants a token") as caught:
        client(server).submit("train-model", {})
    assert "Authorization" not in server.sent[0].headers
    assert "kubectl -n argo create token" in str(caught.value)


def test_forbidden_names_the_namespace_and_rbac_not_a_token() -> None:
    said = (
        'workflows.argoproj.io is forbidden: User "system:serviceaccount:argo:argo-server" '
        'cannot list resource "workflows" in the namespace "argo"'
    )
    server = FakeArgo(answer=lambda r: (403, {"code": 7, "message": said}))

    with pytest.raises(ArgoForbiddenError) as caught:
        client(server).list()

    message = str(caught.value)
    assert "may not list Workflows in namespace 'argo'" in message and said in message
    assert "argo_namespace" in message and "RBAC" in message
    assert "kubectl auth can-i --list -n argo" in message
    assert "token" not in message


def test_unknown_template_says_to_apply_it_or_check_the_namespace() -> None:
    not_found = {"code": 5, "message": 'workflowtemplates.argoproj.io "train-model" not found'}
    server = FakeArgo(answer=lambda r: (404, not_found))

    with pytest.raises(ArgoNotFoundError) as caught:
        client(server).submit("train-model", {"endpoint-ip": "203.0.113.10"})

    message = str(caught.value)
    assert "WorkflowTemplate 'train-model' not found in namespace 'argo'" in message
    assert "kubectl apply -n argo -f workflows/train-model.yaml" in message
    assert "check the namespace" in message


def test_unreachable_server_names_the_url_and_the_tunnel() -> None:
    unreachable = ArgoServer("https://127.0.0.1:9", namespace=NS, unreachable_hint="(tunnel)")

    with pytest.raises(ArgoConnectionError) as caught:
        unreachable.submit("train-model", {})

    message = str(caught.value)
    assert f"cannot reach the Argo Server at https://127.0.0.1:9{API}/submit" in message
    assert "Connection refused" in message and message.endswith("(tunnel)")


def test_timeout_names_the_workflow_and_keeps_the_partial_record() -> None:
    server = FakeArgo(
        submitted=parent(None), snapshots={PARENT: [parent("Running", trigger("Running"))]}
    )

    with pytest.raises(ArgoTimeoutError, match=f"{PARENT}.*10 s.*argo watch {PARENT}") as caught:
        follower(server).run("train-model", {}, timeout_s=10)

    assert caught.value.run is not None
    assert caught.value.run.node("trigger-training-endpoint").phase == "Running"


@pytest.mark.parametrize(
    ("token", "header"),
    [("abc", "Bearer abc"), ("Bearer abc", "Bearer abc"), (" abc\n", "Bearer abc")],
)
def test_bearer_accepts_argo_token_with_or_without_prefix(token: str, header: str) -> None:
    assert bearer(token) == header


def test_each_workflow_is_followed_with_its_own_deadline() -> None:
    """activeDeadlineSeconds (+ a grace) bounds the following, not one shared timeout."""
    running = parent("Running", trigger("Running"))
    running["status"]["storedWorkflowTemplateSpec"]["activeDeadlineSeconds"] = 60
    server = FakeArgo(submitted=parent(None), snapshots={PARENT: [running]})
    shown: list[str] = []

    with pytest.raises(ArgoTimeoutError, match=f"{PARENT!r} has not finished after 180 s"):
        follower(server, shown).run("train-model", {}, timeout_s=5)
    assert any(f"argo watch {PARENT}" in line for line in shown)


def test_version_and_info_read_the_server() -> None:
    server = FakeArgo()
    argo = client(server)

    assert argo.version()["version"] == "v3.6.5"
    assert argo.info()["managedNamespace"] == NS
    assert server.calls() == ["GET /api/v1/version", "GET /api/v1/info"]


def course_template(name: str) -> dict[str, Any]:
    """The course's own template of that name, as the cluster holds it after its Ansible."""
    import yaml

    doc = yaml.safe_load((REPO / "tests/chameleon/data/course" / f"{name}.yaml").read_text())
    doc["metadata"].update(namespace=NS, resourceVersion="7", uid=f"uid-{name}")
    doc["metadata"]["creationTimestamp"] = T0
    return doc


def test_our_templates_replace_the_courses_and_are_created_when_missing() -> None:
    from lab.targets.argo_templates import ensure_templates

    server = FakeArgo(templates={"train-model": course_template("train-model")})
    shown: list[str] = []

    states = ensure_templates(client(server), REPO, echo=shown.append)

    assert [(s.name, s.state) for s in states] == [
        ("train-model", "other"),
        ("build-container-image", "missing"),
    ]
    assert "its parameters are branch" in states[0].detail
    update, create = server.sent[1], server.sent[3]
    assert (update.method, update.path) == ("PUT", f"/api/v1/workflow-templates/{NS}/train-model")
    assert update.json["template"]["metadata"]["resourceVersion"] == "7"
    assert (create.method, create.path) == ("POST", f"/api/v1/workflow-templates/{NS}")
    stored = server.templates["train-model"]["spec"]["arguments"]["parameters"]
    assert "endpoint-ip" in [p["name"] for p in stored]
    assert any("replacing it with this lab's workflows/train-model.yaml" in s for s in shown)
    apply = "$ kubectl apply -n argo -f workflows/build-container-image.yaml"
    assert f"{apply}   # on node1, in the repository" in shown

    again = ensure_templates(client(server), REPO, echo=shown.append)

    assert [s.state for s in again] == ["ours", "ours"]
    assert [s.method for s in server.sent[4:]] == ["GET", "GET"]  # nothing written


def test_the_contract_refuses_what_v3_6_5_does_not_define() -> None:
    answer = parent("Running", trigger("Running"))
    check_response("GET", f"{BASE}{API}/{PARENT}", 200, answer)  # null finishedAt is fine
    answer["status"]["phaze"] = "Running"
    with pytest.raises(ContractError, match="phaze"):
        check_response("GET", f"{BASE}{API}/{PARENT}", 200, answer)
