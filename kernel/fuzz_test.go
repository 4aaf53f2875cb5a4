package kernel

import (
	"testing"
)

// FuzzDecode: any frames decode to a message or an error, never a panic.
func FuzzDecode(f *testing.F) {
	s := NewSigner("key")
	m := &Message{Header: newHeader("execute_request", "s"), Content: []byte(`{"code":"1"}`)}
	good, _ := s.Encode(m)
	join := func(frames [][]byte) []byte {
		var b []byte
		for _, fr := range frames {
			b = append(b, byte(len(fr)>>8), byte(len(fr)))
			b = append(b, fr...)
		}
		return b
	}
	f.Add(join(good))
	f.Add(join(good[:3]))
	f.Add([]byte("\x00\x09<IDS|MSG>\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// split data into frames: 2-byte big-endian length, then bytes
		var frames [][]byte
		for len(data) >= 2 {
			n := int(data[0])<<8 | int(data[1])
			data = data[2:]
			n = min(n, len(data))
			frames = append(frames, data[:n])
			data = data[n:]
		}
		for _, signer := range []*Signer{s, NewSigner("")} {
			msg, err := signer.Decode(frames)
			if err == nil && msg == nil {
				t.Fatal("nil message without an error")
			}
			if err == nil {
				if _, err := signer.Encode(msg); err != nil {
					t.Fatalf("a decoded message does not encode: %v", err)
				}
			}
		}
	})
}

// FuzzConnectionFile: any file parses to a checked connection or an error.
func FuzzConnectionFile(f *testing.F) {
	f.Add([]byte(`{"transport":"tcp","ip":"127.0.0.1","shell_port":1,"control_port":2,"stdin_port":3,"iopub_port":4,"hb_port":5,"key":"k","signature_scheme":"hmac-sha256"}`))
	f.Add([]byte(`{"transport":"ipc","ip":"/tmp/k","shell_port":1}`))
	f.Add([]byte(`{"ip":"","shell_port":-1,"signature_scheme":"hmac-md5"}`))
	f.Add([]byte(`[1,2]`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		ci, err := parseConnection(raw)
		if err != nil {
			return
		}
		if ci.IP == "" || ci.ShellPort <= 0 || ci.HBPort <= 0 || (ci.Transport != "tcp" && ci.Transport != "ipc") {
			t.Fatalf("accepted an invalid connection: %+v", ci)
		}
		_ = ci.endpoint(ci.ShellPort)
	})
}
