package kernel

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"time"
)

// zmq4 allocates each incoming frame at the size its header announces,
// before anything is authenticated: one connection announcing a frame of
// 2^62 bytes panics its reader goroutine and kills the kernel, one of
// 40 GiB is a fatal out-of-memory. So the kernel listens on the addresses
// the connection file names itself (TCP ports, or for transport "ipc" the
// unix socket paths) and relays each connection to its zmq4 socket on a
// private unix socket, reading the ZMTP frame headers on the way in and
// dropping a connection whose frame is larger than the limit. Frames go
// through unchanged; replies are copied back as they come.

// zmtpGreeting is the length of a ZMTP 3 greeting (signature, version,
// mechanism, as-server, filler).
const zmtpGreeting = 64

// frameGuard relays the connections of one public port to target.
type frameGuard struct {
	name   string
	ln     net.Listener
	target string
	max    uint64
	log    *log.Logger

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	done   bool
	relays sync.WaitGroup
}

// startFrameGuard listens on public, a ZeroMQ endpoint (tcp://host:port or
// ipc://path, see ConnectionInfo.endpoint), and relays to the unix socket
// target.
func startFrameGuard(name, public, target string, max uint64, logger *log.Logger) (*frameGuard, error) {
	network, addr := "tcp", public
	if a, ok := strings.CutPrefix(public, "tcp://"); ok {
		addr = a
	} else if a, ok := strings.CutPrefix(public, "ipc://"); ok {
		network, addr = "unix", a
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		return nil, err
	}
	g := &frameGuard{name: name, ln: ln, target: target, max: max, log: logger, conns: map[net.Conn]struct{}{}}
	go g.accept()
	return g, nil
}

func (g *frameGuard) accept() {
	for {
		c, err := g.ln.Accept()
		if err != nil {
			return
		}
		g.relays.Add(1)
		go func() {
			defer g.relays.Done()
			g.relay(c)
		}()
	}
}

func (g *frameGuard) track(c net.Conn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.done {
		return false
	}
	g.conns[c] = struct{}{}
	return true
}

func (g *frameGuard) relay(client net.Conn) {
	defer client.Close()
	up, err := net.Dial("unix", g.target)
	if err != nil {
		g.log.Printf("%s: relaying a connection: %v", g.name, err)
		return
	}
	defer up.Close()
	if !g.track(client) || !g.track(up) {
		return
	}
	defer func() {
		g.mu.Lock()
		delete(g.conns, client)
		delete(g.conns, up)
		g.mu.Unlock()
	}()
	go func() {
		io.Copy(client, up)
		client.Close()
	}()
	if err := g.inbound(client, up); err != nil {
		g.log.Printf("%s: dropped a connection from %s: %v", g.name, client.RemoteAddr(), err)
	}
}

// inbound copies the client's greeting and frames to the kernel, checking
// every frame's size before its body is read. The client is read through
// one buffer and bodies copied through another, both kept for the
// connection: a message's frames cost a read or two, not three reads and
// an allocation each.
func (g *frameGuard) inbound(conn io.Reader, up io.Writer) error {
	client := bufio.NewReaderSize(conn, 32<<10)
	buf := make([]byte, 32<<10)
	body := &io.LimitedReader{R: client}
	greeting := make([]byte, zmtpGreeting)
	if _, err := io.ReadFull(client, greeting); err != nil {
		return nil // a port probe, or a client that went away
	}
	if greeting[0] != 0xff || greeting[9]&0x01 != 0x01 {
		return fmt.Errorf("not a ZMTP greeting")
	}
	if _, err := up.Write(greeting); err != nil {
		return nil
	}
	header := make([]byte, 9)
	for {
		if _, err := io.ReadFull(client, header[:1]); err != nil {
			return nil
		}
		flags := header[0]
		if flags&^0x07 != 0 {
			return fmt.Errorf("bad ZMTP frame flags %#x", flags)
		}
		n := 2
		var size uint64
		if flags&0x02 != 0 { // long frame: 8-byte size
			if _, err := io.ReadFull(client, header[1:9]); err != nil {
				return nil
			}
			size, n = binary.BigEndian.Uint64(header[1:9]), 9
		} else {
			if _, err := io.ReadFull(client, header[1:2]); err != nil {
				return nil
			}
			size = uint64(header[1])
		}
		if size > g.max {
			return fmt.Errorf("a frame of %d bytes announced, over the limit of %d (%s)", size, g.max, MaxMessageEnv)
		}
		if _, err := up.Write(header[:n]); err != nil {
			return nil
		}
		body.N = int64(size)
		if _, err := io.CopyBuffer(up, body, buf); err != nil {
			return nil
		}
	}
}

// close stops accepting and, once the zmq4 sockets are closed, lets each
// relay copy what they still sent (a shutdown_reply) before it ends.
func (g *frameGuard) close() {
	g.ln.Close()
	drained := make(chan struct{})
	go func() {
		g.relays.Wait()
		close(drained)
	}()
	select {
	case <-drained:
	case <-time.After(2 * time.Second):
	}
	g.mu.Lock()
	g.done = true
	for c := range g.conns {
		c.Close()
	}
	g.mu.Unlock()
}
