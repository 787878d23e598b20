"""The training service's HTTP API: POST /trigger-training runs the flow, GET /health."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import cache
from typing import Annotated

import torch
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.middleware.body_limit import RequestBodyLimitMiddleware

from gourmetgram_train.auth import TokenFirstRoute, bearer, token_matches
from gourmetgram_train.config import Settings, get_settings
from gourmetgram_train.memory import release_free_memory
from gourmetgram_train.prefect_server import PrefectServer
from gourmetgram_train.schemas import ErrorResponse, HealthResponse, TriggerRequest, TriggerResponse
from gourmetgram_train.stopping import stop_requested
from gourmetgram_train.tracking import MlflowProbe
from gourmetgram_train.trigger import end_stale_runs_at_start, run_trigger
from gourmetgram_train.warmup import warm_up_logged

__all__ = ["create_app", "token_matches"]

logger = logging.getLogger(__name__)
SettingsDep = Annotated[Settings, Depends(get_settings)]
#: The largest request body accepted (a trigger's is `{"epochs": N}`); larger ones get 413.
MAX_BODY_BYTES = 4096
STOPPING = "the service is stopping (SIGTERM): trigger again once it is back"


def set_torch_threads() -> None:
    """Give torch the TORCH_THREADS CPU threads (runs once, in the training thread)."""
    torch.set_num_threads(get_settings().torch_threads)


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 naming what is wrong and where, without echoing the input back."""
    errors = [{key: e[key] for key in ("type", "loc", "msg") if key in e} for e in exc.errors()]
    return JSONResponse(status_code=422, content={"detail": errors})


def create_app(prefect_server: PrefectServer | None = None) -> FastAPI:
    """The FastAPI app; with a PrefectServer it waits for it at start-up and stops it at exit."""

    # One thread runs every training: torch's CPU thread pool is per calling thread.
    training_thread = ThreadPoolExecutor(
        max_workers=1, thread_name_prefix="training", initializer=set_torch_threads
    )
    run_lock = threading.Lock()  # held from a trigger's start until its thread work ends

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # First in the training thread, so a trigger never waits behind it for long.
        training_thread.submit(warm_up_logged, get_settings().image_size)
        training_thread.submit(release_free_memory)
        if prefect_server is not None:
            await run_in_threadpool(prefect_server.wait_ready)
            logger.info("Prefect API ready at %s", prefect_server.api_url)
            # Runs an earlier life of the service left RUNNING; a trigger waits behind it.
            training_thread.submit(end_stale_runs_at_start, get_settings())
        try:
            yield
        finally:
            # A run still going was asked to stop (stopping.py); waiting for a thread stuck
            # on a hung server would outlast `docker stop`. Its run is ended at next start.
            training_thread.shutdown(wait=False, cancel_futures=True)
            if prefect_server is not None:
                prefect_server.stop()
                logger.info("Prefect server stopped")

    app = FastAPI(
        title="gourmetgram-train",
        summary="Train, evaluate and register the GourmetGram Food-11 model on request.",
        lifespan=lifespan,
        exception_handlers={RequestValidationError: validation_error},
    )
    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=MAX_BODY_BYTES)

    @cache
    def mlflow_probe(uri: str) -> MlflowProbe:
        return MlflowProbe(uri)

    trigger_router = APIRouter(route_class=TokenFirstRoute)

    @trigger_router.post(
        "/trigger-training",
        response_model=TriggerResponse,
        responses={
            401: {"model": ErrorResponse, "description": "TRIGGER_TOKEN is set; token missing"},
            413: {"description": f"The body is larger than {MAX_BODY_BYTES} bytes"},
            423: {"model": ErrorResponse, "description": "A training run is in progress"},
            500: {"model": ErrorResponse, "description": "The run failed; nothing registered"},
            503: {
                "model": ErrorResponse,
                "description": "MLflow cannot be reached or does not answer in time, or the "
                "service is stopping; nothing registered",
            },
        },
        dependencies=[Depends(bearer)],  # documents the scheme; TokenFirstRoute checks it
    )
    async def trigger_training(
        settings: SettingsDep, body: TriggerRequest | None = None
    ) -> TriggerResponse:
        """Load data → train → evaluate → register the model if accuracy passes the threshold."""
        if stop_requested():
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=STOPPING)
        if not run_lock.acquire(blocking=False):
            raise HTTPException(
                status.HTTP_423_LOCKED,
                detail="a training run is already in progress; try again when it has finished",
            )
        try:
            future = training_thread.submit(run_trigger, settings, body.epochs if body else None)
        except RuntimeError:  # the executor shut down: the service is stopping
            run_lock.release()
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=STOPPING) from None
        # Released when the work ends, not when this request does: a request cancelled at
        # shutdown must not let a second run queue behind one that is still going.
        future.add_done_callback(lambda _: run_lock.release())
        with contextlib.suppress(RuntimeError):  # after the run has answered (memory.py)
            training_thread.submit(release_free_memory)
        return await asyncio.wrap_future(future)

    app.include_router(trigger_router)

    @app.get("/health", response_model=HealthResponse, responses={503: {"model": ErrorResponse}})
    def health(settings: SettingsDep) -> HealthResponse:
        """200 while the service runs: "ok" when a trigger can run, "degraded" when it cannot."""
        if prefect_server is not None and not prefect_server.is_running():
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                detail=f"the Prefect server exited; last lines of its log:\n"
                f"{prefect_server.log_tail()}",
            )
        mlflow_problem = mlflow_probe(settings.mlflow_tracking_uri).problem()
        problem = STOPPING if stop_requested() else mlflow_problem
        return HealthResponse(
            status="degraded" if problem else "ok",
            training_in_progress=run_lock.locked(),
            mlflow_tracking_uri=settings.mlflow_tracking_uri,
            mlflow_reachable=mlflow_problem is None,
            model_name=settings.model_name,
            problem=problem,
        )

    return app
