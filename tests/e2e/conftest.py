"""Fixtures for end-to-end tests: the built gossl binary, its kernelspec
installed into a throw-away Jupyter data dir, and kernels started by
jupyter_client exactly as Jupyter starts them."""
import os
import pathlib
import shutil
import subprocess
import tempfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOSSL = os.environ.get("GOSSL_BIN", str(ROOT / "bin" / "gossl"))
KERNEL_NAME = "gossl"

# Set before jupyter_client reads its paths (and before the conformance
# suite's classes start kernels): tests never touch the user's own Jupyter.
_data_dir = tempfile.mkdtemp(prefix="gossl-e2e-data-")
os.environ["JUPYTER_DATA_DIR"] = _data_dir
os.environ["JUPYTER_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="gossl-e2e-runtime-")


def pytest_configure(config):
    if not os.path.exists(GOSSL):
        raise pytest.UsageError(f"{GOSSL} does not exist: run `make build` first")
    subprocess.run([GOSSL, "install", "--user"], check=True, capture_output=True)


def pytest_unconfigure(config):
    shutil.rmtree(_data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def gossl_bin():
    return GOSSL


@pytest.fixture(scope="session")
def kernel_name():
    return KERNEL_NAME


def _running_kernel():
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=60)
    try:
        yield km, kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


@pytest.fixture
def kernel():
    """A fresh gossl kernel and a client with its channels started."""
    yield from _running_kernel()


@pytest.fixture(scope="module")
def shared_kernel():
    """One kernel for a module's tests that do not need a fresh one."""
    yield from _running_kernel()
