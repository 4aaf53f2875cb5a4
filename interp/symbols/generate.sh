#!/bin/sh
# Regenerates the yaegi symbol tables and the inspection docs from the
# package lists stdlib.txt (the Go standard library) and gossl.txt (display,
# sslkit). Run from anywhere: go generate ./interp/symbols/
set -eu
cd "$(dirname "$0")"
rm -f x_*.go
pkgs=$(cat stdlib.txt gossl.txt | grep -v '^#' | grep -v '^$')
# yaegi's extract names files after the package; prefix them so they are
# easy to tell from hand-written ones.
go run github.com/traefik/yaegi/cmd/yaegi extract -name symbols $pkgs
for f in *.go; do
	case "$f" in symbols.go|doc.go|docs.go|*_test.go|x_*) ;; *) mv "$f" "x_$f" ;; esac
done
go run ./docgen $pkgs > docs.json.gz.tmp && mv docs.json.gz.tmp docs.json.gz
