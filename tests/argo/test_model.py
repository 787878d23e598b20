"""Template shapes read from raw YAML, tolerant of wrong shapes."""

from __future__ import annotations

from lab.argo.model import (
    Declared,
    get,
    image_of,
    steps_of,
    tasks_of,
    template_map,
    template_type,
    template_types,
)


def test_template_types() -> None:
    assert template_type({"script": {}}) == "script"
    assert template_type({"script": {}, "container": {}}) is None
    assert template_types({"steps": [], "dag": None}) == ["steps"]


def test_steps_and_tasks_with_their_paths() -> None:
    steps = list(steps_of({"steps": [[{"name": "a"}], [{"name": "b"}, "junk", {"x": 1}]]}))
    assert [(s.name, s.group, s.path) for s in steps] == [
        ("a", 0, "steps[0][0]"), ("b", 1, "steps[1][0]"), ("#2", 1, "steps[1][2]"),
    ]  # fmt: skip
    tasks = list(tasks_of({"dag": {"tasks": [{"name": "t"}]}}))
    assert [(t.name, t.path) for t in tasks] == [("t", "dag.tasks[0]")]
    assert list(steps_of({"steps": "not a list"})) == []


def test_declared_inputs_know_which_can_be_left_out() -> None:
    declared = Declared.of(
        {"parameters": [{"name": "a"}, {"name": "b", "value": ""}],
         "artifacts": [{"name": "c", "optional": True}]}
    )  # fmt: skip
    assert declared.parameters == {"a": False, "b": True}
    assert declared.artifacts == {"c": True}


def test_lookups() -> None:
    assert get({"a": {"b": 1}}, "a", "b") == 1 and get({"a": 1}, "a", "b") is None
    assert image_of({"script": {"image": "alpine:3.21.3"}}) == "alpine:3.21.3"
    assert set(template_map({"templates": [{"name": "x"}, {"name": "x"}, 3]})) == {"x"}
