"""Fixtures for the rehearsal tests: a runner for the example templates, bound to tmp_path."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from lab.rehearsal import rehearse
from tests.rehearsal.helpers import DATA


@pytest.fixture
def run_example(tmp_path: Path):
    """Rehearse one of the example templates in ``data/`` with a fixed name seed."""
    return functools.partial(rehearse, DATA, workdir=tmp_path / "runs", seed=7)
