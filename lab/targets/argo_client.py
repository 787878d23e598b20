"""The Argo Server calls the lab makes, through the official SDK generated from v3.6.5's API.

``argo-workflows==6.6.5`` builds each request (path, query, typed body) from the same
spec the cluster's server implements. Answers are read as the JSON the server sends: the
SDK's typed answers reject v3.6.5's own ``"finishedAt": null`` on a running Workflow
(argoproj/argo-workflows#9122). Every failure becomes an :class:`ArgoError` that names its
real cause (the tunnel, the namespace, RBAC, a template that is not there).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import urllib3
from argo_workflows import exceptions as sdk_errors
from argo_workflows.api.info_service_api import InfoServiceApi
from argo_workflows.api.workflow_service_api import WorkflowServiceApi
from argo_workflows.api.workflow_template_service_api import WorkflowTemplateServiceApi
from argo_workflows.api_client import ApiClient
from argo_workflows.configuration import Configuration
from argo_workflows.model.io_argoproj_workflow_v1alpha1_submit_opts import (
    IoArgoprojWorkflowV1alpha1SubmitOpts as SubmitOpts,
)
from argo_workflows.model.io_argoproj_workflow_v1alpha1_workflow_submit_request import (
    IoArgoprojWorkflowV1alpha1WorkflowSubmitRequest as SubmitRequest,
)

from lab.targets.argo_bodies import template_request
from lab.targets.argo_errors import (
    ArgoAuthError,
    ArgoConnectionError,
    ArgoError,
    ArgoForbiddenError,
    ArgoNotFoundError,
    server_message,
)
from lab.targets.commands import argo_get, argo_list, argo_submit, command_line, kubectl_apply

REQUEST_TIMEOUT_S = 30
# Connections are retried (nothing was sent); reads never are: a repeated submit would
# start a second training run.
RETRIES = urllib3.Retry(total=2, connect=2, read=0, status=0, other=0, backoff_factor=0.5)
# What ``latest_run`` needs of each listed Workflow (``fields`` keeps answers small).
LIST_FIELDS = (
    "metadata,items.metadata.name,items.metadata.creationTimestamp,items.metadata.labels,"
    "items.metadata.ownerReferences,items.spec.workflowTemplateRef,items.status.phase,"
    "items.status.startedAt"
)


def bearer(token: str) -> str:
    """The Authorization header value; ``ARGO_TOKEN`` is often already ``Bearer …``."""
    token = token.strip()
    return token if token.lower().startswith("bearer ") else f"Bearer {token}"


class ArgoServer:
    """One Argo Server and namespace; each call is shown first as its ``argo`` CLI line."""

    def __init__(
        self,
        base_url: str,
        *,
        namespace: str,
        token: str | None = None,
        verify_tls: bool = False,
        echo: Callable[[str], Any] = print,
        unreachable_hint: str = "",
        pool: Any = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.namespace = namespace
        self.token = token or None
        self.unreachable_hint = unreachable_hint
        self._echo = echo
        config = Configuration(host=self.base_url)
        config.verify_ssl = verify_tls
        config.retries = RETRIES
        header = {"header_name": "Authorization", "header_value": bearer(token)} if token else {}
        self._client = ApiClient(config, **header)
        if pool is not None:  # tests: a stand-in for urllib3's PoolManager
            self._client.rest_client.pool_manager = pool
        self._workflows = WorkflowServiceApi(self._client)
        self._templates = WorkflowTemplateServiceApi(self._client)
        self._info = InfoServiceApi(self._client)

    # -- the calls ----------------------------------------------------------------------------

    def version(self) -> dict[str, Any]:
        """``GET /api/v1/version``: the server's version (``v3.6.5`` on the course cluster)."""
        return self._call("GET", "/api/v1/version", self._info.get_version, what="read")

    def info(self) -> dict[str, Any]:
        """``GET /api/v1/info``: ``managedNamespace`` when the server serves one namespace."""
        return self._call("GET", "/api/v1/info", self._info.get_info, what="read")

    def get_template(self, name: str) -> dict[str, Any] | None:
        """The WorkflowTemplate ``name`` in the namespace, or None if there is none."""
        try:
            return self._call(
                "GET",
                f"/api/v1/workflow-templates/{self.namespace}/{name}",
                self._templates.get_workflow_template,
                self.namespace,
                name,
                what="read WorkflowTemplates",
            )
        except ArgoNotFoundError:
            return None

    def create_template(self, manifest: Mapping[str, Any]) -> dict[str, Any]:
        """Create a WorkflowTemplate from its manifest (``kubectl apply`` of a new one)."""
        body = template_request(manifest, self.namespace, create=True)
        return self._call(
            "POST",
            f"/api/v1/workflow-templates/{self.namespace}",
            self._templates.create_workflow_template,
            self.namespace,
            body,
            what="create WorkflowTemplates",
        )

    def update_template(self, manifest: Mapping[str, Any], resource_version: str) -> dict[str, Any]:
        """Replace the WorkflowTemplate of the manifest's name (``kubectl apply`` over one)."""
        body = template_request(manifest, self.namespace, resource_version=resource_version)
        name = manifest["metadata"]["name"]
        return self._call(
            "PUT",
            f"/api/v1/workflow-templates/{self.namespace}/{name}",
            self._templates.update_workflow_template,
            self.namespace,
            name,
            body,
            what="update WorkflowTemplates",
        )

    def submit(
        self, template: str, parameters: Mapping[str, str], labels: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """Create a Workflow from a WorkflowTemplate; returns the new Workflow."""
        self._show("POST", "/submit", argo_submit(template, parameters, self.namespace))
        options = SubmitOpts(parameters=[f"{k}={v}" for k, v in parameters.items()])
        if labels:
            options.labels = ",".join(f"{k}={v}" for k, v in labels.items())
        body = SubmitRequest(
            namespace=self.namespace,
            resource_kind="WorkflowTemplate",
            resource_name=template,
            submit_options=options,
        )
        try:
            return self._call(
                "POST",
                f"/api/v1/workflows/{self.namespace}/submit",
                self._workflows.submit_workflow,
                self.namespace,
                body,
                what="create Workflows",
            )
        except ArgoNotFoundError as error:
            apply = command_line(kubectl_apply(f"workflows/{template}.yaml", self.namespace))
            raise ArgoNotFoundError(
                f"WorkflowTemplate {template!r} not found in namespace {self.namespace!r}: "
                f"install it with `{apply}` from the repository, or check the namespace "
                f"(argo_namespace). {error}"
            ) from None

    def get(self, name: str, *, show: bool = False) -> dict[str, Any]:
        """The Workflow ``name`` as the server has it now."""
        if show:
            self._show("GET", f"/{name}", argo_get(name, self.namespace))
        return self._call(
            "GET",
            f"/api/v1/workflows/{self.namespace}/{name}",
            self._workflows.get_workflow,
            self.namespace,
            name,
            what="read Workflows",
        )

    def list(self, selector: str | None = None) -> list[dict[str, Any]]:
        """The Workflows in the namespace (their names, labels, templates and phases)."""
        self._show("GET", "", argo_list(selector, self.namespace))
        options: dict[str, Any] = {"fields": LIST_FIELDS}
        if selector:
            options["list_options_label_selector"] = selector
        answer = self._call(
            "GET",
            f"/api/v1/workflows/{self.namespace}",
            self._workflows.list_workflows,
            self.namespace,
            what="list Workflows",
            **options,
        )
        return list(answer.get("items") or [])

    def close(self) -> None:
        """Close the SDK's connections."""
        self._client.close()

    # -- plumbing ------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        """The full URL of an API path."""
        return f"{self.base_url}{path}"

    def _show(self, method: str, suffix: str, argv: list[str]) -> None:
        """Show a Workflow API call and the ``argo`` command that does the same."""
        path = f"/api/v1/workflows/{self.namespace}{suffix}"
        self._echo(f"# Argo Server API: {method} {self.url(path)}")
        self._echo(f"$ {command_line(argv)}")

    def _call(
        self, method: str, path: str, call: Callable[..., Any], *args: Any, what: str, **kw: Any
    ) -> dict[str, Any]:
        """One SDK call; its answer as the server's JSON, or an ArgoError that says why not."""
        url = self.url(path)
        try:
            with warnings.catch_warnings():
                # The course's argo-server has a self-signed certificate, reached through
                # the SSH tunnel: not verifying it is the course's own `curl -k`.
                warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
                response = call(
                    *args, _preload_content=False, _request_timeout=REQUEST_TIMEOUT_S, **kw
                )
        except sdk_errors.ApiException as error:
            raise self._error(method, url, error, what) from None
        except urllib3.exceptions.HTTPError as error:
            raise ArgoConnectionError(self._unreachable(url, error)) from None
        try:
            answer = json.loads(response.data)
        except ValueError:
            raise ArgoError(
                f"the Argo Server answered {method} {url} with something other than JSON: "
                f"{response.data[:200]!r}; is {self.base_url} the Argo Server?"
            ) from None
        if not isinstance(answer, dict):
            raise ArgoError(f"unexpected answer to {method} {url}: {answer!r:.200}")
        return answer

    def _unreachable(self, url: str, error: Exception) -> str:
        """Why the server could not be reached, and what to check."""
        reason = getattr(error, "reason", None) or error
        return f"cannot reach the Argo Server at {url}: {reason}. {self.unreachable_hint}".strip()

    def _error(self, method: str, url: str, error: sdk_errors.ApiException, what: str) -> ArgoError:
        """The ArgoError for an HTTP error answer, naming its real cause."""
        status, message = error.status, server_message(error.body, error.reason)
        said = f"({status} for {method} {url}: {message})"
        if status == 0:  # no HTTP answer at all (TLS failed, or the request could not be built)
            return ArgoConnectionError(self._unreachable(url, Exception(error.reason)))
        if status == 401:
            if self.token:
                return ArgoAuthError(
                    f"the Argo Server rejected the token that was sent {said}. The course's "
                    "server needs none (it runs with --auth-mode server): leave argo_token "
                    "empty and unset ARGO_TOKEN, or make a fresh one on node1"
                )
            return ArgoAuthError(
                f"the Argo Server wants a token {said}: it was not started with "
                "--auth-mode server as the course's is. Pass one as argo_token (on node1: "
                f"`kubectl -n {self.namespace} create token SERVICE-ACCOUNT`)"
            )
        if status == 403:
            return ArgoForbiddenError(
                f"the Argo Server may not {what} in namespace {self.namespace!r} {said}. If "
                f"{self.namespace!r} is not where Argo is installed, set argo_namespace (the "
                "course installs it in 'argo'); otherwise its service account lacks the "
                f"RBAC to do it: on node1, `kubectl auth can-i --list -n {self.namespace} "
                f"--as system:serviceaccount:{self.namespace}:argo-server`"
            )
        if status == 404:
            return ArgoNotFoundError(f"not found in namespace {self.namespace!r} {said}")
        return ArgoError(f"the Argo Server answered {said}")
