package gradcheck

import (
	"testing"

	G "gorgonia.org/gorgonia"
)

// Compare is the fixture tests' one comparison: it fails t when v differs
// from want by more than tol relative to want's scale (RelErr, with floor),
// and stops the test when v cannot be read at all.
func Compare(t testing.TB, what string, v G.Value, want []float64, floor, tol float64) {
	t.Helper()
	got, err := Float64s(v)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	e, err := RelErr(got, want, floor)
	if err != nil || e > tol {
		t.Errorf("%s: relative error %.3g (limit %g) %v", what, e, tol, err)
	}
}
