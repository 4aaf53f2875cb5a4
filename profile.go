package main

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"
)

// ProfileDirEnv names a folder where the process writes a heap and a
// goroutine profile each time it receives SIGUSR1 (for finding what a long
// session keeps: bench/soak.py --profile). Unset, SIGUSR1 keeps its default
// action and nothing is written.
const ProfileDirEnv = "GOSSL_PROFILE_DIR"

func init() {
	dir := os.Getenv(ProfileDirEnv)
	if dir == "" {
		return
	}
	runtime.MemProfileRate = 4096 // fine enough to tell cells apart
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGUSR1)
	go func() {
		for n := 1; ; n++ {
			<-sigs
			writeProfiles(dir, n)
		}
	}()
}

// writeProfiles writes heap-PID-N.pb.gz (after a GC, so it shows what is
// live) and goroutine-PID-N.txt; a line in profiles-PID.log says when.
func writeProfiles(dir string, n int) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return
	}
	pid := os.Getpid()
	runtime.GC()
	for _, p := range []struct {
		name, file string
		debug      int
	}{
		{"heap", fmt.Sprintf("heap-%d-%d.pb.gz", pid, n), 0},
		{"goroutine", fmt.Sprintf("goroutine-%d-%d.txt", pid, n), 1},
	} {
		f, err := os.Create(filepath.Join(dir, p.file))
		if err != nil {
			continue
		}
		pprof.Lookup(p.name).WriteTo(f, p.debug)
		f.Close()
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if f, err := os.OpenFile(filepath.Join(dir, fmt.Sprintf("profiles-%d.log", pid)), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
		fmt.Fprintf(f, "%s profile %d: heap in use %d KiB, sys %d KiB, goroutines %d\n",
			time.Now().Format(time.RFC3339), n, ms.HeapInuse>>10, ms.Sys>>10, runtime.NumGoroutine())
		f.Close()
	}
}
