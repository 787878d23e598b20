"""Check the values Argo reads only when a node runs: durations, counts and retry policies.

Argo v3.6.5 accepts a template whose ``timeout`` is ``30`` (no unit) or whose backoff
factor is ``1.5``, then fails the node when it gets there. These are errors here, so
they are found before a run. A field that has no effect is a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from lab.argo.documents import Document, iter_templates, workflow_spec
from lab.argo.durations import DurationError, argo_duration, go_duration, int_or_string
from lab.argo.findings import Problem, Severity
from lab.argo.model import template_type

RETRY_POLICIES = ("Always", "OnFailure", "OnError", "OnTransientError")


def _value_problem(read: Callable[[Any], Any], value: Any) -> str | None:
    """Why ``read(value)`` fails, or None (values with a placeholder are read later)."""
    if value is None or (isinstance(value, str) and "{{" in value):
        return None
    try:
        read(value)
    except DurationError as error:
        return str(error)
    return None


def retry_problems(retry: Any, where: str) -> Iterator[str]:
    """What Argo would fail on when it retries with ``retry``."""
    if not isinstance(retry, dict):
        return
    policy = retry.get("retryPolicy")
    if isinstance(policy, str) and policy not in RETRY_POLICIES:
        yield f"{where}.retryPolicy: '{policy}' is not one of {', '.join(RETRY_POLICIES)}"
    if message := _value_problem(int_or_string, retry.get("limit")):
        yield f"{where}.limit: {message}"
    backoff = retry.get("backoff")
    if not isinstance(backoff, dict):
        return
    if backoff.get("duration") is None:
        yield f"{where}.backoff: duration is required (Argo fails the node when it retries)"
    for key in ("duration", "maxDuration"):
        if message := _value_problem(argo_duration, backoff.get(key)):
            yield f"{where}.backoff.{key}: {message}"
    if message := _value_problem(int_or_string, backoff.get("factor")):
        yield f"{where}.backoff.factor: {message} (Argo reads it as a whole number)"


def check_runtime(document: Document) -> Iterator[Problem]:
    """Problems with the run-time values of ``document``'s spec and templates."""
    spec = workflow_spec(document.raw)
    for message in retry_problems(spec.get("retryStrategy"), "spec.retryStrategy"):
        yield document.problem("", message, document.line(spec, "retryStrategy"))
    for _, template in iter_templates(spec):
        context = f"template '{template.get('name')}'"
        for message in retry_problems(template.get("retryStrategy"), "retryStrategy"):
            yield document.problem(context, message, document.line(template, "retryStrategy"))
        timeout = template.get("timeout")
        if message := _value_problem(go_duration, timeout):
            text = f"timeout: {message} (Argo v3.6.5 fails the node: invalid timeout format)"
            yield document.problem(context, text, document.line(template, "timeout"))
        elif timeout is not None and template_type(template) in ("steps", "dag"):
            text = (
                f"timeout has no effect on a {template_type(template)} template in Argo v3.6.5 "
                "(it times out pods); put it on the templates its steps run"
            )
            line = document.line(template, "timeout")
            yield document.problem(context, text, line, severity=Severity.WARNING)
        deadline = template.get("activeDeadlineSeconds")
        if message := _value_problem(int_or_string, deadline):
            line = document.line(template, "activeDeadlineSeconds")
            yield document.problem(context, f"activeDeadlineSeconds: {message}", line)
