package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/gossl/gossl/display"
)

type executeRequest struct {
	Code            string            `json:"code"`
	Silent          bool              `json:"silent"`
	StoreHistory    bool              `json:"store_history"`
	UserExpressions map[string]string `json:"user_expressions"`
	AllowStdin      bool              `json:"allow_stdin"`
	StopOnError     bool              `json:"stop_on_error"`
}

func (k *Kernel) execute(req *Message) {
	r := executeRequest{StoreHistory: true, StopOnError: true}
	if !k.decodeContent(k.shell, req, &r) {
		return
	}
	if r.Silent {
		r.StoreHistory = false
	}
	// After a failed cell with stop_on_error, the cells queued behind it
	// are aborted rather than run on a state the user did not expect.
	if req.received.Before(k.abortBefore) {
		k.reply(k.shell, req, "execute_reply", map[string]any{"status": "aborted", "execution_count": k.executionCount})
		return
	}
	if r.StoreHistory {
		k.executionCount++
	}
	count := k.executionCount
	if !r.Silent {
		k.publish(req, "execute_input", map[string]any{"code": r.Code, "execution_count": count})
	}

	ctx, cancel := context.WithCancel(context.Background())
	k.runMu.Lock()
	k.cancelCell = cancel
	k.runMu.Unlock()
	defer func() {
		k.runMu.Lock()
		k.cancelCell = nil
		k.runMu.Unlock()
		cancel()
	}()

	out := &cellOutput{k: k, req: req, ctx: ctx, allowStdin: r.AllowStdin}
	if k.notice != "" && !r.Silent {
		out.Stream("stderr", "gossl: "+k.notice)
		k.notice = ""
	}
	result, err := k.run(ctx, r.Code, out)
	resultText := ""
	if err == nil && result != nil && !r.Silent {
		if text, ok := result.Data["text/plain"].(string); ok {
			resultText = text
		}
		k.publish(req, "execute_result", map[string]any{
			"execution_count": count,
			"data":            orEmpty(result.Data),
			"metadata":        orEmpty(result.Metadata),
		})
	}
	if r.StoreHistory {
		k.history.add(count, r.Code, resultText)
	}

	content := map[string]any{"status": "ok", "execution_count": count, "payload": []any{}}
	if err != nil {
		name, value, tb := describeError(err)
		k.publish(req, "error", map[string]any{"ename": name, "evalue": value, "traceback": tb})
		content = map[string]any{"status": "error", "execution_count": count,
			"ename": name, "evalue": value, "traceback": tb}
		if r.StopOnError {
			k.abortBefore = time.Now()
		}
	}
	content["user_expressions"] = k.userExpressions(r.UserExpressions)
	k.reply(k.shell, req, "execute_reply", content)
}

// run executes code, turning a panic of the evaluator into an error so the
// client always gets its reply.
func (k *Kernel) run(ctx context.Context, code string, out Output) (result *display.Bundle, err error) {
	defer func() {
		if r := recover(); r != nil {
			k.log.Printf("evaluator panic: %v\n%s", r, debug.Stack())
			err = fmt.Errorf("internal error in the Go session: %v", r)
		}
	}()
	result, err = k.eval.Execute(ctx, code, out)
	if err != nil && ctx.Err() != nil {
		var details ErrorDetails
		if !errors.As(err, &details) {
			err = interruptedError{err}
		}
	}
	return result, err
}

// userExpressions evaluates the request's user_expressions after the cell,
// each to a MIME bundle or an error, without showing any output.
func (k *Kernel) userExpressions(exprs map[string]string) map[string]any {
	out := map[string]any{}
	for name, expr := range exprs {
		b, err := k.run(context.Background(), expr, discardOutput{})
		switch {
		case err != nil:
			ename, evalue, tb := describeError(err)
			out[name] = map[string]any{"status": "error", "ename": ename, "evalue": evalue, "traceback": tb}
		case b == nil:
			out[name] = map[string]any{"status": "ok", "data": map[string]any{}, "metadata": map[string]any{}}
		default:
			out[name] = map[string]any{"status": "ok", "data": orEmpty(b.Data), "metadata": orEmpty(b.Metadata)}
		}
	}
	return out
}

// guard runs a quick evaluator call (completion, inspection), turning a
// panic into an error.
func (k *Kernel) guard(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = e
			} else {
				err = fmt.Errorf("%v", r)
			}
		}
	}()
	f()
	return nil
}

type interruptedError struct{ cause error }

func (e interruptedError) Error() string     { return "the cell was interrupted" }
func (e interruptedError) Unwrap() error     { return e.cause }
func (e interruptedError) ErrorName() string { return "Interrupted" }
func (e interruptedError) Traceback() []string {
	return []string{"\x1b[0;31mInterrupted\x1b[0m: the cell was interrupted; variables defined so far are kept"}
}

// describeError splits an error into the protocol's ename, evalue and
// traceback.
func describeError(err error) (name, value string, traceback []string) {
	var details ErrorDetails
	if errors.As(err, &details) {
		tb := details.Traceback()
		if tb == nil {
			tb = []string{}
		}
		return details.ErrorName(), details.Error(), tb
	}
	return "Error", err.Error(), []string{"\x1b[0;31mError\x1b[0m: " + err.Error()}
}

// cellOutput is the Output of one execute_request: everything it sends
// carries that request as parent, so it lands under the right cell.
type cellOutput struct {
	k          *Kernel
	req        *Message
	ctx        context.Context
	allowStdin bool
}

func (o *cellOutput) Stream(name, text string) {
	if text == "" {
		return
	}
	if name != "stderr" {
		name = "stdout"
	}
	o.k.publish(o.req, "stream", map[string]any{"name": name, "text": text})
}

func (o *cellOutput) Display(b display.Bundle) error {
	return o.send("display_data", b)
}

func (o *cellOutput) Update(b display.Bundle) error {
	if b.ID == "" {
		return errors.New("display.Update needs the display id of an earlier display")
	}
	return o.send("update_display_data", b)
}

func (o *cellOutput) send(msgType string, b display.Bundle) error {
	if len(b.Data) == 0 {
		return errors.New("empty display bundle")
	}
	transient := map[string]any{}
	if b.ID != "" {
		transient["display_id"] = b.ID
	}
	o.k.publish(o.req, msgType, map[string]any{
		"data":      b.Data,
		"metadata":  orEmpty(b.Metadata),
		"transient": transient,
	})
	return nil
}

func (o *cellOutput) Clear(wait bool) error {
	o.k.publish(o.req, "clear_output", map[string]any{"wait": wait})
	return nil
}

// ErrStdinNotAllowed is returned by Input when the frontend cannot answer.
var ErrStdinNotAllowed = errors.New("this frontend does not support input (allow_stdin is false)")

func (o *cellOutput) Input(prompt string, password bool) (string, error) {
	if !o.allowStdin {
		return "", ErrStdinNotAllowed
	}
	// Forget replies to earlier, abandoned requests.
	for len(o.k.stdinReplies) > 0 {
		<-o.k.stdinReplies
	}
	err := o.k.sendTo(o.k.stdin, o.req, o.req.Identities, "input_request",
		map[string]any{"prompt": prompt, "password": password})
	if err != nil {
		return "", fmt.Errorf("sending input_request: %w", err)
	}
	select {
	case msg := <-o.k.stdinReplies:
		var c struct {
			Value string `json:"value"`
		}
		if err := json.Unmarshal(msg.Content, &c); err != nil {
			return "", fmt.Errorf("bad input_reply: %w", err)
		}
		return c.Value, nil
	case <-o.ctx.Done():
		return "", o.ctx.Err()
	}
}

// discardOutput swallows output (user_expressions show none).
type discardOutput struct{}

func (discardOutput) Display(display.Bundle) error { return nil }
func (discardOutput) Update(display.Bundle) error  { return nil }
func (discardOutput) Clear(bool) error             { return nil }
func (discardOutput) Stream(string, string)        {}
func (discardOutput) Input(string, bool) (string, error) {
	return "", ErrStdinNotAllowed
}
