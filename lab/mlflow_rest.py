"""MLflow's REST API (``/api/2.0/mlflow/...``), read with httpx.

What the notebooks show of MLflow (registry rows, a run's metrics) takes a few requests;
making them this way keeps the MLflow client (seconds to import, about 150 MiB) out of the
notebook kernels.
"""

from __future__ import annotations

from typing import Any

import httpx

from lab.httpclients import http_client


class MlflowRestError(RuntimeError):
    """Raised when MLflow cannot be reached or refuses a question; says which and where."""


def mlflow_http(mlflow_uri: str, timeout_s: float = 60) -> httpx.Client:
    """An httpx client for the MLflow server at ``mlflow_uri``."""
    return http_client(base_url=mlflow_uri.rstrip("/"), timeout=timeout_s)


def call(
    http: httpx.Client, path: str, *, body: dict[str, Any] | None = None, **params: Any
) -> dict[str, Any] | None:
    """``GET`` (or with ``body``, ``POST``) ``/api/2.0/mlflow/<path>`` as JSON.

    None when MLflow answers 404 (no such thing).
    """
    url = f"/api/2.0/mlflow/{path}"
    try:
        answer = http.post(url, json=body) if body is not None else http.get(url, params=params)
    except httpx.HTTPError as error:
        raise MlflowRestError(f"MLflow at {http.base_url} cannot be reached: {error}") from None
    if answer.status_code == 404:
        return None
    if answer.status_code != 200:
        raise MlflowRestError(
            f"MLflow at {http.base_url} answered {path} with HTTP {answer.status_code}: "
            f"{answer.text[:300]}"
        )
    return answer.json()
