"""The Food-11 loader and the generated sample data set."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from gourmetgram_train import data as data_module
from gourmetgram_train.data import (
    FOOD11_CLASSES,
    SPLITS,
    DataError,
    class_index,
    list_images,
    load_food11,
    slug,
)
from gourmetgram_train.sample_data import (
    LOOKALIKES,
    SAMPLE_COUNTS,
    ensure_sample_dataset,
    looks,
)


@pytest.fixture(scope="module")
def sample_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated sample data set (32 px)."""
    return ensure_sample_dataset(tmp_path_factory.mktemp("cache"), seed=42, size=32)


def tree_digest(root: Path) -> str:
    """One hash over every file's relative path and bytes."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.mark.parametrize(
    ("folder", "index"),
    [
        ("class_00", 0),
        ("class_10", 10),
        ("bread", 0),
        ("Noodles_Pasta", 6),
        ("vegetable-fruit", 10),
    ],
)
def test_class_folders_map_to_food11_indexes(folder: str, index: int) -> None:
    assert class_index(folder) == index


@pytest.mark.parametrize("folder", ["class_11", "class_1", "pizza"])
def test_unknown_class_folder_is_named_in_the_error(folder: str) -> None:
    with pytest.raises(DataError, match=folder):
        class_index(folder)


def test_slug_makes_metric_safe_names() -> None:
    assert [slug(name) for name in FOOD11_CLASSES][5:8] == ["meat", "noodles_pasta", "rice"]


def test_sample_set_has_the_food11_layout_with_png_files(sample_root: Path) -> None:
    for split, count in SAMPLE_COUNTS.items():
        folders = sorted(p.name for p in (sample_root / split).iterdir())
        assert folders == [f"class_{i:02d}" for i in range(11)]
        files = list((sample_root / split / "class_03").iterdir())
        assert len(files) == count
        with Image.open(files[0]) as image:
            assert (image.format, image.mode, image.size) == ("PNG", "RGB", (32, 32))


def test_sample_set_is_the_same_bytes_every_time(sample_root: Path, tmp_path: Path) -> None:
    again = ensure_sample_dataset(tmp_path, seed=42, size=32)
    assert tree_digest(again) == tree_digest(sample_root)
    other_seed = ensure_sample_dataset(tmp_path, seed=7, size=32)
    assert tree_digest(other_seed) != tree_digest(sample_root)


def test_a_fixed_share_of_some_classes_is_drawn_like_another_class() -> None:
    fried, meat, egg = (FOOD11_CLASSES.index(n) for n in ("Fried food", "Meat", "Egg"))
    rng = np.random.default_rng(0)
    drawn_as = looks(fried, 20, rng)
    assert (drawn_as.count(meat), drawn_as.count(fried)) == (4, 16)
    assert drawn_as != looks(fried, 20, rng)  # which pictures: drawn at random
    assert looks(egg, 20, rng) == [egg] * 20  # a class without lookalikes
    # No model can be right on a lookalike: the best evaluation accuracy is 202/220.
    count = SAMPLE_COUNTS["evaluation"]
    lookalikes = sum(round(count * share) for _, share in LOOKALIKES.values())
    assert 1 - lookalikes / (11 * count) == pytest.approx(202 / 220)


def test_sample_set_is_reused_once_written(sample_root: Path) -> None:
    before = (sample_root / "training" / "class_00" / "0000.png").stat().st_mtime_ns
    assert ensure_sample_dataset(sample_root.parent, seed=42, size=32) == sample_root
    assert (sample_root / "training" / "class_00" / "0000.png").stat().st_mtime_ns == before
    assert not list(sample_root.parent.glob(".sample-*")), "staging folder left behind"


def test_loader_reads_all_splits_normalised(sample_root: Path) -> None:
    data = load_food11(sample_root, image_size=16)
    assert data.classes == FOOD11_CLASSES
    assert len(data.training) == 11 * SAMPLE_COUNTS["training"]
    assert data.evaluation.images.shape == (11 * SAMPLE_COUNTS["evaluation"], 3, 16, 16)
    assert data.evaluation.images.dtype == torch.float32
    assert torch.bincount(data.validation.labels).tolist() == [SAMPLE_COUNTS["validation"]] * 11
    # normalised with the training split's statistics: mean ~0 and std ~1 per channel there
    means = data.training.images.mean(dim=(0, 2, 3))
    stds = data.training.images.std(dim=(0, 2, 3))
    assert torch.allclose(means, torch.zeros(3), atol=1e-4)
    assert torch.allclose(stds, torch.ones(3), atol=1e-3)


def test_loader_caps_images_per_class(sample_root: Path) -> None:
    data = load_food11(sample_root, image_size=8, max_per_class=3)
    assert [len(getattr(data, split)) for split in SPLITS] == [33, 33, 33]


def write_png(path: Path, colour: tuple[int, int, int], size: int = 20) -> None:
    """A plain-colour PNG (or JPEG, by suffix)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((size, size, 3), colour, dtype=np.uint8)).save(path)


def test_loader_reads_named_folders_and_jpeg(tmp_path: Path) -> None:
    for split in SPLITS:
        for index, name in enumerate(FOOD11_CLASSES):
            write_png(tmp_path / split / slug(name) / "a.jpg", (index * 20, 0, 0))
    data = load_food11(tmp_path, image_size=4)
    assert data.training.labels.tolist() == list(range(11))
    assert data.source == str(tmp_path)


def test_missing_class_is_reported(tmp_path: Path) -> None:
    for index in range(10):
        write_png(tmp_path / "training" / f"class_{index:02d}" / "a.png", (0, 0, 0))
    with pytest.raises(DataError, match="Vegetable/Fruit"):
        list_images(tmp_path / "training")


def test_missing_split_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="validation"):
        list_images(tmp_path / "validation")


def test_loader_decodes_again_only_what_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for split in SPLITS:
        for index in range(len(FOOD11_CLASSES)):
            write_png(tmp_path / split / f"class_{index:02d}" / "a.png", (index * 20, 0, 0))
    decoded: list[Path] = []
    read_image = data_module.read_image

    def counting_read_image(path: Path, image_size: int) -> np.ndarray:
        decoded.append(path)
        return read_image(path, image_size)

    monkeypatch.setattr(data_module, "read_image", counting_read_image)
    first = load_food11(tmp_path, image_size=4)
    assert len(decoded) == 33
    assert load_food11(tmp_path, image_size=4) is first  # nothing changed: nothing decoded
    assert len(decoded) == 33

    changed = tmp_path / "evaluation" / "class_03" / "a.png"
    write_png(changed, (0, 255, 0))
    stat = changed.stat()  # a later modification time, even on a coarse clock
    os.utime(changed, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = load_food11(tmp_path, image_size=4)
    assert len(decoded) == 66
    assert not torch.equal(second.evaluation.images[3], first.evaluation.images[3])
    assert torch.equal(second.evaluation.images[4], first.evaluation.images[4])

    (tmp_path / "training" / "class_00" / "b.png").write_bytes(changed.read_bytes())
    assert len(load_food11(tmp_path, image_size=4).training) == 12  # a new image is read
