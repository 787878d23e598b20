"""The one placeholder pattern and the simple variable forms."""

from __future__ import annotations

import pytest

from lab.argo.variables import blank_out, is_expression, kind_of, references, strings


def test_references_are_stripped_names_in_order() -> None:
    assert references("{{ a.b }}-{{c}}") == ["a.b", "c"]
    assert is_expression("=asInt(x)") and not is_expression("x")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("inputs.parameters.x-y", "inputs.parameters"),
        ("steps.s.outputs.parameters.p", "steps"),
        ("tasks.t.status", "tasks"),
        ("workflow.status", "workflow"),
        ("item", "item"),
        ("retries", "retries"),
        ("pod.name", None),
    ],
)
def test_kinds(name: str, kind: str | None) -> None:
    assert kind_of(name) == kind


def test_strings_walk_with_paths_and_owners() -> None:
    node = {"a": ["x", {"b": "y"}], "skip": "z"}
    found = [(path, text) for path, text, _, _ in strings(node, skip=frozenset({"skip"}))]
    assert found == [("a[0]", "x"), ("a[1].b", "y")]


def test_blank_out() -> None:
    assert blank_out("'{{a}}' != ''", "x") == "'x' != ''"
