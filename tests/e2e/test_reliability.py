"""Issue 15: a user's mistakes and faults inside cells never lose the
notebook's state. Each fault is followed by a cell that sees every earlier
variable, through jupyter_client as Jupyter runs the kernel."""
import os
import signal
import subprocess
import time

import pytest
from jupyter_client.manager import KernelManager

TIMEOUT = 120


def run(kc, code, timeout=TIMEOUT):
    msgs = []
    reply = kc.execute_interactive(code, output_hook=msgs.append, timeout=timeout)
    return reply["content"], msgs


def result(msgs):
    for m in msgs:
        if m["msg_type"] == "execute_result":
            return m["content"]["data"]["text/plain"]
    return None


def start(kernel_name, **env):
    km = KernelManager(kernel_name=kernel_name)
    km.start_kernel(env={**os.environ, **env})
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    return km, kc


@pytest.fixture(scope="module")
def limited(kernel_name):
    """A kernel with a 2 GiB memory limit, so runaway allocation is caught
    quickly on any machine."""
    km, kc = start(kernel_name, GOSSL_MEMORY_LIMIT="2GiB")
    reply, _ = run(kc, 'import ("fmt"; "strings")\nkept := 42\nname := "gossl"\ntype point struct{ X, Y int }\norigin := point{1, 2}')
    assert reply["status"] == "ok", reply
    yield km, kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def assert_state_kept(kc):
    reply, msgs = run(kc, 'fmt.Sprint(kept, name, origin.Y)')
    assert reply["status"] == "ok", reply
    assert result(msgs) == '42gossl2', msgs


FAULTS = [
    # (name, code, ename, words in evalue)
    ("infinite recursion", "func rec(n int) int { return rec(n+1) + 1 }\nrec(0)",
     "StackDepthError", "stack depth limit reached"),
    ("mutual recursion", "func ping(n int) int { return pong(n + 1) }\nfunc pong(n int) int { return ping(n) }\nping(0)",
     "StackDepthError", "stack depth limit reached"),
    ("huge allocation", "b := make([]byte, 40<<30)", "MemoryError", "cannot allocate 40.0 GiB"),
    ("unbounded allocation", "var hoard [][]float64\nfor {\n\thoard = append(hoard, make([]float64, 8<<20))\n}",
     "MemoryError", ""),
    ("append growth", "var grow []float64\nfor {\n\tgrow = append(grow, 1, 2, 3, 4, 5, 6, 7, 8)\n}",
     "MemoryError", "out of memory"),
    ("compiled allocations", "var texts []string\nfor {\n\ttexts = append(texts, strings.Repeat(\"x\", 64<<20))\n}",
     "MemoryError", "out of memory"),
    ("nil pointer", "var p *struct{X int}\np.X", "panic", "invalid memory address or nil pointer dereference"),
    ("nil func", "var f func() int\nf()", "panic", "invalid memory address or nil pointer dereference"),
    ("nil map", "var m map[string]int\nm[\"a\"]++", "panic", "assignment to entry in nil map"),
    ("division by zero", "zero := 0\n7 / zero", "panic", "integer divide by zero"),
    ("conversion", "var v any = 1.5\nv.(string)", "panic", "interface conversion"),
    ("panic", 'panic("boom")', "panic", "boom"),
    ("panic in goroutine", 'done := make(chan bool)\ngo func() { panic("in the background") }()\n<-done',
     "panic", "in the background"),
    ("os.Exit", "import \"os\"\nos.Exit(3)", "Exit", "3"),
]


@pytest.mark.parametrize("name,code,ename,words", FAULTS, ids=[f[0] for f in FAULTS])
def test_fault_is_a_cell_error_and_state_survives(limited, name, code, ename, words):
    km, kc = limited
    reply, msgs = run(kc, code)
    assert reply["status"] == "error", (name, reply)
    assert reply["ename"] == ename, reply
    assert words in reply["evalue"], reply
    assert "reflect" not in reply["evalue"], reply
    assert km.is_alive()
    assert_state_kept(kc)


def test_nil_dereference_is_blamed_on_its_line(limited):
    _, kc = limited
    reply, _ = run(kc, "var q *struct{X int}\nkept2 := 1\ny := q.X\n_ = y")
    assert reply["status"] == "error"
    assert reply["evalue"].startswith("line 3:6: runtime error: invalid memory address or nil pointer dereference"), reply
    reply, _ = run(kc, "var r *struct{X int}\nr.X")
    assert reply["evalue"].startswith("line 2:1:"), reply  # the last expression's own line


def interrupt_when_started(km, kc, code):
    msg_id = kc.execute(code)
    while True:
        m = kc.get_iopub_msg(timeout=TIMEOUT)
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "execute_input":
            break
    time.sleep(0.5)
    km.interrupt_kernel()
    while True:
        reply = kc.get_shell_msg(timeout=TIMEOUT)
        if reply["parent_header"]["msg_id"] == msg_id:
            return reply["content"]


@pytest.mark.parametrize("code", [
    "select {}",  # every cell goroutine blocked forever
    "ch := make(chan int)\ngo func() { <-ch }()\n<-ch",
    "import \"sync\"\nvar mu sync.Mutex\nmu.Lock()\nmu.Lock()",
    "for i := 0; ; i++ {\n\tfmt.Println(\"line\", i, strings.Repeat(\"x\", 200))\n}",  # heavy output
], ids=["select", "channel deadlock", "mutex deadlock", "heavy output"])
def test_blocked_or_noisy_cell_is_interruptible(limited, code):
    km, kc = limited
    run(kc, 'import ("fmt"; "strings")')
    content = interrupt_when_started(km, kc, code)
    # Interrupted, not ended early by something an earlier fault left
    # running (see interp/stalerun.go)
    assert content["status"] == "error" and content["ename"] == "Interrupted", content
    assert km.is_alive()
    assert_state_kept(kc)


def test_crash_of_previous_kernel_is_reported(kernel_name, tmp_path):
    """A kernel killed where nothing in-process can help (SIGKILL, like the
    system's OOM killer) is reported by its restarted successor."""
    km, kc = start(kernel_name, GOSSL_CRASH_DIR=str(tmp_path))
    try:
        run(kc, "x := 1")
        os.kill(km.provisioner.process.pid, signal.SIGKILL)
        km.provisioner.process.wait()
        km.restart_kernel(now=True)
        kc.wait_for_ready(timeout=60)
        reply, msgs = run(kc, "1 + 1")
        stderr = "".join(m["content"]["text"] for m in msgs
                         if m["msg_type"] == "stream" and m["content"]["name"] == "stderr")
        assert "previous kernel" in stderr and "killed" in stderr, msgs
        reply, msgs = run(kc, "2 + 2")
        assert not [m for m in msgs if m["msg_type"] == "stream"], "told twice"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_clean_shutdown_and_restart(kernel_name, tmp_path):
    km, kc = start(kernel_name, GOSSL_CRASH_DIR=str(tmp_path))
    try:
        pid = km.provisioner.process.pid
        msg = kc.session.msg("shutdown_request", {"restart": False})
        kc.control_channel.send(msg)
        reply = kc.get_control_msg(timeout=TIMEOUT)
        assert reply["content"]["status"] == "ok"
        assert km.provisioner.process.wait(timeout=30) == 0
        assert not os.listdir(tmp_path), "a clean exit left a crash record"
        km.start_kernel(env={**os.environ, "GOSSL_CRASH_DIR": str(tmp_path)})
        kc.wait_for_ready(timeout=60)
        reply, msgs = run(kc, "1 + 1")
        assert not [m for m in msgs if m["msg_type"] == "stream"], msgs
        # SIGINT storms (Jupyter sends SIGINT for interrupts) never kill it
        for _ in range(50):
            os.kill(km.provisioner.process.pid, signal.SIGINT)
        reply, msgs = run(kc, "2 + 2")
        assert result(msgs) == "4"
        km.provisioner.process.send_signal(signal.SIGTERM)
        assert km.provisioner.process.wait(timeout=30) == 0
        assert pid != km.provisioner.process.pid
    finally:
        kc.stop_channels()
        if km.is_alive():
            km.shutdown_kernel(now=True)


def sleepers(tag):
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return [l for l in out.splitlines() if tag in l and "ps -eo" not in l]


@pytest.mark.parametrize("how", ["shutdown_request", "restart", "SIGTERM"])
def test_no_orphans_after_shutdown(kernel_name, tmp_path, how):
    """A ! command still running (with a pipeline and a background job) when
    the kernel shuts down or restarts dies with it; the kernel exits 0."""
    tag = {"shutdown_request": "301", "restart": "302", "SIGTERM": "303"}[how]
    km, kc = start(kernel_name, GOSSL_CRASH_DIR=str(tmp_path))
    try:
        proc = km.provisioner.process
        msg_id = kc.execute(f"!(sleep {tag}; true) & sleep {tag} | cat")
        while not sleepers(f"sleep {tag}"):
            time.sleep(0.1)
        if how == "SIGTERM":
            proc.send_signal(signal.SIGTERM)
        else:
            kc.control_channel.send(kc.session.msg("shutdown_request", {"restart": how == "restart"}))
            assert kc.get_control_msg(timeout=TIMEOUT)["content"]["status"] == "ok"
        assert proc.wait(timeout=30) == 0
        deadline = time.time() + 10
        while sleepers(f"sleep {tag}") and time.time() < deadline:
            time.sleep(0.1)
        assert not sleepers(f"sleep {tag}"), "orphans outlived the kernel"
    finally:
        kc.stop_channels()
        if km.is_alive():
            km.shutdown_kernel(now=True)
