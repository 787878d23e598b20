"""What steps and DAG tasks share: calling a step (its loop, its ``when``), publishing outputs.

Steps (:mod:`lab.rehearsal.steps`) and DAGs (:mod:`lab.rehearsal.dag`) drive a
:class:`Runner` (the workflow's execution), which runs templates and records nodes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from lab.argo.values import as_text
from lab.rehearsal.conditions import evaluate_when
from lab.rehearsal.errors import ConditionError, UnresolvedVariable, UnsupportedCondition
from lab.rehearsal.scope import Scope, substitute
from lab.runs.records import ERROR, FAILED, SKIPPED, SUCCEEDED, NodeRecord, Outputs

NOTE_SEQUENTIAL = "parallel steps and ready DAG tasks ran one after another (same results)"


class Runner(Protocol):
    """The workflow execution, as steps and DAGs use it."""

    templates: Mapping[str, dict[str, Any]]

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
        """Run template ``tname`` as one node (and its children)."""

    def record_node(
        self, display: str, tname: str, path: str, group: int | None, phase: str, message: str
    ) -> NodeRecord:
        """Record a node that did not run its template (skipped, omitted, errored)."""

    def note(self, text: str) -> None:
        """Add a note on where the rehearsal differs from a cluster."""


def invoke(
    runner: Runner,
    step: Mapping[str, Any],
    items: list[tuple[str, dict[str, str]]],
    scope: Scope,
    parent: str,
    group: int | None,
    base: Scope,
) -> list[NodeRecord]:
    """Run one step or task (each item of its loop); a ``when`` that is false skips it.

    An invalid ``when`` is an errored node, as in Argo; what the rehearsal cannot evaluate
    is refused.
    """
    where = f"step {step['name']!r}"
    if not items:
        path = f"{parent}.{step['name']}"
        return [
            runner.record_node(
                step["name"], step["template"], path, group, SKIPPED, "Skipped, empty params"
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
            except UnsupportedCondition as err:
                raise UnsupportedCondition(f"{where}.when: {err}") from None
            except ConditionError as err:
                nodes.append(
                    runner.record_node(display, step["template"], path, group, ERROR, str(err))
                )
                continue
            if not run_it:
                message = f"when '{expr}' evaluated false"
                nodes.append(
                    runner.record_node(display, step["template"], path, group, SKIPPED, message)
                )
                continue
        args = {
            p["name"]: substitute(
                as_text(p.get("value", "")), local, f"{where}.arguments.parameters[{p['name']}]"
            )
            for p in (step.get("arguments") or {}).get("parameters") or []
        }
        nodes.append(
            runner.call(step["template"], args, path=path, display=display, group=group, base=base)
        )
    return nodes


def publish(
    runner: Runner, scope: Scope, prefix: str, step: Mapping[str, Any], nodes: list[NodeRecord]
) -> None:
    """Make a finished step's outputs visible to later steps (or say why they are not)."""
    key = f"{prefix}.{step['name']}"
    looped = "withItems" in step or "withParam" in step
    template = runner.templates[step["template"]]
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


def template_outputs(template: Mapping[str, Any], scope: Scope) -> Outputs:
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
            value = as_text(source["default"])
        outputs.parameters[param["name"]] = value
    return outputs


def continues(step: Mapping[str, Any], phase: str) -> bool:
    """Whether ``continueOn`` lets the template go on after a child ended in ``phase``."""
    continue_on = step.get("continueOn") or {}
    return bool(
        (phase == FAILED and continue_on.get("failed"))
        or (phase == ERROR and continue_on.get("error"))
    )
