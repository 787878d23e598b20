"""Golden-file tests, and the same cells, types, code and metadata as `pandoc -o x.ipynb`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from lab.notebooks.build import build_notebook
from lab.notebooks.content import Context

DATA = Path(__file__).resolve().parent / "data"
FIXTURES = ["cells", "bash"]
REGENERATE = (
    "python build_notebooks.py --root tests/notebooks/data "
    "tests/notebooks/data/{0}.md -o tests/notebooks/data/{0}.ipynb"
)


def ours(name: str, source: Path | None = None) -> bytes:
    """Our notebook for fixture `name` (from `source` when given)."""
    return build_notebook([source or DATA / f"{name}.md"], name, Context(DATA), DATA)


@pytest.mark.parametrize("name", FIXTURES)
def test_output_matches_the_golden_notebook(name: str) -> None:
    golden = (DATA / f"{name}.ipynb").read_bytes()
    assert ours(name) == golden, f"if the change is intended: {REGENERATE.format(name)}"
    nbformat.validate(nbformat.reads(golden.decode(), as_version=nbformat.NO_CONVERT))


def test_crlf_input_gives_the_golden_notebook(tmp_path: Path) -> None:
    crlf = tmp_path / "cells.md"
    crlf.write_bytes((DATA / "cells.md").read_bytes().replace(b"\n", b"\r\n"))
    assert ours("cells", crlf) == (DATA / "cells.ipynb").read_bytes()


def test_markdown_is_kept_as_the_author_wrote_it() -> None:
    nb = json.loads(ours("cells"))
    text = "".join(nb["cells"][1]["source"])
    assert '* two "quoted"' in text and "Café ☕" in text and "echo ':::'\n:::\n```" in text


@pytest.mark.skipif(
    shutil.which("pandoc") is None, reason="pandoc is not installed: apt-get install -y pandoc"
)
@pytest.mark.parametrize("name", FIXTURES)
def test_same_cells_types_code_and_metadata_as_pandoc(name: str, tmp_path: Path) -> None:
    out = tmp_path / f"{name}.ipynb"
    subprocess.run(
        ["pandoc", f"{name}.md", "--wrap=none", "-o", str(out)], cwd=DATA, check=True, timeout=60
    )
    theirs, mine = json.loads(out.read_text()), json.loads(ours(name))
    assert mine["metadata"] == theirs["metadata"]
    assert [c["cell_type"] for c in mine["cells"]] == [c["cell_type"] for c in theirs["cells"]]
    for a, b in zip(mine["cells"], theirs["cells"], strict=True):
        assert a["metadata"] == b["metadata"]
        if a["cell_type"] != "markdown":  # pandoc rewrites markdown; code and raw are verbatim
            assert "".join(a["source"]) == "".join(b["source"])
        if len(b["id"]) != 36:  # pandoc makes random uuids; explicit ids must agree
            assert a["id"] == b["id"]
