"""Parameter values: workflow arguments, template inputs, and loop items in Argo's order."""

from __future__ import annotations

import pytest

from lab.rehearsal.errors import NodeErrored, ParameterError
from lab.rehearsal.parameters import expand_items, resolve_inputs, resolve_workflow_parameters
from lab.rehearsal.scope import Scope

DOC = {
    "metadata": {"name": "w"},
    "spec": {"arguments": {"parameters": [
        {"name": "a"}, {"name": "n", "value": 1.0}, {"name": "c", "value": "x", "enum": ["x", "y"]},
    ]}},
}  # fmt: skip


def test_defaults_overrides_and_given_values() -> None:
    values, replaced = resolve_workflow_parameters(DOC, {"a": "1"}, {"c": "y"}, "here")
    assert values == {"a": "1", "n": "1", "c": "y"}  # 1.0 reads as Argo's AnyString: "1"
    assert replaced == {"c": ("x", "y")}
    with pytest.raises(ParameterError, match="'z' is not one of"):
        resolve_workflow_parameters(DOC, {"a": "1", "c": "z"}, {}, "here")


def test_inputs_take_the_argument_then_value_then_default() -> None:
    template = {"inputs": {"parameters": [{"name": "p", "default": "d"}, {"name": "q"}]}}
    assert resolve_inputs(template, {"q": "1"}, Scope(), "s") == {"p": "d", "q": "1"}
    with pytest.raises(ParameterError, match=r"inputs\.parameters\.q was not supplied"):
        resolve_inputs(template, {}, Scope(), "s")


def test_items_are_named_and_valued_as_argo_does() -> None:
    step = {"name": "l", "withItems": [{"b": 2, "a": "x"}, "y", 3]}
    items = expand_items(step, Scope(), "s")
    assert [name for name, _ in items] == ["l(0:a:x,b:2)", "l(1:y)", "l(2:3)"]
    assert items[0][1]["item"] == '{"a":"x","b":2}'


def test_with_param_that_is_not_a_json_list_errors_the_node() -> None:
    step = {"name": "l", "withParam": "{{steps.s.outputs.result}}"}
    scope = Scope({"steps.s.outputs.result": '{"not": "a list"}'})
    with pytest.raises(NodeErrored, match="could not be parsed as a JSON list"):
        expand_items(step, scope, "s")
    assert expand_items({"name": "l", "withParam": "[]"}, Scope(), "s") == []
