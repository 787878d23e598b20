"""What the MLflow model registry holds: versions, aliases and their runs' accuracy.

Read over MLflow's REST API (``/api/2.0/mlflow/...``) with httpx: a notebook that shows the
registry does not import the MLflow client (seconds, and about 150 MiB, per kernel).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import httpx

from lab.mlflow_rest import MlflowRestError, call, mlflow_http

MODEL_NAME = "GourmetGramFood11Model"
# datetime.UTC is Python 3.11+; the slim client runs on 3.10 too.
UTC_ZONE = timezone.utc  # noqa: UP017
PAGE_SIZE = 1000


RegistryError = MlflowRestError  # what reading the registry raises, by the name callers know


@dataclass(frozen=True)
class VersionRow:
    """One registered version, as a student reads it in the MLflow UI."""

    version: int
    aliases: tuple[str, ...]
    accuracy: float | None
    run_id: str
    created: datetime


def model_versions(mlflow_uri: str, name: str = MODEL_NAME) -> list[VersionRow]:
    """Every version of the model, newest first ([] if the model is not registered yet)."""
    with mlflow_http(mlflow_uri) as http:
        versions: list[dict[str, Any]] = []
        token = None
        while True:
            found = call(
                http,
                "model-versions/search",
                filter=f"name = '{name}'",
                max_results=PAGE_SIZE,
                **({"page_token": token} if token else {}),
            )
            versions += (found or {}).get("model_versions", [])
            token = (found or {}).get("next_page_token")
            if not token:
                break
        if not versions:
            return []
        # The search leaves aliases out; the registered model lists them all.
        model = (call(http, "registered-models/get", name=name) or {}).get("registered_model", {})
        aliases: dict[int, list[str]] = {}
        for entry in model.get("aliases", []):
            aliases.setdefault(int(entry["version"]), []).append(entry["alias"])
        rows = [_row(http, mv, aliases) for mv in versions]
    return sorted(rows, key=lambda r: r.version, reverse=True)


def _row(http: httpx.Client, mv: dict[str, Any], aliases: dict[int, list[str]]) -> VersionRow:
    """A version as a row, with its run's accuracy (None if the run has none or is gone)."""
    run_id = mv.get("run_id") or ""
    run = call(http, "runs/get", run_id=run_id) if run_id else None
    metrics = (run or {}).get("run", {}).get("data", {}).get("metrics", [])
    accuracy = next((m["value"] for m in metrics if m["key"] == "accuracy"), None)
    version = int(mv["version"])
    return VersionRow(
        version=version,
        aliases=tuple(sorted(aliases.get(version, ()))),
        accuracy=accuracy,
        run_id=run_id,
        created=datetime.fromtimestamp(int(mv["creation_timestamp"]) / 1000, tz=UTC_ZONE),
    )


def alias_version(mlflow_uri: str, alias: str, name: str = MODEL_NAME) -> int | None:
    """The version an alias points at, or None when the alias is not set."""
    rows = model_versions(mlflow_uri, name)
    return next((r.version for r in rows if alias in r.aliases), None)


def versions_table(rows: list[VersionRow]) -> str:
    """The versions as a plain-text table (newest first)."""
    lines = [f"{'version':>7}  {'aliases':<22}  {'accuracy':>8}  run id"]
    for row in rows:
        accuracy = f"{row.accuracy:.3f}" if row.accuracy is not None else "-"
        aliases = ", ".join(row.aliases) or "-"
        lines.append(f"{row.version:>7}  {aliases:<22}  {accuracy:>8}  {row.run_id}")
    return "\n".join(lines)
