"""Kernel latency benchmark: gossl beside Debian's ipykernel, same run.

Measures, through jupyter_client as a frontend sees it:
  cold start     launch -> first kernel_info_reply (median of 10 launches)
  round trip     execute_request -> execute_reply of a trivial cell (500 cells)
  stream         a cell printing 10,000 lines, request -> idle (lines/s)
  peak RSS       the kernel process's VmHWM after all of the above

Usage: GOSSL_BIN=bin/gossl /usr/bin/python3 bench/kernel_latency.py [--launches 10] [--cells 500]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

from jupyter_client.manager import KernelManager

KERNELS = {
    # name: (kernelspec, trivial cell, 10k-line cell)
    "gossl": ("gossl", "1", 'import "fmt"\nfor i := 0; i < 10000; i++ {\n\tfmt.Println("line", i)\n}'),
    "ipykernel": ("python3", "1", 'for i in range(10000):\n    print("line", i)'),
}


def start(spec):
    km = KernelManager(kernel_name=spec)
    t0 = time.perf_counter()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.kernel_info(reply=True, timeout=60)
    return km, kc, time.perf_counter() - t0


def until_idle(kc, msg_id):
    while True:
        m = kc.get_iopub_msg(timeout=60)
        if (m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status"
                and m["content"]["execution_state"] == "idle"):
            return


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def measure(name, launches, cells):
    spec, trivial, stream = KERNELS[name]
    starts = []
    for _ in range(launches):
        km, kc, dt = start(spec)
        starts.append(dt)
        kc.stop_channels()
        km.shutdown_kernel(now=True)

    km, kc, _ = start(spec)
    try:
        # iopub may join after the first reply (ZeroMQ's slow joiner): wait
        # until a cell's output arrives, then warm up and time round trips.
        for _ in range(30):
            try:
                kc.execute_interactive(trivial, timeout=2, output_hook=lambda m: None)
                break
            except TimeoutError:
                pass
        for _ in range(20):
            kc.execute_interactive(trivial, timeout=60, output_hook=lambda m: None)
        rtts = []
        for _ in range(cells):
            t0 = time.perf_counter()
            msg_id = kc.execute(trivial)
            kc.get_shell_msg(timeout=60)
            rtts.append(time.perf_counter() - t0)
            until_idle(kc, msg_id)

        lines = []
        t0 = time.perf_counter()
        kc.execute_interactive(stream, timeout=120, output_hook=lambda m: lines.append(
            m["content"].get("text", "").count("\n") if m["msg_type"] == "stream" else 0))
        stream_s = time.perf_counter() - t0
        assert sum(lines) == 10000, f"{name}: got {sum(lines)} lines"

        pid = km.provisioner.process.pid
        with open(f"/proc/{pid}/status") as f:
            rss = next(int(l.split()[1]) for l in f if l.startswith("VmHWM")) / 1024
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return {
        "cold start p50 (ms)": statistics.median(starts) * 1e3,
        "round trip p50 (ms)": percentile(rtts, 50) * 1e3,
        "round trip p90 (ms)": percentile(rtts, 90) * 1e3,
        "round trip p99 (ms)": percentile(rtts, 99) * 1e3,
        "10k-line stream (lines/s)": 10000 / stream_s,
        "peak RSS (MiB)": rss,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--launches", type=int, default=10)
    ap.add_argument("--cells", type=int, default=500)
    args = ap.parse_args()

    gossl = os.environ.get("GOSSL_BIN", "bin/gossl")
    data = tempfile.mkdtemp(prefix="gossl-bench-")
    os.environ["JUPYTER_DATA_DIR"] = data  # python3 still comes from the system path
    subprocess.run([gossl, "install", "--user"], check=True, capture_output=True)

    results = {name: measure(name, args.launches, args.cells) for name in KERNELS}
    print(f"{'metric':28} {'gossl':>12} {'ipykernel':>12} {'ratio':>8}")
    for metric in results["gossl"]:
        g, p = results["gossl"][metric], results["ipykernel"][metric]
        print(f"{metric:28} {g:12.2f} {p:12.2f} {g / p:8.3f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
