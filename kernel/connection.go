package kernel

import (
	"encoding/json"
	"fmt"
	"os"
)

// ConnectionInfo is the connection file Jupyter writes for each kernel it
// starts: where to listen and how to sign messages.
type ConnectionInfo struct {
	Transport       string `json:"transport"` // "tcp" or "ipc"
	IP              string `json:"ip"`
	ShellPort       int    `json:"shell_port"`
	ControlPort     int    `json:"control_port"`
	StdinPort       int    `json:"stdin_port"`
	IOPubPort       int    `json:"iopub_port"`
	HBPort          int    `json:"hb_port"`
	Key             string `json:"key"`
	SignatureScheme string `json:"signature_scheme"`
	KernelName      string `json:"kernel_name,omitempty"`

	// Warnings about the file itself (readable by others), for the log.
	Warnings []string `json:"-"`
}

// AllowUnsignedEnv names the environment variable that lets a connection
// file with an empty key through: without a key anyone who can reach the
// ports can run code as the kernel's user.
const AllowUnsignedEnv = "GOSSL_ALLOW_UNSIGNED"

// ReadConnectionFile parses and checks a connection file.
func ReadConnectionFile(path string) (ConnectionInfo, error) {
	var ci ConnectionInfo
	raw, err := os.ReadFile(path)
	if err != nil {
		return ci, fmt.Errorf("reading connection file: %w", err)
	}
	if ci, err = parseConnection(raw); err != nil {
		return ci, fmt.Errorf("connection file %s: %w", path, err)
	}
	if ci.Key == "" && os.Getenv(AllowUnsignedEnv) != "1" {
		return ci, fmt.Errorf("connection file %s has an empty key: messages would not be signed and anyone reaching the ports could run code; set %s=1 to allow it", path, AllowUnsignedEnv)
	}
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
		ci.Warnings = append(ci.Warnings, fmt.Sprintf("connection file %s is readable by other users (mode %v): they can read its key and run code in this kernel", path, st.Mode().Perm()))
	}
	return ci, nil
}

// parseConnection parses and checks the contents of a connection file.
func parseConnection(raw []byte) (ConnectionInfo, error) {
	var ci ConnectionInfo
	if err := json.Unmarshal(raw, &ci); err != nil {
		return ci, fmt.Errorf("parsing: %w", err)
	}
	return ci, ci.validate()
}

func (ci *ConnectionInfo) validate() error {
	if ci.Transport == "" {
		ci.Transport = "tcp"
	}
	if ci.Transport != "tcp" && ci.Transport != "ipc" {
		return fmt.Errorf("unsupported transport %q (want tcp or ipc)", ci.Transport)
	}
	if ci.IP == "" {
		return fmt.Errorf("missing ip")
	}
	if ci.SignatureScheme == "" {
		ci.SignatureScheme = "hmac-sha256"
	}
	if ci.SignatureScheme != "hmac-sha256" {
		return fmt.Errorf("unsupported signature scheme %q (want hmac-sha256)", ci.SignatureScheme)
	}
	for name, port := range map[string]int{"shell": ci.ShellPort, "control": ci.ControlPort,
		"stdin": ci.StdinPort, "iopub": ci.IOPubPort, "hb": ci.HBPort} {
		if port <= 0 {
			return fmt.Errorf("missing %s_port", name)
		}
	}
	return nil
}

// endpoint is the ZeroMQ address of one socket: tcp://ip:port, or for ipc the
// path ip-port, as jupyter_client names them.
func (ci ConnectionInfo) endpoint(port int) string {
	if ci.Transport == "ipc" {
		return fmt.Sprintf("ipc://%s-%d", ci.IP, port)
	}
	return fmt.Sprintf("tcp://%s:%d", ci.IP, port)
}
