package kernel

import (
	"crypto/sha256"
	"encoding/json"
	"os"
	"strconv"
	"sync"
)

// MaxMessageEnv names the environment variable that sets the largest
// message the kernel accepts, in bytes (default DefaultMaxMessage).
const MaxMessageEnv = "GOSSL_MAX_MESSAGE_BYTES"

// DefaultMaxMessage is the default limit on an incoming message: far above
// any cell or comm message a frontend sends, far below what would hurt.
const DefaultMaxMessage = 64 << 20

func maxMessageBytes() int {
	if v, err := strconv.Atoi(os.Getenv(MaxMessageEnv)); err == nil && v > 0 {
		return v
	}
	return DefaultMaxMessage
}

func frameBytes(frames [][]byte) int {
	n := 0
	for _, f := range frames {
		n += len(f)
	}
	return n
}

// refuseOversized answers an oversized request with an error reply when its
// signature checks out, so the client learns why instead of waiting; the
// request itself never runs.
func (k *Kernel) refuseOversized(s *socket, frames [][]byte, size int) {
	msg, err := k.signer.Decode(frames)
	if err != nil || k.replays.seen(msg.signature) {
		return
	}
	t := msg.Header.MsgType
	if len(t) < len("_request") || t[len(t)-len("_request"):] != "_request" {
		return
	}
	reply := t[:len(t)-len("_request")] + "_reply"
	content, _ := json.Marshal(map[string]any{
		"status": "error", "ename": "MessageTooLarge",
		"evalue":    "the message has " + strconv.Itoa(size) + " bytes, over the kernel's limit of " + strconv.Itoa(k.maxMessage) + " (" + MaxMessageEnv + ")",
		"traceback": []string{},
	})
	k.reply(s, msg, reply, json.RawMessage(content))
}

// replayGuard remembers the signatures of recent messages: a captured
// message sent again is signed correctly but must not run twice. It keeps
// a fixed-size digest of each signature in tables made at start, so its
// memory does not grow with the messages a long session sends.
type replayGuard struct {
	mu    sync.Mutex
	set   map[sigDigest]struct{}
	order []sigDigest
	used  int // entries of order filled so far
	next  int
}

type sigDigest [sha256.Size]byte

func newReplayGuard(n int) *replayGuard {
	return &replayGuard{set: make(map[sigDigest]struct{}, n), order: make([]sigDigest, n)}
}

// seen records sig and reports whether it was there already. Unsigned
// messages (no key) carry no signature and cannot be told apart.
func (g *replayGuard) seen(sig string) bool {
	if sig == "" {
		return false
	}
	d := sigDigest(sha256.Sum256([]byte(sig)))
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.set[d]; ok {
		return true
	}
	if g.used == len(g.order) {
		delete(g.set, g.order[g.next])
	} else {
		g.used++
	}
	g.order[g.next] = d
	g.next = (g.next + 1) % len(g.order)
	g.set[d] = struct{}{}
	return false
}
