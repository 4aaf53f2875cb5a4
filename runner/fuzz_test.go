package runner

import (
	"os"
	"testing"
)

// FuzzRead: any bytes given to gossl exec as a notebook give an error or a
// notebook that writes back out and reads again, never a panic or a hang.
func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "id": "a", "source": ["x := 1\n", "x"], "metadata": {"tags": ["parameters"]}, "outputs": [], "execution_count": null}]}`))
	f.Add([]byte(`{"nbformat": 4, "nbformat_minor": 2, "metadata": {}, "cells": [{"cell_type": "markdown", "source": "# t", "metadata": {}}]}`))
	f.Add([]byte(`{"nbformat": 3}`))
	if small, err := os.ReadFile("../notebooks/02-go-session.ipynb"); err == nil {
		f.Add(small)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		nb, err := Read(data)
		if err != nil {
			return
		}
		out, err := nb.Marshal()
		if err != nil {
			t.Fatalf("read, but cannot be written back: %v", err)
		}
		again, err := Read(out)
		if err != nil {
			t.Fatalf("written notebook does not read back: %v\n%s", err, out)
		}
		if len(again.Cells) != len(nb.Cells) {
			t.Fatalf("%d cells became %d", len(nb.Cells), len(again.Cells))
		}
	})
}
