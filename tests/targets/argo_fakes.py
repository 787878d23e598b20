"""A scripted Argo Server behind the SDK's urllib3 pool; every request and answer is checked
against the v3.6.5 API spec (``tests/chameleon/contract.py``)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import urllib3

from tests.chameleon.contract import check_request, check_response

NS = "argo"
T0 = "2026-11-26T10:00:00Z"

Answer = tuple[int, Any]


class Clock:
    """A clock that moves only when the code under test sleeps (pass ``clock.sleep``)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class Sent:
    """One request the client sent, as the server saw it."""

    def __init__(self, method: str, url: str, body: bytes | None, headers: dict[str, str]) -> None:
        self.method, self.url, self.headers = method, url, headers
        parts = urlsplit(url)
        self.path = parts.path
        self.query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.json = json.loads(body) if body else None

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


class FakeArgo:
    """Workflows answer their next snapshot on each GET; templates are kept as created."""

    def __init__(
        self,
        snapshots: dict[str, list[dict[str, Any]]] | None = None,
        *,
        listed: list[dict[str, Any]] | None = None,
        templates: dict[str, dict[str, Any]] | None = None,
        answer: Callable[[Sent], Answer | None] | None = None,
        submitted: dict[str, Any] | None = None,
    ) -> None:
        self.snapshots = {k: list(v) for k, v in (snapshots or {}).items()}
        self.listed = listed or []
        self.templates = copy.deepcopy(templates or {})
        self.answer = answer
        self.submitted = submitted
        self.sent: list[Sent] = []
        self.version = 0

    # urllib3.PoolManager.request, as the SDK's rest client calls it
    def request(
        self,
        method: str,
        url: str,
        fields: Any = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        preload_content: bool = True,
        timeout: Any = None,
        **_: Any,
    ) -> urllib3.HTTPResponse:
        if fields:
            url = f"{url}?{urlencode(fields)}"
        raw = body.encode() if isinstance(body, str) else body
        check_request(method, url, raw)
        sent = Sent(method, url, raw, dict(headers or {}))
        self.sent.append(sent)
        status, data = (self.answer(sent) if self.answer else None) or self.respond(sent)
        check_response(method, url, status, data)
        return urllib3.HTTPResponse(
            body=json.dumps(data).encode(),
            status=status,
            headers={"Content-Type": "application/json"},
            preload_content=False,
        )

    def respond(self, sent: Sent) -> Answer:
        """The server's side of each call the client makes."""
        wf, wt = f"/api/v1/workflows/{NS}", f"/api/v1/workflow-templates/{NS}"
        if sent.method == "POST" and sent.path == f"{wf}/submit":
            return 200, self.submitted
        if sent.method == "GET" and sent.path == wf:
            return 200, {"metadata": {"resourceVersion": "1"}, "items": self.listed}
        if sent.path == "/api/v1/version":
            return 200, version_answer()
        if sent.path == "/api/v1/info":
            return 200, {"managedNamespace": NS, "modals": {}, "navColor": ""}
        if sent.path.startswith(wt):
            return self._template(sent, sent.path.removeprefix(wt).strip("/"))
        name = sent.path.rsplit("/", 1)[-1]
        if sent.method == "GET" and name in self.snapshots:
            items = self.snapshots[name]
            return 200, items.pop(0) if len(items) > 1 else items[0]
        return not_found(f'workflows.argoproj.io "{name}" not found')

    def _template(self, sent: Sent, name: str) -> Answer:
        if sent.method == "GET":
            if name in self.templates:
                return 200, self.templates[name]
            return not_found(f'workflowtemplates.argoproj.io "{name}" not found')
        template = copy.deepcopy(sent.json["template"])
        self.version += 1
        meta = template["metadata"]
        meta.update(resourceVersion=str(100 + self.version), uid=f"uid-{meta['name']}")
        meta["creationTimestamp"] = T0
        self.templates[meta["name"]] = template
        return 200, template

    def calls(self) -> list[str]:
        return [str(s) for s in self.sent]


def not_found(message: str) -> Answer:
    """A grpc-gateway error body, as v3.6.5 answers a missing object."""
    return 404, {"code": 5, "message": message}


def version_answer() -> dict[str, str]:
    """``GET /api/v1/version`` of v3.6.5."""
    return {
        "version": "v3.6.5",
        "buildDate": "2025-03-11T00:00:00Z",
        "gitCommit": "9e532061c064d1205610b1932a0fb3c4dc053421",
        "gitTag": "v3.6.5",
        "gitTreeState": "clean",
        "goVersion": "go1.23.1",
        "compiler": "gc",
        "platform": "linux/amd64",
    }
