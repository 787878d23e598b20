"""Helpers for the rehearsal tests: the example folder and tiny WorkflowTemplates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data"
SH = {"image": "alpine:3.18", "command": ["sh"]}


def minimal(**template: Any) -> dict[str, Any]:
    """A one-template WorkflowTemplate named ``probe`` whose entrypoint is ``template``."""
    body = {"name": "main", **template}
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "WorkflowTemplate",
        "metadata": {"name": "probe"},
        "spec": {"entrypoint": "main", "templates": [body]},
    }


def write_templates(folder: Path, *docs: dict[str, Any]) -> Path:
    """Write documents as one YAML file in ``folder`` and return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "templates.yaml").write_text(yaml.safe_dump_all(docs, sort_keys=False))
    return folder
