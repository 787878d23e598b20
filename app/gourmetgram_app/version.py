"""The app's version, read from the version file the build writes, and checked."""

from __future__ import annotations

import re
from pathlib import Path

#: What the build's fetch-model step writes: 1.0.N for registered model version N.
VERSION = re.compile(r"\d+\.\d+\.\d+")
MAX_BYTES = 64  # far more than a version needs; a larger file is not one
WRITTEN_BY = "the build's fetch-model step writes it next to the model"


class VersionFileError(RuntimeError):
    """Raised when the version file is missing (404) or does not hold a version (503)."""

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail


def read_version(path: Path) -> str:
    """The version in `path` (e.g. '1.0.7'); VersionFileError says what is wrong and what to do.

    Messages name `path` as configured (MODEL_DIR), never its absolute location.
    """
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise VersionFileError(
            404, f"no version file {path}: {WRITTEN_BY}; set MODEL_DIR if it is elsewhere"
        ) from None
    except OSError as exc:
        raise VersionFileError(
            503, f"cannot read {path} ({exc.strerror or type(exc).__name__}): {WRITTEN_BY}"
        ) from exc
    expected = f"expected one line like '1.0.7' ({WRITTEN_BY})"
    if len(data) > MAX_BYTES:
        raise VersionFileError(503, f"{path} is larger than {MAX_BYTES} bytes: {expected}")
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise VersionFileError(503, f"{path} is not UTF-8 text: {expected}") from None
    if not text:
        raise VersionFileError(503, f"{path} is empty: {expected}")
    if not VERSION.fullmatch(text):
        raise VersionFileError(503, f"{path} holds {text!r}, not a version: {expected}")
    return text
