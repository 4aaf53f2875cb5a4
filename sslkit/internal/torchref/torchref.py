"""Helpers shared by sslkit's PyTorch fixture generators
(sslkit/*/testdata/gen_fixtures.py): tensor encoding in the format that
sslkit/internal/gradcheck reads, the layer-fixture recorder, the fixture
file writer, and the Swin-style attention block that sslkit/nn and
sslkit/backbone both check against.

The generators import this file by path (it is not an installed package):
    sys.path.insert(0, os.path.join(HERE, "..", "..", "internal", "torchref"))
Nothing here draws random numbers except where a generator asks, so each
generator's random stream, and with it its committed JSON, is unchanged.
"""
import json

import torch
import torch.nn as nn


def tensor(t):
    """A tensor as float32 values: {"shape": [...], "data": [...]}."""
    t = t.detach().float().contiguous()
    return {"shape": list(t.shape), "data": t.flatten().tolist()}


def tensor64(t):
    """A tensor as exact float64 values (the ops and loss fixtures)."""
    t = t.detach().to(torch.float64)
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1)]}


def layer_case(name, module, x, train=True, prefix=""):
    """Records one layer fixture (gradcheck.Fixture): module's state_dict,
    the input x, a random projection R of the output's shape, the output y,
    the gradients of sum(y * R) for x and every parameter that gets one,
    and, in training mode, the buffers after the step. prefix is prepended
    to state_dict names, to match the Go module's naming."""
    module.train(train)
    x.requires_grad_(True)
    params = {prefix + k: tensor(v) for k, v in module.state_dict().items() if not k.endswith("num_batches_tracked")}
    y = module(x)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    out = {
        "name": name,
        "train": train,
        "input": tensor(x),
        "params": params,
        "projection": tensor(r),
        "output": tensor(y),
        "grad_input": tensor(x.grad),
        "grad_params": {prefix + k: tensor(p.grad) for k, p in module.named_parameters() if p.grad is not None},
    }
    if train:
        out["buffers_after"] = {prefix + k: tensor(b) for k, b in module.named_buffers()
                                if not k.endswith("num_batches_tracked")}
    return out


def write_layer_fixtures(path, cases):
    """Writes layer fixtures compactly, with the torch version that made them."""
    with open(path, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
    print("wrote", path, len(cases), "cases")


def write_fixtures(path, cases):
    """Writes op or loss fixtures, naming the generator and torch version."""
    with open(path, "w") as f:
        json.dump({"generator": "gen_fixtures.py", "torch": torch.__version__, "cases": cases}, f)
    print("wrote", len(cases), "cases")


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.proj = (nn.Linear(dim, dim) for _ in range(4))

    def forward(self, x, mask=None):
        b, t, c = x.shape
        d = c // self.heads
        split = lambda y: y.reshape(b, t, self.heads, d).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        a = q @ k.transpose(-2, -1) / d ** 0.5
        if mask is not None:  # Swin: (nW, T, T) over windows, same for every image and head
            nw = mask.shape[0]
            a = (a.view(b // nw, nw, self.heads, t, t) + mask.unsqueeze(1).unsqueeze(0)).view(b, self.heads, t, t)
        a = a.softmax(-1)
        return self.proj((a @ v).transpose(1, 2).reshape(b, t, c))


class Block(nn.Module):
    """Pre-norm block over an h×w token grid with Swin's window partition
    (6-D view/permute) and, with shift > 0, Swin's cyclic shift and
    attention mask."""

    def __init__(self, dim, heads, h, w, win, ratio, shift=0):
        super().__init__()
        self.h, self.w, self.win, self.shift = h, w, win, shift
        self.norm1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential()
        self.mlp.add_module("fc1", nn.Linear(dim, int(dim * ratio)))
        self.mlp.add_module("act", nn.GELU())
        self.mlp.add_module("fc2", nn.Linear(int(dim * ratio), dim))

    def mask(self):
        h, w, s, k = self.h, self.w, self.win, self.shift
        img = torch.zeros(1, h, w, 1)
        cnt = 0
        for hs in (slice(0, -s), slice(-s, -k), slice(-k, None)):
            for ws in (slice(0, -s), slice(-s, -k), slice(-k, None)):
                img[:, hs, ws, :] = cnt
                cnt += 1
        win = img.view(1, h // s, s, w // s, s, 1).permute(0, 1, 3, 2, 4, 5).reshape(-1, s * s)
        m = win.unsqueeze(1) - win.unsqueeze(2)
        return m.masked_fill(m != 0, -100.0).masked_fill(m == 0, 0.0)

    def forward(self, x):
        b, l, c = x.shape
        h, w, s, k = self.h, self.w, self.win, self.shift
        y = self.norm1(x).view(b, h, w, c)
        if k:
            y = torch.roll(y, shifts=(-k, -k), dims=(1, 2))
        y = y.view(b, h // s, s, w // s, s, c).permute(0, 1, 3, 2, 4, 5).reshape(-1, s * s, c)
        y = self.attn(y, self.mask() if k else None)
        y = y.view(b, h // s, w // s, s, s, c).permute(0, 1, 3, 2, 4, 5).reshape(b, h, w, c)
        if k:
            y = torch.roll(y, shifts=(k, k), dims=(1, 2))
        x = x + y.reshape(b, l, c)
        return x + self.mlp(self.norm2(x))
