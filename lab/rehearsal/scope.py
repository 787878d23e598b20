"""Give ``{{...}}`` variables their values: the scope of one point of a run, and substitution.

Which forms exist is the Argo model's business (:mod:`lab.argo.variables`); the rehearsal
resolves the simple forms and refuses expression tags.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lab.argo.variables import PLACEHOLDER, is_expression, kind_of
from lab.rehearsal.errors import RehearsalUnsupported, UnresolvedVariable


class Scope:
    """Values of variables at one point of a run, plus why missing ones are missing."""

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        self.values: dict[str, str] = dict(values or {})
        self.reasons: dict[str, str] = {}

    def child(self, values: Mapping[str, str] | None = None) -> Scope:
        """A copy of this scope with more values (reasons carried over)."""
        scope = Scope({**self.values, **(values or {})})
        scope.reasons = dict(self.reasons)
        return scope

    def missing(self, key: str, reason: str) -> None:
        """Remember why ``key`` has no value, for a clearer error if it is used."""
        self.reasons[key] = reason


def check_tag(name: str, where: str) -> str:
    """Refuse expression tags and unknown forms; return the variable's kind."""
    if is_expression(name):
        raise RehearsalUnsupported(
            f"{where}: expression tag '{{{{{name}}}}}' is not supported by the rehearsal; "
            "use a simple variable such as {{inputs.parameters.NAME}}"
        )
    kind = kind_of(name)
    if kind is None:
        raise UnresolvedVariable(f"{where}: unknown variable '{{{{{name}}}}}'")
    return kind


def substitute(text: str, scope: Scope, where: str) -> str:
    """``text`` with every ``{{name}}`` replaced from ``scope``; an unresolved one is an error.

    Argo leaves an unresolved reference in a step as it is written (the next template then
    sees the text ``{{steps.x.outputs.result}}``); a rehearsal stops there instead and says so.
    """

    def replace(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        check_tag(name, where)
        if name in scope.values:
            return scope.values[name]
        reason = scope.reasons.get(name) or _default_reason(name)
        raise UnresolvedVariable(f"{where}: '{{{{{name}}}}}' cannot be resolved: {reason}")

    return PLACEHOLDER.sub(replace, text)


def substitute_tree(value: Any, scope: Scope, where: str) -> Any:
    """A deep copy of ``value`` with variables substituted in every string, naming each field."""
    if isinstance(value, str):
        return substitute(value, scope, where)
    if isinstance(value, dict):
        return {k: substitute_tree(v, scope, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [substitute_tree(v, scope, f"{where}{_index(v, i)}") for i, v in enumerate(value)]
    return value


def _index(item: Any, i: int) -> str:
    """``[name]`` for a named list entry (parameters, env), else ``[i]``."""
    if isinstance(item, dict) and isinstance(item.get("name"), str):
        return f"[{item['name']}]"
    return f"[{i}]"


def _default_reason(name: str) -> str:
    """Why a known-form variable may have no value, when the engine gave no reason."""
    kind = kind_of(name)
    if kind == "inputs.parameters":
        return "the template declares no such input parameter"
    if kind == "workflow.parameters":
        return "the workflow declares no such parameter in spec.arguments.parameters"
    if kind in ("steps", "tasks"):
        return f"no earlier {kind[:-1]} of that name has produced it"
    if kind == "item":
        return "only a step with withItems or withParam has an item"
    if kind == "retries":
        return "only a template with a retryStrategy has {{retries}}"
    return "it has no value here"
