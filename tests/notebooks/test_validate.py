"""Tests for validating built notebooks: nbformat's verdict, without importing nbformat to pass."""

from __future__ import annotations

import copy
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import fastjsonschema
import nbformat
import pytest

from lab.notebooks import validate as validate_module
from lab.notebooks.assemble import CellSpec, assemble
from lab.notebooks.errors import NotebookInvalidError
from lab.notebooks.validate import schema_check, validate

REPO_ROOT = Path(__file__).resolve().parents[2]
KERNEL = {"kernelspec": {"display_name": "Python 3", "name": "python3"}}
CELLS = [
    CellSpec("markdown", "# Title", "t.md:1"),
    CellSpec("code", "x = 1", "t.md:3", {"tags": ["parameters"]}),
    CellSpec("raw", "<b>x</b>", "t.md:7", {"raw_mimetype": "text/html"}),
]


def changed(path: tuple[object, ...], value: object) -> dict:
    """A valid notebook with the value at `path` (keys and indexes) set to `value`."""
    nb = copy.deepcopy(assemble("t", CELLS, KERNEL))
    *parents, last = path
    target = nb
    for key in parents:
        target = target[key]
    target[last] = value
    return nb


CASES = {
    "valid": changed(("metadata", "title"), "A title"),
    "tags-not-a-list": changed(("cells", 1, "metadata", "tags"), "parameters"),
    "tag-with-comma": changed(("cells", 1, "metadata", "tags"), ["a,b"]),
    "execution-count-negative": changed(("cells", 1, "execution_count"), -1),
    "execution-count-true": changed(("cells", 1, "execution_count"), True),
    "scrolled-auto": changed(("cells", 1, "metadata", "scrolled"), "auto"),
    "scrolled-bad": changed(("cells", 1, "metadata", "scrolled"), "sideways"),
    "kernelspec-without-name": changed(("metadata", "kernelspec"), {"display_name": "P"}),
    "raw-format-not-text": changed(("cells", 2, "metadata", "format"), 1),
    "markdown-with-outputs": changed(("cells", 0, "outputs"), []),
}


def nbformat_accepts(nb: dict) -> bool:
    """nbformat.validate's verdict."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            nbformat.validate(nbformat.from_dict(copy.deepcopy(nb)))
        except nbformat.ValidationError:
            return False
    return True


@pytest.mark.parametrize("name", CASES)
def test_the_quick_check_agrees_with_nbformat(name: str) -> None:
    check = schema_check()
    assert check is not None, "fastjsonschema (an nbformat dependency) should be installed"
    assert check(copy.deepcopy(CASES[name])) == nbformat_accepts(CASES[name])


def test_a_rejected_notebook_names_the_cells_line() -> None:
    with pytest.raises(NotebookInvalidError, match=r"t\.md:3: invalid cell metadata\.tags: "):
        validate(CASES["tags-not-a-list"], CELLS, "t")
    with pytest.raises(NotebookInvalidError, match=r"^t: invalid notebook: .*'name'"):
        validate(CASES["kernelspec-without-name"], CELLS, "t")
    validate(CASES["valid"], CELLS, "t")


def fresh_check() -> Callable[[dict], bool]:
    """`schema_check()` as a new process would make it."""
    schema_check.cache_clear()
    check = schema_check()
    schema_check.cache_clear()
    assert check is not None
    return check


def test_the_compiled_check_is_kept_used_and_made_again_when_spoilt(monkeypatch, tmp_path) -> None:
    kept = tmp_path / "nbformat-schema.marshal"
    monkeypatch.setattr(validate_module, "cache_path", lambda *args: kept)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    compiled = []
    compile_to_code = fastjsonschema.compile_to_code
    monkeypatch.setattr(
        fastjsonschema,
        "compile_to_code",
        lambda schema: compiled.append(1) or compile_to_code(schema),
    )
    for spoil, compiles in ((None, 1), (None, 1), (b"not marshal data", 2)):
        if spoil is not None:
            kept.write_bytes(spoil)
        check = fresh_check()
        assert check(CASES["valid"]) and not check(CASES["scrolled-bad"])
        assert len(compiled) == compiles and kept.read_bytes() != spoil


NO_NBFORMAT = """
import sys
from lab.notebooks.cli import main

root = sys.argv[1]
for argv in ([], [], ["--check"]):  # a clean build, a rebuild with no change, a check
    assert main([*argv, "--root", root]) == 0
    assert not {"nbformat", "jsonschema"} & set(sys.modules), "imported nbformat"
"""


def test_building_and_checking_valid_notebooks_do_not_import_nbformat(repo: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", NO_NBFORMAT, str(repo)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    nbformat.validate(nbformat.read(repo / "notebooks/01_one.ipynb", as_version=4))
