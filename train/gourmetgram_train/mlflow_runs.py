"""The MLflow run of one trigger: tagged as the service's, always ended, stale ones reconciled.

A run ends FINISHED, or FAILED with the reason in the tag `gourmetgram.end_reason`. When
MLflow cannot be told (it died, hangs, or the trigger's time budget is spent) the run stays
RUNNING; `end_stale_runs` ends such runs at the service's start, and before the next trigger
after one that may have left its run so.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import mlflow
from mlflow import MlflowClient
from mlflow.entities import RunInfo
from mlflow.exceptions import MlflowException

logger = logging.getLogger(__name__)

SERVICE_TAG = "gourmetgram.service"
SERVICE_NAME = "gourmetgram-train"
REASON_TAG = "gourmetgram.end_reason"
MAX_REASON = 500  # characters of an exception message kept in the tag


class LeftRunning:
    """Whether a run of this service may be left RUNNING in MLflow, as far as this process knows.

    Looking for such runs (`end_stale_runs`) takes two requests, one a search through all the
    experiment's runs, so the service looks only when there may be one: until a first look
    has succeeded (runs of an earlier life), and while a run it started was not seen to end.
    Only the training thread uses it.
    """

    def __init__(self) -> None:
        self.looked = False
        self.not_seen_to_end: set[str] = set()

    @property
    def possible(self) -> bool:
        """True when the next trigger should look for runs left RUNNING first."""
        return not self.looked or bool(self.not_seen_to_end)


LEFT_RUNNING = LeftRunning()


@contextmanager
def service_run() -> Iterator[str]:
    """Start a run tagged as the service's; end it FINISHED, or FAILED if the block raises.

    The block's own exception always propagates; failing to end the run is only logged,
    since the run is then ended by the next `end_stale_runs`.
    """
    info = mlflow.start_run(tags={SERVICE_TAG: SERVICE_NAME}).info
    LEFT_RUNNING.not_seen_to_end.add(info.run_id)
    if url := run_url(info):
        logger.info("MLflow run %s: %s", info.run_name, url)
    try:
        yield info.run_id
    except BaseException as exc:
        end_run(info.run_id, "FAILED", f"{type(exc).__name__}: {exc}"[:MAX_REASON])
        raise
    end_run(info.run_id, "FINISHED")


def run_url(info: RunInfo) -> str | None:
    """The run's page in MLflow's web UI, for a tracking server (http or https)."""
    uri = mlflow.get_tracking_uri()
    if urlsplit(uri).scheme not in ("http", "https"):
        return None
    return f"{uri.rstrip('/')}/#/experiments/{info.experiment_id}/runs/{info.run_id}"


def end_run(run_id: str, status: str, reason: str | None = None) -> bool:
    """End the active run with `status` (and `reason`); False, logged, if MLflow failed."""
    try:
        mlflow.end_run(status)  # forgets the active run before it calls MLflow
        LEFT_RUNNING.not_seen_to_end.discard(run_id)
        if reason:
            MlflowClient().set_tag(run_id, REASON_TAG, reason)
    except MlflowException as exc:
        logger.warning(
            "could not end MLflow run %s as %s (%s); it stays RUNNING until the service's "
            "next trigger or start ends it",
            run_id,
            status,
            str(exc).splitlines()[0],
        )
        return False
    return True


def end_stale_runs(client: MlflowClient, experiment_name: str, when: str) -> dict[str, str]:
    """End every run of this service still RUNNING in the experiment; return run id -> status.

    Call it only while the service runs no training (at start-up, or holding the run lock).
    A run that a registered version came from ends FINISHED (only its last call was lost),
    any other FAILED, both with the reason in `gourmetgram.end_reason`.
    """
    experiment = client.get_experiment_by_name(experiment_name)
    running = f"tags.`{SERVICE_TAG}` = '{SERVICE_NAME}' and attributes.status = 'RUNNING'"
    stale = (
        []  # no experiment, no runs
        if experiment is None
        else client.search_runs([experiment.experiment_id], running, max_results=1000)
    )
    ended = {}
    for run in stale:
        run_id = run.info.run_id
        registered = client.search_model_versions(f"run_id = '{run_id}'", max_results=1)
        status = "FINISHED" if registered else "FAILED"
        client.set_tag(
            run_id,
            REASON_TAG,
            f"left RUNNING: the training service was killed or lost MLflow before it could "
            f"end this run; marked {status} {when}",
        )
        client.set_terminated(run_id, status)
        ended[run_id] = status
    if ended:
        logger.info("ended %d run(s) left RUNNING %s: %s", len(ended), when, ended)
    LEFT_RUNNING.looked = True
    LEFT_RUNNING.not_seen_to_end.clear()
    return ended
