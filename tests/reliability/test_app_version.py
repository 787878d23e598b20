"""/version with a version file that is missing, empty, binary or not a version."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from lab.services import Service


@pytest.fixture
def version_file(app_context: Path, app_service: Service) -> Path:
    """The running app's version file; put back as the build wrote it after each test."""
    path = app_context / "model" / "version.txt"
    written = path.read_bytes()
    yield path
    path.write_bytes(written)


def version(service: Service) -> httpx.Response:
    """GET /version."""
    return httpx.get(f"{service.url}/version", timeout=10)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xff\xfe1\x00.\x000\x00", "model/version.txt is not UTF-8 text"),
        (b"", "model/version.txt is empty"),
        (b"\n  \n", "model/version.txt is empty"),
        (b"latest\n", "model/version.txt holds 'latest', not a version"),
        (b"1.0.7" * 100, "model/version.txt is larger than 64 bytes"),
    ],
    ids=["not-utf8", "empty", "blank", "not-a-version", "too-large"],
)
def test_a_bad_version_file_is_503_saying_what_to_fix(
    app_service: Service, version_file: Path, content: bytes, expected: str
) -> None:
    version_file.write_bytes(content)
    answer = version(app_service)
    assert answer.status_code == 503, answer.text
    detail = answer.json()["detail"]
    assert expected in detail and "expected one line like '1.0.7'" in detail
    assert "fetch-model" in detail


def test_a_missing_version_file_is_404_without_the_absolute_path(
    app_service: Service, version_file: Path, app_context: Path
) -> None:
    version_file.unlink()
    answer = version(app_service)
    assert answer.status_code == 404
    detail = answer.json()["detail"]
    assert "no version file model/version.txt" in detail and "fetch-model" in detail
    assert str(app_context) not in detail and "/tmp" not in detail


def test_a_good_version_file_is_read_as_it_changes(
    app_service: Service, version_file: Path
) -> None:
    assert version(app_service).json() == {"model_version": "1.0.7"}
    version_file.write_text("1.0.12\n")
    assert version(app_service).json() == {"model_version": "1.0.12"}
