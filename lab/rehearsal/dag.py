"""Run a DAG template as Argo v3.6.5 does (``dag.go``), one ready task at a time.

Only the targets (``dag.target``, else the tasks nothing depends on) and what they depend
on run. A task runs when its dependency logic holds (``depends``, or ``dependencies`` as
``A.Succeeded || A.Skipped || A.Daemoned`` plus what ``continueOn`` allows); otherwise it
is ``Omitted``. A failed task does not stop independent ones: every task whose logic
holds runs. Then the DAG takes the phase of its targets' branches (an omitted or skipped
task inherits its branch's phase): the first failed target with ``failFast`` (the
default), the last one without; ``continueOn`` on a target lets its failure pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lab.argo.depends import (
    DependsError,
    Outcome,
    ancestors,
    evaluate,
    expanded_logic,
    task_dependencies,
    topological,
)
from lab.rehearsal.errors import NodeErrored
from lab.rehearsal.nodes import (
    NOTE_SEQUENTIAL,
    Runner,
    continues,
    invoke,
    publish,
    template_outputs,
)
from lab.rehearsal.parameters import expand_items
from lab.rehearsal.scope import Scope
from lab.runs.records import ERROR, FAILED_PHASES, OMITTED, SKIPPED, SUCCEEDED, NodeRecord

COMPLETED = (SUCCEEDED, *FAILED_PHASES)


def targets_of(dag: Mapping[str, Any], deps: Mapping[str, list[str]]) -> list[str]:
    """``dag.target``'s tasks, else those no other task depends on."""
    if str(dag.get("target") or "").strip():
        return str(dag["target"]).split()
    needed = {d for ds in deps.values() for d in ds}
    return [name for name in deps if name not in needed]


def outcome(nodes: list[NodeRecord], looped: bool) -> Outcome:
    """A task's phase as ``depends`` sees it; a loop's is its last failed item's, or Succeeded."""
    if not looped or (len(nodes) == 1 and nodes[0].message == "Skipped, empty params"):
        return Outcome(nodes[0].phase)
    failed = [n.phase for n in nodes if n.phase in FAILED_PHASES]
    return Outcome(failed[-1] if failed else SUCCEEDED, tuple(n.phase for n in nodes))


def run_dag(
    runner: Runner, template: Mapping[str, Any], scope: Scope, record: NodeRecord, base: Scope
) -> tuple[str, str, Any]:
    """Run the DAG; return the node's phase, message and outputs."""
    scope = scope.child()
    dag = template["dag"]
    tasks = {task["name"]: task for task in dag["tasks"]}
    deps = {name: task_dependencies(task) for name, task in tasks.items()}
    targets = targets_of(dag, deps)
    needed = set(targets).union(*(ancestors(deps, t) for t in targets))
    order = [name for name in topological(deps) if name in needed]
    if len(order) > 1:
        runner.note(NOTE_SEQUENTIAL)
    outcomes: dict[str, Outcome] = {}
    for name in order:
        task, path = tasks[name], f"{record.path}.{name}"
        nodes = _run_task(runner, task, tasks, outcomes, scope, path, record.path, base)
        publish(runner, scope, "tasks", task, nodes)
        outcomes[name] = outcome(nodes, "withItems" in task or "withParam" in task)
    phase = assess(targets, tasks, deps, outcomes, dag.get("failFast", True) is not False)
    return phase, "", template_outputs(template, scope) if phase == SUCCEEDED else None


def _run_task(runner, task, tasks, outcomes, scope, path, parent, base) -> list[NodeRecord]:
    """One task: omitted when its logic does not hold; an errored node when it cannot be read."""
    name = task["name"]
    try:
        if not evaluate(expanded_logic(task, tasks), outcomes):
            rule = task.get("depends") or " && ".join(task.get("dependencies") or [])
            message = f"omitted: depends condition not met ({rule})"
            return [runner.record_node(name, task["template"], path, None, OMITTED, message)]
        items = expand_items(task, scope, f"task {name!r}")
    except (DependsError, NodeErrored) as err:
        return [runner.record_node(name, task["template"], path, None, ERROR, str(err))]
    return invoke(runner, task, items, scope, parent, None, base)


def assess(
    targets: list[str],
    tasks: Mapping[str, Any],
    deps: Mapping[str, list[str]],
    outcomes: Mapping[str, Outcome],
    fail_fast: bool,
) -> str:
    """The DAG's phase from its targets' branches (``assessDAGPhase``)."""
    branches: dict[str, str] = {}

    def branch(name: str) -> str:
        if name not in branches:
            phase = outcomes[name].phase
            if phase not in COMPLETED:  # skipped or omitted: the branch's phase
                inherited = [branch(d) for d in deps[name] if d in outcomes]
                phase = next((p for p in inherited if p in FAILED_PHASES), SUCCEEDED)
            branches[name] = phase
        return branches[name]

    result = SUCCEEDED
    for target in targets:
        phase = branch(target) if target in outcomes else SKIPPED
        if phase in FAILED_PHASES and not continues(tasks[target], phase):
            result = phase
            if fail_fast:
                break
    return result
