"""Run one workflow as Argo v3.6.5 does: its entrypoint, its exit handler, retries, phases.

Every node is recorded. A template with a ``retryStrategy`` (its own, or the spec's)
is retried as :mod:`lab.rehearsal.retries` decides, whatever its type: a script's
attempts share its one record and log; a steps or DAG template becomes a ``Retry`` node
whose attempts (``name(0)``, ``name(1)``…) run the whole template again. The workflow
ends in its entrypoint's phase (``Error`` stays ``Error``); ``onExit`` then runs with
``{{workflow.status}}``, and its failure fails a workflow that had succeeded.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from lab.argo.durations import go_duration, int_or_string
from lab.rehearsal import leaves, parameters, retries, volumes
from lab.rehearsal.context import RunContext
from lab.rehearsal.dag import run_dag
from lab.rehearsal.errors import NodeErrored, RehearsalError
from lab.rehearsal.features import TYPES
from lab.rehearsal.processes import NodeLog
from lab.rehearsal.scope import Scope, substitute_tree
from lab.rehearsal.steps import run_steps
from lab.runs.records import ERROR, FAILED, FAILED_PHASES, SUCCEEDED, NodeRecord, WorkflowRun

NOTE_CHILD = (
    "a Workflow created by a resource step ran to completion before its parent "
    "went on; on a cluster it runs on its own"
)
WORKFLOW_PHASES = {FAILED: FAILED, ERROR: ERROR}  # anything else: Succeeded
GROUP_TYPES = ("Steps", "DAG", "Retry")


def now() -> datetime:
    """The current time, as records keep it (UTC)."""
    return datetime.now(UTC)


class WorkflowExecution:
    """Running one workflow: its scope, volumes, nodes and events."""

    def __init__(self, ctx: RunContext, run: WorkflowRun) -> None:
        self.ctx, self.run = ctx, run
        self.spec = ctx.library[run.template]["spec"]
        self.templates = {t["name"]: t for t in self.spec["templates"]}
        self.dir = run.workdir
        self.shared = volumes.shared_volumes(self.spec, self.dir)
        self.pod_volumes = {v["name"]: v for v in self.spec.get("volumes") or []}
        self.pods = 0
        self.workflow_deadline = None
        if "activeDeadlineSeconds" in self.spec:
            limit = int_or_string(self.spec["activeDeadlineSeconds"])
            self.workflow_deadline = ctx.clock.now() + limit
        self.scope = Scope(
            {
                "workflow.name": run.name,
                "workflow.uid": str(uuid.uuid4()),
                "workflow.creationTimestamp": now().strftime("%Y-%m-%dT%H:%M:%SZ"),
                **{f"workflow.parameters.{k}": v for k, v in run.parameters.items()},
            }
        )
        self.scope.missing("workflow.status", "only an onExit handler sees workflow.status")

    def execute(self) -> None:
        """Run the entrypoint, then onExit, recording everything; raise what cannot run."""
        run = self.run
        run.started = now()
        self.ctx.emit(run, "workflow-started", None)
        try:
            top = self.call(
                self.spec["entrypoint"],
                dict(run.parameters),
                path=run.name,
                display=run.name,
                group=None,
                base=self.scope,
            )
            run.phase = WORKFLOW_PHASES.get(top.phase, SUCCEEDED)
            run.message = "" if run.phase == SUCCEEDED else self.failure(top)
            if self.spec.get("onExit"):
                self.on_exit()
        except RehearsalError as err:
            run.phase, run.message = ERROR, str(err)
            if self.spec.get("onExit") and not any(n.name == "onExit" for n in run.nodes):
                self.note(
                    f"onExit handler {self.spec['onExit']!r} did not run: the rehearsal "
                    "stopped before the workflow ended (see the run's message)"
                )
            raise
        finally:
            run.finished = now()
            self.ctx.emit(run, "workflow-finished", None)

    def on_exit(self) -> None:
        """The exit handler, with ``workflow.status``; its failure fails a successful run."""
        run = self.run
        scope = self.scope.child({"workflow.status": run.phase})
        handler = self.call(
            self.spec["onExit"],
            {},
            path=f"{run.name}.onExit",
            display="onExit",
            group=None,
            base=scope,
        )
        if run.phase == SUCCEEDED and handler.phase in FAILED_PHASES:
            run.phase, run.message = handler.phase, self.failure(handler)

    def failure(self, node: NodeRecord) -> str:
        """The message of the first failed leaf node under ``node`` (else the node's own)."""
        for record in self.run.nodes:
            inside = record.path == node.path or record.path.startswith(node.path)
            if inside and record.type not in GROUP_TYPES and record.phase in FAILED_PHASES:
                return f"step {record.name!r} {record.phase.lower()}: {record.message}"
        return node.message

    def note(self, text: str) -> None:
        """Add a note on where this rehearsal differs from a cluster run (once)."""
        if text not in self.run.notes:
            self.run.notes.append(text)

    # -- nodes -------------------------------------------------------------------------------

    def new_node(self, display: str, tname: str, path: str, group: int | None, kind: str):
        """A started node, added to the run."""
        record = NodeRecord(
            name=display, template=tname, path=path, group=group, type=kind, started=now()
        )
        self.run.nodes.append(record)
        return record

    def finish(self, record: NodeRecord, phase: str, message: str = "") -> NodeRecord:
        """End a node and tell ``on_event`` (the workflow's own top node is the workflow)."""
        record.phase, record.message, record.finished = phase, message, now()
        if record.path != self.run.name or record.type not in GROUP_TYPES:
            self.ctx.emit(self.run, "node-finished", record)
        return record

    def record_node(
        self, display: str, tname: str, path: str, group: int | None, phase: str, message: str
    ) -> NodeRecord:
        """Record a node that did not run its template (skipped, omitted or errored)."""
        return self.finish(self.new_node(display, tname, path, group, "Skipped"), phase, message)

    def call(
        self,
        tname: str,
        args: Mapping[str, str],
        *,
        path: str,
        display: str,
        group: int | None,
        base: Scope,
    ) -> NodeRecord:
        """Run template ``tname`` with arguments as one node (and its children).

        ``base`` holds the workflow-level variables (plus ``workflow.status`` in onExit).
        """
        template = self.templates[tname]
        kind = next(k for k in TYPES if k in template)
        retry = template.get("retryStrategy") or self.spec.get("retryStrategy")
        composite = kind in ("steps", "dag")
        node_type = {"steps": "Steps", "dag": "DAG", "resource": "Resource"}.get(kind, "Pod")
        record = self.new_node(
            display, tname, path, group, "Retry" if composite and retry else node_type
        )
        if path != self.run.name or not composite:
            self.ctx.emit(self.run, "node-started", record)
        where = f"step {display!r} (template {tname!r})"
        try:
            inputs = parameters.resolve_inputs(template, args, base, where)
            local = base.child({f"inputs.parameters.{k}": v for k, v in inputs.items()})
            if composite:
                phase, message = self._composite(template, kind, local, record, base, retry)
            else:
                phase, message = self._leaf(template, kind, local, inputs, record, retry, where)
        except NodeErrored as err:
            phase, message = ERROR, str(err)
        except Exception as err:
            self.finish(record, ERROR, str(err))
            raise
        return self.finish(record, phase, message)

    def retrying(
        self,
        strategy: Mapping[str, Any] | None,
        attempt: Callable[[int, float | None], tuple[str, str]],
        log: Callable[[str], None],
    ) -> tuple[str, str]:
        """Run ``attempt(n, execution deadline)`` until it succeeds or Argo would stop."""
        clock, ended, deadline = self.ctx.clock, [], None
        while True:
            started = clock.now()
            phase, message = attempt(len(ended), deadline)
            ended.append(retries.Ended(phase, message, started, clock.now()))
            if strategy is None:
                return phase, message
            verdict = retries.decide(strategy, ended, clock.now(), self.workflow_deadline)
            if verdict.wait_s > 0:
                real = clock.wait(verdict.wait_s)
                log(
                    f"rehearsal: attempt {len(ended)} {phase.lower()} ({message}); waited "
                    f"{real:g} s (backoff {verdict.wait_s:g} s on a cluster, capped at "
                    f"{clock.max_wait_s:g} s here; the run's clock moved on {verdict.wait_s:g} s)"
                )
                verdict = retries.decide(strategy, ended, clock.now(), self.workflow_deadline)
            if not verdict.retry:
                return verdict.phase, verdict.message
            log(
                f"rehearsal: attempt {len(ended)} {phase.lower()} ({message}); retrying "
                f"(retryPolicy {strategy.get('retryPolicy') or 'OnFailure'})"
            )
            deadline = verdict.deadline

    def _composite(self, template, kind, scope, record, base, retry) -> tuple[str, str]:
        """A steps or DAG template; with a retryStrategy, each attempt is a node of its own."""
        body = run_steps if kind == "steps" else run_dag
        node_type = "Steps" if kind == "steps" else "DAG"
        if not retry:
            phase, message, outputs = body(self, template, scope, record, base)
            record.outputs = outputs or record.outputs
            return phase, message

        def attempt(n: int, _deadline: float | None) -> tuple[str, str]:
            record.attempts = n + 1
            child = self.new_node(
                f"{record.name}({n})", record.template, f"{record.path}({n})", None, node_type
            )
            local = scope.child({"retries": str(n)})
            phase, message, outputs = body(self, template, local, child, base)
            child.outputs = record.outputs = outputs or child.outputs
            self.finish(child, phase, message)
            return phase, message

        return self.retrying(retry, attempt, lambda line: self.note(f"{record.name}: {line}"))

    def _leaf(self, template, kind, scope, inputs, record, retry, where) -> tuple[str, str]:
        """A script, container or resource node, its attempts in one record and one log."""
        self.pods += 1
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", record.name)[:60]
        node_id = f"{self.pods:02d}-{slug}"
        log = NodeLog(self.dir / "logs" / f"{node_id}.log")
        record.log_path = log.path

        def attempt(n: int, execution_deadline: float | None) -> tuple[str, str]:
            local = scope.child({"retries": str(n)}) if retry else scope
            resolved = substitute_tree(template, local, f"template {template['name']!r}")
            record.attempts = n + 1
            result = self._leaf_attempt(
                resolved, kind, inputs, record, log, where, f"{node_id}-{n}", execution_deadline
            )
            record.outputs, record.handled_by = result.outputs, result.handled_by
            if result.child is not None:
                self.run.children.append(result.child)
                record.child = result.child.name
            return result.phase, result.message

        return self.retrying(retry, attempt, log.write)

    def _leaf_attempt(self, template, kind, inputs, record, log, where, pod_id, execution_deadline):
        """One attempt, within every deadline that applies to it."""
        clock = self.ctx.clock
        if clock.now() >= self.ctx.deadline:
            return leaves.LeafResult(
                FAILED, f"rehearsal deadline reached (timeout_s={self.ctx.timeout_s:g})"
            )
        if self.workflow_deadline is not None and clock.now() >= self.workflow_deadline:
            return leaves.LeafResult(FAILED, "the workflow's activeDeadlineSeconds passed")
        if kind == "resource":
            self.note(NOTE_CHILD)
            return leaves.run_resource(
                self.ctx, template, parent=self.run, parent_path=record.path, log=log, where=where
            )
        ends = [self.ctx.deadline, self.workflow_deadline, execution_deadline]
        if template.get("timeout"):
            ends.append(clock.now() + go_duration(template["timeout"]))
        if template.get("activeDeadlineSeconds") is not None:
            ends.append(clock.now() + int_or_string(template["activeDeadlineSeconds"]))
        timeout = min(end for end in ends if end is not None) - clock.now()
        place = leaves.PodPlace(
            self.dir / "pods" / pod_id, self.pod_volumes, self.shared, self.dir / "home"
        )
        return leaves.run_pod(
            self.ctx,
            template,
            step=record.name,
            run_name=self.run.name,
            inputs=inputs,
            place=place,
            log=log,
            timeout=timeout,
        )
