"""Train the course's small digits CNN and write data/digits_cnn.pt.

    python data/train_digits_cnn.py

Deterministic (fixed seeds, one thread, deterministic algorithms): running it again
writes the same weights. Takes about ten seconds on a CPU. The model class and the loader
are in aisys/models.py; the compression notebook and labs 07/08 use the result.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from aisys.data import load_digits  # noqa: E402
from aisys.models import WEIGHTS, DigitsCNN, accuracy  # noqa: E402

EPOCHS = 40
BATCH = 64
LR = 3e-3
CONFIG = {"c1": 8, "c2": 16, "hidden": 32}


def train() -> DigitsCNN:
    torch.manual_seed(0)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    X_train, X_test, y_train, y_test = load_digits(images=True)
    X, y = torch.from_numpy(X_train), torch.from_numpy(y_train)
    model = DigitsCNN(**CONFIG)
    opt = torch.optim.Adam(model.parameters(), lr=LR, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, EPOCHS)
    gen = torch.Generator().manual_seed(0)
    for epoch in range(EPOCHS):
        model.train()
        order = torch.randperm(len(X), generator=gen)
        for start in range(0, len(X), BATCH):
            idx = order[start:start + BATCH]
            loss = F.cross_entropy(model(X[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        sched.step()
    model.eval()
    print(f"train accuracy {accuracy(model, X_train, y_train):.4f}, "
          f"test accuracy {accuracy(model, X_test, y_test):.4f} "
          f"({sum(p.numel() for p in model.parameters())} parameters)")
    return model


if __name__ == "__main__":
    model = train()
    out = ROOT / "data" / WEIGHTS
    state = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    torch.save({"config": CONFIG, "state_dict": state}, out)
    print(f"wrote {out} ({out.stat().st_size / 1024:.1f} KiB)")
