"""Argo's ``fields`` query parameter (``util/fields`` of v3.6.5), ported: keep or drop paths."""

from __future__ import annotations

import copy
from typing import Any


def clean(data: dict[str, Any], spec: str) -> dict[str, Any]:
    """``data`` with only the dotted paths in ``spec`` (``-a,b``: all but those)."""
    if not spec:
        return data
    exclude = spec.startswith("-")
    fields = set((spec[1:] if exclude else spec).split(","))
    result = copy.deepcopy(data)
    _clean([], result, fields, exclude)
    return result


def _clean(path: list[str], item: Any, fields: set[str], exclude: bool) -> None:
    """Go's ``cleanItem``: a key stays if it, or a path under it, is listed (or not, if -)."""
    if isinstance(item, dict):
        for key in list(item):
            here = ".".join([*path, key])
            listed = here in fields
            under = listed or any(f.startswith(here) for f in fields)
            if (exclude and not listed) or (not exclude and under):
                if not listed:
                    _clean([*path, key], item[key], fields, exclude)
            else:
                del item[key]
    elif isinstance(item, list):
        for element in item:
            _clean(path, element, fields, exclude)
