"""Request bodies for the Argo Server, built as the SDK's typed models from plain manifests."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from argo_workflows.configuration import Configuration
from argo_workflows.exceptions import OpenApiException
from argo_workflows.model.io_argoproj_workflow_v1alpha1_workflow_template import (
    IoArgoprojWorkflowV1alpha1WorkflowTemplate as WorkflowTemplate,
)
from argo_workflows.model.io_argoproj_workflow_v1alpha1_workflow_template_create_request import (
    IoArgoprojWorkflowV1alpha1WorkflowTemplateCreateRequest as CreateRequest,
)
from argo_workflows.model.io_argoproj_workflow_v1alpha1_workflow_template_update_request import (
    IoArgoprojWorkflowV1alpha1WorkflowTemplateUpdateRequest as UpdateRequest,
)
from argo_workflows.model_utils import validate_and_convert_types

from lab.targets.argo_errors import ArgoError


class TemplateTypeError(ArgoError):
    """Raised when a WorkflowTemplate file has a field of the wrong type for Argo v3.6.5."""


def template_model(manifest: Mapping[str, Any]) -> WorkflowTemplate:
    """The manifest as the SDK's v3.6.5 WorkflowTemplate; a field of a wrong type is refused."""
    name = (manifest.get("metadata") or {}).get("name", "?")
    try:
        # The SDK converts nested dicts in place: give it a copy.
        return validate_and_convert_types(
            copy.deepcopy(dict(manifest)),
            (WorkflowTemplate,),
            ["template"],
            True,  # keys are the JSON names (``workflowTemplateRef``), as in the YAML
            True,  # check every value's type
            Configuration(),
        )
    except OpenApiException as error:
        raise TemplateTypeError(
            f"WorkflowTemplate {name!r} does not fit Argo v3.6.5's types: {error}; "
            "run `python -m lab.workflows check workflows/`"
        ) from None


def template_request(
    manifest: Mapping[str, Any],
    namespace: str,
    *,
    create: bool = False,
    resource_version: str | None = None,
) -> CreateRequest | UpdateRequest:
    """The body that creates (or, with the current ``resourceVersion``, replaces) a template."""
    manifest = copy.deepcopy(dict(manifest))
    metadata = manifest.setdefault("metadata", {})
    metadata["namespace"] = namespace
    if create:
        return CreateRequest(namespace=namespace, template=template_model(manifest))
    if resource_version:
        metadata["resourceVersion"] = resource_version  # replaces exactly the one we read
    return UpdateRequest(namespace=namespace, template=template_model(manifest))
