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
}

// ReadConnectionFile parses and checks a connection file.
func ReadConnectionFile(path string) (ConnectionInfo, error) {
	var ci ConnectionInfo
	raw, err := os.ReadFile(path)
	if err != nil {
		return ci, fmt.Errorf("reading connection file: %w", err)
	}
	if err := json.Unmarshal(raw, &ci); err != nil {
		return ci, fmt.Errorf("parsing connection file %s: %w", path, err)
	}
	return ci, ci.validate()
}

func (ci *ConnectionInfo) validate() error {
	if ci.Transport == "" {
		ci.Transport = "tcp"
	}
	if ci.Transport != "tcp" && ci.Transport != "ipc" {
		return fmt.Errorf("connection file: unsupported transport %q (want tcp or ipc)", ci.Transport)
	}
	if ci.IP == "" {
		return fmt.Errorf("connection file: missing ip")
	}
	if ci.SignatureScheme == "" {
		ci.SignatureScheme = "hmac-sha256"
	}
	if ci.SignatureScheme != "hmac-sha256" {
		return fmt.Errorf("connection file: unsupported signature scheme %q (want hmac-sha256)", ci.SignatureScheme)
	}
	for name, port := range map[string]int{"shell": ci.ShellPort, "control": ci.ControlPort,
		"stdin": ci.StdinPort, "iopub": ci.IOPubPort, "hb": ci.HBPort} {
		if port <= 0 {
			return fmt.Errorf("connection file: missing %s_port", name)
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
