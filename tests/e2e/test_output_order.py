"""Output reaches the frontend in the order the cell produced it: printed
text written before a display (by interpreted code, by a compiled package,
by a goroutine) arrives before that display, and so for updates and clears."""
from test_kernel import run

CELL = """import (
	"fmt"
	"os"
	"sync"
	"github.com/gossl/gossl/display"
)
fmt.Println("1 before")
display.HTML("<b>2 html</b>")
fmt.Println("3 after")
display.Markdown("*4 markdown*")
os.Stdout.WriteString("5 compiled\\n")
d := display.New()
d.Show("6 shown")
fmt.Fprintln(os.Stderr, "7 stderr")
d.Update("8 updated")
var wg sync.WaitGroup
wg.Add(1)
go func() { defer wg.Done(); fmt.Println("9 goroutine") }()
wg.Wait()
display.Clear(false)
fmt.Println("10 last")
"""

EXPECTED = ["1 before", "2 html", "3 after", "4 markdown", "5 compiled", "6 shown",
            "7 stderr", "8 updated", "9 goroutine", "clear", "10 last"]


def events(msgs):
    """The cell's outputs as a list of labels, consecutive stream text split into lines."""
    out = []
    for m in msgs:
        kind, c = m["msg_type"], m["content"]
        if kind == "stream":
            out += [line for line in c["text"].splitlines() if line]
        elif kind in ("display_data", "update_display_data"):
            data = c["data"]
            text = data.get("text/html") or data.get("text/markdown") or data.get("text/plain", "")
            label = next((e for e in EXPECTED if e in text), text)
            out.append(label)
        elif kind == "clear_output":
            out.append("clear")
    return out


def test_prints_and_displays_interleave_in_order_100_times(shared_kernel):
    _, kc = shared_kernel
    for attempt in range(100):
        reply, msgs = run(kc, CELL)
        assert reply["status"] == "ok", reply
        assert events(msgs) == EXPECTED, f"attempt {attempt + 1}"
