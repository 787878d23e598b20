"""The training service's HTTP API: POST /trigger-training runs the flow, GET /health."""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import cache
from typing import Annotated

import torch
from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prefect.context import SettingsContext, get_settings_context
from prefect.settings import Settings as PrefectSettings
from prefect.settings import get_current_settings

from gourmetgram_train.config import Settings, get_settings
from gourmetgram_train.flow import ALIAS, TrainingResult, train_and_register
from gourmetgram_train.prefect_server import PrefectServer
from gourmetgram_train.schemas import ErrorResponse, HealthResponse, TriggerRequest, TriggerResponse
from gourmetgram_train.tracking import MlflowUnavailableError, check_mlflow

logger = logging.getLogger(__name__)
bearer = HTTPBearer(auto_error=False, description="Needed only when TRIGGER_TOKEN is set")
SettingsDep = Annotated[Settings, Depends(get_settings)]


def token_matches(expected: str | None, given: str | None) -> bool:
    """Whether a trigger may run: no token configured, or the given one equals it."""
    if not expected:
        return True
    return given is not None and secrets.compare_digest(expected.encode(), given.encode())


def require_token(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """Answer 401 unless the request carries `Authorization: Bearer <TRIGGER_TOKEN>`."""
    expected = settings.trigger_token.get_secret_value() if settings.trigger_token else None
    if not token_matches(expected, credentials.credentials if credentials else None):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="missing or wrong token: send 'Authorization: Bearer <TRIGGER_TOKEN>'",
            headers={"WWW-Authenticate": "Bearer"},
        )


def set_torch_threads() -> None:
    """Give torch the TORCH_THREADS CPU threads (runs once, in the training thread)."""
    torch.set_num_threads(get_settings().torch_threads)


@cache
def flow_settings() -> PrefectSettings:
    """Prefect's settings for our flow runs: the current ones without flow-run heartbeats."""
    # Heartbeats let a Prefect server with services spot crashed runs; ours runs none, and
    # stopping the heartbeat thread at the end of each run costs up to a second. Built once:
    # temporary_settings() would rebuild the whole settings model on every run (~50 ms).
    return get_current_settings().copy_with_update(updates={"flows.heartbeat_frequency": None})


def run_flow(epochs: int | None) -> TrainingResult:
    """Run the Prefect flow once in this thread and return its result."""
    profile = get_settings_context().profile
    with SettingsContext(profile=profile, settings=flow_settings()):
        return train_and_register(epochs=epochs)


def trigger(settings: Settings, epochs: int | None) -> TriggerResponse:
    """Check MLflow, run the flow, and turn its result into the HTTP answer."""
    try:
        check_mlflow(settings.mlflow_tracking_uri, settings.mlflow_timeout_s)
    except MlflowUnavailableError as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(exc)) from exc
    try:
        result = run_flow(epochs)
    except Exception as exc:
        logger.exception("training run failed")
        try:
            check_mlflow(settings.mlflow_tracking_uri, settings.mlflow_timeout_s)
        except MlflowUnavailableError as down:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(down)) from exc
        raise HTTPException(
            status.HTTP_500_INTERNAL_SERVER_ERROR,
            detail=f"training run failed ({type(exc).__name__}: {exc}); its MLflow run ended "
            "FAILED and nothing was registered. The service log has the traceback.",
        ) from exc
    accuracy = result.metrics["accuracy"]
    if result.new_model_version is None:
        message = (
            f"accuracy {accuracy:.3f} is below ACCURACY_THRESHOLD {settings.accuracy_threshold}: "
            "nothing registered"
        )
    else:
        message = (
            f"accuracy {accuracy:.3f} passed: registered {settings.model_name} version "
            f"{result.new_model_version} with alias {ALIAS}"
        )
    return TriggerResponse(
        status="rejected" if result.new_model_version is None else "registered",
        new_model_version=result.new_model_version,
        run_id=result.run_id,
        metrics=result.metrics,
        model_name=settings.model_name,
        accuracy_threshold=settings.accuracy_threshold,
        message=message,
    )


def create_app(prefect_server: PrefectServer | None = None) -> FastAPI:
    """The FastAPI app; with a PrefectServer it waits for it at start-up and stops it at exit."""

    # One thread runs every training: torch's CPU thread pool is per calling thread.
    training_thread = ThreadPoolExecutor(
        max_workers=1, thread_name_prefix="training", initializer=set_torch_threads
    )
    run_lock = threading.Lock()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if prefect_server is not None:
            await run_in_threadpool(prefect_server.wait_ready)
            logger.info("Prefect API ready at %s", prefect_server.api_url)
        try:
            yield
        finally:
            training_thread.shutdown(wait=True, cancel_futures=True)
            if prefect_server is not None:
                prefect_server.stop()
                logger.info("Prefect server stopped")

    app = FastAPI(
        title="gourmetgram-train",
        summary="Train, evaluate and register the GourmetGram Food-11 model on request.",
        lifespan=lifespan,
    )

    @app.post(
        "/trigger-training",
        response_model=TriggerResponse,
        responses={
            401: {"model": ErrorResponse, "description": "TRIGGER_TOKEN is set; token missing"},
            423: {"model": ErrorResponse, "description": "A training run is in progress"},
            500: {"model": ErrorResponse, "description": "The run failed; nothing registered"},
            503: {"model": ErrorResponse, "description": "MLflow cannot be reached"},
        },
        dependencies=[Depends(require_token)],
    )
    async def trigger_training(
        settings: SettingsDep, body: TriggerRequest | None = None
    ) -> TriggerResponse:
        """Load data → train → evaluate → register the model if accuracy passes the threshold."""
        if not run_lock.acquire(blocking=False):
            raise HTTPException(
                status.HTTP_423_LOCKED,
                detail="a training run is already in progress; try again when it has finished",
            )
        try:
            epochs = body.epochs if body else None
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(training_thread, trigger, settings, epochs)
        finally:
            run_lock.release()

    @app.get("/health", response_model=HealthResponse, responses={503: {"model": ErrorResponse}})
    def health(settings: SettingsDep) -> HealthResponse:
        """200 while the service can take a trigger."""
        if prefect_server is not None and not prefect_server.is_running():
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                detail=f"the Prefect server exited; last lines of its log:\n"
                f"{prefect_server.log_tail()}",
            )
        return HealthResponse(
            training_in_progress=run_lock.locked(),
            mlflow_tracking_uri=settings.mlflow_tracking_uri,
            model_name=settings.model_name,
        )

    return app
