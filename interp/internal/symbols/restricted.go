package symbols

import (
	"errors"
	"fmt"
	"io"
	"log"
	"os"
)

// Exit is the panic value that replaces a process exit inside a cell:
// os.Exit and log.Fatal* end the cell with an error instead of the kernel.
type Exit struct{ Code int }

func (e Exit) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// The names below are the ones `yaegi extract` refers to for the symbols it
// restricts; they keep cell code from ending or signalling the kernel.

func osExit(code int) { panic(Exit{Code: code}) }

var errOwnProcess = errors.New("os.FindProcess: the kernel's own process is not available to cells")

func osFindProcess(pid int) (*os.Process, error) {
	if pid == os.Getpid() {
		return nil, errOwnProcess
	}
	return os.FindProcess(pid)
}

func logFatal(v ...any)            { log.Output(2, fmt.Sprint(v...)); panic(Exit{Code: 1}) }
func logFatalf(f string, v ...any) { log.Output(2, fmt.Sprintf(f, v...)); panic(Exit{Code: 1}) }
func logFatalln(v ...any)          { log.Output(2, fmt.Sprintln(v...)); panic(Exit{Code: 1}) }

// logLogger stands in for *log.Logger so that its Fatal methods do not exit.
type logLogger struct{ l *log.Logger }

func logNew(out io.Writer, prefix string, flag int) *logLogger {
	return &logLogger{l: log.New(out, prefix, flag)}
}

func (g *logLogger) Fatal(v ...any) { g.l.Output(2, fmt.Sprint(v...)); panic(Exit{Code: 1}) }
func (g *logLogger) Fatalf(f string, v ...any) {
	g.l.Output(2, fmt.Sprintf(f, v...))
	panic(Exit{Code: 1})
}
func (g *logLogger) Fatalln(v ...any) { g.l.Output(2, fmt.Sprintln(v...)); panic(Exit{Code: 1}) }
func (g *logLogger) Flags() int       { return g.l.Flags() }
func (g *logLogger) Output(depth int, s string) error {
	return g.l.Output(depth+1, s)
}
func (g *logLogger) Panic(v ...any)            { g.l.Panic(v...) }
func (g *logLogger) Panicf(f string, v ...any) { g.l.Panicf(f, v...) }
func (g *logLogger) Panicln(v ...any)          { g.l.Panicln(v...) }
func (g *logLogger) Prefix() string            { return g.l.Prefix() }
func (g *logLogger) Print(v ...any)            { g.l.Print(v...) }
func (g *logLogger) Printf(f string, v ...any) { g.l.Printf(f, v...) }
func (g *logLogger) Println(v ...any)          { g.l.Println(v...) }
func (g *logLogger) SetFlags(flag int)         { g.l.SetFlags(flag) }
func (g *logLogger) SetOutput(w io.Writer)     { g.l.SetOutput(w) }
func (g *logLogger) SetPrefix(prefix string)   { g.l.SetPrefix(prefix) }
func (g *logLogger) Writer() io.Writer         { return g.l.Writer() }
