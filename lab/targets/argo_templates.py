"""Make sure the cluster runs this lab's WorkflowTemplates, not the course's of the same names.

The course's Ansible applies its own ``train-model`` and ``build-container-image`` in
namespace ``argo``, with other parameters. Before anything is submitted, each of ours is
created, or replaces the one there, from ``workflows/NAME.yaml``, and the output says so.
Ours carry an annotation with the file and its SHA-256, so an unchanged one is left alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from lab.targets.argo_client import ArgoServer
from lab.targets.commands import command_line, kubectl_apply

OURS = ("train-model", "build-container-image")
SOURCE = "gourmetgram-lab/source"  # annotation: "workflows/NAME.yaml sha256:…"


@dataclass(frozen=True)
class TemplateState:
    """What the namespace holds under one of our templates' names."""

    name: str
    state: str
    """``ours`` (this file, unchanged), ``missing``, ``older`` (ours, another version) or
    ``other`` (someone else's, e.g. the course's)."""
    detail: str = ""


def our_manifest(root: Path, name: str) -> dict[str, Any]:
    """``workflows/NAME.yaml``, annotated with where it came from."""
    path = root / "workflows" / f"{name}.yaml"
    text = path.read_bytes()
    manifest = yaml.safe_load(text)
    annotations = manifest.setdefault("metadata", {}).setdefault("annotations", {})
    annotations[SOURCE] = f"workflows/{name}.yaml sha256:{hashlib.sha256(text).hexdigest()}"
    return manifest


def parameter_names(template: Mapping[str, Any]) -> list[str]:
    """The names of a WorkflowTemplate's workflow parameters."""
    params = ((template.get("spec") or {}).get("arguments") or {}).get("parameters") or []
    return [p.get("name", "?") for p in params]


def state_of(current: Mapping[str, Any] | None, ours: Mapping[str, Any]) -> TemplateState:
    """Compare what the cluster holds (None: nothing) with our manifest."""
    name = ours["metadata"]["name"]
    if current is None:
        return TemplateState(name, "missing")
    mark = ((current.get("metadata") or {}).get("annotations") or {}).get(SOURCE, "")
    if mark == ours["metadata"]["annotations"][SOURCE]:
        return TemplateState(name, "ours", mark)
    if mark:
        return TemplateState(name, "older", f"from {mark}")
    params = ", ".join(parameter_names(current)) or "none"
    return TemplateState(name, "other", f"not this lab's: its parameters are {params}")


def ensure_templates(
    server: ArgoServer,
    root: Path,
    *,
    echo: Callable[[str], Any] = print,
    names: tuple[str, ...] = OURS,
) -> list[TemplateState]:
    """Create or replace our templates in the server's namespace; say what was done."""
    states = []
    for name in names:
        ours = our_manifest(root, name)
        current = server.get_template(name)
        state = state_of(current, ours)
        apply = command_line(kubectl_apply(f"workflows/{name}.yaml", server.namespace))
        if state.state == "ours":
            echo(f"# WorkflowTemplate {name} in {server.namespace} is this lab's (unchanged)")
        elif state.state == "missing":
            echo(f"# WorkflowTemplate {name} is not in {server.namespace}: creating it")
            echo(f"$ {apply}   # on node1, in the repository")
            server.create_template(ours)
        else:
            wanted = ", ".join(parameter_names(ours))
            echo(
                f"# WorkflowTemplate {name} in {server.namespace} is {state.detail}: replacing it "
                f"with this lab's workflows/{name}.yaml (parameters {wanted})"
            )
            echo(f"$ {apply}   # on node1, in the repository")
            version = ((current or {}).get("metadata") or {}).get("resourceVersion", "")
            server.update_template(ours, version)
        states.append(state)
    return states
