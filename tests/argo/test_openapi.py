"""Validation against the vendored OpenAPI definitions, with Go's decoding rules."""

from __future__ import annotations

from typing import Any

import pytest

from lab.argo.findings import UnknownArgoVersion
from lab.argo.openapi import WF, Validator, definitions, versions


def findings(value: Any, name: str) -> list[tuple[tuple, str]]:
    found: list[tuple[tuple, str]] = []
    Validator(definitions(), lambda path, message, _: found.append((path, message))).check_named(
        value, WF + name, ()
    )
    return found


def test_the_cluster_version_is_vendored_and_others_are_named() -> None:
    assert "v3.6.5" in versions()
    with pytest.raises(UnknownArgoVersion, match=r"no schema for Argo v9\.9\.9.*v3\.6\.5"):
        definitions("v9.9.9")


def test_any_string_parameters_take_numbers_and_booleans() -> None:
    assert findings({"name": "a", "value": 3, "default": True, "enum": [1, "x"]}, "Parameter") == []
    assert findings({"name": "a", "value": {"no": 1}}, "Parameter") == [
        (("value",), "Input should be text, a number or a boolean, not a mapping")
    ]


def test_int_or_string_and_quantities() -> None:
    assert findings({"limit": 3, "backoff": {"factor": "2"}}, "RetryStrategy") == []
    assert findings({"limit": True}, "RetryStrategy") == [
        (("limit",), "Input should be an integer or text, not a boolean")
    ]
    container = {"image": "a", "resources": {"requests": {"cpu": 1, "memory": "512Mi"}}}
    assert findings({"container": container}, "Template") == []
    container["resources"]["limits"] = {"memory": "1GB"}
    assert findings({"container": container}, "Template") == [
        (("container", "resources", "limits", "memory"),
         "'1GB' is not a quantity (e.g. 512Mi, 1Gi, 0.5, 100m)"),
    ]  # fmt: skip


def test_null_is_accepted_and_counts_as_missing_when_required() -> None:
    assert findings({"name": "a", "inputs": None}, "Template") == []
    assert findings({"name": None}, "Parameter") == [(("name",), "Field required")]


def test_unknown_fields_and_types() -> None:
    assert findings({"name": "a", "scrpt": {}}, "Template") == [(("scrpt",), "unknown field")]
    assert findings({"name": "a", "steps": "x"}, "Template") == [
        (("steps",), "Input should be a valid list")
    ]
    assert findings({"name": 3}, "Template") == [
        (("name",), "Input should be a valid string, not a number")
    ]


def test_a_memoize_cache_names_only_its_config_map() -> None:
    memoize = {"key": "k", "maxAge": "1h", "cache": {"configMap": {"name": "c"}}}
    assert findings({"name": "a", "memoize": memoize}, "Template") == []
