package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/go-zeromq/zmq4"
)

// Info describes the kernel to frontends (kernel_info_reply); the language
// it runs comes from its Evaluator (Evaluator.LanguageInfo).
type Info struct {
	Implementation        string
	ImplementationVersion string
	Banner                string
	HelpLinks             []map[string]string
}

// Kernel serves one Evaluator over the five Jupyter sockets.
type Kernel struct {
	conn   ConnectionInfo
	eval   Evaluator
	info   Info
	log    *log.Logger
	signer *Signer

	session string // the kernel's own session id, in every header it sends
	shell   *socket
	control *socket
	stdin   *socket
	iopub   *socket
	hb      zmq4.Socket

	stdinReplies chan *Message // input_reply messages from the stdin socket

	runMu      sync.Mutex
	cancelCell context.CancelFunc // interrupts the running cell, if any

	history *history
	comms   *comms

	guards     []*frameGuard // relays of the TCP ports (frameguard.go)
	privateDir string        // the zmq4 sockets' unix sockets behind them
	replays    *replayGuard
	maxMessage int // bytes; larger messages are refused

	notice string // told on the first cell's stderr (why the previous kernel died)

	executionCount int
	abortBefore    time.Time // execute_requests received before this are aborted
	stop           context.CancelFunc
	shutdownOnce   sync.Once
}

// New returns a kernel for the connection, serving eval. Logs go to logger.
func New(conn ConnectionInfo, eval Evaluator, info Info, logger *log.Logger) *Kernel {
	if logger == nil {
		logger = log.New(os.Stderr, "gossl: ", log.LstdFlags)
	}
	k := &Kernel{
		conn:         conn,
		eval:         eval,
		info:         info,
		log:          logger,
		signer:       NewSigner(conn.Key),
		session:      newID(),
		stdinReplies: make(chan *Message, 1),
		history:      newHistory(),
		replays:      newReplayGuard(4096),
		maxMessage:   maxMessageBytes(),
	}
	k.comms = newComms(k)
	return k
}

// RegisterCommTarget makes target_name openable from the frontend: open is
// called for each comm_open naming it.
func (k *Kernel) RegisterCommTarget(name string, open CommOpenFunc) {
	k.comms.register(name, open)
}

// Run binds the sockets and serves until a shutdown_request or ctx ends.
func (k *Kernel) Run(ctx context.Context) error {
	ctx, k.stop = context.WithCancel(ctx)
	defer k.stop()

	previous, crashes, err := startCrashRecord(k.conn)
	if err != nil {
		k.log.Printf("crash record: %v (a fatal error will not be reported to the next kernel)", err)
	}
	defer crashes.end()
	for _, w := range k.conn.Warnings {
		k.log.Print("warning: " + w)
	}
	if previous != "" {
		k.log.Print(previous)
		k.notice = previous + "\n"
	}

	bind := func(name string, s zmq4.Socket, port int) error {
		// see frameguard.go: zmq4 on a private unix socket (a loopback
		// port could take one of the ports Jupyter chose for the others),
		// the public port relayed to it
		if k.privateDir == "" {
			dir, err := os.MkdirTemp("", "gossl-kernel-")
			if err != nil {
				return err
			}
			k.privateDir = dir
		}
		private := filepath.Join(k.privateDir, name)
		if err := s.Listen("ipc://" + private); err != nil {
			return fmt.Errorf("%s socket: %w", name, err)
		}
		public := k.conn.endpoint(port) // tcp://ip:port, or ipc://path for unix sockets
		g, err := startFrameGuard(name, public, private, uint64(k.maxMessage)*4+(1<<20), k.log)
		if err != nil {
			return fmt.Errorf("%s socket on %s: %w", name, public, err)
		}
		k.guards = append(k.guards, g)
		return nil
	}
	listen := func(name string, s zmq4.Socket, port int) (*socket, error) {
		if err := bind(name, s, port); err != nil {
			return nil, err
		}
		return &socket{name: name, sock: s, signer: k.signer}, nil
	}
	// Sockets live for the whole process: a child context would close them
	// before the last reply (shutdown_reply) is flushed.
	sctx := context.Background()
	if k.shell, err = listen("shell", zmq4.NewRouter(sctx), k.conn.ShellPort); err != nil {
		return err
	}
	if k.control, err = listen("control", zmq4.NewRouter(sctx), k.conn.ControlPort); err != nil {
		return err
	}
	if k.stdin, err = listen("stdin", zmq4.NewRouter(sctx), k.conn.StdinPort); err != nil {
		return err
	}
	if k.iopub, err = listen("iopub", zmq4.NewPub(sctx), k.conn.IOPubPort); err != nil {
		return err
	}
	k.hb = zmq4.NewRep(sctx)
	if err := bind("heartbeat", k.hb, k.conn.HBPort); err != nil {
		return err
	}
	defer k.closeSockets()

	// Jupyter interrupts kernels with interrupt_mode "signal" by SIGINT and
	// also sends SIGINT before shutting down: never die of it.
	// SIGTERM (a process manager stopping the kernel) is a shutdown: the
	// running cell is interrupted, sockets close, ! commands are killed,
	// and the process exits 0.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		for {
			select {
			case sig := <-sigs:
				if sig == syscall.SIGTERM {
					k.log.Print("SIGTERM: shutting down")
					k.shutdown()
					continue
				}
				if k.interrupt() {
					k.log.Print("SIGINT: interrupted the running cell")
				}
			case <-ctx.Done():
				return
			}
		}
	}()

	k.publish(nil, "status", map[string]any{"execution_state": "starting"})

	go k.heartbeat(ctx)
	go k.serve(ctx, k.control, k.handleControl)
	go k.serve(ctx, k.stdin, k.handleStdin)
	go k.serve(ctx, k.shell, k.handleShell)
	<-ctx.Done()
	return nil
}

func (k *Kernel) closeSockets() {
	defer func() {
		// after the sockets: their connections end, the relays drain
		for _, g := range k.guards {
			g.close()
		}
		if k.privateDir != "" {
			os.RemoveAll(k.privateDir)
		}
	}()
	for _, s := range []*socket{k.shell, k.control, k.stdin, k.iopub} {
		if s != nil {
			s.sock.Close()
		}
	}
	if k.hb != nil {
		k.hb.Close()
	}
}

// heartbeat echoes every ping so the frontend knows the process is alive,
// even while a cell runs.
func (k *Kernel) heartbeat(ctx context.Context) {
	for ctx.Err() == nil {
		msg, err := k.hb.Recv()
		if err != nil {
			if ctx.Err() == nil {
				k.log.Printf("heartbeat: %v", err)
			}
			return
		}
		if err := k.hb.Send(msg); err != nil && ctx.Err() == nil {
			k.log.Printf("heartbeat: %v", err)
		}
	}
}

// serve reads messages from one socket and hands each verified one to
// handle, in order. A message that fails to decode or verify is logged and
// dropped: it never reaches the evaluator.
func (k *Kernel) serve(ctx context.Context, s *socket, handle func(*Message)) {
	// Reading and handling are separate goroutines so that the time each
	// message arrived is known even while an earlier one is being handled.
	queue := make(chan *Message, 1024)
	defer close(queue)
	go func() {
		for msg := range queue {
			k.safely(s.name+" "+msg.Header.MsgType, func() { handle(msg) })
		}
	}()
	for ctx.Err() == nil {
		raw, err := s.sock.Recv()
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, context.Canceled) {
				k.log.Printf("%s: receive: %v", s.name, err)
			}
			return
		}
		if size := frameBytes(raw.Frames); size > k.maxMessage {
			k.log.Printf("%s: dropped a message of %d bytes: over the limit of %d (%s)", s.name, size, k.maxMessage, MaxMessageEnv)
			k.refuseOversized(s, raw.Frames, size)
			continue
		}
		msg, err := k.signer.Decode(raw.Frames)
		if err != nil {
			k.log.Printf("%s: dropped message: %v", s.name, err)
			continue
		}
		if k.replays.seen(msg.signature) {
			k.log.Printf("%s: dropped a replayed message (msg_id %q, %s)", s.name, msg.Header.MsgID, msg.Header.MsgType)
			continue
		}
		msg.received = time.Now()
		queue <- msg
	}
}

// safely runs f, turning a panic into a log line so that one bad message
// cannot take the kernel down.
func (k *Kernel) safely(what string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			k.log.Printf("%s: recovered from panic: %v", what, r)
		}
	}()
	f()
}

// reply sends a reply to req on socket s.
func (k *Kernel) reply(s *socket, req *Message, msgType string, content any) {
	if err := k.sendTo(s, req, req.Identities, msgType, content); err != nil {
		k.log.Printf("%s: sending %s: %v", s.name, msgType, err)
	}
}

// publish broadcasts on iopub; parent may be nil for messages that answer
// no request.
func (k *Kernel) publish(parent *Message, msgType string, content any) {
	topic := [][]byte{[]byte("kernel." + k.session + "." + msgType)}
	if err := k.sendTo(k.iopub, parent, topic, msgType, content); err != nil {
		k.log.Printf("iopub: sending %s: %v", msgType, err)
	}
}

func (k *Kernel) sendTo(s *socket, parent *Message, idents [][]byte, msgType string, content any) error {
	body, err := json.Marshal(content)
	if err != nil {
		return err
	}
	m := &Message{Identities: idents, Header: newHeader(msgType, k.session), Content: body}
	if parent != nil {
		m.Parent = parent.rawHeader
	}
	return s.send(m)
}

// busy brackets the handling of a request with status busy/idle on iopub, as
// frontends expect for every request.
func (k *Kernel) busy(req *Message, f func()) {
	k.publish(req, "status", map[string]any{"execution_state": "busy"})
	defer k.publish(req, "status", map[string]any{"execution_state": "idle"})
	f()
}

// interrupt cancels the running cell, if any, and says whether there was
// one; the evaluator keeps its state.
func (k *Kernel) interrupt() bool {
	k.runMu.Lock()
	defer k.runMu.Unlock()
	if k.cancelCell == nil {
		return false
	}
	k.cancelCell()
	return true
}

// shutdown stops serving after the current reply is sent.
func (k *Kernel) shutdown() {
	k.shutdownOnce.Do(func() {
		k.interrupt()
		if k.stop != nil {
			k.stop()
		}
	})
}
