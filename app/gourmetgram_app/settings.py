"""The app's configuration, read once from the environment (HOST, PORT, MODEL_DIR, limits)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

VERSION_FILE = "version.txt"


class Settings(BaseSettings):
    """Where the app listens and where it finds the model (relative to its working directory)."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, protected_namespaces=())

    host: str = "0.0.0.0"
    port: int = Field(default=8000, ge=1, le=65535)
    model_dir: Path = Path("model")
    max_image_pixels: int = Field(
        default=40_000_000,
        ge=1,
        description="The most pixels an uploaded image may have (from its header, checked "
        "before decoding); more gets 413. 40 MP is more than most cameras save, and the model "
        "sees only image_size × image_size pixels.",
    )
    decode_slots: int = Field(
        default=2,
        ge=1,
        le=64,
        description="How many uploads are decoded at once; the others wait. With 40 MP images "
        "each decode may take ~330 MB, so 2 slots keep the app under 1.5 GB whatever arrives.",
    )

    @property
    def version_file(self) -> Path:
        """The file that holds the app's version, ``1.0.N`` for model version N."""
        return self.model_dir / VERSION_FILE


@lru_cache
def get_settings() -> Settings:
    """The settings of this process (cached; tests override the dependency)."""
    return Settings()
