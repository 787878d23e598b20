"""Run one leaf node (script, container or resource) with its retries.

A retry waits at most 1 s here, whatever the backoff says (the log gives both). A resource
step's Workflow runs to completion before the parent goes on; on a cluster it runs on its own.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from lab.rehearsal import executors, features, resources, volumes
from lab.rehearsal.records import ERROR, FAILED, SUCCEEDED, NodeRecord, Outputs
from lab.rehearsal.variables import Scope, substitute_tree

if TYPE_CHECKING:
    from lab.rehearsal.execution import WorkflowExecution

MAX_BACKOFF_S = 1.0
NOTE_CHILD = (
    "a Workflow created by a resource step ran to completion before its parent "
    "went on; on a cluster it runs on its own"
)


def run_leaf(
    ex: WorkflowExecution,
    template: dict[str, Any],
    kind: str,
    scope: Scope,
    inputs: dict[str, str],
    record: NodeRecord,
    where: str,
) -> tuple[str, str]:
    """A script, container or resource node, with its retries."""
    ex.counter += 1
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", record.name)[:60]
    node_id = f"{ex.counter:02d}-{slug}"
    log = executors.NodeLog(ex.dir / "logs" / f"{node_id}.log")
    record.log_path = log.path
    retry = template.get("retryStrategy")
    if retry is None:
        limit: int | None = 0
    elif "limit" in retry:
        limit = int(retry["limit"])
    else:
        limit = None  # as in Argo: a retryStrategy without a limit retries until the deadline
    policy = (retry or {}).get("retryPolicy", "OnFailure")
    attempt = 0
    while True:
        if time.monotonic() >= ex.deadline:
            return FAILED, f"rehearsal deadline reached (timeout_s={ex.r.timeout_s:g})"
        local = scope.child({"retries": str(attempt)}) if retry is not None else scope
        resolved = substitute_tree(template, local, f"template {template['name']!r}")
        record.attempts = attempt + 1
        if kind == "resource":
            phase, message = _resource(ex, resolved, record, log, where)
        else:
            outcome = _pod(ex, resolved, inputs, record, log, f"{node_id}-{attempt}")
            phase, message = outcome.phase, outcome.message
            record.outputs, record.handled_by = outcome.outputs, outcome.handled_by
        retryable = (phase == FAILED and policy in ("Always", "OnFailure")) or (
            phase == ERROR and policy in ("Always", "OnError")
        )
        if phase == SUCCEEDED or not retryable or (limit is not None and attempt >= limit):
            return phase, message
        attempt += 1
        wait = _backoff(retry, attempt)
        shown = f"{attempt}/{limit}" if limit is not None else f"{attempt}"
        log.write(
            f"rehearsal: attempt {attempt} {phase.lower()} ({message}); retry {shown} "
            f"after {min(wait, MAX_BACKOFF_S):g} s (backoff {wait:g} s on a cluster, "
            f"capped at {MAX_BACKOFF_S:g} s here)"
        )
        time.sleep(min(wait, MAX_BACKOFF_S))


def _backoff(retry: dict[str, Any], attempt: int) -> float:
    """Seconds a cluster would wait before retry number ``attempt``."""
    backoff = retry.get("backoff") or {}
    if "duration" not in backoff:
        return 0.0
    where = "retryStrategy.backoff"
    wait = features.parse_duration(backoff["duration"], where)
    wait *= float(backoff.get("factor", 1)) ** (attempt - 1)
    if "cap" in backoff:
        wait = min(wait, features.parse_duration(backoff["cap"], where))
    return wait


def _pod(
    ex: WorkflowExecution,
    template: dict[str, Any],
    inputs: dict[str, str],
    record: NodeRecord,
    log: executors.NodeLog,
    pod_id: str,
) -> executors.Attempt:
    """One attempt of a script or container step, in a fresh pod folder."""
    section = template.get("script") or template["container"]
    pod_dir = ex.dir / "pods" / pod_id
    pod_volumes = {**ex.pod_volumes, **{v["name"]: v for v in template.get("volumes") or []}}
    files = volumes.pod_files(section, pod_volumes, ex.shared, pod_dir)
    deadline = ex.deadline - time.monotonic()
    for key in ("activeDeadlineSeconds", "timeout"):
        if key in template:
            deadline = min(deadline, features.parse_duration(template[key], key))
    return executors.run_pod_attempt(
        template,
        step=record.name,
        run_name=ex.run.name,
        inputs=inputs,
        files=files,
        env=ex.env,
        secrets=ex.r.secrets,
        handlers=ex.r.handlers,
        log=log,
        script_path=pod_dir / "script",
        timeout=deadline,
        search_path=ex.r.search_path,
    )


def _resource(
    ex: WorkflowExecution,
    template: dict[str, Any],
    record: NodeRecord,
    log: executors.NodeLog,
    where: str,
) -> tuple[str, str]:
    """Create the child Workflow and judge the step by its conditions, if any."""
    resource = template["resource"]
    request = resources.parse_manifest(resource["manifest"], f"{where}.resource")
    if NOTE_CHILD not in ex.run.notes:
        ex.run.notes.append(NOTE_CHILD)
    child = ex.r.run_child(request, ex.run, record, log, where)
    record.outputs = Outputs(
        None,
        {p["name"]: child.name for p in (template.get("outputs") or {}).get("parameters") or []},
    )
    message = f"created Workflow {child.name} (rehearsed to the end: {child.phase})"
    if "failureCondition" in resource and resources.condition_holds(
        resource["failureCondition"], child.phase, f"{where}.failureCondition"
    ):
        return FAILED, f"{message}; failureCondition '{resource['failureCondition']}' met"
    if "successCondition" in resource and not resources.condition_holds(
        resource["successCondition"], child.phase, f"{where}.successCondition"
    ):
        return FAILED, f"{message}; successCondition '{resource['successCondition']}' not met"
    return SUCCEEDED, message
