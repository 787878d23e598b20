"""Argo's ``{{...}}`` placeholders: the one pattern, the simple variable forms, string walks.

``{{=...}}`` is an expression tag (evaluated by Argo's expr engine); everything else is a
simple variable such as ``inputs.parameters.NAME`` or ``steps.STEP.outputs.result``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)

_NAME = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"
_MEMBER = r"[A-Za-z0-9_-]+"
_OUTPUT = rf"(?P<what>outputs\.result|outputs\.parameters\.(?P<name>{_NAME})|status)"
#: The simple variable forms whose values come from parameters, steps, tasks and loops.
FORMS: dict[str, re.Pattern[str]] = {
    "inputs.parameters": re.compile(rf"inputs\.parameters\.(?P<name>{_NAME})"),
    "workflow.parameters": re.compile(rf"workflow\.parameters\.(?P<name>{_NAME})"),
    "workflow": re.compile(r"workflow\.(?P<name>name|uid|creationTimestamp|status)"),
    "steps": re.compile(rf"steps\.(?P<step>{_MEMBER})\.{_OUTPUT}"),
    "tasks": re.compile(rf"tasks\.(?P<step>{_MEMBER})\.{_OUTPUT}"),
    "item": re.compile(rf"item(\.(?P<name>{_NAME}))?"),
    "retries": re.compile(r"retries"),
}


def references(text: str) -> list[str]:
    """The variable names used in ``text``, in order (``{{ a }}`` → ``a``)."""
    return [match.group(1).strip() for match in PLACEHOLDER.finditer(text)]


def is_expression(name: str) -> bool:
    """Whether a placeholder's content is an expression tag (``{{=...}}``)."""
    return name.startswith("=")


def kind_of(name: str) -> str | None:
    """Which simple form the variable ``name`` has (``steps``, ``item``…), or None."""
    for kind, pattern in FORMS.items():
        if pattern.fullmatch(name):
            return kind
    return None


def blank_out(text: str, word: str) -> str:
    """``text`` with every placeholder replaced by ``word`` (to parse what Argo fills in later)."""
    return PLACEHOLDER.sub(word, text)


def strings(
    node: Any,
    path: str = "",
    skip: frozenset[str] = frozenset(),
    owner: Any = None,
    key: Any = None,
) -> Iterator[tuple[str, str, Any, Any]]:
    """``(path, text, mapping, key)`` for every string under ``node``, except ``skip`` keys.

    ``mapping[key]`` is where the string is written (for a list item: the list's key).
    """
    if isinstance(node, dict):
        for sub_key, value in node.items():
            if sub_key in skip:
                continue
            sub = f"{path}.{sub_key}" if path else str(sub_key)
            if isinstance(value, str):
                yield sub, value, node, sub_key
            else:
                yield from strings(value, sub, owner=node, key=sub_key)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            sub = f"{path}[{index}]"
            if isinstance(value, str):
                yield sub, value, owner, key
            else:
                yield from strings(value, sub, owner=owner, key=key)
