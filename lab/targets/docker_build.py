"""The build step in Docker mode: build the app image for real, push it, run it from the registry.

The rehearsal calls this handler in place of the rootless-BuildKit step of
``build-container-image``. The local engine's classic ``docker build`` stands in for BuildKit
in a pod (the log says so); everything after it is the real thing: the image is pushed to the
local registry, pulled back from it, started, and asked ``/version`` (must be ``1.0.N``) and
``/test`` (must name a Food-11 class). Only then does the step succeed with the image as its
result, so ``set-staging-alias`` moves ``staging`` only for an image that was built and pushed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from lab.docker import containers
from lab.docker.build import build_image
from lab.docker.errors import DockerError
from lab.docker.registry import pull_fresh, push, start_registry, tags
from lab.httpclients import http_client
from lab.rehearsal.hooks import HandlerResult, ImageHandler, StepContext
from lab.runs.records import FAILED, SUCCEEDED

STANDS_IN = (
    "rootless BuildKit in a pod is the cluster's builder; here the local Docker engine's "
    "classic `docker build` stands in for it (same Dockerfile, same build context)"
)
CHECK_CONTAINER = "gourmetgram-app-check"
APP_PORT = 8000


def run_checks(image: str, state_dir: Path, log: Callable[[str], None]) -> tuple[str, str]:
    """Start a container from ``image`` on a loopback port; return its (/version, /test class)."""
    containers.remove(CHECK_CONTAINER)  # one left over from an interrupted check
    argv = ["docker", "run", "--rm", "-d", "-p", f"127.0.0.1::{APP_PORT}"]
    argv += ["--name", CHECK_CONTAINER, image]
    containers.run_detached(argv, state_dir)
    try:
        url = f"http://127.0.0.1:{containers.published_port(CHECK_CONTAINER, APP_PORT)}"
        log(f"started {CHECK_CONTAINER} from {image}: {url}")
        with http_client(base_url=url, timeout=60) as http:
            _wait_for_health(http, timeout_s=180)
            version = http.get("/version").raise_for_status().json()["model_version"]
            prediction = http.get("/test").raise_for_status().json()["prediction"]
    finally:
        containers.remove(CHECK_CONTAINER)
        containers.forget(CHECK_CONTAINER, state_dir)
    return version, prediction


def _wait_for_health(http: httpx.Client, timeout_s: float) -> None:
    """Poll ``/health`` until it answers 200; fail with the container's log if it never does."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if containers.status(CHECK_CONTAINER) != "running":
            break
        try:
            if http.get("/health", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise DockerError(
        f"{CHECK_CONTAINER} did not answer /health within {timeout_s:g} s; its log:\n"
        + (containers.logs(CHECK_CONTAINER, 20) if containers.status(CHECK_CONTAINER) else "")
    )


def make_docker_build_handler(state_dir: Path) -> ImageHandler:
    """The image handler for BuildKit steps in Docker mode: build, push, pull, run, check."""

    def handler(ctx: StepContext) -> HandlerResult:
        env = ctx.env
        version = env["MODEL_VERSION"]
        repository, tag = env["IMAGE_NAME"], f"staging-1.0.{version}"
        image = f"{env['REGISTRY']}/{repository}:{tag}"
        context = ctx.workdir / env["BUILD_CONTEXT"]
        if not (context / "Dockerfile").is_file():
            return HandlerResult(FAILED, f"{context}/Dockerfile is missing: nothing to build")
        ctx.log(STANDS_IN)
        try:
            build_log = state_dir / "logs" / f"docker-build-{repository}-{tag}.log"
            build_image(context, image, log_path=build_log, echo=ctx.log)
            start_registry(state_dir)
            digest = push(image)
            ctx.log(f"pushed {image} ({digest})")
            if tag not in tags(env["REGISTRY"], repository):
                return HandlerResult(FAILED, f"the registry does not list {tag} after the push")
            pull_fresh(image, digest)
            ctx.log(f"pulled {image} back from the registry: {digest}")
            served, prediction = run_checks(image, state_dir, ctx.log)
        except DockerError as error:
            return HandlerResult(FAILED, f"image {image} not built and pushed: {error}")
        classes = json.loads((context / "model" / "metadata.json").read_text())["classes"]
        if served != f"1.0.{version}":
            wrong = f"{image} answers /version = {served!r}, not 1.0.{version}"
            return HandlerResult(FAILED, wrong)
        if prediction not in classes:
            return HandlerResult(FAILED, f"{image} answers /test = {prediction!r}")
        message = (
            f"built {image} (classic docker build standing in for BuildKit), pushed it "
            f"({digest[:19]}…), and a container from the pushed image answers "
            f"/version = {served} and /test = {prediction!r}"
        )
        ctx.log(message)
        return HandlerResult(SUCCEEDED, message, result=image)

    return handler
