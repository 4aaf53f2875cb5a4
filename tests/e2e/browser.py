"""What the browser tests share: a Jupyter server on 127.0.0.1, headless
Chromium (Debian's chromium and chromium-driver through python3-selenium),
waiting, screenshots under build/screenshots (or $GOSSL_ARTIFACTS), the
console-error filter and the small sslkit notebook each frontend is driven
through by keyboard and toolbar."""
import base64
import json
import os
import pathlib
import re
import socket
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "notebooks" / "04-display.ipynb"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
ARTIFACTS = pathlib.Path(os.environ.get("GOSSL_ARTIFACTS") or ROOT / "build" / "screenshots")
RUN_TIMEOUT = 180


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(predicate, timeout, what):
    """Polls predicate until it returns something true; fails naming what
    it waited for and the last value or exception seen."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except Exception as e:  # the page may still be loading
            last = e
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


class Server:
    """A Jupyter server process on 127.0.0.1 with a random token; its log
    lands beside the notebooks it serves."""

    def __init__(self, argv, root, port, token, env=None, ready_path="/api/status"):
        self.root, self.port, self.token = root, port, token
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = root / "server.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(argv, stdout=self._log, stderr=subprocess.STDOUT, env=env, cwd=root)
        try:
            wait(lambda: self._up(ready_path), 90, f"the server {argv[0]} on port {port}")
        except BaseException:
            self.stop()
            raise

    def _up(self, path):
        if self.proc.poll() is not None:
            pytest.fail(f"server exited with {self.proc.returncode}: {self.log()[-3000:]}")
        return urllib.request.urlopen(f"{self.base}{path}?token={self.token}", timeout=2).status == 200

    def url(self, path):
        sep = "&" if "?" in path else "?"
        return f"{self.base}{path}{sep}token={urllib.parse.quote(self.token)}"

    def log(self):
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


def require_tools(*tools):
    for tool in (CHROMIUM, CHROMEDRIVER) + tools:
        if not os.path.exists(tool):
            pytest.skip(f"{tool} is not installed (install/debian.sh installs the browser test tools)")


def chromium(profile_dir):
    """Headless Chromium that reaches nothing by itself (no sync, updates or
    QUIC) and keeps every console message for the error check."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1400,1000"):
        opts.add_argument(flag)
    opts.add_argument(f"--user-data-dir={profile_dir}")
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_script_timeout(60)
    return driver


class Console:
    """Collects the browser console across the pages of one test module
    (chromedriver hands each message out once)."""

    def __init__(self, driver):
        self.driver, self.entries = driver, []

    def drain(self):
        self.entries.extend(self.driver.get_log("browser"))
        return self.entries

    def errors(self, known_noise=()):
        """SEVERE messages, less fetches the page makes to the internet
        (there is none here) and the frontend's own known noise."""
        local = ("http://127.0.0.1", "https://127.0.0.1")
        out = []
        for e in self.drain():
            if e["level"] != "SEVERE":
                continue
            msg = e["message"]
            url = msg.split(" ", 1)[0]
            if url.startswith(("http://", "https://")) and not url.startswith(local):
                continue  # a fetch to the internet
            if "favicon.ico" in msg or any(n in msg for n in known_noise):
                continue
            out.append(msg)
        return out


def screenshot(driver, name, full_height=None):
    """Saves a PNG under ARTIFACTS; full_height (pixels) first resizes the
    viewport so a whole scrolled page lands in one image."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if full_height:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 1400, "height": min(int(full_height), 16000),
                                "deviceScaleFactor": 1, "mobile": False})
        time.sleep(0.5)
    try:
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    finally:
        if full_height:
            driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    path = ARTIFACTS / f"{name}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    print(f"screenshot: {path}")
    return path


# The small notebook every frontend is driven through: an sslkit name to
# complete and inspect, a variable the interrupt must keep, a cell reading
# stdin and a loop that only the toolbar's interrupt ends.
SSLKIT_CELLS = {
    "imports": 'import (\n\t"fmt"\n\n\t"github.com/gossl/gossl/sslkit/loss"\n)',
    "keep": 'kept := 42\nopts := loss.NTXentOptions{Temperature: 0.5}\nfmt.Println("kept", kept, opts.Temperature > 0)',
    "complete": "",  # the test types loss.NTX here
    "stdin": 'var name string\nfmt.Print("your name? ")\nfmt.Scanln(&name)\nfmt.Println("hello,", name)',
    "loop": "spins := 0\nfor {\n\tspins++\n}",
    "after": 'fmt.Println("still", kept)',
}
COMPLETE_PREFIX = "loss.NTX"
COMPLETE_WANT = "NTXent"


def write_sslkit_notebook(path):
    cells = [{"cell_type": "markdown", "id": "intro", "metadata": {},
              "source": "A scratch notebook for gossl's browser tests."}]
    for key, src in SSLKIT_CELLS.items():
        cells.append({"cell_type": "code", "id": key, "metadata": {"tags": [key]}, "execution_count": None,
                      "outputs": [], "source": src})
    nb = {"nbformat": 4, "nbformat_minor": 5, "cells": cells,
          "metadata": {"kernelspec": {"name": "gossl", "display_name": "Go (gossl)", "language": "go"},
                       "language_info": {"name": "go", "file_extension": ".go", "mimetype": "text/x-go"}}}
    path.write_text(json.dumps(nb, indent=1))
    return path


def figure_cells(notebook=TUTORIAL):
    """Indexes (among code cells) and sources of the tutorial's cells
    tagged "figure": each must show an image."""
    nb = json.loads(notebook.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    return [(i, "".join(c["source"])) for i, c in enumerate(code) if "figure" in c["metadata"].get("tags", [])]


def progress_cells(notebook=TUTORIAL):
    """Code cells that draw a progress bar with metric sparklines."""
    nb = json.loads(notebook.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    return [(i, "".join(c["source"])) for i, c in enumerate(code) if "NewProgress(" in "".join(c["source"])]


# In a page script, for each code cell (in order) the visible images of its
# outputs as [tag, width, height]: <img> that loaded and outermost <svg>,
# at least 40x20 pixels. `cells` must be a JS array of output DOM nodes.
SHOWN_IMAGES = """
    return cells.map(function (el) {
        return Array.prototype.filter.call(el.querySelectorAll('img, svg'), function (i) {
            if (i.tagName.toLowerCase() === 'svg' && i.parentElement.closest('svg')) { return false; }
            if (i.tagName === 'IMG' && !(i.complete && i.naturalWidth > 0)) { return false; }
            var r = i.getBoundingClientRect();
            return r.width >= 40 && r.height >= 20;
        }).map(function (i) { var r = i.getBoundingClientRect(); return [i.tagName.toLowerCase(), r.width, r.height]; });
    });"""

# Cells whose untrusted view waits on issue 14's display fix (HTML with a
# static image fallback).
DISPLAY_FIX_PENDING = re.compile(r"NewEmbeddingMap|NewProgress\(")


def missing_images(shown, notebook=TUTORIAL):
    """Sources of the cells that show too little: a figure cell needs an
    image of at least 100x50 (a blank or broken figure does not count), a
    progress cell its sparklines (at least one image of 60x25)."""
    def has(i, w, h):
        return any(iw >= w and ih >= h for _, iw, ih in shown[i])
    missing = [src for i, src in figure_cells(notebook) if not has(i, 100, 50)]
    missing += [src for i, src in progress_cells(notebook) if not has(i, 60, 25)]
    return missing


# Fixtures both frontends' tests import: one headless Chromium per module,
# and the console-error log read from it.
@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    d = chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield d
    d.quit()


@pytest.fixture(scope="module")
def console(driver):
    return Console(driver)
