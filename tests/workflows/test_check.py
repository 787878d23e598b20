"""The workflow checker: accepts valid Argo workflows, names the fault in broken ones."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lab.argo.documents import find_template, template_text
from lab.argo.findings import ArgoFileError
from lab.workflows.check import check_paths
from lab.workflows.cli import main

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / "workflows"
FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "valid"
BROKEN = sorted((FIXTURES / "broken").glob("*.yaml"))


def test_shellcheck_is_installed() -> None:
    """The checker needs it; without it every shell check below reports its absence."""
    assert shutil.which("shellcheck"), "install shellcheck: apt-get install -y shellcheck"


def header(path: Path, key: str) -> list[str]:
    """The values of ``# key: value`` header lines of a fixture."""
    prefix = f"# {key}: "
    return [
        line[len(prefix) :] for line in path.read_text().splitlines() if line.startswith(prefix)
    ]


def rendered(paths: list[Path], **options: bool) -> list[str]:
    """The checker's messages for ``paths``."""
    return [str(problem) for problem in check_paths(paths, **options)]


def test_the_project_workflows_pass() -> None:
    assert rendered([WORKFLOWS]) == []


def test_valid_examples_using_other_features_pass() -> None:
    assert rendered([VALID]) == []


@pytest.mark.parametrize("fixture", BROKEN, ids=[path.stem for path in BROKEN])
def test_broken_variant_is_reported_with_its_message(fixture: Path) -> None:
    expected = header(fixture, "expect")
    assert expected, f"{fixture.name} has no '# expect:' line"
    extra = [REPO / path for path in header(fixture, "with")]
    messages = rendered([fixture, *extra])
    for fragment in expected:
        assert any(fragment in message for message in messages), (fragment, messages)
    assert all(message.startswith(f"{fixture}: ") for message in messages), messages


# Mistakes made in the project's own workflows: (file, text, replacement, expected message).
MUTATIONS = [
    (
        "train-model.yaml",
        "  entrypoint: training-and-build",
        "  entrypont: training-and-build",
        "train-model.yaml: unknown field 'spec.entrypont'",
    ),
    (
        "train-model.yaml",
        "      script:\n        image: python",
        "      scrpt:\n        image: python",
        "train-model.yaml: template 'call-endpoint': unknown field 'scrpt'",
    ),
    (
        "train-model.yaml",
        "template: call-endpoint",
        "template: call-endpoints",
        "step 'trigger-training-endpoint': runs template 'call-endpoints', which does not exist",
    ),
    (
        "train-model.yaml",
        "{{workflow.parameters.endpoint-ip}}",
        "{{workflow.parameters.endpoint_ip}}",
        "spec.arguments declares no parameter 'endpoint_ip' (did you mean 'endpoint-ip'?)",
    ),
    (
        "train-model.yaml",
        'value: "{{inputs.parameters.model-version}}"',
        'value: "{{inputs.parameters.model_version}}"',
        "template 'trigger-build' has no input parameter 'model_version' "
        "(did you mean 'model-version'?)",
    ),
    (
        "train-model.yaml",
        "when: \"'{{steps.trigger-training-endpoint.outputs.result}}' != ''\"",
        "when: \"'{{steps.trigger-training.outputs.result}}' != ''\"",
        "step 'build-container': '{{steps.trigger-training.outputs.result}}' in when: "
        "template 'training-and-build' has no step 'trigger-training'",
    ),
    (
        "train-model.yaml",
        "workflowTemplateRef: {name: build-container-image}",
        "workflowTemplateRef: {name: build-container-img}",
        "template 'trigger-build': resource.manifest (Workflow 'build-container-image-'): "
        "workflowTemplateRef 'build-container-img': "
        "no WorkflowTemplate named 'build-container-img'",
    ),
    (
        "train-model.yaml",
        '- {name: model-version, value: "{{inputs',
        '- {name: model_version, value: "{{inputs',
        "passes parameter 'model_version', "
        "which WorkflowTemplate 'build-container-image' does not declare",
    ),
    (
        "build-container-image.yaml",
        'value: "{{workflow.parameters.mlflow-uri}}"',
        'value: "{{workflow.parameters.mlflow-url}}"',
        "spec.arguments declares no parameter 'mlflow-url' (did you mean 'mlflow-uri'?)",
    ),
    (
        "build-container-image.yaml",
        '          log "pushed $image"',
        "          log pushed $image",
        "template 'build-image': script.source: SC2086",
    ),
    (
        "build-container-image.yaml",
        "          def get(path, what):",
        "          def get(path, what)",
        "template 'fetch-model': script.source: Python does not compile",
    ),
    (
        "build-container-image.yaml",
        'parameter: "{{steps.build-image.outputs.result}}"',
        'parameter: "{{steps.build-images.outputs.result}}"',
        "template 'build-and-tag' has no step 'build-images' (did you mean 'build-image'?)",
    ),
]


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"), MUTATIONS, ids=[m[3][:60] for m in MUTATIONS]
)
def test_mistake_in_a_project_workflow_is_reported(
    tmp_path: Path, name: str, old: str, new: str, expected: str
) -> None:
    for path in WORKFLOWS.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    target = tmp_path / name
    text = target.read_text()
    assert old in text, f"the mutation no longer matches {name}: {old!r}"
    target.write_text(text.replace(old, new, 1))  # the first place it is written
    messages = rendered([tmp_path])
    assert any(expected in message for message in messages), messages


def test_every_problem_is_printed_and_the_exit_code_is_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = ["unknown-field-template.yaml", "shellcheck-unquoted.yaml", "dag-cycle.yaml"]
    for name in broken:
        shutil.copy(FIXTURES / "broken" / name, tmp_path / name)
    assert main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    for name in broken:
        assert header(FIXTURES / "broken" / name, "expect")[0] in out
        assert f"{tmp_path / name}: " in out


def test_module_command_line_passes_the_project_workflows() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "lab.workflows", "check", "workflows/"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == ""
    assert "no problems found" in done.stderr


def test_a_missing_path_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(tmp_path / "nope")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    with pytest.raises(ArgoFileError, match=r"no \*\.yaml"):
        check_paths([tmp_path])


def test_skip_shellcheck_still_checks_shell_syntax() -> None:
    unquoted = rendered([FIXTURES / "broken" / "shellcheck-unquoted.yaml"], shellcheck=False)
    assert unquoted == []
    syntax = rendered([FIXTURES / "broken" / "shell-syntax.yaml"], shellcheck=False)
    assert any("sh -n:" in message for message in syntax), syntax


def test_messages_carry_the_line_of_the_fault() -> None:
    fixture = FIXTURES / "broken" / "unknown-field-template.yaml"
    line = next(i for i, text in enumerate(fixture.read_text().splitlines(), 1) if "scrpt:" in text)
    messages = rendered([fixture], shellcheck=False)
    assert f"template 'say': unknown field 'scrpt' (line {line})" in " ".join(messages)


def test_template_text_quotes_a_template_as_written() -> None:
    text = template_text(WORKFLOWS / "train-model.yaml", "call-endpoint")
    assert text.startswith("- name: call-endpoint\n")
    assert "urlopen" in text and "trigger-build" not in text
    (parsed,) = yaml.safe_load(text)
    assert parsed == find_template(WORKFLOWS / "train-model.yaml", "call-endpoint")


BASE = """\
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: shapes
spec:
  entrypoint: main
  templates:
    - name: main
"""


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("      steps: not-a-list\n", "field 'steps': Input should be a valid list"),
        ("      dag:\n        tasks: [1]\n", "field 'dag.tasks[0]'"),
        (
            "      dag:\n        tasks:\n          - {name: a, template: main, dependencies: b}\n",
            "field 'dag.tasks[0].dependencies': Input should be a valid list",
        ),
        ("      steps: [[{name: [1], template: main}]]\n", "field 'steps[0][0].name'"),
        ("      inputs: {parameters: {name: a}}\n", "field 'inputs.parameters'"),
    ],
)
def test_wrong_shapes_are_reported_not_crashed_on(tmp_path: Path, body: str, expected: str) -> None:
    path = tmp_path / "shapes.yaml"
    path.write_text(BASE + body)
    messages = rendered([path], shellcheck=False)
    assert any(f"template 'main': {expected}" in message for message in messages), messages


def test_a_document_that_is_not_a_mapping_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- just\n- a list\n")
    assert rendered([path]) == [
        f"{path}: not a mapping: expected an Argo resource with kind and spec"
    ]
