"""The app as a real process started from a build context: what its endpoints answer."""

from __future__ import annotations

import io
import math
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from PIL import Image

from gourmetgram_train.data import FOOD11_CLASSES
from tests.app.conftest import MODEL_VERSION
from tests.app.serving import copy_app_source, running_app

TEST_IMAGE = Path(__file__).resolve().parents[2] / "app" / "gourmetgram_app" / "static" / "test.jpg"


def photo(colour: tuple[int, int, int], fmt: str = "PNG") -> bytes:
    """A small image file in memory."""
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), colour).save(buffer, format=fmt)
    return buffer.getvalue()


def test_health(app_url: str) -> None:
    answer = httpx.get(f"{app_url}/health", timeout=10)
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "model_name": "GourmetGramFood11Model"}


def test_version_comes_from_the_version_file(app_url: str) -> None:
    answer = httpx.get(f"{app_url}/version", timeout=10)
    assert answer.status_code == 200
    assert answer.json() == {"model_version": f"1.0.{MODEL_VERSION}"}


def test_test_endpoint_names_a_food11_class(app_url: str) -> None:
    answer = httpx.get(f"{app_url}/test", timeout=30).json()
    assert answer["prediction"] in FOOD11_CLASSES
    assert answer["prediction"] == max(answer["probabilities"], key=answer["probabilities"].get)
    assert list(answer["probabilities"]) == list(FOOD11_CLASSES)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_predict_returns_eleven_probabilities_summing_to_one(app_url: str, fmt: str) -> None:
    files = {"file": (f"dish.{fmt.lower()}", photo((200, 150, 60), fmt), f"image/{fmt.lower()}")}
    answer = httpx.post(f"{app_url}/predict", files=files, timeout=30)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body["probabilities"]) == set(FOOD11_CLASSES)
    assert math.isclose(sum(body["probabilities"].values()), 1.0, abs_tol=1e-4)
    assert all(0.0 <= p <= 1.0 for p in body["probabilities"].values())
    assert body["prediction"] in FOOD11_CLASSES


def test_predict_of_the_test_photo_matches_get_test(app_url: str) -> None:
    files = {"file": ("test.jpg", TEST_IMAGE.read_bytes(), "image/jpeg")}
    uploaded = httpx.post(f"{app_url}/predict", files=files, timeout=30).json()
    assert uploaded == httpx.get(f"{app_url}/test", timeout=30).json()


def test_predict_refuses_what_is_not_an_image(app_url: str) -> None:
    files = {"file": ("notes.txt", b"pasta, not a picture of it", "text/plain")}
    answer = httpx.post(f"{app_url}/predict", files=files, timeout=30)
    assert answer.status_code == 400
    assert "notes.txt is not an image" in answer.json()["detail"]


def test_missing_version_file_is_a_404_naming_it(build_context: Path, tmp_path: Path) -> None:
    context = tmp_path / "app"
    shutil.copytree(build_context, context)
    (context / "model" / "version.txt").unlink()
    with running_app(context, tmp_path / "app.log") as url:
        answer = httpx.get(f"{url}/version", timeout=10)
        assert httpx.get(f"{url}/test", timeout=30).status_code == 200  # the model still serves
    assert answer.status_code == 404
    detail = answer.json()["detail"]
    assert "model/version.txt" in detail and "fetch-model" in detail


def test_without_model_files_the_app_exits_naming_the_folder(tmp_path: Path) -> None:
    context = copy_app_source(tmp_path / "app")
    done = subprocess.run(
        [sys.executable, "-m", "gourmetgram_app"],
        cwd=context,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "PORT": "1"},
    )
    assert done.returncode == 1
    assert "cannot start: model folder model" in done.stderr
    assert "has no model.pt2" in done.stderr and "fetch-model" in done.stderr
