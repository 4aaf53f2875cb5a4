"""Peer figure for bench/display: matplotlib renders the same 1000-point,
10-class scatter (6x4 in, 96 dpi, legend) to PNG and to SVG, as a Python
notebook would. Prints p50/p90 in milliseconds and output sizes as JSON."""
import io
import json
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def figure(xs, ys, labels):
    fig, ax = plt.subplots(figsize=(6, 4), dpi=96)
    for k in range(10):
        m = labels == k
        ax.scatter(xs[m], ys[m], s=12, label=str(k))
    ax.set_title("embeddings")
    ax.legend(loc="upper right")
    return fig


def render(xs, ys, labels, kinds):
    fig = figure(xs, ys, labels)
    size = 0
    for kind in kinds:
        buf = io.BytesIO()
        fig.savefig(buf, format=kind)
        size += buf.tell()
    plt.close(fig)
    return size


def measure(n, f):
    size = f()
    ms = []
    for _ in range(n):
        t0 = time.perf_counter()
        f()
        ms.append((time.perf_counter() - t0) * 1000)
    ms.sort()
    return {"P50": ms[n // 2], "P90": ms[n * 9 // 10], "Bytes": size}


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    rng = np.random.default_rng(1)
    labels = np.arange(1000) % 10
    xs = rng.normal(size=1000) + labels
    ys = rng.normal(size=1000)
    out = {
        "PNG+SVG": measure(n, lambda: render(xs, ys, labels, ["png", "svg"])),
        "SVG": measure(n, lambda: render(xs, ys, labels, ["svg"])),
        "PNG": measure(n, lambda: render(xs, ys, labels, ["png"])),
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
