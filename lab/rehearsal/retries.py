"""When Argo v3.6.5 retries a node, and how long it waits (``processNodeRetries``).

After each failed attempt, in this order: past the workflow's deadline → stop; with a
backoff, past ``maxDuration`` since the first attempt started → stop ("Max duration
limit exceeded"); the wait (``duration × factor^(attempts-1)``) would end past it → stop
("Backoff would exceed max duration limit"); the wait is kept only while ``limit`` is set
and not used up; then the policy decides (``OnFailure`` retries Failed, ``OnError``
Error, ``Always`` both, ``OnTransientError`` both when the message is a transient
Kubernetes or network error); then ``limit`` ("No more retries left"). Later attempts
run with ``maxDuration``'s deadline. A retryStrategy without ``limit`` retries without end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lab.argo.durations import argo_duration, int_or_string
from lab.runs.records import ERROR, FAILED, SUCCEEDED

# util/errors/errors.go: messages Argo treats as transient (no TRANSIENT_ERROR_PATTERN here).
TRANSIENT = (
    "etcdserver: leader changed",
    "etcdserver: request timed out",
    "Connection closed by foreign host",
    "net/http: TLS handshake timeout",
    "i/o timeout",
    "connection timed out",
    "connection reset by peer",
    "http2: client connection lost",
    "connect: connection refused",
    "invalid connection",
    "upper: no more rows in",
)


@dataclass(frozen=True)
class Ended:
    """One finished attempt: its phase and message, and when it ran (on the run's clock)."""

    phase: str
    message: str
    started: float
    finished: float


@dataclass(frozen=True)
class Verdict:
    """What happens after an attempt: wait ``wait_s``, then retry or end in ``phase``."""

    retry: bool
    wait_s: float = 0.0
    phase: str = SUCCEEDED
    message: str = ""
    deadline: float | None = None  # the next attempt's execution deadline (maxDuration)


def is_transient(message: str) -> bool:
    """Whether Argo's ``IsTransientErr`` would call a node message transient."""
    return any(fragment in message for fragment in TRANSIENT)


def decide(
    strategy: Mapping[str, Any], ended: list[Ended], now: float, workflow_deadline: float | None
) -> Verdict:
    """What Argo does after the last of ``ended`` (attempts so far, in order)."""
    last = ended[-1]
    if last.phase not in (FAILED, ERROR):
        return Verdict(False, phase=last.phase, message=last.message)
    if workflow_deadline is not None and now > workflow_deadline:
        return Verdict(False, phase=last.phase, message="retry exceeded workflow deadline")
    limit = int_or_string(strategy["limit"]) if strategy.get("limit") is not None else None
    wait, deadline = 0.0, None
    backoff = strategy.get("backoff")
    if backoff is not None:
        if backoff.get("maxDuration"):
            deadline = ended[0].started + argo_duration(backoff["maxDuration"])
            if now > deadline:
                return Verdict(False, phase=last.phase, message="Max duration limit exceeded")
        if not backoff.get("duration"):
            message = "no base duration specified for retryStrategy"
            return Verdict(False, phase=ERROR, message=message)
        wait = argo_duration(backoff["duration"])
        factor = int_or_string(backoff["factor"]) if backoff.get("factor") is not None else None
        if factor is not None and factor > 0:
            wait *= factor ** (len(ended) - 1)
        waiting_until = last.finished + wait
        if deadline is not None and waiting_until > deadline:
            message = "Backoff would exceed max duration limit"
            return Verdict(False, phase=last.phase, message=message)
        keeps_waiting = limit is not None and len(ended) <= limit
        wait = max(0.0, waiting_until - now) if keeps_waiting else 0.0
    policy = strategy.get("retryPolicy") or "OnFailure"
    transient = policy == "OnTransientError" and is_transient(last.message)
    on_failed = policy in ("Always", "OnFailure") or transient
    on_error = policy in ("Always", "OnError") or transient
    if (last.phase == FAILED and not on_failed) or (last.phase == ERROR and not on_error):
        return Verdict(False, wait, last.phase, last.message)
    if limit is not None and len(ended) > limit:
        message = f"No more retries left (attempt {len(ended)}: {last.message})"
        return Verdict(False, wait, last.phase, message)
    return Verdict(True, wait, deadline=deadline)
