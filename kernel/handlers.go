package kernel

import (
	"encoding/json"
	"strings"

	"github.com/gossl/gossl/display"
)

// handleShell answers one shell request. Requests are handled in order, so
// a running cell delays the next request, as in every Jupyter kernel.
func (k *Kernel) handleShell(req *Message) {
	switch req.Header.MsgType {
	case "execute_request":
		k.busy(req, func() { k.execute(req) })
	case "kernel_info_request":
		k.busy(req, func() { k.reply(k.shell, req, "kernel_info_reply", k.kernelInfo()) })
	case "complete_request":
		k.busy(req, func() { k.complete(req) })
	case "inspect_request":
		k.busy(req, func() { k.inspect(req) })
	case "is_complete_request":
		k.busy(req, func() { k.isComplete(req) })
	case "history_request":
		k.busy(req, func() { k.historyReply(req) })
	case "comm_info_request":
		k.busy(req, func() {
			var c struct {
				TargetName string `json:"target_name"`
			}
			json.Unmarshal(req.Content, &c)
			k.reply(k.shell, req, "comm_info_reply", map[string]any{"status": "ok", "comms": k.comms.info(c.TargetName)})
		})
	case "comm_open":
		k.busy(req, func() { k.comms.handleOpen(req) })
	case "comm_msg":
		k.busy(req, func() { k.comms.handleMsg(req, false) })
	case "comm_close":
		k.busy(req, func() { k.comms.handleMsg(req, true) })
	case "shutdown_request", "interrupt_request":
		k.handleControlRequest(k.shell, req)
	default:
		k.busy(req, func() { k.unsupported(k.shell, req) })
	}
}

// handleControl answers control requests at once, even while a cell runs.
func (k *Kernel) handleControl(req *Message) {
	k.handleControlRequest(k.control, req)
}

func (k *Kernel) handleControlRequest(s *socket, req *Message) {
	switch req.Header.MsgType {
	case "shutdown_request":
		var c struct {
			Restart bool `json:"restart"`
		}
		json.Unmarshal(req.Content, &c)
		content := map[string]any{"status": "ok", "restart": c.Restart}
		k.busy(req, func() {
			k.reply(s, req, "shutdown_reply", content)
			k.publish(req, "shutdown_reply", content)
		})
		k.shutdown()
	case "interrupt_request":
		k.busy(req, func() {
			k.interrupt()
			k.reply(s, req, "interrupt_reply", map[string]any{"status": "ok"})
		})
	case "kernel_info_request":
		k.busy(req, func() { k.reply(s, req, "kernel_info_reply", k.kernelInfo()) })
	default:
		k.busy(req, func() { k.unsupported(s, req) })
	}
}

// unsupported answers a request the kernel does not implement with an
// error reply rather than silence, so the client never hangs waiting.
func (k *Kernel) unsupported(s *socket, req *Message) {
	t := req.Header.MsgType
	k.log.Printf("%s: unsupported message type %q", s.name, t)
	if !strings.HasSuffix(t, "_request") {
		return
	}
	k.reply(s, req, strings.TrimSuffix(t, "_request")+"_reply", map[string]any{
		"status":    "error",
		"ename":     "NotImplemented",
		"evalue":    "gossl does not support " + t,
		"traceback": []string{},
	})
}

// handleStdin routes input_reply messages to the cell waiting for them.
func (k *Kernel) handleStdin(msg *Message) {
	if msg.Header.MsgType != "input_reply" {
		k.log.Printf("stdin: unexpected %q", msg.Header.MsgType)
		return
	}
	select {
	case k.stdinReplies <- msg:
	default:
		k.log.Print("stdin: input_reply with no cell waiting for it; dropped")
	}
}

func (k *Kernel) kernelInfo() map[string]any {
	links := k.info.HelpLinks
	if links == nil {
		links = []map[string]string{}
	}
	return map[string]any{
		"status":                 "ok",
		"protocol_version":       ProtocolVersion,
		"implementation":         k.info.Implementation,
		"implementation_version": k.info.ImplementationVersion,
		"language_info":          k.eval.LanguageInfo().wire(),
		"banner":                 k.info.Banner,
		"debugger":               false,
		"help_links":             links,
	}
}

func (k *Kernel) complete(req *Message) {
	var c struct {
		Code      string `json:"code"`
		CursorPos int    `json:"cursor_pos"`
	}
	if !k.decodeContent(k.shell, req, &c) {
		return
	}
	cursor := byteOffset(c.Code, c.CursorPos)
	var matches []string
	start, end := cursor, cursor
	err := k.guard(func() { matches, start, end = k.eval.Complete(c.Code, cursor) })
	if err != nil {
		k.replyError(k.shell, req, "complete_reply", err)
		return
	}
	if matches == nil {
		matches = []string{}
	}
	k.reply(k.shell, req, "complete_reply", map[string]any{
		"status":       "ok",
		"matches":      matches,
		"cursor_start": runeOffset(c.Code, start),
		"cursor_end":   runeOffset(c.Code, end),
		"metadata":     map[string]any{},
	})
}

func (k *Kernel) inspect(req *Message) {
	var c struct {
		Code        string `json:"code"`
		CursorPos   int    `json:"cursor_pos"`
		DetailLevel int    `json:"detail_level"`
	}
	if !k.decodeContent(k.shell, req, &c) {
		return
	}
	var b *display.Bundle
	var err error
	if perr := k.guard(func() { b, err = k.eval.Inspect(c.Code, byteOffset(c.Code, c.CursorPos), c.DetailLevel) }); perr != nil {
		err = perr
	}
	if err != nil {
		k.replyError(k.shell, req, "inspect_reply", err)
		return
	}
	content := map[string]any{"status": "ok", "found": false, "data": map[string]any{}, "metadata": map[string]any{}}
	if b != nil {
		content["found"] = true
		content["data"] = orEmpty(b.Data)
		content["metadata"] = orEmpty(b.Metadata)
	}
	k.reply(k.shell, req, "inspect_reply", content)
}

func (k *Kernel) isComplete(req *Message) {
	var c struct {
		Code string `json:"code"`
	}
	if !k.decodeContent(k.shell, req, &c) {
		return
	}
	status, indent := "unknown", ""
	if err := k.guard(func() { status, indent = k.eval.IsComplete(c.Code) }); err != nil {
		k.log.Printf("is_complete: %v", err)
	}
	content := map[string]any{"status": status}
	if status == "incomplete" {
		content["indent"] = indent
	}
	k.reply(k.shell, req, "is_complete_reply", content)
}

func (k *Kernel) historyReply(req *Message) {
	var r historyRequest
	if !k.decodeContent(k.shell, req, &r) {
		return
	}
	k.reply(k.shell, req, "history_reply", map[string]any{"status": "ok", "history": k.history.query(r)})
}

// decodeContent parses a request's content, answering an error reply when
// it does not parse.
func (k *Kernel) decodeContent(s *socket, req *Message, v any) bool {
	if err := json.Unmarshal(req.Content, v); err != nil {
		k.replyError(s, req, strings.TrimSuffix(req.Header.MsgType, "_request")+"_reply", err)
		return false
	}
	return true
}

func (k *Kernel) replyError(s *socket, req *Message, replyType string, err error) {
	name, value, tb := describeError(err)
	k.reply(s, req, replyType, map[string]any{"status": "error", "ename": name, "evalue": value, "traceback": tb})
}

// byteOffset converts the protocol's code-point cursor into a byte offset.
func byteOffset(s string, runes int) int {
	if runes <= 0 {
		return 0
	}
	n := 0
	for i := range s {
		if n == runes {
			return i
		}
		n++
	}
	return len(s)
}

// runeOffset converts a byte offset back into code points.
func runeOffset(s string, bytes int) int {
	if bytes > len(s) {
		bytes = len(s)
	}
	if bytes < 0 {
		bytes = 0
	}
	return len([]rune(s[:bytes]))
}
