"""Hostile trigger bodies: NaN, huge, chunked, malformed without a token; no echo in answers."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

pytestmark = pytest.mark.slow
JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_epochs_are_422(training_service, number: str) -> None:
    with training_service.client() as client:
        answer = client.post("/trigger-training", content=f'{{"epochs": {number}}}', headers=JSON)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == ["body", "epochs"]


def test_a_large_body_is_413_and_not_echoed(training_service) -> None:
    body = b'{"epochs": "' + b"9" * 10_000_000 + b'"}'
    with training_service.client() as client:
        answer = client.post("/trigger-training", content=body, headers=JSON)
        assert client.get("/health").json()["training_in_progress"] is False
    assert answer.status_code == 413
    assert len(answer.content) < 1000


def test_a_large_chunked_body_is_413(training_service) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"epochs": "'
        for _ in range(100):
            yield b"9" * 100_000
        yield b'"}'

    with training_service.client() as client:
        answer = client.post("/trigger-training", content=chunks(), headers=JSON)
    assert answer.status_code == 413
    assert len(answer.content) < 1000


def test_validation_errors_do_not_echo_the_input(training_service) -> None:
    with training_service.client() as client:
        answer = client.post("/trigger-training", json={"epochs": "x" * 3000})
    assert answer.status_code == 422
    assert "xxx" not in answer.text and answer.json()["detail"][0]["loc"] == ["body", "epochs"]


@pytest.mark.parametrize("body", [b'{"epochs": ', b"\xff\xfe", b'{"epochs": NaN}'])
def test_without_the_token_any_body_is_401(training_service, body: bytes) -> None:
    with httpx.Client(base_url=training_service.url, timeout=30) as client:
        answer = client.post("/trigger-training", content=body, headers=JSON)
    assert answer.status_code == 401, answer.text
    assert "TRIGGER_TOKEN" in answer.json()["detail"]


def test_with_the_token_malformed_json_is_422(training_service) -> None:
    with training_service.client() as client:
        answer = client.post("/trigger-training", content=b'{"epochs": ', headers=JSON)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["type"] == "json_invalid"
