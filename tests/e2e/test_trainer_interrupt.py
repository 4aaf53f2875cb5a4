"""Interrupting a running sslkit Trainer from Jupyter (issue 10's bar): the
Stop button stops the run between two steps, and the next cells can
evaluate the model and continue training from where it stopped."""
import re
import time

import pytest

from test_kernel import TIMEOUT, of_type, run, text_of

SETUP = """import (
	"context"
	"fmt"
	"math/rand"
	"time"

	"github.com/gossl/gossl/sslkit/ambient"
	"github.com/gossl/gossl/sslkit/augment"
	"github.com/gossl/gossl/sslkit/backbone"
	"github.com/gossl/gossl/sslkit/data"
	"github.com/gossl/gossl/sslkit/eval"
	"github.com/gossl/gossl/sslkit/method"
	"github.com/gossl/gossl/sslkit/train"
)"""

MODEL = """
fashion, err := data.FashionMNIST(data.FashionMNISTDir, true)
if err != nil {
	panic(err)
}
images, err := data.First(fashion, 256)
if err != nil {
	panic(err)
}
net, _ := backbone.NewSmallCNN(1, 16, rand.New(rand.NewSource(1)))
simclr, _ := method.NewSimCLR(net, method.DefaultSimCLROptions())
loader, _ := data.NewLoader(images, data.LoaderOptions{BatchSize: 32, Shuffle: true, Seed: 1, Viewer: augment.SimCLR(28)})
"""

# A callback defined in the notebook: prints every step, so the test knows
# the run is under way and which steps completed.
STEPPER = """
type stepPrinter struct{ run string }

func (p stepPrinter) Step(i, n int, metrics map[string]float64) {
	fmt.Printf("%s: step %d of %d loss %.4f\\n", p.run, i, n, metrics["loss"])
}
"""

TRAINER = """
opt := train.DefaultOptions()
opt.Epochs = 100000 // far longer than the test: only the interrupt ends it
// the callback's field must reach Step cells later
opt.Callbacks = []train.Stepper{stepPrinter{run: "fit"}}
trainer, err := train.NewTrainer(simclr, loader, opt)
if err != nil {
	panic(err)
}
"""


def steps_printed(text):
    return [int(s) for s in re.findall(r"^fit: step (\d+) of", text, re.M)]


# How the cell passes a context to Fit: the natural context.Background()
# (the Trainer then notices the cell's interrupt through sslkit/ambient by
# itself: Fit joins the cell's context when it starts), or the cell's own
# context, ambient.Context(), read when the cell starts.
FIT_CONTEXTS = [
    pytest.param("context.Background()", id="background"),
    pytest.param("ambient.Context()", id="cell-context"),
]


@pytest.mark.parametrize("fit_ctx", FIT_CONTEXTS)
def test_interrupt_stops_trainer_and_next_cell_evaluates(kernel, fit_ctx):
    km, kc = kernel
    for code in (SETUP, MODEL, STEPPER, TRAINER):
        reply, msgs = run(kc, code)
        assert reply["status"] == "ok", (code, reply, text_of(msgs, "stderr"))

    msg_id = kc.execute(f"trainer.Fit({fit_ctx})")
    # Wait for two completed steps (the graph is built; the run is in its loop).
    seen = ""
    deadline = time.monotonic() + TIMEOUT
    while len(steps_printed(seen)) < 2:
        assert time.monotonic() < deadline, "no two 'fit: step' lines: " + seen[-300:]
        m = kc.get_iopub_msg(timeout=TIMEOUT)
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "stream":
            seen += m["content"]["text"]
    km.interrupt_kernel()  # SIGINT, as Jupyter's Stop button

    reply = kc.get_shell_msg(timeout=TIMEOUT)
    assert reply["parent_header"]["msg_id"] == msg_id
    assert reply["content"]["status"] == "error", "Fit ran on after the interrupt"
    # The rest of the cell's output (steps completed before it stopped).
    while True:
        m = kc.get_iopub_msg(timeout=TIMEOUT)
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        if m["msg_type"] == "stream":
            seen += m["content"]["text"]
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            break
    done = steps_printed(seen)
    assert done == list(range(1, len(done) + 1)), "steps reported out of order"
    assert km.is_alive()

    # The run stopped within one step of the interrupt (the step in flight
    # may complete), and stays stopped: the history does not grow while
    # the next cells run. Loss history and position agree, so no step was
    # left half-applied.
    count = 'fmt.Println(len(trainer.Losses()), trainer.Position().Step)'
    # (The step in flight may report itself after the interrupted cell's
    # reply, in the next cell's output.)
    reply, msgs = run(kc, "time.Sleep(2 * time.Second)\n" + count)
    assert reply["status"] == "ok", reply
    *late, last = text_of(msgs).splitlines()
    losses, position = map(int, last.split())
    assert losses == position, (losses, position)
    assert done[-1] <= losses <= done[-1] + 1, (losses, done)
    assert steps_printed("\n".join(late)) in ([], [losses]), late
    reply, msgs = run(kc, "time.Sleep(2 * time.Second)\n" + count)
    assert text_of(msgs).split() == [str(losses), str(position)], "training went on after the interrupt"

    # The next cell evaluates the interrupted model.
    evaluate = """
features, err := eval.Embed(context.Background(), simclr.Backbone(), images, eval.DefaultEmbedOptions())
if err != nil {
	panic(err)
}
knn, err := eval.KNN(context.Background(), features, features, eval.KNN20)
if err != nil {
	panic(err)
}
fmt.Println(features.N, features.D, knn.Top1 > 0)
"""
    reply, msgs = run(kc, evaluate)
    assert reply["status"] == "ok", (reply, text_of(msgs, "stderr"))
    assert text_of(msgs).split() == ["256", "16", "true"]

    # Training continues from where it stopped when the next Fit is
    # interrupted in turn; the history keeps growing from the same point.
    msg_id = kc.execute(f"trainer.Fit({fit_ctx})")
    more = ""
    while not steps_printed(more):
        m = kc.get_iopub_msg(timeout=TIMEOUT)
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "stream":
            more += m["content"]["text"]
    km.interrupt_kernel()
    assert kc.get_shell_msg(timeout=TIMEOUT)["content"]["status"] == "error"
    assert steps_printed(more)[0] == losses + 1
    reply, msgs = run(kc, "len(trainer.Losses()) > " + str(losses))
    assert of_type(msgs, "execute_result")[0]["content"]["data"]["text/plain"] == "true"
