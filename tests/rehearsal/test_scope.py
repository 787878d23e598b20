"""``{{...}}`` substitution: known forms, clear errors for unknown or unresolved variables."""

from __future__ import annotations

import pytest

from lab.argo.variables import kind_of
from lab.rehearsal.errors import RehearsalUnsupported, UnresolvedVariable
from lab.rehearsal.scope import Scope, substitute, substitute_tree


def test_substitutes_known_variables_with_spaces() -> None:
    scope = Scope({"inputs.parameters.x": "1", "steps.a-b.outputs.result": "two"})
    text = "{{ inputs.parameters.x }}/{{steps.a-b.outputs.result}}"
    assert substitute(text, scope, "here") == "1/two"


def test_tree_substitution_names_the_field() -> None:
    tree = {"env": [{"name": "URI", "value": "{{workflow.parameters.uri}}"}]}
    with pytest.raises(UnresolvedVariable, match=r"t\.env\[URI\]\.value"):
        substitute_tree(tree, Scope(), "t")


def test_missing_value_gives_the_recorded_reason() -> None:
    scope = Scope()
    scope.missing("steps.a.outputs.result", "step 'a' skipped")
    with pytest.raises(UnresolvedVariable, match="step 'a' skipped"):
        substitute("{{steps.a.outputs.result}}", scope, "step 'b'.when")


def test_unknown_form_is_refused() -> None:
    with pytest.raises(UnresolvedVariable, match="unknown variable"):
        substitute("{{workflow.paramters.x}}", Scope(), "field")


def test_expression_tags_are_refused() -> None:
    with pytest.raises(RehearsalUnsupported, match="expression tag"):
        substitute("{{=asInt(inputs.parameters.n)}}", Scope(), "field")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("tasks.t.outputs.parameters.p", "tasks"),
        ("item.key", "item"),
        ("workflow.name", "workflow"),
        ("pod.name", None),
    ],
)
def test_kinds(name: str, kind: str | None) -> None:
    assert kind_of(name) == kind
