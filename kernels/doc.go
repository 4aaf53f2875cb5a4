// Package kernels holds the gossl kernelspec (kernel.json template and
// logos), embedded in the binary so that `gossl install` needs no files.
// The kernelspec only tells Jupyter how to start gossl (its argv, display
// name and language); the running kernel that Jupyter then talks to is
// package kernel (the messaging protocol), not this one.
package kernels
