"""Settings from the environment, with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from gourmetgram_train.config import ConfigurationError, load_settings

SERVICE_VARS = [
    "MLFLOW_TRACKING_URI",
    "TRIGGER_TOKEN",
    "DATA_DIR",
    "ACCURACY_THRESHOLD",
    "MODEL_NAME",
    "EPOCHS",
    "PORT",
    "HOST",
    "STATE_DIR",
]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No service variable leaks in from the shell running the tests."""
    for name in SERVICE_VARS:
        monkeypatch.delenv(name, raising=False)


def test_missing_tracking_uri_says_what_to_set() -> None:
    with pytest.raises(ConfigurationError) as excinfo:
        load_settings()
    message = str(excinfo.value)
    assert "MLFLOW_TRACKING_URI is not set" in message
    assert "-e MLFLOW_TRACKING_URI=http://" in message


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", " http://10.0.0.5:8000/ ")
    settings = load_settings()
    assert settings.mlflow_tracking_uri == "http://10.0.0.5:8000/"
    assert settings.accuracy_threshold == 0.80
    assert settings.model_name == "GourmetGramFood11Model"
    assert (settings.host, settings.port) == ("0.0.0.0", 8000)
    assert settings.trigger_token is None and settings.data_dir is None


def test_values_are_read_and_token_is_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://mlflow:8000")
    monkeypatch.setenv("TRIGGER_TOKEN", "s3cret")
    monkeypatch.setenv("DATA_DIR", "/data/food11")
    monkeypatch.setenv("ACCURACY_THRESHOLD", "0.5")
    monkeypatch.setenv("EPOCHS", "3")
    settings = load_settings()
    assert settings.data_dir == Path("/data/food11")
    assert (settings.accuracy_threshold, settings.epochs) == (0.5, 3)
    assert settings.trigger_token.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ACCURACY_THRESHOLD", "1.5"),
        ("EPOCHS", "-1"),
        ("PORT", "http"),
        ("MLFLOW_TRACKING_URI", " "),
    ],
)
def test_bad_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://mlflow:8000")
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=name):
        load_settings()
