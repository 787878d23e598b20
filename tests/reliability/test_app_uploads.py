"""Hostile uploads to the app: huge pictures in small files, bombs, damaged data, many at once."""

from __future__ import annotations

import concurrent.futures

import httpx
import pytest

from lab.services import Service
from tests.reliability.images import GREY, blank_png, photo
from tests.reliability.measure import PeakRss

GB = 1024**3
#: What the app may take in all, whatever arrives (the issue's goal).
MEMORY_GOAL = 1.5 * GB


def upload(url: str, data: bytes, name: str = "dish.png") -> httpx.Response:
    """POST one file to /predict."""
    files = {"file": (name, data, "application/octet-stream")}
    return httpx.post(f"{url}/predict", files=files, timeout=120)


def test_more_pixels_than_the_limit_is_413_naming_it(app_service: Service) -> None:
    data = blank_png(12_000, 12_000)  # 144 MP in about 420 KB
    answer = upload(app_service.url, data)
    assert answer.status_code == 413, answer.text
    detail = answer.json()["detail"]
    assert "12000×12000 pixels (144 MP)" in detail and "MAX_IMAGE_PIXELS" in detail


def test_a_decompression_bomb_is_413_not_500(app_service: Service) -> None:
    data = blank_png(20_000, 20_000, colour_type=GREY, bit_depth=1)  # Pillow: a bomb
    answer = upload(app_service.url, data)
    assert answer.status_code == 413, answer.text
    assert "MAX_IMAGE_PIXELS" in answer.json()["detail"]


def test_eight_large_uploads_at_once_stay_under_the_memory_goal(app_service: Service) -> None:
    # 36 MP each: under the pixel limit, so each is decoded (about 144 MB per image).
    data = blank_png(6_000, 6_000)
    with (
        PeakRss(app_service.pid) as rss,
        concurrent.futures.ThreadPoolExecutor(8) as pool,
    ):
        answers = list(pool.map(lambda _: upload(app_service.url, data), range(8)))
    assert [a.status_code for a in answers] == [200] * 8, answers[0].text
    assert rss.peak < MEMORY_GOAL, f"the app reached {rss.peak / GB:.2f} GB"


def test_oversized_uploads_at_once_cost_no_decoding(app_service: Service) -> None:
    data = blank_png(12_000, 12_000)
    with (
        PeakRss(app_service.pid) as rss,
        concurrent.futures.ThreadPoolExecutor(8) as pool,
    ):
        answers = list(pool.map(lambda _: upload(app_service.url, data), range(8)))
    assert [a.status_code for a in answers] == [413] * 8
    assert rss.peak < MEMORY_GOAL, f"the app reached {rss.peak / GB:.2f} GB"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"pasta, not a picture of it", "is not an image the app can read (JPEG, PNG"),
        (photo((300, 200), "PNG")[:300], "damaged or truncated"),
        (photo((300, 200), "JPEG")[:800], "damaged or truncated"),
    ],
    ids=["text", "truncated-png", "truncated-jpeg"],
)
def test_bad_data_is_400_without_addresses_or_paths(
    app_service: Service, data: bytes, expected: str
) -> None:
    answer = upload(app_service.url, data, name="x" * 300 + ".png")
    assert answer.status_code == 400, answer.text
    detail = answer.json()["detail"]
    assert expected in detail
    assert "0x" not in detail and "/" not in detail  # no memory address, no path
    assert len(detail) < 300  # the 300-character name is shortened
