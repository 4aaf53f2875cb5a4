#!/usr/bin/python3
"""Writes init_stats.json: the statistics of torchvision's freshly
initialised efficientnet_b0 and resnet18 (no pretrained weights), pooled by
layer class, for sslkit/backbone's init test.

torchvision (0.14, torchvision/models/efficientnet.py EfficientNet.__init__)
initialises every Conv2d with kaiming_normal_(mode="fan_out") and a zero
bias — squeeze-excitation convolutions included — with PyTorch's fan-out
size(0)·k·k, which is not divided by the groups (torch.nn.init.
_calculate_fan_in_and_fan_out), so a depthwise 3×3 on 32 channels has std
√(2/288) ≈ 0.083; BatchNorm with ones and zeros; and the classifier Linear
with U(±1/√out_features) and a zero bias. ResNet (torchvision/models/
resnet.py) uses kaiming_normal_(fan_out, relu) for convolutions and leaves
the fc layer at PyTorch's default U(±1/√in_features).

For each class the file gives the number of elements, the pooled root mean
square (√(Σw²/n)) measured over several seeds, the root mean square those
init rules predict (expected_rms, from torch's own fan computation; the
script checks that the measured value agrees with it within 3%), and the
largest |bias|. Run with Debian's python3-torch / python3-torchvision:
    /usr/bin/python3 init_stats.py
"""
import json
import math
import os

import torch
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = 8


def efficientnet_class(name, shape):
    """The layer class of an EfficientNet-B0 weight, by torchvision name
    (None for BatchNorm)."""
    if len(shape) == 1:
        return None
    if name.startswith("classifier."):
        return "classifier"
    if name.startswith("features.0."):
        return "stem"
    if name.startswith("features.8."):
        return "head_conv"
    if ".fc1." in name:
        return "se_reduce"
    if ".fc2." in name:
        return "se_expand"
    if len(shape) == 4 and shape[1] == 1:
        return "depthwise"
    if len(shape) == 4:
        return "expand" if shape[0] > shape[1] else "project"
    return None


def resnet_class(name, shape):
    if len(shape) == 1:
        return None
    if name.startswith("fc."):
        return "fc"
    if len(shape) == 4:
        return "conv%dx%d" % (shape[2], shape[3])
    return None


def expected_var(cls, w):
    """The variance torchvision's init rule gives one element of weight w."""
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(w)
    if cls == "classifier":  # U(±1/√out_features)
        return (1 / math.sqrt(w.shape[0])) ** 2 / 3
    if cls == "fc":  # PyTorch's default Linear: kaiming_uniform_(a=√5), bound 1/√fan_in
        gain = torch.nn.init.calculate_gain("leaky_relu", math.sqrt(5))
        return (gain * math.sqrt(3 / fan_in)) ** 2 / 3
    return 2 / fan_out  # kaiming_normal_(fan_out), gain √2


def stats(make, classify):
    sums, counts, bias, expect = {}, {}, {}, {}
    for seed in range(SEEDS):
        torch.manual_seed(seed)
        m = make()
        for name, p in m.named_parameters():
            kind = "bias" if name.endswith("bias") else "weight"
            wname = name[: -len("bias")] + "weight" if kind == "bias" else name
            shape = dict(m.named_parameters())[wname].shape
            c = classify(wname, tuple(shape))
            if c is None:  # BatchNorm
                continue
            if kind == "bias":
                bias[c] = max(bias.get(c, 0.0), float(p.detach().abs().max()))
                continue
            sums[c] = sums.get(c, 0.0) + float((p.detach().double() ** 2).sum())
            counts[c] = counts.get(c, 0) + p.numel()
            expect[c] = expect.get(c, 0.0) + expected_var(c, p) * p.numel()
    out = {}
    for c in sorted(sums):
        rms, exp = math.sqrt(sums[c] / counts[c]), math.sqrt(expect[c] / counts[c])
        assert abs(rms / exp - 1) < 0.03, (c, rms, exp)
        out[c] = {"n": counts[c] // SEEDS, "rms": rms, "expected_rms": exp, "max_abs_bias": bias.get(c)}
    return out


out = {
    "torch": torch.__version__, "torchvision": torchvision.__version__, "seeds": SEEDS,
    "efficientnet_b0": stats(lambda: torchvision.models.efficientnet_b0(num_classes=1000), efficientnet_class),
    "resnet18": stats(lambda: torchvision.models.resnet18(num_classes=1000), resnet_class),
}
with open(os.path.join(HERE, "init_stats.json"), "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
print(json.dumps(out, indent=1, sort_keys=True))
