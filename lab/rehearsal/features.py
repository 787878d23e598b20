"""Which Argo fields a rehearsal reproduces, ignores or refuses, and the helpers that apply that.

Every field is one of three kinds: supported (rehearsed as Argo v3.6.5 runs it), ignored
(cluster-only, no effect on results here; each one becomes a note on the run), or refused
(:class:`RehearsalUnsupported` naming the template and field). Fields Argo does not know
never get here: loading a template validates it against Argo's schema first. The checks
themselves are in :mod:`lab.rehearsal.checks`.
"""

from __future__ import annotations

from typing import Any

from lab.rehearsal.errors import RehearsalUnsupported

TYPES = ("container", "script", "resource", "steps", "dag")
POD_TYPES = ("container", "script")
SPEC = {
    "entrypoint",
    "arguments",
    "templates",
    "volumeClaimTemplates",
    "volumes",
    "activeDeadlineSeconds",
    "onExit",
    "retryStrategy",
}
SPEC_IGNORED = {
    "serviceAccountName",
    "podGC",
    "ttlStrategy",
    "archiveLogs",
    "nodeSelector",
    "tolerations",
    "affinity",
    "securityContext",
    "imagePullSecrets",
    "podMetadata",
    "workflowMetadata",
    "priority",
    "podPriorityClassName",
    "schedulerName",
    "volumeClaimGC",
    "podDisruptionBudget",
    "automountServiceAccountToken",
    "executor",
    "artifactRepositoryRef",
    "artifactGC",
    "parallelism",  # steps run one at a time here anyway
    "dnsPolicy",
    "dnsConfig",
}
TEMPLATE = {
    "name",
    "inputs",
    "outputs",
    "retryStrategy",
    "activeDeadlineSeconds",
    "timeout",
    "volumes",
    *TYPES,
}
TEMPLATE_IGNORED = {
    "metadata",
    "nodeSelector",
    "tolerations",
    "affinity",
    "securityContext",
    "serviceAccountName",
    "automountServiceAccountToken",
    "priorityClassName",
    "schedulerName",
    "archiveLocation",
    "executor",
    "parallelism",  # steps run one at a time here anyway
}
CONTAINER = {"name", "image", "command", "args", "env", "workingDir", "volumeMounts", "source"}
CONTAINER_IGNORED = {
    "imagePullPolicy",
    "resources",
    "securityContext",
    "ports",
    "terminationMessagePath",
    "terminationMessagePolicy",
    "resizePolicy",
}
STEP = {"name", "template", "arguments", "when", "withItems", "withParam", "continueOn"}
TASK = STEP | {"dependencies", "depends"}
PARAMETER = {"name", "value", "default", "enum", "description"}
RETRY_POLICIES = ("Always", "OnFailure", "OnError", "OnTransientError")
WHY = {
    "failFast": "a template's failFast stops new pods once a child failed, which depends on "
    "timing that a rehearsal (one step at a time) does not have",
    "expression": "retryStrategy.expression is an expr-lang expression the rehearsal does "
    "not evaluate",
}


def keys(
    obj: dict[str, Any],
    where: str,
    supported: set[str],
    ignored: set[str] = frozenset(),
    notes: list[str] | None = None,
) -> None:
    """Refuse unsupported keys of ``obj``; note ignored ones."""
    for key in obj:
        if key in supported:
            continue
        if key in ignored:
            if notes is not None:
                notes.append(f"{where}.{key} has no effect here (cluster only); ignored")
            continue
        why = f": {WHY[key]}" if key in WHY else ""
        raise RehearsalUnsupported(f"{where}.{key} is not supported by the rehearsal{why}")


def parameters(holder: dict[str, Any], where: str) -> dict[str, dict[str, Any]]:
    """Parameters of an ``arguments`` or ``inputs`` section by name (artifacts refused)."""
    keys(holder, where, {"parameters"})
    params: dict[str, dict[str, Any]] = {}
    for param in holder.get("parameters") or []:
        keys(param, f"{where}.parameters[{param.get('name')}]", PARAMETER)
        params[param["name"]] = param
    return params


def workflow_volumes(spec: dict[str, Any], where: str) -> dict[str, str]:
    """Volume name → ``claim`` or ``emptyDir``; other volume kinds are refused."""
    volumes = {c["metadata"]["name"]: "claim" for c in spec.get("volumeClaimTemplates") or []}
    for volume in spec.get("volumes") or []:
        volumes[volume["name"]] = volume_kind(volume, f"{where}.volumes[{volume['name']}]")
    return volumes


def volume_kind(volume: dict[str, Any], where: str) -> str:
    """``emptyDir`` for an emptyDir volume; refuse the rest (hostPath, secret, configMap…)."""
    kinds = [key for key in volume if key != "name"]
    if kinds == ["emptyDir"]:
        return "emptyDir"
    raise RehearsalUnsupported(
        f"{where}: {'/'.join(kinds) or 'a volume without a source'} volumes are not rehearsed; "
        "use a volumeClaimTemplate (shared by steps) or an emptyDir"
    )
