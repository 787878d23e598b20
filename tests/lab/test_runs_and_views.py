"""Run records survive a save and load; notebook helpers read them as a student would."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from lab.notebook import build_ran, new_version, run_summary
from lab.progress import TextProgress, format_event, progress
from lab.registry import VersionRow, versions_table
from lab.runs import load_runs, save_run
from lab.runs.records import Event, NodeRecord, Outputs, WorkflowRun

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _train_run(version: str | None) -> WorkflowRun:
    build = WorkflowRun(
        name="build-container-image-abcde",
        template="build-container-image",
        parameters={"model-version": version or ""},
        phase="Succeeded",
        nodes=[
            NodeRecord(
                "build-image",
                "build-image",
                "Succeeded",
                "image r/gourmetgram-app:staging-1.0.3 NOT built",
                Outputs(result="r/gourmetgram-app:staging-1.0.3"),
                started=T0,
                finished=T0,
            )
        ],
        started=T0,
        replaced_defaults={"mlflow-uri": ("http://mlflow:8000", "http://127.0.0.1:8000")},
        parent="train-model-xyz[1].build-container",
    )
    return WorkflowRun(
        name="train-model-xyz",
        template="train-model",
        parameters={"endpoint-ip": "127.0.0.1"},
        phase="Succeeded",
        nodes=[
            NodeRecord(
                "trigger-training-endpoint",
                "call-endpoint",
                "Succeeded",
                outputs=Outputs(result=version or ""),
                log_path=Path("/tmp/x.log"),
            ),
            NodeRecord(
                "build-container",
                "trigger-build",
                "Succeeded" if version else "Skipped",
                type="Resource",
            ),
        ],
        children=[build] if version else [],
        started=T0,
        finished=T0,
    )


def test_a_saved_run_loads_back_equal(tmp_path: Path) -> None:
    run = _train_run("3")
    for each in run.walk():
        save_run(each, tmp_path)
    loaded = {r.name: r for r in load_runs(tmp_path)}
    assert loaded["train-model-xyz"] == run
    assert loaded["build-container-image-abcde"] == run.children[0]
    assert not list(tmp_path.glob(".*.tmp"))


def test_version_and_build_read_from_the_trigger_step() -> None:
    assert (new_version(_train_run("3")), build_ran(_train_run("3"))) == (3, True)
    assert (new_version(_train_run(None)), build_ran(_train_run(None))) == (None, False)


def test_summary_shows_steps_results_and_children() -> None:
    text = run_summary(_train_run("3"))
    assert "train-model-xyz (train-model): Succeeded" in text
    assert "trigger-training-endpoint    Succeeded  -> 3" in text
    assert "  build-container-image-abcde (build-container-image): Succeeded" in text
    assert "-> r/gourmetgram-app:staging-1.0.3" in text


def test_versions_table_lists_aliases_and_accuracy() -> None:
    rows = [
        VersionRow(2, ("development", "staging"), 0.91234, "run2", T0),
        VersionRow(1, (), None, "run1", T0),
    ]
    lines = versions_table(rows).splitlines()
    assert lines[1].split() == ["2", "development,", "staging", "0.912", "run2"]
    assert lines[2].split() == ["1", "-", "-", "run1"]


def test_text_progress_prints_one_line_per_event(capsys: pytest.CaptureFixture[str]) -> None:
    show = progress("text")
    assert isinstance(show, TextProgress)
    show(
        Event(
            "node-finished",
            "train-model-xyz",
            "build-container",
            "Skipped",
            "when: '' != '' is false",
        )
    )
    out = capsys.readouterr().out
    assert out.endswith("train-model-xyz / build-container: Skipped (when: '' != '' is false)\n")
    assert format_event(Event("workflow-started", "w")).endswith("] w: workflow-started")


def test_unknown_progress_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="widgets, text"):
        progress("fancy")
