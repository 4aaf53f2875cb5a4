#!/bin/sh
# Runs every fuzz target of the kernel, the Go session and sslkit's readers
# for FUZZTIME each (default 10m): go test -fuzz runs one target at a time.
# Usage: bench/fuzz/run.sh [FUZZTIME]   e.g. bench/fuzz/run.sh 30s
# New crashers land in the package's testdata/fuzz/<Target>/ and then run
# as ordinary tests; commit them with the fix.
set -u
cd "$(dirname "$0")/../.."
FUZZTIME=${1:-10m}
status=0
others=$(find . -name '*_test.go' -not -path './kernel/*' -not -path './interp/*' -not -path './.git/*' \
	-exec grep -l '^func Fuzz' {} + 2>/dev/null | xargs -r -n1 dirname | sort -u)
for pkg in ./kernel ./interp $others; do
	for target in $(grep -h '^func Fuzz' "$pkg"/*_test.go | sed 's/^func \(Fuzz[A-Za-z0-9_]*\).*/\1/' | sort -u); do
		echo "== $pkg $target ($FUZZTIME)"
		if ! go test -run '^$' -fuzz "^$target\$" -fuzztime "$FUZZTIME" "$pkg"; then
			echo "!! $pkg $target found a failure"
			status=1
		fi
	done
done
exit $status
