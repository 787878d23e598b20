"""Stand-in for the image build where no builder runs: check the exact build context instead.

The rehearsal calls ``check_build_context`` in place of the BuildKit step. It does what can
be done for real here: every COPY source of the Dockerfile exists in the context the earlier
steps assembled, and the app started from that context answers ``/version`` with the model
version's ``1.0.N`` and ``/test`` with a Food-11 class. It never claims the image was built.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx

from lab.dockerfiles import missing_sources
from lab.rehearsal.hooks import HandlerResult, ImageHandler, StepContext
from lab.runs.records import FAILED, SUCCEEDED
from lab.services.app import start_app
from lab.services.process import stop_service

NOT_BUILT = "image {image} NOT built: there is no image builder on this machine"


def check_app(context: Path, state_dir: Path, log: Callable[[str], None]) -> tuple[str, str]:
    """Start the app from ``context`` as its image would, and return (/version, /test class)."""
    service = start_app(context, state_dir)
    log(f"started the app from the build context: python -m gourmetgram_app ({service.url})")
    try:
        with httpx.Client(base_url=service.url, timeout=60) as http:
            version = http.get("/version").raise_for_status().json()["model_version"]
            prediction = http.get("/test").raise_for_status().json()["prediction"]
    finally:
        stop_service(service, state_dir)
    return version, prediction


def make_build_handler(state_dir: Path) -> ImageHandler:
    """The image handler for BuildKit steps: check the context, serve the app, build nothing."""

    def handler(ctx: StepContext) -> HandlerResult:
        env = ctx.env
        version = env["MODEL_VERSION"]
        image = f"{env['REGISTRY']}/{env['IMAGE_NAME']}:staging-1.0.{version}"
        context = ctx.workdir / env["BUILD_CONTEXT"]
        not_built = NOT_BUILT.format(image=image)
        ctx.log(not_built)
        if not (context / "Dockerfile").is_file():
            return HandlerResult(FAILED, f"{not_built}; {context}/Dockerfile is missing")
        if missing := missing_sources(context):
            return HandlerResult(
                FAILED, f"{not_built}; the Dockerfile copies {', '.join(missing)}, not in context"
            )
        ctx.log("every COPY source of the Dockerfile is in the build context")
        served, prediction = check_app(context, state_dir, ctx.log)
        classes = json.loads((context / "model" / "metadata.json").read_text())["classes"]
        if served != f"1.0.{version}":
            return HandlerResult(FAILED, f"{not_built}; /version answered {served!r}")
        if prediction not in classes:
            return HandlerResult(FAILED, f"{not_built}; /test answered {prediction!r}")
        message = (
            f"{not_built}. Checked instead: the build context is complete, and the app "
            f"started from it answers /version = {served} and /test = {prediction!r}"
        )
        ctx.log(message)
        return HandlerResult(SUCCEEDED, message, result=image)

    return handler
