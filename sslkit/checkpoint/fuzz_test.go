package checkpoint

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadPyTorch: any file given as a PyTorch checkpoint (zip or legacy
// pickle) gives an error or tensors whose data match their shapes, never a
// panic or a hang.
func FuzzLoadPyTorch(f *testing.F) {
	for _, name := range []string{"tiny_zip.pt", "tiny_legacy.pt", "tiny_module.pt", "tiny_tensor.pt", "tiny_dataparallel.pth"} {
		if b, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte{0x80, 0x02, '}', 'q', 0x00, '.'})
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "fuzz.pt")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		tensors, err := LoadPyTorch(path)
		if err != nil {
			return
		}
		for name, d := range tensors {
			if d.Shape().TotalSize() != d.Len() {
				t.Fatalf("%s: shape %v but %d values", name, d.Shape(), d.Len())
			}
		}
	})
}
