package interp

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// killTree kills pid, its process group and every descendant (a shell may
// put background jobs in groups of their own), all found before any is
// killed: a child whose parent died is re-parented and lost to the search.
func killTree(pid int) error {
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
