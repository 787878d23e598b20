"""Generate a small, deterministic sample data set in the Food-11 layout (PNG files)."""

from __future__ import annotations

import colorsys
import shutil
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from gourmetgram_train.data import FOOD11_CLASSES

# Images per class in each split: enough for a small CNN to learn the classes in seconds.
SAMPLE_COUNTS: dict[str, int] = {"training": 40, "validation": 10, "evaluation": 20}
SAMPLE_VERSION = 1  # bump when the drawing changes, so old caches are not reused


def draw_sample(class_index: int, rng: np.random.Generator, size: int) -> np.ndarray:
    """One (size, size, 3) uint8 picture: a 'dish' in the class's colour on a noisy plate."""
    hue = (class_index / len(FOOD11_CLASSES) + rng.uniform(-0.03, 0.03)) % 1.0
    dish = np.array(colorsys.hsv_to_rgb(hue, rng.uniform(0.45, 0.95), rng.uniform(0.55, 0.95)))
    plate = rng.uniform(0.55, 0.9) * np.ones(3)
    yy, xx = np.mgrid[0:size, 0:size] / size
    cy, cx = rng.uniform(0.35, 0.65, size=2)
    ry, rx = rng.uniform(0.18, 0.32, size=2)
    inside = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1.0
    picture = np.where(inside[..., None], dish, plate)
    picture = picture + rng.normal(0.0, 0.1, size=picture.shape)
    return (np.clip(picture, 0.0, 1.0) * 255).round().astype(np.uint8)


def write_sample_dataset(root: Path, seed: int, size: int) -> None:
    """Write split/class_NN/NNNN.png for every split and class under root (which must be new)."""
    for split_number, (split, count) in enumerate(SAMPLE_COUNTS.items()):
        for class_index in range(len(FOOD11_CLASSES)):
            folder = root / split / f"class_{class_index:02d}"
            folder.mkdir(parents=True)
            rng = np.random.default_rng([seed, split_number, class_index])
            for number in range(count):
                picture = draw_sample(class_index, rng, size)
                Image.fromarray(picture).save(folder / f"{number:04d}.png", optimize=False)


def ensure_sample_dataset(cache_dir: Path, seed: int = 42, size: int = 32) -> Path:
    """Path of the sample data set under cache_dir, generating it once (atomically) if needed."""
    target = cache_dir / f"sample-food11-v{SAMPLE_VERSION}-seed{seed}-{size}px"
    if target.is_dir():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".sample-", dir=cache_dir))
    try:
        write_sample_dataset(staging / "data", seed, size)
        try:
            (staging / "data").rename(target)
        except OSError:
            if not target.is_dir():  # not a concurrent writer that finished first
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
