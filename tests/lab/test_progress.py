"""The widget view of a workflow run: workflows, steps and phases as the events arrive."""

from __future__ import annotations

import itertools

import pytest

from lab import progress as progress_module
from lab.progress import Board, TextProgress, WidgetProgress, progress
from lab.runs.records import Event

# What the local rehearsal emits for a train-model run that registers a version: the
# child build runs while the parent's build-container step is running.
LOCAL_RUN = [
    Event("workflow-started", "train-model-ab", phase="Running", template="train-model"),
    Event("node-started", "train-model-ab", "trigger-training-endpoint", "Running"),
    Event("node-finished", "train-model-ab", "trigger-training-endpoint", "Succeeded"),
    Event("node-started", "train-model-ab", "build-container", "Running"),
    Event(
        "workflow-started",
        "build-container-image-cd",
        phase="Running",
        template="build-container-image",
    ),
    Event("node-started", "build-container-image-cd", "build-image", "Running"),
    Event("node-finished", "build-container-image-cd", "build-image", "Succeeded", "NOT built"),
    Event(
        "workflow-finished",
        "build-container-image-cd",
        phase="Succeeded",
        template="build-container-image",
    ),
    Event("node-finished", "train-model-ab", "build-container", "Succeeded"),
    Event("workflow-finished", "train-model-ab", phase="Succeeded", template="train-model"),
]


def _board(events: list[Event]) -> Board:
    board = Board(clock=itertools.count().__next__)
    for event in events:
        board.update(event)
    return board


def test_board_shows_each_workflow_its_steps_and_the_child_build() -> None:
    board = _board(LOCAL_RUN)
    assert board.phase == "Succeeded"
    parent, child = board.workflows.values()
    assert (parent.template, parent.created_by) == ("train-model", None)
    assert (child.template, child.created_by) == ("build-container-image", "train-model-ab")
    assert [(s.name, s.phase) for s in parent.steps.values()] == [
        ("trigger-training-endpoint", "Succeeded"),
        ("build-container", "Succeeded"),
    ]
    assert child.steps["build-image"].message == "NOT built"


@pytest.mark.parametrize("done", range(len(LOCAL_RUN)))
def test_board_is_running_until_the_last_workflow_ends(done: int) -> None:
    assert _board(LOCAL_RUN[:done]).phase == "Running"


def test_a_failed_child_fails_the_board() -> None:
    failed = [
        *LOCAL_RUN[:6],
        Event("node-finished", "build-container-image-cd", "build-image", "Failed", "exit 1"),
        Event("workflow-finished", "build-container-image-cd", phase="Failed"),
        Event("node-finished", "train-model-ab", "build-container", "Succeeded"),
        Event("workflow-finished", "train-model-ab", phase="Succeeded"),
    ]
    assert _board(failed).phase == "Failed"


def test_a_child_followed_after_its_parent_ended_is_created_by_the_first() -> None:
    # The chameleon target follows the Workflows a run created after the run ends.
    board = _board(
        [
            Event("workflow-started", "train-model-ab", phase="Running"),
            Event("node-finished", "train-model-ab", "build-container", "Succeeded"),
            Event("workflow-finished", "train-model-ab", phase="Succeeded"),
            Event("workflow-started", "build-container-image-cd", phase="Running"),
        ]
    )
    assert board.workflows["build-container-image-cd"].created_by == "train-model-ab"
    assert board.phase == "Running"


def test_html_marks_phases_and_escapes_messages() -> None:
    board = _board(
        [
            Event("workflow-started", "w-1", phase="Running", template="t"),
            Event("node-finished", "w-1", "s", "Failed", "<script>alert(1)</script>"),
        ]
    )
    page = board.html()
    assert '<div class="lab-progress" data-phase="Running">' in page
    assert '<tr data-step="s" data-phase="Failed">' in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "waiting for the workflow" in Board().html()


def test_widget_view_redraws_its_html_on_each_event(monkeypatch: pytest.MonkeyPatch) -> None:
    shown = []
    monkeypatch.setattr("IPython.display.display", shown.append)
    view = WidgetProgress()
    for event in LOCAL_RUN[:3]:
        view(event)
    assert shown and shown[0].value == view.board.html()
    assert 'data-step="trigger-training-endpoint" data-phase="Succeeded"' in shown[0].value


def test_widgets_fall_back_to_text_outside_a_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(progress("widgets"), TextProgress)
    monkeypatch.setattr(progress_module, "in_notebook", lambda: True)
    monkeypatch.setattr("IPython.display.display", lambda _: None)
    assert isinstance(progress("widgets"), WidgetProgress)
