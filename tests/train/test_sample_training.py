"""The generated sample set with the real training loop: a realistic accuracy, run after run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from gourmetgram_train.config import Settings
from gourmetgram_train.data import Food11Data, load_food11
from gourmetgram_train.evaluation import Evaluation, evaluate
from gourmetgram_train.model import build_model
from gourmetgram_train.sample_data import LOOKALIKES, ensure_sample_dataset
from gourmetgram_train.training import fit

pytestmark = pytest.mark.slow
DEFAULTS = {name: field.default for name, field in Settings.model_fields.items()}


@pytest.fixture(scope="module", autouse=True)
def default_threads() -> Iterator[None]:
    """Train on the CPU threads the service uses by default (TORCH_THREADS)."""
    before = torch.get_num_threads()
    torch.set_num_threads(DEFAULTS["torch_threads"])
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Food11Data:
    """The sample set the service generates with its default seed and image size."""
    cache = tmp_path_factory.mktemp("cache")
    root = ensure_sample_dataset(cache, seed=DEFAULTS["seed"], size=DEFAULTS["image_size"])
    return load_food11(Path(root), DEFAULTS["image_size"])


def train_and_evaluate(data: Food11Data, epochs: int) -> Evaluation:
    """What one trigger does with the default settings: build, fit, evaluate."""
    model = build_model(len(data.classes), DEFAULTS["seed"])
    fit(
        model,
        data.training,
        epochs=epochs,
        batch_size=DEFAULTS["batch_size"],
        learning_rate=DEFAULTS["learning_rate"],
        seed=DEFAULTS["seed"],
        device=torch.device("cpu"),
    )
    return evaluate(model, data.evaluation, data.classes)


def test_default_run_passes_with_a_realistic_accuracy_every_time(sample: Food11Data) -> None:
    first = train_and_evaluate(sample, DEFAULTS["epochs"])
    second = train_and_evaluate(sample, DEFAULTS["epochs"])
    assert first == second  # the same seed: the same accuracy, loss and per-class accuracy
    assert 0.85 <= first.accuracy <= 0.95
    assert first.accuracy >= DEFAULTS["accuracy_threshold"]
    # What it gets wrong are the classes with lookalikes; the others it learns.
    with_lookalikes = [first.per_class_accuracy[name] for name in LOOKALIKES]
    others = [v for name, v in first.per_class_accuracy.items() if name not in LOOKALIKES]
    assert min(others) >= 0.95
    assert sum(with_lookalikes) / len(with_lookalikes) < first.accuracy


def test_one_epoch_is_too_little_training_and_fails_the_gate(sample: Food11Data) -> None:
    result = train_and_evaluate(sample, 1)
    assert result.accuracy < DEFAULTS["accuracy_threshold"] - 0.2
    assert result.accuracy > 1 / 11  # it learned something, just not enough
