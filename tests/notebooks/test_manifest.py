"""Tests for snippets/notebooks.yaml: its shape and errors with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.notebooks.errors import ManifestError
from lab.notebooks.manifest import load_manifest


def test_manifest_lists_notebooks_and_the_page_in_order(repo: Path) -> None:
    manifest = load_manifest(repo)
    assert list(manifest.notebooks) == ["01_one", "02_two"]
    assert [p.name for p in manifest.notebooks["02_two"]] == ["frontmatter_python.md", "02_two.md"]
    assert [p.name for p in manifest.index] == ["01_one.md", "02_two.md"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("notebooks: {}\n", r"notebooks\.yaml:1: need exactly the keys notebooks: and index:"),
        (
            "notebooks:\n  a: []\nindex: [01_one.md]\n",
            r"notebooks\.yaml:2: expected a non-empty list",
        ),
        (
            "notebooks:\n  a: [../x.md]\nindex: [01_one.md]\n",
            r"notebooks\.yaml:2: '\.\./x\.md' must be a file name",
        ),
        (
            "notebooks:\n  a/b: [01_one.md]\nindex: [01_one.md]\n",
            r"notebooks\.yaml:2: bad notebook name",
        ),
        ("notebooks: [\n", r"notebooks\.yaml:2: bad YAML"),
    ],
)
def test_bad_manifest_is_an_error_with_line(repo: Path, text: str, message: str) -> None:
    (repo / "snippets/notebooks.yaml").write_text(text)
    with pytest.raises(ManifestError, match=message):
        load_manifest(repo)


def test_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match=r"snippets/notebooks\.yaml: no manifest"):
        load_manifest(tmp_path)
