"""The words and labels of the workflow pictures: DOT quoting, HTML-like labels, step details."""

from __future__ import annotations

import html
from typing import Any

from lab.argo.depends import depends_names
from lab.argo.model import get, image_of, mappings, template_type


def quote(text: str) -> str:
    """A DOT double-quoted ID."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def small(text: str) -> str:
    """HTML-label markup for a detail line."""
    return f'<FONT POINT-SIZE="9">{html.escape(text, quote=False)}</FONT>'


def label(title: str, *details: str) -> str:
    """An HTML-like label: a bold title over small detail lines."""
    lines = [f"<B>{html.escape(title, quote=False)}</B>", *(small(d) for d in details if d)]
    return "<" + "<BR/>".join(lines) + ">"


def describe_template(template: dict | None) -> str:
    """One line saying what a template is: ``script · alpine:3.21.3``, ``resource create``."""
    if template is None:
        return ""
    kind = template_type(template)
    if kind in ("script", "container"):
        image = image_of(template)
        return f"{kind} · {image}" if image else kind
    if kind == "resource":
        action = get(template, "resource", "action")
        return f"resource {action}" if isinstance(action, str) else "resource"
    return kind or ""


def parameter_list(block: Any) -> list[str]:
    """``name`` or ``name = default`` for each parameter of an arguments/inputs block."""
    shown = []
    for parameter in mappings(get(block, "parameters")):
        value = parameter.get("value", parameter.get("default"))
        if value is None:
            shown.append(str(parameter.get("name")))
            continue
        default = value if value != "" else '""'  # an empty default, not a missing one
        shown.append(f"{parameter.get('name')} = {default}")
    return shown


def label_text(text: str) -> str:
    """An edge label: plain lines as an HTML-like label."""
    return "<" + "<BR/>".join(html.escape(line, quote=False) for line in text.splitlines()) + ">"


def loop_details(raw: dict) -> list[str]:
    """Detail lines for a step's loop, if any."""
    if isinstance(raw.get("withItems"), list):
        return [f"for each of {len(raw['withItems'])} items"]
    if isinstance(raw.get("withParam"), str):
        return [f"for each item of {raw['withParam']}"]
    if isinstance(raw.get("withSequence"), dict):
        return ["for each number of a sequence"]
    return []


def dependency_labels(task: dict) -> list[tuple[str, str | None]]:
    """``(task it waits for, required result)`` from ``dependencies`` and ``depends``."""
    listed = task.get("dependencies")
    found = [(d, None) for d in listed if isinstance(d, str)] if isinstance(listed, list) else []
    if isinstance(task.get("depends"), str):
        found.extend(depends_names(task["depends"]))
    return list(dict.fromkeys(found))
