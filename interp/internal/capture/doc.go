// Package capture is the process's standard streams as a notebook cell
// sees them: what anything in the process writes to fds 1 and 2 —
// interpreted code, compiled packages, goroutines — goes to the running
// cell's Sink in the order written, and reads of stdin ask the cell's
// frontend for a line.
//
// The fds belong to the process, so the redirection is shared: Acquire
// and Release count its users, and the last Release puts the original fds
// back. Output is forwarded in batches every 30 ms; Drain forwards what
// is pending at once, for a caller that is about to send something by
// another route (a display) and wants it to come after the text.
package capture
