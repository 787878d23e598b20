"""Before the first real step: check each thing a target needs, and say what to fix for each.

On Chameleon: SSH to node1, Docker there, the tunnel to the Argo Server, its version and
namespace, our WorkflowTemplates, and MLflow (reachable, and a server version our pinned
client is tested with). Locally: the mode, the templates, the MLflow client.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

import httpx

from lab.httpclients import http_get
from lab.targets.argo_access import ArgoAccess
from lab.targets.argo_errors import ArgoError
from lab.targets.ssh import RemoteShell, SSHError


class ChameleonTarget(Protocol):
    """What the checks read of the chameleon target (a protocol: no import cycle)."""

    shell: RemoteShell
    argo_url: str
    root: Path

    @property
    def argo(self) -> ArgoAccess: ...

    @property
    def mlflow_uri(self) -> str: ...


OK, NOTE, FAIL = "ok", "note", "FAIL"
ARGO_TESTED = "v3.6."  # the course cluster runs v3.6.5; the SDK and spec are v3.6.5's
# MLflow servers our pinned clients are tested against: 3.9 (the course cluster's
# ghcr.io/mlflow/mlflow:v3.9.0, in `make test-chameleon`) and 3.17 (our own pins).
MLFLOW_TESTED = ("3.9", "3.17")


@dataclass(frozen=True)
class Check:
    """One thing checked: what, how it went, what was found, and what to do if it failed."""

    name: str
    status: str
    detail: str
    fix: str = ""


@dataclass
class Report:
    """The checks in order; ``ok`` when none failed (notes are fine)."""

    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether nothing failed."""
        return all(c.status != FAIL for c in self.checks)

    def add(self, name: str, status: str, detail: str, fix: str = "") -> bool:
        """Record one check; returns whether it did not fail."""
        self.checks.append(Check(name, status, detail.strip(), fix.strip()))
        return status != FAIL

    def __str__(self) -> str:
        lines = []
        for c in self.checks:
            lines.append(f"{c.status:<4}  {c.name:<22} {c.detail}")
            if c.fix:
                lines.append(f"{'':<28}fix: {c.fix}")
        verdict = "ready" if self.ok else "not ready: fix each FAIL above, then run this again"
        return "\n".join([*lines, verdict])


def mlflow_client_version() -> str:
    """The installed MLflow client (``mlflow`` or ``mlflow-skinny``)."""
    for name in ("mlflow", "mlflow-skinny"):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "not installed"


def check_mlflow(report: Report, uri: str) -> None:
    """MLflow answers ``/health``, and its ``/version`` is one our client is tested with."""
    client = mlflow_client_version()
    try:
        health = http_get(f"{uri}/health", timeout=10)
        server = http_get(f"{uri}/version", timeout=10).text.strip()
    except httpx.HTTPError as error:
        report.add(
            "MLflow",
            FAIL,
            f"{uri} does not answer: {error}",
            "check that port 8000 is open on the floating IP and that MLflow runs "
            "(on node1: `kubectl -n gourmetgram-platform get pods`)",
        )
        return
    if health.status_code != 200:
        report.add("MLflow", FAIL, f"{uri}/health answered {health.status_code}", "is it MLflow?")
        return
    tested = ".".join(server.split(".")[:2]) in MLFLOW_TESTED
    if server.split(".")[0] != client.split(".")[0]:
        report.add(
            "MLflow",
            FAIL,
            f"server {server}, client {client}: different major versions",
            "use the MLflow the course installs (3.9) and this repository's pins",
        )
    elif tested:
        report.add("MLflow", OK, f"{uri}: server {server}, client {client} (tested together)")
    else:
        report.add(
            "MLflow",
            NOTE,
            f"{uri}: server {server}, client {client}: not a pair we tested "
            f"(tested servers: {', '.join(MLFLOW_TESTED)})",
        )


def chameleon_checks(target: ChameleonTarget) -> Report:
    """Every check for the chameleon target; later checks are skipped when they cannot work."""
    report = Report()
    shell = target.shell
    try:
        host = shell.run(["hostname"], timeout_s=30, show=False).stdout.strip()
        report.add("SSH to node1", OK, f"{shell.destination} is {host}")
        docker = shell.run(
            ["docker", "version", "--format", "{{.Server.Version}}"],
            timeout_s=60,
            check=False,
            merge_stderr=True,
            show=False,
        )
        if docker.returncode == 0:
            report.add("Docker on node1", OK, f"engine {docker.stdout.strip()}")
        else:
            report.add(
                "Docker on node1",
                FAIL,
                docker.stdout.strip()[-300:],
                f"on node1: `sudo usermod -aG docker {shell.user}`, then log in again",
            )
    except SSHError as error:
        report.add("SSH to node1", FAIL, str(error).splitlines()[0], str(error))
        if not target.argo_url:
            report.add("Argo Server", FAIL, "not tried: the tunnel goes through node1's SSH")
    if report.ok or target.argo_url:
        _argo_checks(report, target)
    check_mlflow(report, target.mlflow_uri)
    return report


def _argo_checks(report: Report, target: ChameleonTarget) -> None:
    """The tunnel, the server's version and namespace, and our templates."""
    from lab.targets.argo_templates import OURS, our_manifest, state_of

    try:
        argo = target.argo.server
        version = argo.version().get("version", "?")
    except (ArgoError, SSHError, RuntimeError) as error:
        how = "tunnel to the Argo Server" if not target.argo_url else "Argo Server"
        report.add(how, FAIL, str(error).splitlines()[0], str(error))
        return
    way = f"via node1 at {argo.base_url}" if target.argo.tunnel else argo.base_url
    report.add("Argo Server", OK if version.startswith(ARGO_TESTED) else NOTE, f"{version}, {way}")
    try:
        managed = argo.info().get("managedNamespace") or ""
        if managed and managed != argo.namespace:
            report.add(
                "Argo namespace",
                FAIL,
                f"the server manages namespace {managed!r}, not {argo.namespace!r}",
                f"set argo_namespace = {managed!r}",
            )
            return
        count = len(argo.list())
        report.add("Argo namespace", OK, f"{argo.namespace}: {count} workflows, may list them")
        for name in OURS:
            state = state_of(argo.get_template(name), our_manifest(target.root, name))
            if state.state == "ours":
                report.add(f"template {name}", OK, "this lab's, unchanged")
            else:
                report.add(
                    f"template {name}",
                    NOTE,
                    f"{state.state} ({state.detail or 'not there'}): the first submit "
                    f"{'creates' if state.state == 'missing' else 'replaces'} it from "
                    f"workflows/{name}.yaml",
                )
    except ArgoError as error:
        report.add("Argo namespace", FAIL, str(error).splitlines()[0], str(error))


def local_checks(target: Any) -> Report:
    """The local target: which mode, the templates it rehearses, the MLflow client."""
    from lab.targets.argo_templates import OURS

    report = Report()
    report.add("mode", OK, f"{target.name}, {getattr(target, 'mode', '?')} mode")
    for name in OURS:
        path = target.root / "workflows" / f"{name}.yaml"
        ok = path.is_file()
        report.add(f"template {name}", OK if ok else FAIL, str(path), "" if ok else "restore it")
    report.add("MLflow client", OK, mlflow_client_version())
    return report
