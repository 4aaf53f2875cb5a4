// Package proc starts the child processes of a session (! commands, the go
// command) so that none outlives its cell or the kernel.
package proc

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// WaitDelay is how long Wait waits for a killed command's output pipes to
// close (a background job that left the group may hold them).
const WaitDelay = 2 * time.Second

// Command is exec.CommandContext for a child that must not outlive its
// cell: the command and everything it starts (pipelines, background jobs)
// form one process group, killed as a whole (KillTree) when ctx ends; the
// kernel's death kills it too (Pdeathsig), so no orphan keeps running or
// keeps an output pipe open.
func Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return KillTree(cmd.Process.Pid) }
	cmd.WaitDelay = WaitDelay
	return cmd
}

// KillTree kills pid, its process group and every descendant (a shell may
// put background jobs in groups of their own), all found before any is
// killed: a child whose parent died is re-parented and lost to the search.
func KillTree(pid int) error {
	parents := map[int][]int{} // parent -> children
	if entries, err := os.ReadDir("/proc"); err == nil {
		for _, e := range entries {
			child, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
			if err != nil {
				continue
			}
			// pid (comm) state ppid ...; comm may hold spaces and parens
			rest := string(stat)
			if i := strings.LastIndexByte(rest, ')'); i >= 0 {
				rest = rest[i+1:]
			}
			fields := strings.Fields(rest)
			if len(fields) < 2 {
				continue
			}
			ppid, _ := strconv.Atoi(fields[1])
			parents[ppid] = append(parents[ppid], child)
		}
	}
	victims := []int{pid}
	for i := 0; i < len(victims); i++ {
		victims = append(victims, parents[victims[i]]...)
	}
	syscall.Kill(-pid, syscall.SIGKILL)
	for _, v := range victims {
		syscall.Kill(-v, syscall.SIGKILL) // its group, if it leads one
		syscall.Kill(v, syscall.SIGKILL)
	}
	return nil
}
