"""The small CNN, the training loop and the evaluation metrics."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from gourmetgram_train.data import Split
from gourmetgram_train.evaluation import evaluate, per_class_accuracy
from gourmetgram_train.model import SmallCNN, build_model, pick_device
from gourmetgram_train.training import fit


@pytest.mark.parametrize(("batch", "size"), [(1, 32), (5, 32), (2, 64)])
def test_model_maps_images_to_eleven_logits(batch: int, size: int) -> None:
    logits = SmallCNN(num_classes=11)(torch.randn(batch, 3, size, size))
    assert logits.shape == (batch, 11)


def test_same_seed_same_weights() -> None:
    first, second, other = build_model(11, 1), build_model(11, 1), build_model(11, 2)
    assert all(
        torch.equal(a, b) for a, b in zip(first.parameters(), second.parameters(), strict=True)
    )
    assert not torch.equal(next(first.parameters()), next(other.parameters()))


def test_pooling_before_relu_computes_what_relu_before_pooling_does() -> None:
    """The model pools before its ReLUs to save time; outputs and gradients stay the same."""
    model = build_model(11, 0)
    f = model.features
    classic = nn.Sequential(f[0], f[2], f[1], f[3], f[5], f[4], *f[6:])  # conv, ReLU, pool, ...
    assert [type(f[i]) for i in (1, 2, 4, 5)] == [nn.MaxPool2d, nn.ReLU] * 2
    images = torch.randn(8, 3, 32, 32)
    grads = []
    for features in (f, classic):
        model.zero_grad()
        out = features(images)
        out.sum().backward()
        grads.append((out.detach(), [p.grad.clone() for p in features.parameters()]))
    (ours, our_grads), (theirs, their_grads) = grads
    assert torch.equal(ours, theirs)
    assert all(torch.equal(a, b) for a, b in zip(our_grads, their_grads, strict=True))


def test_cpu_is_picked_when_asked() -> None:
    assert pick_device("cpu") == torch.device("cpu")
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert pick_device("auto").type == expected


class FixedLogits(nn.Module):
    """A 'model' that returns the logits stored for each input index."""

    def __init__(self, logits: torch.Tensor) -> None:
        super().__init__()
        self.logits = nn.Parameter(logits, requires_grad=False)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Look up each image's logits by the index stored in its first pixel."""
        return self.logits[images[:, 0, 0, 0].long()]


def test_metrics_on_a_hand_made_case() -> None:
    # 3 classes, 5 images: labels 0 0 1 1 2, predictions 0 1 1 1 0 -> 3/5 right
    classes = ("a", "b", "c")
    labels = torch.tensor([0, 0, 1, 1, 2])
    logits = torch.tensor(
        [[2.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 3.0, 0.0], [0.0, 1.0, 0.5], [1.0, 0.0, 0.0]]
    )
    images = torch.arange(5, dtype=torch.float32).view(5, 1, 1, 1).expand(5, 3, 2, 2)
    result = evaluate(FixedLogits(logits), Split(images.contiguous(), labels), classes)
    assert result.accuracy == pytest.approx(0.6)
    assert result.per_class_accuracy == {"a": 0.5, "b": 1.0, "c": 0.0}
    expected_loss = nn.functional.cross_entropy(logits, labels).item()
    assert result.loss == pytest.approx(expected_loss)
    assert result.as_metrics()["accuracy_b"] == 1.0


def test_class_without_images_has_nan_accuracy() -> None:
    result = per_class_accuracy(torch.tensor([0, 0]), torch.tensor([0, 1]), ("a", "b", "c"))
    assert result["a"] == 1.0 and result["b"] == 0.0 and math.isnan(result["c"])


def separable_split(n_per_class: int = 20) -> Split:
    """Two classes told apart by brightness."""
    generator = torch.Generator().manual_seed(0)
    dark = torch.rand(n_per_class, 3, 8, 8, generator=generator) - 1.0
    bright = torch.rand(n_per_class, 3, 8, 8, generator=generator) + 1.0
    labels = torch.tensor([0] * n_per_class + [1] * n_per_class)
    return Split(torch.cat([dark, bright]), labels)


def test_training_learns_and_is_reproducible() -> None:
    data = separable_split()
    runs = []
    for _ in range(2):
        model = build_model(2, seed=3)
        losses = fit(
            model,
            data,
            epochs=4,
            batch_size=8,
            learning_rate=0.01,
            seed=3,
            device=torch.device("cpu"),
        )
        runs.append((losses, evaluate(model, data, ("dark", "bright")).accuracy))
    assert runs[0] == runs[1]
    losses, accuracy = runs[0]
    assert losses[-1] < losses[0]
    assert accuracy == 1.0


def test_zero_epochs_leaves_the_model_untrained() -> None:
    data = separable_split()
    model = build_model(2, seed=3)
    before = [p.clone() for p in model.parameters()]
    seen = []
    assert (
        fit(
            model,
            data,
            epochs=0,
            batch_size=8,
            learning_rate=0.01,
            seed=3,
            device=torch.device("cpu"),
            on_epoch=lambda *args: seen.append(args),
        )
        == []
    )
    assert seen == []
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
