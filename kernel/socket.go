package kernel

import (
	"sync"

	"github.com/go-zeromq/zmq4"
)

// socket serialises sends on one zmq4 socket, which is not safe for
// concurrent writers, and signs every outgoing message.
type socket struct {
	name   string
	mu     sync.Mutex
	sock   zmq4.Socket
	signer *Signer
}

func (s *socket) send(m *Message) error {
	frames, err := s.signer.Encode(m)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// SendMulti writes all frames with one writev; Send makes two writes per frame.
	return s.sock.SendMulti(zmq4.NewMsgFrom(frames...))
}
