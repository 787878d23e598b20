"""The ``local`` target in Docker mode: the real images, built and run by this machine's engine.

01 builds ``gourmetgram-train`` with the student's ``docker build`` (plus only the build args
this machine needs) and starts it with the student's ``docker run`` line; MLflow runs on the
host, on the Docker bridge, where the container reaches it. The Argo steps are rehearsed
from their YAML as in process mode, except that the image build step builds, pushes, pulls
and runs the app image for real (``lab.targets.docker_build``).
"""

from __future__ import annotations

import time

import httpx

from lab.docker import containers
from lab.docker.build import build_image, image_id, image_size
from lab.docker.engine import bridge_gateway
from lab.docker.errors import DockerError
from lab.docker.registry import registry_address
from lab.rehearsal import ImageHandler
from lab.services.errors import PortInUseError
from lab.services.http_probe import probe_client
from lab.services.mlflow_server import MLFLOW_NAME, start_mlflow_server
from lab.services.ports import port_in_use, port_owner
from lab.services.process import Service, find_service, stop_service
from lab.services.training import TRAIN_NAME
from lab.targets.commands import (
    CONTAINER,
    CONTAINER_PORT,
    HOST_PORT,
    IMAGE,
    UVICORN_LINE,
    command_line,
    docker_build,
    docker_run,
)
from lab.targets.docker_build import make_docker_build_handler
from lab.targets.local import LocalSetupError, LocalTarget

START_TIMEOUT_S = 300


class LocalDockerTarget(LocalTarget):
    """The lab's real images on this machine's Docker engine; workflows rehearsed from YAML."""

    mode = "docker"
    builds_images = True

    def __init__(self, *, gateway: str | None = None, **params: object) -> None:
        super().__init__(**params)  # type: ignore[arg-type]
        self.gateway = gateway or bridge_gateway()

    @property
    def mlflow_uri(self) -> str:
        """MLflow on the host's Docker-bridge address, which the containers can reach."""
        return f"http://{self.gateway}:{self.mlflow_port}"

    def describe(self) -> str:
        """Where each part runs in Docker mode."""
        return (
            "Target 'local', Docker mode: this machine's Docker engine builds and runs the real "
            f"images, and there is no Kubernetes. {IMAGE} is built from train/ and started "
            f"with the student's docker run line (port {HOST_PORT} here → {CONTAINER_PORT} in "
            f"the container). MLflow runs on this machine at {self.mlflow_uri}, the Docker "
            "bridge address that containers reach, standing in for the cluster's MLflow. Argo "
            "workflows are rehearsed: each step runs here from its YAML; the image build step "
            "builds the app image with the classic docker build (standing in for BuildKit in "
            f"a pod), pushes it to a local registry at {registry_address()}, and checks a "
            "container started from the pushed image."
        )

    def build_training_image(self) -> None:
        """``docker build -t gourmetgram-train train/`` for real, with this machine's build args."""
        self._echo(f"$ {command_line(docker_build())}   # what you type on node1")
        self._echo("Here: the same build by this machine's Docker engine.")
        log_path = self.state / "logs" / f"docker-build-{IMAGE}.log"
        built = build_image(self.root / "train", IMAGE, log_path=log_path, echo=self._echo)
        size_mb = image_size(IMAGE) / 1e6
        self._echo(f"built {IMAGE}: {built[:19]}, {size_mb:.0f} MB (full log: {log_path})")

    def start_training_service(self) -> None:
        """Start MLflow, then the training container with the student's line (or reuse them)."""
        mlflow = self._start_mlflow()
        self._echo(f"MLflow: {mlflow.url} (pid {mlflow.pid}, log {mlflow.log_path})")
        if (process := find_service(TRAIN_NAME, self.state)) is not None:
            self._echo(f"stopping the training service left from process mode (pid {process.pid})")
            stop_service(process, self.state)
        if self._reusable_container():
            self._echo(f"{CONTAINER} already runs from the newest {IMAGE} image: reusing it")
        else:
            self._run_container()
        line = self.wait_for_uvicorn(START_TIMEOUT_S)
        self._wait_for_health()
        self._echo(f"{CONTAINER}: {line}")

    def _start_mlflow(self) -> Service:
        """MLflow on the bridge address; one left on another address (process mode) is moved."""
        running = find_service(MLFLOW_NAME, self.state)
        if running is not None and running.url != self.mlflow_uri:
            self._echo(f"restarting MLflow on {self.mlflow_uri} (it ran on {running.url})")
            stop_service(running, self.state)
        # MLflow's default allowed Host headers (localhost, private IPs) include the bridge's.
        return start_mlflow_server(self.state, host=self.gateway, port=self.mlflow_port)

    def _reusable_container(self) -> bool:
        """Whether the training container runs from the current image (else it is removed)."""
        found = containers.inspect(CONTAINER)
        if found is None:
            return False
        try:
            current = image_id(IMAGE)
        except DockerError:
            current = ""
        if found["State"]["Status"] == "running" and found["Image"] == current:
            return True
        self._echo(f"removing {CONTAINER} ({found['State']['Status']}, from an older image)")
        containers.remove(CONTAINER)
        return False

    def _run_container(self) -> None:
        """The student's ``docker run`` line, after checking the image and the port."""
        try:
            image_id(IMAGE)
        except DockerError:
            raise LocalSetupError(
                f"there is no {IMAGE} image yet: run the cell with lab.build_training_image()"
            ) from None
        if port_in_use(HOST_PORT, "0.0.0.0"):
            owner = port_owner(HOST_PORT)
            raise PortInUseError(
                f"cannot start {CONTAINER}: port {HOST_PORT} is already in use"
                + (f" by {owner}" if owner else "")
                + ". Stop that program (`python -m lab stop` stops the lab's own), then run "
                "this cell again."
            )
        argv = docker_run(f"{self.mlflow_uri}/")
        self._echo(f"$ {command_line(argv)}")
        containers.run_detached(argv, self.state)

    def wait_for_uvicorn(self, timeout_s: float = 300) -> str:
        """Follow ``docker logs --follow gourmetgram-train`` until the Uvicorn line; return it."""
        if containers.status(CONTAINER) is None:
            raise LocalSetupError(
                f"the {CONTAINER} container is not running: run the cell that starts it first"
            )
        self._echo(f"$ {command_line(['docker', 'logs', '--follow', CONTAINER])}")
        try:
            return containers.follow_logs_until(
                CONTAINER,
                UVICORN_LINE,
                log_path=self.state / "logs" / f"{CONTAINER}.log",
                timeout_s=timeout_s,
            )
        except DockerError as error:
            raise LocalSetupError(
                f"{CONTAINER} stopped or stayed silent before logging {UVICORN_LINE!r}:\n{error}"
            ) from None

    def _wait_for_health(self, timeout_s: float = 60) -> None:
        """``GET /health`` through the published port answers 200 (docker-proxy is up too)."""
        url = f"http://{self.host}:{HOST_PORT}/health"
        for _ in range(int(timeout_s * 2)):
            try:
                if probe_client().get(url, timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise LocalSetupError(f"{url} did not answer 200 within {timeout_s:g} s")

    def training_logs(self, tail: int = 40) -> str:
        """``docker logs --tail N gourmetgram-train``."""
        if containers.status(CONTAINER) is None:
            raise LocalSetupError(f"the {CONTAINER} container is not running: start it first")
        return containers.logs(CONTAINER, tail)

    def build_handler(self) -> ImageHandler:
        """The build step for real: build, push, pull, run, check."""
        return make_docker_build_handler(self.state)

    def cluster_overrides(self) -> dict[str, str]:
        """As in process mode, plus the local registry in place of the cluster's."""
        return {**super().cluster_overrides(), "registry": registry_address()}
