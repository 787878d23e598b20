"""The builder against hostile inputs: includes of hidden, untracked or huge files, outputs
that cannot be written, and images looked up as pandoc 2.17 looks them up."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.notebooks.conftest import FRONTMATTER, write

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILDER = REPO_ROOT / "build_notebooks.py"
GIT_TIMEOUT_S = 60


def build(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run build_notebooks.py as a course would, from `cwd`."""
    return subprocess.run(
        [sys.executable, str(BUILDER), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def git(root: Path, *args: str) -> None:
    """Run git in `root`."""
    subprocess.run(["git", "-C", str(root), *args], check=True, timeout=GIT_TIMEOUT_S)


def lesson(root: Path, include: str) -> Path:
    """A one-cell snippet in `root` that includes `include`."""
    cell = f'::: {{.cell .markdown}}\n```{{include="{include}"}}\n```\n:::\n'
    return write(root, "snippets/lesson.md", FRONTMATTER + cell)


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    """A git work tree with a tracked module and an untracked one."""
    root = tmp_path / "course"
    write(root, "src/tracked.py", "x = 1\n")
    write(root, "src/untracked.py", "y = 2\n")
    git(root, "init", "-q")
    git(root, "add", "src/tracked.py")
    return root


def test_an_untracked_include_says_to_git_add_it(git_repo: Path, tmp_path: Path) -> None:
    lesson(git_repo, "src/untracked.py")
    git(git_repo, "add", "snippets")
    done = build("snippets/lesson.md", "-o", str(tmp_path / "x.ipynb"), "--root", ".", cwd=git_repo)
    assert done.returncode == 2, done.stdout
    assert done.stderr == (
        "error: snippets/lesson.md:11: include 'src/untracked.py' is not tracked by git: "
        "`git add src/untracked.py` (CI builds from a clean clone, where only tracked files "
        "exist)\n"
    )
    git(git_repo, "add", "src/untracked.py")
    done = build("snippets/lesson.md", "-o", str(tmp_path / "x.ipynb"), "--root", ".", cwd=git_repo)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("secret", [".git/config", ".venv/pyvenv.cfg"])
def test_hidden_files_are_never_shown(git_repo: Path, tmp_path: Path, secret: str) -> None:
    write(git_repo, ".venv/pyvenv.cfg", "home = /usr/bin\n")
    lesson(git_repo, secret)
    done = build("snippets/lesson.md", "-o", str(tmp_path / "x.ipynb"), "--root", ".", cwd=git_repo)
    assert done.returncode == 2 and f"include '{secret}' is not tracked by git" in done.stderr
    assert not (tmp_path / "x.ipynb").exists()


def test_outside_git_hidden_folders_are_refused(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    write(root, ".venv/pyvenv.cfg", "home = /usr/bin\n")
    lesson(root, ".venv/pyvenv.cfg")
    done = build("snippets/lesson.md", "-o", str(tmp_path / "x.ipynb"), "--root", ".", cwd=root)
    assert done.returncode == 2
    assert "include '.venv/pyvenv.cfg' is inside '.venv'" in done.stderr


def test_a_huge_include_is_refused_by_its_size(git_repo: Path, tmp_path: Path) -> None:
    huge = git_repo / "src/huge.py"
    huge.write_text("# " + "a" * 20_000_000 + "\n")
    git(git_repo, "add", "src/huge.py")
    lesson(git_repo, "src/huge.py")
    done = build("snippets/lesson.md", "-o", str(tmp_path / "x.ipynb"), "--root", ".", cwd=git_repo)
    assert done.returncode == 2
    assert "include src/huge.py: is 20,000,003 bytes; a source may have 1,000,000" in done.stderr


@pytest.mark.parametrize("blocker", ["a-file/x.ipynb", "a-folder.ipynb"])
def test_an_unwritable_output_is_one_line_and_leaves_nothing(tmp_path: Path, blocker: str) -> None:
    root = tmp_path / "plain"
    write(root, "snippets/lesson.md", FRONTMATTER + "::: {.cell .markdown}\nHi\n:::\n")
    (tmp_path / "a-file").write_text("not a folder\n")
    (tmp_path / "a-folder.ipynb").mkdir()
    before = sorted(tmp_path.iterdir())
    done = build("snippets/lesson.md", "-o", str(tmp_path / blocker), cwd=root)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"error: {tmp_path / blocker}: cannot write it: ")
    assert sorted(tmp_path.iterdir()) == before and not list(
        (tmp_path / "a-folder.ipynb").iterdir()
    )


# Images: the same file names in several folders, to see which one each tool takes.
IMAGES = {"work/cwd.png": 2, "res/res.png": 3, "work/both.png": 5, "res/both.png": 6}
CELL = "::: {.cell .markdown}\n![a](cwd.png) ![b](res.png) ![c](both.png)\n:::\n"


def png(size: int) -> bytes:
    """A tiny PNG whose size tells which file it is."""
    from tests.reliability.images import blank_png

    return blank_png(size, size)


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A course layout: snippets in in/, images in work/ (where pandoc runs) and res/."""
    write(tmp_path, "in/lesson.md", FRONTMATTER + CELL)
    for name, size in IMAGES.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(png(size))
    return tmp_path


def images_pandoc_embeds(notebook: Path) -> dict[str, bytes]:
    """name -> the bytes pandoc embedded as the markdown cell's attachment."""
    (cell,) = json.loads(notebook.read_text())["cells"]
    return {k: base64.b64decode(v["image/png"]) for k, v in cell["attachments"].items()}


def images_we_link(notebook: Path) -> dict[str, bytes]:
    """name -> the bytes of the file our link points at, from the notebook's folder."""
    (cell,) = json.loads(notebook.read_text())["cells"]
    text = "".join(cell["source"])
    links = [part.split(")")[0] for part in text.split("](")[1:]]
    return {Path(link).name: (notebook.parent / link).read_bytes() for link in links}


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="apt-get install -y pandoc")
@pytest.mark.parametrize("resource_path", ["../res", ".:../res", "../res:."])
def test_images_resolve_as_pandoc_resolves_them(course: Path, resource_path: str) -> None:
    work, option = course / "work", f"--resource-path={resource_path}"
    theirs, ours = course / "pandoc" / "x.ipynb", course / "ours" / "x.ipynb"
    theirs.parent.mkdir()
    subprocess.run(
        ["pandoc", option, "../in/lesson.md", "-o", str(theirs)],
        cwd=work,
        check=True,
        timeout=60,
    )
    done = build(option, "../in/lesson.md", "-o", str(ours), cwd=work)
    assert done.returncode == 0, done.stderr
    assert images_we_link(ours) == images_pandoc_embeds(theirs)


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="apt-get install -y pandoc")
def test_an_image_pandoc_cannot_find_is_an_error_for_both(course: Path) -> None:
    work, out = course / "work", str(course / "x.ipynb")
    theirs = subprocess.run(
        ["pandoc", "../in/lesson.md", "-o", out], cwd=work, capture_output=True, timeout=60
    )
    assert theirs.returncode != 0 and b"res.png not found" in theirs.stderr
    done = build("../in/lesson.md", "-o", out, cwd=work)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "image 'res.png' not found" in done.stderr
