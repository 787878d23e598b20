"""Request and response bodies of the training service's HTTP API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class TriggerRequest(BaseModel):
    """Optional body of POST /trigger-training; an empty body or none at all uses the defaults."""

    model_config = ConfigDict(
        extra="forbid",
        allow_inf_nan=False,  # JSON's NaN and Infinity are not numbers a trigger can use
        json_schema_extra={"examples": [{}, {"epochs": 3}, {"epochs": 1}]},
    )

    epochs: int | None = Field(
        default=None,
        ge=0,
        le=200,
        description=(
            "Training epochs for this run (default: the service's EPOCHS setting). "
            "On the generated sample set, 1 is too little training (accuracy about 0.37) and "
            "0 trains nothing: the untrained model scores about 1/11 = 0.09 accuracy. Both "
            "fail the accuracy gate, and nothing is registered (new_model_version is null)."
        ),
    )


class TriggerResponse(BaseModel):
    """The outcome of one training run."""

    status: Literal["registered", "rejected"] = Field(
        description="registered: passed the gate, new version has alias development; "
        "rejected: accuracy below the threshold, nothing registered"
    )
    new_model_version: str | None = Field(
        description="The new registry version (e.g. '3'), or null when the gate failed"
    )
    run_id: str = Field(description="The MLflow run with this run's parameters and metrics")
    metrics: dict[str, float] = Field(
        description="accuracy, loss and accuracy_<class> on the evaluation split"
    )
    model_name: str
    accuracy_threshold: float
    message: str = Field(description="One sentence for a person")


class HealthResponse(BaseModel):
    """GET /health: the service is up; "ok" when MLflow answers too, else "degraded"."""

    status: Literal["ok", "degraded"] = Field(
        description="ok: a trigger can run; degraded: the service is up but MLflow does not "
        "answer (a trigger would get 503), or the service is stopping"
    )
    training_in_progress: bool
    mlflow_tracking_uri: str
    mlflow_reachable: bool
    model_name: str
    problem: str | None = Field(default=None, description="What is wrong when degraded")


class ErrorResponse(BaseModel):
    """The body of every error answer (FastAPI's HTTPException format)."""

    detail: str
