package kernel

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"sync"
	"time"
)

// ProtocolVersion is the version of the messaging protocol the kernel speaks.
const ProtocolVersion = "5.3"

// delimiter separates the routing identities from the signed message parts.
var delimiter = []byte("<IDS|MSG>")

// Header is a message header; a reply's parent header is its request's header.
type Header struct {
	MsgID    string `json:"msg_id"`
	Session  string `json:"session"`
	Username string `json:"username"`
	Date     string `json:"date"`
	MsgType  string `json:"msg_type"`
	Version  string `json:"version"`
}

// Message is one Jupyter message as it travels: routing identities, the four
// JSON parts and optional binary buffers.
type Message struct {
	Identities [][]byte
	Header     Header
	// rawHeader is the header exactly as received, echoed as parent_header.
	rawHeader json.RawMessage
	// Parent is the raw header of the message this one answers ("{}" if none).
	// Kept raw so it is echoed exactly as the client sent it.
	Parent   json.RawMessage
	Metadata map[string]any
	Content  json.RawMessage
	Buffers  [][]byte

	received  time.Time // when the kernel read it off its socket
	signature string    // as received; a second message with it is a replay
}

// Signer signs and verifies the four JSON parts with HMAC-SHA256. A nil key
// disables signing, as the protocol allows.
type Signer struct {
	key  []byte
	pool sync.Pool
}

// NewSigner returns a signer for key.
func NewSigner(key string) *Signer {
	s := &Signer{key: []byte(key)}
	s.pool.New = func() any { return hmac.New(sha256.New, s.key) }
	return s
}

func (s *Signer) sum(parts [][]byte) []byte {
	if len(s.key) == 0 {
		return nil
	}
	h := s.pool.Get().(hash.Hash)
	defer s.pool.Put(h)
	h.Reset()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

// Sign returns the hex signature of the parts (empty without a key).
func (s *Signer) Sign(parts [][]byte) []byte {
	sum := s.sum(parts)
	if sum == nil {
		return []byte{}
	}
	out := make([]byte, hex.EncodedLen(len(sum)))
	hex.Encode(out, sum)
	return out
}

// Verify checks a hex signature in constant time.
func (s *Signer) Verify(signature []byte, parts [][]byte) bool {
	if len(s.key) == 0 {
		return true
	}
	got := make([]byte, hex.DecodedLen(len(signature)))
	if _, err := hex.Decode(got, signature); err != nil {
		return false
	}
	return hmac.Equal(got, s.sum(parts))
}

// ErrBadSignature marks a message whose HMAC does not match.
var ErrBadSignature = errors.New("invalid message signature")

// Decode parses the frames of one message and verifies its signature.
func (s *Signer) Decode(frames [][]byte) (*Message, error) {
	i := 0
	for i < len(frames) && !bytes.Equal(frames[i], delimiter) {
		i++
	}
	if i == len(frames) {
		return nil, errors.New("message has no <IDS|MSG> delimiter")
	}
	if len(frames) < i+6 {
		return nil, fmt.Errorf("message has %d parts after the delimiter, want at least 5", len(frames)-i-1)
	}
	signature, parts := frames[i+1], frames[i+2:i+6]
	if !s.Verify(signature, parts) {
		return nil, ErrBadSignature
	}
	m := &Message{Identities: frames[:i], rawHeader: json.RawMessage(parts[0]), Parent: json.RawMessage(parts[1]), Content: json.RawMessage(parts[3])}
	if err := json.Unmarshal(parts[0], &m.Header); err != nil {
		return nil, fmt.Errorf("bad header: %w", err)
	}
	if len(bytes.TrimSpace(parts[2])) > 0 {
		if err := json.Unmarshal(parts[2], &m.Metadata); err != nil {
			return nil, fmt.Errorf("bad metadata: %w", err)
		}
	}
	if !json.Valid(parts[3]) {
		return nil, errors.New("content is not valid JSON")
	}
	m.Buffers = frames[i+6:]
	m.signature = string(signature)
	return m, nil
}

// Encode serialises and signs a message into frames.
func (s *Signer) Encode(m *Message) ([][]byte, error) {
	header, err := json.Marshal(m.Header)
	if err != nil {
		return nil, err
	}
	parent := []byte(m.Parent)
	if len(parent) == 0 {
		parent = []byte("{}")
	}
	metadata := []byte("{}")
	if m.Metadata != nil {
		if metadata, err = json.Marshal(m.Metadata); err != nil {
			return nil, err
		}
	}
	content := []byte(m.Content)
	if len(content) == 0 {
		content = []byte("{}")
	}
	parts := [][]byte{header, parent, metadata, content}
	frames := make([][]byte, 0, len(m.Identities)+6+len(m.Buffers))
	frames = append(frames, m.Identities...)
	frames = append(frames, delimiter, s.Sign(parts))
	frames = append(frames, parts...)
	frames = append(frames, m.Buffers...)
	return frames, nil
}

// newHeader makes the header of a message the kernel sends.
func newHeader(msgType, session string) Header {
	return Header{
		MsgID:    newID(),
		Session:  session,
		Username: "kernel",
		Date:     time.Now().UTC().Format("2006-01-02T15:04:05.000000Z"),
		MsgType:  msgType,
		Version:  ProtocolVersion,
	}
}

// newID returns a random UUID-like identifier.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
