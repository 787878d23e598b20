"""DAGs as Argo v3.6.5 runs them: independent tasks go on after a failure; failFast decides
the DAG's phase from its targets' branches."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.argo.depends import Outcome
from lab.rehearsal import rehearse
from lab.rehearsal.dag import assess, targets_of
from tests.rehearsal.helpers import SH, minimal, write_templates


def dag(*tasks: dict, **options) -> dict:
    """A WorkflowTemplate whose entrypoint is a DAG over ``ok`` and ``bad`` leaves."""
    doc = minimal(dag={"tasks": list(tasks), **options})
    doc["spec"]["templates"] += [
        {"name": "ok", "script": {**SH, "source": "echo ok"}},
        {"name": "bad", "script": {**SH, "source": "exit 3"}},
    ]
    return doc


def test_a_failed_task_does_not_stop_independent_tasks(tmp_path: Path) -> None:
    doc = dag(
        {"name": "a", "template": "bad"},
        {"name": "b", "template": "ok"},
        {"name": "c", "template": "ok", "depends": "a"},
        {"name": "d", "template": "ok", "depends": "b"},
        {"name": "e", "template": "ok", "depends": "a.Failed"},
    )
    run = rehearse(write_templates(tmp_path / "t", doc), "probe", {}, workdir=tmp_path / "r")
    phases = {n.name: n.phase for n in run.nodes if n.name in "abcde"}
    assert phases == {
        "a": "Failed",
        "b": "Succeeded",
        "c": "Omitted",  # its branch failed
        "d": "Succeeded",  # independent of a: Argo runs it
        "e": "Succeeded",  # a.Failed holds
    }
    assert run.phase == "Failed"  # target c's branch failed
    assert run.message == "step 'a' failed: Error (exit code 3)"


def test_a_failure_handled_by_its_dependents_lets_the_dag_succeed(tmp_path: Path) -> None:
    doc = dag(
        {"name": "a", "template": "bad"},
        {"name": "handle", "template": "ok", "depends": "a.Failed"},
    )
    run = rehearse(write_templates(tmp_path / "t", doc), "probe", {}, workdir=tmp_path / "r")
    assert run.phase == "Succeeded"  # the only target, handle, succeeded


def test_target_runs_only_what_it_needs(tmp_path: Path) -> None:
    doc = dag(
        {"name": "a", "template": "ok"},
        {"name": "b", "template": "bad"},
        {"name": "c", "template": "ok", "depends": "a"},
        target="c",
    )
    run = rehearse(write_templates(tmp_path / "t", doc), "probe", {}, workdir=tmp_path / "r")
    assert run.phase == "Succeeded"
    assert "b" not in {n.name for n in run.nodes}


def test_continue_on_a_target_lets_its_failure_pass(tmp_path: Path) -> None:
    doc = dag(
        {"name": "a", "template": "ok"},
        {"name": "b", "template": "bad", "continueOn": {"failed": True}},
    )
    run = rehearse(write_templates(tmp_path / "t", doc), "probe", {}, workdir=tmp_path / "r")
    assert (run.phase, run.node("b").phase) == ("Succeeded", "Failed")


@pytest.mark.parametrize(("fail_fast", "phase"), [(True, "Error"), (False, "Failed")])
def test_fail_fast_takes_the_first_failed_target_and_without_it_the_last(
    fail_fast: bool, phase: str
) -> None:
    tasks = {"x": {"name": "x"}, "y": {"name": "y"}, "z": {"name": "z"}}
    deps = {"x": [], "y": [], "z": []}
    outcomes = {"x": Outcome("Error"), "y": Outcome("Succeeded"), "z": Outcome("Failed")}
    assert assess(["x", "y", "z"], tasks, deps, outcomes, fail_fast) == phase


def test_omitted_and_skipped_targets_inherit_their_branch() -> None:
    tasks = {n: {"name": n} for n in "abc"}
    deps = {"a": [], "b": ["a"], "c": []}
    outcomes = {"a": Outcome("Failed"), "b": Outcome("Omitted"), "c": Outcome("Skipped")}
    assert assess(["b", "c"], tasks, deps, outcomes, True) == "Failed"
    assert assess(["c"], tasks, deps, outcomes, True) == "Succeeded"


def test_targets_default_to_the_tasks_nothing_depends_on() -> None:
    deps = {"a": [], "b": ["a"], "c": []}
    assert targets_of({}, deps) == ["b", "c"]
    assert targets_of({"target": "a c"}, deps) == ["a", "c"]
