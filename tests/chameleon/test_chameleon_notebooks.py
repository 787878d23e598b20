"""The three notebooks with ``target="chameleon"``, unchanged, against this machine as the cluster.

Run by ``make test-chameleon`` (it sets ``LAB_CHAMELEON_E2E=1``; needs root for sshd and
the user cc). Over real SSH to the node1 stand-in: clone, ``docker build``/``run``/``logs``,
the tunnel (ssh -L + the stand-in kubectl port-forward), the course's templates replaced by
ours, submit and follow through the official SDK, the build found by its template, and
MLflow 3.9.0 (the course's server version) read and written by our pinned clients.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from lab.targets.argo_templates import SOURCE
from tests.chameleon.standin.cluster import ROOT, StandInCluster

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("LAB_CHAMELEON_E2E") != "1",
        reason="run by `make test-chameleon` (root: it starts an sshd and adds user cc)",
    ),
]
NOTEBOOKS = ["01_setup_training_env", "02_run_training", "03_container_build"]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory):
    standin = StandInCluster(tmp_path_factory.mktemp("chameleon"))
    try:
        standin.start()
        yield standin
    finally:
        standin.stop()


def outputs(path: Path) -> str:
    """Every text output of an executed notebook."""
    cells = json.loads(path.read_text())["cells"]
    texts = []
    for cell in cells:
        for out in cell.get("outputs", []):
            text = out.get("text") or "".join(out.get("data", {}).get("text/plain", ""))
            texts.append(text if isinstance(text, str) else "".join(text))
    return "\n".join(texts)


def test_the_three_notebooks_run_on_the_standin_cluster(
    cluster: StandInCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import papermill

    monkeypatch.delenv("ARGO_TOKEN", raising=False)
    parameters = {
        "target": "chameleon",
        "floating_ip": cluster.address,
        "ssh_key": str(cluster.key),
        "repo_url": cluster.repo_url,
        "progress": "text",
    }
    seconds = {}
    for name in NOTEBOOKS:
        start = time.monotonic()
        papermill.execute_notebook(
            str(ROOT / "notebooks" / f"{name}.ipynb"),
            str(tmp_path / f"{name}.ipynb"),
            parameters=parameters,
            kernel_name="python3",
            cwd=str(ROOT / "notebooks"),
            progress_bar=False,
            execution_timeout=3600,
        )
        seconds[name] = time.monotonic() - start
    print("chameleon notebooks:", {k: f"{v:.0f} s" for k, v in seconds.items()})

    first, second, third = (outputs(tmp_path / f"{n}.ipynb") for n in NOTEBOOKS)
    # 01: preflight, then the clone and build on node1, with the stand-ins saying so.
    assert "ready" in first and "FAIL" not in first
    assert "Argo Server" in first and "v3.6.5, via node1" in first
    assert "server 3.9.0, client 3.17.2 (tested together)" in first
    assert "stand-in kubectl (this CI machine has no Kubernetes)" in first
    assert "ssh -L 2746:127.0.0.1:2746 cc@" in first
    assert "kubectl -n argo port-forward svc/argo-server 2746:2746" in first
    assert "is not a clone on node1 yet: cloning" in first
    assert "stand-in node1: this machine cannot reach Docker Hub" in first
    assert "Uvicorn running on http://0.0.0.0:8000" in first
    # 02: the course's templates replaced by ours before anything was submitted.
    assert "replacing it with this lab's workflows/train-model.yaml" in second
    argo = cluster.argo
    assert argo is not None and not argo.violations, argo.violations
    for name in ("train-model", "build-container-image"):
        assert argo.templates[name]["metadata"]["annotations"][SOURCE].startswith(
            f"workflows/{name}.yaml sha256:"
        )
    submits = [r for r in argo.requests if r.endswith("/submit")]
    first_submit = argo.requests.index(submits[0])
    assert any(
        r.startswith("PUT /api/v1/workflow-templates/argo/") for r in argo.requests[:first_submit]
    )
    # 03: the build that train-model created, found by its template ref, built and pushed.
    assert "build-image:   Succeeded" in third
    assert "was built and pushed; staging -> version" in third
    builds = [
        w
        for w in argo.workflows.values()
        if w["spec"]["workflowTemplateRef"]["name"] == "build-container-image"
    ]
    assert builds and all(w["status"]["phase"] == "Succeeded" for w in builds)
    assert all(
        w["metadata"]["labels"]["workflows.argoproj.io/workflow-template"]
        == "build-container-image"
        for w in builds
    )
    repos = {
        p["value"]
        for w in builds
        for p in w["spec"]["arguments"]["parameters"]
        if p["name"] == "app-repo"
    }
    assert repos == {cluster.repo_url}
