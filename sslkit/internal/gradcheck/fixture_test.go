package gradcheck

import (
	"os"
	"path/filepath"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestLoadCasesDecodesCallerType(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.json")
	doc := `{"cases": [{"name": "a", "value": 2.5, "x": {"shape": [2], "data": [1, -3]}}]}`
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name  string
		Value float64
		X     FixtureTensor
	}
	if err := LoadCases(path, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) != 1 || cases[0].Name != "a" || cases[0].Value != 2.5 || cases[0].X.Data[1] != -3 {
		t.Fatalf("decoded %+v", cases)
	}
	if err := LoadCases(filepath.Join(t.TempDir(), "missing.json"), &cases); err == nil {
		t.Error("missing file accepted")
	}
	if err := os.WriteFile(path, []byte(`{"cases": 3}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := LoadCases(path, &cases); err == nil {
		t.Error("malformed file accepted")
	}
}

func TestFixtureTensorNode(t *testing.T) {
	g := G.NewGraph()
	s := FixtureTensor{Data: []float64{1.5}}.Node(g, "s")
	if !s.IsScalar() || s.Value().Data().(float32) != 1.5 {
		t.Errorf("0-d tensor gave %v %v", s.Shape(), s.Value())
	}
	m := FixtureTensor{Shape: []int{2, 3}, Data: []float64{0, 1, 2, 3, 4, 5}}.Node(g, "m")
	if !m.Shape().Eq(tensor.Shape{2, 3}) || m.Dtype() != tensor.Float32 || m.Value().Data().([]float32)[5] != 5 {
		t.Errorf("matrix gave %v %v %v", m.Shape(), m.Dtype(), m.Value())
	}
}

// failRecorder notes Errorf calls instead of failing the real test.
type failRecorder struct {
	testing.TB
	failed bool
}

func (r *failRecorder) Helper()                           {}
func (r *failRecorder) Errorf(format string, args ...any) { r.failed = true }

func TestCompareUsesRelativeTolerance(t *testing.T) {
	v := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{10, 0.00005}))
	r := &failRecorder{TB: t}
	Compare(r, "close", v, []float64{10.0005, 0}, 1e-2, 1e-4)
	if r.failed {
		t.Error("error 5e-5 relative to scale 10 rejected at 1e-4")
	}
	r = &failRecorder{TB: t}
	Compare(r, "far", v, []float64{10.01, 0}, 1e-2, 1e-4)
	if !r.failed {
		t.Error("error 1e-3 relative accepted at 1e-4")
	}
	r = &failRecorder{TB: t}
	Compare(r, "length", v, []float64{10}, 1e-2, 1e-4)
	if !r.failed {
		t.Error("length mismatch accepted")
	}
}
