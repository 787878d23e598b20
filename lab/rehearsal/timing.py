"""Static checks of a template's timing: retries, backoffs, timeouts and deadlines.

Argo v3.6.5 accepts ``timeout: 30`` or ``factor: 1.5`` when a template is submitted and
fails the node when it gets there; a rehearsal refuses them before anything runs.
"""

from __future__ import annotations

from typing import Any

from lab.argo.durations import DurationError, argo_duration, go_duration, int_or_string
from lab.rehearsal.errors import TemplateInvalid
from lab.rehearsal.features import POD_TYPES, RETRY_POLICIES, keys


def check_retry(retry: dict[str, Any] | None, where: str, notes: list[str]) -> None:
    """A retryStrategy whose every value Argo v3.6.5 can read."""
    if retry is None:
        return
    keys(retry, where, {"limit", "retryPolicy", "backoff"}, {"affinity"}, notes)
    if retry.get("retryPolicy", "OnFailure") not in RETRY_POLICIES:
        raise TemplateInvalid(f"{where}.retryPolicy must be one of {', '.join(RETRY_POLICIES)}")
    backoff = retry.get("backoff") or {}
    if "backoff" in retry and not backoff.get("duration"):
        raise TemplateInvalid(f"{where}.backoff.duration is required (Argo: no base duration)")
    readers = [
        ("limit", retry.get("limit"), int_or_string),
        ("backoff.factor", backoff.get("factor"), int_or_string),
        ("backoff.duration", backoff.get("duration"), argo_duration),
        ("backoff.maxDuration", backoff.get("maxDuration"), argo_duration),
    ]
    for key, value, read in readers:
        try:
            if value is not None:
                read(value)
        except DurationError as error:
            raise TemplateInvalid(f"{where}.{key}: {error} (Argo v3.6.5 fails the node)") from None


def check_deadlines(template: dict[str, Any], kind: str, where: str, notes: list[str]) -> None:
    """``timeout`` is a Go duration and times out pods; ``activeDeadlineSeconds`` an integer."""
    timeout = template.get("timeout")
    if timeout is not None and "{{" not in str(timeout):
        try:
            go_duration(timeout)
        except DurationError as error:
            message = f"{where}.timeout: {error} (Argo v3.6.5: invalid timeout format)"
            raise TemplateInvalid(message) from None
        if kind not in POD_TYPES:
            notes.append(
                f"{where}.timeout has no effect on a {kind} template in Argo "
                "v3.6.5 (only pods time out); it has none here either"
            )
    deadline = template.get("activeDeadlineSeconds")
    if deadline is not None and "{{" not in str(deadline):
        try:
            int_or_string(deadline)
        except DurationError as error:
            raise TemplateInvalid(f"{where}.activeDeadlineSeconds: {error}") from None
