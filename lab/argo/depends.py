"""DAG dependencies as Argo v3.6.5 reads them: ``depends`` logic, ``dependencies``, cycles, order.

A bare task name ``A`` in ``depends`` (and every entry of ``dependencies``) means
``(A.Succeeded || A.Skipped || A.Daemoned)``, plus ``A.Errored``/``A.Failed`` when task
A has ``continueOn.error``/``continueOn.failed`` (``workflow/common/ancestry.go``). A task
that depends on an omitted task is therefore omitted too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

RESULTS = (
    "Succeeded",
    "Failed",
    "Errored",
    "Skipped",
    "Omitted",
    "Daemoned",
    "AnySucceeded",
    "AllFailed",
)
_SYMBOLS = frozenset({"&&", "||", "!", "(", ")"})
_OPERATORS = re.compile(r"&&|\|\||[!()]")
_TOKEN = re.compile(r"\s*(&&|\|\||!|\(|\)|[A-Za-z0-9][-A-Za-z0-9]*(?:\.[A-Z][A-Za-z]+)?)")


class DependsError(ValueError):
    """Raised when a ``depends`` expression cannot be read (Argo rejects it too)."""


@dataclass(frozen=True)
class Outcome:
    """How a task ended, as ``depends`` sees it: its phase, and its items' phases for a loop."""

    phase: str
    items: tuple[str, ...] | None = None


def depends_names(expression: str) -> list[tuple[str, str | None]]:
    """``(task, result)`` for each operand of a ``depends`` expression, tolerating mistakes."""
    found = []
    for token in _OPERATORS.sub(" ", expression).split():
        name, dot, result = token.rpartition(".")
        found.append((name, result) if dot else (token, None))
    return found


def task_dependencies(task: dict) -> list[str]:
    """The names a DAG task waits for, from ``dependencies`` and ``depends`` (in order)."""
    listed = task.get("dependencies")
    deps = [d for d in listed if isinstance(d, str)] if isinstance(listed, list) else []
    if isinstance(task.get("depends"), str):
        deps.extend(name for name, _ in depends_names(task["depends"]))
    return list(dict.fromkeys(deps))


def expanded_logic(task: dict, tasks: Mapping[str, dict]) -> str:
    """The task's dependency logic with every bare name spelled out, as Argo evaluates it."""
    depends = task.get("depends")
    if isinstance(depends, str) and depends.strip():
        words = [
            token if token in _SYMBOLS or "." in token else _expand(token, tasks.get(token, {}))
            for token in _tokens(depends)
        ]
        return " ".join(words)
    listed = task.get("dependencies") or []
    return " && ".join(_expand(name, tasks.get(name, {})) for name in listed)


def _expand(name: str, task: dict) -> str:
    """``(A.Succeeded || A.Skipped || A.Daemoned ...)`` for a bare task name ``A``."""
    results = ["Succeeded", "Skipped", "Daemoned"]
    continue_on = task.get("continueOn") or {}
    if continue_on.get("error"):
        results.append("Errored")
    if continue_on.get("failed"):
        results.append("Failed")
    return "(" + " || ".join(f"{name}.{result}" for result in results) + ")"


def evaluate(logic: str, outcomes: Mapping[str, Outcome]) -> bool:
    """Whether expanded dependency ``logic`` holds for the tasks' ``outcomes``.

    Raises:
        DependsError: the expression is malformed or names an unknown result.
    """
    if not logic.strip():
        return True
    tokens = _tokens(logic)
    value, rest = _or(tokens, outcomes)
    if rest:
        raise DependsError(f"unexpected {rest[0]!r} in depends '{logic}'")
    return value


def _tokens(logic: str) -> list[str]:
    tokens, at = [], 0
    while at < len(logic.rstrip()):
        match = _TOKEN.match(logic, at)
        if not match:
            raise DependsError(f"cannot read depends '{logic}' at {logic[at:].strip()!r}")
        tokens.append(match.group(1))
        at = match.end()
    return tokens


def _or(tokens: list[str], outcomes: Mapping[str, Outcome]) -> tuple[bool, list[str]]:
    value, tokens = _and(tokens, outcomes)
    while tokens and tokens[0] == "||":
        right, tokens = _and(tokens[1:], outcomes)
        value = value or right
    return value, tokens


def _and(tokens: list[str], outcomes: Mapping[str, Outcome]) -> tuple[bool, list[str]]:
    value, tokens = _not(tokens, outcomes)
    while tokens and tokens[0] == "&&":
        right, tokens = _not(tokens[1:], outcomes)
        value = value and right
    return value, tokens


def _not(tokens: list[str], outcomes: Mapping[str, Outcome]) -> tuple[bool, list[str]]:
    if not tokens:
        raise DependsError("depends ends where a task was expected")
    head = tokens[0]
    if head == "!":
        value, rest = _not(tokens[1:], outcomes)
        return not value, rest
    if head == "(":
        value, rest = _or(tokens[1:], outcomes)
        if not rest or rest[0] != ")":
            raise DependsError("depends has an unbalanced parenthesis")
        return value, rest[1:]
    if head in ("&&", "||", ")"):
        raise DependsError(f"unexpected {head!r} in depends")
    name, _, result = head.partition(".")
    if not result:
        raise DependsError(f"depends operand {head!r} has no result (internal: not expanded)")
    return _result(name, result, outcomes), tokens[1:]


def _result(name: str, result: str, outcomes: Mapping[str, Outcome]) -> bool:
    """One ``task.Result`` term (``dag.go`` evaluateDependsLogic)."""
    if result not in RESULTS:
        raise DependsError(f"task result '{result}' for task '{name}' is invalid")
    outcome = outcomes.get(name)
    if outcome is None:
        raise DependsError(f"depends names task '{name}', which has not finished")
    phases = {
        "Succeeded": "Succeeded",
        "Failed": "Failed",
        "Errored": "Error",
        "Skipped": "Skipped",
        "Omitted": "Omitted",
    }
    if result in phases:
        return outcome.phase == phases[result]
    items = outcome.items or ()
    if result == "AnySucceeded":
        return "Succeeded" in items
    if result == "AllFailed":
        return bool(items) and all(phase == "Failed" for phase in items)
    return False  # Daemoned: no daemon steps here


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str]:
    """A dependency cycle in ``graph`` (node -> nodes it depends on), or an empty list."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in graph:
        if start in state:
            continue
        path: list[str] = []
        stack: list[tuple[str, Any]] = [(start, iter(graph.get(start, ())))]
        state[start] = 1
        path.append(start)
        while stack:
            node, deps = stack[-1]
            dep = next(deps, None)
            if dep is None:
                state[node] = 2
                path.pop()
                stack.pop()
            elif state.get(dep) == 1:
                return [*path[path.index(dep) :], dep]
            elif dep not in state and dep in graph:
                state[dep] = 1
                path.append(dep)
                stack.append((dep, iter(graph.get(dep, ()))))
    return []


def ancestors(graph: Mapping[str, Iterable[str]], start: str) -> frozenset[str]:
    """Every node that ``start`` waits for, directly or not."""
    seen: set[str] = set()
    todo = list(graph.get(start, ()))
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return frozenset(seen)


def topological(graph: Mapping[str, Iterable[str]]) -> list[str]:
    """Nodes in an order that respects dependencies (declaration order among equals).

    Raises:
        DependsError: the graph has a cycle.
    """
    needs = {node: set(deps) & set(graph) for node, deps in graph.items()}
    order: list[str] = []
    while len(order) < len(needs):
        ready = [n for n, deps in needs.items() if n not in order and deps <= set(order)]
        if not ready:
            cycle = find_cycle(graph)
            raise DependsError(f"dependency cycle {' -> '.join(cycle)}")
        order.append(ready[0])
    return order
