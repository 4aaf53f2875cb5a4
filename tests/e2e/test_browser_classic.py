"""The classic Notebook (Debian's jupyter-notebook 6.4) in headless
Chromium, as a user meets gossl there:
- notebooks/04-display.ipynb opened as shipped (untrusted, never run in
  this browser): every figure, the table and the map already show;
- Run All: no cell errors, every plot, the table, the typeset LaTeX, the
  updated displays and the embedding map's points (zoomable, with hover);
- a small notebook using sslkit: Tab completion of loss.NTX, Shift-Tab
  docs of loss.NTXent, fmt.Scanln answered in the page, and a `for {}`
  stopped from the toolbar with the session's variables kept;
- no errors in the browser console but fetches to the internet.
Screenshots land in build/screenshots (or $GOSSL_ARTIFACTS)."""
import os
import secrets
import shutil
import time

import pytest

pytest.importorskip("selenium", reason="python3-selenium is needed for browser tests")
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

import browser as bt  # noqa: E402
from browser import console, driver  # noqa: E402,F401 (pytest fixtures shared by both frontends)

NOTEBOOK_SERVER = os.environ.get("JUPYTER_NOTEBOOK", "/usr/bin/jupyter-notebook")
SSLKIT_NB = "sslkit-browser.ipynb"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The classic Notebook server serving copies of the tutorial and the
    sslkit notebook from a temporary folder (a fresh Jupyter data dir, from
    conftest, so nothing is trusted yet)."""
    bt.require_tools(NOTEBOOK_SERVER)
    root = tmp_path_factory.mktemp("classic-root")
    shutil.copy(bt.TUTORIAL, root / bt.TUTORIAL.name)
    bt.write_sslkit_notebook(root / SSLKIT_NB)
    config = tmp_path_factory.mktemp("classic-config")
    token = secrets.token_hex(16)
    port = bt.free_port()
    argv = [NOTEBOOK_SERVER, "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--port-retries=0",
            f"--notebook-dir={root}", f"--NotebookApp.token={token}", "--NotebookApp.password="]
    if os.geteuid() == 0:  # CI containers run as root; the server refuses without this
        argv.append("--allow-root")
    srv = bt.Server(argv, root, port, token, env=dict(os.environ, JUPYTER_CONFIG_DIR=str(config)))
    yield srv
    srv.stop()


def _open(driver, server, name):
    driver.get(server.url(f"/notebooks/{name}"))
    bt.wait(lambda: driver.execute_script(
        "return !!(window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded"
        " && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected())"),
        90, f"{name} to load and its gossl kernel to connect")


def _page_height(driver):
    """Lets the page (which scrolls inside #site) grow to its content."""
    return driver.execute_script("""
        Jupyter.notebook.get_cells().forEach(function (c) { if (c.code_mirror) { c.code_mirror.refresh(); } });
        var site = document.getElementById('site');
        site.style.height = 'auto'; site.style.overflow = 'visible';
        document.body.style.overflow = 'visible';
        return Math.ceil(document.getElementById('notebook').getBoundingClientRect().bottom) + 40;""")


# Each code cell's visible images (see browser.SHOWN_IMAGES).
SHOWN_IMAGES = "var cells = Jupyter.notebook.get_cells().filter(function (c) { return c.cell_type === 'code'; }).map(function (c) { return c.output_area.element[0]; });" + bt.SHOWN_IMAGES


@pytest.fixture(scope="module")
def untrusted(driver, server):
    """The tutorial as shipped: opened, not run."""
    _open(driver, server, bt.TUTORIAL.name)
    assert driver.execute_script("return Jupyter.notebook.trusted") is False
    time.sleep(1)  # images decode
    return driver


def test_untrusted_tutorial_shows_its_figures(untrusted):
    shown = untrusted.execute_script(SHOWN_IMAGES)
    figures = bt.figure_cells()
    assert len(figures) >= 10
    bt.screenshot(untrusted, "classic-04-untrusted", _page_height(untrusted))
    missing = bt.missing_images(shown)
    if missing and all(bt.DISPLAY_FIX_PENDING.search(src) for src in missing):
        pytest.xfail("untrusted view: the embedding map and the progress sparklines are HTML that the frontend "
                     "sanitises to their text, and the PNG in the same bundle is not shown (issue 14: map/progress "
                     f"HTML with a static image fallback, in display/): {[s.splitlines()[-1] for s in missing]}")
    assert not missing, f"cells that show no image when untrusted: {[s.splitlines()[-1] for s in missing]}"


def test_untrusted_tutorial_shows_its_table(untrusted):
    tables = untrusted.find_elements(By.CSS_SELECTOR, ".output_html table.gossl-table")
    assert tables and "Barlow Twins" in tables[0].text


@pytest.fixture(scope="module")
def page(untrusted):
    """The tutorial with every cell run in this browser (outputs trusted)."""
    driver = untrusted
    driver.execute_script("Jupyter.notebook.clear_all_output(); Jupyter.notebook.execute_all_cells();")

    def finished():
        return driver.execute_script("""
            var cells = Jupyter.notebook.get_cells().filter(function (c) { return c.cell_type === 'code'; });
            return cells.every(function (c) { return typeof c.input_prompt_number === 'number'; })
                && !Jupyter.notebook.kernel_busy;""")
    bt.wait(finished, bt.RUN_TIMEOUT, "every cell of the tutorial to run")
    time.sleep(1)  # let the last outputs and their scripts settle
    return driver


def test_no_cell_errors(page):
    errors = page.execute_script("""
        return Jupyter.notebook.get_cells().filter(function (c) { return c.cell_type === 'code'; })
            .map(function (c) { return c.output_area.outputs; })
            .reduce(function (a, b) { return a.concat(b); }, [])
            .filter(function (o) { return o.output_type === 'error'; })
            .map(function (o) { return o.ename + ': ' + o.evalue; });""")
    assert errors == []


def test_every_figure_cell_shows_an_image(page):
    missing = bt.missing_images(page.execute_script(SHOWN_IMAGES))
    assert not missing, f"cells that show no image: {[s.splitlines()[-1] for s in missing]}"


def test_table_is_rendered(page):
    tables = page.find_elements(By.CSS_SELECTOR, ".output_html table.gossl-table")
    assert tables, "no table in the page"
    text = tables[0].text
    for want in ("Method", "Top1", "Barlow Twins", "0.861", "4 rows"):
        assert want in text


def test_text_kinds_are_rendered(page):
    html = page.find_element(By.ID, "gossl-html-demo")
    assert html.text == "HTML from a Go cell"
    md = page.find_elements(By.CSS_SELECTOR, ".output_markdown strong")
    assert any(e.text == "Self-supervised" for e in md)
    # LaTeX is typeset by the Notebook's MathJax
    bt.wait(lambda: page.find_elements(By.CSS_SELECTOR, ".output_latex .MathJax_Display, .output_latex .MathJax"),
            30, "MathJax to typeset the LaTeX output")
    # the self-rendering type's HTML replaced its text
    assert page.find_elements(By.XPATH, "//div[contains(@class,'output_html')]//b[text()='21.5 °C']")


def test_updates_replaced_their_outputs(page):
    texts = page.execute_script("""
        return Jupyter.notebook.get_cells().filter(function (c) { return c.cell_type === 'code'; })
            .map(function (c) { return c.output_area.element[0].innerText; });""")
    status = [t for t in texts if "epoch 5 of 5 done" in t]
    assert status and "waiting" not in status[0] and "epoch 4" not in status[0]
    progress = [t for t in texts if "300/300" in t]
    assert len(progress) == 1 and progress[0].count("300/300") == 1, progress
    bars = page.find_elements(By.CSS_SELECTOR, ".gossl-progress progress")
    assert len(bars) == 1 and bars[0].get_attribute("value") == "300"


def test_embedding_map_points_zoom_and_hover(page):
    maps = page.find_elements(By.CSS_SELECTOR, ".gossl-embedding-map")
    assert len(maps) == 1
    m = maps[0]
    points = m.find_elements(By.CSS_SELECTOR, "circle.gm-point")
    assert len(points) == 1000
    legend = [e.text for e in m.find_elements(By.CSS_SELECTOR, ".gm-class")]
    assert legend == ["airplane", "car", "bird", "cat", "dog"]

    page.execute_script("arguments[0].scrollIntoView({block: 'center'});", m)
    view = m.find_element(By.CSS_SELECTOR, "g.gm-view")
    before = view.get_attribute("transform")
    svg = m.find_element(By.CSS_SELECTOR, "svg")
    page.execute_script("""
        var svg = arguments[0], r = svg.getBoundingClientRect();
        svg.dispatchEvent(new WheelEvent('wheel', {deltaY: -100, clientX: r.left + r.width / 2,
            clientY: r.top + r.height / 2, bubbles: true, cancelable: true}));""", svg)
    after = view.get_attribute("transform")
    assert after and after != before and "scale(1.2)" in after

    page.execute_script("arguments[0].dispatchEvent(new MouseEvent('dblclick', {bubbles: true}));", svg)
    target = points[0]
    ActionChains(page).move_to_element(target).perform()
    tip = m.find_element(By.CSS_SELECTOR, ".gm-tip")
    bt.wait(lambda: tip.is_displayed(), 10, "the hover tooltip")
    # the tip names the point's class (and its index, where the map numbers points)
    assert any(name in tip.text for name in legend), tip.text
    index = target.get_attribute("data-i")
    if index is not None:
        assert f"#{index}" in tip.text, tip.text
    assert tip.find_element(By.TAG_NAME, "img").get_attribute("src").startswith("data:image/png;base64,")


def test_tutorial_screenshot(page):
    path = bt.screenshot(page, "classic-04-run", _page_height(page))
    assert path.stat().st_size > 50_000


# --- the sslkit notebook: completion, docs, stdin, interrupt -------------

@pytest.fixture(scope="module")
def sslkit(page, server):
    """The sslkit notebook open, its imports and variable cells run."""
    driver = page
    # saved first, so leaving the tutorial asks nothing
    driver.execute_script("return Jupyter.notebook.save_notebook();")
    bt.wait(lambda: not driver.execute_script("return Jupyter.notebook.dirty"), 30, "the tutorial to be saved")
    _open(driver, server, SSLKIT_NB)
    for tag in ("imports", "keep"):
        _run_cell(driver, tag)
    _wait_output(driver, "keep", "kept 42 true")
    assert "kept 42 true" in _output_text(driver, "keep")
    return driver


def _cell_index(driver, tag):
    return driver.execute_script("""
        var tag = arguments[0];
        return Jupyter.notebook.get_cells().findIndex(function (c) {
            return (c.metadata.tags || []).indexOf(tag) >= 0; });""", tag)


def _wait_output(driver, tag, text):
    """Waits for text in a cell's output: the execute reply (which ends the
    cell's prompt) and the outputs arrive on different channels, so a cell
    can count as done a moment before its output shows."""
    bt.wait(lambda: text.lower() in _output_text(driver, tag).lower(), 30, f"{text!r} in the {tag} cell's output")


def _output_text(driver, tag):
    return driver.execute_script(
        "return Jupyter.notebook.get_cell(arguments[0]).output_area.element[0].innerText;", _cell_index(driver, tag))


def _run_cell(driver, tag, wait_done=True):
    i = _cell_index(driver, tag)
    driver.execute_script("Jupyter.notebook.select(arguments[0]); Jupyter.notebook.execute_cell_and_select_below();", i)
    # the cell counts as run when its prompt holds a number again
    if wait_done:
        bt.wait(lambda: driver.execute_script(
            "var c = Jupyter.notebook.get_cell(arguments[0]);"
            " return typeof c.input_prompt_number === 'number' && !Jupyter.notebook.kernel_busy;", i),
            60, f"cell {tag} to finish")


def _edit(driver, tag, text):
    """Puts text in a cell and the cursor at its end, in edit mode."""
    i = _cell_index(driver, tag)
    driver.execute_script("""
        var nb = Jupyter.notebook, c = nb.get_cell(arguments[0]);
        nb.select(arguments[0]); c.set_text(arguments[1]); nb.edit_mode();
        c.code_mirror.focus(); c.code_mirror.setCursor(0, arguments[1].length);""", i, text)
    return i


def test_tab_completes_an_sslkit_name(sslkit):
    i = _edit(sslkit, "complete", bt.COMPLETE_PREFIX)
    ActionChains(sslkit).send_keys(Keys.TAB).perform()
    sslkit.execute_script("Jupyter.notebook.get_cells().forEach(function (c) { c.code_mirror.refresh(); });")
    options = bt.wait(lambda: [o.text for o in sslkit.find_elements(By.CSS_SELECTOR, ".completions select option")],
                      20, "the completion list")
    assert bt.COMPLETE_WANT in options, options
    assert all(o.startswith("NTX") for o in options), options
    bt.screenshot(sslkit, "classic-completion")
    ActionChains(sslkit).send_keys(Keys.ENTER).perform()  # picks the first: NTXent
    text = sslkit.execute_script("return Jupyter.notebook.get_cell(arguments[0]).get_text();", i)
    assert text == "loss." + options[0]


def test_shift_tab_shows_sslkit_docs(sslkit):
    _edit(sslkit, "complete", "loss.NTXent")
    ActionChains(sslkit).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    tip = bt.wait(lambda: [e for e in sslkit.find_elements(By.CSS_SELECTOR, "#tooltip") if e.is_displayed()],
                  20, "the Shift-Tab tooltip")[0]
    text = bt.wait(lambda: tip.text, 10, "the tooltip's text")
    bt.screenshot(sslkit, "classic-docs")
    assert "func NTXent" in text and "NTXentOptions" in text, text
    assert "temperature" in text.lower(), text
    ActionChains(sslkit).send_keys(Keys.ESCAPE).perform()
    sslkit.execute_script("Jupyter.notebook.get_cell(arguments[0]).set_text('');", _cell_index(sslkit, "complete"))


def test_stdin_is_answered_in_the_page(sslkit):
    _run_cell(sslkit, "stdin", wait_done=False)
    box = bt.wait(lambda: [e for e in sslkit.find_elements(By.CSS_SELECTOR, "input.raw_input") if e.is_displayed()],
                  30, "the input box of fmt.Scanln")[0]
    box.send_keys("gopher", Keys.ENTER)
    bt.wait(lambda: "hello, gopher" in _output_text(sslkit, "stdin"), 30, "the cell to echo the answer")
    bt.wait(lambda: not sslkit.execute_script("return Jupyter.notebook.kernel_busy"), 30, "the kernel to go idle")


def test_toolbar_interrupt_stops_a_loop_and_keeps_the_session(sslkit):
    _run_cell(sslkit, "loop", wait_done=False)
    bt.wait(lambda: sslkit.execute_script("return Jupyter.notebook.kernel_busy"), 20, "the loop to start")
    time.sleep(1)  # well into the loop
    button = sslkit.find_element(By.CSS_SELECTOR, "button[data-jupyter-action='jupyter-notebook:interrupt-kernel']")
    button.click()
    bt.wait(lambda: not sslkit.execute_script("return Jupyter.notebook.kernel_busy"), 30,
            "the interrupted kernel to go idle")
    _wait_output(sslkit, "loop", "interrupt")
    assert "interrupt" in _output_text(sslkit, "loop").lower()
    _run_cell(sslkit, "after")
    _wait_output(sslkit, "after", "still 42")
    assert "still 42" in _output_text(sslkit, "after")
    bt.screenshot(sslkit, "classic-sslkit", _page_height(sslkit))


def test_no_console_errors(sslkit, console):
    # MathJax 2 declares a probe font "MathJax_Blank" with src about:blank,
    # which Chromium reports as a blocked load whenever it typesets.
    assert console.errors(known_noise=("about:blank",)) == []
