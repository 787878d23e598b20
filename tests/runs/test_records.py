"""Run records: node lookup by display name, walking children, the phases both targets use."""

from __future__ import annotations

import pytest

from lab.runs.records import FAILED_PHASES, FINISHED_PHASES, OMITTED, NodeRecord, WorkflowRun


def test_node_lookup_takes_the_last_of_a_name_and_lists_the_known_ones() -> None:
    run = WorkflowRun("w-1", "t", {})
    run.nodes += [NodeRecord("a", "x", "Failed"), NodeRecord("a", "x", "Succeeded")]
    assert run.node("a").phase == "Succeeded"
    with pytest.raises(KeyError, match=r"run w-1 has no node 'b' \(nodes: a\)"):
        run.node("b")


def test_walk_visits_children_depth_first() -> None:
    child = WorkflowRun("c-1", "c", {})
    grandchild = WorkflowRun("g-1", "g", {})
    child.children.append(grandchild)
    run = WorkflowRun("w-1", "t", {}, children=[child])
    assert [r.name for r in run.walk()] == ["w-1", "c-1", "g-1"]


def test_omitted_is_a_finished_phase_and_not_a_failure() -> None:
    assert OMITTED in FINISHED_PHASES and OMITTED not in FAILED_PHASES
