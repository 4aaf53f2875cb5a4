"""The kernel as Jupyter's own client (jupyter_client) meets it: every
message type of issue 2, interrupts, stdin, big streams, images, restarts."""
import base64
import json
import os
import struct
import subprocess
import time

import pytest
from jupyter_client.session import Session

TIMEOUT = 60


def run(kc, code, allow_stdin=False, stdin_hook=None, timeout=TIMEOUT, **kw):
    """Executes code; returns (reply content, iopub messages of the cell)."""
    msgs = []
    reply = kc.execute_interactive(
        code,
        output_hook=msgs.append,
        allow_stdin=allow_stdin,
        stdin_hook=stdin_hook,
        timeout=timeout,
        **kw,
    )
    return reply["content"], msgs


def text_of(msgs, name="stdout"):
    return "".join(
        m["content"]["text"]
        for m in msgs
        if m["msg_type"] == "stream" and m["content"]["name"] == name
    )


def of_type(msgs, msg_type):
    return [m for m in msgs if m["msg_type"] == msg_type]


def test_kernelspec_is_listed(gossl_bin):
    out = subprocess.run(
        ["/usr/bin/python3", "-m", "jupyter_client.kernelspecapp", "list", "--json"],
        capture_output=True, text=True, check=True,
    ).stdout
    spec = json.loads(out)["kernelspecs"]["gossl"]
    assert spec["spec"]["display_name"] == "Go (gossl)"
    assert spec["spec"]["language"] == "go"
    assert spec["spec"]["argv"][0] == gossl_bin
    assert os.path.isabs(spec["spec"]["argv"][0])
    assert {"logo-32x32.png", "logo-64x64.png"} <= set(os.listdir(spec["resource_dir"]))


def test_install_prefix_and_uninstall(gossl_bin, tmp_path):
    subprocess.run([gossl_bin, "install", "--prefix", str(tmp_path)], check=True, capture_output=True)
    spec = tmp_path / "share" / "jupyter" / "kernels" / "gossl" / "kernel.json"
    assert json.loads(spec.read_text())["argv"] == [gossl_bin, "kernel", "{connection_file}"]
    subprocess.run([gossl_bin, "install", "--prefix", str(tmp_path), "--uninstall"], check=True, capture_output=True)
    assert not spec.exists()
    bad = subprocess.run([gossl_bin, "install", "--prefix", str(tmp_path), "--uninstall"], capture_output=True, text=True)
    assert bad.returncode != 0 and "no gossl kernelspec" in bad.stderr


def test_kernel_info(shared_kernel):
    _, kc = shared_kernel
    reply = kc.kernel_info(reply=True, timeout=TIMEOUT)
    c = reply["content"]
    assert reply["header"]["version"] >= "5.3"
    assert c["protocol_version"] >= "5.3"
    li = c["language_info"]
    assert li["name"] == "go" and li["file_extension"] == ".go"
    assert li["mimetype"] == "text/x-go" and li["codemirror_mode"] and li["pygments_lexer"] == "go"
    assert li["version"].startswith("1.")
    assert c["help_links"] and all("url" in l for l in c["help_links"])


def test_execute_options(shared_kernel):
    _, kc = shared_kernel
    first, _ = run(kc, "answer := 41")
    n = first["execution_count"]
    reply, msgs = run(kc, "answer + 1")
    assert reply["execution_count"] == n + 1
    [result] = of_type(msgs, "execute_result")
    assert result["content"]["data"]["text/plain"] == "42"
    assert result["content"]["execution_count"] == n + 1
    [inp] = of_type(msgs, "execute_input")
    assert inp["content"]["code"] == "answer + 1"

    # Silent: no execute_input, no result, no new count.
    reply, msgs = run(kc, "answer + 2", silent=True)
    assert reply["status"] == "ok" and not of_type(msgs, "execute_result") and not of_type(msgs, "execute_input")
    # store_history=False: runs, shows, but does not count.
    reply, msgs = run(kc, "answer + 3", store_history=False)
    assert of_type(msgs, "execute_result")[0]["content"]["data"]["text/plain"] == "44"
    reply2, _ = run(kc, "answer")
    assert reply2["execution_count"] == n + 2

    reply, _ = run(kc, "answer = 1", user_expressions={"double": "answer * 2", "bad": "undefinedName"})
    ue = reply["user_expressions"]
    assert ue["double"]["status"] == "ok" and ue["double"]["data"]["text/plain"] == "2"
    assert ue["bad"]["status"] == "error"


def test_status_brackets_every_request(shared_kernel):
    _, kc = shared_kernel
    msg_id = kc.complete("fmt.Pri", 7)
    kc.get_shell_msg(timeout=TIMEOUT)
    states = []
    while len(states) < 2:
        m = kc.get_iopub_msg(timeout=TIMEOUT)
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status":
            states.append(m["content"]["execution_state"])
    assert states == ["busy", "idle"]


def test_error_has_traceback_and_stop_on_error(shared_kernel):
    _, kc = shared_kernel
    reply, msgs = run(kc, 'import "fmt"\nx := 1\nfmt.Println(x)\nvar y int = "text"')
    assert reply["status"] == "error"
    [err] = of_type(msgs, "error")
    assert err["content"]["traceback"] and err["content"]["ename"]


def test_stream_arrives_while_cell_runs(shared_kernel):
    """What a cell prints reaches the client while the cell still runs: the
    cell blocks on stdin, so the stream cannot have been sent at its end."""
    _, kc = shared_kernel
    code = 'import "fmt"\nfmt.Println("first")\nvar s string\nfmt.Scanln(&s)\nfmt.Println("then", s)'
    msg_id = kc.execute(code, allow_stdin=True)
    request = kc.get_stdin_msg(timeout=TIMEOUT)
    assert request["msg_type"] == "input_request"
    printed = ""
    while "first" not in printed:  # the cell is blocked until we answer
        m = kc.get_iopub_msg(timeout=10)
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "stream":
            printed += m["content"]["text"]
    kc.input("gopher")
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    assert reply["content"]["status"] == "ok"
    while True:
        m = kc.get_iopub_msg(timeout=TIMEOUT)
        if m["msg_type"] == "stream":
            printed += m["content"]["text"]
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            break
    assert printed == "first\nthen gopher\n"


def test_ten_thousand_lines_complete_in_order(shared_kernel):
    _, kc = shared_kernel
    reply, msgs = run(kc, 'import "fmt"\nfor i := 0; i < 10000; i++ {\n\tfmt.Println("line", i)\n}')
    assert reply["status"] == "ok"
    lines = text_of(msgs).splitlines()
    assert lines == [f"line {i}" for i in range(10000)]


def test_stderr_and_compiled_output(shared_kernel):
    _, kc = shared_kernel
    reply, msgs = run(kc, 'import (\n\t"fmt"\n\t"os"\n)\nfmt.Fprintln(os.Stderr, "warn")\nos.Stdout.WriteString("raw\\n")')
    assert reply["status"] == "ok"
    assert "warn" in text_of(msgs, "stderr")
    assert "raw" in text_of(msgs)


def png_size(data):
    raw = base64.b64decode(data)
    assert raw[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", raw[16:24])


def test_png_display_arrives_intact(shared_kernel):
    _, kc = shared_kernel
    code = """import (
	"image"
	"image/color"
	"github.com/gossl/gossl/display"
)
img := image.NewRGBA(image.Rect(0, 0, 123, 45))
for x := 0; x < 123; x++ {
	img.Set(x, 10, color.RGBA{255, 0, 0, 255})
}
display.Show(img)"""
    reply, msgs = run(kc, code)
    assert reply["status"] == "ok", reply
    [d] = of_type(msgs, "display_data")
    assert png_size(d["content"]["data"]["image/png"]) == (123, 45)


def test_update_display_by_id(shared_kernel):
    _, kc = shared_kernel
    code = """import "github.com/gossl/gossl/display"
d := display.New()
d.Show("v1")
d.Update("v2")"""
    reply, msgs = run(kc, code)
    assert reply["status"] == "ok", reply
    [shown] = of_type(msgs, "display_data")
    [updated] = of_type(msgs, "update_display_data")
    display_id = shown["content"]["transient"]["display_id"]
    assert display_id and updated["content"]["transient"]["display_id"] == display_id
    assert "v2" in updated["content"]["data"]["text/plain"]


def test_stdin_round_trip_and_refusal(shared_kernel):
    _, kc = shared_kernel
    prompts = []

    def answer(msg):
        prompts.append(msg["content"])
        kc.input("gopher")

    code = 'import (\n\t"bufio"\n\t"fmt"\n\t"os"\n)\nline, _ := bufio.NewReader(os.Stdin).ReadString(\'\\n\')\nfmt.Printf("hello %s", line)'
    reply, msgs = run(kc, code, allow_stdin=True, stdin_hook=answer)
    assert reply["status"] == "ok", reply
    assert len(prompts) == 1 and prompts[0]["password"] is False
    assert text_of(msgs) == "hello gopher\n"

    reply, msgs = run(kc, 'import "fmt"\nvar s string\n_, err := fmt.Scanln(&s)\nfmt.Println(err)', allow_stdin=False)
    out = text_of(msgs) + json.dumps(reply)
    assert "stdin" in out.lower() or "input" in out.lower()


def wait_for_execution_start(kc, msg_id):
    while True:
        m = kc.get_iopub_msg(timeout=TIMEOUT)
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "execute_input":
            return


@pytest.mark.parametrize("how", ["signal", "message"])
def test_interrupt_infinite_loop_keeps_state(kernel, how):
    km, kc = kernel
    run(kc, "kept := 41")
    msg_id = kc.execute("for {\n}")
    wait_for_execution_start(kc, msg_id)
    time.sleep(0.3)
    if how == "signal":
        km.interrupt_kernel()  # the kernelspec's interrupt_mode is "signal": SIGINT
    else:
        msg = kc.session.msg("interrupt_request", {})
        kc.control_channel.send(msg)
        assert kc.get_control_msg(timeout=TIMEOUT)["content"]["status"] == "ok"
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    assert reply["parent_header"]["msg_id"] == msg_id
    assert reply["content"]["status"] == "error"
    assert km.is_alive()
    reply, msgs = run(kc, "kept + 1")
    assert of_type(msgs, "execute_result")[0]["content"]["data"]["text/plain"] == "42"


def test_interrupt_stops_a_long_compiled_sslkit_call(kernel):
    """A single compiled call (a ResNet-18 forward pass over a large batch,
    tens of seconds here) stops at its next op when interrupted: the cell
    fails as interrupted instead of completing."""
    km, kc = kernel
    setup = """import (
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
	"github.com/gossl/gossl/sslkit/backbone"
)
net, _ := backbone.NewResNet(backbone.ResNetConfig{Depth: 18, CIFARStem: true, InChannels: 3}, nil)
g := G.NewGraph()
x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(64, 3, 64, 64), G.WithInit(G.GlorotU(1)))
_, err := net.Forward(x)
vm := G.NewTapeMachine(g)"""
    reply, _ = run(kc, setup)
    assert reply["status"] == "ok", reply
    msg_id = kc.execute("vm.RunAll()")
    wait_for_execution_start(kc, msg_id)
    time.sleep(0.5)
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    assert reply["parent_header"]["msg_id"] == msg_id
    assert reply["content"]["status"] == "error", "the compiled call ran to its end"
    assert reply["content"]["ename"] == "Interrupted", reply["content"]
    reply, msgs = run(kc, "net.NumParams()")
    assert reply["status"] == "ok"


def test_bad_signature_is_ignored(shared_kernel):
    _, kc = shared_kernel
    forger = Session(key=b"not-the-key", session=kc.session.session)
    msg = forger.msg("execute_request", {"code": "forged := 1", "silent": False, "store_history": True,
                                         "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
    forger.send(kc.shell_channel.socket, msg)
    reply = kc.kernel_info(reply=True, timeout=TIMEOUT)
    assert reply["content"]["status"] == "ok"
    reply, _ = run(kc, "forged")
    assert reply["status"] == "error", "the forged cell ran"


def test_comm_to_unknown_target_is_closed(shared_kernel):
    # gossl registers no comm targets of its own (the round trip through a
    # registered target is kernel/kernel_test.go's); a comm_open to one that
    # does not exist is closed at once, as ipykernel does, and never listed.
    _, kc = shared_kernel
    kc.shell_channel.send(kc.session.msg("comm_open", {"comm_id": "c-1", "target_name": "no.such.target", "data": {}}))
    while True:
        m = kc.get_iopub_msg(timeout=TIMEOUT)
        if m["msg_type"] == "comm_close":
            assert m["content"]["comm_id"] == "c-1"
            break
    kc.comm_info()
    assert "c-1" not in kc.get_shell_msg(timeout=TIMEOUT)["content"]["comms"]


def test_unsupported_request_gets_error_reply(shared_kernel):
    _, kc = shared_kernel
    kc.control_channel.send(kc.session.msg("debug_request", {"command": "initialize", "seq": 1, "type": "request"}))
    reply = kc.get_control_msg(timeout=TIMEOUT)
    assert reply["msg_type"] == "debug_reply" and reply["content"]["status"] == "error"


def test_panic_and_goroutine_panic_do_not_kill_kernel(kernel):
    km, kc = kernel
    reply, msgs = run(kc, 'panic("cell panic")')
    assert reply["status"] == "error" and "cell panic" in reply["evalue"]
    reply, msgs = run(kc, 'import "time"\ngo func() { panic("in goroutine") }()\ntime.Sleep(200 * time.Millisecond)')
    assert km.is_alive()
    reply, msgs = run(kc, "1 + 1")
    assert of_type(msgs, "execute_result")[0]["content"]["data"]["text/plain"] == "2"


def test_shutdown_and_restart(kernel):
    km, kc = kernel
    run(kc, "v := 1")
    km.restart_kernel(now=False)
    kc.wait_for_ready(timeout=TIMEOUT)
    reply, _ = run(kc, "v")
    assert reply["status"] == "error", "a restarted kernel starts with a fresh session"
    reply, msgs = run(kc, "2 * 21")
    assert of_type(msgs, "execute_result")[0]["content"]["data"]["text/plain"] == "42"
    kc.shutdown()  # on the control channel
    reply = kc.get_control_msg(timeout=TIMEOUT)
    assert reply["msg_type"] == "shutdown_reply" and reply["content"]["status"] == "ok"
    for _ in range(100):
        if not km.is_alive():
            break
        time.sleep(0.05)
    assert not km.is_alive(), "the kernel process did not exit after shutdown_request"
