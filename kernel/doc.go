// Package kernel speaks the Jupyter messaging protocol (version 5.3) over
// ZeroMQ: the connection file, the wire format with HMAC signatures, the five
// sockets (shell, control, stdin, iopub, heartbeat) and the request handlers.
// It hands cells to an Evaluator and knows nothing of the language behind it.
// How Jupyter starts this kernel (the kernelspec) is package kernels.
//
// Where a message is handled: Run (kernel.go) binds the sockets and
// serves them; wire.go decodes, verifies and signs every message;
// handleShell and handleControl (handlers.go) dispatch requests by
// msg_type and answer kernel_info, complete, inspect, is_complete,
// shutdown and interrupt there; execute_request is execute.go, comm_open,
// comm_msg, comm_close and comm_info are comm.go, history_request is
// history.go, input_reply (the stdin socket) is handleStdin. guard.go
// refuses oversized and replayed messages, frameguard.go drops
// connections that announce oversized ZMTP frames before zmq4 reads them,
// crash.go records a fatal error for the next kernel.
//
// Nothing that arrives runs unless it is signed: messages with a wrong or
// missing HMAC, replayed ones (a window of recent signatures), truncated
// or invalid ones are dropped and logged; messages over
// GOSSL_MAX_MESSAGE_BYTES (default 64 MiB) get an error reply; unknown
// requests get an error reply. A connection file with an empty key is
// refused unless GOSSL_ALLOW_UNSIGNED=1, one that others can read is
// warned about. SIGINT interrupts the running cell, SIGTERM shuts down. A
// fatal error of the process is written to a crash file (GOSSL_CRASH_DIR,
// default the user's cache dir) that the next kernel of the same
// connection reports on its first cell.
package kernel
