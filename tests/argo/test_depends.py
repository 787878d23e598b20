"""DAG dependency logic as Argo v3.6.5 evaluates it."""

from __future__ import annotations

import pytest

from lab.argo.depends import (
    DependsError,
    Outcome,
    ancestors,
    depends_names,
    evaluate,
    expanded_logic,
    find_cycle,
    task_dependencies,
    topological,
)

OK, FAILED, ERROR = Outcome("Succeeded"), Outcome("Failed"), Outcome("Error")
SKIPPED, OMITTED = Outcome("Skipped"), Outcome("Omitted")


def holds(task: dict, tasks: dict, outcomes: dict) -> bool:
    return evaluate(expanded_logic(task, tasks), outcomes)


def test_a_bare_name_means_succeeded_skipped_or_daemoned() -> None:
    tasks = {"a": {"name": "a"}}
    task = {"name": "b", "depends": "a"}
    assert holds(task, tasks, {"a": OK}) and holds(task, tasks, {"a": SKIPPED})
    assert not holds(task, tasks, {"a": FAILED})
    assert not holds(task, tasks, {"a": OMITTED})  # omitted propagates
    assert expanded_logic(task, tasks) == "(a.Succeeded || a.Skipped || a.Daemoned)"


def test_continue_on_widens_the_bare_name() -> None:
    tasks = {"a": {"name": "a", "continueOn": {"failed": True}}}
    assert holds({"name": "b", "dependencies": ["a"]}, tasks, {"a": FAILED})
    assert not holds({"name": "b", "dependencies": ["a"]}, tasks, {"a": ERROR})


@pytest.mark.parametrize(
    ("depends", "outcomes", "expected"),
    [
        ("a.Failed || b.Errored", {"a": OK, "b": ERROR}, True),
        ("!a.Succeeded", {"a": FAILED}, True),
        ("(a || b) && !b.Skipped", {"a": FAILED, "b": OK}, True),
        ("a.Succeeded && b.Succeeded", {"a": OK, "b": OMITTED}, False),
        ("a.Omitted", {"a": OMITTED}, True),
    ],
)
def test_expressions(depends: str, outcomes: dict, expected: bool) -> None:
    tasks = {"a": {"name": "a"}, "b": {"name": "b"}}
    assert holds({"name": "c", "depends": depends}, tasks, outcomes) is expected


def test_loop_results() -> None:
    tasks = {"a": {"name": "a"}}
    some = {"a": Outcome("Failed", ("Failed", "Succeeded"))}
    assert holds({"name": "b", "depends": "a.AnySucceeded"}, tasks, some)
    assert not holds({"name": "b", "depends": "a.AllFailed"}, tasks, some)


@pytest.mark.parametrize(
    ("depends", "fragment"),
    [("a.Suceeded", "task result 'Suceeded'"), ("a &&", "ends where"), ("(a", "unbalanced")],
)
def test_malformed_logic(depends: str, fragment: str) -> None:
    with pytest.raises(DependsError, match=fragment):
        holds({"name": "c", "depends": depends}, {"a": {"name": "a"}}, {"a": OK})


def test_names_cycles_ancestors_and_order() -> None:
    assert depends_names("a.Succeeded && !b") == [("a", "Succeeded"), ("b", None)]
    assert task_dependencies({"dependencies": ["x"], "depends": "y || x"}) == ["x", "y"]
    graph = {"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"]}
    assert ancestors(graph, "d") == {"a", "b", "c"}
    assert topological(graph) == ["a", "b", "c", "d"]
    assert find_cycle({"a": ["c"], "b": ["a"], "c": ["b"]}) == ["a", "c", "b", "a"]
    with pytest.raises(DependsError, match="cycle"):
        topological({"a": ["b"], "b": ["a"]})
