"""Issue 15: hostile and broken input on the kernel's sockets. Each case:
the kernel keeps serving, no code runs, and the event is logged."""
import json
import os
import subprocess
import time

import pytest
import zmq
from jupyter_client.manager import KernelManager
from jupyter_client.session import Session

TIMEOUT = 60


@pytest.fixture(scope="module", params=["tcp", "ipc"])
def target(request, kernel_name, tmp_path_factory):
    """A kernel whose log (stderr) is kept, with a small message limit, on
    TCP ports or on unix sockets (transport "ipc": the same guards hold)."""
    tmp = tmp_path_factory.mktemp("hostile")
    log = tmp / "kernel.log"
    logf = open(log, "w")
    if request.param == "ipc":
        km = KernelManager(kernel_name=kernel_name, transport="ipc", ip=str(tmp / "k"))
    else:
        km = KernelManager(kernel_name=kernel_name)
    km.start_kernel(env={**os.environ, "GOSSL_MAX_MESSAGE_BYTES": str(1 << 20)}, stderr=logf)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    kc.execute_interactive("ran := 0", timeout=TIMEOUT)
    yield km, kc, log
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    logf.close()


def raw_shell(km):
    ctx = zmq.Context.instance()
    s = ctx.socket(zmq.DEALER)
    s.linger = 0
    s.connect(endpoint(km, km.shell_port))
    return s


def endpoint(km, port):
    if km.transport == "ipc":
        return f"ipc://{km.ip}-{port}"
    return f"tcp://{km.ip}:{port}"


def execute_msg(session, code):
    return session.msg("execute_request", {"code": code, "silent": False, "store_history": True,
                                           "user_expressions": {}, "allow_stdin": False, "stop_on_error": False})


def still_serving_and_nothing_ran(kc):
    reply = kc.kernel_info(reply=True, timeout=TIMEOUT)
    assert reply["content"]["status"] == "ok"
    msgs = []
    reply = kc.execute_interactive("ran", output_hook=msgs.append, timeout=TIMEOUT)
    assert reply["content"]["status"] == "ok"
    data = [m["content"]["data"]["text/plain"] for m in msgs if m["msg_type"] == "execute_result"]
    assert data == ["0"], "a hostile message ran code"


def logged(log, words, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if words in log.read_text():
            return True
        time.sleep(0.1)
    return False


def signed_frames(session, msg):
    parts = [session.pack(msg["header"]), session.pack(msg["parent_header"]),
             session.pack(msg["metadata"]), session.pack(msg["content"])]
    return [b"<IDS|MSG>", session.sign(parts)] + parts


def test_wrong_and_missing_hmac(target):
    km, kc, log = target
    s = raw_shell(km)
    forger = Session(key=b"wrong", session="x")
    s.send_multipart(signed_frames(forger, execute_msg(forger, "ran = 1")))
    frames = signed_frames(kc.session, execute_msg(kc.session, "ran = 2"))
    frames[1] = b""
    s.send_multipart(frames)
    still_serving_and_nothing_ran(kc)
    assert logged(log, "invalid message signature")


def test_replayed_message(target):
    km, kc, log = target
    s = raw_shell(km)
    frames = signed_frames(kc.session, execute_msg(kc.session, "ran++"))
    s.send_multipart(frames)
    assert json.loads(s.recv_multipart()[-1])["status"] == "ok"
    kc.execute_interactive("ran = 0", timeout=TIMEOUT)
    s.send_multipart(frames)  # the same signed bytes again
    still_serving_and_nothing_ran(kc)
    assert logged(log, "replayed message")


@pytest.mark.parametrize("cut", [1, 2, 3, 4, 5])
def test_truncated_multipart(target, cut):
    km, kc, log = target
    s = raw_shell(km)
    frames = signed_frames(kc.session, execute_msg(kc.session, "ran = 3"))
    s.send_multipart(frames[:cut] if cut > 1 else [b"garbage"])
    still_serving_and_nothing_ran(kc)
    assert logged(log, "dropped message")


def test_invalid_json(target):
    km, kc, log = target
    s = raw_shell(km)
    header = kc.session.pack(kc.session.msg_header("execute_request"))
    parts = [header, b"{}", b"{}", b'{"code": "ran = 4", ']
    s.send_multipart([b"<IDS|MSG>", kc.session.sign(parts)] + parts)
    parts = [b"{not json", b"{}", b"{}", b'{"code": "ran = 5"}']
    s.send_multipart([b"<IDS|MSG>", kc.session.sign(parts)] + parts)
    still_serving_and_nothing_ran(kc)
    assert logged(log, "content is not valid JSON") and logged(log, "bad header")


def test_oversized_message_gets_a_clear_error(target):
    km, kc, log = target
    s = raw_shell(km)
    big = execute_msg(kc.session, "ran = 6 // " + "x" * (2 << 20))
    s.send_multipart(signed_frames(kc.session, big))
    reply = s.recv_multipart()
    content = json.loads(reply[-1])
    assert content["status"] == "error" and content["ename"] == "MessageTooLarge", content
    assert "GOSSL_MAX_MESSAGE_BYTES" in content["evalue"]
    still_serving_and_nothing_ran(kc)
    assert logged(log, "over the limit")


def test_unknown_message_type_gets_an_error_reply(target):
    km, kc, log = target
    kc.shell_channel.send(kc.session.msg("frobnicate_request", {}))
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    assert reply["msg_type"] == "frobnicate_reply" and reply["content"]["status"] == "error"
    kc.shell_channel.send(kc.session.msg("frobnicate", {}))
    still_serving_and_nothing_ran(kc)
    assert logged(log, "unsupported message type")


def connection_file(path, key, mode):
    path.write_text(json.dumps({"transport": "tcp", "ip": "127.0.0.1", "shell_port": 45101,
                                "control_port": 45102, "stdin_port": 45103, "iopub_port": 45104,
                                "hb_port": 45105, "key": key, "signature_scheme": "hmac-sha256"}))
    os.chmod(path, mode)


def test_empty_key_is_refused_unless_allowed(gossl_bin, tmp_path):
    cf = tmp_path / "conn.json"
    connection_file(cf, "", 0o600)
    env = {k: v for k, v in os.environ.items() if k != "GOSSL_ALLOW_UNSIGNED"}
    p = subprocess.run([gossl_bin, "kernel", str(cf)], capture_output=True, text=True, timeout=60, env=env)
    assert p.returncode != 0 and "empty key" in p.stderr and "GOSSL_ALLOW_UNSIGNED" in p.stderr


def test_world_readable_connection_file_is_warned_about(gossl_bin, tmp_path):
    cf = tmp_path / "conn.json"
    connection_file(cf, "a-key", 0o644)
    p = subprocess.Popen([gossl_bin, "kernel", str(cf)], stderr=subprocess.PIPE, text=True,
                         env={**os.environ, "GOSSL_CRASH_DIR": str(tmp_path)})
    try:
        line = p.stderr.readline()
        assert "readable by other users" in line, line
    finally:
        p.terminate()
        p.wait(timeout=30)


@pytest.mark.parametrize("size", [1 << 62, 40 << 30])
def test_huge_frame_header_before_authentication(target, size):
    """zmq4 allocates a frame at the size its header announces, before any
    signature is checked: the kernel's relay drops such a connection."""
    import socket
    import struct
    km, kc, log = target
    if km.transport == "ipc":
        s = socket.socket(socket.AF_UNIX)
        s.connect(f"{km.ip}-{km.shell_port}")
    else:
        s = socket.create_connection((km.ip, km.shell_port))
    s.sendall(b"\xff" + b"\x00" * 8 + b"\x7f" + b"\x03\x00" + b"NULL" + b"\x00" * 16 + b"\x00" + b"\x00" * 31)
    s.recv(64)
    ready = b"\x05READY" + b"\x0bSocket-Type" + struct.pack(">I", 6) + b"DEALER"
    s.sendall(bytes([0x04, len(ready)]) + ready)
    s.sendall(bytes([0x02]) + struct.pack(">Q", size))
    assert logged(log, f"a frame of {size} bytes announced")
    s.close()
    assert km.is_alive()
    still_serving_and_nothing_ran(kc)
