"""The stand-in Argo Server against the real client over HTTPS: v3.6.5-shaped and spec-checked.

The rehearsal behind it is replaced by a scripted one here (records as the rehearsal makes
them), so these tests need no ports but a free one and run in seconds.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from lab.runs.records import Event, NodeRecord, Outputs, WorkflowRun
from lab.targets.argo_client import ArgoServer
from lab.targets.argo_errors import ArgoForbiddenError
from lab.targets.argo_follow import Follower
from lab.targets.argo_templates import ensure_templates
from tests.chameleon.standin.argo_server import ArgoStandIn
from tests.chameleon.standin.fields import clean
from tests.chameleon.standin.https import serve

ROOT = Path(__file__).resolve().parents[2]
T = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def record(name: str, template: str, path: str, group: int | None, **kw: Any) -> NodeRecord:
    return NodeRecord(
        name=name,
        template=template,
        path=path,
        group=group,
        phase=kw.pop("phase", "Succeeded"),
        started=T,
        finished=T + timedelta(seconds=5),
        attempts=kw.pop("attempts", 1),
        **kw,
    )


def scripted_run(release: threading.Event):
    """A rehearsal stand-in: train-model registers version 3 and creates one build."""

    def rehearse(templates: dict, name: str, given: dict, on_event: Any) -> WorkflowRun:
        assert "endpoint-ip" in templates[name]["spec"]["arguments"]["parameters"][0]["name"]
        run_name = "train-model-r4nd0"
        on_event(Event("workflow-started", run_name, template=name, phase="Running"))
        on_event(Event("node-started", run_name, "trigger-training-endpoint", "Running"))
        release.wait(10)
        built = "build-container-image-k2p7x"
        steps = ["clone-app", "fetch-model", "build-image", "set-staging-alias"]
        child = WorkflowRun(
            name=built,
            template="build-container-image",
            parameters={"model-version": "3", **{k: v for k, v in given.items() if "app" in k}},
            phase="Succeeded",
            started=T,
            finished=T + timedelta(seconds=60),
            nodes=[
                record(built, "build-and-tag", built, None, type="Steps"),
                *(
                    record(step, step, f"{built}[{i}].{step}", i, attempts=2 if i == 0 else 1)
                    for i, step in enumerate(steps)
                ),
            ],
        )
        build = record(
            "build-container",
            "trigger-build",
            f"{run_name}[1].build-container",
            1,
            type="Resource",
            child=child.name,
            outputs=Outputs(parameters={"workflow-name": child.name}),
        )
        return WorkflowRun(
            name=run_name,
            template=name,
            parameters=given,
            phase="Succeeded",
            started=T,
            finished=T + timedelta(seconds=90),
            nodes=[
                record(run_name, "training-and-build", run_name, None, type="Steps"),
                record(
                    "trigger-training-endpoint",
                    "call-endpoint",
                    f"{run_name}[0].trigger-training-endpoint",
                    0,
                    outputs=Outputs(result="3"),
                ),
                build,
            ],
            children=[child],
        )

    return rehearse


@pytest.fixture
def standin(tmp_path: Path):
    course = [
        yaml.safe_load(p.read_text()) for p in (ROOT / "tests/chameleon/data/course").glob("*.yaml")
    ]
    release = threading.Event()
    argo = ArgoStandIn(scripted_run(release), course)
    server = serve(argo, tmp_path)
    client = ArgoServer(
        f"https://127.0.0.1:{server.server_port}", namespace="argo", echo=lambda _: None
    )
    yield argo, client, release
    release.set()
    argo.wait(5)
    server.shutdown()


def test_a_submitted_template_is_followed_to_its_build_over_https(standin) -> None:
    argo, client, release = standin
    ensure_templates(client, ROOT, echo=lambda _: None)
    events: list[Event] = []

    def let_it_finish(_: float) -> None:
        """The first poll saw it running: now let the scripted rehearsal end."""
        release.set()
        threading.Event().wait(0.05)

    follower = Follower(client, echo=lambda _: None, poll_interval_s=0.05, sleep=let_it_finish)
    run = follower.run(
        "train-model",
        {"endpoint-ip": "172.17.0.1", "app-repo": "/srv/lab.git", "app-revision": "main"},
        on_event=events.append,
    )

    assert not argo.violations, argo.violations
    assert (run.phase, run.node("trigger-training-endpoint").outputs.result) == ("Succeeded", "3")
    assert run.node("build-container").child == "build-container-image-k2p7x"
    (build,) = run.children
    assert build.phase == "Succeeded"
    assert [n.name for n in build.nodes] == [
        "clone-app",
        "fetch-model",
        "build-image",
        "set-staging-alias",
    ]
    assert build.node("clone-app").attempts == 2 and build.node("clone-app").type == "Retry"
    assert build.parameters == {
        "model-version": "3",
        "app-repo": "/srv/lab.git",
        "app-revision": "main",
    }
    listed = client.list()
    assert {w["metadata"]["name"] for w in listed} == {run.name, build.name}
    assert all(set(w) <= {"metadata", "spec", "status"} for w in listed)
    assert ("node-started", "trigger-training-endpoint") in [(e.kind, e.node) for e in events]


def test_another_namespace_is_forbidden_as_the_namespaced_install_answers(standin) -> None:
    elsewhere = ArgoServer(
        f"https://127.0.0.1:{argo_port(standin)}", namespace="argo-workflows", echo=lambda _: None
    )
    with pytest.raises(ArgoForbiddenError, match="argo_namespace"):
        elsewhere.list()


def argo_port(standin) -> int:
    return int(standin[1].base_url.rsplit(":", 1)[1])


def test_fields_keep_only_the_listed_paths_as_argo_does() -> None:
    data = {
        "metadata": {"x": 1},
        "items": [{"metadata": {"name": "a", "uid": "u"}, "status": {"nodes": {}}}],
    }
    assert clean(data, "metadata,items.metadata.name") == {
        "metadata": {"x": 1},
        "items": [{"metadata": {"name": "a"}}],
    }
    assert clean(data, "-items.status") == {
        "metadata": {"x": 1},
        "items": [{"metadata": {"name": "a", "uid": "u"}}],
    }
