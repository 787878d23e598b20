"""Read an image data set in the Food-11 layout into normalised tensors."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from PIL import Image

FOOD11_CLASSES: tuple[str, ...] = (
    "Bread",
    "Dairy product",
    "Dessert",
    "Egg",
    "Fried food",
    "Meat",
    "Noodles/Pasta",
    "Rice",
    "Seafood",
    "Soup",
    "Vegetable/Fruit",
)
SPLITS: tuple[str, ...] = ("training", "validation", "evaluation")
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp"})
_NUMBERED = re.compile(r"class_(\d{2})")
FileStamp = tuple[str, int, int, int]  # path, class index, size, modification time (ns)


class DataError(ValueError):
    """Raised when a data folder does not have the Food-11 layout."""


@dataclass(frozen=True)
class Split:
    """One split: images (N, 3, S, S) float32, normalised, and labels (N,) int64."""

    images: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        """Number of images."""
        return int(self.labels.shape[0])


@dataclass(frozen=True)
class Food11Data:
    """The three splits plus what serving needs to preprocess an image the same way."""

    training: Split
    validation: Split
    evaluation: Split
    classes: tuple[str, ...]
    image_size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    source: str


def slug(name: str) -> str:
    """A class name as a folder or metric name: 'Noodles/Pasta' -> 'noodles_pasta'."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def class_index(folder: str) -> int:
    """Food-11 class index of a folder named `class_NN` or after the class ('dairy_product')."""
    numbered = _NUMBERED.fullmatch(folder)
    if numbered and int(numbered.group(1)) < len(FOOD11_CLASSES):
        return int(numbered.group(1))
    slugs = [slug(name) for name in FOOD11_CLASSES]
    if slug(folder) in slugs:
        return slugs.index(slug(folder))
    raise DataError(
        f"folder {folder!r} is not a Food-11 class: name the class folders class_00 … class_10 "
        f"or after the classes ({', '.join(slugs)})"
    )


def list_images(split_dir: Path, max_per_class: int | None = None) -> list[tuple[Path, int]]:
    """(image path, class index) for every image under split_dir, in a stable order."""
    if not split_dir.is_dir():
        raise DataError(f"{split_dir} is missing: expected training/ validation/ evaluation/")
    found: dict[int, list[Path]] = {}
    for folder in sorted(p for p in split_dir.iterdir() if p.is_dir()):
        index = class_index(folder.name)
        if index in found:
            raise DataError(f"{split_dir} has two folders for class {FOOD11_CLASSES[index]!r}")
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        found[index] = files[:max_per_class] if max_per_class else files
    missing = [FOOD11_CLASSES[i] for i in range(len(FOOD11_CLASSES)) if not found.get(i)]
    if missing:
        raise DataError(f"{split_dir} has no images for: {', '.join(missing)}")
    return [(path, index) for index in sorted(found) for path in found[index]]


def read_image(path: Path, image_size: int) -> np.ndarray:
    """One image as uint8 (3, S, S): RGB, resized with PIL's bilinear filter."""
    with Image.open(path) as image:
        rgb = image.convert("RGB").resize((image_size, image_size), Image.Resampling.BILINEAR)
        return np.asarray(rgb, dtype=np.uint8).transpose(2, 0, 1)


def read_images(
    items: Sequence[tuple[Path, int]], image_size: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Images scaled to [0, 1] (N, 3, S, S) float32 and their labels (N,) int64."""
    pixels = np.stack([read_image(path, image_size) for path, _ in items])
    images = torch.from_numpy(pixels).float().div_(255.0)
    labels = torch.tensor([index for _, index in items], dtype=torch.int64)
    return images, labels


def channel_stats(images: torch.Tensor) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-channel mean and standard deviation of (N, 3, S, S) images."""
    mean = images.mean(dim=(0, 2, 3))
    std = images.std(dim=(0, 2, 3)).clamp_min(1e-3)
    return tuple(round(v, 6) for v in mean.tolist()), tuple(round(v, 6) for v in std.tolist())


def normalise(
    images: torch.Tensor, mean: tuple[float, ...], std: tuple[float, ...]
) -> torch.Tensor:
    """Subtract the per-channel mean and divide by the standard deviation."""
    return (images - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1)


def load_food11(
    root: Path, image_size: int, max_per_class: int | None = None, source: str | None = None
) -> Food11Data:
    """Read training/ validation/ evaluation/ under root; normalise with training statistics.

    The images are decoded again only when they changed: a call that finds the same files as
    the last one (paths, sizes and modification times) returns the last result. Its tensors are
    shared, so callers must not modify them in place.
    """
    listing = tuple(
        (
            split,
            tuple(_stamp(path, index) for path, index in list_images(root / split, max_per_class)),
        )
        for split in SPLITS
    )
    return _decode_food11(listing, image_size, source or str(root))


def _stamp(path: Path, index: int) -> FileStamp:
    """What identifies one image file's content without reading it (as rsync and make do)."""
    stat = path.stat()
    return str(path), index, stat.st_size, stat.st_mtime_ns


@lru_cache(maxsize=1)  # the last data set only: what repeated triggers read
def _decode_food11(
    listing: tuple[tuple[str, tuple[FileStamp, ...]], ...], image_size: int, source: str
) -> Food11Data:
    """Decode and normalise the listed images (the work load_food11 avoids repeating)."""
    raw = {
        split: read_images([(Path(stamp[0]), stamp[1]) for stamp in stamps], image_size)
        for split, stamps in listing
    }
    mean, std = channel_stats(raw["training"][0])
    splits = {
        split: Split(normalise(images, mean, std), labels)
        for split, (images, labels) in raw.items()
    }
    return Food11Data(
        **splits,
        classes=FOOD11_CLASSES,
        image_size=image_size,
        mean=mean,
        std=std,
        source=source,
    )
