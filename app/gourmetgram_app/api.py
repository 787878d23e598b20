"""The HTTP API: POST /predict, GET /test, GET /version, GET /health."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import anyio.to_thread
from fastapi import Depends, FastAPI, File, HTTPException, Request, UploadFile
from PIL import Image
from pydantic import BaseModel
from starlette.middleware.body_limit import RequestBodyLimitMiddleware

from gourmetgram_app.images import ImageRejectedError, open_image
from gourmetgram_app.model import ServingModel
from gourmetgram_app.settings import Settings, get_settings
from gourmetgram_app.version import VersionFileError, read_version

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
#: The whole request: the upload plus its multipart framing (boundaries, part headers).
MAX_BODY_BYTES = MAX_UPLOAD_BYTES + 64 * 1024
MAX_NAME_CHARS = 80  # of an upload's file name, in messages
TEST_IMAGE = Path(__file__).parent / "static" / "test.jpg"


class Prediction(BaseModel):
    """The most likely Food-11 class and every class's probability."""

    prediction: str
    probabilities: dict[str, float]


class Version(BaseModel):
    """The app's version: 1.0.N for registered model version N."""

    model_version: str


class Health(BaseModel):
    """The app is up and its model is loaded."""

    status: str
    model_name: str | None = None


def get_model(request: Request) -> ServingModel:
    """The model loaded at start-up."""
    return request.app.state.model


def classify(model: ServingModel, image: Image.Image) -> Prediction:
    """Predict one image."""
    (probabilities,) = model.predict([image])
    return Prediction(
        prediction=max(probabilities, key=probabilities.__getitem__), probabilities=probabilities
    )


def classify_upload(model: ServingModel, data: bytes, name: str, settings: Settings) -> Prediction:
    """Decode and classify an uploaded file; HTTPException 400 or 413 when it cannot be."""
    try:
        with open_image(data, name, settings.max_image_pixels, model.image_size) as image:
            return classify(model, image)
    except ImageRejectedError as error:
        raise HTTPException(status_code=error.status_code, detail=str(error)) from error


def upload_name(file: UploadFile) -> str:
    """How messages name an upload: its file name, shortened."""
    name = file.filename or "the upload"
    return name if len(name) <= MAX_NAME_CHARS else name[: MAX_NAME_CHARS - 1] + "…"


def create_app(model: ServingModel, settings: Settings | None = None) -> FastAPI:
    """The FastAPI application serving ``model``."""
    settings = settings or get_settings()
    app = FastAPI(title="GourmetGram", summary="Food-11 image classification")
    # A larger request is refused as it arrives, before anything is parsed or stored.
    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=MAX_BODY_BYTES)
    app.state.model = model
    # Decoding is what costs memory: at most DECODE_SLOTS images at once, the rest wait.
    decode_slots = anyio.CapacityLimiter(settings.decode_slots)

    async def classify_in_slot(data: bytes, name: str) -> Prediction:
        return await anyio.to_thread.run_sync(
            classify_upload, model, data, name, settings, limiter=decode_slots
        )

    @app.get("/health")
    def health(model: Annotated[ServingModel, Depends(get_model)]) -> Health:
        """Liveness: answers once the model is loaded."""
        return Health(status="ok", model_name=model.metadata.get("model_name"))

    @app.get("/version")
    def version(settings: Annotated[Settings, Depends(get_settings)]) -> Version:
        """The version file written by the build (``model/version.txt``): 404 or 503 if bad."""
        try:
            return Version(model_version=read_version(settings.version_file))
        except VersionFileError as error:
            raise HTTPException(status_code=error.status_code, detail=error.detail) from error

    @app.post("/predict")
    async def predict(
        file: Annotated[UploadFile, File(description="a food photo (JPEG, PNG, ...)")],
    ) -> Prediction:
        """Classify an uploaded image: 400 if it is not one, 413 if it is too large."""
        data = await file.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise HTTPException(
                status_code=413, detail=f"upload larger than {MAX_UPLOAD_BYTES} bytes"
            )
        return await classify_in_slot(data, upload_name(file))

    @app.get("/test")
    async def test() -> Prediction:
        """Classify the test image bundled with the app."""
        return await classify_in_slot(TEST_IMAGE.read_bytes(), TEST_IMAGE.name)

    return app
