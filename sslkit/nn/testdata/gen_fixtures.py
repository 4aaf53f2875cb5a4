#!/usr/bin/python3
"""Writes layers.json: PyTorch reference values for sslkit/nn's layer tests.

Run with Debian's python3-torch (1.13, CPU):  /usr/bin/python3 gen_fixtures.py
For each case it records the input, every parameter and buffer, a fixed
projection tensor R, the output y, and the gradients of sum(y * R) with
respect to the input and each parameter (and, in training mode, the running
statistics after the step). The Go tests rebuild the same layer, load these
values by name, and must match to 1e-4 relative. CI does not need torch.
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "internal", "torchref"))
import torchref  # noqa: E402  (shared helpers, imported by path)

torch.manual_seed(0)
torch.set_num_threads(1)


class Fn(nn.Module):
    def __init__(self, f):
        super().__init__()
        self.f = f

    def forward(self, x):
        return self.f(x)


class Residual(nn.Module):
    """Torchvision's BasicBlock/Bottleneck layout, names conv1/bn1/…/downsample."""

    def __init__(self, cin, width, stride, bottleneck):
        super().__init__()
        out = width * 4 if bottleneck else width
        if bottleneck:
            self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(width)
            self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(width)
            self.conv3 = nn.Conv2d(width, out, 1, bias=False)
            self.bn3 = nn.BatchNorm2d(out)
            self.body = [self.conv1, self.bn1, nn.ReLU(), self.conv2, self.bn2, nn.ReLU(), self.conv3, self.bn3]
        else:
            self.conv1 = nn.Conv2d(cin, width, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(width)
            self.conv2 = nn.Conv2d(width, width, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(width)
            self.body = [self.conv1, self.bn1, nn.ReLU(), self.conv2, self.bn2]
        self.downsample = None
        if stride != 1 or cin != out:
            self.downsample = nn.Sequential(nn.Conv2d(cin, out, 1, stride, bias=False), nn.BatchNorm2d(out))

    def forward(self, x):
        y = x
        for m in self.body:
            y = m(y)
        s = x if self.downsample is None else self.downsample(x)
        return F.relu(y + s)


class LearnableBias(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(c))

    def forward(self, x):
        return x + self.bias.view(1, -1, *([1] * (x.dim() - 2)))


def react_sign(x):
    """ReActNet's BinaryActivation: sign forward, 2 - 2|x| gradient on |x| < 1."""
    m1, m2, m3 = (x < -1).float(), (x < 0).float(), (x < 1).float()
    out1 = -1 * m1 + (x * x + 2 * x) * (1 - m1)
    out2 = out1 * m2 + (-x * x + 2 * x) * (1 - m2)
    out3 = out2 * m3 + 1 * (1 - m3)
    return torch.sign(x).detach() - out3.detach() + out3


class RSign(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.move = LearnableBias(c)

    def forward(self, x):
        return react_sign(self.move(x))


class RPReLU(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.shift_in, self.prelu, self.shift_out = LearnableBias(c), nn.PReLU(c), LearnableBias(c)

    def forward(self, x):
        return self.shift_out(self.prelu(self.shift_in(x)))


class HardBinaryConv(nn.Module):
    """ReActNet's HardBinaryConv: detached per-filter mean |W| times sign(W),
    gradient straight through clamp(W, -1, 1)."""

    def __init__(self, cin, cout, k, stride, pad):
        super().__init__()
        self.stride, self.pad = stride, pad
        self.weight = nn.Parameter(torch.randn(cout, cin, k, k) * 0.8)  # some |W| > 1: clipped

    def forward(self, x):
        w = self.weight
        alpha = w.abs().mean(dim=(1, 2, 3), keepdim=True).detach()
        clipped = torch.clamp(w, -1.0, 1.0)
        wb = (alpha * torch.sign(w)).detach() - clipped.detach() + clipped
        return F.conv2d(x, wb, stride=self.stride, padding=self.pad)


def randomize(module):
    # Non-trivial affine parameters and running statistics, so that a
    # mix-up of scale and shift cannot pass.
    with torch.no_grad():
        for name, p in module.named_parameters():
            if p.dim() == 1:  # biases and norm/PReLU weights
                p.copy_(torch.randn_like(p) * 0.5 + (1.0 if name.endswith("weight") else 0.0))
        for name, b in module.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(torch.randn_like(b) * 0.3)
            elif name.endswith("running_var"):
                b.copy_(torch.rand_like(b) + 0.5)


def case(name, module, shape, train=True, prefix="", scale=1.0):
    randomize(module)
    return torchref.layer_case(name, module, torch.randn(*shape) * scale, train, prefix)
def mlp():
    return nn.Sequential(nn.Linear(6, 8, bias=False), nn.BatchNorm1d(8), nn.ReLU(),
                         nn.Linear(8, 8, bias=False), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 4))


cases = [
    case("linear", nn.Linear(5, 3), (4, 5), prefix="fc."),
    case("linear_nobias", nn.Linear(5, 3, bias=False), (4, 5), prefix="fc."),
    case("conv2d", nn.Conv2d(3, 4, 3, stride=2, padding=1), (2, 3, 7, 7), prefix="conv."),
    case("conv2d_dilated", nn.Conv2d(2, 3, 3, padding=2, dilation=2, bias=False), (2, 2, 6, 6), prefix="conv."),
    case("conv2d_floor", nn.Conv2d(2, 3, 3, stride=2, padding=1), (2, 2, 6, 6), prefix="conv."),
    case("conv2d_1x1", nn.Conv2d(4, 6, 1, bias=False), (2, 4, 3, 3), prefix="conv."),
    case("depthwise", nn.Conv2d(3, 3, 5, stride=2, padding=2, groups=3, bias=False), (2, 3, 9, 9), prefix="dw."),
    case("depthwise_bias", nn.Conv2d(4, 4, 3, padding=1, groups=4), (2, 4, 5, 5), prefix="dw."),
    case("batchnorm1d_train", nn.BatchNorm1d(4), (6, 4), prefix="bn."),
    case("batchnorm1d_eval", nn.BatchNorm1d(4), (6, 4), train=False, prefix="bn."),
    case("batchnorm2d_train", nn.BatchNorm2d(3), (4, 3, 5, 5), prefix="bn."),
    case("batchnorm2d_eval", nn.BatchNorm2d(3), (4, 3, 5, 5), train=False, prefix="bn."),
    case("batchnorm2d_noaffine", nn.BatchNorm2d(3, affine=False), (4, 3, 2, 2), prefix="bn."),
    case("layernorm", nn.LayerNorm(8), (2, 5, 8), prefix="ln."),
    case("relu", nn.ReLU(), (3, 7)),
    case("gelu", nn.GELU(), (3, 7), scale=2.0),
    case("silu", nn.SiLU(), (3, 7), scale=2.0),
    case("sigmoid", nn.Sigmoid(), (3, 7), scale=2.0),
    case("prelu", nn.PReLU(3), (2, 3, 4, 4), prefix="act."),
    case("prelu_shared", nn.PReLU(1), (5, 6), prefix="act."),
    case("maxpool_k3s2p1", nn.MaxPool2d(3, 2, 1), (2, 2, 8, 8)),
    case("maxpool_floor", nn.MaxPool2d(3, 2, 1), (1, 2, 6, 6)),
    case("maxpool_k2", nn.MaxPool2d(2), (2, 3, 6, 6)),
    case("avgpool_k3s2p1", nn.AvgPool2d(3, 2, 1), (2, 2, 7, 7)),
    case("avgpool_floor", nn.AvgPool2d(3, 2, 1), (1, 2, 6, 6)),
    case("depthwise_floor", nn.Conv2d(2, 2, 3, stride=2, padding=1, groups=2, bias=False), (1, 2, 6, 6), prefix="dw."),
    case("avgpool_k2", nn.AvgPool2d(2), (2, 3, 6, 6)),
    case("global_avgpool", nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten()), (2, 5, 3, 4)),
    case("mlp_bn", mlp(), (5, 6), prefix="mlp."),
    case("attention", torchref.Attention(8, 2), (2, 5, 8), prefix="attn."),
    case("window_block", torchref.Block(8, 2, 4, 6, 2, 2.0), (2, 24, 8), prefix="blk."),
    case("shifted_window_block", torchref.Block(8, 2, 6, 6, 3, 2.0, shift=1), (2, 36, 8), prefix="blk."),
    case("rsign", RSign(3), (2, 3, 4, 4), prefix="sign.", scale=0.7),
    case("rprelu", RPReLU(3), (2, 3, 4, 4), prefix="act."),
    case("binary_conv", HardBinaryConv(3, 4, 3, 2, 1), (2, 3, 6, 6), prefix="conv."),
    case("basic_block", Residual(4, 8, 2, False), (2, 4, 6, 6), prefix="block."),
    case("basic_block_identity", Residual(4, 4, 1, False), (2, 4, 5, 5), prefix="block."),
    case("bottleneck", Residual(8, 4, 2, True), (2, 8, 6, 6), prefix="block."),
    # Grouped convolution (ResNeXt/RegNet groups, depthwise multipliers,
    # dilated depthwise), pooling options and LayerNorm's eps.
    case("grouped_conv", nn.Conv2d(8, 12, 3, stride=2, padding=1, groups=4), (2, 8, 7, 7), prefix="conv."),
    case("grouped_conv_dilated", nn.Conv2d(6, 6, 3, padding=2, dilation=2, groups=3, bias=False), (2, 6, 6, 6), prefix="conv."),
    case("grouped_conv_1x1", nn.Conv2d(8, 8, 1, groups=2, bias=False), (2, 8, 3, 3), prefix="conv."),
    case("depthwise_multiplier", nn.Conv2d(3, 6, 3, padding=1, groups=3), (2, 3, 5, 5), prefix="dw."),
    case("depthwise_dilated", nn.Conv2d(4, 4, 3, stride=2, padding=2, dilation=2, groups=4, bias=False), (2, 4, 7, 7), prefix="dw."),
    case("avgpool_ceil", nn.AvgPool2d(3, 2, 1, ceil_mode=True), (2, 2, 6, 6)),
    case("avgpool_exclude_pad", nn.AvgPool2d(3, 2, 1, count_include_pad=False), (2, 2, 7, 7)),
    case("avgpool_ceil_exclude_pad", nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False), (1, 2, 6, 6)),
    case("avgpool_ceil_overhang", nn.AvgPool2d(3, 2, ceil_mode=True), (1, 2, 6, 6)),
    case("avgpool_k2_ceil", nn.AvgPool2d(2, ceil_mode=True), (1, 2, 5, 5)),
    case("layernorm_eps", nn.LayerNorm(8, eps=1e-2), (2, 5, 8), prefix="ln.", scale=0.1),
]

torchref.write_layer_fixtures(os.path.join(HERE, "layers.json"), cases)
