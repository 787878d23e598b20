"""Saving and loading run records: atomic files that read back equal, oldest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from lab.runs import load_runs, run_from_dict, run_to_dict, save_run
from lab.runs.records import NodeRecord, Outputs, WorkflowRun


def record(name: str, started: datetime) -> WorkflowRun:
    node = NodeRecord("call", "inner", "Succeeded", type="Retry", attempts=2,
                      outputs=Outputs("r", {"p": "v"}), path=f"{name}[0].call")  # fmt: skip
    omitted = NodeRecord(
        "f", "say", "Omitted", "omitted: depends condition not met", type="Skipped"
    )
    return WorkflowRun(name, "t", {"a": "1"}, "Succeeded", nodes=[node, omitted], started=started,
                       replaced_defaults={"u": (None, "x")}, workdir=Path("/tmp/w"))  # fmt: skip


def test_a_run_reads_back_equal(tmp_path: Path) -> None:
    run = record("w-1", datetime(2026, 1, 1, tzinfo=UTC))
    assert run_from_dict(run_to_dict(run)) == run
    path = save_run(run, tmp_path)
    assert path.name == "w-1.json"
    assert [p.name for p in tmp_path.iterdir()] == ["w-1.json"]  # no temporary file left
    assert load_runs(tmp_path) == [run]


def test_runs_load_oldest_first(tmp_path: Path) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i, name in enumerate(["late", "early"]):
        save_run(record(name, start - timedelta(days=i)), tmp_path)
    assert [r.name for r in load_runs(tmp_path)] == ["early", "late"]
