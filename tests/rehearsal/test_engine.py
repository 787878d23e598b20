"""End-to-end rehearsals of the example templates: real processes, real files, real outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.rehearsal import (
    HandlerResult,
    ParameterError,
    StepContext,
    StepRefused,
    UnresolvedVariable,
    rehearse,
)
from lab.runs.records import Event
from tests.rehearsal.helpers import SH, minimal, write_templates


def test_script_outputs_feed_later_steps_and_when_skips(run_example) -> None:
    events: list[Event] = []
    run = run_example("rh-pipeline", {"name": "gg"}, on_event=events.append)
    assert run.phase == "Succeeded", run.message
    assert run.node("produce").outputs.result == "value-gg"  # jq ran on the apk-checked PATH
    assert run.node("consume").outputs.result == "VALUE-GG"  # python step read it
    skipped = run.node("shout")
    assert skipped.phase == "Skipped"
    assert "'no' == yes" in skipped.message
    assert run.node("loop(1:b)").outputs.result == "item b after VALUE-GG"
    assert run.node("pairs(0:key:x,n:1)").outputs.result == "x=1"
    assert run.node("consume").group == run.node("shout").group == 1
    assert "apk add curl jq satisfied" in run.node("produce").log_path.read_text()
    kinds = [e.kind for e in events]
    assert kinds[0] == "workflow-started" and kinds[-1] == "workflow-finished"
    assert events[-1].phase == "Succeeded"
    finished = {e.node: e.phase for e in events if e.kind == "node-finished"}
    assert finished["shout"] == "Skipped" and finished["consume"] == "Succeeded"


def test_when_true_runs_the_step(run_example) -> None:
    run = run_example("rh-pipeline", {"name": "gg", "shout": "yes"})
    assert run.node("shout").outputs.result == "LOUD"


def test_dag_dependencies_depends_and_omitted_tasks(run_example) -> None:
    run = run_example("rh-dag", {})
    assert run.phase == "Succeeded", run.message
    assert run.node("d").outputs.result == "alpha-beta+gamma"
    assert run.node("e").phase == "Skipped"
    omitted = run.node("f")
    assert omitted.phase == "Omitted"  # Argo: a task whose depends logic fails is omitted
    assert "e.Succeeded" in omitted.message
    assert [n.name for n in run.nodes if n.type == "Pod"] == ["a", "b", "c", "d"]


def test_workspace_is_shared_through_relative_paths(run_example) -> None:
    run = run_example("rh-workspace", {})
    assert run.phase == "Succeeded", run.message
    read = run.node("read")
    assert read.outputs.parameters == {"version": "1.0.7", "tag": "1.0.7", "absent": "fallback"}
    assert (run.workdir / "volumes" / "workspace" / "src" / "model" / "version.txt").is_file()
    # an emptyDir belongs to one pod, as in Kubernetes: the second step sees a fresh one
    assert run.node("scratch-read").outputs.result == "scratch is fresh"


def test_env_values_and_secrets(run_example) -> None:
    run = run_example("rh-env", {"greeting": "hey"}, secrets={("trigger", "token"): "s3cret"})
    result = run.node(run.name).outputs.result
    assert result.startswith("hey token=s3cret password=unset home=")
    assert str(run.workdir) in result  # HOME is a folder of the run, not the user's


def test_required_secret_missing_is_refused_up_front(tmp_path: Path) -> None:
    env = [{"name": "T", "valueFrom": {"secretKeyRef": {"name": "trigger", "key": "token"}}}]
    folder = write_templates(tmp_path / "t", minimal(script={**SH, "env": env, "source": "true"}))
    with pytest.raises(StepRefused, match=r"secret 'trigger' key 'token' is not provided"):
        rehearse(folder, "probe", {}, workdir=tmp_path / "runs")
    assert not (tmp_path / "runs").exists()


def test_retry_reruns_a_failed_step_with_a_capped_backoff(run_example) -> None:
    run = run_example("rh-retry", {})
    flaky = run.node("flaky")
    assert (flaky.phase, flaky.attempts, flaky.outputs.result) == ("Succeeded", 2, "ok after 2")
    log = flaky.log_path.read_text()
    assert "attempt 1 (retries=0)" in log and "attempt 2 (retries=1)" in log
    assert "backoff 30 s on a cluster, capped at 0.25 s here" in log


def test_resource_step_rehearses_the_child_with_overrides(run_example) -> None:
    overrides = {"rh-child": {"service-uri": "http://127.0.0.1:9"}}
    run = run_example("rh-parent", {}, parameter_overrides=overrides)
    assert run.phase == "Succeeded", run.message
    (child,) = run.children
    spawn = run.node("spawn")
    assert spawn.type == "Resource" and spawn.child == child.name
    assert spawn.outputs.parameters == {"child-name": child.name}
    assert child.name.startswith("rh-child-") and len(child.name) == len("rh-child-") + 5
    assert child.parameters == {"version": "7", "service-uri": "http://127.0.0.1:9"}
    assert child.replaced_defaults == {
        "service-uri": ("http://service.cluster.example:8000", "http://127.0.0.1:9")
    }
    assert child.node(child.name).outputs.result == "version 7 via http://127.0.0.1:9"
    assert any("runs on its own" in note for note in run.notes)


def test_override_of_an_undeclared_parameter_is_refused(run_example) -> None:
    with pytest.raises(ParameterError, match=r"parameter_overrides\['rh-child'\].*'mlflow-uri'"):
        run_example("rh-parent", {}, parameter_overrides={"rh-child": {"mlflow-uri": "x"}})


def test_image_handler_runs_instead_of_the_builder(run_example) -> None:
    seen: list[StepContext] = []

    def handler(ctx: StepContext) -> HandlerResult:
        seen.append(ctx)
        assert (ctx.workdir / "Dockerfile").is_file()  # written by the step before
        (ctx.workdir / "digest.txt").write_text("sha256:none\n")
        ctx.log("no image built: the rehearsal only checked the build context")
        return HandlerResult(message="build context checked; no image built here")

    run = run_example("rh-build", {}, image_handlers={"moby/buildkit": handler})
    node = run.node("build-image")
    assert (node.phase, node.handled_by) == ("Succeeded", "moby/buildkit")
    assert node.message == "build context checked; no image built here"
    assert node.outputs.parameters == {"digest": "sha256:none"}
    assert "app:staging-1.0.3,push=true" in " ".join(seen[0].template["container"]["args"])
    assert seen[0].inputs == {"tag": "staging-1.0.3"}
    assert "no image built" in node.log_path.read_text()


def test_builder_without_handler_is_refused_before_anything_runs(run_example, tmp_path) -> None:
    with pytest.raises(StepRefused) as caught:
        run_example("rh-build", {})
    assert "step 'build-image' runs image moby/buildkit:v0.13.2-rootless: no local equivalent" in (
        str(caught.value)
    )
    assert not (tmp_path / "runs").exists()


def test_failed_step_fails_the_run_after_its_group(run_example) -> None:
    run = run_example("rh-fail", {})
    assert run.phase == "Failed"
    assert run.message == "step 'bad' failed: Error (exit code 3)"
    assert run.node("sibling").phase == "Succeeded"  # a parallel sibling still runs
    assert "never" not in [n.name for n in run.nodes]
    assert "exiting with 3" in run.node("bad").log_path.read_text()


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({}, "needs a value for 'name'"),
        ({"name": "x", "colour": "red"}, "has no parameter 'colour'"),
    ],
)
def test_parameter_errors(run_example, params: dict[str, str], fragment: str) -> None:
    with pytest.raises(ParameterError, match=fragment):
        run_example("rh-pipeline", params)


def test_unresolved_variable_at_run_time_is_an_error_with_the_partial_run(tmp_path) -> None:
    doc = minimal(
        steps=[
            [{"name": "maybe", "template": "say", "when": "a == b"}],
            [
                {
                    "name": "use",
                    "template": "say",
                    "arguments": {
                        "parameters": [{"name": "w", "value": "{{steps.maybe.outputs.result}}"}]
                    },
                }
            ],
        ]
    )
    say = {"name": "say", "inputs": {"parameters": [{"name": "w", "value": "-"}]}}
    doc["spec"]["templates"].append({**say, "script": {**SH, "source": "echo x"}})
    folder = write_templates(tmp_path / "t", doc)
    with pytest.raises(UnresolvedVariable, match=r"step 'maybe' skipped") as caught:
        rehearse(folder, "probe", {}, workdir=tmp_path / "runs")
    run = caught.value.run
    assert run is not None and run.phase == "Error"
    assert run.node("maybe").phase == "Skipped"


def test_run_names_are_reproducible_with_a_seed(tmp_path: Path) -> None:
    names = [
        rehearse(
            Path(__file__).parent / "data", "rh-dag", {}, workdir=tmp_path / str(i), seed=3
        ).name
        for i in range(2)
    ]
    assert names[0] == names[1] and names[0].startswith("rh-dag-")


def _two_steps(first: dict, second: dict, **spec) -> dict:
    doc = minimal(steps=[[{"name": "one", "template": "one"}], [second]])
    doc["spec"]["templates"].append({"name": "one", **first})
    doc["spec"].update(spec)
    return doc


def test_on_exit_sees_the_workflow_status(tmp_path: Path) -> None:
    doc = _two_steps(
        {"script": {**SH, "source": "exit 1"}}, {"name": "two", "template": "one"}, onExit="bye"
    )
    doc["spec"]["templates"].append(
        {"name": "bye", "script": {**SH, "source": "echo status={{workflow.status}}"}}
    )
    run = rehearse(write_templates(tmp_path / "t", doc), "probe", {}, workdir=tmp_path / "r")
    assert run.phase == "Failed"
    assert run.node("onExit").outputs.result == "status=Failed"


def test_deadline_stops_the_step_and_what_it_started(tmp_path: Path) -> None:
    source = "sleep 60 & echo $! > pid.txt\nwait"
    doc = minimal(activeDeadlineSeconds=1, script={**SH, "source": source})
    run = rehearse(write_templates(tmp_path / "t", doc), "probe", {}, workdir=tmp_path / "r")
    node = run.node(run.name)
    assert node.phase == "Failed" and "deadline of 1 s" in node.message
    pid = int(next((tmp_path / "r").rglob("pid.txt")).read_text())
    assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text()


def test_with_param_loops_over_a_json_list_and_errors_on_other_text(tmp_path: Path) -> None:
    loop = {
        "name": "two",
        "template": "echo",
        "withParam": "{{steps.one.outputs.result}}",
        "arguments": {"parameters": [{"name": "x", "value": "{{item}}"}]},
    }
    echo = {"name": "echo", "inputs": {"parameters": [{"name": "x"}]}}
    cases = [('["p", "q"]', ["two(0:p)", "two(1:q)"]), ("not json", None)]
    for i, (output, expected) in enumerate(cases):
        doc = _two_steps({"script": {**SH, "source": f"echo '{output}'"}}, loop)
        doc["spec"]["templates"].append(
            {**echo, "script": {**SH, "source": "echo {{inputs.parameters.x}}"}}
        )
        folder = write_templates(tmp_path / f"t{i}", doc)
        if expected is None:  # as in Argo: the step's node errors, the steps template fails
            run = rehearse(folder, "probe", {}, workdir=tmp_path / "r")
            assert run.phase == "Failed"
            assert run.node("two").phase == "Error"
            assert "could not be parsed as a JSON list" in run.node("two").message
        else:
            run = rehearse(folder, "probe", {}, workdir=tmp_path / "r")
            assert [n.name for n in run.nodes if n.name.startswith("two")] == expected


def test_container_command_missing_here_is_refused_naming_the_image(tmp_path: Path) -> None:
    doc = minimal(container={"image": "bitnami/tool:1.0", "command": ["rehearsal-no-such-cmd"]})
    with pytest.raises(StepRefused, match=r"runs image bitnami/tool:1\.0: command"):
        rehearse(write_templates(tmp_path / "t", doc), "probe", {}, workdir=tmp_path / "r")


def test_steps_template_outputs_from_a_step(tmp_path: Path) -> None:
    doc = _two_steps({"script": {**SH, "source": "echo 42"}}, {"name": "two", "template": "one"})
    doc["spec"]["templates"][0]["outputs"] = {
        "parameters": [
            {"name": "answer", "valueFrom": {"parameter": "{{steps.one.outputs.result}}"}}
        ]
    }
    run = rehearse(write_templates(tmp_path / "t", doc), "probe", {}, workdir=tmp_path / "r")
    assert run.node(run.name).outputs.parameters == {"answer": "42"}


def test_failed_handler_fails_the_run(run_example) -> None:
    def handler(ctx: StepContext) -> HandlerResult:
        return HandlerResult(phase="Failed", message="no builder on this machine")

    run = run_example("rh-build", {}, image_handlers={"moby/buildkit": handler})
    assert run.phase == "Failed"
    assert run.message == "step 'build-image' failed: no builder on this machine"


def test_child_parameters_are_checked_before_anything_runs(tmp_path: Path) -> None:
    parent = (Path(__file__).parent / "data" / "rh-parent.yaml").read_text()
    folder = tmp_path / "t"
    folder.mkdir()
    wrong = parent.replace('value: "{{inputs.parameters.version}}"', "value: x").replace(
        "- name: version\n                  value: x", "- name: versoin\n                  value: x"
    )
    assert "versoin" in wrong
    (folder / "p.yaml").write_text(wrong)
    with pytest.raises(ParameterError, match="has no parameter 'versoin'"):
        rehearse(folder, "rh-parent", {}, workdir=tmp_path / "r")
    assert not (tmp_path / "r").exists()
