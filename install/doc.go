// Package install writes the gossl kernelspec where Jupyter looks for
// kernels (user data dir, a prefix, or the Python environment's prefix) and
// removes it again. install/debian.sh sets up a fresh Debian machine.
package install
