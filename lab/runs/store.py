"""Save and load workflow run records, so a later notebook can show what an earlier one ran."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from lab.runs.records import NodeRecord, Outputs, WorkflowRun


def _jsonable(value: Any) -> Any:
    """Datetimes and paths as strings, tuples as lists; everything else as it is."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def run_to_dict(run: WorkflowRun) -> dict[str, Any]:
    """A run (with its nodes and children) as plain JSON data."""
    return _jsonable(asdict(run))


def run_from_dict(data: dict[str, Any]) -> WorkflowRun:
    """The run that ``run_to_dict`` wrote."""
    nodes = []
    for node in data.get("nodes", []):
        node = dict(node)
        node["outputs"] = Outputs(**node.get("outputs", {}))
        node["log_path"] = Path(node["log_path"]) if node.get("log_path") else None
        node["started"], node["finished"] = _time(node["started"]), _time(node["finished"])
        nodes.append(NodeRecord(**{f.name: node[f.name] for f in fields(NodeRecord)}))
    run = dict(data)
    run["nodes"] = nodes
    run["children"] = [run_from_dict(child) for child in data.get("children", [])]
    run["replaced_defaults"] = {k: tuple(v) for k, v in data.get("replaced_defaults", {}).items()}
    run["workdir"] = Path(data["workdir"]) if data.get("workdir") else None
    run["started"], run["finished"] = _time(data["started"]), _time(data["finished"])
    return WorkflowRun(**{f.name: run[f.name] for f in fields(WorkflowRun)})


def save_run(run: WorkflowRun, folder: Path) -> Path:
    """Write the run to ``folder/<name>.json`` atomically and return the path."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{run.name}.json"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{run.name}.", suffix=".tmp")
    with os.fdopen(fd, "w") as out:
        json.dump(run_to_dict(run), out, indent=1)
        out.write("\n")
    os.replace(tmp, target)
    return target


def load_runs(folder: Path) -> list[WorkflowRun]:
    """Every saved run in ``folder``, oldest first."""
    runs = [run_from_dict(json.loads(p.read_text())) for p in folder.glob("*.json")]
    return sorted(runs, key=lambda r: r.started or datetime.min)
