"""Tests for the generated pictures: images/*.dot and workflow pictures rendered by graphviz."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from lab.notebooks.build import plan_outputs
from lab.notebooks.cli import main
from lab.notebooks.errors import PictureError
from lab.notebooks.pictures import default_workflow_pictures, render_dot, stamp

pytestmark = pytest.mark.skipif(
    shutil.which("dot") is None, reason="graphviz is not installed: apt-get install -y graphviz"
)
DOT = "digraph G { trigger -> train -> register; }\n"


def sha256(data: bytes) -> str:
    """The hex sha256 of `data`."""
    return hashlib.sha256(data).hexdigest()


def flow_pictures(root: Path) -> dict[Path, str]:
    """A workflow-pictures function like lab.workflows.draw's: one picture per workflow file."""
    return {
        Path("images") / f"workflow-{p.stem}.svg": f'digraph "{p.stem}" {{ a -> b; }}\n'
        for p in sorted((root / "workflows").glob("*.yaml"))
    }


def test_dot_files_become_svgs_that_check_covers(repo: Path, capsys) -> None:
    (repo / "images/stage.dot").write_text(DOT)
    assert main(["--root", str(repo)]) == 0
    svg = (repo / "images/stage.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "register" in svg
    (repo / "images/stage.dot").write_text(DOT.replace("register", "deploy"))
    capsys.readouterr()
    assert main(["--check", "--root", str(repo)]) == 1
    assert "stale: images/stage.svg" in capsys.readouterr().err


def test_snippets_may_show_a_picture_the_same_build_makes(repo: Path) -> None:
    (repo / "images/stage.dot").write_text(DOT)
    lesson = repo / "snippets/01_one.md"
    lesson.write_text(lesson.read_text().replace("images/photo.png", "images/stage.svg"))
    assert main(["--root", str(repo)]) == 0
    assert "](../images/stage.svg)" in (repo / "notebooks/01_one.ipynb").read_text()


def test_workflow_pictures_are_rendered_with_the_same_dot(repo: Path) -> None:
    out = plan_outputs(repo, workflow_pictures=flow_pictures)
    dot = flow_pictures(repo)[Path("images/workflow-wf.svg")]
    assert out[(repo / "images/workflow-wf.svg").resolve()] == stamp(render_dot(dot, "x"), dot)
    assert plan_outputs(repo, workflow_pictures=flow_pictures) == out


def test_a_picture_carries_the_hashes_of_its_dot_source_and_of_itself(repo: Path) -> None:
    (repo / "images/stage.dot").write_text(DOT)
    assert main(["--root", str(repo)]) == 0
    first, second, *rest = (repo / "images/stage.svg").read_bytes().split(b"\n")
    rendered = b"\n".join([first, *rest])
    assert first.startswith(b"<?xml") and rendered == render_dot(DOT, "x")
    assert second.decode() == (
        f"<!-- dot-source-sha256: {sha256(DOT.encode())} svg-sha256: {sha256(rendered)} -->"
    )


def test_an_up_to_date_picture_needs_no_graphviz(repo: Path, monkeypatch, tmp_path, capsys) -> None:
    (repo / "images/stage.dot").write_text(DOT)
    assert main(["--root", str(repo)]) == 0
    built = (repo / "images/stage.svg").read_bytes()
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` to run: another machine, say
    capsys.readouterr()
    assert main(["--check", "--root", str(repo)]) == 0
    assert main(["--root", str(repo)]) == 0
    assert capsys.readouterr().out.endswith("up to date\n")  # and the build wrote nothing
    assert (repo / "images/stage.svg").read_bytes() == built


def edit_body(svg: bytes) -> bytes:
    """A hand edit of the drawing."""
    return svg.replace(b"register", b"deploy")


def drop_stamp(svg: bytes) -> bytes:
    """The picture as `dot` wrote it, as before pictures were stamped."""
    lines = svg.split(b"\n")
    return b"\n".join(lines[:1] + lines[2:])


def spoil_stamp(svg: bytes) -> bytes:
    """A stamp that no longer parses."""
    return svg.replace(b"dot-source-sha256: ", b"dot-source-sha256: 0")


@pytest.mark.parametrize("edit", [edit_body, drop_stamp, spoil_stamp])
def test_a_hand_edited_picture_is_stale_and_rebuilt(repo: Path, capsys, edit) -> None:
    (repo / "images/stage.dot").write_text(DOT)
    assert main(["--root", str(repo)]) == 0
    svg = repo / "images/stage.svg"
    built = svg.read_bytes()
    svg.write_bytes(edit(built))
    capsys.readouterr()
    assert main(["--check", "--root", str(repo)]) == 1
    assert "stale: images/stage.svg" in capsys.readouterr().err
    assert main(["--root", str(repo)]) == 0
    assert svg.read_bytes() == built


def test_workflow_pictures_must_go_under_images(repo: Path) -> None:
    with pytest.raises(PictureError, match=r"must be images/NAME\.svg"):
        plan_outputs(repo, workflow_pictures=lambda root: {Path("notebooks/x.svg"): DOT})


def test_a_fake_repository_does_not_run_this_checkouts_draw_module(repo: Path) -> None:
    assert default_workflow_pictures(repo) is None


def test_bad_dot_names_its_file(repo: Path, capsys) -> None:
    (repo / "images/bad.dot").write_text("digraph { a -> }\n")
    assert main(["--root", str(repo)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: images/bad.dot: `dot -Tsvg` failed:") and "syntax error" in err
    assert not (repo / "notebooks").exists()


def test_missing_graphviz_says_how_to_install_it(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PictureError, match="apt-get install -y graphviz"):
        render_dot(DOT, "images/stage.dot")
