package nn

import (
	"fmt"
	"strings"
	"text/tabwriter"
)

// Summary lists every parameter and buffer of m with its shape and size,
// then the trainable total — what a user inspecting a model wants to see.
func Summary(m Module) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "name\tshape\tsize\tkind")
	for _, p := range m.Params() {
		fmt.Fprintf(w, "%s\t%v\t%d\tparameter\n", p.Name, p.Value.Shape(), p.Size())
	}
	for _, p := range Buffers(m) {
		fmt.Fprintf(w, "%s\t%v\t%d\tbuffer\n", p.Name, p.Value.Shape(), p.Size())
	}
	w.Flush()
	fmt.Fprintf(&b, "trainable parameters: %d\n", CountParams(m))
	return b.String()
}
