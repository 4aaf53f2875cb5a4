"""Display ids through Jupyter's own client: display.New().Show sends
display_data with a transient display_id, Update sends update_display_data
for that id only, Clear sends clear_output, and a Progress fed by a fast
loop updates its one output at most 10 times a second."""
import datetime

import pytest

TIMEOUT = 120
IMPORT = 'import "github.com/gossl/gossl/display"'


def run(kc, code, timeout=TIMEOUT):
    msgs = []
    reply = kc.execute_interactive(code, output_hook=msgs.append, timeout=timeout)
    assert reply["content"]["status"] == "ok", reply["content"]
    errors = [m for m in msgs if m["msg_type"] == "error"]
    assert not errors, errors[0]["content"]
    return msgs


def of_type(msgs, msg_type):
    return [m for m in msgs if m["msg_type"] == msg_type]


def display_id(msg):
    return msg["content"].get("transient", {}).get("display_id")


@pytest.fixture(scope="module")
def kc(shared_kernel):
    _, client = shared_kernel
    run(client, IMPORT)
    return client


def test_update_changes_the_right_display(kc):
    msgs = run(kc, 'a := display.New()\nb := display.New()\na.Show("a0")\nb.Show("b0")')
    shown = of_type(msgs, "display_data")
    assert [m["content"]["data"]["text/plain"] for m in shown] == ["a0", "b0"]
    id_a, id_b = display_id(shown[0]), display_id(shown[1])
    assert id_a and id_b and id_a != id_b

    # a later cell updates b only; nothing new is displayed
    msgs = run(kc, 'b.Update("b1")')
    updates = of_type(msgs, "update_display_data")
    assert len(updates) == 1
    assert display_id(updates[0]) == id_b
    assert updates[0]["content"]["data"]["text/plain"] == "b1"
    assert not of_type(msgs, "display_data")

    # Update by id, with a rich value
    msgs = run(kc, 'display.Update(a.ID(), display.NewBundle("text/html", "<b>a1</b>"))')
    updates = of_type(msgs, "update_display_data")
    assert [display_id(m) for m in updates] == [id_a]
    assert updates[0]["content"]["data"]["text/html"] == "<b>a1</b>"


def test_update_before_show_shows(kc):
    msgs = run(kc, 'c := display.New()\nc.Update("first")\nc.Update("second")')
    shown, updates = of_type(msgs, "display_data"), of_type(msgs, "update_display_data")
    assert len(shown) == 1 and len(updates) == 1
    assert display_id(shown[0]) == display_id(updates[0])
    assert updates[0]["content"]["data"]["text/plain"] == "second"


def test_clear_output(kc):
    msgs = run(kc, 'display.Text("x")\ndisplay.Clear(true)\ndisplay.Text("y")')
    kinds = [m["msg_type"] for m in msgs if m["msg_type"] in ("display_data", "clear_output")]
    assert kinds == ["display_data", "clear_output", "display_data"]
    clear = of_type(msgs, "clear_output")[0]
    assert clear["content"]["wait"] is True


def test_rich_outputs_arrive_with_their_mime_types(kc):
    msgs = run(kc, "\n".join([
        'display.Show(display.Scatter("s", []float64{1, 2, 3}, []float64{3, 1, 2}, []int{0, 1, 0}))',
        'display.Markdown("*md*")',
        'display.LaTeX(`x^2`)',
        'display.JSON(map[string]int{"a": 1})',
    ]))
    shown = of_type(msgs, "display_data")
    assert len(shown) == 4
    # a PNG at 2x with its display size; no SVG (nbconvert 6.5 blanks it)
    assert {"image/png", "text/plain"} <= set(shown[0]["content"]["data"])
    assert "image/svg+xml" not in shown[0]["content"]["data"]
    assert shown[0]["content"]["metadata"]["image/png"] == {"width": 576, "height": 384}
    assert shown[1]["content"]["data"]["text/markdown"] == "*md*"
    assert shown[2]["content"]["data"]["text/latex"] == "$$x^2$$"
    assert shown[3]["content"]["data"]["application/json"] == {"a": 1}


def test_progress_is_throttled(kc):
    code = "\n".join([
        'p := display.NewProgress("fit")',
        "for i := 1; i <= 1500; i++ {",
        "\ttime.Sleep(time.Millisecond)",
        '\tp.Step(i, 1500, map[string]float64{"loss": 1 / float64(i)})',
        "}",
    ])
    run(kc, 'import "time"')
    msgs = run(kc, code)
    shown = of_type(msgs, "display_data")
    updates = of_type(msgs, "update_display_data")
    assert len(shown) == 1, "progress must show one output and update it in place"
    pid = display_id(shown[0])
    assert all(display_id(m) == pid for m in updates)
    assert "1500/1500" in updates[-1]["content"]["data"]["text/plain"]
    assert "<progress" in updates[-1]["content"]["data"]["text/html"]
    # at most 10 outputs in any one-second window, by the kernel's own
    # message timestamps
    stamps = sorted(_when(m) for m in shown + updates)
    for i, t0 in enumerate(stamps):
        within = [t for t in stamps[i:] if (t - t0).total_seconds() < 1.0]
        assert len(within) <= 10, f"{len(within)} progress updates within a second"


def _when(msg):
    d = msg["header"]["date"]
    if isinstance(d, datetime.datetime):
        return d
    return datetime.datetime.fromisoformat(str(d).replace("Z", "+00:00"))
