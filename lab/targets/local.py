"""The ``local`` target: the lab's services as local processes, workflows rehearsed step by step."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from lab.docker.containers import records_dir
from lab.docker.dockerfile import missing_sources
from lab.paths import repo_root, state_dir
from lab.rehearsal import ImageHandler, rehearse
from lab.requirements import unmet_pins
from lab.runs import load_runs, save_run
from lab.runs.records import WorkflowRun
from lab.services.app_forkserver import preload as preload_app
from lab.services.mlflow_server import start_mlflow_server
from lab.services.process import (
    Service,
    find_service,
    stop_all,
    stop_service,
    wait_for_http,
    wait_for_log_line,
)
from lab.services.training import READY_LINE, TRAIN_NAME, sees_mlflow, start_training_service
from lab.targets.base import Target
from lab.targets.commands import argo_submit, command_line, docker_build, docker_run
from lab.targets.local_build import make_build_handler

BUILDER_IMAGES = ("moby/buildkit", "gcr.io/kaniko-project/executor")


class LocalSetupError(RuntimeError):
    """Raised when this machine lacks something the local target needs; says what to do."""


class LocalTarget(Target):
    """MLflow and the training service as local processes; workflows rehearsed from their YAML."""

    name = "local"
    mode = "process"
    builds_images = False

    def __init__(
        self,
        *,
        state: Path | None = None,
        host: str = "127.0.0.1",
        mlflow_port: int = 8000,
        service_port: int = 9090,
        echo: Callable[[str], None] = print,
    ) -> None:
        self.root = repo_root()
        self.state = state or state_dir()
        self.host = host
        self.mlflow_port = mlflow_port
        self.service_port = service_port
        self._echo = echo

    @property
    def mlflow_uri(self) -> str:
        """The local MLflow server (port 8000, as on the cluster)."""
        return f"http://{self.host}:{self.mlflow_port}"

    @property
    def endpoint_ip(self) -> str:
        """Loopback: the training service listens on this machine."""
        return self.host

    @property
    def runs_dir(self) -> Path:
        """Where workflow run records are kept for later notebooks."""
        return self.state / "runs"

    def describe(self) -> str:
        """Where each part runs on this target."""
        return (
            "Target 'local', process mode (no Docker engine answers here, or "
            "LAB_LOCAL_MODE=process), and no Kubernetes. MLflow runs as a local "
            f"process at {self.mlflow_uri}; the training service runs from train/ with the "
            f"image's own start command, listening on {self.host}:{self.service_port} (the host "
            "port students map to the container's 8000). Argo workflows are rehearsed: each "
            "step of the WorkflowTemplate runs here from its YAML. No image can be built: the "
            "build step checks its build context and starts the app from it, then ends Failed "
            "(no image, so staging does not move)."
        )

    def preflight(self) -> Any:
        """What this machine gives the lab: the mode, the templates, the MLflow client."""
        from lab.targets.preflight import local_checks

        return local_checks(self)

    def build_training_image(self) -> None:
        """Say plainly that no image is built here; check what the image would contain."""
        self._echo(f"$ {command_line(docker_build())}   # on node1")
        self._echo("Not run here: this machine has no Docker engine, so no image is built.")
        train = self.root / "train"
        if missing := missing_sources(train):
            raise LocalSetupError(f"train/Dockerfile copies {', '.join(missing)}: not in train/")
        self._echo("Checked instead: every COPY source of train/Dockerfile exists in train/,")
        wrong = unmet_pins(train / "requirements.txt")
        if wrong:
            raise LocalSetupError(
                "this environment does not match train/requirements.txt: "
                + "; ".join(wrong)
                + " (run `make setup`)"
            )
        self._echo("and this environment has exactly the image's pins from train/requirements.txt.")

    def start_training_service(self) -> None:
        """Start MLflow and the training service, or reuse the ones already running."""
        # Both take seconds to come up and the service needs MLflow only when triggered:
        # start them side by side.
        with ThreadPoolExecutor(max_workers=1) as pool:
            starting = pool.submit(
                start_mlflow_server, self.state, host=self.host, port=self.mlflow_port
            )
            service = self._start_service()  # if it fails, MLflow still comes up: stop() ends it
            try:
                mlflow = starting.result()
                # The two came up side by side: wait until the service's /health says that
                # it reaches MLflow, so that the student's next health check says "ok".
                wait_for_http(
                    service, "/health", 30, until=sees_mlflow, what="with mlflow_reachable"
                )
            except BaseException:
                stop_service(service, self.state)  # nothing half-started is left behind
                raise
        self._echo(f"MLflow: {mlflow.url} (pid {mlflow.pid}, log {mlflow.log_path})")
        self._echo(f"gourmetgram-train: {service.url} (pid {service.pid}, log {service.log_path})")
        # The build step's app check will need torch and FastAPI: they load in the background
        # now, while the machine is otherwise idle, rather than beside the first training.
        preload_app(self.state)

    def _start_service(self) -> Service:
        """Start the training service, saying how it differs from the container on node1."""
        on_node1 = command_line(docker_run(f"http://A.B.C.D:{self.mlflow_port}"))
        self._echo(f"$ {on_node1}   # on node1")
        self._echo(
            "Here instead: the image's start command `python -m gourmetgram_train` in train/, "
            f"with MLFLOW_TRACKING_URI={self.mlflow_uri}/ and port {self.service_port} "
            "(no Docker to map 9090 to 8000)."
        )
        return start_training_service(
            self.state, mlflow_uri=f"{self.mlflow_uri}/", host=self.host, port=self.service_port
        )

    def wait_for_uvicorn(self, timeout_s: float = 300) -> str:
        """The training service's ``Uvicorn running on`` line, once it has logged it."""
        service = find_service(TRAIN_NAME, self.state)
        if service is None:
            raise LocalSetupError(
                "the training service is not running: run the cell that starts it first"
            )
        return wait_for_log_line(service, READY_LINE, timeout_s)

    def training_logs(self, tail: int = 40) -> str:
        """The last lines of the training service's log."""
        service = find_service(TRAIN_NAME, self.state)
        if service is None:
            raise LocalSetupError("the training service is not running: start it first")
        return service.log_tail(tail)

    def submit_workflow(
        self,
        template: str,
        parameters: dict[str, str],
        *,
        on_event: Callable[[Any], None] | None = None,
        timeout_s: float = 1800,
    ) -> WorkflowRun:
        """Rehearse the WorkflowTemplate here, and the workflows it creates, to the end."""
        overrides = {
            "build-container-image": self.cluster_overrides(),
            "train-model": self.repository_overrides(),
        }
        self._echo(f"$ {command_line(argo_submit(template, parameters))}   # on the cluster")
        self._echo("Rehearsed here: each step runs on this machine from workflows/*.yaml.")
        run = rehearse(
            self.root / "workflows",
            template,
            parameters,
            workdir=self.state / "workflows",
            parameter_overrides=overrides,
            image_handlers=dict.fromkeys(BUILDER_IMAGES, self.build_handler()),
            on_event=on_event,
            timeout_s=timeout_s,
        )
        for each in run.walk():
            save_run(each, self.runs_dir)
        return run

    def build_handler(self) -> ImageHandler:
        """What runs in place of the BuildKit step: here, a check that builds nothing."""
        return make_build_handler(self.state)

    def cluster_overrides(self) -> dict[str, str]:
        """Parameter values that replace the cluster's defaults on this machine."""
        return {"mlflow-uri": self.mlflow_uri, **self.repository_overrides()}

    def repository_overrides(self) -> dict[str, str]:
        """The app source: this clone, at its branch (train-model passes them to the build)."""
        return {"app-repo": str(self.root), "app-revision": _current_branch(self.root)}

    def latest_run(self, template: str) -> WorkflowRun | None:
        """The newest recorded run of ``template`` on this machine, or None."""
        runs = [r for r in load_runs(self.runs_dir) if r.template == template]
        return runs[-1] if runs else None

    def stop(self) -> None:
        """Stop every container (Docker mode) and service (by PID) the local target started."""
        stopped = []
        if any(records_dir(self.state).glob("*.json")):  # Docker is needed only if it ran
            from lab.docker.containers import stop_recorded

            stopped += stop_recorded(self.state)
        stopped += stop_all(self.state)
        self._echo(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")


def _current_branch(root: Path) -> str:
    """The checked-out branch, which the rehearsal's clone step builds from."""
    done = subprocess.run(
        ["git", "-C", str(root), "symbolic-ref", "--short", "-q", "HEAD"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise LocalSetupError(
            f"{root} is not on a branch (detached HEAD?): the build rehearsal clones the app "
            "from a branch, as the cluster does; check out a branch (e.g. `git switch main`)"
        )
    return done.stdout.strip()
