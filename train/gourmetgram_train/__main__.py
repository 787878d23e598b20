"""Start the training service: `python -m gourmetgram_train` (the container's command)."""

from __future__ import annotations

import logging
import os
import sys
from types import FrameType

import uvicorn

from gourmetgram_train.config import ConfigurationError, get_settings
from gourmetgram_train.prefect_server import PrefectServer
from gourmetgram_train.startup_gc import collector_paused
from gourmetgram_train.stopping import request_stop

# The same shape as Prefect's own lines, so the service's log reads as one.
LOG_FORMAT = "%(asctime)s.%(msecs)03d | %(levelname)-7s | %(name)s - %(message)s"
#: How long uvicorn lets requests finish after SIGTERM: within `docker stop`'s 10 s, with
#: room to stop Prefect's server. A run stops within about a second (stopping.py); only a
#: hung MLflow can hold a request this long, and its run is then ended at the next start.
GRACEFUL_SHUTDOWN_S = 7


class StoppingServer(uvicorn.Server):
    """uvicorn's server that also asks a running training to stop on SIGTERM or SIGINT."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """Ask the run to stop first, so it stops while uvicorn drains its connections."""
        request_stop()
        super().handle_exit(sig, frame)


def configure_logging() -> None:
    """Send uvicorn's and our INFO lines to stderr (Prefect's logging setup mutes uvicorn's)."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(LOG_FORMAT, datefmt="%H:%M:%S"))
    for name in ("uvicorn", "uvicorn.access", "gourmetgram_train"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(logging.INFO)
        logger.propagate = False
    logging.getLogger("uvicorn.error").propagate = True  # to "uvicorn", once


def main() -> None:
    """Check the settings, start Prefect's server, then serve the API with uvicorn."""
    try:
        settings = get_settings()
    except ConfigurationError as exc:
        sys.exit(f"gourmetgram-train: {exc}")
    # Per request; a trigger's MLflow budget (budget.py, MLFLOW_BUDGET_S) bounds them all.
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "2")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "30")
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    # MLflow prints a link to each run as it ends, after fetching the run once more to write
    # it: a request per trigger. The service logs that link as the run starts (mlflow_runs.py).
    os.environ.setdefault("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "true")
    # Start Prefect's server first, so it boots while we import torch, mlflow and prefect,
    # and point this process's Prefect client at it before prefect is imported.
    prefect_server = PrefectServer(settings.state_dir / "prefect")
    prefect_server.start()
    try:
        os.environ.update(prefect_server.client_env())
        with collector_paused():  # about 0.9 s of the imports' 9 s of CPU (startup_gc.py)
            from prefect.logging.configuration import ensure_logging_setup

            # Prefect's log handler must own the root logger before mlflow.pytorch is
            # imported: that import calls logging.basicConfig(), which would take it otherwise.
            ensure_logging_setup()
            from gourmetgram_train.api import create_app  # imports torch, mlflow, the flow

            app = create_app(prefect_server)
        configure_logging()  # after Prefect has set up its logging at import
        config = uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            log_config=None,  # keep the logging set up above
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        )
        StoppingServer(config).run()
    finally:
        prefect_server.stop()


if __name__ == "__main__":
    main()
