package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/gossl/gossl/display"
)

// fakeEvaluator understands a few commands, enough to drive every handler:
//
//	print TEXT   streams TEXT to stdout
//	result TEXT  returns TEXT as the execute_result
//	fail         returns an error
//	slowfail     returns an error after 300 ms, so requests sent meanwhile queue behind it
//	loop         blocks until interrupted
//	input        asks for a line and prints it
//	show         displays a bundle with display id "d1", then updates it
//	panic        panics
type fakeEvaluator struct{}

func (fakeEvaluator) Execute(ctx context.Context, code string, out Output) (*display.Bundle, error) {
	cmd, arg, _ := strings.Cut(code, " ")
	switch cmd {
	case "print":
		out.Stream("stdout", arg)
	case "result":
		return &display.Bundle{Data: map[string]any{"text/plain": arg}}, nil
	case "slowfail":
		time.Sleep(300 * time.Millisecond)
		return nil, errors.New("boom")
	case "fail":
		return nil, errors.New("boom")
	case "loop":
		<-ctx.Done()
		return nil, ctx.Err()
	case "input":
		line, err := out.Input("name? ", false)
		if err != nil {
			return nil, err
		}
		out.Stream("stdout", "hello "+line)
	case "show":
		out.Display(display.Bundle{Data: map[string]any{"text/plain": "v1"}, ID: "d1"})
		out.Update(display.Bundle{Data: map[string]any{"text/plain": "v2"}, ID: "d1"})
		out.Clear(true)
	case "panic":
		panic("evaluator bug")
	}
	return nil, nil
}

func (fakeEvaluator) Complete(code string, cursor int) ([]string, int, int) {
	return []string{"Println", "Printf"}, cursor - 2, cursor
}

func (fakeEvaluator) Inspect(code string, cursor, detail int) (*display.Bundle, error) {
	if strings.Contains(code, "Println") {
		return &display.Bundle{Data: map[string]any{"text/plain": "func Println(a ...any)"}}, nil
	}
	return nil, nil
}

func (fakeEvaluator) IsComplete(code string) (string, string) {
	if strings.HasSuffix(code, "{") {
		return "incomplete", "\t"
	}
	return "complete", ""
}

func (fakeEvaluator) LanguageInfo() LanguageInfo {
	return LanguageInfo{Name: "fake", Version: "1.0", MIMEType: "text/x-fake", FileExtension: ".fake", CodeMirrorMode: "fake"}
}

// echo is a comm target that sends every message back to the frontend.
func echo(c *Comm, _ map[string]any) {
	c.OnMsg = func(data map[string]any) { c.Send(data) }
}

// client is a minimal Jupyter client on zmq4 sockets.
type client struct {
	t       testing.TB
	signer  *Signer
	shell   zmq4.Socket
	control zmq4.Socket
	stdin   zmq4.Socket
	iopub   zmq4.Socket
	hb      zmq4.Socket
	session string
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func startKernel(t testing.TB) (*client, chan error) {
	t.Helper()
	ci := ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", Key: "test-key", SignatureScheme: "hmac-sha256",
		ShellPort: freePort(t), ControlPort: freePort(t), StdinPort: freePort(t), IOPubPort: freePort(t), HBPort: freePort(t)}
	k := New(ci, fakeEvaluator{}, Info{Implementation: "fake"}, log.New(io.Discard, "", 0))
	k.RegisterCommTarget("echo", echo)
	done := make(chan error, 1)
	go func() { done <- k.Run(context.Background()) }()

	ctx := context.Background()
	id := zmq4.WithID(zmq4.SocketIdentity("test-client"))
	c := &client{t: t, signer: NewSigner(ci.Key), session: newID(),
		shell: zmq4.NewDealer(ctx, id), control: zmq4.NewDealer(ctx, id), stdin: zmq4.NewDealer(ctx, id),
		iopub: zmq4.NewSub(ctx), hb: zmq4.NewReq(ctx)}
	dial := func(s zmq4.Socket, port int) {
		var err error
		for i := 0; i < 50; i++ { // the kernel may not listen yet
			if err = s.Dial(ci.endpoint(port)); err == nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("dial %d: %v", port, err)
	}
	dial(c.shell, ci.ShellPort)
	dial(c.control, ci.ControlPort)
	dial(c.stdin, ci.StdinPort)
	dial(c.iopub, ci.IOPubPort)
	dial(c.hb, ci.HBPort)
	c.iopub.SetOption(zmq4.OptionSubscribe, "")
	t.Cleanup(func() {
		for _, s := range []zmq4.Socket{c.shell, c.control, c.stdin, c.iopub, c.hb} {
			s.Close()
		}
	})
	// Wait until iopub is connected: kernel_info until its status arrives.
	for i := 0; ; i++ {
		c.send(c.shell, "kernel_info_request", map[string]any{})
		c.recv(c.shell)
		if msgs := c.iopubUntilIdle(200 * time.Millisecond); len(msgs) > 0 {
			break
		}
		if i > 50 {
			t.Fatal("iopub never connected")
		}
	}
	return c, done
}

func (c *client) send(s zmq4.Socket, msgType string, content any) string {
	c.t.Helper()
	body, _ := json.Marshal(content)
	h := newHeader(msgType, c.session)
	frames, err := c.signer.Encode(&Message{Header: h, Content: body})
	if err != nil {
		c.t.Fatal(err)
	}
	if err := s.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		c.t.Fatal(err)
	}
	return h.MsgID
}

func (c *client) recv(s zmq4.Socket) *Message {
	c.t.Helper()
	type result struct {
		msg zmq4.Msg
		err error
	}
	ch := make(chan result, 1)
	go func() { m, err := s.Recv(); ch <- result{m, err} }()
	select {
	case r := <-ch:
		if r.err != nil {
			c.t.Fatal(r.err)
		}
		m, err := c.signer.Decode(r.msg.Frames)
		if err != nil {
			c.t.Fatal(err)
		}
		return m
	case <-time.After(10 * time.Second):
		c.t.Fatal("no message within 10 s")
		return nil
	}
}

// iopubUntilIdle collects iopub messages up to and including status idle.
func (c *client) iopubUntilIdle(timeout time.Duration) []*Message {
	var msgs []*Message
	ch := make(chan *Message)
	go func() {
		for {
			m, err := c.iopub.Recv()
			if err != nil {
				close(ch)
				return
			}
			dm, err := c.signer.Decode(m.Frames)
			if err != nil {
				continue
			}
			ch <- dm
			if dm.Header.MsgType == "status" && strings.Contains(string(dm.Content), "idle") {
				close(ch)
				return
			}
		}
	}()
	for {
		select {
		case m, ok := <-ch:
			if !ok {
				return msgs
			}
			msgs = append(msgs, m)
		case <-time.After(timeout):
			return msgs
		}
	}
}

func content(m *Message) map[string]any {
	var v map[string]any
	json.Unmarshal(m.Content, &v)
	return v
}

func types(msgs []*Message) string {
	var s []string
	for _, m := range msgs {
		s = append(s, m.Header.MsgType)
	}
	return strings.Join(s, ",")
}

func execute(c *client, code string, extra map[string]any) (*Message, []*Message) {
	req := map[string]any{"code": code, "silent": false, "store_history": true,
		"user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true}
	for k, v := range extra {
		req[k] = v
	}
	id := c.send(c.shell, "execute_request", req)
	reply := c.recv(c.shell)
	if !strings.Contains(string(reply.Parent), id) {
		c.t.Fatalf("reply parent %s does not name request %s", reply.Parent, id)
	}
	return reply, c.iopubUntilIdle(5 * time.Second)
}

func TestKernelInfo(t *testing.T) {
	c, _ := startKernel(t)
	c.send(c.shell, "kernel_info_request", map[string]any{})
	r := c.recv(c.shell)
	got := content(r)
	if r.Header.MsgType != "kernel_info_reply" || got["protocol_version"] != ProtocolVersion || got["status"] != "ok" {
		t.Fatalf("kernel_info_reply: %s %v", r.Header.MsgType, got)
	}
	// language_info is the evaluator's; unset optional fields are left out.
	want := map[string]any{"name": "fake", "version": "1.0", "mimetype": "text/x-fake", "file_extension": ".fake", "codemirror_mode": "fake"}
	if li := got["language_info"]; fmt.Sprint(li) != fmt.Sprint(want) {
		t.Errorf("language_info = %v, want %v", li, want)
	}
	c.iopubUntilIdle(time.Second)
	// The control socket answers kernel_info too.
	c.send(c.control, "kernel_info_request", map[string]any{})
	if r := c.recv(c.control); r.Header.MsgType != "kernel_info_reply" {
		t.Fatalf("control: %s", r.Header.MsgType)
	}
}

func TestExecuteMessageSequence(t *testing.T) {
	c, _ := startKernel(t)
	reply, msgs := execute(c, "print hi", nil)
	if got := content(reply); got["status"] != "ok" || got["execution_count"] != 1.0 {
		t.Fatalf("reply %v", got)
	}
	if types(msgs) != "status,execute_input,stream,status" {
		t.Fatalf("iopub sequence %s", types(msgs))
	}
	if content(msgs[2])["text"] != "hi" {
		t.Fatalf("stream %v", content(msgs[2]))
	}
	reply, msgs = execute(c, "result 42", nil)
	if content(reply)["execution_count"] != 2.0 || types(msgs) != "status,execute_input,execute_result,status" {
		t.Fatalf("count %v, sequence %s", content(reply)["execution_count"], types(msgs))
	}
	res := content(msgs[2])
	if res["data"].(map[string]any)["text/plain"] != "42" || res["execution_count"] != 2.0 {
		t.Fatalf("execute_result %v", res)
	}
	// Silent cells neither count nor show.
	reply, msgs = execute(c, "result 7", map[string]any{"silent": true})
	if content(reply)["execution_count"] != 2.0 || types(msgs) != "status,status" {
		t.Fatalf("silent: count %v, sequence %s", content(reply)["execution_count"], types(msgs))
	}
}

func TestExecuteErrorsAndAbort(t *testing.T) {
	c, _ := startKernel(t)
	reply, msgs := execute(c, "fail", nil)
	got := content(reply)
	if got["status"] != "error" || got["evalue"] != "boom" || types(msgs) != "status,execute_input,error,status" {
		t.Fatalf("reply %v, sequence %s", got, types(msgs))
	}
	// A panicking evaluator still answers.
	reply, _ = execute(c, "panic", nil)
	if content(reply)["status"] != "error" {
		t.Fatalf("panic: %v", content(reply))
	}
	// Requests queued behind a failing cell are aborted.
	c.send(c.shell, "execute_request", map[string]any{"code": "slowfail", "stop_on_error": true})
	c.send(c.shell, "execute_request", map[string]any{"code": "print never"})
	if st := content(c.recv(c.shell))["status"]; st != "error" {
		t.Fatalf("first: %v", st)
	}
	if st := content(c.recv(c.shell))["status"]; st != "aborted" {
		t.Fatalf("queued: %v, want aborted", st)
	}
	c.iopubUntilIdle(time.Second)
	c.iopubUntilIdle(time.Second)
	// ...but not the ones sent after.
	if reply, _ := execute(c, "print later", nil); content(reply)["status"] != "ok" {
		t.Fatalf("after abort: %v", content(reply))
	}
}

func TestBadSignatureIsIgnored(t *testing.T) {
	c, _ := startKernel(t)
	forged := NewSigner("wrong key")
	body, _ := json.Marshal(map[string]any{"code": "print forged"})
	frames, _ := forged.Encode(&Message{Header: newHeader("execute_request", "x"), Content: body})
	c.shell.Send(zmq4.NewMsgFrom(frames...))
	reply, msgs := execute(c, "print genuine", nil)
	if content(reply)["execution_count"] != 1.0 {
		t.Fatalf("the forged cell was counted: %v", content(reply))
	}
	for _, m := range msgs {
		if strings.Contains(string(m.Content), "forged") {
			t.Fatalf("forged message executed: %s", m.Content)
		}
	}
}

func TestInterruptByMessage(t *testing.T) {
	c, _ := startKernel(t)
	id := c.send(c.shell, "execute_request", map[string]any{"code": "loop", "stop_on_error": false})
	time.Sleep(100 * time.Millisecond)
	c.send(c.control, "interrupt_request", map[string]any{})
	if r := c.recv(c.control); r.Header.MsgType != "interrupt_reply" || content(r)["status"] != "ok" {
		t.Fatalf("interrupt reply %v", content(r))
	}
	reply := c.recv(c.shell)
	if !strings.Contains(string(reply.Parent), id) || content(reply)["ename"] != "Interrupted" {
		t.Fatalf("interrupted cell reply %v", content(reply))
	}
	// The kernel goes on.
	c.iopubUntilIdle(time.Second)
	if reply, _ := execute(c, "result ok", nil); content(reply)["status"] != "ok" {
		t.Fatalf("after interrupt: %v", content(reply))
	}
}

func TestStdinRoundTrip(t *testing.T) {
	c, _ := startKernel(t)
	c.send(c.shell, "execute_request", map[string]any{"code": "input", "allow_stdin": true})
	req := c.recv(c.stdin)
	if req.Header.MsgType != "input_request" || content(req)["prompt"] != "name? " {
		t.Fatalf("input_request %s %v", req.Header.MsgType, content(req))
	}
	c.send(c.stdin, "input_reply", map[string]any{"value": "gopher"})
	if r := c.recv(c.shell); content(r)["status"] != "ok" {
		t.Fatalf("reply %v", content(r))
	}
	msgs := c.iopubUntilIdle(2 * time.Second)
	found := false
	for _, m := range msgs {
		found = found || content(m)["text"] == "hello gopher"
	}
	if !found {
		t.Fatalf("no 'hello gopher' stream in %s", types(msgs))
	}
	// Without allow_stdin the cell gets a clear error instead of hanging.
	reply, _ := execute(c, "input", map[string]any{"allow_stdin": false})
	if ev := fmt.Sprint(content(reply)["evalue"]); !strings.Contains(ev, "allow_stdin") {
		t.Fatalf("evalue %q", ev)
	}
}

func TestDisplayUpdateAndClear(t *testing.T) {
	c, _ := startKernel(t)
	_, msgs := execute(c, "show", nil)
	if types(msgs) != "status,execute_input,display_data,update_display_data,clear_output,status" {
		t.Fatalf("sequence %s", types(msgs))
	}
	for _, m := range msgs[2:4] {
		if content(m)["transient"].(map[string]any)["display_id"] != "d1" {
			t.Fatalf("%s without display id: %v", m.Header.MsgType, content(m))
		}
	}
}

func TestCompleteInspectIsCompleteHistory(t *testing.T) {
	c, _ := startKernel(t)
	c.send(c.shell, "complete_request", map[string]any{"code": "fmt.Pr", "cursor_pos": 6})
	r := content(c.recv(c.shell))
	if r["cursor_start"] != 4.0 || r["cursor_end"] != 6.0 || len(r["matches"].([]any)) != 2 {
		t.Fatalf("complete %v", r)
	}
	c.send(c.shell, "inspect_request", map[string]any{"code": "fmt.Println", "cursor_pos": 5, "detail_level": 0})
	if r := content(c.recv(c.shell)); r["found"] != true {
		t.Fatalf("inspect %v", r)
	}
	c.send(c.shell, "is_complete_request", map[string]any{"code": "func f() {"})
	if r := content(c.recv(c.shell)); r["status"] != "incomplete" || r["indent"] != "\t" {
		t.Fatalf("is_complete %v", r)
	}
	execute(c, "result 1", nil)
	execute(c, "result 2", nil)
	c.send(c.shell, "history_request", map[string]any{"output": true, "raw": true, "hist_access_type": "tail", "n": 1})
	h := content(c.recv(c.shell))["history"].([]any)
	if len(h) != 1 || fmt.Sprint(h[0]) != "[1 2 [result 2 2]]" {
		t.Fatalf("history %v", h)
	}
}

func TestCommsAndUnsupported(t *testing.T) {
	c, _ := startKernel(t)
	c.send(c.shell, "comm_open", map[string]any{"comm_id": "c1", "target_name": "echo", "data": map[string]any{}})
	c.iopubUntilIdle(time.Second)
	c.send(c.shell, "comm_info_request", map[string]any{"target_name": "echo"})
	if comms := content(c.recv(c.shell))["comms"].(map[string]any); comms["c1"] == nil {
		t.Fatalf("comm_info %v", comms)
	}
	c.iopubUntilIdle(time.Second)
	c.send(c.shell, "comm_msg", map[string]any{"comm_id": "c1", "data": map[string]any{"x": 1}})
	msgs := c.iopubUntilIdle(time.Second)
	if types(msgs) != "status,comm_msg,status" || content(msgs[1])["data"].(map[string]any)["x"] != 1.0 {
		t.Fatalf("echo: %s", types(msgs))
	}
	// Unknown targets are closed at once.
	c.send(c.shell, "comm_open", map[string]any{"comm_id": "c2", "target_name": "nope", "data": map[string]any{}})
	if msgs := c.iopubUntilIdle(time.Second); types(msgs) != "status,comm_close,status" {
		t.Fatalf("unknown target: %s", types(msgs))
	}
	c.send(c.control, "debug_request", map[string]any{})
	r := c.recv(c.control)
	if r.Header.MsgType != "debug_reply" || content(r)["status"] != "error" {
		t.Fatalf("debug: %s %v", r.Header.MsgType, content(r))
	}
}

func TestHeartbeatAndShutdown(t *testing.T) {
	c, done := startKernel(t)
	c.hb.Send(zmq4.NewMsgString("ping"))
	if m, err := c.hb.Recv(); err != nil || string(m.Frames[0]) != "ping" {
		t.Fatalf("heartbeat: %v %v", m, err)
	}
	c.send(c.control, "shutdown_request", map[string]any{"restart": true})
	if r := c.recv(c.control); r.Header.MsgType != "shutdown_reply" || content(r)["restart"] != true {
		t.Fatalf("shutdown reply %v", content(r))
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("kernel still running after shutdown")
	}
}
