"""JupyterLab 3.6 in headless Chromium: the front end built from npm's
@jupyterlab/*@3.6.8 packages (tests/e2e/jupyterlab, built and cached by its
build.sh) served by Debian's jupyter_server and jupyterlab_server, as a
user meets gossl there:
- notebooks/04-display.ipynb opened as shipped (untrusted): every figure,
  the table and the map already show;
- Run All: no cell errors, every plot, the table, the typeset LaTeX, the
  updated displays and the embedding map's points;
- a small notebook using sslkit: Tab completion of loss.NTX, Shift-Tab
  docs of loss.NTXent, fmt.Scanln answered in the page, and a `for {}`
  stopped from the notebook toolbar with the session's variables kept;
- no errors in the browser console but fetches to the internet.
Screenshots land in build/screenshots (or $GOSSL_ARTIFACTS)."""
import os
import secrets
import shutil
import subprocess
import time

import pytest

pytest.importorskip("selenium", reason="python3-selenium is needed for browser tests")
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

import browser as bt  # noqa: E402
from browser import console, driver  # noqa: E402,F401 (pytest fixtures shared by both frontends)

LAB = bt.ROOT / "tests" / "e2e" / "jupyterlab"
PYTHON = os.environ.get("PYTHON", "/usr/bin/python3")
SSLKIT_NB = "sslkit-browser.ipynb"

# Helpers every script below starts with: the notebook panel in the main
# area and its cells, found by tag.
JS = """
var app = window.jupyterapp;
var panel = app && app.shell.currentWidget;
function codeCells() { return panel.content.widgets.filter(function (c) { return c.model.type === 'code'; }); }
function byTag(tag) {
    return panel.content.widgets.findIndex(function (c) {
        return (c.model.metadata.get('tags') || []).indexOf(tag) >= 0; });
}
function kernelStatus() {
    var k = panel.sessionContext.session && panel.sessionContext.session.kernel;
    return k ? k.status : 'none';
}
"""


def js(driver, script, *args):
    return driver.execute_script(JS + script, *args)


@pytest.fixture(scope="module")
def lab_build():
    """build/ of the Lab front end, built once and reused (build.sh)."""
    if subprocess.run([PYTHON, "-c", "import jupyterlab_server, jupyter_server"], capture_output=True).returncode:
        pytest.skip("jupyterlab_server is not installed (apt: python3-jupyter-server python3-jupyterlab-server)")
    if not shutil.which("npm"):
        pytest.skip("npm is not installed (apt: nodejs npm): it builds JupyterLab's front end")
    done = subprocess.run(["bash", str(LAB / "build.sh")], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"building JupyterLab's front end failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return LAB / "build"


@pytest.fixture(scope="module")
def server(lab_build, tmp_path_factory):
    bt.require_tools()
    root = tmp_path_factory.mktemp("lab-root")
    shutil.copy(bt.TUTORIAL, root / bt.TUTORIAL.name)
    bt.write_sslkit_notebook(root / SSLKIT_NB)
    state = tmp_path_factory.mktemp("lab-state")
    token = secrets.token_hex(16)
    port = bt.free_port()
    argv = [PYTHON, str(LAB / "main.py"), "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0", f"--ServerApp.token={token}", "--ServerApp.open_browser=False",
            f"--ServerApp.root_dir={root}",
            f"--GosslLabApp.user_settings_dir={state / 'user_settings'}",
            f"--GosslLabApp.workspaces_dir={state / 'workspaces'}"]
    if os.geteuid() == 0:
        argv.append("--ServerApp.allow_root=True")
    srv = bt.Server(argv, root, port, token)
    yield srv
    srv.stop()


def _open(driver, server, name):
    """Opens a notebook: by URL the first time, then from inside the running
    Lab (as a user would, and no page is left with unsaved changes)."""
    if js(driver, "return !!(app && document.body.getAttribute('data-gossl-lab') === 'ready');"):
        js(driver, "app.commands.execute('docmanager:open', {path: arguments[0]});", name)
    else:
        driver.get(server.url(f"/lab/tree/{name}"))
        bt.wait(lambda: driver.execute_script("return document.body.getAttribute('data-gossl-lab') === 'ready'"),
                90, "JupyterLab to start")
    bt.wait(lambda: js(driver, """
        return !!(panel && panel.content && panel.context && panel.context.path === arguments[0]
                  && panel.context.isReady && kernelStatus() === 'idle');""", name),
            90, f"{name} to open and its gossl kernel to be idle")


def _page_height(driver):
    """Lets the notebook grow to its content (it scrolls inside its panel)."""
    return js(driver, """
        var nb = panel.content.node;
        var h = nb.scrollHeight + nb.getBoundingClientRect().top + 80;
        nb.style.overflow = 'visible';
        return h;""")


def _restore_scroll(driver):
    js(driver, "panel.content.node.style.overflow = '';")


SHOWN_IMAGES = "var cells = codeCells().map(function (c) { return c.outputArea.node; });" + bt.SHOWN_IMAGES


def _shown_images(driver):
    # Lab lays out only what is near the viewport; show everything first.
    js(driver, "panel.content.node.style.overflow = 'visible';")
    try:
        return js(driver, SHOWN_IMAGES)
    finally:
        _restore_scroll(driver)


@pytest.fixture(scope="module")
def untrusted(driver, server):
    _open(driver, server, bt.TUTORIAL.name)
    trusted = js(driver, "return codeCells().map(function (c) { return c.model.trusted; });")
    assert not any(trusted), "the shipped notebook must open untrusted"
    time.sleep(1)  # images decode
    return driver


def test_untrusted_tutorial_shows_its_figures(untrusted):
    shown = _shown_images(untrusted)
    figures = bt.figure_cells()
    assert len(figures) >= 10
    h = _page_height(untrusted)
    bt.screenshot(untrusted, "lab-04-untrusted", h)
    _restore_scroll(untrusted)
    missing = bt.missing_images(shown)
    if missing and all(bt.DISPLAY_FIX_PENDING.search(src) for src in missing):
        pytest.xfail("untrusted view: the embedding map and the progress sparklines are HTML that the frontend "
                     "sanitises to their text, and the PNG in the same bundle is not shown (issue 14: map/progress "
                     f"HTML with a static image fallback, in display/): {[s.splitlines()[-1] for s in missing]}")
    assert not missing, f"cells that show no image when untrusted: {[s.splitlines()[-1] for s in missing]}"


def test_untrusted_tutorial_shows_its_table(untrusted):
    tables = untrusted.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output table.gossl-table")
    assert tables and "Barlow Twins" in tables[0].get_attribute("textContent")


@pytest.fixture(scope="module")
def page(untrusted):
    driver = untrusted
    js(driver, """
        return app.commands.execute('notebook:clear-all-cell-outputs')
            .then(function () { return app.commands.execute('notebook:run-all-cells'); })
            .then(function () { return true; });""")
    bt.wait(lambda: js(driver, """
        return codeCells().every(function (c) { return typeof c.model.executionCount === 'number'; })
            && kernelStatus() === 'idle';"""), bt.RUN_TIMEOUT, "every cell of the tutorial to run")
    time.sleep(1)
    return driver


def test_no_cell_errors(page):
    errors = js(page, """
        var out = [];
        codeCells().forEach(function (c) {
            var o = c.model.outputs;
            for (var i = 0; i < o.length; i++) {
                var j = o.get(i).toJSON();
                if (j.output_type === 'error') { out.push(j.ename + ': ' + j.evalue); }
            }
        });
        return out;""")
    assert errors == []


def test_every_figure_cell_shows_an_image(page):
    missing = bt.missing_images(_shown_images(page))
    assert not missing, f"cells that show no image: {[s.splitlines()[-1] for s in missing]}"


def test_table_and_text_kinds_are_rendered(page):
    tables = page.find_elements(By.CSS_SELECTOR, ".jp-RenderedHTMLCommon table.gossl-table")
    assert tables, "no table in the page"
    text = tables[0].get_attribute("textContent")
    for want in ("Method", "Top1", "Barlow Twins", "0.861", "4 rows"):
        assert want in text
    assert page.find_element(By.ID, "gossl-html-demo").get_attribute("textContent") == "HTML from a Go cell"
    md = page.find_elements(By.CSS_SELECTOR, ".jp-RenderedMarkdown strong")
    assert any(e.get_attribute("textContent") == "Self-supervised" for e in md)
    assert page.find_elements(By.XPATH, "//div[contains(@class,'jp-RenderedHTML')]//b[text()='21.5 °C']")


def test_latex_is_typeset(page):
    """MathJax comes from Debian's libjs-mathjax through main.py; without
    it Lab would fetch a CDN and show the raw source here."""
    if not os.path.isdir("/usr/share/javascript/mathjax"):
        pytest.skip("libjs-mathjax is not installed")
    bt.wait(lambda: page.find_elements(By.CSS_SELECTOR, ".jp-RenderedLatex .MathJax_Display, .jp-RenderedLatex .MathJax"),
            30, "MathJax to typeset the LaTeX output")


def test_updates_replaced_their_outputs(page):
    texts = js(page, "return codeCells().map(function (c) { return c.outputArea.node.textContent; });")
    status = [t for t in texts if "epoch 5 of 5 done" in t]
    assert status and "waiting" not in status[0] and "epoch 4" not in status[0]
    progress = [t for t in texts if "300/300" in t]
    assert len(progress) == 1, progress
    bars = page.find_elements(By.CSS_SELECTOR, ".gossl-progress progress")
    assert len(bars) == 1 and bars[0].get_attribute("value") == "300"


def test_embedding_map_runs_its_script(page):
    maps = page.find_elements(By.CSS_SELECTOR, ".gossl-embedding-map")
    assert len(maps) == 1
    m = maps[0]
    assert len(m.find_elements(By.CSS_SELECTOR, "circle.gm-point")) == 1000
    legend = [e.get_attribute("textContent") for e in m.find_elements(By.CSS_SELECTOR, ".gm-class")]
    assert legend == ["airplane", "car", "bird", "cat", "dog"]
    page.execute_script("arguments[0].scrollIntoView({block: 'center'});", m)
    view = m.find_element(By.CSS_SELECTOR, "g.gm-view")
    before = view.get_attribute("transform")
    svg = m.find_element(By.CSS_SELECTOR, "svg")
    page.execute_script("""
        var svg = arguments[0], r = svg.getBoundingClientRect();
        svg.dispatchEvent(new WheelEvent('wheel', {deltaY: -100, clientX: r.left + r.width / 2,
            clientY: r.top + r.height / 2, bubbles: true, cancelable: true}));""", svg)
    assert view.get_attribute("transform") != before


def test_tutorial_screenshot(page):
    h = _page_height(page)
    path = bt.screenshot(page, "lab-04-run", h)
    _restore_scroll(page)
    assert path.stat().st_size > 50_000


# --- the sslkit notebook: completion, docs, stdin, interrupt -------------

@pytest.fixture(scope="module")
def sslkit(page, server):
    driver = page
    _open(driver, server, SSLKIT_NB)
    for tag in ("imports", "keep"):
        _run_cell(driver, tag)
    _wait_output(driver, "keep", "kept 42 true")
    assert "kept 42 true" in _output_text(driver, "keep")
    return driver


def _wait_output(driver, tag, text):
    """Waits for text in a cell's output: the execute reply (which ends the
    cell's prompt) and the outputs arrive on different channels, so a cell
    can count as done a moment before its output shows."""
    bt.wait(lambda: text.lower() in _output_text(driver, tag).lower(), 30, f"{text!r} in the {tag} cell's output")


def _output_text(driver, tag):
    return js(driver, "return panel.content.widgets[byTag(arguments[0])].outputArea.node.textContent;", tag)


def _run_cell(driver, tag, wait_done=True):
    js(driver, """
        var i = byTag(arguments[0]);
        panel.content.widgets[i].model.executionCount = null;
        panel.content.activeCellIndex = i;
        panel.content.deselectAll();
        app.commands.execute('notebook:run-cell');""", tag)
    if wait_done:
        bt.wait(lambda: js(driver, """
            var c = panel.content.widgets[byTag(arguments[0])];
            return typeof c.model.executionCount === 'number' && kernelStatus() === 'idle';""", tag),
            60, f"cell {tag} to finish")


def _edit(driver, tag, text):
    """Puts text in a cell and the cursor at its end, in edit mode."""
    js(driver, """
        var i = byTag(arguments[0]), c = panel.content.widgets[i];
        panel.content.activeCellIndex = i;
        c.model.value.text = arguments[1];
        panel.content.mode = 'edit';
        c.editor.focus();
        c.editor.setCursorPosition({line: 0, column: arguments[1].length});""", tag, text)


def _cell_text(driver, tag):
    return js(driver, "return panel.content.widgets[byTag(arguments[0])].model.value.text;", tag)


def test_tab_completes_an_sslkit_name(sslkit):
    _edit(sslkit, "complete", bt.COMPLETE_PREFIX)
    ActionChains(sslkit).send_keys(Keys.TAB).perform()
    items = bt.wait(lambda: [e.get_attribute("data-value") for e in
                             sslkit.find_elements(By.CSS_SELECTOR, ".jp-Completer .jp-Completer-item")],
                    20, "the completer's list")
    assert bt.COMPLETE_WANT in items, items
    assert all(v.startswith("NTX") for v in items), items
    bt.screenshot(sslkit, "lab-completion")
    ActionChains(sslkit).send_keys(Keys.ENTER).perform()  # picks the active item
    bt.wait(lambda: _cell_text(sslkit, "complete") in {"loss." + v for v in items}, 10, "the completion to apply")
    assert _cell_text(sslkit, "complete").startswith("loss." + bt.COMPLETE_WANT)


def test_shift_tab_shows_sslkit_docs(sslkit):
    _edit(sslkit, "complete", "loss.NTXent")
    ActionChains(sslkit).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    tip = bt.wait(lambda: [e for e in sslkit.find_elements(By.CSS_SELECTOR, ".jp-Tooltip") if e.is_displayed()],
                  20, "the Shift-Tab tooltip")[0]
    text = bt.wait(lambda: tip.get_attribute("textContent"), 10, "the tooltip's text")
    bt.screenshot(sslkit, "lab-docs")
    assert "func NTXent" in text and "NTXentOptions" in text, text
    assert "temperature" in text.lower(), text
    ActionChains(sslkit).send_keys(Keys.ESCAPE).perform()
    js(sslkit, "panel.content.widgets[byTag('complete')].model.value.text = '';")


def test_stdin_is_answered_in_the_page(sslkit):
    _run_cell(sslkit, "stdin", wait_done=False)
    box = bt.wait(lambda: [e for e in sslkit.find_elements(By.CSS_SELECTOR, "input.jp-Stdin-input") if e.is_displayed()],
                  30, "the input box of fmt.Scanln")[0]
    box.send_keys("gopher", Keys.ENTER)
    bt.wait(lambda: "hello, gopher" in _output_text(sslkit, "stdin"), 30, "the cell to echo the answer")
    bt.wait(lambda: js(sslkit, "return kernelStatus() === 'idle';"), 30, "the kernel to go idle")


def test_toolbar_interrupt_stops_a_loop_and_keeps_the_session(sslkit):
    _run_cell(sslkit, "loop", wait_done=False)
    bt.wait(lambda: js(sslkit, "return kernelStatus() === 'busy';"), 20, "the loop to start")
    time.sleep(1)  # well into the loop
    # the toolbar of the notebook in view (the tutorial's is hidden behind it)
    buttons = [b for b in sslkit.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel-toolbar button")
               if b.is_displayed() and (b.get_attribute("title") or "").lower().startswith("interrupt")]
    assert buttons, "no interrupt button in the notebook toolbar"
    buttons[0].click()
    bt.wait(lambda: js(sslkit, "return kernelStatus() === 'idle';"), 30, "the interrupted kernel to go idle")
    _wait_output(sslkit, "loop", "interrupt")
    assert "interrupt" in _output_text(sslkit, "loop").lower()
    _run_cell(sslkit, "after")
    _wait_output(sslkit, "after", "still 42")
    assert "still 42" in _output_text(sslkit, "after")
    h = _page_height(sslkit)
    bt.screenshot(sslkit, "lab-sslkit", h)
    _restore_scroll(sslkit)


def test_no_console_errors(sslkit, console):
    assert console.errors(known_noise=("about:blank",)) == []
