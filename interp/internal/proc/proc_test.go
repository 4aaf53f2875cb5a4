package proc

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// alive tells whether pid runs (a zombie that nobody reaps does not).
func alive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	rest := string(stat)
	if i := strings.LastIndexByte(rest, ')'); i >= 0 {
		rest = rest[i+1:]
	}
	f := strings.Fields(rest)
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}

// Cancelling the context kills the command and the background jobs it
// started, even one in a process group of its own, and Wait returns.
func TestCancelKillsTheWholeTree(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	script := `sleep 60 & echo $!
set -m; sleep 60 & echo $!
wait`
	cmd := Command(ctx, "sh", "-c", script)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewScanner(stdout)
	var pids []int
	for len(pids) < 2 && r.Scan() {
		pid, err := strconv.Atoi(strings.TrimSpace(r.Text()))
		if err != nil {
			t.Fatalf("not a pid: %q", r.Text())
		}
		pids = append(pids, pid)
	}
	if len(pids) != 2 {
		t.Fatalf("the script printed %d pids", len(pids))
	}
	cancel()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(WaitDelay + 5*time.Second):
		t.Fatal("Wait did not return after cancel")
	}
	deadline := time.Now().Add(5 * time.Second)
	for _, pid := range pids {
		for alive(pid) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if alive(pid) {
			t.Errorf("background job %d outlived the cancelled command", pid)
		}
	}
}
