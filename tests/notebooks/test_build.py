"""Tests for building a whole (fake) repository: outputs, determinism, --check, errors, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from lab.notebooks.build import PAGE_HEADER, plan_outputs
from lab.notebooks.cli import main

REPO_ROOT = Path(__file__).resolve().parents[2]


def outputs(repo: Path) -> dict[str, bytes]:
    """What the build writes, by path relative to the fake repository."""
    return {p.relative_to(repo.resolve()).as_posix(): d for p, d in plan_outputs(repo).items()}


def test_build_all_writes_valid_notebooks_and_the_page(repo: Path, capsys) -> None:
    assert main(["--root", str(repo)]) == 0
    assert sorted(capsys.readouterr().out.split()) == sorted(
        ["wrote", "notebooks/01_one.ipynb", "wrote", "notebooks/02_two.ipynb", "wrote", "index.md"]
    )
    nb = nbformat.read(repo / "notebooks/01_one.ipynb", as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    assert nb.metadata.kernelspec.name == "python3"
    markdown, code = nb.cells
    assert "![A photo](../images/photo.png)" in markdown.source
    assert "```python\n@functools.cache\n" in markdown.source
    assert code.metadata == {"tags": ["parameters"]} and code.source == 'target = "local"'
    page = (repo / "index.md").read_text(encoding="utf-8")
    assert page.startswith(PAGE_HEADER + "\n\n## Part one\n\n![A photo](images/photo.png)")
    assert ":::" not in page and "jupyter:" not in page and "part=" not in page
    assert '```python\nprint("two")\n```\n' in page
    assert page.index("## Part one") < page.index("## Part two")


def test_every_notebook_is_valid_json_written_like_jupyter(repo: Path) -> None:
    for name, data in outputs(repo).items():
        if name.endswith(".ipynb"):
            text = data.decode("utf-8")
            nbformat.validate(nbformat.reads(text, as_version=nbformat.NO_CONVERT))
            assert (
                text
                == json.dumps(json.loads(text), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
            )


def test_build_is_byte_identical_each_time(repo: Path) -> None:
    assert outputs(repo) == outputs(repo)
    main(["--root", str(repo)])
    first = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    assert main(["--root", str(repo)]) == 0
    assert {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()} == first


def test_crlf_sources_give_the_same_notebooks(repo: Path) -> None:
    before = outputs(repo)
    for path in (repo / "snippets").glob("*.md"):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert outputs(repo) == before


def test_check_names_a_hand_edit_and_a_missing_output(repo: Path, capsys) -> None:
    assert main(["--root", str(repo)]) == 0
    assert main(["--check", "--root", str(repo)]) == 0
    one = repo / "notebooks/01_one.ipynb"
    one.write_text(one.read_text().replace("Part one", "Part 1"))
    (repo / "index.md").unlink()
    capsys.readouterr()
    before = sorted(p.name for p in repo.rglob("*"))
    assert main(["--check", "--root", str(repo)]) == 1
    err = capsys.readouterr().err
    assert "stale: notebooks/01_one.ipynb" in err and "missing: index.md" in err
    assert "02_two" not in err
    assert sorted(p.name for p in repo.rglob("*")) == before  # --check wrote nothing


def test_check_sees_a_changed_source_or_included_file(repo: Path) -> None:
    main(["--root", str(repo)])
    flow = repo / "src/pkg/flow.py"
    flow.write_text(flow.read_text().replace("sum(data)", "sum(data) + 1"))
    assert main(["--check", "--root", str(repo)]) == 1


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("snippets/02_two.md", 'part="call-endpoint"', 'part="nope"'),
            "snippets/02_two.md:4: workflows/wf.yaml: no spec.templates item named 'nope'",
        ),
        (
            ("snippets/01_one.md", "images/photo.png", "images/gone.png"),
            "snippets/01_one.md:4: image 'images/gone.png' does not exist",
        ),
        (
            ("snippets/02_two.md", "```python\nprint", "::: {.cell .code}\n```python\nprint"),
            "snippets/02_two.md:9: unclosed ':::' opened at line 8",
        ),
        (
            ("snippets/notebooks.yaml", "02_two.md]\nindex", "03_three.md]\nindex"),
            "snippets/notebooks.yaml:3: snippets/03_three.md does not exist",
        ),
    ],
)
def test_an_error_names_file_and_line_and_writes_nothing(repo: Path, capsys, edit, message) -> None:
    assert main(["--root", str(repo)]) == 0
    built = {p: p.read_bytes() for p in [*repo.glob("notebooks/*"), repo / "index.md"]}
    one = repo / "snippets/01_one.md"
    one.write_text(one.read_text().replace("Part one", "Part 1"))  # a change that would build
    name, old, new = edit
    path = repo / name
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))
    capsys.readouterr()
    assert main(["--root", str(repo)]) == 2
    assert capsys.readouterr().err.startswith(f"error: {message}")
    assert {p: p.read_bytes() for p in [*repo.glob("notebooks/*"), repo / "index.md"]} == built


def test_single_file_mode_concatenates_like_pandoc(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "both.ipynb"
    snippets = repo / "snippets"
    args = [str(snippets / n) for n in ("01_one.md", "frontmatter_python.md", "02_two.md")]
    assert main([*args, "-o", str(out), "--root", str(repo)]) == 0
    nb = nbformat.read(out, as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "markdown", "code"]
    assert nb.metadata.kernelspec.name == "python3"
    # images resolve from the output's folder, wherever that is
    assert f"]({Path('..') / 'repo' / 'images/photo.png'})" in nb.cells[0].source
    assert main([*args, "-o", str(out), "--check", "--root", str(repo)]) == 0


def test_single_file_mode_matches_build_all(repo: Path) -> None:
    built = outputs(repo)["notebooks/01_one.ipynb"]
    out = repo / "notebooks/01_one.ipynb"
    files = [str(repo / "snippets" / n) for n in ("frontmatter_python.md", "01_one.md")]
    assert main([*files, "-o", str(out), "--root", str(repo)]) == 0
    assert out.read_bytes() == built


def test_the_script_runs_from_any_folder(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "build_notebooks.py"), "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and "--check" in done.stdout
