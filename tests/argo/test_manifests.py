"""Manifests embedded in resource templates, parsed as documents of their file."""

from __future__ import annotations

from pathlib import Path

from lab.argo.documents import load_file
from lab.argo.manifests import manifests

REPO = Path(__file__).resolve().parents[2]


def test_the_train_model_manifest_is_a_workflow_document_with_its_file_line() -> None:
    (document,), _ = load_file(REPO / "workflows" / "train-model.yaml")
    (manifest,) = manifests(document)
    assert (manifest.template, manifest.action) == ("trigger-build", "create")
    (embedded,) = manifest.documents
    assert embedded.kind == "Workflow" and manifest.is_argo(embedded)
    assert (
        embedded.prefix
        == "template 'trigger-build': resource.manifest (Workflow 'build-container-image-')"
    )
    # A line of the file, not of the manifest's text: where its "kind: Workflow" stands.
    lines = (REPO / "workflows" / "train-model.yaml").read_text().splitlines()
    expected = next(n for n, line in enumerate(lines, 1) if line.strip() == "kind: Workflow")
    assert embedded.line(embedded.raw, "kind") == expected > 50


def test_unquoted_placeholders_parse_and_bad_yaml_is_a_finding(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(
        "kind: WorkflowTemplate\nspec:\n  templates:\n"
        "    - name: a\n      resource:\n        action: create\n"
        "        manifest: |\n          kind: ConfigMap\n"
        "          data: {v: {{inputs.parameters.v}}}\n"
        "    - name: b\n      resource:\n        action: create\n"
        "        manifest: |\n          kind: [\n"
    )
    (document,), _ = load_file(path)
    first, second = manifests(document)
    assert first.problems == [] and first.documents[0].raw["data"] == {"v": "argo-placeholder"}
    assert second.problems[0].message.startswith("not valid YAML")
