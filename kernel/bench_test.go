package kernel

import (
	"testing"
	"time"
)

// BenchmarkExecuteRoundTrip times execute_request → execute_reply of a
// trivial cell over real zmq4 sockets, with a fake evaluator: the
// protocol's own share of a cell's latency.
func BenchmarkExecuteRoundTrip(b *testing.B) {
	c, _ := startKernel(b)
	req := map[string]any{"code": "result 1", "silent": false, "store_history": true,
		"user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.send(c.shell, "execute_request", req)
		c.recv(c.shell)
		c.iopubUntilIdle(5 * time.Second)
	}
}
