"""Loading WorkflowTemplates from a folder by name, with schema validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.rehearsal.errors import TemplateInvalid, TemplateNotFound
from lab.rehearsal.templates import load_templates
from tests.rehearsal.helpers import DATA, SH, minimal, write_templates


def test_loads_every_template_by_name_including_multi_document_files() -> None:
    library = load_templates(DATA)
    assert {"rh-parent", "rh-child", "rh-pipeline"} <= set(library)
    assert library.source("rh-child").name == "rh-parent.yaml"


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(TemplateNotFound, match="rh-pipeline"):
        load_templates(DATA)["nope"]


def test_duplicate_names_are_refused(tmp_path: Path) -> None:
    doc = minimal(script={**SH, "source": "true"})
    write_templates(tmp_path, doc)
    (tmp_path / "again.yaml").write_text((tmp_path / "templates.yaml").read_text())
    with pytest.raises(TemplateInvalid, match="also defined"):
        load_templates(tmp_path)


def test_schema_errors_name_the_file_and_field(tmp_path: Path) -> None:
    doc = minimal(steps="not a list")
    write_templates(tmp_path, doc)
    with pytest.raises(TemplateInvalid, match=r"templates\.yaml.*steps"):
        load_templates(tmp_path)


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("kind: [unclosed\n")
    with pytest.raises(TemplateInvalid, match=r"bad\.yaml: not valid YAML"):
        load_templates(tmp_path)
