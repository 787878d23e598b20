"""Steps templates as Argo v3.6.5 runs them: a group's loops first, then its steps."""

from __future__ import annotations

from pathlib import Path

from lab.rehearsal import rehearse
from tests.rehearsal.helpers import SH, minimal, write_templates


def run_steps(tmp_path: Path, groups: list) -> object:
    doc = minimal(steps=groups)
    doc["spec"]["templates"].append({"name": "ok", "script": {**SH, "source": "echo ok"}})
    return rehearse(write_templates(tmp_path / "t", doc), "probe", {}, workdir=tmp_path / "r")


def test_a_bad_with_param_errors_the_group_before_any_of_its_steps_runs(tmp_path: Path) -> None:
    run = run_steps(
        tmp_path,
        [[{"name": "first", "template": "ok"}, {"name": "loop", "template": "ok",
                                                "withParam": "{not a list"}]],
    )  # fmt: skip
    assert run.phase == "Failed"
    assert run.node("loop").phase == "Error"
    assert "first" not in {n.name for n in run.nodes}


def test_an_invalid_when_ends_the_group_at_its_step(tmp_path: Path) -> None:
    run = run_steps(
        tmp_path,
        [[{"name": "bad", "template": "ok", "when": "'a' =~ '('"},
          {"name": "after", "template": "ok"}]],
    )  # fmt: skip
    assert (run.node("bad").phase, run.phase) == ("Error", "Failed")
    assert "after" not in {n.name for n in run.nodes}
    assert run.node(run.name).message.startswith("invalid 'when' expression")


def test_continue_on_does_not_save_a_group_whose_when_is_invalid(tmp_path: Path) -> None:
    run = run_steps(
        tmp_path,
        [[{"name": "bad", "template": "ok", "when": "1 && true", "continueOn": {"error": True}}],
         [{"name": "next", "template": "ok"}]],
    )  # fmt: skip
    assert (run.node("bad").phase, run.phase) == ("Error", "Failed")  # the group itself errs
    assert "next" not in {n.name for n in run.nodes}


def test_continue_on_error_lets_the_next_group_run_after_an_errored_step(tmp_path: Path) -> None:
    doc = minimal(
        steps=[[{"name": "bad", "template": "no-output", "continueOn": {"error": True}}],
               [{"name": "next", "template": "ok"}]]
    )  # fmt: skip
    mount = {"volumeMounts": [{"name": "v", "mountPath": "/v"}], "workingDir": "/v"}
    doc["spec"]["templates"] += [
        {"name": "ok", "script": {**SH, "source": "echo ok"}},
        {
            "name": "no-output",
            "volumes": [{"name": "v", "emptyDir": {}}],
            "outputs": {"parameters": [{"name": "p", "valueFrom": {"path": "missing.txt"}}]},
            "script": {**SH, **mount, "source": "true"},
        },
    ]
    run = rehearse(write_templates(tmp_path / "t", doc), "probe", {}, workdir=tmp_path / "r")
    assert run.node("bad").phase == "Error"
    assert (run.node("next").phase, run.phase) == ("Succeeded", "Succeeded")
