"""What the MLflow model registry holds: versions, aliases and their runs' accuracy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from mlflow.tracking import MlflowClient

MODEL_NAME = "GourmetGramFood11Model"
# datetime.UTC is Python 3.11+; the slim client runs on 3.10 too.
UTC_ZONE = timezone.utc  # noqa: UP017


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
    client = MlflowClient(tracking_uri=mlflow_uri, registry_uri=mlflow_uri)
    versions = client.search_model_versions(f"name = '{name}'")
    if not versions:
        return []
    # search_model_versions leaves aliases out; the registered model lists them all.
    aliases: dict[int, list[str]] = {}
    for alias, version in client.get_registered_model(name).aliases.items():
        aliases.setdefault(int(version), []).append(alias)
    rows = []
    for mv in versions:
        metrics = client.get_run(mv.run_id).data.metrics if mv.run_id else {}
        rows.append(
            VersionRow(
                version=int(mv.version),
                aliases=tuple(sorted(aliases.get(int(mv.version), ()))),
                accuracy=metrics.get("accuracy"),
                run_id=mv.run_id or "",
                created=datetime.fromtimestamp(mv.creation_timestamp / 1000, tz=UTC_ZONE),
            )
        )
    return sorted(rows, key=lambda r: r.version, reverse=True)


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
