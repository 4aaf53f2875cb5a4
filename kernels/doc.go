// Package kernels holds the gossl kernelspec (kernel.json template and
// logos), embedded in the binary so that `gossl install` needs no files.
package kernels
