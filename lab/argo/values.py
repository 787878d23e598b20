"""Values as Argo's Go code turns them into text: parameters (AnyString) and loop items.

- A parameter written as a YAML number or boolean becomes text the way ``AnyString``
  formats it: ``1.0`` → ``1``, ``true`` → ``true`` (``strconv.FormatFloat(v, 'f', -1)``).
- A ``withItems``/``withParam`` item (``processItem`` in ``operator.go``): ``{{item}}`` of
  a map is its JSON with keys sorted, as Go's ``json.Marshal`` writes a map (``<``, ``>``
  and ``&`` escaped); ``{{item.KEY}}`` is the value as ``Item.String`` writes it (a string
  without quotes); the node is named ``step(i:k1:v1,k2:v2)`` with those pairs sorted.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any


def go_float(value: float) -> str:
    """``strconv.FormatFloat(value, 'f', -1, 64)``: shortest digits, never an exponent."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    return format(Decimal(repr(value)).normalize(), "f")


def as_text(value: Any) -> str:
    """A parameter value as Argo keeps it (``AnyString``): always a string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    return "" if value is None else str(value)


def go_json(value: Any, *, escape_html: bool = True) -> str:
    """Compact JSON as Go's ``json.Marshal`` writes it: map keys sorted, HTML escaped."""
    text = json.dumps(_go_numbers(value), separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    if escape_html:
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text


def _go_numbers(value: Any) -> Any:
    """Floats that are whole numbers written as Go writes them (``1.0`` → ``1``)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, dict):
        return {str(k): _go_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_go_numbers(v) for v in value]
    return value


def item_text(item: Any) -> str:
    """``Item.String()``: a string without its quotes, anything else as compact JSON."""
    text = go_json(item, escape_html=False)
    return text[1:-1] if text.startswith('"') else text


def item_variables(item: Any) -> dict[str, str]:
    """``{{item}}`` and, for a map, ``{{item.KEY}}`` values of one loop item."""
    if isinstance(item, dict):
        values = {"item": go_json(item)}
        values.update({f"item.{key}": item_text(value) for key, value in item.items()})
        return values
    if isinstance(item, list):
        return {"item": go_json(item)}
    return {"item": item_text(item)}


def item_label(item: Any) -> str:
    """The item as Argo shows it in a node name: ``b``, or ``k1:v1,k2:v2`` sorted."""
    if isinstance(item, dict):
        text = ",".join(sorted(f"{key}:{item_text(value)}" for key, value in item.items()))
    else:
        text = item_text(item)
    return text.replace("(", "").replace(")", "")
