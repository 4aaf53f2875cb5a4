package data

import (
	"bytes"
	"testing"
)

// FuzzIdx: any input gives an error or a consistent array, never a panic.
// The seed corpus in testdata/fuzz/FuzzIdx runs with the ordinary tests.
func FuzzIdx(f *testing.F) {
	f.Add(idxBytes([]int{2, 2, 2}, []byte{1, 2, 3, 4, 5, 6, 7, 8}))
	f.Add(gzipBytes(f, idxBytes([]int{3}, []byte{0, 9, 4})))
	f.Add([]byte{0, 0, 8, 3, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		idx, err := DecodeIdx(bytes.NewReader(b), "fuzz")
		if err != nil {
			if _, ok := err.(*FormatError); !ok {
				t.Fatalf("error %v is a %T, not a *FormatError", err, err)
			}
			return
		}
		size := 1
		for _, d := range idx.Dims {
			size *= d
		}
		if len(idx.Data) != size {
			t.Fatalf("dims %v but %d bytes", idx.Dims, len(idx.Data))
		}
	})
}

// FuzzCIFAR: any input gives an error or whole records with labels in
// range, never a panic.
func FuzzCIFAR(f *testing.F) {
	f.Add(make([]byte, 3073))
	f.Add(make([]byte, 3074*2))
	f.Add([]byte{9, 1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, err := DecodeCIFAR10(bytes.NewReader(b), "fuzz"); err == nil {
			if len(m.Pix) != m.Len()*3072 || len(m.Labels) != m.Len() || m.Len()*3073 != len(b) {
				t.Fatalf("%d bytes gave %d images, %d labels", len(b), m.Len(), len(m.Labels))
			}
			for _, l := range m.Labels {
				if l < 0 || l > 9 {
					t.Fatalf("label %d", l)
				}
			}
		} else if _, ok := err.(*FormatError); !ok {
			t.Fatalf("error %v is a %T", err, err)
		}
		for _, which := range []CIFAR100Labels{CIFAR100Fine, CIFAR100Coarse} {
			if m, err := DecodeCIFAR100(bytes.NewReader(b), "fuzz", which); err == nil {
				if m.Len()*3074 != len(b) || len(m.Labels) != m.Len() {
					t.Fatalf("%d bytes gave %d images", len(b), m.Len())
				}
			} else if _, ok := err.(*FormatError); !ok {
				t.Fatalf("error %v is a %T", err, err)
			}
		}
	})
}
