"""Check Argo Server requests and answers against the v3.6.5 API spec (Swagger 2.0), strictly.

Every request the chameleon target sends, every answer the stand-in Argo Server gives and
every canned answer the tests use goes through here. Objects are strict: a field the spec
does not define is an error (the real server's Go decoder would drop it without a word).
The one deviation allowed: Kubernetes' ``metav1.Time`` marshals an unset time as ``null``
(v3.6.5's server encodes with Go's ``encoding/json``), which Swagger 2.0 cannot express.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema

from lab.argo.openapi import SCHEMAS

# The spec the lab vendors for its checker: one copy of v3.6.5's API in the repository.
SPEC = SCHEMAS / "v3.6.5" / "swagger.json"
TIME = "io.k8s.apimachinery.pkg.apis.meta.v1.Time"


class ContractError(AssertionError):
    """Raised when a request or an answer does not fit the v3.6.5 API spec."""


@functools.cache
def spec() -> dict[str, Any]:
    """The vendored v3.6.5 spec."""
    return json.loads(SPEC.read_text(encoding="utf-8"))


@functools.cache
def _definitions() -> dict[str, Any]:
    """The spec's definitions, made strict, with ``null`` allowed for ``metav1.Time``."""
    definitions = copy.deepcopy(spec()["definitions"])
    for schema in definitions.values():
        if schema.get("type") == "object" and "properties" in schema:
            schema.setdefault("additionalProperties", False)
    definitions[TIME] = {"type": ["string", "null"], "format": "date-time"}
    return definitions


_formats = jsonschema.FormatChecker(formats=())


@_formats.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    """RFC 3339 as Kubernetes writes it (``2026-11-26T10:00:00Z``)."""
    if isinstance(value, str):
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


def validate(value: Any, schema: dict[str, Any], where: str) -> None:
    """Validate ``value`` against ``schema`` (refs into the spec's definitions)."""
    root = {**schema, "definitions": _definitions()}
    validator = jsonschema.Draft4Validator(root, format_checker=_formats)
    errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [
            f"  at {'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message[:240]}"
            for e in errors[:8]
        ]
        raise ContractError(f"{where} does not fit Argo v3.6.5's API spec:\n" + "\n".join(lines))


def definition(name: str) -> dict[str, Any]:
    """A ``$ref`` schema for one definition, e.g. ``io.argoproj.workflow.v1alpha1.Workflow``."""
    return {"$ref": f"#/definitions/{name}"}


def operation(method: str, path: str) -> tuple[str, dict[str, Any], dict[str, str]]:
    """``(path template, operation, path parameters)`` of the API operation a request calls."""
    paths = spec()["paths"]
    # Literal segments win over parameters: ``/workflows/{ns}/submit`` before ``/{name}``.
    for template in sorted(paths, key=lambda t: t.count("{")):
        operations = paths[template]
        names = re.findall(r"\{([^/]+?)\}", template)
        pieces = re.split(r"\{[^/]+?\}", template)
        regex = "([^/]+)".join(re.escape(piece) for piece in pieces)
        match = re.fullmatch(regex, path)
        if match and method.lower() in operations:
            params = dict(zip(names, match.groups(), strict=True))
            return template, operations[method.lower()], params
    raise ContractError(f"{method} {path} is not an operation of the Argo v3.6.5 API")


def check_request(method: str, url: str, body: Any = None) -> str:
    """Check one request (``url`` with its query); returns the operation's id."""
    parts = urlsplit(url)
    template, op, path_params = operation(method, parts.path)
    where = f"{method} {parts.path}"
    declared = {p["name"]: p for p in op.get("parameters", [])}
    for name, value in path_params.items():
        if not value:
            raise ContractError(f"{where}: path parameter {name} is empty")
    for name, values in parse_qs(parts.query, keep_blank_values=True).items():
        param = declared.get(name)
        if param is None or param["in"] != "query":
            raise ContractError(f"{where}: query parameter {name!r} is not in {template}")
        for value in values:
            _check_query_value(param, value, where)
    body_param = next((p for p in declared.values() if p["in"] == "body"), None)
    if body_param is None:
        if body not in (None, b"", ""):
            raise ContractError(f"{where} takes no body, but one was sent")
    else:
        if body in (None, b"", ""):
            raise ContractError(f"{where} needs a body ({body_param['schema']})")
        data = json.loads(body) if isinstance(body, bytes | str) else body
        validate(data, body_param["schema"], f"the body of {where}")
    return str(op["operationId"])


def _check_query_value(param: dict[str, Any], value: str, where: str) -> None:
    """A query value has the declared type (booleans and integers as Go parses them)."""
    kind = param.get("type", "string")
    if kind == "boolean" and value not in ("true", "false"):
        raise ContractError(f"{where}: {param['name']}={value!r} is not a boolean")
    if kind == "integer" and not re.fullmatch(r"-?\d+", value):
        raise ContractError(f"{where}: {param['name']}={value!r} is not an integer")


def check_response(method: str, url: str, status: int, body: Any) -> None:
    """Check one answer: a 2xx against the operation's result, others against its error."""
    template, op, _ = operation(method, urlsplit(url).path)
    responses = op["responses"]
    key = "200" if 200 <= status < 300 else "default"
    schema = (responses.get(key) or responses["default"]).get("schema")
    data = json.loads(body) if isinstance(body, bytes | str) else body
    if schema is not None:
        validate(data, schema, f"the {status} answer to {method} {template}")
