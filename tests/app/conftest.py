"""Fixtures for the app tests: one serving artifact, one build context, one running app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app.serving import assemble_context, make_serving_artifact, running_app

MODEL_VERSION = 7


@pytest.fixture(scope="session")
def serving_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A serving/ artifact exported by the training code."""
    return make_serving_artifact(tmp_path_factory.mktemp("serving") / "serving")


@pytest.fixture(scope="session")
def build_context(tmp_path_factory: pytest.TempPathFactory, serving_dir: Path) -> Path:
    """A build context for model version 7, laid out as the workflow lays it out."""
    return assemble_context(tmp_path_factory.mktemp("context") / "app", serving_dir, MODEL_VERSION)


@pytest.fixture(scope="session")
def app_url(build_context: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app running from the build context."""
    with running_app(build_context, tmp_path_factory.mktemp("logs") / "app.log") as url:
        yield url
