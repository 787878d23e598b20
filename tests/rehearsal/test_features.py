"""Features a rehearsal cannot reproduce are refused before anything runs, by template and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lab.rehearsal import rehearse
from lab.rehearsal.errors import (
    ParameterError,
    RehearsalError,
    RehearsalUnsupported,
    TemplateInvalid,
    UnresolvedVariable,
)
from tests.rehearsal.helpers import SH, minimal, write_templates

SCRIPT = {"script": {**SH, "source": "echo should-not-run > ran.txt"}}
MOUNT = {"volumeMounts": [{"name": "v", "mountPath": "/v"}], "workingDir": "/v"}


def with_volume(volume: dict[str, Any]) -> dict[str, Any]:
    doc = minimal(script={**SH, **MOUNT, "source": "true"})
    doc["spec"]["volumes"] = [{"name": "v", **volume}]
    return doc


def spec_with(**fields: Any) -> dict[str, Any]:
    doc = minimal(**SCRIPT)
    doc["spec"].update(fields)
    return doc


def calling(step: dict[str, Any], kind: str = "steps") -> dict[str, Any]:
    """A workflow whose entrypoint calls ``leaf`` once through ``step``."""
    call = {"name": "s", "template": "leaf", **step}
    body = {"steps": [[call]]} if kind == "steps" else {"dag": {"tasks": [call]}}
    doc = minimal(**body)
    doc["spec"]["templates"].append({"name": "leaf", **SCRIPT})
    return doc


UNSUPPORTED = {
    "suspend": minimal(suspend={}),
    "http": minimal(http={"url": "http://x"}),
    "containerSet": minimal(containerSet={"containers": [{"name": "a", "image": "alpine"}]}),
    "plugin": minimal(plugin={"hello": {}}),
    "sidecars": minimal(**SCRIPT, sidecars=[{"name": "db", "image": "postgres"}]),
    "initContainers": minimal(**SCRIPT, initContainers=[{"name": "i", "image": "alpine"}]),
    "daemon": minimal(**SCRIPT, daemon=True),
    "synchronization": minimal(**SCRIPT, synchronization={"mutex": {"name": "m"}}),
    "podSpecPatch": minimal(**SCRIPT, podSpecPatch="{}"),
    "memoize": minimal(
        **SCRIPT, memoize={"key": "k", "maxAge": "1h", "cache": {"configMap": {"name": "c"}}}
    ),
    "hostPath": with_volume({"hostPath": {"path": "/etc"}}),
    "configMap": with_volume({"configMap": {"name": "cm"}}),
    "secret": with_volume({"secret": {"secretName": "s"}}),
    "persistentVolumeClaim": with_volume({"persistentVolumeClaim": {"claimName": "c"}}),
    "artifacts": minimal(**SCRIPT, outputs={"artifacts": [{"name": "a", "path": "/tmp/a"}]}),
    "templateDefaults": spec_with(templateDefaults={"timeout": "1m"}),
    "hooks": spec_with(hooks={"exit": {"template": "main"}}),
    "templateRef": calling({"templateRef": {"name": "other", "template": "t"}}),
    "withSequence": calling({"withSequence": {"count": "2"}}),
    "envFrom": minimal(script={**SH, "source": "true", "envFrom": [{"configMapRef": {}}]}),
    "configMapKeyRef": minimal(
        script={
            **SH,
            "source": "true",
            "env": [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "k"}}}],
        }
    ),
    "valueFrom-parameter": minimal(
        **SCRIPT,
        outputs={"parameters": [{"name": "p", "valueFrom": {"parameter": "{{workflow.name}}"}}]},
    ),
    "output-outside-mounts": minimal(
        **SCRIPT, outputs={"parameters": [{"name": "p", "valueFrom": {"path": "/tmp/p.txt"}}]}
    ),
    "resource-apply": minimal(resource={"action": "apply", "manifest": "kind: ConfigMap"}),
    "resource-configmap": minimal(
        resource={"action": "create", "manifest": "apiVersion: v1\nkind: ConfigMap\n"}
    ),
    "expression-tag": minimal(script={**SH, "source": "echo {{=workflow.name}}"}),
    "unknown-field": minimal(scrpt={"image": "alpine"}),
}


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_unsupported_feature_is_refused_before_anything_runs(name: str, tmp_path: Path) -> None:
    folder = write_templates(tmp_path / "templates", UNSUPPORTED[name])
    with pytest.raises(RehearsalUnsupported) as caught:
        rehearse(folder, "probe", {}, workdir=tmp_path / "runs")
    assert "probe" in str(caught.value) or "step" in str(caught.value)
    assert not (tmp_path / "runs").exists() or not list((tmp_path / "runs").rglob("ran.txt"))


def test_refusal_names_template_and_field(tmp_path: Path) -> None:
    folder = write_templates(tmp_path / "t", UNSUPPORTED["sidecars"])
    with pytest.raises(RehearsalUnsupported, match=r"template 'main'\.sidecars"):
        rehearse(folder, "probe", {}, workdir=tmp_path / "runs")


def test_script_naming_a_mount_path_is_refused(tmp_path: Path) -> None:
    doc = minimal(script={**SH, **MOUNT, "source": "cat /v/data.txt"})
    doc["spec"]["volumes"] = [{"name": "v", "emptyDir": {}}]
    folder = write_templates(tmp_path / "t", doc)
    with pytest.raises(RehearsalUnsupported, match="refers to the mount path /v"):
        rehearse(folder, "probe", {}, workdir=tmp_path / "runs")


@pytest.mark.parametrize(
    ("doc", "error", "fragment"),
    [
        (
            minimal(script={**SH, "source": "echo {{inputs.parameters.nope}}"}),
            UnresolvedVariable,
            "declares no input parameter 'nope'",
        ),
        (
            minimal(script={**SH, "source": "echo {{workflow.parameters.x}}"}),
            UnresolvedVariable,
            "declares no parameter 'x'",
        ),
        (
            minimal(script={**SH, "source": "echo {{pod.name}}"}),
            UnresolvedVariable,
            "unknown variable",
        ),
        (
            calling({"when": "{{steps.later.outputs.result}} == x"}),
            UnresolvedVariable,
            "no step 'later' has run before",
        ),
        (
            calling({"arguments": {"parameters": [{"name": "x", "value": "{{item}}"}]}}),
            UnresolvedVariable,
            "not available here",
        ),
        (
            minimal(script={"image": "alpine:3.18", "source": "true"}),
            TemplateInvalid,
            "command is required",
        ),
        (calling({"template": "missing"}), TemplateInvalid, "no template named 'missing'"),
        (calling({"depends": "a || b"}, kind="dag"), TemplateInvalid, "no task 'a'"),
        (
            calling({"depends": "s.Suceeded"}, kind="dag"),
            TemplateInvalid,
            "task result 'Suceeded' for task 's' is invalid",
        ),
    ],
)
def test_static_template_errors(doc, error: type[RehearsalError], fragment: str, tmp_path: Path):
    folder = write_templates(tmp_path / "t", doc)
    with pytest.raises(error, match=fragment):
        rehearse(folder, "probe", {}, workdir=tmp_path / "runs")


def test_missing_input_argument_is_refused(tmp_path: Path) -> None:
    doc = calling({})
    doc["spec"]["templates"][1]["inputs"] = {"parameters": [{"name": "need"}]}
    folder = write_templates(tmp_path / "t", doc)
    with pytest.raises(ParameterError, match="needs input parameter 'need'"):
        rehearse(folder, "probe", {}, workdir=tmp_path / "runs")
