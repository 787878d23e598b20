"""The browser test reads run summaries and registry tables as the lab prints them."""

from __future__ import annotations

from datetime import UTC, datetime

from lab.notebook import run_summary
from lab.registry import VersionRow, versions_table
from lab.runs.records import NodeRecord, Outputs, WorkflowRun
from tests.browser.reading import TableRow, registry_tables, summaries

T0 = datetime(2026, 11, 30, tzinfo=UTC)


def _run(version: str) -> WorkflowRun:
    build = WorkflowRun(
        name="build-container-image-cd",
        template="build-container-image",
        parameters={"model-version": version},
        phase="Succeeded",
        nodes=[
            NodeRecord("build-and-tag", "build-and-tag", "Succeeded", type="Steps"),
            NodeRecord("build-image", "build-image", "Succeeded", outputs=Outputs("r/app:1")),
        ],
    )
    return WorkflowRun(
        name="train-model-ab",
        template="train-model",
        parameters={},
        phase="Succeeded",
        nodes=[
            NodeRecord(
                "trigger-training-endpoint", "call-endpoint", "Succeeded", outputs=Outputs(version)
            ),
            NodeRecord("build-container", "trigger-build", "Skipped", "when: '' != '' is false"),
        ],
        children=[build],
    )


def test_summaries_read_back_what_run_summary_prints() -> None:
    text = "$ argo submit …\n" + run_summary(_run("7")) + "\nnew model version: 7\n"
    (parent,) = summaries(text)
    assert (parent.name, parent.template, parent.phase) == (
        "train-model-ab",
        "train-model",
        "Succeeded",
    )
    assert parent.steps == {
        "trigger-training-endpoint": ("Succeeded", "7"),
        "build-container": ("Skipped", ""),
    }
    (child,) = parent.children
    assert child.steps == {"build-image": ("Succeeded", "r/app:1")}
    assert [w.name for w in parent.walk()] == ["train-model-ab", "build-container-image-cd"]


def test_two_summaries_in_one_output_stay_apart() -> None:
    found = summaries(run_summary(_run("1")) + "\n" + run_summary(_run("2")))
    assert [w.steps["trigger-training-endpoint"][1] for w in found] == ["1", "2"]
    assert all(len(w.children) == 1 for w in found)


def test_registry_tables_read_back_what_versions_table_prints() -> None:
    rows = [
        VersionRow(2, ("development", "staging"), 0.9, "run2", T0),
        VersionRow(1, (), None, "run1", T0),
    ]
    text = "model version: 2\n" + versions_table(rows) + "\nafter\n" + versions_table(rows[1:])
    assert registry_tables(text) == [
        [TableRow(2, ("development", "staging")), TableRow(1, ())],
        [TableRow(1, ())],
    ]
