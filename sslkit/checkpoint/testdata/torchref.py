#!/usr/bin/python3
"""PyTorch side of sslkit/checkpoint's tests (Debian's python3-torch 1.13 and
python3-torchvision 0.14; no safetensors package, no numpy needed).

    torchref.py fixtures DIR   the small committed fixtures (tiny_legacy.pt differs
                               byte-wise on each run: its storage keys are memory
                               addresses); regenerate them with
                               cd sslkit/checkpoint/testdata && /usr/bin/python3 torchref.py fixtures .
    torchref.py export DIR     torchvision ResNet-18 (ImageNet and CIFAR stems,
                               and a solo-learn-style .ckpt) and EfficientNet-B0
                               state dicts written by torch.save, input batches
                               and PyTorch's eval-mode outputs (ref.safetensors)
                               (run by the Go test into a temporary folder)
    torchref.py check DIR      loads sslkit's exports (DIR/sslkit_*.safetensors)
                               into torchvision with load_state_dict(strict=True)
                               and writes its outputs for the same input
                               (DIR/check_*.safetensors)

read_safetensors and write_safetensors implement the format from its
specification (8-byte little-endian header length, JSON header, raw
little-endian bytes) independently of sslkit's Go code; users without the
safetensors package can copy read_safetensors to load sslkit's exports:

    model.load_state_dict(read_safetensors("resnet18.safetensors"), strict=True)
"""
import argparse
import json
import os
import struct
import sys

import torch
import torch.nn as nn
import torchvision

DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16,
    "BF16": torch.bfloat16, "I64": torch.int64, "I32": torch.int32,
    "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool,
}
NAMES = {v: k for k, v in DTYPES.items()}


def read_safetensors(path):
    """Reads a safetensors file into a dict of tensors (metadata dropped)."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    header.pop("__metadata__", None)
    data = blob[8 + n:]
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        raw = bytearray(data[begin:end])
        t = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(info["shape"]).clone()
    return out


def write_safetensors(path, tensors, metadata=None):
    """Writes tensors (name -> tensor) as safetensors, largest dtype first."""
    items = sorted(tensors.items(), key=lambda kv: (-kv[1].element_size(), kv[0]))
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in items:
        t = t.detach().contiguous().cpu()
        raw = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    js = json.dumps(header, separators=(",", ":")).encode()
    js += b" " * (-len(js) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(js)))
        f.write(js)
        for c in chunks:
            f.write(c)


def randomize_batchnorm(model, gen):
    """torchvision initialises BatchNorm to the identity; random affine
    parameters, running statistics and counters make the comparison see
    every BatchNorm tensor."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(torch.rand(c, generator=gen) + 0.5)
                m.bias.copy_(torch.randn(c, generator=gen) * 0.1)
                m.running_mean.copy_(torch.randn(c, generator=gen) * 0.1)
                m.running_var.copy_(torch.rand(c, generator=gen) + 0.5)
                m.num_batches_tracked.fill_(int(torch.randint(1, 1000, (1,), generator=gen)))


def resnet18(variant):
    """torchvision's ResNet-18 ("imagenet", with its fc classifier) or the
    CIFAR variant of SimCLR/solo-learn: 3x3 stride-1 conv1, no max-pool, no
    fc (features out)."""
    model = torchvision.models.resnet18()
    if variant == "cifar":
        model.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        model.maxpool = nn.Identity()
        model.fc = nn.Identity()
    return model


def features(model, x):
    """The pooled 512-d features (everything before fc)."""
    fc = model.fc
    model.fc = nn.Identity()
    try:
        return model(x)
    finally:
        model.fc = fc


INPUT_SIZE = {"imagenet": 64, "cifar": 32}


def export(out):
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    ref = {}
    for variant in ("imagenet", "cifar"):
        model = resnet18(variant)
        randomize_batchnorm(model, gen)
        model.eval()
        x = torch.randn(2, 3, INPUT_SIZE[variant], INPUT_SIZE[variant], generator=gen)
        with torch.no_grad():
            ref[variant + ".input"] = x
            ref[variant + ".features"] = features(model, x)
            if variant == "imagenet":
                ref[variant + ".logits"] = model(x)
        sd = model.state_dict()
        torch.save(sd, os.path.join(out, "resnet18_%s.pt" % variant))
        if variant == "cifar":
            # as solo-learn stores it: a Lightning checkpoint whose state
            # dict holds the backbone under "backbone." beside other heads
            wrapped = {"backbone." + k: v for k, v in sd.items()}
            wrapped["projector.0.weight"] = torch.randn(16, 512, generator=gen)
            wrapped["classifier.weight"] = torch.randn(10, 512, generator=gen)
            torch.save({"epoch": 3, "global_step": 120, "state_dict": wrapped,
                        "hyper_parameters": {"method": "simclr", "lr": 0.3}},
                       os.path.join(out, "solo_cifar.ckpt"))
    # EfficientNet-B0, classifier included (its Dropout is inactive in eval)
    model = torchvision.models.efficientnet_b0()
    randomize_batchnorm(model, gen)
    model.eval()
    x = torch.randn(2, 3, 32, 32, generator=gen)
    with torch.no_grad():
        ref["efficientnet_b0.input"] = x
        ref["efficientnet_b0.logits"] = model(x)
    torch.save(model.state_dict(), os.path.join(out, "efficientnet_b0.pth"))
    write_safetensors(os.path.join(out, "ref.safetensors"), ref)


def check(out):
    ref = read_safetensors(os.path.join(out, "ref.safetensors"))
    results = {}
    for variant in ("imagenet", "cifar"):
        path = os.path.join(out, "sslkit_%s.safetensors" % variant)
        if not os.path.exists(path):
            continue
        model = resnet18(variant)
        # strict=True raises on any missing or unexpected key or wrong shape
        model.load_state_dict(read_safetensors(path), strict=True)
        model.eval()
        x = ref[variant + ".input"]
        with torch.no_grad():
            results[variant + ".features"] = features(model, x)
            if variant == "imagenet":
                results[variant + ".logits"] = model(x)
        write_safetensors(os.path.join(out, "check_%s.safetensors" % variant), results)
        results = {}


def fixtures(out):
    """Small files for the committed tests: a safetensors file of every
    dtype written by this independent writer, and one checkpoint in both
    torch.save formats whose tensors exercise dtypes, strided views, shared
    storage and non-tensor entries; want.safetensors holds what a reader
    should get from them (contiguous copies)."""
    torch.manual_seed(0)
    # every safetensors dtype, values from a formula the Go test recomputes:
    # element i of each tensor is (i % 7) - 3 (or i % 2 for bool), as that dtype
    dtypes = {"f64": torch.float64, "f32": torch.float32, "f16": torch.float16,
              "bf16": torch.bfloat16, "i64": torch.int64, "i32": torch.int32,
              "i16": torch.int16, "i8": torch.int8, "u8": torch.uint8}
    tensors = {}
    for name, dt in dtypes.items():
        v = torch.arange(24) % 7 - 3
        if dt == torch.uint8:
            v = torch.arange(24) % 7
        tensors[name] = v.to(dt).reshape(2, 3, 4)
    tensors["bool"] = (torch.arange(6) % 2 == 1).reshape(2, 3)
    tensors["scalar_i64"] = torch.tensor(7, dtype=torch.int64)
    tensors["f32_half_values"] = torch.tensor([0.5, -2.25, 65504.0, 6.103515625e-05, 5.960464477539063e-08, 1e-3])
    write_safetensors(os.path.join(out, "dtypes.safetensors"), tensors, {"format": "pt", "note": "torchref.py"})

    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(4, 2))
    gen = torch.Generator().manual_seed(2)
    randomize_batchnorm(net, gen)
    sd = dict(net.state_dict())
    base = torch.randn(6, 5)
    sd["extra.transposed"] = base.t()                 # strides (1, 5)
    sd["extra.row_view"] = base[2]                    # offset 10 into shared storage
    sd["extra.strided"] = base[::2, 1::2]             # offset and steps
    sd["extra.double"] = torch.randn(3, dtype=torch.float64)
    sd["extra.half"] = torch.randn(4).half()
    sd["extra.bfloat16"] = torch.randn(4).bfloat16()
    sd["extra.int32"] = torch.arange(5, dtype=torch.int32)
    sd["extra.bool"] = torch.tensor([True, False, True])
    sd["extra.empty"] = torch.zeros(0, 3)
    checkpoint = {
        "state_dict": sd,
        "epoch": 3,
        "optimizer": {"state": {}, "param_groups": [{"lr": 0.1, "params": [0, 1]}]},
        "args": argparse.Namespace(lr=0.1, arch="tiny"),
        "device": torch.device("cpu"),
    }
    torch.save(checkpoint, os.path.join(out, "tiny_zip.pt"))
    torch.save(checkpoint, os.path.join(out, "tiny_legacy.pt"), _use_new_zipfile_serialization=False)
    # DataParallel's names, saved bare
    torch.save({"module." + k: v for k, v in net.state_dict().items()}, os.path.join(out, "tiny_dataparallel.pth"))
    # a whole pickled module, not a state dict: LoadPyTorch must refuse it clearly
    torch.save(net, os.path.join(out, "tiny_module.pt"))
    torch.save(torch.randn(3), os.path.join(out, "tiny_tensor.pt"))
    want = {k: v.contiguous().clone() for k, v in sd.items() if v.numel() > 0}
    want["extra.half"] = want["extra.half"].float()
    want["extra.bfloat16"] = want["extra.bfloat16"].float()
    write_safetensors(os.path.join(out, "tiny_want.safetensors"), want)
    # what the tiny net computes in eval mode on a fixed input, for LoadModel
    net.eval()
    x = torch.randn(2, 3, 3, 3, generator=gen)
    with torch.no_grad():
        write_safetensors(os.path.join(out, "tiny_forward.safetensors"), {"input": x, "output": net(x)})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["fixtures", "export", "check"])
    ap.add_argument("dir")
    a = ap.parse_args()
    torch.set_num_threads(2)
    {"fixtures": fixtures, "export": export, "check": check}[a.mode](a.dir)


if __name__ == "__main__":
    sys.exit(main())
