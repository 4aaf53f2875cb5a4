package kernel

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

func TestEncodeDecodeRoundTrip(t *testing.T) {
	s := NewSigner("secret")
	in := &Message{
		Identities: [][]byte{[]byte("client-1")},
		Header:     newHeader("execute_request", "sess"),
		Parent:     json.RawMessage(`{"msg_id":"p"}`),
		Metadata:   map[string]any{"k": "v"},
		Content:    json.RawMessage(`{"code":"1+1"}`),
		Buffers:    [][]byte{{1, 2, 3}},
	}
	frames, err := s.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(frames[1], delimiter) {
		t.Fatalf("frame 1 = %q, want the delimiter", frames[1])
	}
	out, err := s.Decode(frames)
	if err != nil {
		t.Fatal(err)
	}
	if out.Header != in.Header || string(out.Content) != string(in.Content) ||
		string(out.Parent) != string(in.Parent) || out.Metadata["k"] != "v" ||
		!bytes.Equal(out.Identities[0], []byte("client-1")) || !bytes.Equal(out.Buffers[0], []byte{1, 2, 3}) {
		t.Fatalf("round trip changed the message:\n in %+v\nout %+v", in, out)
	}
	if out.Header.Version != ProtocolVersion {
		t.Fatalf("version %q, want %q", out.Header.Version, ProtocolVersion)
	}
}

func TestDecodeRejectsBadSignatures(t *testing.T) {
	s := NewSigner("secret")
	frames, _ := s.Encode(&Message{Header: newHeader("kernel_info_request", "s")})

	tampered := append([][]byte{}, frames...)
	tampered[5] = []byte(`{"code":"evil"}`)
	if _, err := s.Decode(tampered); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered content: err = %v, want ErrBadSignature", err)
	}
	other, _ := NewSigner("other key").Encode(&Message{Header: newHeader("kernel_info_request", "s")})
	if _, err := s.Decode(other); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("wrong key: err = %v, want ErrBadSignature", err)
	}
	notHex := append([][]byte{}, frames...)
	notHex[1+0] = delimiter
	notHex[1+1] = []byte("zz")
	if _, err := s.Decode(notHex); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("non-hex signature: err = %v, want ErrBadSignature", err)
	}
}

func TestDecodeRejectsMalformedMessages(t *testing.T) {
	s := NewSigner("")
	for name, frames := range map[string][][]byte{
		"no delimiter": {[]byte("id"), []byte("{}")},
		"too short":    {delimiter, []byte(""), []byte("{}")},
		"bad header":   {delimiter, []byte(""), []byte("not json"), []byte("{}"), []byte("{}"), []byte("{}")},
		"bad content":  {delimiter, []byte(""), []byte("{}"), []byte("{}"), []byte("{}"), []byte("{oops")},
	} {
		if _, err := s.Decode(frames); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
}

func TestUnsignedWhenKeyIsEmpty(t *testing.T) {
	s := NewSigner("")
	frames, _ := s.Encode(&Message{Header: newHeader("status", "s")})
	if len(frames[1]) != 0 {
		t.Fatalf("signature %q, want empty without a key", frames[1])
	}
	if _, err := s.Decode(frames); err != nil {
		t.Fatal(err)
	}
}

func TestCursorConversions(t *testing.T) {
	code := "héllo wörld"
	for runes := 0; runes <= len([]rune(code)); runes++ {
		b := byteOffset(code, runes)
		if got := runeOffset(code, b); got != runes {
			t.Fatalf("runes %d -> byte %d -> runes %d", runes, b, got)
		}
	}
	if byteOffset(code, 2) != 3 { // 'h', 'é' (2 bytes)
		t.Fatalf("byteOffset(2) = %d, want 3", byteOffset(code, 2))
	}
}

func TestHistoryQueries(t *testing.T) {
	h := newHistory()
	h.add(1, "a := 1", "")
	h.add(2, "a + 1", "2")
	h.add(3, "a + 1", "2")
	h.add(4, "fmt.Println(a)", "")
	if got := h.query(historyRequest{HistAccessType: "tail", N: 2}); len(got) != 2 || got[1].([]any)[2] != "fmt.Println(a)" {
		t.Fatalf("tail: %v", got)
	}
	if got := h.query(historyRequest{HistAccessType: "range", Session: 0, Start: 2, Stop: 4}); len(got) != 2 || got[0].([]any)[1] != 2 {
		t.Fatalf("range: %v", got)
	}
	if got := h.query(historyRequest{HistAccessType: "search", Pattern: "a +*"}); len(got) != 2 {
		t.Fatalf("search: %v", got)
	}
	if got := h.query(historyRequest{HistAccessType: "search", Pattern: "a*", Unique: true}); len(got) != 2 {
		t.Fatalf("unique search: %v", got)
	}
	got := h.query(historyRequest{HistAccessType: "tail", N: 1, Output: true})
	if pair := got[0].([]any)[2].([]any); pair[0] != "fmt.Println(a)" || pair[1] != "" {
		t.Fatalf("output pair: %v", got)
	}
}
