"""One trigger, run in the training thread: the flow within one MLflow budget, and its answer."""

from __future__ import annotations

import logging
from functools import cache

from fastapi import HTTPException, status
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from prefect.context import SettingsContext, get_settings_context
from prefect.settings import Settings as PrefectSettings
from prefect.settings import get_current_settings

from gourmetgram_train.budget import BudgetSpentError, MlflowBudget, mlflow_budget
from gourmetgram_train.config import Settings
from gourmetgram_train.flow import (
    ALIAS,
    RegistrationIncompleteError,
    TrainingResult,
    train_and_register,
)
from gourmetgram_train.mlflow_runs import LEFT_RUNNING, REASON_TAG, end_stale_runs
from gourmetgram_train.prefect_client import SharedFlowClient
from gourmetgram_train.schemas import TriggerResponse
from gourmetgram_train.stopping import ServiceStopping, check_stop, stop_requested
from gourmetgram_train.tracking import MlflowUnavailableError, check_mlflow

logger = logging.getLogger(__name__)
NOTHING_REGISTERED = (
    f"nothing was registered; its MLflow run, if one started, is marked FAILED with the reason "
    f"in its tag {REASON_TAG} (by the next trigger or start-up if MLflow could not be told)"
)


@cache
def flow_settings() -> PrefectSettings:
    """Prefect's settings for our flow runs: the current ones without flow-run heartbeats."""
    # Heartbeats let a Prefect server with services spot crashed runs; ours runs none, and
    # stopping the heartbeat thread at the end of each run costs up to a second. Built once:
    # temporary_settings() would rebuild the whole settings model on every run (~50 ms).
    return get_current_settings().copy_with_update(updates={"flows.heartbeat_frequency": None})


#: The Prefect client every flow run of the training thread uses (prefect_client.py).
FLOW_CLIENT = SharedFlowClient()


def run_flow(epochs: int | None) -> TrainingResult:
    """Run the Prefect flow once in this thread and return its result."""
    profile = get_settings_context().profile
    with SettingsContext(profile=profile, settings=flow_settings()), FLOW_CLIENT.current():
        return train_and_register(epochs=epochs)


def check_mlflow_within(settings: Settings, budget: MlflowBudget) -> None:
    """check_mlflow, waiting no longer than the budget allows, and charged to it."""
    with budget.charged():
        check_mlflow(settings.mlflow_tracking_uri, budget.limit(settings.mlflow_timeout_s))


def end_stale_runs_before(settings: Settings) -> None:
    """End the runs left RUNNING (by an earlier trigger, or an earlier life of the service)."""
    client = MlflowClient(settings.mlflow_tracking_uri, settings.mlflow_tracking_uri)
    end_stale_runs(client, settings.mlflow_experiment_name, "before the next run")


def end_stale_runs_at_start(settings: Settings) -> None:
    """The same at start-up, within one budget; MLflow being away is only logged."""
    client = MlflowClient(settings.mlflow_tracking_uri, settings.mlflow_tracking_uri)
    with mlflow_budget(settings.mlflow_budget_s):
        try:
            end_stale_runs(client, settings.mlflow_experiment_name, "when the service started")
        except MlflowException as exc:
            logger.warning(
                "could not look for runs left RUNNING in MLflow (%s); the next trigger will",
                str(exc).splitlines()[0],
            )


def run_trigger(settings: Settings, epochs: int | None) -> TriggerResponse:
    """Check MLflow, run the flow, and turn its outcome into the HTTP answer.

    Every MLflow request of the trigger shares one budget (MLFLOW_BUDGET_S); a stop request
    cancels the run until it registers. Errors are HTTPExceptions: 503 when MLflow cannot be
    reached, does not answer in time, or the service is stopping; 500 when the run failed.
    """
    with mlflow_budget(settings.mlflow_budget_s) as budget:
        try:
            check_stop("before it started")
            check_mlflow_within(settings, budget)
            if LEFT_RUNNING.possible:  # only when a run may be left so (mlflow_runs.LeftRunning)
                end_stale_runs_before(settings)
            result = run_flow(epochs)
        except ServiceStopping as exc:
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                detail=f"{exc}; {NOTHING_REGISTERED}. Trigger again once the service is back.",
            ) from exc
        except (MlflowUnavailableError, BudgetSpentError) as exc:
            raise unavailable(settings, budget, exc) from exc
        except Exception as exc:
            logger.exception("training run failed")
            raise failure(settings, budget, exc) from exc
    return answer(settings, result)


def unavailable(
    settings: Settings, budget: MlflowBudget, reason: Exception, failed: Exception | None = None
) -> HTTPException:
    """The 503 for MLflow down or hung (`reason`), after the run failed with `failed`."""
    if isinstance(reason, MlflowUnavailableError):
        detail = str(reason)
    else:
        detail = (
            f"MLflow at {settings.mlflow_tracking_uri} did not answer within "
            f"{budget.seconds:g} s, the time a trigger may wait on MLflow in all "
            "(MLFLOW_BUDGET_S): is the server hung or overloaded?"
        )
    return HTTPException(
        status.HTTP_503_SERVICE_UNAVAILABLE, detail=f"{detail} {outcome(failed or reason)}"
    )


def failure(settings: Settings, budget: MlflowBudget, exc: Exception) -> HTTPException:
    """503 if the run failed because MLflow is down or hung or the service is stopping,
    else 500 naming the error."""
    if stop_requested():  # the stop also cut MLflow's budget short (stopping.STOP_GRACE_S)
        return HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail=f"the service is stopping (SIGTERM) and the run could not finish in time "
            f"({type(exc).__name__}). {outcome(exc)} Trigger again once the service is back.",
        )
    if budget.exhausted:
        return unavailable(settings, budget, exc)
    try:
        check_mlflow_within(settings, budget)
    except (MlflowUnavailableError, BudgetSpentError) as down:
        return unavailable(settings, budget, down, failed=exc)
    return HTTPException(
        status.HTTP_500_INTERNAL_SERVER_ERROR,
        detail=f"training run failed ({type(exc).__name__}: {exc}). {outcome(exc)} "
        "The service log has the traceback.",
    )


def outcome(exc: BaseException) -> str:
    """What the registry holds after a failed trigger, as a sentence."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, RegistrationIncompleteError):
            return f"{cause}."
        cause = cause.__cause__ or cause.__context__
    return NOTHING_REGISTERED[0].upper() + NOTHING_REGISTERED[1:] + "."


def answer(settings: Settings, result: TrainingResult) -> TriggerResponse:
    """The 200 answer for a run that finished: registered, or rejected by the gate."""
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
