package interp

import (
	"fmt"
	"reflect"
	"testing"
)

// The global frame grows the way append grows a slice: a long session does
// not copy it into a fresh, slightly larger block at every cell, and every
// slot still holds a usable value of its type.
func TestGlobalFrameGrowsGeometrically(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "import \"fmt\"\ntotal := 0")
	frame := func() reflect.Value {
		return field(field(reflect.ValueOf(s.ip).Elem(), "frame").Elem(), "data")
	}
	start, copies := frame().Len(), 0
	last := frame().Pointer()
	for i := range 300 {
		mustRun(t, s, fmt.Sprintf("x%d := %d * 2\ntotal += x%d + len(fmt.Sprint(x%d))", i%7, i, i%7, i%7))
		if p := frame().Pointer(); p != last {
			copies++
			last = p
		}
	}
	added := frame().Len() - start
	if added < 300 {
		t.Fatalf("300 cells added %d slots; the test needs cells that add slots", added)
	}
	if copies > 12 {
		t.Errorf("the frame was copied %d times over 300 cells (%d slots added), want geometric growth", copies, added)
	}
	if got := mustRun(t, s, "fmt.Println(total, x6)").String(); got != "90545 586\n" {
		t.Errorf("values after 300 cells: %q", got)
	}
}
