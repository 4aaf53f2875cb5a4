package main

import "testing"

// The ResNet-18 SimCLR graph that gpucheck times on the GPU gives, on the
// CPU backend, gorgonia's own loss and gradients.
func TestResNetGraphMatchesTapeMachineOnCPU(t *testing.T) {
	if got := verifyOnCPU(1e-4); got != exitOK {
		t.Fatalf("verifyOnCPU returned %d", got)
	}
}
