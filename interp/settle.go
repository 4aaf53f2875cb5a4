package interp

import yaegi "github.com/traefik/yaegi/interp"

// settle runs an empty program after a compile failure. A failed compile
// leaves its top-level names in yaegi's scope without slots in the global
// frame, so Globals and Symbols panic until some program runs and grows
// the frame; running one at once keeps the scope readable for the error
// message, completion and %who. A panic here is yaegi's and changes
// nothing for the cell, whose error is already known.
func settle(ip *yaegi.Interpreter) {
	defer func() { _ = recover() }()
	if prog, err := ip.Compile(";"); err == nil {
		_, _ = ip.Execute(prog)
	}
}
