"""The schema check: every valid v3.6.5 document passes; each fault is named with its place."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lab.argo.documents import load_file
from lab.argo.schema import check_schema

VALID = {
    "cron-schedule": """
        apiVersion: argoproj.io/v1alpha1
        kind: CronWorkflow
        metadata: {name: nightly}
        spec:
          schedule: "0 3 * * *"
          startingDeadlineSeconds: 60
          workflowSpec:
            entrypoint: main
            templates:
              - name: main
                container: {image: alpine:3.21.3, command: [date]}
    """,
    "cron-schedules": """
        apiVersion: argoproj.io/v1alpha1
        kind: CronWorkflow
        metadata: {name: twice}
        spec:
          schedules: ["0 3 * * *", "0 15 * * *"]
          timezone: Europe/Berlin
          stopStrategy: {expression: "cronworkflow.failed >= 3"}
          workflowSpec:
            workflowTemplateRef: {name: other}
    """,
    "dag-artifacts-loops-exit": """
        apiVersion: argoproj.io/v1alpha1
        kind: WorkflowTemplate
        metadata: {name: features}
        spec:
          entrypoint: graph
          onExit: bye
          retryStrategy: {limit: 2, retryPolicy: OnTransientError}
          templates:
            - name: graph
              dag:
                failFast: false
                target: "last"
                tasks:
                  - name: make
                    template: make
                  - name: each
                    template: show
                    depends: "make.Succeeded || make.Failed"
                    withSequence: {count: "3", format: "n%02d"}
                    arguments:
                      parameters: [{name: x, value: "{{item}}"}]
                      artifacts: [{name: file, from: "{{tasks.make.outputs.artifacts.file}}"}]
                    hooks:
                      exit: {template: bye}
                  - name: last
                    template: show
                    dependencies: [each]
                    continueOn: {error: true}
                    arguments:
                      parameters: [{name: x, value: "1.5"}]
                      artifacts: [{name: file, raw: {data: "hello"}}]
            - name: make
              timeout: 500ms
              memoize: {key: k, maxAge: 1h, cache: {configMap: {name: cache}}}
              outputs:
                artifacts: [{name: file, path: /tmp/f, archive: {none: {}}}]
              script: {image: alpine:3.21.3, command: [sh], source: "echo hi > /tmp/f"}
            - name: show
              inputs:
                parameters: [{name: x, enum: [1, 1.5, n00, n01, n02]}]
                artifacts: [{name: file, path: /in}]
              container:
                image: alpine:3.21.3
                command: [cat, /in]
                resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 1}}
            - name: bye
              steps:
                - - name: say
                    template: show
                    when: "{{workflow.status}} != Succeeded"
                    withParam: '["n00"]'
                    arguments:
                      parameters: [{name: x, value: "{{item}}"}]
                      artifacts: [{name: file, raw: {data: "{{workflow.failures}}"}}]
    """,
}

BROKEN = [
    (
        "spec:\n  entrypont: main\n  templates: []\n",
        ["unknown field 'spec.entrypont' (line 5)"],
    ),
    (
        "spec:\n  templates:\n    - name: a\n      script: {image: x, command: [sh], sorce: y}\n",
        [
            "template 'a': unknown field 'script.sorce' (line 7)",
            "template 'a': field 'script.source': Field required (line 7)",
        ],
    ),
    (
        "spec:\n  templates:\n    - name: a\n      retryStrategy: {limit: [1]}\n",
        ["template 'a': field 'retryStrategy.limit': Input should be an integer or text"],
    ),
    (
        "spec:\n  activeDeadlineSeconds: '30'\n",
        ["field 'spec.activeDeadlineSeconds': Input should be a valid integer, not text (line 5)"],
    ),
    (
        "spec:\n  templates:\n    - name: a\n      dag: {tasks: [{template: b}]}\n",
        ["template 'a': field 'dag.tasks[0].name': Field required (line 7)"],
    ),
    (
        "spec:\n  arguments:\n    parameters: [{name: p, value: [1]}]\n",
        ["field 'spec.arguments.parameters[0].value': Input should be text, a number or a boolean"],
    ),
    (
        "spec:\n  templates:\n    - name: a\n"
        "      container: {image: x, env: [{name: A, value: 1}]}\n",
        ["template 'a': field 'container.env[0].value': Input should be a valid string"],
    ),
]
HEAD = "apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata: {name: w}\n"


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "w.yaml"
    path.write_text(text)
    documents, found = load_file(path)
    assert found == []
    return [str(p).removeprefix(f"{path}: ") for d in documents for p in check_schema(d)]


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_v3_6_5_documents_pass(tmp_path: Path, name: str) -> None:
    assert problems(tmp_path, textwrap.dedent(VALID[name])) == []


@pytest.mark.parametrize(("body", "expected"), BROKEN, ids=[e[0][:40] for _, e in BROKEN])
def test_each_fault_is_named_with_template_field_and_line(
    tmp_path: Path, body: str, expected: list[str]
) -> None:
    found = problems(tmp_path, HEAD + body)
    for message in expected:
        assert any(message in text for text in found), (message, found)


def test_other_kinds_and_api_versions(tmp_path: Path) -> None:
    assert problems(tmp_path, "apiVersion: v1\nkind: ConfigMap\n") == [
        "kind 'ConfigMap' is not an Argo workflow kind "
        "(Workflow, WorkflowTemplate, ClusterWorkflowTemplate, CronWorkflow)"
    ]
    assert problems(tmp_path, "apiVersion: argoproj.io/v1\nkind: Workflow\nmetadata: {}\n")[0] == (
        "apiVersion is 'argoproj.io/v1', expected 'argoproj.io/v1alpha1' (line 1)"
    )
