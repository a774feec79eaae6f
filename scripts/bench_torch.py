"""The PyTorch contender: the same networks in PyTorch CPU eager mode, float32, `torch.optim.Adam(lr=1e-3)`.

A step is what a PyTorch user writes: zero the gradients, forward, cross-entropy loss, backward, optimizer step.
Inputs are converted to tensors once, outside the timed step, as a DataLoader would have done.
Imported only by the worker process that runs this contender, and only when torch is installed.
"""

from __future__ import annotations

from typing import Callable

import bench_data

import torch
from torch import nn


def _step_fn(model: nn.Module, flat: bool, seed: int) -> Callable[[], None]:
    batches = [(torch.from_numpy(x), torch.from_numpy(t)) for x, t in bench_data.batches(seed, flat)]
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    i = 0

    def step() -> None:
        nonlocal i
        x, t = batches[i % len(batches)]
        i += 1
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), t)
        loss.backward()
        opt.step()

    return step


def mlp(seed: int) -> Callable[[], None]:
    """TwoLayerNet(784, 50, 10) as nn.Sequential: Linear, ReLU, Linear."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(784, 50), nn.ReLU(), nn.Linear(50, 10))
    return _step_fn(model, flat=True, seed=seed)


def cnn(seed: int) -> Callable[[], None]:
    """SimpleConvNet: conv 30x5x5, ReLU, max pool 2x2 stride 2, affine 100, ReLU, affine 10."""
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
        nn.Linear(30 * 12 * 12, 100), nn.ReLU(), nn.Linear(100, 10),
    )
    return _step_fn(model, flat=False, seed=seed)


def info() -> dict:
    return {"torch": torch.__version__, "torch_threads": torch.get_num_threads(),
            "torch_interop_threads": torch.get_num_interop_threads()}
