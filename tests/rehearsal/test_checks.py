"""Static checks before a run: values Argo v3.6.5 would fail on, and what has no effect."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lab.rehearsal import preflight
from lab.rehearsal.errors import (
    RehearsalUnsupported,
    StepRefused,
    TemplateInvalid,
    UnknownArgoField,
)
from tests.rehearsal.helpers import SH, minimal, write_templates

SCRIPT = {"script": {**SH, "source": "true"}}


def check(tmp_path: Path, doc: dict[str, Any]) -> list[str]:
    return preflight(write_templates(tmp_path / "t", doc), "probe")


@pytest.mark.parametrize(
    ("fields", "error", "fragment"),
    [
        ({"timeout": "30"}, TemplateInvalid, "timeout: '30' is not a duration"),
        ({"retryStrategy": {"limit": 1, "backoff": {"duration": "1s", "factor": "1.5"}}},
         TemplateInvalid, "backoff.factor: value '1.5' cannot be resolved to an int"),
        ({"retryStrategy": {"backoff": {"factor": 2}}}, TemplateInvalid, "duration is required"),
        ({"retryStrategy": {"retryPolicy": "Sometimes"}}, TemplateInvalid, "must be one of"),
        ({"retryStrategy": {"expression": "true"}}, RehearsalUnsupported, "expr-lang"),
        ({"failFast": True}, RehearsalUnsupported, "depends on timing"),
        ({"activeDeadlineSeconds": "1m"}, TemplateInvalid, "cannot be resolved to an int"),
    ],
)  # fmt: skip
def test_values_argo_cannot_read_are_refused(tmp_path, fields, error, fragment) -> None:
    with pytest.raises(error, match=fragment):
        check(tmp_path, minimal(**SCRIPT, **fields))


def test_a_steps_timeout_has_no_effect_and_says_so(tmp_path: Path) -> None:
    doc = minimal(steps=[[{"name": "s", "template": "leaf"}]], timeout="1m")
    doc["spec"]["templates"].append({"name": "leaf", **SCRIPT})
    notes = check(tmp_path, doc)
    assert any("timeout has no effect on a steps template" in note for note in notes)


def test_depends_and_dependencies_together_are_refused(tmp_path: Path) -> None:
    tasks = [
        {"name": "a", "template": "leaf"},
        {"name": "b", "template": "leaf", "depends": "a", "dependencies": ["a"]},
    ]
    doc = minimal(dag={"tasks": tasks})
    doc["spec"]["templates"].append({"name": "leaf", **SCRIPT})
    with pytest.raises(TemplateInvalid, match="either dependencies or depends"):
        check(tmp_path, doc)


def test_an_unknown_field_is_invalid_and_unsupported(tmp_path: Path) -> None:
    with pytest.raises(UnknownArgoField, match="unknown field 'scrpt'") as caught:
        check(tmp_path, minimal(scrpt={"image": "alpine"}))
    assert isinstance(caught.value, TemplateInvalid)
    assert isinstance(caught.value, RehearsalUnsupported)


def test_a_workflow_level_retry_strategy_is_rehearsed(tmp_path: Path) -> None:
    doc = minimal(**SCRIPT)
    doc["spec"]["retryStrategy"] = {"limit": 2}
    assert check(tmp_path, doc) == []


@pytest.mark.parametrize(
    ("script", "fragment"),
    [
        ({"image": "alpine:3.21.3", "command": ["bash"]}, "command 'bash' is not in that image"),
        ({"image": "alpine:3.21.3", "command": ["python"]}, "command 'python' is not in that"),
        ({"image": "ghcr.io/acme/tool:1", "command": ["sh"]}, "not in the rehearsal's image"),
    ],
)
def test_commands_are_checked_against_the_image(tmp_path, script, fragment) -> None:
    with pytest.raises(StepRefused, match=fragment):
        check(tmp_path, minimal(script={**script, "source": "true"}))
