"""What the chameleon target checks about node1: its address, its container's answers, errors."""

from __future__ import annotations

import ipaddress
from typing import Any

PLACEHOLDERS = frozenset({"", "A.B.C.D", "E.F.G.H"})


class ChameleonConfigError(ValueError):
    """Raised when the notebook's Chameleon parameters cannot work (e.g. no floating IP)."""


class TrainingServiceError(RuntimeError):
    """Raised when the training container on node1 is in a state the lab cannot use."""


class TrainingServiceTimeout(TrainingServiceError):
    """Raised when the training service does not log that it listens in time."""


def _is_ipv6(text: str) -> bool:
    """Whether ``text`` is an IPv6 address (the only kind of address with a colon)."""
    try:
        return isinstance(ipaddress.ip_address(text), ipaddress.IPv6Address)
    except ValueError:
        return False


def floating_ip(value: str | None) -> str:
    """The floating IP from the parameters cell, or an error that says what to set."""
    ip = (value or "").strip()
    if ip in PLACEHOLDERS or "/" in ip or " " in ip or (":" in ip and not _is_ipv6(ip)):
        raise ChameleonConfigError(
            f"floating_ip={value!r} is not an address: set it in the parameters cell to "
            "your cluster's floating IP, e.g. floating_ip='203.0.113.10' (no http://, no port)"
        )
    return ip


def is_missing(result: Any) -> bool:
    """Whether docker said the container does not exist."""
    return "no such" in f"{result.stdout}\n{result.stderr}".lower()
