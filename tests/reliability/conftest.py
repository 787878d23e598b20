"""Fixtures for the reliability tests: the app from a private build context, and a state
folder for the training services that the fault tests start, hang and kill."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.services import Service, stop_service
from lab.services.app import start_app
from tests.app.serving import assemble_context, make_serving_artifact

MODEL_VERSION = 7


@pytest.fixture(scope="module")
def app_context(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build context of this module's own: tests may rewrite its version file."""
    serving = make_serving_artifact(tmp_path_factory.mktemp("serving") / "serving")
    return assemble_context(tmp_path_factory.mktemp("context") / "app", serving, MODEL_VERSION)


@pytest.fixture(scope="module")
def app_service(app_context: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The app running from `app_context` (its PID, to watch its memory)."""
    state = tmp_path_factory.mktemp("app-state")
    service = start_app(app_context, state, timeout_s=90)
    try:
        yield service
    finally:
        stop_service(service, state)


@pytest.fixture(scope="session")
def train_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One state folder for the services these tests start one after another: a service
    that finds Prefect's database and the sample data there starts in half the time."""
    return tmp_path_factory.mktemp("reliability-train-state")
