"""The MLflow run of one trigger: tagged as the service's, always ended, stale ones reconciled.

A run ends FINISHED, or FAILED with the reason in the tag `gourmetgram.end_reason`. When
MLflow cannot be told (it died, hangs, or the trigger's time budget is spent) the run stays
RUNNING; `end_stale_runs` ends such runs at the service's start and before each trigger.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import mlflow
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

logger = logging.getLogger(__name__)

SERVICE_TAG = "gourmetgram.service"
SERVICE_NAME = "gourmetgram-train"
REASON_TAG = "gourmetgram.end_reason"
MAX_REASON = 500  # characters of an exception message kept in the tag


@contextmanager
def service_run() -> Iterator[str]:
    """Start a run tagged as the service's; end it FINISHED, or FAILED if the block raises.

    The block's own exception always propagates; failing to end the run is only logged,
    since the run is then ended by the next `end_stale_runs`.
    """
    run_id = mlflow.start_run(tags={SERVICE_TAG: SERVICE_NAME}).info.run_id
    try:
        yield run_id
    except BaseException as exc:
        end_run(run_id, "FAILED", f"{type(exc).__name__}: {exc}"[:MAX_REASON])
        raise
    end_run(run_id, "FINISHED")


def end_run(run_id: str, status: str, reason: str | None = None) -> bool:
    """End the active run with `status` (and `reason`); False, logged, if MLflow failed."""
    try:
        mlflow.end_run(status)  # forgets the active run before it calls MLflow
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
    if experiment is None:
        return {}
    stale = client.search_runs(
        [experiment.experiment_id],
        filter_string=f"tags.`{SERVICE_TAG}` = '{SERVICE_NAME}' and attributes.status = 'RUNNING'",
        max_results=1000,
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
    return ended
