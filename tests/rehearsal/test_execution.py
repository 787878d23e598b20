"""How a workflow runs and ends, as Argo v3.6.5 runs it: retries of any template, backoff
and maxDuration, timeouts, Error phases, onExit, loop items, and the image's own tools."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lab.rehearsal import HandlerResult, StepContext, UnresolvedVariable, rehearse
from tests.rehearsal.helpers import SH, minimal, write_templates

STATE = {"volumeMounts": [{"name": "state", "mountPath": "/state"}], "workingDir": "/state"}
CLAIM = {"metadata": {"name": "state"}, "spec": {"accessModes": ["ReadWriteOnce"]}}
# Fails on its first run in a workflow, succeeds after (a counter in a shared volume).
FLAKY = 'n=$(cat count 2>/dev/null || echo 0); echo $((n + 1)) > count; [ "$n" -ge 1 ]'


def workflow(main: dict[str, Any], *templates: dict[str, Any], **spec: Any) -> dict[str, Any]:
    doc = minimal(**main)
    doc["spec"]["templates"] += list(templates)
    doc["spec"].update(spec)
    return doc


def run_doc(tmp_path: Path, doc: dict[str, Any], **options: Any):
    folder = write_templates(tmp_path / "t", doc)
    return rehearse(folder, "probe", {}, workdir=tmp_path / "r", **options)


def script(name: str, source: str, **template: Any) -> dict[str, Any]:
    return {"name": name, "script": {**SH, **STATE, "source": source}, **template}


def test_a_retried_steps_template_runs_again_as_a_whole(tmp_path: Path) -> None:
    inner = {
        "name": "inner",
        "retryStrategy": {"limit": 1},
        "steps": [[{"name": "before", "template": "ok"}], [{"name": "flaky", "template": "flaky"}]],
    }
    doc = workflow(
        {"steps": [[{"name": "call", "template": "inner"}]]},
        inner,
        script("ok", "echo ok"),
        script("flaky", FLAKY),
        volumeClaimTemplates=[CLAIM],
    )
    run = run_doc(tmp_path, doc)
    assert run.phase == "Succeeded", run.message
    retry = run.node("call")
    assert (retry.type, retry.phase, retry.attempts) == ("Retry", "Succeeded", 2)
    attempts = [n for n in run.nodes if n.name.startswith("call(")]
    assert [(n.name, n.type, n.phase) for n in attempts] == [
        ("call(0)", "Steps", "Failed"),
        ("call(1)", "Steps", "Succeeded"),
    ]
    assert [n.phase for n in run.nodes if n.name == "before"] == ["Succeeded", "Succeeded"]


def test_a_retried_dag_template_runs_again_as_a_whole(tmp_path: Path) -> None:
    inner = {
        "name": "inner",
        "retryStrategy": {"limit": 2, "retryPolicy": "Always"},
        "dag": {"tasks": [{"name": "flaky", "template": "flaky"}]},
    }
    doc = workflow(
        {"steps": [[{"name": "call", "template": "inner"}]]},
        inner,
        script("flaky", FLAKY),
        volumeClaimTemplates=[CLAIM],
    )
    run = run_doc(tmp_path, doc)
    assert run.phase == "Succeeded", run.message
    assert (run.node("call").type, run.node("call").attempts) == ("Retry", 2)
    assert [n.phase for n in run.nodes if n.name == "flaky"] == ["Failed", "Succeeded"]


def _handled_twice(first: HandlerResult):
    calls: list[StepContext] = []

    def handler(ctx: StepContext) -> HandlerResult:
        calls.append(ctx)
        return first if len(calls) == 1 else HandlerResult(result="built")

    return handler, calls


@pytest.mark.parametrize(
    ("message", "attempts", "phase"),
    [("dial tcp 10.0.0.9:5000: connect: connection refused", 2, "Succeeded"),
     ("the Dockerfile has a typo", 1, "Failed")],
)  # fmt: skip
def test_on_transient_error_retries_only_transient_failures(
    tmp_path: Path, message: str, attempts: int, phase: str
) -> None:
    build = {
        "name": "main",
        "retryStrategy": {"limit": 3, "retryPolicy": "OnTransientError"},
        "container": {"image": "moby/buildkit:v0.23.1", "command": ["buildctl"]},
    }
    handler, calls = _handled_twice(HandlerResult("Failed", message))
    doc = minimal(**{k: v for k, v in build.items() if k != "name"})
    run = run_doc(tmp_path, doc, image_handlers={"moby/buildkit": handler})
    node = run.node(run.name)
    assert (node.phase, node.attempts, len(calls)) == (phase, attempts, attempts)


def test_max_duration_and_millisecond_backoffs(tmp_path: Path) -> None:
    retry = {"limit": 10, "backoff": {"duration": "500ms", "factor": 2, "maxDuration": "1s"}}
    doc = minimal(retryStrategy=retry, script={**SH, "source": "exit 1"})
    run = run_doc(tmp_path, doc)
    node = run.node(run.name)
    assert (node.phase, node.attempts) == ("Failed", 2)
    assert node.message == "Backoff would exceed max duration limit"


def test_timeout_is_a_go_duration_and_times_out_each_attempt(tmp_path: Path) -> None:
    # v3.6.5 sets a pod's deadline from its own start: each attempt gets the whole timeout.
    slow_first = (
        'n=$(cat count 2>/dev/null || echo 0); echo $((n + 1)) > count; [ "$n" -ge 1 ] || sleep 5'
    )
    doc = workflow(
        {"steps": [[{"name": "slow", "template": "slow"}]]},
        script("slow", slow_first, timeout="700ms", retryStrategy={"limit": 1}),
        volumeClaimTemplates=[CLAIM],
    )
    run = run_doc(tmp_path, doc)
    node = run.node("slow")
    assert (node.phase, node.attempts) == ("Succeeded", 2), node.message
    assert "exceeded its deadline" in node.log_path.read_text()


def test_an_errored_leaf_is_an_errored_workflow_and_on_exit_sees_it(tmp_path: Path) -> None:
    outputs = {"parameters": [{"name": "v", "valueFrom": {"path": "/state/missing.txt"}}]}
    doc = workflow(
        {"script": {**SH, **STATE, "source": "true"}, "outputs": outputs},
        {"name": "bye", "script": {**SH, "source": "echo status={{workflow.status}}"}},
        onExit="bye",
        volumeClaimTemplates=[CLAIM],
    )
    run = run_doc(tmp_path, doc)
    assert run.phase == "Error"  # not Failed: Argo keeps the entry node's Error
    assert "failed to save outputs" in run.message
    assert run.node("onExit").outputs.result == "status=Error"


def test_an_errored_step_fails_its_steps_template(tmp_path: Path) -> None:
    step = {"name": "one", "template": "ok", "when": "1 && true"}  # not a boolean: Argo errors
    doc = workflow(
        {"steps": [[step]]},
        script("ok", "echo ok"),
        {"name": "bye", "script": {**SH, "source": "echo status={{workflow.status}}"}},
        onExit="bye",
        volumeClaimTemplates=[CLAIM],
    )
    run = run_doc(tmp_path, doc)
    assert (run.node("one").phase, run.phase) == ("Error", "Failed")
    assert "not a boolean" in run.node("one").message
    assert run.node("onExit").outputs.result == "status=Failed"


def test_an_errored_task_errors_its_dag(tmp_path: Path) -> None:
    doc = workflow(
        {"dag": {"tasks": [{"name": "t", "template": "ok", "withParam": "not json"}]}},
        script("ok", "echo ok"),
        volumeClaimTemplates=[CLAIM],
    )
    run = run_doc(tmp_path, doc)
    assert (run.node("t").phase, run.phase) == ("Error", "Error")


def test_a_failed_exit_handler_fails_a_successful_workflow(tmp_path: Path) -> None:
    doc = workflow(
        {"script": {**SH, "source": "true"}},
        {"name": "bye", "script": {**SH, "source": "exit 2"}},
        onExit="bye",
    )
    run = run_doc(tmp_path, doc)
    assert run.phase == "Failed" and run.message == "step 'onExit' failed: Error (exit code 2)"


def test_when_the_rehearsal_stops_the_exit_handler_not_running_is_said(tmp_path: Path) -> None:
    uses = {"parameters": [{"name": "w", "value": "{{steps.maybe.outputs.result}}"}]}
    doc = workflow(
        {"steps": [[{"name": "maybe", "template": "ok", "when": "a == b"}],
                   [{"name": "use", "template": "ok", "arguments": uses}]]},
        {**script("ok", "echo x"), "inputs": {"parameters": [{"name": "w", "value": "-"}]}},
        {"name": "bye", "script": {**SH, "source": "echo bye"}},
        onExit="bye",
        volumeClaimTemplates=[CLAIM],
    )  # fmt: skip
    with pytest.raises(UnresolvedVariable) as caught:
        run_doc(tmp_path, doc)
    run = caught.value.run
    assert run.phase == "Error"
    assert any("onExit handler 'bye' did not run" in note for note in run.notes)


def test_map_items_are_json_with_sorted_keys(tmp_path: Path) -> None:
    loop = {
        "name": "each",
        "template": "echo",
        "withItems": [{"zeta": 1, "alpha": "a"}],
        "arguments": {"parameters": [{"name": "x", "value": "{{item}}"}]},
    }
    echo = {"name": "echo", "inputs": {"parameters": [{"name": "x"}]}}
    doc = workflow(
        {"steps": [[loop]]},
        {**echo, "script": {**SH, "source": "echo '{{inputs.parameters.x}}'"}},
    )
    run = run_doc(tmp_path, doc)
    node = run.node("each(0:alpha:a,zeta:1)")
    assert node.outputs.result == '{"alpha":"a","zeta":1}'


def test_a_command_the_image_does_not_declare_fails_as_on_the_cluster(tmp_path: Path) -> None:
    doc = minimal(script={**SH, "source": "echo '{}' | jq ."})  # alpine has no jq
    run = run_doc(tmp_path, doc)
    node = run.node(run.name)
    assert (node.phase, node.message) == ("Failed", "Error (exit code 127)")
    assert "jq: not found" in node.log_path.read_text()
