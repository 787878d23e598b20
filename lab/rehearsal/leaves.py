"""One attempt of a leaf node: a script or container pod, or a resource that creates a Workflow.

The caller (the workflow's execution) owns the node's record, its log and its retries;
an attempt only reports how it ended. A resource step's Workflow runs to completion before
the parent goes on; on a cluster it runs on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lab.rehearsal import pods, resources, volumes
from lab.rehearsal.context import RunContext
from lab.rehearsal.processes import NodeLog
from lab.runs.records import FAILED, SUCCEEDED, Outputs, WorkflowRun


@dataclass(frozen=True)
class LeafResult:
    """How one attempt of a leaf ended, with what it produced."""

    phase: str
    message: str
    outputs: Outputs = field(default_factory=Outputs)
    handled_by: str | None = None
    child: WorkflowRun | None = None


@dataclass(frozen=True)
class PodPlace:
    """Where one attempt of a pod lives: its folder, the run's volumes, the run's HOME."""

    pod_dir: Path
    pod_volumes: dict[str, dict[str, Any]]
    shared: dict[str, Path]
    home: Path


def run_pod(
    ctx: RunContext,
    template: dict[str, Any],
    *,
    step: str,
    run_name: str,
    inputs: dict[str, str],
    place: PodPlace,
    log: NodeLog,
    timeout: float,
) -> LeafResult:
    """One attempt of a (substituted) script or container template."""
    section = template.get("script") or template["container"]
    volumes_here = {**place.pod_volumes, **{v["name"]: v for v in template.get("volumes") or []}}
    files = volumes.pod_files(section, volumes_here, place.shared, place.pod_dir)
    attempt = pods.run_pod_attempt(
        pods.PodRequest(
            template=template,
            step=step,
            run_name=run_name,
            inputs=inputs,
            files=files,
            pod_dir=place.pod_dir,
            home=place.home,
            shim_dir=ctx.shim_dir,
            search_path=ctx.search_path,
            secrets=ctx.secrets,
            handlers=ctx.handlers,
            log=log,
            timeout=timeout,
        )
    )
    return LeafResult(attempt.phase, attempt.message, attempt.outputs, attempt.handled_by)


def run_resource(
    ctx: RunContext,
    template: dict[str, Any],
    *,
    parent: WorkflowRun,
    parent_path: str,
    log: NodeLog,
    where: str,
) -> LeafResult:
    """Create the child Workflow, run it to its end, and judge the step by its conditions."""
    resource = template["resource"]
    request = resources.parse_manifest(resource["manifest"], f"{where}.resource")
    child = ctx.run_child(request, parent, parent_path, log, where)
    declared = (template.get("outputs") or {}).get("parameters") or []
    outputs = Outputs(None, {p["name"]: child.name for p in declared})
    message = f"created Workflow {child.name} (rehearsed to the end: {child.phase})"
    if "failureCondition" in resource and resources.condition_holds(
        resource["failureCondition"], child.phase, f"{where}.failureCondition"
    ):
        message = f"{message}; failureCondition '{resource['failureCondition']}' met"
        return LeafResult(FAILED, message, outputs, child=child)
    if "successCondition" in resource and not resources.condition_holds(
        resource["successCondition"], child.phase, f"{where}.successCondition"
    ):
        message = f"{message}; successCondition '{resource['successCondition']}' not met"
        return LeafResult(FAILED, message, outputs, child=child)
    return LeafResult(SUCCEEDED, message, outputs, child=child)
