"""Workflow pictures: drawn from the YAML, deterministic, and showing what the workflow does."""

from __future__ import annotations

import itertools
import shutil
import subprocess
from pathlib import Path

import pytest

from lab.argo.findings import ArgoFileError
from lab.workflows.cli import main
from lab.workflows.draw import workflow_dot, workflow_pictures

REPO = Path(__file__).resolve().parents[2]
VALID = Path(__file__).parent / "fixtures" / "valid"


def edge(source: str, target: str) -> str:
    """The start of a DOT edge line between two quoted nodes."""
    return f'"{source}" -> "{target}"'


def test_one_picture_per_workflow_template_under_images() -> None:
    pictures = workflow_pictures(REPO)
    assert list(pictures) == [
        REPO / "images" / "workflow-build-container-image.svg",
        REPO / "images" / "workflow-train-model.svg",
    ]
    assert all(path.is_absolute() for path in pictures)


def test_pictures_are_deterministic() -> None:
    assert workflow_pictures(REPO) == workflow_pictures(REPO)


def test_train_model_shows_the_condition_and_the_created_workflow() -> None:
    dot = workflow_dot(REPO / "workflows" / "train-model.yaml")
    first = "training-and-build/trigger-training-endpoint"
    second = "training-and-build/build-container"
    assert "runs call-endpoint" in dot and "runs trigger-build" in dot
    assert edge(first, second) in dot
    when_edge = next(
        line for line in dot.splitlines() if line.strip().startswith(edge(first, second))
    )
    assert "when '{{steps.trigger-training-endpoint.outputs.result}}' != ''" in when_edge
    link = next(
        line for line in dot.splitlines() if edge(second, "template:build-container-image") in line
    )
    assert "creates Workflow" in link and "model-version = " in link
    assert 'URL="workflow-build-container-image.svg"' in dot


def test_build_container_image_steps_run_in_order() -> None:
    dot = workflow_dot(REPO / "workflows" / "build-container-image.yaml")
    order = ["clone-app", "fetch-model", "build-image", "set-staging-alias"]
    for before, after in itertools.pairwise(order):
        assert edge(f"build-and-tag/{before}", f"build-and-tag/{after}") in dot
    assert "moby/buildkit:" in dot


def test_parallel_groups_side_by_side_and_dag_dependencies() -> None:
    loops = workflow_dot(VALID / "steps-loops.yaml")
    assert '{ rank=same; "main/list-fruit"; "main/wait"; }' in loops
    assert "for each of 2 items" in loops
    dag = workflow_dot(VALID / "dag-artifacts.yaml")
    assert edge("diamond/count", "diamond/join") + " [label=<Failed>]" in dag
    assert edge("diamond/generate", "diamond/shout") in dag
    assert "on exit: report" in dag


def test_graphviz_renders_every_picture() -> None:
    assert shutil.which("dot"), "install graphviz: apt-get install -y graphviz"
    for output, dot in workflow_pictures(REPO).items():
        done = subprocess.run(
            ["dot", "-Tsvg"], input=dot, capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, (output, done.stderr)
        name = output.stem.removeprefix("workflow-").replace("-", "&#45;")  # as SVG writes it
        assert "<svg" in done.stdout and f"WorkflowTemplate {name}" in done.stdout


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ArgoFileError, match=r"nope\.yaml: no such file"):
        workflow_dot(tmp_path / "nope.yaml")


def test_the_command_line_prints_the_dot(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dot", str(REPO / "workflows" / "train-model.yaml")]) == 0
    assert capsys.readouterr().out == workflow_dot(REPO / "workflows" / "train-model.yaml")
