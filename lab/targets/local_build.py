"""The build step where no Docker engine answers (process mode): build nothing, and say so.

The rehearsal calls this handler in place of the BuildKit step. The image is NOT built, so
the step ends ``Failed`` with no image output, and ``set-staging-alias`` (which follows it)
does not run: ``staging`` means an image was built and pushed. What can be done here is done
and reported as what it is, a check: every COPY source of the Dockerfile exists in the
context the earlier steps assembled, and the app started from that context answers
``/version`` with ``1.0.N`` and ``/test`` with a Food-11 class.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from lab.docker.dockerfile import missing_sources
from lab.httpclients import http_client
from lab.rehearsal.hooks import HandlerResult, ImageHandler, StepContext
from lab.runs.records import FAILED
from lab.services.app_forkserver import preload, start_app_preloaded
from lab.services.process import stop_service

NOT_BUILT = (
    "image {image} NOT built: no Docker engine answers on this machine (process mode), "
    "so nothing was built or pushed and staging does not move"
)


def check_app(context: Path, state_dir: Path, log: Callable[[str], None]) -> tuple[str, str]:
    """Start the app from ``context`` as its image would, and return (/version, /test class)."""
    service = start_app_preloaded(context, state_dir)
    log(
        "started the app from the build context: python -m gourmetgram_app "
        f"({service.url}; torch, FastAPI and uvicorn preloaded)"
    )
    try:
        with http_client(base_url=service.url, timeout=60) as http:
            version = http.get("/version").raise_for_status().json()["model_version"]
            prediction = http.get("/test").raise_for_status().json()["prediction"]
    finally:
        stop_service(service, state_dir)
    return version, prediction


def check_context(ctx: StepContext, state_dir: Path) -> str:
    """Check the build context and the app it serves; return what was found, as a sentence."""
    env = ctx.env
    version = env["MODEL_VERSION"]
    context = ctx.workdir / env["BUILD_CONTEXT"]
    if not (context / "Dockerfile").is_file():
        return f"{context}/Dockerfile is missing"
    if missing := missing_sources(context):
        return f"the Dockerfile copies {', '.join(missing)}, not in the build context"
    ctx.log("every COPY source of the Dockerfile is in the build context")
    served, prediction = check_app(context, state_dir, ctx.log)
    classes = json.loads((context / "model" / "metadata.json").read_text())["classes"]
    if served != f"1.0.{version}":
        return f"the app started from the build context answered /version = {served!r}"
    if prediction not in classes:
        return f"the app started from the build context answered /test = {prediction!r}"
    return (
        "checked instead: the build context is complete, and the app started from it "
        f"answers /version = {served} and /test = {prediction!r}"
    )


def make_build_handler(state_dir: Path) -> ImageHandler:
    """The image handler for BuildKit steps in process mode: check the context, build nothing.

    The app's libraries start loading now, in the background, for the check to come.
    """
    preload(state_dir)
    checked: dict[tuple[str, str], str] = {}

    def handler(ctx: StepContext) -> HandlerResult:
        env = ctx.env
        image = f"{env['REGISTRY']}/{env['IMAGE_NAME']}:staging-1.0.{env['MODEL_VERSION']}"
        not_built = NOT_BUILT.format(image=image)
        ctx.log(not_built)
        key = (ctx.run_name, ctx.step)
        if key not in checked:  # a retry cannot change the answer: check once per step
            checked[key] = check_context(ctx, state_dir)
        message = f"{not_built}; {checked[key]}"
        ctx.log(message)
        return HandlerResult(FAILED, message)

    return handler
