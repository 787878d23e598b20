"""Fixtures for the builder's tests: a small fake repository with snippets, images and code."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

FRONTMATTER = """\
---
jupyter:
  kernelspec:
    display_name: Python 3 (ipykernel)
    language: python
    name: python3
  language_info:
    name: python
---
"""

FLOW = '''\
"""A flow module to quote from."""

import functools


def load_data():
    return [1, 2, 3]


@functools.cache
@functools.wraps(load_data)
def train_model(data):
    """Train with ``` backticks ``` in a docstring."""
    return sum(data)


class Trainer:
    """A class."""

    def fit(self):
        return 1

    def score(self):
        return 2
'''

TEMPLATE = """\
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: train-model
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: call
        template: call-endpoint

  # the endpoint caller
  - name: call-endpoint
    script:
      image: alpine:3.18
      command: [sh]
      source: |
        set -eu
        echo "done"   # keep this comment

  # a comment that belongs to the next item
  - name: last
    container:
      image: alpine:3.18
"""

LESSON_1 = """\
::: {.cell .markdown}
## Part one

![A photo](images/photo.png)

The training function:

```{.python include="src/pkg/flow.py" part="train_model"}
```
:::

::: {.cell .code tags="[\\"parameters\\"]"}
```python
target = "local"
```
:::
"""

LESSON_2 = """\
::: {.cell .markdown}
## Part two

```{include="workflows/wf.yaml" part="call-endpoint"}
```
:::

::: {.cell .code}
```python
print("two")
```
:::
"""

MANIFEST = """\
notebooks:
  01_one: [frontmatter_python.md, 01_one.md]
  02_two: [frontmatter_python.md, 02_two.md]
index: [01_one.md, 02_two.md]
"""


def write(root: Path, name: str, text: str) -> Path:
    """Write `text` to root/name, making folders."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A fake repository: two lessons, a manifest, an image, a module and a workflow."""
    root = tmp_path / "repo"
    write(root, "snippets/frontmatter_python.md", FRONTMATTER)
    write(root, "snippets/01_one.md", LESSON_1)
    write(root, "snippets/02_two.md", LESSON_2)
    write(root, "snippets/notebooks.yaml", MANIFEST)
    write(root, "src/pkg/flow.py", FLOW)
    write(root, "workflows/wf.yaml", TEMPLATE)
    (root / "images").mkdir()
    (root / "images/photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return root


@pytest.fixture
def snippet(tmp_path: Path):
    """Write a snippet file (bytes kept exactly, so CRLF tests can use it); return its path."""

    def make(text: str | bytes, name: str = "snippet.md") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        return path

    return make
