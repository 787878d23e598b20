"""The training loop: mini-batch SGD with Adam on a Split, seeded and device-aware."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn

from gourmetgram_train.data import Split

EpochCallback = Callable[[int, float], None]
BatchHook = Callable[[], None]


def fit(
    model: nn.Module,
    data: Split,
    *,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    seed: int,
    device: torch.device,
    on_epoch: EpochCallback | None = None,
    before_batch: BatchHook | None = None,
) -> list[float]:
    """Train model in place for `epochs` passes over data; return the mean loss of each epoch.

    Args:
        model: the network to train (moved to `device`).
        data: normalised training images and labels.
        epochs: passes over the data; 0 leaves the model untrained.
        batch_size: images per optimiser step.
        learning_rate: Adam's step size at the start, lowered to 0 along a cosine by the end.
        seed: seeds the shuffling, so the same inputs give the same model.
        device: where to train.
        on_epoch: called with (epoch number from 1, mean loss) after each epoch.
        before_batch: called before each optimiser step; an exception it raises stops
            training there and propagates (the service's stop check).

    Returns:
        The mean training loss of each epoch.
    """
    model.to(device).train()
    optimiser = torch.optim.Adam(model.parameters(), lr=learning_rate)
    # Smaller and smaller steps let the model settle at the end of the run instead of still
    # jumping between solutions, so fewer epochs are needed and the result is stable.
    steps = epochs * math.ceil(len(data) / batch_size)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=max(steps, 1))
    loss_fn = nn.CrossEntropyLoss()
    shuffle = torch.Generator().manual_seed(seed)
    images, labels = data.images.to(device), data.labels.to(device)
    losses = []
    for epoch in range(1, epochs + 1):
        order = torch.randperm(len(data), generator=shuffle).to(device)
        total = 0.0
        for start in range(0, len(data), batch_size):
            if before_batch:
                before_batch()
            batch = order[start : start + batch_size]
            optimiser.zero_grad()
            loss = loss_fn(model(images[batch]), labels[batch])
            loss.backward()
            optimiser.step()
            schedule.step()
            total += loss.item() * len(batch)
        losses.append(total / len(data))
        if on_epoch:
            on_epoch(epoch, losses[-1])
    return losses
