"""The ``chameleon`` target: training container on node1 over SSH; Argo, MLflow in the cluster."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lab.paths import repo_root
from lab.targets import node1
from lab.targets.argo_records import WorkflowRun
from lab.targets.base import Target
from lab.targets.commands import (
    CONTAINER,
    DEFAULT_NAMESPACE,
    DEFAULT_REPO_DIR,
    HOST_PORT,
    UVICORN_LINE,
    command_line,
    docker_build,
    docker_inspect,
    docker_logs,
    docker_run,
    docker_stop,
    git_clone,
    git_head,
)

# The errors a notebook may meet, importable from here as before.
from lab.targets.node1 import ChameleonConfigError as ChameleonConfigError
from lab.targets.node1 import TrainingServiceError as TrainingServiceError
from lab.targets.node1 import TrainingServiceTimeout as TrainingServiceTimeout
from lab.targets.node1 import is_missing
from lab.targets.repository import Source, find_source
from lab.targets.ssh import RemoteShell, Runner, SSHError
from lab.targets.ssh import tail as last_lines

if TYPE_CHECKING:
    from lab.targets.argo_access import ArgoAccess
    from lab.targets.argo_follow import OnEvent

BUILD_TIMEOUT_S = 1800  # a first build installs torch and friends: minutes
DOCKER_TIMEOUT_S = 120
# The templates whose app source the lab fills in from the clone (or repo_url).
SOURCE_PARAMETERS = {"train-model", "build-container-image"}


class ChameleonTarget(Target):
    """The lab on the Chameleon testbed: every command is shown, then run for real."""

    name = "chameleon"

    def __init__(
        self,
        *,
        floating_ip: str,
        ssh_user: str = "cc",
        ssh_key: str | None = None,
        repo_dir: str = DEFAULT_REPO_DIR,
        repo_url: str | None = None,
        argo_url: str | None = None,
        argo_token: str | None = None,
        argo_namespace: str = DEFAULT_NAMESPACE,
        mlflow_uri: str | None = None,
        verify_tls: bool = False,
        runner: Runner | None = None,
        echo: Callable[[str], Any] = print,
        poll_interval_s: float = 2.0,
        sleep: Callable[[float], Any] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        root: Path | None = None,
        argo_pool: Any = None,
    ) -> None:
        self.floating_ip = ip = node1.floating_ip(floating_ip)
        self.repo_dir = repo_dir
        self.repo_url = repo_url or ""
        self.root = root or repo_root()
        self.namespace = argo_namespace or DEFAULT_NAMESPACE
        self.argo_url = (argo_url or "").rstrip("/")
        token = argo_token if argo_token is not None else os.environ.get("ARGO_TOKEN")
        self.argo_token = token or None
        self.verify_tls = verify_tls
        self._mlflow_uri = (mlflow_uri or f"http://{ip}:8000").rstrip("/")
        self._echo = echo
        self.poll_interval_s = poll_interval_s
        self._sleep = sleep
        self._clock = clock
        self.shell = RemoteShell(ip, user=ssh_user, key=ssh_key, runner=runner, echo=echo)
        self._argo: ArgoAccess | None = None
        self._argo_pool = argo_pool  # tests: a stand-in for urllib3's pool
        self._source: Source | None = None

    # -- the cluster's services ----------------------------------------------------------

    @property
    def argo(self) -> ArgoAccess:
        """The way to Argo (the server, our templates, following), made on first use."""
        if self._argo is None:
            from lab.targets.argo_access import ArgoAccess

            self._argo = ArgoAccess(
                self.shell,
                root=self.root,
                namespace=self.namespace,
                argo_url=self.argo_url,
                token=self.argo_token,
                verify_tls=self.verify_tls,
                echo=self._echo,
                poll_interval_s=self.poll_interval_s,
                sleep=self._sleep,
                clock=self._clock,
                pool=self._argo_pool,
            )
        return self._argo

    def source(self) -> Source:
        """The repository URL and branch the cluster and node1 build from."""
        if self._source is None:
            self._source = find_source(self.root, self.repo_url)
        return self._source

    @property
    def mlflow_uri(self) -> str:
        """The cluster's MLflow tracking server."""
        return self._mlflow_uri

    @property
    def endpoint_ip(self) -> str:
        """node1's floating IP: where train-model sends ``POST /trigger-training`` (port 9090)."""
        return self.floating_ip

    def build_training_image(self) -> None:
        """Build ``gourmetgram-train`` on node1 from the clone there (cloned first if missing)."""
        self._ensure_clone()
        result = self.shell.run(
            docker_build(self.repo_dir),
            timeout_s=BUILD_TIMEOUT_S,
            merge_stderr=True,
            hint="Check that Docker works on node1 (`docker info`; is cc in the docker group?).",
        )
        self._echo(last_lines(result.stdout, 6))

    def _ensure_clone(self) -> None:
        """Clone the repository on node1 if it is not there; say which commit it builds."""
        head = self.shell.run(git_head(self.repo_dir), timeout_s=60, check=False, show=False)
        if head.returncode != 0:
            source = self.source()
            self._echo(f"# {self.repo_dir} is not a clone on node1 yet: cloning {source.url}")
            self.shell.run(
                git_clone(source.url, self.repo_dir, source.revision),
                timeout_s=600,
                hint=f"Check that node1 can reach {source.url} and that the branch exists there.",
            )
            head = self.shell.run(git_head(self.repo_dir), timeout_s=60, show=False)
        self._echo(f"# node1 builds from {self.repo_dir} at commit {head.stdout.strip()[:12]}")

    def start_training_service(self) -> None:
        """Start the training container on node1, or reuse the one that already runs."""
        state = self._container_state()
        if state == "running":
            self._echo(f"# {CONTAINER} already runs on node1: reusing it")
            return
        if state is not None:
            raise TrainingServiceError(
                f"a container named {CONTAINER} exists on node1 but is {state}: remove it on "
                f"node1 with `docker rm {CONTAINER}`, then start the service again"
            )
        self.shell.run(
            docker_run(self.mlflow_uri),
            timeout_s=DOCKER_TIMEOUT_S,
            hint=(
                "Check that the image is built (`docker image ls gourmetgram-train`) and that "
                f"port {HOST_PORT} on node1 is free (`docker ps`)."
            ),
        )

    def _container_state(self) -> str | None:
        """The training container's state on node1 (``running``, ``exited``…), None if none."""
        argv = docker_inspect()
        result = self.shell.run(argv, timeout_s=DOCKER_TIMEOUT_S, check=False)
        if result.returncode != 0:
            if is_missing(result):
                return None
            raise self.shell.error(self.shell.argv(argv), result)
        try:
            return str(json.loads(result.stdout)[0]["State"]["Status"])
        except (ValueError, LookupError, TypeError) as exc:
            raise SSHError(
                f"unexpected answer from `{command_line(argv)}` on node1: {result.stdout[:200]!r}"
            ) from exc

    def wait_for_uvicorn(self, timeout_s: float = 300) -> str:
        """Poll the container's log on node1 until the service says it listens; return that line."""
        deadline = self._clock() + timeout_s
        hint = (
            f"The container is not there: it may have stopped at start-up (with --rm its log "
            f"is gone). Start it again without -d on node1 to see why: "
            f"`{command_line([a for a in docker_run(self.mlflow_uri) if a != '-d'])}`"
        )
        first = True
        while True:
            result = self.shell.run(
                docker_logs(), timeout_s=60, merge_stderr=True, show=first, hint=hint
            )
            if first:
                self._echo(
                    f"# repeating every {self.poll_interval_s:g} s until the log shows "
                    f"{UVICORN_LINE!r} (at most {timeout_s:g} s)"
                )
                first = False
            for line in result.stdout.splitlines():
                if UVICORN_LINE in line:
                    return line.strip()
            if self._clock() >= deadline:
                raise TrainingServiceTimeout(
                    f"{CONTAINER} on node1 has not logged {UVICORN_LINE!r} within {timeout_s:g} s."
                    f" Last lines of its log:\n{last_lines(result.stdout, 20) or '(empty)'}"
                )
            self._sleep(self.poll_interval_s)

    def training_logs(self, tail: int = 40) -> str:
        """The last ``tail`` lines of the training container's log on node1."""
        return self.shell.run(docker_logs(tail), timeout_s=60, merge_stderr=True).stdout

    def submit_workflow(
        self,
        template: str,
        parameters: Mapping[str, str],
        *,
        on_event: OnEvent | None = None,
        timeout_s: float = 1800,
    ) -> WorkflowRun:
        """Submit a WorkflowTemplate through the Argo Server and follow it and its children.

        First (once) the namespace is made to hold this lab's templates, and the app source
        (``app-repo``, ``app-revision``) is filled in from the clone when not given.
        """
        values = dict(parameters)
        if template in SOURCE_PARAMETERS:
            source = self.source()
            values.setdefault("app-repo", source.url)
            values.setdefault("app-revision", source.revision)
        return self.argo.run(template, values, on_event=on_event, timeout_s=timeout_s)

    def latest_run(self, template: str) -> WorkflowRun | None:
        """The newest Workflow made from ``template`` in the namespace, or None."""
        return self.argo.latest_run(template)

    def preflight(self) -> Any:
        """Check SSH, docker, the tunnel, the Argo Server, our templates and MLflow."""
        from lab.targets.preflight import chameleon_checks

        return chameleon_checks(self)

    def stop(self) -> None:
        """Stop the training container on node1 and close the tunnel; the cluster is left alone."""
        if self._argo is not None:
            self._argo.close()
        argv = docker_stop()
        result = self.shell.run(argv, timeout_s=DOCKER_TIMEOUT_S, check=False)
        if result.returncode == 0:
            return
        if is_missing(result):
            self._echo(f"# {CONTAINER} is not running on node1: nothing to stop")
            return
        raise self.shell.error(self.shell.argv(argv), result)

    def describe(self) -> str:
        """Where each part of the lab runs on Chameleon."""
        key = f" with the key {self.shell.key}" if self.shell.key else ""
        argo = (
            f"at {self.argo_url}"
            if self.argo_url
            else "through node1 (kubectl port-forward there, ssh -L here; opened on first use)"
        )
        return (
            f"Target chameleon: the training service runs in the Docker container {CONTAINER} "
            f"on node1 ({self.shell.destination}, reached over SSH{key}), built from "
            f"{self.repo_dir}/train/ and listening on port {HOST_PORT} of {self.endpoint_ip}. "
            f"MLflow runs in the Kubernetes cluster at {self.mlflow_uri}, and Argo Workflows "
            f"runs there too, in namespace {self.namespace}: its Argo Server is reached {argo}"
            f"{'' if self.argo_token else ', with no token (the course server needs none)'}. "
            "Every command is shown before it runs."
        )
