"""Durations and counts as Argo v3.6.5 reads them (Go's ``time.ParseDuration`` and IntOrString).

- ``timeout`` and ``memoize.maxAge``: Go durations only (``30s``, ``1m30s``, ``500ms``);
  a bare ``30`` is an error there.
- ``retryStrategy.backoff.duration``/``maxDuration``: a whole number of seconds, or a Go
  duration (``wfv1.ParseStringToDuration``).
- IntOrString fields (``retryStrategy.limit``, ``backoff.factor``, a template's
  ``activeDeadlineSeconds``): an integer, or a string of one.
"""

from __future__ import annotations

import re
from typing import Any

_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,  # U+00B5 micro sign
    "μs": 1e-6,  # U+03BC Greek mu
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}
_PART = re.compile(r"(\d*\.?\d*)(ns|us|µs|μs|ms|s|m|h)")


class DurationError(ValueError):
    """Raised when a value is not a duration (or integer) that Argo would accept."""


def go_duration(value: Any) -> float:
    """Seconds in a Go duration string such as ``1h2m``, ``1.5s`` or ``500ms``."""
    text = value if isinstance(value, str) else str(value)
    body = text[1:] if text[:1] in "+-" else text
    sign = -1.0 if text.startswith("-") else 1.0
    if body == "0":
        return 0.0
    if not body:
        raise DurationError(f"invalid duration {text!r}")
    total, at = 0.0, 0
    while at < len(body):
        match = _PART.match(body, at)
        if not match or match.group(1) in ("", "."):
            raise DurationError(
                f"{text!r} is not a duration: Go durations need a unit (ns, us, ms, s, m, h), "
                "e.g. 30s, 1m30s, 500ms"
            )
        total += float(match.group(1)) * _UNITS[match.group(2)]
        at = match.end()
    return sign * total


def argo_duration(value: Any) -> float:
    """Seconds in a backoff duration: whole seconds (``"10"``, ``10``) or a Go duration."""
    text = str(value)
    if re.fullmatch(r"[+-]?\d+", text.strip()) and text == text.strip():
        return float(int(text))
    try:
        return go_duration(text)
    except DurationError:
        raise DurationError(
            f"unable to parse {text!r} as a duration: give whole seconds (10) or a Go duration "
            "(10s, 2m, 500ms)"
        ) from None


def int_or_string(value: Any) -> int:
    """An IntOrString's integer: ``3`` or ``"3"`` (``"1.5"`` is an error, as in Argo)."""
    if isinstance(value, bool):
        raise DurationError(f"{value!r} is not an integer")
    if isinstance(value, int):
        return value
    text = str(value)
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    raise DurationError(f"value '{text}' cannot be resolved to an int")
