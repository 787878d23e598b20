"""Evaluation metrics computed from a model's predictions on held-out data."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from gourmetgram_train.data import Split, slug


@dataclass(frozen=True)
class Evaluation:
    """Accuracy, mean cross-entropy loss and accuracy per class on one split."""

    accuracy: float
    loss: float
    per_class_accuracy: dict[str, float]

    def as_metrics(self) -> dict[str, float]:
        """Flat MLflow metric names: accuracy, loss, accuracy_<class>."""
        per_class = {f"accuracy_{slug(name)}": v for name, v in self.per_class_accuracy.items()}
        return {"accuracy": self.accuracy, "loss": self.loss, **per_class}


def per_class_accuracy(
    predictions: torch.Tensor, labels: torch.Tensor, classes: tuple[str, ...]
) -> dict[str, float]:
    """Fraction of each class's images predicted right (NaN for a class with no images)."""
    result = {}
    for index, name in enumerate(classes):
        mask = labels == index
        count = int(mask.sum())
        hits = int((predictions[mask] == index).sum())
        result[name] = hits / count if count else float("nan")
    return result


@torch.no_grad()
def predict_logits(model: nn.Module, images: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    """Logits of model in eval mode for all images, on the model's device, returned on CPU."""
    model.eval()
    device = next(model.parameters()).device
    chunks = [
        model(images[i : i + batch_size].to(device)).cpu()
        for i in range(0, len(images), batch_size)
    ]
    return torch.cat(chunks) if chunks else torch.empty(0)


def evaluate(model: nn.Module, data: Split, classes: tuple[str, ...]) -> Evaluation:
    """Evaluate model on data: accuracy, loss and per-class accuracy."""
    if len(data) == 0:
        raise ValueError("cannot evaluate on an empty split")
    logits = predict_logits(model, data.images)
    predictions = logits.argmax(dim=1)
    return Evaluation(
        accuracy=float((predictions == data.labels).float().mean()),
        loss=float(nn.functional.cross_entropy(logits, data.labels)),
        per_class_accuracy=per_class_accuracy(predictions, data.labels, classes),
    )
