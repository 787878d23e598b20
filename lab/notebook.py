"""What the notebooks' cells call: open a target from the parameters cell, and read runs."""

from __future__ import annotations

from lab.runs.records import SKIPPED, WorkflowRun
from lab.targets import Target, connect

TRIGGER_STEP = "trigger-training-endpoint"
BUILD_STEP = "build-container"


def open_lab(
    target: str = "local",
    *,
    floating_ip: str = "",
    ssh_key: str = "",
    argo_namespace: str = "argo",
    argo_url: str = "",
    repo_url: str = "",
    argo_token: str = "",
) -> Target:
    """The target the parameters cell names; chameleon settings apply only to chameleon.

    ``argo_url`` empty: the lab reaches the Argo Server through node1 itself. No token is
    needed on the course cluster; one is sent only if given (or set as ``ARGO_TOKEN``).
    """
    if target == "chameleon":
        return connect(
            "chameleon",
            floating_ip=floating_ip,
            ssh_key=ssh_key or None,
            argo_namespace=argo_namespace,
            argo_url=argo_url or None,
            repo_url=repo_url or None,
            argo_token=argo_token or None,
        )
    return connect(target)


def new_version(run: WorkflowRun) -> int | None:
    """The model version a train-model run registered, or None when the gate failed."""
    result = run.node(TRIGGER_STEP).outputs.result
    return int(result) if result else None


def build_ran(run: WorkflowRun) -> bool:
    """Whether a train-model run went on to create a build-container-image workflow."""
    return run.node(BUILD_STEP).phase != SKIPPED


def run_summary(run: WorkflowRun, indent: str = "") -> str:
    """A run, its steps and the workflows it created, one line each."""
    lines = [f"{indent}{run.name} ({run.template}): {run.phase}"]
    if run.message:
        lines.append(f"{indent}  {run.message}")
    for node in run.nodes:
        if node.type in ("Steps", "DAG"):
            continue
        result = node.outputs.result
        shown = f" -> {result}" if result else ""
        lines.append(f"{indent}  {node.name:<28} {node.phase:<10}{shown}")
        if node.message and node.phase != "Succeeded":
            lines.append(f"{indent}    {node.message}")
    for child in run.children:
        lines.append(run_summary(child, indent + "  "))
    return "\n".join(lines)
