"""Generate a small, deterministic sample data set in the Food-11 layout (PNG files).

Each class has its own look: a dish in the class's colour on a plate. As in real food photos,
some pictures of a class look like another class (a fried cutlet like a steak, fried noodles
like fried rice): a fixed share of the pictures of eight classes is drawn in the look of the
class they are mistaken for. No model can tell those apart, so even a well-trained model
scores at most 202/220 ≈ 0.92 on the evaluation split, and gets those classes wrong more
often than the other three. An undertrained one scores far less.
"""

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
SAMPLE_VERSION = 2  # bump when the drawing changes, so old caches are not reused

# class -> (the class it is mistaken for, share of its pictures drawn in that class's look)
LOOKALIKES: dict[str, tuple[str, float]] = {
    "Bread": ("Dessert", 0.15),
    "Dessert": ("Bread", 0.05),
    "Fried food": ("Meat", 0.20),
    "Meat": ("Fried food", 0.10),
    "Noodles/Pasta": ("Rice", 0.15),
    "Rice": ("Noodles/Pasta", 0.05),
    "Seafood": ("Meat", 0.10),
    "Soup": ("Dairy product", 0.10),
}


def draw_sample(class_index: int, rng: np.random.Generator, size: int) -> np.ndarray:
    """One (size, size, 3) uint8 picture: a 'dish' in the class's colour on a noisy plate.

    The colours go round the hue circle, light and dark in turn, so neighbours differ twice.
    """
    hue = (class_index / len(FOOD11_CLASSES) + rng.uniform(-0.03, 0.03)) % 1.0
    value = rng.uniform(0.75, 0.95) if class_index % 2 == 0 else rng.uniform(0.35, 0.55)
    dish = np.array(colorsys.hsv_to_rgb(hue, rng.uniform(0.55, 0.95), value))
    plate = rng.uniform(0.55, 0.9) * np.ones(3)
    yy, xx = np.mgrid[0:size, 0:size] / size
    cy, cx = rng.uniform(0.4, 0.6, size=2)
    ry, rx = rng.uniform(0.28, 0.4, size=2)
    inside = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1.0
    picture = np.where(inside[..., None], dish, plate)
    picture = picture + rng.normal(0.0, 0.1, size=picture.shape)
    return (np.clip(picture, 0.0, 1.0) * 255).round().astype(np.uint8)


def looks(class_index: int, count: int, rng: np.random.Generator) -> list[int]:
    """The class whose look each of a class's `count` pictures gets: its own, or its lookalike's."""
    drawn_as = [class_index] * count
    name = FOOD11_CLASSES[class_index]
    if name in LOOKALIKES:
        other, share = LOOKALIKES[name]
        for number in rng.choice(count, size=round(count * share), replace=False):
            drawn_as[number] = FOOD11_CLASSES.index(other)
    return drawn_as


def write_sample_dataset(root: Path, seed: int, size: int) -> None:
    """Write split/class_NN/NNNN.png for every split and class under root (which must be new)."""
    for split_number, (split, count) in enumerate(SAMPLE_COUNTS.items()):
        for class_index in range(len(FOOD11_CLASSES)):
            folder = root / split / f"class_{class_index:02d}"
            folder.mkdir(parents=True)
            rng = np.random.default_rng([seed, split_number, class_index])
            for number, look in enumerate(looks(class_index, count, rng)):
                picture = draw_sample(look, rng, size)
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
