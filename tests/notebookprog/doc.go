// Package notebookprog checks that tutorial notebooks also work as plain
// Go programs: it assembles a notebook's code cells into a main package
// (imports on top, declarations at package level, statements in main),
// builds it against this module, runs it and checks what it prints. It
// holds tests only; the notebooks live in notebooks/.
package notebookprog
