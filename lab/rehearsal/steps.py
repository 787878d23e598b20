"""Run a steps template as Argo v3.6.5 does (``steps.go``), one step at a time.

Each group's loops are expanded first: a ``withParam`` that is not a JSON list errors the
group before any of its steps runs. Then every step of the group runs (in parallel on a
cluster, one after another here), its outputs become visible to later groups, and a
child that failed or errored without ``continueOn`` ends the template: ``Failed``, with
the group's message, whether the child failed or errored. An invalid ``when`` errors its
step's node and ends the group at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
from lab.runs.records import ERROR, FAILED, FAILED_PHASES, SUCCEEDED, NodeRecord


def run_steps(
    runner: Runner, template: Mapping[str, Any], scope: Scope, record: NodeRecord, base: Scope
) -> tuple[str, str, Any]:
    """Run the groups in order; return the node's phase, message and outputs."""
    scope = scope.child()
    for g, group in enumerate(template["steps"]):
        if len(group) > 1:
            runner.note(NOTE_SEQUENTIAL)
        parent = f"{record.path}[{g}]"
        loops = []
        for step in group:
            try:
                loops.append(expand_items(step, scope, f"step {step['name']!r}"))
            except NodeErrored as err:
                path = f"{parent}.{step['name']}"
                runner.record_node(step["name"], step["template"], path, g, ERROR, str(err))
                return FAILED, str(err), None
        done = []
        for step, items in zip(group, loops, strict=True):
            nodes = invoke(runner, step, items, scope, parent, g, base)
            done.append((step, nodes))
            invalid = [n for n in nodes if n.phase == ERROR and n.type == "Skipped"]
            if invalid:  # an invalid `when` errors the group at once
                return FAILED, invalid[0].message, None
        for step, nodes in done:
            publish(runner, scope, "steps", step, nodes)
        for step, nodes in done:
            for node in nodes:
                if node.phase in FAILED_PHASES and not continues(step, node.phase):
                    return FAILED, f"child '{node.path}' failed", None
    return SUCCEEDED, "", template_outputs(template, scope)
