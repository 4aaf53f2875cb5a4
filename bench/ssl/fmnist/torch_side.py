#!/usr/bin/python3
"""PyTorch side of bench/ssl/fmnist (run.sh runs it beside the sslkit side,
main.go, whose header states the recipe; this file implements the same one
in PyTorch 1.13 with torchvision 0.14 transforms on 2 threads) and prints one
JSON line with the same fields.

The evaluation is the reference code sslkit/eval is tested against:
weighted_knn of sslkit/eval/testdata/torch_knn.py (k = 20, T = 0.1) on the
backbone features, and scikit-learn's StandardScaler +
LogisticRegression(C = 1/(1e-4·n_train), solver="lbfgs", max_iter=100).

Usage: /usr/bin/python3 bench/ssl/fmnist/torch_side.py --method simclr --epochs 4 --train 4096
"""
import argparse
import gzip
import json
import math
import os
import pathlib
import sys
import time
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision import transforms as T

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "sslkit" / "eval" / "testdata"))
from torch_knn import weighted_knn  # noqa: E402


def read_idx(path):
    """An idx file (gzip or not) as a numpy array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def fashion_mnist(root, train):
    prefix = "train" if train else "t10k"

    def find(stem):
        for suffix in (".gz", ""):
            p = os.path.join(root, stem + suffix)
            if os.path.exists(p):
                return p
        raise FileNotFoundError(os.path.join(root, stem))
    x = read_idx(find(f"{prefix}-images-idx3-ubyte"))
    y = read_idx(find(f"{prefix}-labels-idx1-ubyte"))
    return torch.from_numpy(x.copy()).float().div_(255).unsqueeze(1), torch.from_numpy(y.astype(np.int64))


def small_cnn(features=128):
    """backbone.NewSmallCNN(1, features)."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, features, bias=False), nn.BatchNorm1d(features), nn.ReLU())


def simclr_view():
    """augment.SimCLR(28): one view of SimCLR's CIFAR-strength recipe."""
    return T.Compose([
        T.RandomResizedCrop(28, scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3)),
        T.RandomHorizontalFlip(0.5),
        T.RandomApply([T.ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8),
        T.RandomGrayscale(0.2),
    ])


class TwoViews(torch.utils.data.Dataset):
    def __init__(self, images):
        self.images, self.view = images, simclr_view()

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        x = self.images[i]
        return self.view(x), self.view(x)


def ntxent(z1, z2, tau):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    n = z1.shape[0]
    sim = (z @ z.T / tau).masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
    labels = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, labels)


def barlow(z1, z2, lam=0.0051, eps=1e-5):
    n, d = z1.shape
    a = (z1 - z1.mean(0)) / torch.sqrt(z1.var(0, unbiased=False) + eps)
    b = (z2 - z2.mean(0)) / torch.sqrt(z2.var(0, unbiased=False) + eps)
    c = a.T @ b / n
    on = (torch.diagonal(c) - 1).pow(2).sum()
    off = c.pow(2).sum() - torch.diagonal(c).pow(2).sum()
    return on + lam * off


def groups(model, weight_decay):
    """train.Groups: weights decay, biases and norm parameters do not."""
    decay = [p for p in model.parameters() if p.ndim >= 2]
    other = [p for p in model.parameters() if p.ndim < 2]
    return [{"params": decay, "weight_decay": weight_decay}, {"params": other, "weight_decay": 0.0}]


def recipe(name, net, optimizer=""):
    if name == "simclr":
        proj = nn.Sequential(nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 128))
        model = nn.Sequential(net, proj)
        opt = torch.optim.SGD(groups(model, 5e-4), lr=0.06, momentum=0.9)
        return model, opt, lambda z1, z2: ntxent(z1, z2, 0.5)
    if name == "barlow":
        proj = nn.Sequential(
            nn.Linear(128, 512, bias=False), nn.BatchNorm1d(512), nn.ReLU(),
            nn.Linear(512, 512, bias=False), nn.BatchNorm1d(512), nn.ReLU(),
            nn.Linear(512, 512, bias=False))
        model = nn.Sequential(net, proj)
        opt = torch.optim.AdamW(groups(model, 1e-4), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
        return model, opt, barlow
    raise SystemExit(f"unknown method {name!r} (simclr or barlow)")


def diagnostic_optimizer(model, name):
    if name == "sgd":
        return torch.optim.SGD(groups(model, 5e-4), lr=0.06, momentum=0.9)
    if name == "adamw":
        return torch.optim.AdamW(groups(model, 1e-4), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    raise SystemExit(f"unknown optimizer {name!r} (sgd or adamw)")


@torch.no_grad()
def embed(net, images, batch=256):
    net.eval()
    out = [net(images[i:i + batch]) for i in range(0, len(images), batch)]
    net.train()
    return torch.cat(out)


def linear_probe(ftr, ytr, fte, yte):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    sc = StandardScaler().fit(ftr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = LogisticRegression(C=1 / (1e-4 * len(ytr)), solver="lbfgs", max_iter=100).fit(sc.transform(ftr), ytr)
    return 100.0 * (clf.predict(sc.transform(fte)) == yte).mean()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--method", default="simclr", choices=["simclr", "barlow"])
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--train", type=int, default=4096)
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch", type=int, default=256, help="images per batch")
    ap.add_argument("--workers", type=int, default=1, help="DataLoader worker processes preparing views")
    ap.add_argument("--optimizer", default="", help="diagnostics: sgd or adamw instead of the method's recipe")
    ap.add_argument("--noeval", action="store_true", help="diagnostics: train only (the losses), no evaluation")
    ap.add_argument("--gradnorms", action="store_true", help="diagnostics: log each step's gradient norms")
    a = ap.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(a.seed)

    xtr, ytr = fashion_mnist(a.data, True)
    xte, yte = fashion_mnist(a.data, False)
    xtr, ytr = xtr[:a.train], ytr[:a.train]

    net = small_cnn(128)
    model, opt, loss_fn = recipe(a.method, net)
    if a.optimizer:
        opt = diagnostic_optimizer(model, a.optimizer)
    loader = torch.utils.data.DataLoader(TwoViews(xtr), batch_size=a.batch, shuffle=True, drop_last=False,
                                         num_workers=a.workers, persistent_workers=a.workers > 0)
    total = a.epochs * len(loader)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: (1 + math.cos(math.pi * min(s / total, 1))) / 2)
    print(f"pytorch {a.method}: {len(xtr)} training images, {a.epochs} epochs, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, {a.workers} loader workers", file=sys.stderr)
    model.train()
    step, t0 = 0, time.perf_counter()
    for epoch in range(a.epochs):
        for v1, v2 in loader:
            if v1.shape[0] < 2:
                continue  # as the Trainer's MinBatch: BatchNorm needs two samples
            loss = loss_fn(model(v1), model(v2))
            opt.zero_grad()
            loss.backward()
            if a.gradnorms:
                named = [(n, p.grad.norm().item()) for n, p in model.named_parameters() if p.grad is not None]
                norm = sum(v * v for _, v in named) ** 0.5
                print(f"  grad norm {norm:.4g} (" + ", ".join(f"{n} {v:.4g}" for n, v in named) + ")",
                      file=sys.stderr)
            opt.step()
            sched.step()
            step += 1
            if step % 10 == 0 or step == total or step <= 3:
                print(f"  step {step}/{total} loss {loss.item():.4f} lr {sched.get_last_lr()[0]:.4f} "
                      f"({time.perf_counter() - t0:.0f}s)", file=sys.stderr)
    train_s = time.perf_counter() - t0
    if a.noeval:
        print(json.dumps({"side": "pytorch", "method": a.method, "epochs": a.epochs, "final_loss": loss.item(),
                          "train_s": round(train_s, 2)}))
        return

    t1 = time.perf_counter()
    ftr, fte = embed(net, xtr), embed(net, xte)
    _, knn_top1, _ = weighted_knn(ftr, ytr, fte, yte, 20, 0.1, 10)
    lin_top1 = linear_probe(ftr.numpy(), ytr.numpy(), fte.numpy(), yte.numpy())
    print(json.dumps({
        "side": "pytorch", "method": a.method, "knn_top1": round(knn_top1, 2), "linear_top1": round(lin_top1, 2),
        "epochs": a.epochs, "images_per_s": round(a.epochs * len(xtr) / train_s, 2),
        "train_images": len(xtr), "test_images": len(xte), "final_loss": loss.item(),
        "train_s": round(train_s, 2), "eval_s": round(time.perf_counter() - t1, 2),
        "backend": f"torch {torch.__version__}, {torch.get_num_threads()} threads",
    }))


if __name__ == "__main__":
    main()
