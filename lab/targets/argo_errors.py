"""The errors of the chameleon target's Argo Server calls, each naming what to check."""

from __future__ import annotations

import json
from typing import Any


class ArgoError(RuntimeError):
    """Raised when the Argo Server answers a request with an error."""


class ArgoConnectionError(ArgoError):
    """Raised when the Argo Server cannot be reached at all (tunnel down, wrong URL)."""


class ArgoAuthError(ArgoError):
    """Raised when the Argo Server rejects a request's token, or wants one (401)."""


class ArgoForbiddenError(ArgoError):
    """Raised when the server's service account may not do something there (403: RBAC)."""


class ArgoNotFoundError(ArgoError):
    """Raised when a WorkflowTemplate or Workflow does not exist in the namespace."""


class ArgoTimeoutError(ArgoError):
    """Raised when a followed Workflow has not finished within its own deadline.

    ``run`` holds the record of that Workflow as it was when the time ran out.
    """

    run: Any = None


def server_message(body: Any, fallback: str | None = "") -> str:
    """The ``message`` of an Argo error body (``{"code": 5, "message": …}``), or its start."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    try:
        data = json.loads(body) if body else None
    except ValueError:
        data = None
    if isinstance(data, dict) and data.get("message"):
        return str(data["message"])
    return (str(body or "")[:200]) or str(fallback or "no message")
