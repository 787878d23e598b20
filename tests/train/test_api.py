"""The HTTP API's contract as documented (OpenAPI), and the token check."""

from __future__ import annotations

import pytest

from gourmetgram_train.api import create_app, token_matches


@pytest.mark.parametrize(
    ("expected", "given", "ok"),
    [
        (None, None, True),
        (None, "x", True),
        ("", None, True),
        ("tok", "tok", True),
        ("tok", None, False),
        ("tok", "TOK", False),
        ("tok", "tok ", False),
    ],
)
def test_token_check(expected: str | None, given: str | None, ok: bool) -> None:
    assert token_matches(expected, given) is ok


def test_openapi_documents_the_answers_and_the_failing_run() -> None:
    schema = create_app().openapi()
    trigger = schema["paths"]["/trigger-training"]["post"]
    assert {"200", "401", "423", "503"} <= set(trigger["responses"])
    assert trigger["requestBody"].get("required", False) is False  # no body is fine
    epochs = schema["components"]["schemas"]["TriggerRequest"]["properties"]["epochs"]
    assert "0 trains nothing" in epochs["description"]
    response = schema["components"]["schemas"]["TriggerResponse"]
    assert {"status", "new_model_version", "run_id", "metrics"} <= set(response["required"])
    assert "/health" in schema["paths"]
