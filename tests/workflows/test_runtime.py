"""Run-time values: what Argo v3.6.5 accepts at submission but fails on when a node runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.argo.documents import load_file
from lab.workflows.runtime import check_runtime

HEAD = """\
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: w}
spec:
  templates:
    - name: t
"""


def found(tmp_path: Path, body: str) -> list[str]:
    path = tmp_path / "w.yaml"
    path.write_text(HEAD + body)
    (document,), _ = load_file(path)
    return [str(p).removeprefix(f"{path}: ") for p in check_runtime(document)]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("      timeout: '30'\n      container: {image: a}\n",
         "template 't': timeout: '30' is not a duration"),
        ("      retryStrategy: {limit: 1, backoff: {duration: 1s, factor: '1.5'}}\n",
         "template 't': retryStrategy.backoff.factor: value '1.5' cannot be resolved to an int"),
        ("      retryStrategy: {backoff: {maxDuration: 1m}}\n",
         "template 't': retryStrategy.backoff: duration is required"),
        ("      retryStrategy: {retryPolicy: Never}\n",
         "template 't': retryStrategy.retryPolicy: 'Never' is not one of Always"),
        ("      retryStrategy: {backoff: {duration: '1.5'}}\n",
         "template 't': retryStrategy.backoff.duration: unable to parse '1.5' as a duration"),
        ("      activeDeadlineSeconds: 1m\n", "template 't': activeDeadlineSeconds: value '1m'"),
    ],
)  # fmt: skip
def test_values_argo_fails_on_are_errors(tmp_path: Path, body: str, message: str) -> None:
    assert any(text.startswith(message) for text in found(tmp_path, body)), found(tmp_path, body)


def test_a_steps_timeout_has_no_effect_and_is_a_warning(tmp_path: Path) -> None:
    (text,) = found(tmp_path, "      timeout: 1m\n      steps: []\n")
    assert text.startswith("warning: template 't': timeout has no effect on a steps template")


def test_good_values_and_placeholders_pass(tmp_path: Path) -> None:
    body = (
        "      timeout: 500ms\n      activeDeadlineSeconds: '{{inputs.parameters.s}}'\n"
        "      retryStrategy: {limit: '2', backoff: {duration: '10', factor: 2, maxDuration: 5m}}\n"
    )
    assert found(tmp_path, body) == []
