"""Remote kernels: gateways (Jupyter Enterprise Gateway, JupyterHub's
spawners) start the kernel with a connection file whose ip and transport
are not the defaults. The kernel must bind exactly what the file says:
unix sockets for transport "ipc", the given address for "tcp" (127.0.0.2
here, a loopback address that is not 127.0.0.1), and every interface for
0.0.0.0. Each case runs a cell through jupyter_client and checks the five
channels (shell, iopub, stdin, control, heartbeat) and, from /proc, which
sockets the kernel process really listens on."""
import os
import pathlib
import socket
import stat
import subprocess

import pytest
from jupyter_client import BlockingKernelClient, KernelManager, localinterfaces
from jupyter_client.connect import write_connection_file

TIMEOUT = 60


def _listening_tcp(pid):
    """(ip, port) of every TCP socket the process listens on, from
    /proc/PID/fd (its socket inodes) and /proc/net/tcp{,6}."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    found = []
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        if not os.path.exists(table):
            continue
        with open(table) as f:
            next(f)
            for line in f:
                fields = line.split()
                local, state, inode = fields[1], fields[3], fields[9]
                if state != "0A" or inode not in inodes:  # 0A: LISTEN
                    continue
                addr_hex, port_hex = local.split(":")
                raw = bytes.fromhex(addr_hex)
                # /proc prints the address as host-order 32-bit words
                raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
                found.append((socket.inet_ntop(family, raw), int(port_hex, 16)))
    return sorted(found)


def _ports(info):
    return sorted(info[k] for k in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"))


def _exercise(kc):
    """A cell through shell and iopub, input through stdin, the heartbeat
    and a kernel_info over control: every channel of the connection file."""
    kc.wait_for_ready(timeout=TIMEOUT)
    out = []
    reply = kc.execute_interactive(
        'import "fmt"\nvar name string\nfmt.Scanln(&name)\nfmt.Println("hello", name, 6*7)',
        allow_stdin=True,
        stdin_hook=lambda msg: kc.input("remote"),
        output_hook=lambda msg: out.append(msg["content"].get("text", "")
                                           if msg["msg_type"] == "stream" else ""),
        timeout=TIMEOUT,
    )
    assert reply["content"]["status"] == "ok", reply["content"]
    assert "hello remote 42" in "".join(out)
    assert kc.hb_channel.is_beating()
    request = kc.session.msg("kernel_info_request")
    kc.control_channel.send(request)
    msg_id = request["header"]["msg_id"]
    control = kc.get_control_msg(timeout=TIMEOUT)
    assert control["msg_type"] == "kernel_info_reply"
    assert control["parent_header"]["msg_id"] == msg_id
    assert control["content"]["language_info"]["name"] == "go"


@pytest.fixture
def managed(kernel_name):
    """Starts a kernel through KernelManager with the given transport/ip
    (as a gateway does) and stops it at the end."""
    started = []

    def start(**kw):
        km = KernelManager(kernel_name=kernel_name, **kw)
        km.start_kernel()
        kc = km.client()
        kc.start_channels()
        started.append((km, kc))
        return km, kc

    yield start
    for km, kc in started:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_ipc_transport(managed, tmp_path):
    base = tmp_path / "k"  # unix socket paths are base-PORT (jupyter_client's naming)
    km, kc = managed(transport="ipc", ip=str(base))
    info = km.get_connection_info()
    assert info["transport"] == "ipc"
    _exercise(kc)
    for port in _ports(info):
        path = pathlib.Path(f"{base}-{port}")
        assert path.exists() and stat.S_ISSOCK(path.stat().st_mode), f"no unix socket at {path}"
    assert _listening_tcp(km.provisioner.process.pid) == [], "an ipc kernel must not open TCP ports"


def test_ipc_transport_default_paths(managed):
    """Without an ip, jupyter_client names the sockets after the connection
    file (…/kernel-ID-ipc-PORT): the kernel must bind those paths."""
    km, kc = managed(transport="ipc")
    info = km.get_connection_info()
    _exercise(kc)
    for port in _ports(info):
        path = pathlib.Path(f"{info['ip']}-{port}")
        assert path.exists() and stat.S_ISSOCK(path.stat().st_mode), f"no unix socket at {path}"


def test_tcp_bound_to_given_address(managed):
    # jupyter_client only launches on addresses its interface scan found;
    # the whole 127/8 is loopback on Linux, so 127.0.0.2 is local too.
    localinterfaces.local_ips()  # fills the cached list first
    if "127.0.0.2" not in localinterfaces.LOCAL_IPS:
        localinterfaces.LOCAL_IPS.append("127.0.0.2")
    km, kc = managed(transport="tcp", ip="127.0.0.2")
    info = km.get_connection_info()
    _exercise(kc)
    listening = _listening_tcp(km.provisioner.process.pid)
    assert listening == [("127.0.0.2", p) for p in _ports(info)]
    # and nothing answers on the default address
    with socket.socket() as s:
        s.settimeout(2)
        assert s.connect_ex(("127.0.0.1", info["shell_port"])) != 0


def test_tcp_on_all_interfaces_reached_by_another_address(gossl_bin, tmp_path):
    """Enterprise Gateway's remote launchers write ip 0.0.0.0 so the kernel
    is reachable from the gateway's host: the client then connects to the
    kernel host's own address."""
    cf, info = write_connection_file(str(tmp_path / "kernel.json"), ip="0.0.0.0", transport="tcp",
                                     key=os.urandom(16).hex().encode(), kernel_name="gossl")
    log = open(tmp_path / "kernel.log", "wb")
    proc = subprocess.Popen([gossl_bin, "kernel", cf], stdout=log, stderr=subprocess.STDOUT)
    kc = BlockingKernelClient()
    try:
        kc.load_connection_info(dict(info, ip="127.0.0.2"))
        kc.start_channels()
        _exercise(kc)
        # Go listens on a wildcard address as one dual-stack socket ("::")
        listening = _listening_tcp(proc.pid)
        assert [p for _, p in listening] == _ports(info)
        assert all(ip in ("0.0.0.0", "::") for ip, _ in listening), listening
    finally:
        kc.stop_channels()
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_bad_transport_is_refused_with_a_clear_error(gossl_bin, tmp_path):
    cf, _ = write_connection_file(str(tmp_path / "kernel.json"), ip="127.0.0.1", transport="tcp",
                                  key=os.urandom(16).hex().encode())
    text = pathlib.Path(cf).read_text().replace('"tcp"', '"udp"')
    pathlib.Path(cf).write_text(text)
    done = subprocess.run([gossl_bin, "kernel", cf], capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode != 0
    assert "transport" in done.stderr and "udp" in done.stderr, done.stderr
