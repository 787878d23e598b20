"""The image catalog: which commands each image ships."""

from __future__ import annotations

import pytest

from lab.rehearsal.images import (
    ALPINE,
    ALPINE_GIT,
    PYTHON_SLIM,
    known_images,
    lookup,
    repository,
)


@pytest.mark.parametrize(
    ("image", "repo", "tag"),
    [
        ("alpine:3.21.3", "alpine", "3.21.3"),
        ("docker.io/library/python:3.11.14-slim", "python", "3.11.14-slim"),
        ("registry.local:5000/team/tool", "registry.local:5000/team/tool", "latest"),
    ],
)
def test_repository_and_tag(image: str, repo: str, tag: str) -> None:
    assert repository(image) == (repo, tag)


def test_lookup() -> None:
    assert lookup("alpine:3.21.3") is ALPINE
    assert lookup("python:3.11.14-slim") is PYTHON_SLIM
    assert lookup("python:3.11.14") is None  # the full image ships much more: not described
    assert lookup("alpine/git:v2.26.2") is ALPINE_GIT
    assert lookup("alpine/git:latest") is None  # only exact tags are described
    assert lookup("ghcr.io/acme/tool:1") is None
    assert "alpine:*" in known_images()


def test_what_images_provide() -> None:
    assert ALPINE.provides("/bin/sh") and ALPINE.provides("wget") and ALPINE.provides("apk")
    assert not ALPINE.provides("curl") and not ALPINE.provides("python3")
    assert PYTHON_SLIM.provides("python3.11") and PYTHON_SLIM.provides("pip")
    assert not PYTHON_SLIM.provides("curl") and not PYTHON_SLIM.provides("git")
    assert ALPINE_GIT.provides("git") and ALPINE_GIT.provides("sh") and ALPINE_GIT.provides("apk")
    assert not ALPINE_GIT.provides("curl") and not ALPINE_GIT.provides("python3")
