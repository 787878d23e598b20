"""Validate plain data against one Argo version's OpenAPI definitions, as Go would decode it.

The definitions come from the vendored ``schemas/<version>/swagger.json``. Where Argo's Go
types decode more than their OpenAPI type says, Go wins: ``AnyString`` parameter values
take numbers and booleans, ``IntOrString`` takes an integer or text, a ``Quantity`` a
number or text, an ``Item`` anything; ``null`` is accepted anywhere (Go leaves the field
unset). Unknown fields are errors, as in Argo's strict decoding (``argo lint``, ``argo
submit``). Text holding a ``{{...}}`` placeholder is accepted where Argo fills it in later.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lab.argo.findings import UnknownArgoVersion

SCHEMAS = Path(__file__).resolve().parent / "schemas"
DEFAULT_VERSION = "v3.6.5"
WF = "io.argoproj.workflow.v1alpha1."
ANY = {WF + "Item", WF + "Plugin", "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1"}
ANY_STRING_FIELDS = {
    (WF + "Parameter", "value"),
    (WF + "Parameter", "default"),
    (WF + "Parameter", "description"),
    (WF + "Parameter", "enum"),
    (WF + "ValueFrom", "default"),
}
# Fields whose value's ``required`` list Argo does not need: a memoize cache names only a
# ConfigMap (its ``key`` is unused), and Go's decoder never enforces ``required``.
NOT_REQUIRED = {(WF + "Cache", "configMap")}
INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
AMOUNT = WF + "Amount"
_QUANTITY_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([KMGTPE]i|[mkMGTPE]|[eE][+-]?\d+)?")

#: ``report(path, message, missing)``: one finding at a field path (``missing``: a key to add).
Report = Callable[[tuple[Any, ...], str, bool], None]


def versions() -> list[str]:
    """The Argo versions whose schema is vendored here, e.g. ``["v3.6.5"]``."""
    return sorted(p.name for p in SCHEMAS.iterdir() if (p / "swagger.json").is_file())


@functools.lru_cache(maxsize=4)
def definitions(version: str = DEFAULT_VERSION) -> dict[str, dict]:
    """The OpenAPI definitions of one Argo version."""
    path = SCHEMAS / version / "swagger.json"
    if not path.is_file():
        known = ", ".join(versions()) or "none"
        raise UnknownArgoVersion(f"no schema for Argo {version} in {SCHEMAS} (vendored: {known})")
    return json.loads(path.read_text(encoding="utf-8"))["definitions"]


def _is_text(value: Any) -> bool:
    """Whether Go decodes ``value`` as a JSON string (YAML dates are written as text)."""
    return isinstance(value, str | datetime.date | bytes)


def _kind(value: Any) -> str:
    """What a value is, in a message."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "text"


@dataclass
class Validator:
    """Walks one value against a definition, reporting each mismatch once."""

    defs: dict[str, dict]
    report: Report

    def check(
        self,
        value: Any,
        schema: dict,
        path: tuple[Any, ...] = (),
        owner: str = "",
        required: bool = True,
    ) -> None:
        """Check ``value`` against ``schema`` (a definition, a ``$ref`` or an inline schema)."""
        if value is None:
            return  # Go: null leaves the field unset
        ref = schema.get("$ref")
        if ref:
            name = ref.rsplit("/", 1)[-1]
            self.check_named(value, name, path, required)
            return
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            self.check_object(value, schema, path, owner, required)
        elif kind == "array":
            if not isinstance(value, list):
                self.report(path, "Input should be a valid list", False)
                return
            items = schema.get("items") or {}
            for index, item in enumerate(value):
                self.check(item, items, (*path, index), owner)
        elif kind == "string" and not _is_text(value):
            self.report(path, f"Input should be a valid string, not {_kind(value)}", False)
        elif kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
            self.report(path, f"Input should be a valid integer, not {_kind(value)}", False)
        elif kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
            self.report(path, f"Input should be a valid number, not {_kind(value)}", False)
        elif kind == "boolean" and not isinstance(value, bool):
            self.report(path, f"Input should be a valid boolean, not {_kind(value)}", False)

    def check_named(
        self, value: Any, name: str, path: tuple[Any, ...], required: bool = True
    ) -> None:
        """A value of a named definition, with Go's own decoders where they differ."""
        if name in ANY:
            return
        if name == INT_OR_STRING:
            if isinstance(value, bool) or not isinstance(value, int | str):
                self.report(path, f"Input should be an integer or text, not {_kind(value)}", False)
            return
        if name in (QUANTITY, AMOUNT):
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                self.report(path, f"Input should be a number or text, not {_kind(value)}", False)
            elif (
                name == QUANTITY
                and isinstance(value, str)
                and "{{" not in value
                and not _QUANTITY_TEXT.fullmatch(value)
            ):
                message = f"'{value}' is not a quantity (e.g. 512Mi, 1Gi, 0.5, 100m)"
                self.report(path, message, False)
            return
        definition = self.defs.get(name)
        if definition is None:
            return  # a definition this spec does not spell out: accept, as Go would
        self.check(value, definition, path, owner=name, required=required)

    def check_object(
        self, value: Any, schema: dict, path: tuple[Any, ...], owner: str, required: bool
    ) -> None:
        """A mapping: known fields, required fields, and each field's type."""
        if not isinstance(value, dict):
            self.report(path, f"Input should be a valid dictionary, not {_kind(value)}", False)
            return
        properties = schema.get("properties")
        if properties is None:
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict):
                for key, item in value.items():
                    self.check(item, extra, (*path, key))
            return
        for key, item in value.items():
            field = properties.get(str(key))
            if field is None:
                self.report((*path, key), "unknown field", False)
            elif (owner, key) in ANY_STRING_FIELDS:
                self.check_any_string(item, field, (*path, key))
            else:
                self.check(item, field, (*path, key), required=(owner, key) not in NOT_REQUIRED)
        for key in schema.get("required", ()) if required else ():
            if value.get(key) is None:
                self.report((*path, key), "Field required", True)

    def check_any_string(self, value: Any, field: dict, path: tuple[Any, ...]) -> None:
        """``AnyString`` (or a list of them): text, a number or a boolean."""
        values = value if field.get("type") == "array" and isinstance(value, list) else [value]
        if field.get("type") == "array" and not isinstance(value, list) and value is not None:
            self.report(path, "Input should be a valid list", False)
            return
        for index, item in enumerate(values):
            if item is not None and not (_is_text(item) or isinstance(item, int | float)):
                where = (*path, index) if values is value else path
                message = f"Input should be text, a number or a boolean, not {_kind(item)}"
                self.report(where, message, False)
