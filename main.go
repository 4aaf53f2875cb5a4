// Command gossl is a Jupyter kernel for Go that preloads sslkit.
//
//	gossl kernel CONNECTION_FILE   serve one kernel (Jupyter runs this)
//	gossl install [--user | --prefix DIR | --sys-prefix] [--uninstall]
//	gossl exec NOTEBOOK.ipynb [-o OUT.ipynb] [--html OUT.html] [-p name=value ...]
//	gossl version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"strings"
	"syscall"

	"github.com/gossl/gossl/install"
	"github.com/gossl/gossl/interp"
	"github.com/gossl/gossl/kernel"
	"github.com/gossl/gossl/kernels"
	"github.com/gossl/gossl/sslkit/gemm"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

const usage = `gossl: a Jupyter kernel for Go with sslkit preloaded

usage:
  gossl kernel CONNECTION_FILE   serve one kernel (Jupyter starts this)
  gossl install [--user | --prefix DIR | --sys-prefix] [--uninstall]
                                 add (or remove) "Go (gossl)" to Jupyter's kernels
  gossl exec NOTEBOOK.ipynb [-o OUT.ipynb] [--html OUT.html] [-p name=value ...]
             [--timeout D] [--allow-errors]
                                 run a notebook without Jupyter (see gossl exec -h)
  gossl version                  print the version
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "kernel":
		err = runKernel(os.Args[2:])
	case "install":
		err = runInstall(os.Args[2:])
	case "exec":
		err = runExec(os.Args[2:])
	case "version", "--version":
		fmt.Printf("gossl %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		fmt.Printf("gemm: %s\n", gemm.Backend())
	case "help", "-h", "--help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "gossl: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gossl:", err)
		var exit *execExit
		if errors.As(err, &exit) {
			os.Exit(exit.code)
		}
		os.Exit(1)
	}
}

func runKernel(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: gossl kernel CONNECTION_FILE")
	}
	conn, err := kernel.ReadConnectionFile(args[0])
	if err != nil {
		return err
	}
	// The Go session takes over fds 1 and 2 to capture what cells print;
	// the kernel's own log keeps a copy of the original stderr.
	logFD, err := syscall.Dup(2)
	if err != nil {
		return fmt.Errorf("duplicating stderr for the log: %w", err)
	}
	logger := log.New(os.NewFile(uintptr(logFD), "gossl-log"), "gossl: ", log.LstdFlags)

	eval := startEvaluator(interp.Options{})
	defer eval.Close()
	k := kernel.New(conn, eval, kernelInfo(), logger)
	return k.Run(context.Background())
}

func kernelInfo() kernel.Info {
	goVersion := strings.TrimPrefix(runtime.Version(), "go")
	return kernel.Info{
		Implementation:        "gossl",
		ImplementationVersion: version,
		Banner:                fmt.Sprintf("gossl %s: Go %s on yaegi, with sslkit preloaded", version, goVersion),
		HelpLinks: []map[string]string{
			{"text": "Go documentation", "url": "https://go.dev/doc/"},
			{"text": "Go standard library", "url": "https://pkg.go.dev/std"},
			{"text": "gorgonia", "url": "https://pkg.go.dev/gorgonia.org/gorgonia"},
			{"text": "gonum/plot", "url": "https://pkg.go.dev/gonum.org/v1/plot"},
		},
	}
}

func runInstall(args []string) error {
	fl := flag.NewFlagSet("install", flag.ContinueOnError)
	user := fl.Bool("user", false, "install into the user's Jupyter data dir (the default; honours JUPYTER_DATA_DIR)")
	prefix := fl.String("prefix", "", "install into `DIR`/share/jupyter/kernels")
	sysPrefix := fl.Bool("sys-prefix", false, "install into the sys.prefix of the Python that runs Jupyter")
	uninstall := fl.Bool("uninstall", false, "remove the kernelspec instead")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return fmt.Errorf("install: unexpected argument %q", fl.Arg(0))
	}
	chosen := 0
	for _, b := range []bool{*user, *prefix != "", *sysPrefix} {
		if b {
			chosen++
		}
	}
	if chosen > 1 {
		return fmt.Errorf("install: choose one of --user, --prefix, --sys-prefix")
	}
	where := install.Where{Prefix: *prefix, SysPrefix: *sysPrefix}
	if *uninstall {
		dir, err := install.Uninstall(where)
		if err == nil {
			fmt.Printf("removed the gossl kernelspec from %s\n", dir)
		}
		return err
	}
	binary, err := os.Executable()
	if err != nil {
		return fmt.Errorf("install: finding this binary: %w", err)
	}
	dir, err := install.Install(kernels.Gossl, binary, where)
	if err == nil {
		fmt.Printf("installed the gossl kernelspec in %s\n", dir)
	}
	return err
}
