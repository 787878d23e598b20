"""The HTTP API: POST /predict, GET /test, GET /version, GET /health."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, File, HTTPException, Request, UploadFile
from PIL import Image, UnidentifiedImageError
from pydantic import BaseModel

from gourmetgram_app.model import ServingModel
from gourmetgram_app.settings import Settings, get_settings

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
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


def create_app(model: ServingModel) -> FastAPI:
    """The FastAPI application serving ``model``."""
    app = FastAPI(title="GourmetGram", summary="Food-11 image classification")
    app.state.model = model

    @app.get("/health")
    def health(model: Annotated[ServingModel, Depends(get_model)]) -> Health:
        """Liveness: answers once the model is loaded."""
        return Health(status="ok", model_name=model.metadata.get("model_name"))

    @app.get("/version")
    def version(settings: Annotated[Settings, Depends(get_settings)]) -> Version:
        """The version file written by the build (``model/version.txt``)."""
        path = settings.version_file
        if not path.is_file():
            raise HTTPException(
                status_code=404,
                detail=(
                    f"no version file at {path} (resolved: {path.resolve()}): the build's "
                    "fetch-model step writes it next to the model; set MODEL_DIR if it is elsewhere"
                ),
            )
        return Version(model_version=path.read_text(encoding="utf-8").strip())

    @app.post("/predict")
    def predict(
        file: Annotated[UploadFile, File(description="a food photo (JPEG, PNG, ...)")],
        model: Annotated[ServingModel, Depends(get_model)],
    ) -> Prediction:
        """Classify an uploaded image."""
        data = file.file.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise HTTPException(
                status_code=413, detail=f"upload larger than {MAX_UPLOAD_BYTES} bytes"
            )
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                return classify(model, image)
        except (UnidentifiedImageError, OSError) as error:
            raise HTTPException(
                status_code=400,
                detail=f"{file.filename or 'the upload'} is not an image Pillow can read: {error}",
            ) from error

    @app.get("/test")
    def test(model: Annotated[ServingModel, Depends(get_model)]) -> Prediction:
        """Classify the test image bundled with the app."""
        with Image.open(TEST_IMAGE) as image:
            return classify(model, image)

    return app
