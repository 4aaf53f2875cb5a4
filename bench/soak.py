"""Soak test of issue 15: N cells (definitions, prints, displays, errors,
interrupts) through jupyter_client, sampling the kernel's RSS and goroutine
count. Fails (exit 1) when RSS at the end exceeds its value after the first
tenth of the cells by more than 10%, or goroutines grew. See bench/README.md
("Soak") for the results and what the kernel still keeps per cell.

    /usr/bin/python3 bench/soak.py --cells 10000        # the issue's soak (and CI's)
    /usr/bin/python3 bench/soak.py --cells 2500 --base 1000 --budget-kb 1.5   # a shorter run, a per-cell budget
    /usr/bin/python3 bench/soak.py --cells 3000 --profile /tmp/prof     # heap profiles at 300 and 3000
"""
import argparse
import os
import signal
import sys
import time

from jupyter_client.manager import start_new_kernel

# Names repeat every 50 cells: the session's state stays bounded, so growth
# is a leak, not the notebook's variables.
KINDS = [
    "v{j} := {i}",
    "func f{j}(x int) int {{ return x + {i} }}",
    'fmt.Println("cell", {i}, f(v))',
    "display.HTML(fmt.Sprintf(\"<b>%d</b>\", {i}))",
    "var p{j} *struct{{X int}}\np{j}.X",      # an error
    "s := make([]float64, 1000)\ns[0] = float64({i})\nlen(s)",
    "ch{j} := make(chan int)\ngo func() {{ ch{j} <- {i} }}()\n<-ch{j}",
    "panic(\"soak {i}\")",                     # another error
]


def rss_kb(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", type=int, default=10000)
    ap.add_argument("--every", type=int, default=0, help="sample every N cells")
    ap.add_argument("--interrupt-every", type=int, default=500)
    ap.add_argument("--kinds", default="", help="comma-separated indexes into KINDS (default: all)")
    ap.add_argument("--base", type=int, default=0,
                    help="compare with the sample at this many cells (default: a tenth of --cells)")
    ap.add_argument("--budget-kb", type=float, default=0,
                    help="fail on RSS growth over this many KiB a cell instead of the issue's 10%% bar")
    ap.add_argument("--profile", default="",
                    help="folder for the kernel's heap and goroutine profiles (GOSSL_PROFILE_DIR), "
                         "written after the first tenth of the cells and at the end")
    ap.add_argument("--profile-at", default="", help="comma-separated cell counts to profile at instead")
    args = ap.parse_args()
    kinds = [KINDS[int(k)] for k in args.kinds.split(",")] if args.kinds else KINDS
    every = args.every or max(args.cells // 20, 50)
    if args.profile:
        os.environ["GOSSL_PROFILE_DIR"] = os.path.abspath(args.profile)
    profile_at = {int(n) for n in args.profile_at.split(",")} if args.profile_at else {args.cells // 10, args.cells}
    km, kc = start_new_kernel(kernel_name=os.environ.get("GOSSL_KERNEL", "gossl"), startup_timeout=60)
    pid = km.provisioner.process.pid
    setup = 'import ("fmt"; "runtime"; "time"; "github.com/gossl/gossl/display")\nfunc f(x int) int { return x * 2 }\nv := 1'
    kc.execute_interactive(setup, timeout=60)

    def goroutines():
        out = []
        kc.execute_interactive("runtime.GC()\nruntime.NumGoroutine()", timeout=60, output_hook=out.append)
        return int([m for m in out if m["msg_type"] == "execute_result"][0]["content"]["data"]["text/plain"])

    samples = []
    t0 = time.time()
    statuses = {"ok": 0, "error": 0}
    for i in range(1, args.cells + 1):
        if args.interrupt_every and i % args.interrupt_every == 0:
            msg_id = kc.execute("for { time.Sleep(time.Millisecond) }")
            while True:
                m = kc.get_iopub_msg(timeout=60)
                if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "execute_input":
                    break
            km.interrupt_kernel()
            while kc.get_shell_msg(timeout=60)["parent_header"]["msg_id"] != msg_id:
                pass
            statuses["interrupted"] = statuses.get("interrupted", 0) + 1
        else:
            code = kinds[i % len(kinds)].format(i=i, j=i % 50)
            reply = kc.execute_interactive(code, timeout=60, output_hook=lambda m: None)
            statuses[reply["content"]["status"]] = statuses.get(reply["content"]["status"], 0) + 1
        if i % every == 0:
            samples.append((i, rss_kb(pid), goroutines(), time.time() - t0))
            print(f"cells {i:6d}  rss {samples[-1][1] / 1024:8.1f} MiB  goroutines {samples[-1][2]:4d}  {samples[-1][3]:6.1f} s"
                  f"  (anon {rss_kb(pid, 'RssAnon') / 1024:.1f}, file {rss_kb(pid, 'RssFile') / 1024:.1f} MiB)", flush=True)
        if args.profile and i in profile_at:
            goroutines()  # a cell of its own first, so no cell runs while the profile is written
            os.kill(pid, signal.SIGUSR1)
            time.sleep(2)
            print(f"cells {i:6d}  profile written to {args.profile}", flush=True)
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    print("replies:", statuses)
    base = next(s for s in samples if s[0] >= (args.base or args.cells // 10))
    end = samples[-1]
    grew = end[1] / base[1] - 1
    per_cell = (end[1] - base[1]) / max(end[0] - base[0], 1)
    print(f"RSS after {base[0]} cells {base[1] / 1024:.1f} MiB, at the end {end[1] / 1024:.1f} MiB "
          f"({grew * 100:+.1f}%, {per_cell:.2f} KiB a cell); goroutines {base[2]} -> {end[2]}")
    leak = per_cell > args.budget_kb if args.budget_kb else grew > 0.10
    # Goroutines: a sample can catch a few that are just ending (a cell's
    # own, a message in flight), so compare the fewest of the last three
    # samples with the most of the first three; a leak grows steadily.
    early = max(s[2] for s in samples[:3])
    late = min(s[2] for s in samples[-3:])
    if leak or late > early + 2:
        print("LEAK")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
