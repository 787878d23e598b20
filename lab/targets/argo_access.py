"""The chameleon target's way to Argo: the server (through node1 or at ``argo_url``), our
templates made sure of once, then submit-and-follow and the newest run of a template."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from lab.targets.argo_client import ArgoServer
from lab.targets.argo_follow import Follower, OnEvent
from lab.targets.argo_records import WorkflowRun, template_of, workflow_run
from lab.targets.argo_templates import ensure_templates
from lab.targets.ssh import RemoteShell
from lab.targets.tunnel import Tunnel


class ArgoAccess:
    """One namespace on the cluster's Argo Server, reached as the course reaches it."""

    def __init__(
        self,
        shell: RemoteShell,
        *,
        root: Path,
        namespace: str,
        argo_url: str = "",
        token: str | None = None,
        verify_tls: bool = False,
        echo: Callable[[str], Any] = print,
        poll_interval_s: float = 2.0,
        sleep: Callable[[float], Any] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        pool: Any = None,
    ) -> None:
        self.shell, self.root, self.namespace = shell, root, namespace
        self.pool = pool  # tests: a stand-in for urllib3's pool
        self.argo_url, self.token, self.verify_tls = argo_url.rstrip("/"), token, verify_tls
        self._echo = echo
        self._follow = {"poll_interval_s": poll_interval_s, "sleep": sleep, "clock": clock}
        self.tunnel: Tunnel | None = None
        self._server: ArgoServer | None = None
        self._templates_checked = False

    @property
    def server(self) -> ArgoServer:
        """The Argo Server: at ``argo_url``, or through a tunnel via node1 opened on first use."""
        if self._server is not None and (self.tunnel is None or self.tunnel.is_open()):
            return self._server
        if self.argo_url:
            url, hint = (
                self.argo_url,
                (
                    "Check argo_url, and that the tunnel you opened for it still runs (or leave "
                    "argo_url empty and the lab opens one through node1)."
                ),
            )
        else:
            if self.tunnel is None:
                self.tunnel = Tunnel(self.shell, namespace=self.namespace, echo=self._echo)
            url = self.tunnel.open()
            hint = (
                "The tunnel through node1 stopped: run the cell again to reopen it; on node1, "
                f"`kubectl -n {self.namespace} get svc argo-server` shows the Service."
            )
        self._server = ArgoServer(
            url,
            namespace=self.namespace,
            token=self.token,
            verify_tls=self.verify_tls,
            echo=self._echo,
            unreachable_hint=hint,
            pool=self.pool,
        )
        return self._server

    def run(
        self,
        template: str,
        parameters: Mapping[str, str],
        *,
        on_event: OnEvent | None = None,
        timeout_s: float = 1800,
    ) -> WorkflowRun:
        """Make sure of our templates (once), submit ``template`` and follow what it starts."""
        server = self.server
        if not self._templates_checked:
            ensure_templates(server, self.root, echo=self._echo)
            self._templates_checked = True
        follower = Follower(server, echo=self._echo, **self._follow)
        return follower.run(template, parameters, on_event=on_event, timeout_s=timeout_s)

    def latest_run(self, template: str) -> WorkflowRun | None:
        """The newest Workflow made from ``template`` in the namespace, or None.

        Matched by ``spec.workflowTemplateRef.name`` (or the label), which v3.6.5 keeps on
        Workflows created by a resource step too.
        """
        items = [w for w in self.server.list() if template_of(w) == template]
        if not items:
            return None
        newest = max(items, key=lambda w: w["metadata"].get("creationTimestamp") or "")
        return workflow_run(self.server.get(newest["metadata"]["name"], show=True))

    def close(self) -> None:
        """Close the tunnel (if the lab opened one) and the server's connections."""
        if self._server is not None:
            self._server.close()
            self._server = None
        if self.tunnel is not None and self.tunnel.is_open():
            self.tunnel.close()
            self._echo("# closed the tunnel to the Argo Server")
