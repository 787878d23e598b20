"""Start the app: ``python -m gourmetgram_app`` (HOST, PORT, MODEL_DIR from the environment)."""

from __future__ import annotations

import logging
import sys

import uvicorn

from gourmetgram_app.api import create_app
from gourmetgram_app.model import ModelLoadError, load_serving_model
from gourmetgram_app.settings import get_settings


def main() -> int:
    """Load the model, then serve until stopped; 1 when the model cannot be loaded."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s")
    settings = get_settings()
    try:
        model = load_serving_model(settings.model_dir)
    except ModelLoadError as error:
        print(f"gourmetgram_app: cannot start: {error}", file=sys.stderr)
        return 1
    logging.info(
        "loaded %s from %s", model.metadata.get("model_name", "the model"), settings.model_dir
    )
    uvicorn.run(create_app(model), host=settings.host, port=settings.port, log_level="info")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
