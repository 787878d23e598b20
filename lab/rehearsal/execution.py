"""Run one workflow: walk its steps and DAGs, record every node, emit events.

Steps of a parallel group and ready DAG tasks run one after another; they are recorded with
their group, and a note on the run says so. A failed group ends a steps template (its siblings
still run, as they would in parallel); the first failed task ends a DAG (failFast).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from lab.rehearsal import executors, features, leaves, parameters, resources, shims, volumes
from lab.rehearsal.conditions import evaluate_when
from lab.rehearsal.errors import ConditionError, UnresolvedVariable
from lab.rehearsal.records import (
    ERROR,
    FAILED,
    SKIPPED,
    SUCCEEDED,
    NodeRecord,
    Outputs,
    WorkflowRun,
)
from lab.rehearsal.variables import Scope, substitute

if TYPE_CHECKING:
    from lab.rehearsal.engine import Rehearsal

NOTE_SEQUENTIAL = "parallel steps and ready DAG tasks ran one after another (same results)"


def now() -> datetime:
    """The current time, as records keep it (UTC)."""
    return datetime.now(UTC)


class WorkflowExecution:
    """Running one workflow: its scope, volumes, nodes and events."""

    def __init__(self, rehearsal: Rehearsal, run: WorkflowRun) -> None:
        self.r, self.run = rehearsal, run
        self.doc = rehearsal.library[run.template]
        self.spec = self.doc["spec"]
        self.templates = {t["name"]: t for t in self.spec["templates"]}
        self.dir = run.workdir
        self.shared = volumes.shared_volumes(self.spec, self.dir)
        self.pod_volumes = {v["name"]: v for v in self.spec.get("volumes") or []}
        self.counter = 0
        self.deadline = rehearsal.deadline
        if "activeDeadlineSeconds" in self.spec:
            limit = features.parse_duration(self.spec["activeDeadlineSeconds"], "spec")
            self.deadline = min(self.deadline, time.monotonic() + limit)
        self.scope = Scope(
            {
                "workflow.name": run.name,
                "workflow.uid": str(uuid.uuid4()),
                "workflow.creationTimestamp": now().strftime("%Y-%m-%dT%H:%M:%SZ"),
                **{f"workflow.parameters.{k}": v for k, v in run.parameters.items()},
            }
        )
        self.scope.missing("workflow.status", "only an onExit handler sees workflow.status")
        bin_dir = rehearsal.bin_dir
        self.env = executors.base_env(
            shims.step_path(bin_dir, search_path=rehearsal.search_path),
            self.dir / "home",
            shims.python_path(bin_dir),
        )

    def execute(self) -> None:
        """Run the entrypoint (and onExit), recording everything; raise what cannot run."""
        run = self.run
        run.started = now()
        self.r.emit(run, "workflow-started")
        try:
            top = self.call(
                self.spec["entrypoint"],
                dict(run.parameters),
                path=run.name,
                display=run.name,
                group=None,
                base=self.scope,
            )
            run.phase = SUCCEEDED if top.phase == SUCCEEDED else FAILED
            run.message = "" if top.phase == SUCCEEDED else self._failure(top)
            if self.spec.get("onExit"):
                scope = self.scope.child({"workflow.status": run.phase})
                handler = self.call(
                    self.spec["onExit"],
                    {},
                    path=f"{run.name}.onExit",
                    display="onExit",
                    group=None,
                    base=scope,
                )
                if handler.phase != SUCCEEDED and run.phase == SUCCEEDED:
                    run.phase, run.message = FAILED, self._failure(handler)
        except Exception as err:
            run.phase, run.message = ERROR, str(err)
            raise
        finally:
            run.finished = now()
            self.r.emit(run, "workflow-finished")

    def _failure(self, node: NodeRecord) -> str:
        """The message of the first failed leaf node under ``node``."""
        for record in self.run.nodes:
            if record.type not in ("Steps", "DAG") and record.phase in (FAILED, ERROR):
                return f"step {record.name!r} {record.phase.lower()}: {record.message}"
        return node.message

    # -- nodes -------------------------------------------------------------------------------

    def new_node(
        self, display: str, template: str, path: str, group: int | None, kind: str
    ) -> NodeRecord:
        """A started node, added to the run."""
        record = NodeRecord(
            name=display, template=template, path=path, group=group, type=kind, started=now()
        )
        self.run.nodes.append(record)
        return record

    def finish(self, record: NodeRecord, phase: str, message: str = "") -> NodeRecord:
        """End a node and tell ``on_event`` (the workflow's own top node is the workflow)."""
        record.phase, record.message, record.finished = phase, message, now()
        if record.path != self.run.name or record.type not in ("Steps", "DAG"):
            self.r.emit(self.run, "node-finished", record)
        return record

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
        kind = next(k for k in features.TYPES if k in template)
        node_type = {"steps": "Steps", "dag": "DAG", "resource": "Resource"}.get(kind, "Pod")
        record = self.new_node(display, tname, path, group, node_type)
        if path != self.run.name or node_type not in ("Steps", "DAG"):
            self.r.emit(self.run, "node-started", record)
        where = f"step {display!r} (template {tname!r})"
        try:
            inputs = parameters.resolve_inputs(template, args, base, where)
            local = base.child({f"inputs.parameters.{k}": v for k, v in inputs.items()})
            if kind == "steps":
                phase, message = self._steps(template, local, record, base)
            elif kind == "dag":
                phase, message = self._dag(template, local, record, base)
            else:
                phase, message = leaves.run_leaf(self, template, kind, local, inputs, record, where)
        except Exception as err:
            self.finish(record, ERROR, str(err))
            raise
        return self.finish(record, phase, message)

    def skip(
        self, display: str, tname: str, path: str, group: int | None, message: str
    ) -> NodeRecord:
        """Record a node that did not run (a false ``when``, unmet depends, no items)."""
        record = self.new_node(display, tname, path, group, "Skipped")
        return self.finish(record, SKIPPED, message)

    # -- steps and DAGs ----------------------------------------------------------------------

    def _steps(
        self, template: dict[str, Any], scope: Scope, record: NodeRecord, base: Scope
    ) -> tuple[str, str]:
        """Step groups in order; a failed group (without continueOn) ends the template."""
        scope = scope.child()
        for g, group in enumerate(template["steps"]):
            if len(group) > 1 and NOTE_SEQUENTIAL not in self.run.notes:
                self.run.notes.append(NOTE_SEQUENTIAL)
            parent = f"{record.path}[{g}]"
            done = [(step, self._invoke_all(step, scope, parent, g, base)) for step in group]
            for step, nodes in done:
                self._publish(scope, "steps", step, nodes)
            for step, nodes in done:
                failed = [n for n in nodes if n.phase in (FAILED, ERROR)]
                if failed and not (step.get("continueOn") or {}).get("failed"):
                    return FAILED, f"child '{failed[0].path}' failed"
        record.outputs = self._outputs(template, scope)
        return SUCCEEDED, ""

    def _dag(
        self, template: dict[str, Any], scope: Scope, record: NodeRecord, base: Scope
    ) -> tuple[str, str]:
        """Tasks in dependency order; the first failure (without continueOn) ends the DAG."""
        scope = scope.child()
        where = f"template {template['name']!r}"
        tasks = {t["name"]: t for t in template["dag"]["tasks"]}
        deps = {n: features.task_dependencies(t, where) for n, t in tasks.items()}
        phases: dict[str, str] = {}
        if len(tasks) > 1 and NOTE_SEQUENTIAL not in self.run.notes:
            self.run.notes.append(NOTE_SEQUENTIAL)
        for name in features.topological(deps, where):
            task = tasks[name]
            if not self._depends_met(task, deps[name], phases, where):
                rule = task.get("depends") or " && ".join(deps[name])
                node = self.skip(
                    name,
                    task["template"],
                    f"{record.path}.{name}",
                    None,
                    f"omitted: depends '{rule}' not satisfied",
                )
                nodes = [node]
            else:
                nodes = self._invoke_all(task, scope, record.path, None, base)
            self._publish(scope, "tasks", task, nodes)
            failed = [n for n in nodes if n.phase in (FAILED, ERROR)]
            phases[name] = (
                FAILED
                if failed
                else (SKIPPED if all(n.phase == SKIPPED for n in nodes) else SUCCEEDED)
            )
            if failed and not (task.get("continueOn") or {}).get("failed"):
                return FAILED, f"child '{failed[0].path}' failed"
            if failed:
                phases[name] = SUCCEEDED  # continueOn.failed: dependents go on
        record.outputs = self._outputs(template, scope)
        return SUCCEEDED, ""

    def _outputs(self, template: dict[str, Any], scope: Scope) -> Outputs:
        """A steps/DAG template's output parameters, from ``valueFrom.parameter``."""
        outputs = Outputs()
        for param in (template.get("outputs") or {}).get("parameters") or []:
            source = param["valueFrom"]
            where = f"template {template['name']!r}.outputs.parameters[{param['name']}]"
            try:
                value = substitute(str(source["parameter"]), scope, where)
            except UnresolvedVariable:
                if "default" not in source:
                    raise
                value = str(source["default"])
            outputs.parameters[param["name"]] = value
        return outputs

    def _depends_met(
        self, task: dict[str, Any], deps: list[str], phases: dict[str, str], where: str
    ) -> bool:
        """Whether a task's dependencies ended as its dependencies/depends require."""
        if "depends" in task:
            terms = features.parse_depends(task["depends"], f"{where}.tasks[{task['name']}]")
            return all(
                phases[t] == SUCCEEDED or (not strict and phases[t] == SKIPPED)
                for t, strict in terms
            )
        return all(phases[d] in (SUCCEEDED, SKIPPED) for d in deps)

    def _invoke_all(
        self, step: dict[str, Any], scope: Scope, parent: str, group: int | None, base: Scope
    ) -> list[NodeRecord]:
        """Run one step or task (each item of its loop); a ``when`` that is false skips it."""
        where = f"step {step['name']!r}"
        items = parameters.expand_items(step, scope, where)
        if not items:
            return [
                self.skip(
                    step["name"],
                    step["template"],
                    f"{parent}.{step['name']}",
                    group,
                    "Skipped, empty params",
                )
            ]
        nodes = []
        for display, item in items:
            local = scope.child(item)
            path = f"{parent}.{display}"
            if "when" in step:
                expr = substitute(str(step["when"]), local, f"{where}.when")
                try:
                    run_it = evaluate_when(expr)
                except ConditionError as err:
                    raise type(err)(f"{where}.when: {err}") from None
                if not run_it:
                    nodes.append(
                        self.skip(display, step["template"], path, group, f"when: {expr} is false")
                    )
                    continue
            args = {
                p["name"]: substitute(
                    resources.as_text(p.get("value", "")),
                    local,
                    f"{where}.arguments.parameters[{p['name']}]",
                )
                for p in (step.get("arguments") or {}).get("parameters") or []
            }
            nodes.append(
                self.call(
                    step["template"], args, path=path, display=display, group=group, base=base
                )
            )
        return nodes

    def _publish(
        self, scope: Scope, prefix: str, step: dict[str, Any], nodes: list[NodeRecord]
    ) -> None:
        """Make a finished step's outputs visible to later steps (or say why they are not)."""
        key = f"{prefix}.{step['name']}"
        looped = "withItems" in step or "withParam" in step
        template = self.templates[step["template"]]
        declared = [p["name"] for p in (template.get("outputs") or {}).get("parameters") or []]
        names = [f"{key}.outputs.result"] + [f"{key}.outputs.parameters.{p}" for p in declared]
        node = nodes[0]
        if looped:
            for name in names:
                scope.missing(
                    name,
                    f"{prefix[:-1]} {step['name']!r} ran in a loop; Argo gives "
                    "loop outputs as JSON lists, which the rehearsal does not support",
                )
            return
        scope.values[f"{key}.status"] = node.phase
        if node.phase != SUCCEEDED:
            for name in names:
                scope.missing(name, f"{prefix[:-1]} {step['name']!r} {node.phase.lower()}")
            return
        if node.outputs.result is not None:
            scope.values[f"{key}.outputs.result"] = node.outputs.result
        else:
            scope.missing(f"{key}.outputs.result", f"a {node.type} node has no result")
        for pname, value in node.outputs.parameters.items():
            scope.values[f"{key}.outputs.parameters.{pname}"] = value
